"""The inputs of a run: the firm's ``Policy``, the ``Market`` it sells in and the ``Population``.

Parameters flow one way: these validated, immutable objects go into
:class:`crmsim.CRMModel`, which hands them to the weekly processes. Every field
is checked when the object is made; a bad value raises ``ValueError`` naming
the field, the value and what is allowed, so a typo in a lesson or a TOML file
fails at once rather than producing a strange curve 156 weeks later.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmsim import checks, tomlfile

KANO_CATEGORIES = ("must-be", "performance", "attractive", "reverse", "indifferent")
TIER_NAMES = ("prospect", "actual", "loyal", "marketer")
CHANNELS = ("phone", "face-to-face", "email", "letter")


def _check_range(owner: str, name: str, value: Any, low: float, high: float) -> float:
    return checks.number(f"{owner}.{name}", value, low, high)


def _check_int(owner: str, name: str, value: Any, low: int, high: float = math.inf) -> int:
    return checks.integer(f"{owner}.{name}", value, low, high)


def _reject_unknown(cls: type, data: Mapping[str, Any]) -> None:
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(
            f"unknown {cls.__name__} field(s) {unknown}; allowed fields are {sorted(known)}"
        )


# ---------------------------------------------------------------------------
# Kano attributes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KanoAttribute:
    """One service attribute, its Kano category and how well the firm delivers it.

    Parameters
    ----------
    category : str
        One of ``"must-be"``, ``"performance"``, ``"attractive"``, ``"reverse"``,
        ``"indifferent"`` (Kano 1984).
    level : float
        Fulfilment the firm aims for, in [0, 1]. For a reverse attribute
        (e.g. spam) a higher level means *more* of the unwanted thing.
    """

    category: str
    level: float

    def __post_init__(self) -> None:
        if self.category not in KANO_CATEGORIES:
            raise ValueError(
                f"KanoAttribute.category must be one of {KANO_CATEGORIES}, got {self.category!r}"
            )
        object.__setattr__(
            self, "level", _check_range("KanoAttribute", "level", self.level, 0.0, 1.0)
        )


def default_service() -> dict[str, KanoAttribute]:
    """The five attributes used throughout the course, one per Kano category.

    Examples
    --------
    >>> sorted(default_service())
    ['logo_colour', 'personal_touch', 'reliability', 'spam', 'speed']
    """
    return {
        "reliability": KanoAttribute("must-be", 0.8),
        "speed": KanoAttribute("performance", 0.6),
        "personal_touch": KanoAttribute("attractive", 0.3),
        "spam": KanoAttribute("reverse", 0.2),
        "logo_colour": KanoAttribute("indifferent", 0.5),
    }


def service_at_quality(
    service: Mapping[str, KanoAttribute], quality: float
) -> dict[str, KanoAttribute]:
    """``service`` with every attribute delivered at ``quality``, but the reverse ones.

    This is what ``Policy(service_quality=...)`` means: one knob for how well the firm
    serves. A reverse attribute (spam) is something customers dislike more the more of
    it they get, so "better service" does not turn it up.

    Examples
    --------
    >>> levels = service_at_quality(default_service(), 0.9)
    >>> levels["speed"].level, levels["spam"].level
    (0.9, 0.2)
    """
    return {
        name: attr if attr.category == "reverse" else KanoAttribute(attr.category, quality)
        for name, attr in service.items()
    }


def _coerce_service(value: Any) -> dict[str, KanoAttribute]:
    if not isinstance(value, Mapping) or not value:
        raise ValueError(
            "Policy.service must be a non-empty mapping of attribute name -> "
            f"KanoAttribute or {{'category': ..., 'level': ...}}, got {value!r}"
        )
    defaults = default_service()
    service: dict[str, KanoAttribute] = {}
    for name, spec in value.items():
        if isinstance(spec, KanoAttribute):
            service[name] = spec
        elif isinstance(spec, Mapping):
            _reject_unknown(KanoAttribute, spec)
            if "category" not in spec and name not in defaults:
                raise ValueError(
                    f"Policy.service[{name!r}] needs a 'category' (one of {KANO_CATEGORIES})"
                )
            service[name] = KanoAttribute(
                category=spec.get(
                    "category", defaults.get(name, KanoAttribute("performance", 0)).category
                ),
                level=spec.get("level", defaults[name].level if name in defaults else 0.5),
            )
        elif name in defaults:
            # a bare number sets the level of a known attribute: {"reliability": 0.9}
            service[name] = KanoAttribute(
                defaults[name].category, _check_range("Policy", f"service[{name!r}]", spec, 0, 1)
            )
        else:
            raise ValueError(
                f"Policy.service[{name!r}] is a new attribute, so give its Kano category: "
                f"{{'category': 'performance', 'level': {spec!r}}}"
            )
    if not any(a.category == "must-be" for a in service.values()):
        raise ValueError(
            "Policy.service needs at least one 'must-be' attribute: service failures depend "
            "on how reliably the must-be attributes are delivered"
        )
    return service


# ---------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------

DiscountTarget = str | frozenset[str]
WinBackTarget = str | frozenset[str]


@dataclass(frozen=True)
class Policy:
    """The firm's levers, the things a learner or strategist tunes.

    Parameters
    ----------
    service : dict, optional
        Fulfilment per Kano attribute, ``{name: KanoAttribute}`` or
        ``{name: level}`` for the five default attributes. Defaults to
        :func:`default_service`.
    service_quality : float, optional
        Shorthand in [0, 1] that sets the level of every non-reverse attribute.
    service_variability : float
        Standard deviation of delivered fulfilment around the aimed level; erratic
        service undermines knowledge-based trust. In [0, 0.5].
    respect : float
        Special respect and personal treatment, the human side, in [0, 1].
    discount : float
        Price discount in [0, 0.9].
    discount_target : str or set of str
        Who gets the discount: ``"all"`` (product-centric), ``"new"`` (prospects and
        customers in their first ``new_customer_weeks``), a set of tier names such as
        ``{"loyal", "marketer"}``, or a population segment's name.
    discount_weeks : tuple of int, optional
        ``(start, end)``: the discount runs in weeks ``start <= week < end``; ``None`` means always.
    gift_value : float
        Value of a periodic gift to loyal and marketer customers (money), >= 0.
    gift_every : int
        Weeks between gifts, >= 1.
    referral_reward : float
        Money paid to a customer for each referral that turns into a first purchase, >= 0.
    recovery : float
        Share of complaints the firm resolves well, in [0, 1].
    win_back : float
        Intensity of offers to customers who left, in [0, 1].
    win_back_target : str or set of str
        Which former customers get win-back offers: ``"all"``, or a set naming why they
        left (``"competitor"``, ``"failure"``, ``"disrespect"``, ``"drift"``) and/or the
        tier they held when they left (``"actual"``, ``"loyal"``, ``"marketer"``); a
        former customer gets offers when they match every kind of name the set holds
        (``{"drift", "loyal"}``: loyal customers who drifted away).
    advertising : float
        Weekly share of the not-yet-aware market reached by advertising, in [0, 1].
    promise : float, optional
        The episode satisfaction the firm's marketing promises, in [-1, 1]; new customers
        start expecting it, and every customer judges the quality they expect against it,
        a shortfall weighing ``LOSS_AVERSION`` times a surplus
        (:func:`crmsim.offer.promised_quality`). ``None`` uses the market's prior
        expectation and sets no reference.
    channels : set of str
        The contact channels the firm staffs (collaborative CRM): a non-empty set of
        ``"phone"``, ``"face-to-face"``, ``"email"`` and ``"letter"`` (:data:`CHANNELS`),
        one of them alone, or ``"all"`` (the default). A customer whose preferred channel is
        not staffed complains less often after a failure; each staffed channel costs
        ``Market.channel_unit_cost`` for every active customer who prefers it.

    Examples
    --------
    >>> Policy(service_quality=0.9).service["speed"].level
    0.9
    >>> Policy(discount=1.5)
    Traceback (most recent call last):
    ...
    ValueError: Policy.discount must be in [0.0, 0.9], got 1.5
    """

    service: Mapping[str, KanoAttribute] | None = None
    # what the service is lies in ``service``; this only records how it was set
    service_quality: float | None = field(default=None, compare=False)
    service_variability: float = 0.1
    respect: float = 0.5
    discount: float = 0.0
    discount_target: DiscountTarget = "all"
    discount_weeks: tuple[int, int] | None = None
    gift_value: float = 0.0
    gift_every: int = 4
    referral_reward: float = 0.0
    recovery: float = 0.5
    win_back: float = 0.0
    win_back_target: WinBackTarget = "all"
    advertising: float = 0.01
    promise: float | None = None
    new_customer_weeks: int = 8
    channels: frozenset[str] = frozenset(CHANNELS)

    def __post_init__(self) -> None:
        service = _coerce_service(default_service() if self.service is None else self.service)
        if self.service_quality is not None:
            q = _check_range("Policy", "service_quality", self.service_quality, 0.0, 1.0)
            object.__setattr__(self, "service_quality", q)
            service = service_at_quality(service, q)
        object.__setattr__(self, "service", service)
        for name, high in [
            ("service_variability", 0.5),
            ("respect", 1.0),
            ("discount", 0.9),
            ("recovery", 1.0),
            ("win_back", 1.0),
            ("advertising", 1.0),
        ]:
            object.__setattr__(
                self, name, _check_range("Policy", name, getattr(self, name), 0.0, high)
            )
        for name in ("gift_value", "referral_reward"):
            object.__setattr__(
                self, name, _check_range("Policy", name, getattr(self, name), 0.0, math.inf)
            )
        for name in ("gift_every", "new_customer_weeks"):
            object.__setattr__(self, name, _check_int("Policy", name, getattr(self, name), 1))
        if self.promise is not None:
            object.__setattr__(
                self, "promise", _check_range("Policy", "promise", self.promise, -1.0, 1.0)
            )
        object.__setattr__(self, "discount_target", _coerce_target(self.discount_target))
        object.__setattr__(self, "win_back_target", _coerce_win_back_target(self.win_back_target))
        object.__setattr__(self, "channels", _coerce_channels(self.channels))
        if self.discount_weeks is not None:
            weeks = self.discount_weeks
            if (
                not isinstance(weeks, tuple | list)
                or len(weeks) != 2
                or not all(
                    isinstance(w, numbers.Integral) and not isinstance(w, bool) for w in weeks
                )
                or not 0 <= weeks[0] < weeks[1]
            ):
                raise ValueError(
                    "Policy.discount_weeks must be (start, end) with integers "
                    f"0 <= start < end, got {weeks!r}"
                )
            object.__setattr__(self, "discount_weeks", (int(weeks[0]), int(weeks[1])))

    def discount_running(self, week: int) -> bool:
        """Whether the discount is on offer in ``week`` (0-based)."""
        if self.discount == 0:
            return False
        if self.discount_weeks is None:
            return True
        start, end = self.discount_weeks
        return start <= week < end

    def replace(self, **changes: Any) -> Policy:
        """Return a copy with some fields changed (validated again).

        ``service_quality``, if given, is applied to the attributes (the current ones, or
        ``service`` if that is given too); a new ``service`` alone forgets the old quality.
        """
        current = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if "service" in changes and "service_quality" not in changes:
            current["service_quality"] = None
        current.update(changes)
        return Policy(**current)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from plain data (as read from TOML), rejecting unknown keys."""
        _reject_unknown(cls, data)
        data = dict(data)
        if "discount_weeks" in data and isinstance(data["discount_weeks"], list):
            data["discount_weeks"] = tuple(data["discount_weeks"])
        for name in ("discount_target", "win_back_target", "channels"):
            if isinstance(data.get(name), list):
                data[name] = frozenset(data[name])
        return cls(**data)

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Load a policy from a TOML file with the fields at top level or under ``[policy]``."""
        data = tomlfile.read(Path(path))
        others = sorted({"scenario", "market", "population"} & set(data))
        if others:
            raise ValueError(
                f"{path} also has [{'], ['.join(others)}] table(s), which a Policy cannot hold; "
                "load it with crmsim.scenarios.from_dict(name, tomllib.load(...)) or "
                "`crmsim run --policy FILE`"
            )
        return cls.from_dict(data.get("policy", data))


def _coerce_target(target: Any) -> DiscountTarget:
    if isinstance(target, str):
        if target in TIER_NAMES:
            return frozenset({target})
        return target  # "all", "new" or a segment name, checked against the population later
    if isinstance(target, set | frozenset | list | tuple):
        names = frozenset(target)
        bad = sorted(names - set(TIER_NAMES))
        if bad or not names:
            raise ValueError(
                f"Policy.discount_target as a set must name tiers from {TIER_NAMES}, "
                f"got {sorted(names)}"
            )
        return names
    raise ValueError(
        "Policy.discount_target must be 'all', 'new', a segment name or a set of tiers, "
        f"got {target!r}"
    )


#: Why a former customer left, as ``Policy.win_back_target`` names it (those who left the
#: category altogether cannot be won back).
WIN_BACK_CAUSES = ("competitor", "failure", "disrespect", "drift")
#: The tiers a customer can hold when they leave.
WIN_BACK_TIERS = ("actual", "loyal", "marketer")


def _coerce_win_back_target(target: Any) -> WinBackTarget:
    if target == "all":
        return "all"
    names = frozenset({target}) if isinstance(target, str) else target
    allowed = WIN_BACK_CAUSES + WIN_BACK_TIERS
    if isinstance(names, set | frozenset | list | tuple) and names and set(names) <= set(allowed):
        return frozenset(names)
    raise ValueError(
        f"Policy.win_back_target must be 'all' or a set of causes {WIN_BACK_CAUSES} and/or "
        f"former tiers {WIN_BACK_TIERS}, got {target!r}"
    )


def _coerce_channels(channels: Any) -> frozenset[str]:
    if isinstance(channels, str) and channels == "all":
        return frozenset(CHANNELS)
    names = frozenset({channels}) if isinstance(channels, str) else channels
    if (
        isinstance(names, set | frozenset | list | tuple)
        and names
        and all(isinstance(name, str) for name in names)
        and set(names) <= set(CHANNELS)
    ):
        return frozenset(names)
    raise ValueError(
        f"Policy.channels must be 'all', a channel or a non-empty set of channels from "
        f"{CHANNELS}, got {channels!r}"
    )


def default_channel_costs() -> dict[str, float]:
    """What each contact channel costs a week for every active customer who prefers it.

    In the ratios of the cost of one contact in UK local-government benchmarks (face to
    face and post about three times a telephone call), an e-mail answered by staff at 0.4
    of a call; the level is calibration (docs/ODD.md, 7.24).

    Examples
    --------
    >>> sorted(default_channel_costs(), key=CHANNELS.index) == list(CHANNELS)
    True
    """
    return {"phone": 0.05, "face-to-face": 0.15, "email": 0.02, "letter": 0.18}


# ---------------------------------------------------------------------------
# Market
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Market:
    """Where the firm sells: prices, the competitor, and how people talk.

    Parameters
    ----------
    price : float
        The firm's list price of an average purchase (money), > 0.
    unit_cost : float
        Cost of goods of an average purchase, in [0, price].
    competitor_price : float
        The competitor's price of the same basket, > 0.
    competitor_attractiveness : float
        Value of the competitor's ordinary offer on the customer's value scale, in [-1, 1].
    competitor_offer_rate : float
        Weekly probability that an active customer of average price sensitivity is approached
        with a special offer, in [0, 1].
    competitor_offer_boost : float
        How much better a special offer is than the ordinary one, in [0, 2].
    word_of_mouth : float
        Bass imitation coefficient per week (q): awareness hazard from customers among
        one's contacts, in [0, 1].
    trial_rate : float
        Weekly probability that an aware prospect buys for the first time when the firm's
        offer is as good as the competitor's, in [0, 1].
    prior_expectation : float
        What a newcomer expects an episode to feel like, in [-1, 1].
    complaint_propensity : float
        Probability that a customer complains after a failed episode (seed 002: about 40 %).
    failure_defection : float
        Probability that an early-stage customer of average proneness to leave, who did not
        complain, leaves after an unresolved failure, in [0, 1]; times their
        ``churn_proneness`` (at most 1). The default 0.9 makes the share among all early-stage
        customers about half (seed 002), 0.49 with the default proneness spread.
    max_failure_rate : float
        Failure probability of an episode when must-be attributes are not delivered at all.
    marketer_breach_exit : float
        Probability that a marketer of average proneness to leave who feels disrespected
        leaves, in [0, 1] (seed 004: they do rather than fall back to loyal); times each
        marketer's ``churn_proneness``.
    drift_rate : float
        Weekly hazard of a quiet lapse for a customer whose overall trust is 0.5.
    deepening : float
        How much a deeper relationship protects against leaving, in [0, 1]: it scales
        the forgiveness of a failure that trust and commitment give, the commitment and
        switching costs a competitor's offer must beat, and the trust that lowers the
        hazard of a quiet lapse. 1 by default; 0: leaving does not depend on how deep the
        relationship is (for experiments that separate deepening from sorting).
    referral_boost : float
        How many times likelier a referred prospect is to try the firm, in [1, 20].
    max_breach_rate : float
        Chance that an episode delivered with no respect at all is felt as a breach.
    negative_wom_rate : float
        Chance that an angry former customer of full sociability tells a given contact, per week.
    anger_weeks : int
        Weeks an angry former customer keeps speaking against the firm.
    service_unit_cost, respect_unit_cost : float
        Cost per episode per unit of attribute level, and of respect.
    recovery_unit_cost : float
        Cost of handling one complaint at full recovery effort (charged as
        ``recovery_unit_cost * recovery`` per complaint).
    win_back_unit_cost : float
        Cost of one win-back offer.
    advertising_unit_cost : float
        Cost per person of the market per unit of advertising reach, per week.
    channel_unit_cost : dict
        Weekly cost of each staffed contact channel per active customer who prefers it,
        ``{channel: cost}`` for the channels of :data:`CHANNELS`, each >= 0; a channel left
        out keeps its default (:func:`default_channel_costs`).
    price_response : float
        How strongly customers split their buying between the firm and the competitor by
        price, in [0, 20]: the elasticity of the firm's share of an average customer's
        purchases at price parity is ``-price_response / 2``. The default 5 puts the
        elasticity of units bought near the meta-analytic mean of about -2.6; 0: an active
        customer buys as often at any price.
    consideration_lapse : float
        Weekly chance that an aware prospect who did not buy settles with the competitor
        and stops considering the firm (forgets it), when the firm's offer is as good as
        the competitor's; twice that when it is much worse, none when much better; in
        [0, 1]; 0.05 by default. 0: an aware prospect considers the firm until they buy.
    reconsideration : float
        Weekly chance that a former customer, no longer angry, considers the firm again on
        their own (becomes an aware prospect who may buy again), in [0, 1]; 0.005 by
        default, which brings about 15 % of departures back within a year. 0: only a
        win-back offer brings a former customer back.
    category_turnover : float
        Weekly share of people who leave the category for good (they move away or stop
        needing what the firm sells), each replaced by a newcomer who has not heard of the
        firm, in [0, 0.05]. The default 0.00072 is the share of people who move to another
        county in a year (about 3.7 %), by the week; 0 keeps the market closed: the same
        people throughout.
    mover_loss : float
        Share of the customers who leave the category (``category_turnover``) whom the firm
        loses, in [0, 1]. 0.5 by default: half of them keep the firm (the relationship
        survives the move), stay customers and are not replaced; the others are lost and
        replaced by a newcomer. 1: every moving customer is lost, as at a local service; 0:
        none, as at a national firm with contracts. People who move while not customers are
        replaced either way.
    """

    price: float = 20.0
    unit_cost: float = 12.0
    competitor_price: float = 20.0
    competitor_attractiveness: float = 0.0
    competitor_offer_rate: float = 0.04
    competitor_offer_boost: float = 0.3
    word_of_mouth: float = 0.05
    trial_rate: float = 0.12
    referral_boost: float = 3.0
    prior_expectation: float = 0.2
    complaint_propensity: float = 0.40
    failure_defection: float = 0.9
    max_failure_rate: float = 0.10
    marketer_breach_exit: float = 0.5
    max_breach_rate: float = 0.10
    negative_wom_rate: float = 0.3
    anger_weeks: int = 8
    drift_rate: float = 0.0025
    deepening: float = 1.0
    service_unit_cost: float = 1.0
    respect_unit_cost: float = 1.0
    recovery_unit_cost: float = 15.0
    win_back_unit_cost: float = 5.0
    advertising_unit_cost: float = 0.5
    price_response: float = 5.0
    consideration_lapse: float = 0.05
    reconsideration: float = 0.005
    category_turnover: float = 0.00072
    mover_loss: float = 0.5
    channel_unit_cost: Mapping[str, float] = field(default_factory=default_channel_costs)

    def __post_init__(self) -> None:
        positive = ("price", "competitor_price")
        for name in positive:
            value = _check_range("Market", name, getattr(self, name), 0.0, math.inf)
            if value == 0:
                raise ValueError(f"Market.{name} must be > 0, got {value!r}")
            object.__setattr__(self, name, value)
        object.__setattr__(
            self, "unit_cost", _check_range("Market", "unit_cost", self.unit_cost, 0.0, self.price)
        )
        ranges = {
            "competitor_attractiveness": (-1.0, 1.0),
            "competitor_offer_rate": (0.0, 1.0),
            "competitor_offer_boost": (0.0, 2.0),
            "word_of_mouth": (0.0, 1.0),
            "trial_rate": (0.0, 1.0),
            "referral_boost": (1.0, 20.0),
            "prior_expectation": (-1.0, 1.0),
            "complaint_propensity": (0.0, 1.0),
            "failure_defection": (0.0, 1.0),
            "max_failure_rate": (0.0, 1.0),
            "marketer_breach_exit": (0.0, 1.0),
            "max_breach_rate": (0.0, 1.0),
            "negative_wom_rate": (0.0, 1.0),
            "drift_rate": (0.0, 1.0),
            "deepening": (0.0, 1.0),
            "category_turnover": (0.0, 0.05),
            "price_response": (0.0, 20.0),
            "consideration_lapse": (0.0, 1.0),
            "reconsideration": (0.0, 1.0),
            "mover_loss": (0.0, 1.0),
        }
        for name, (low, high) in ranges.items():
            object.__setattr__(
                self, name, _check_range("Market", name, getattr(self, name), low, high)
            )
        for name in (
            "service_unit_cost",
            "respect_unit_cost",
            "recovery_unit_cost",
            "win_back_unit_cost",
            "advertising_unit_cost",
        ):
            object.__setattr__(
                self, name, _check_range("Market", name, getattr(self, name), 0.0, math.inf)
            )
        object.__setattr__(
            self, "anger_weeks", _check_int("Market", "anger_weeks", self.anger_weeks, 0)
        )
        object.__setattr__(self, "channel_unit_cost", _coerce_channel_costs(self.channel_unit_cost))

    def __hash__(self) -> int:
        # the channel costs are a dict: hash their items, in the channels' order
        values = [getattr(self, f.name) for f in dataclasses.fields(self)]
        return hash(tuple(tuple(v.items()) if isinstance(v, Mapping) else v for v in values))

    @property
    def price_premium(self) -> float:
        """How much dearer the firm is than the competitor, as a share of the competitor's price."""
        return (self.price - self.competitor_price) / self.competitor_price

    def replace(self, **changes: Any) -> Market:
        """Return a copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Market:
        """Build a market from plain data, rejecting unknown keys."""
        _reject_unknown(cls, data)
        return cls(**data)


def _coerce_channel_costs(costs: Any) -> dict[str, float]:
    if not isinstance(costs, Mapping):
        raise ValueError(
            f"Market.channel_unit_cost must be a mapping of channel -> cost, got {costs!r}"
        )
    bad = sorted(str(name) for name in set(costs) - set(CHANNELS))
    if bad:
        raise ValueError(f"Market.channel_unit_cost has unknown channel(s) {bad}; use {CHANNELS}")
    given = {
        name: _check_range("Market", f"channel_unit_cost[{name!r}]", value, 0.0, math.inf)
        for name, value in costs.items()
    }
    return {name: given.get(name, cost) for name, cost in default_channel_costs().items()}


# ---------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A group of similar customers; traits are drawn around these means.

    Parameters
    ----------
    name : str
        Segment name (also usable as a ``discount_target``).
    share : float
        Share of the market in this segment, in (0, 1].
    price_sensitivity, quality_sensitivity, values_fit, sociability : float
        Mean of each trait, in [0, 1]; individual values are Beta-distributed around it.
    purchase_rate : float
        Mean expected purchases per week once a customer, in (0, 7].
    """

    name: str
    share: float
    price_sensitivity: float = 0.5
    quality_sensitivity: float = 0.5
    values_fit: float = 0.5
    purchase_rate: float = 0.6
    sociability: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Segment.name must be a non-empty string, got {self.name!r}")
        share = _check_range("Segment", "share", self.share, 0.0, 1.0)
        if share == 0:
            raise ValueError(f"Segment.share must be > 0, got {self.share!r}")
        object.__setattr__(self, "share", share)
        for name in ("price_sensitivity", "quality_sensitivity", "values_fit", "sociability"):
            object.__setattr__(self, name, _check_range("Segment", name, getattr(self, name), 0, 1))
        rate = _check_range("Segment", "purchase_rate", self.purchase_rate, 0.0, 7.0)
        if rate == 0:
            raise ValueError("Segment.purchase_rate must be > 0, got 0")
        object.__setattr__(self, "purchase_rate", rate)


