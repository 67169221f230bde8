"""The model behind the dashboard: :class:`DashboardModel`, a :class:`~crmsim.CRMModel` built from
the controls' plain values (one per lever), and the parsing and checks of those values.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from crmsim import checks, scenarios
from crmsim.i18n import _, format_number
from crmsim.levers import (
    CHANNELS,
    TIER_NAMES,
    KanoAttribute,
    Market,
    Policy,
    default_service,
    service_at_quality,
)
from crmsim.model import CRMModel
from crmsim.network import NETWORK_KINDS

DEFAULT_SCENARIO = "baseline"
#: Weeks run by the "Run 156 weeks" button and after a Reset: three years, the course's horizon.
RUN_WEEKS = 156
#: ``discount_end`` value meaning "the discount never ends".
NO_END = 0
#: The five default Kano attributes, each with its own control.
ATTRIBUTES = tuple(default_service())

#: A blank seed draws one below this: short enough to read off the page and type again.
SEED_RANGE = 1_000_000

# Stand-in for "no end" in Policy.discount_weeks, which needs a finite end week.
_FOREVER = 1_000_000_000


def _level(name: str, value: Any) -> float:
    return checks.number(name, value, 0.0, 1.0)


def _week(name: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a slider may hand over 8.0
    return checks.integer(name, value, low=0)


def parse_seed(value: Any) -> int | None:
    """The random seed from a control: an integer, a text of digits, or empty for a fresh one.

    Parameters
    ----------
    value : int, str or None
        What the seed control holds.

    Returns
    -------
    int or None
        ``None`` (draw a new seed) for ``None`` or blank text.

    Examples
    --------
    >>> parse_seed(" 42 "), parse_seed(""), parse_seed(7)
    (42, None, 7)
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not text.isdigit():
            # "rng" stays the code name in every language: the page puts the seed's label in.
            raise ValueError(
                _("rng (the random seed) must be a whole number >= 0, got {value}").format(
                    value=repr(value)
                )
            )
        return int(text)
    return checks.integer("rng (the random seed)", value, low=0)


def target_label(target: str | frozenset[str]) -> str:
    """The discount target as the dashboard names it: ``"all"``, ``"loyal+marketer"``, ...

    Examples
    --------
    >>> target_label(frozenset({"marketer", "loyal"})), target_label("new")
    ('loyal+marketer', 'new')
    """
    if isinstance(target, str):
        return target
    return "+".join(t for t in TIER_NAMES if t in target)


def channels_label(channels: frozenset[str]) -> str:
    """The staffed channels as the dashboard names them: ``"all"`` or ``"phone+email"``.

    Parameters
    ----------
    channels : frozenset of str
        A policy's ``channels``.

    Returns
    -------
    str
        ``"all"``, or the channels in the order of ``CHANNELS`` joined by ``+``.

    Examples
    --------
    >>> channels_label(frozenset({"email", "phone"})), channels_label(frozenset(CHANNELS))
    ('phone+email', 'all')
    """
    if set(channels) == set(CHANNELS):
        return "all"
    return "+".join(c for c in CHANNELS if c in channels)


def _parse_channels(label: Any) -> Any:
    # "phone+email" names a set; anything else is for Policy to accept or refuse by name
    if isinstance(label, str) and "+" in label:
        return frozenset(label.split("+"))
    return label


def _parse_target(label: Any) -> str | frozenset[str]:
    if isinstance(label, set | frozenset | list | tuple):
        return frozenset(label)
    if not isinstance(label, str) or not label:
        raise ValueError(
            _(
                "discount_target must be 'all', 'new', tiers such as 'loyal+marketer' or a "
                "segment name, got {value}"
            ).format(value=repr(label))
        )
    parts = label.split("+")
    if len(parts) > 1 or label in TIER_NAMES:
        return frozenset(parts)
    return label