def default_segments() -> tuple[Segment, ...]:
    """Three segments that make the course's contrasts visible.

    Bargain hunters come for discounts, quality seekers for service, and a smaller
    group shares the firm's values and can grow into marketers.
    """
    return (
        Segment("bargain_hunters", 0.40, price_sensitivity=0.8, quality_sensitivity=0.3,
                values_fit=0.25, purchase_rate=0.5, sociability=0.4),
        Segment("quality_seekers", 0.40, price_sensitivity=0.35, quality_sensitivity=0.75,
                values_fit=0.5, purchase_rate=0.6, sociability=0.5),
        Segment("kindred_spirits", 0.20, price_sensitivity=0.3, quality_sensitivity=0.6,
                values_fit=0.85, purchase_rate=0.7, sociability=0.7),
    )  # fmt: skip


@dataclass(frozen=True)
class Population:
    """The market's people as a mixture of segments.

    Parameters
    ----------
    segments : tuple of Segment
        Shares must add up to 1 (within 1e-6).
    trait_concentration : float
        Concentration of the Beta distributions around each segment mean; higher means
        customers of a segment are more alike. > 0.
    churn_heterogeneity : float
        How unequal people are in their proneness to leave, in [0, 20]: the variance of
        each person's ``churn_proneness``, a Gamma-distributed factor with mean 1 that
        multiplies every hazard of leaving (competitor offers reaching them, defection
        after a failure, the marketer trap, quiet lapses). 0: everyone equally prone. The
        prone leave first, so a cohort's retention rises with tenure (sorting).
    channel_shares : dict
        Preferred contact channel shares (seed 002: phone 43 %, face to face 37 %,
        email 18 %, letter 2 %).

    Examples
    --------
    >>> [s.name for s in Population().segments]
    ['bargain_hunters', 'quality_seekers', 'kindred_spirits']
    """

    segments: tuple[Segment, ...] = field(default_factory=default_segments)
    trait_concentration: float = 10.0
    churn_heterogeneity: float = 2.0
    channel_shares: Mapping[str, float] = field(
        default_factory=lambda: {"phone": 0.43, "face-to-face": 0.37, "email": 0.18, "letter": 0.02}
    )

    def __post_init__(self) -> None:
        segments = tuple(Segment(**s) if isinstance(s, Mapping) else s for s in self.segments)
        if not segments or not all(isinstance(s, Segment) for s in segments):
            raise ValueError("Population.segments must be a non-empty sequence of Segment")
        names = [s.name for s in segments]
        if len(set(names)) != len(names):
            raise ValueError(f"Population.segments names must be unique, got {names}")
        total = sum(s.share for s in segments)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"Population.segments shares must add up to 1, got {total:.6g}")
        object.__setattr__(self, "segments", segments)
        conc = _check_range("Population", "trait_concentration", self.trait_concentration, 0, 1e6)
        if conc == 0:
            raise ValueError("Population.trait_concentration must be > 0, got 0")
        object.__setattr__(self, "trait_concentration", conc)
        object.__setattr__(
            self,
            "churn_heterogeneity",
            _check_range("Population", "churn_heterogeneity", self.churn_heterogeneity, 0, 20),
        )
        shares = dict(self.channel_shares)
        bad = sorted(set(shares) - set(CHANNELS))
        if bad:
            raise ValueError(
                f"Population.channel_shares has unknown channel(s) {bad}; use {CHANNELS}"
            )
        for name, value in shares.items():
            _check_range("Population", f"channel_shares[{name!r}]", value, 0.0, 1.0)
        if abs(sum(shares.values()) - 1.0) > 1e-6:
            raise ValueError(
                f"Population.channel_shares must add up to 1, got {sum(shares.values()):.6g}"
            )
        object.__setattr__(self, "channel_shares", {c: float(shares.get(c, 0.0)) for c in CHANNELS})

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Population:
        """Build a population from plain data, rejecting unknown keys."""
        _reject_unknown(cls, data)
        data = dict(data)
        if "segments" in data:
            segs = []
            for s in data["segments"]:
                if isinstance(s, Mapping):
                    _reject_unknown(Segment, s)
                    s = Segment(**s)
                segs.append(s)
            data["segments"] = tuple(segs)
        return cls(**data)