class DashboardModel(CRMModel):
    """A :class:`~crmsim.CRMModel` built from the dashboard's controls: one number per lever.

    Every lever left as ``None`` keeps the value of the scenario named ``scenario_name``.

    Parameters
    ----------
    n_customers : int, optional
        People in the market; the scenario's by default.
    scenario_name : str
        A bundled scenario (:func:`crmsim.scenarios.names`) to start from.
    service_quality : float, optional
        Sets the level of every attribute except the reverse one (spam), in [0, 1].
    reliability, speed, personal_touch, spam, logo_colour : float, optional
        Level of each default Kano attribute, in [0, 1]; applied after ``service_quality``.
    respect, discount, recovery, win_back, advertising : float, optional
        The :class:`~crmsim.Policy` fields of the same names, in [0, 1] (discount up to 0.9).
    gift_value, referral_reward : float, optional
        Policy fields too: the value of a gift and the reward per referral (money, >= 0).
    gift_every : int, optional
        Weeks between gifts, >= 1.
    discount_target : str, optional
        ``"all"``, ``"new"``, a tier or tiers joined by ``+`` (``"loyal+marketer"``) or a
        segment of the population.
    discount_start, discount_end : int, optional
        The discount runs in weeks ``start <= week < end``; ``discount_end=0`` means it
        never ends.
    channels : str, optional
        The contact channels staffed: ``"all"``, one channel, or channels joined by ``+``
        (``"phone+face-to-face"``).
    competitor_attractiveness, competitor_offer_rate, price : float, optional
        The :class:`~crmsim.Market` fields of the same names.
    network : str
        ``"small-world"``, ``"scale-free"`` or ``"well-mixed"``.
    rng : int, str, numpy.random.Generator or None
        Seed; a text of digits (as typed in the dashboard) is read as a number, blank or
        ``None`` draws a fresh seed below :data:`SEED_RANGE` (kept in :attr:`seed`, so the
        page can show it and the run can be repeated).
    weeks : int
        Weeks to simulate at once, as soon as the model is built (the dashboard's "Run 156
        weeks after Reset"); 0 leaves it at week 0.
    errors : {"raise", "show"}
        What a bad value does: raise ``ValueError`` (the default), or, as the dashboard asks,
        keep the message in :attr:`error` and build the scenario's own run instead, so the
        page shows the message and stays usable.

    Attributes
    ----------
    error : str or None
        Why the controls were not applied (only with ``errors="show"``).
    scenario_name, network_kind : str
    seed : int or None
        The run's seed, given or drawn (``None`` only for a ``Generator`` given as ``rng``).
    seed_drawn : bool
        Whether :attr:`seed` was drawn because none was given.
    changes : list of tuple
        The levers changed during the run (:meth:`set_levers`): ``(week, name, old, new)``,
        ``week`` being the first week simulated with the new value.
    lock : threading.RLock
        Held during each week and while the dashboard reads the data, so a running ▶ and
        the "Run 156 weeks" button cannot step the model at the same time.

    Examples
    --------
    >>> model = DashboardModel(scenario_name="customer_centric", respect=0.9, rng=1)
    >>> model.policy.respect, model.policy.gift_value
    (0.9, 1.0)
    >>> DashboardModel(discount_start=8, discount_end=4)
    Traceback (most recent call last):
    ...
    ValueError: discount_end (4) must be after discount_start (8); 0 means it never ends
    """

    def __init__(
        self,
        n_customers: int | None = None,
        scenario_name: str = DEFAULT_SCENARIO,
        service_quality: float | None = None,
        reliability: float | None = None,
        speed: float | None = None,
        personal_touch: float | None = None,
        spam: float | None = None,
        logo_colour: float | None = None,
        respect: float | None = None,
        discount: float | None = None,
        discount_target: str | None = None,
        discount_start: int | None = None,
        discount_end: int | None = None,
        gift_value: float | None = None,
        gift_every: int | None = None,
        referral_reward: float | None = None,
        recovery: float | None = None,
        channels: str | None = None,
        win_back: float | None = None,
        advertising: float | None = None,
        competitor_attractiveness: float | None = None,
        competitor_offer_rate: float | None = None,
        price: float | None = None,
        network: str = "small-world",
        rng: Any = None,
        weeks: int = 0,
        errors: str = "raise",
    ) -> None:
        if errors not in ("raise", "show"):
            raise ValueError(f"errors must be 'raise' or 'show', got {errors!r}")
        levers = {
            "service_quality": service_quality,
            "reliability": reliability,
            "speed": speed,
            "personal_touch": personal_touch,
            "spam": spam,
            "logo_colour": logo_colour,
            "respect": respect,
            "discount": discount,
            "discount_target": discount_target,
            "discount_start": discount_start,
            "discount_end": discount_end,
            "gift_value": gift_value,
            "gift_every": gift_every,
            "referral_reward": referral_reward,
            "recovery": recovery,
            "channels": channels,
            "win_back": win_back,
            "advertising": advertising,
            "competitor_attractiveness": competitor_attractiveness,
            "competitor_offer_rate": competitor_offer_rate,
            "price": price,
        }
        self.error: str | None = None
        problems = []
        try:
            seed = rng if isinstance(rng, np.random.Generator) else parse_seed(rng)
        except ValueError as err:
            problems.append(err)
            seed = None
        self.seed_drawn = seed is None
        if seed is None:
            seed = secrets.randbelow(SEED_RANGE)
        try:
            inputs = self._inputs(scenario_name, n_customers, network, levers)
        except ValueError as err:
            if scenario_name not in scenarios.names():
                raise
            problems.append(err)
            # The scenario's own run, so that the page keeps working while the learner fixes
            # the control (CRMModel.__init__ cannot be retried on one object, so everything
            # it could refuse is checked in _inputs first).
            inputs = self._inputs(scenario_name, None, "small-world", {})
        if problems:
            if errors == "raise":
                raise problems[0]
            self.error = "; ".join(str(p) for p in problems)
        self.scenario_name = scenario_name
        self.network_kind = inputs["network"]
        self.seed = None if isinstance(seed, np.random.Generator) else seed
        self.changes: list[tuple[int, str, Any, Any]] = []
        self.lock = threading.RLock()
        self._snapshot: tuple[int, pd.DataFrame] | None = None
        super().__init__(**inputs, rng=seed)
        # Run here rather than after the page shows the new model: one redraw, not two.
        self.run(weeks, progress=False)

    @staticmethod
    def _inputs(
        scenario_name: str,
        n_customers: Any,
        network: Any,
        levers: Mapping[str, Any],
        base: tuple[Policy, Market] | None = None,
    ) -> dict[str, Any]:
        """CRMModel's keyword arguments: the scenario's (or ``base``'s policy and market), with
        the levers given applied."""
        scenario = scenarios.load(scenario_name)
        given = {k: v for k, v in levers.items() if v is not None}
        policy: Policy = scenario.kwargs["policy"]
        market: Market = scenario.kwargs["market"]
        if base is not None:
            policy, market = base
        population = scenario.kwargs["population"]
        if n_customers is None:
            n_customers = scenario.kwargs.get("n_customers", 2_000)
        n_customers = checks.integer("n_customers", n_customers, low=1)
        checks.choice("network", network, NETWORK_KINDS)

        # Service: one level for all but the reverse attribute (as Policy.service_quality
        # does), then each attribute's own level on top.
        service = dict(policy.service)
        defaults = default_service()
        if "service_quality" in given:
            service = service_at_quality(
                service, _level("service_quality", given["service_quality"])
            )
        for name in ATTRIBUTES:
            if name in given:
                category = service.get(name, defaults[name]).category
                service[name] = KanoAttribute(category, _level(name, given[name]))

        changes: dict[str, Any] = {"service": service}
        for name in (
            "respect",
            "discount",
            "gift_value",
            "gift_every",
            "referral_reward",
            "recovery",
            "win_back",
            "advertising",
        ):
            if name in given:
                changes[name] = given[name]
        if "discount_target" in given:
            changes["discount_target"] = _parse_target(given["discount_target"])
        if "channels" in given:
            changes["channels"] = _parse_channels(given["channels"])
        if "discount_start" in given or "discount_end" in given:
            old_start, old_end = policy.discount_weeks or (0, _FOREVER)
            start = _week("discount_start", given.get("discount_start", old_start))
            end = _week("discount_end", given.get("discount_end", old_end))
            if end in (NO_END, _FOREVER):
                changes["discount_weeks"] = None if start == 0 else (start, _FOREVER)
            elif end <= start:
                raise ValueError(
                    _(
                        "discount_end ({end}) must be after discount_start ({start}); "
                        "0 means it never ends"
                    ).format(end=format_number(end), start=format_number(start))
                )
            else:
                changes["discount_weeks"] = (start, end)
        policy = policy.replace(**changes)
        market = market.replace(
            **{
                name: given[name]
                for name in ("competitor_attractiveness", "competitor_offer_rate", "price")
                if name in given
            }
        )
        checks.discount_target(policy.discount_target, population.segment_names, "discount_target")
        return {
            "n_customers": int(n_customers),
            "policy": policy,
            "market": market,
            "population": population,
            "network": network,
        }

    def set_levers(self, **levers: Any) -> list[str]:
        """Change levers of the running model: they apply from the next week on.

        As ``model.policy = model.policy.replace(...)`` does in a notebook: the run goes on
        with the same customers, network and random numbers, and the levers not given keep
        their values. The run set-up (``n_customers``, ``network``, ``rng``) changes only
        with a new model.

        Parameters
        ----------
        **levers
            Keyword arguments of :class:`DashboardModel` for the policy and the market.

        Returns
        -------
        list of str
            The names of the levers whose value changed (also recorded in :attr:`changes`).

        Raises
        ------
        ValueError
            For a value the model refuses; the run then keeps its levers.

        Examples
        --------
        >>> model = DashboardModel(n_customers=100, rng=1, weeks=4)
        >>> model.set_levers(respect=0.9)
        ['respect']
        >>> model.policy.respect, model.changes
        (0.9, [(4, 'respect', 0.5, 0.9)])
        """
        from crmsim.app.levers import lever_values

        inputs = self._inputs(
            self.scenario_name,
            self.n_customers,
            self.network_kind,
            levers,
            base=(self.policy, self.market),
        )
        with self.lock:  # between two weeks, never during one
            before = lever_values(self.policy, self.market)
            self.policy, self.market = inputs["policy"], inputs["market"]
            after = lever_values(self.policy, self.market)
            changed = [n for n, v in after.items() if v != before[n] and n != "service_quality"]
            self.changes.extend((self.week, n, before[n], after[n]) for n in changed)
        return changed

    def step(self) -> None:
        """Simulate one week (holding :attr:`lock`)."""
        with self.lock:
            super().step()

    def snapshot(self) -> pd.DataFrame:
        """The weekly frame so far, read while no week is being simulated.

        Built once a week and shared by the overview and every figure: do not modify it.
        """
        with self.lock:
            if self._snapshot is None or self._snapshot[0] != self.week:
                self._snapshot = (self.week, self.frame)
            return self._snapshot[1]
