"""The levers as the dashboard shows them: grouped as the course groups them, each with a label
that carries its unit and a one-line explanation; their values read from a run, compared with the
scenario's, and error messages put in the sliders' own words.

The labels, explanations and headings are kept here in English (the page's code looks levers up
by them); the page shows them in the language in use: :func:`lever_label`, :func:`lever_help`,
:func:`group_title`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from crmsim.app.language import value_text
from crmsim.app.model import _FOREVER, ATTRIBUTES, NO_END, channels_label, target_label
from crmsim.i18n import N_, _, format_number, pgettext
from crmsim.levers import Market, Policy, default_service


@dataclass(frozen=True)
class Lever:
    """One control of the sidebar.

    Attributes
    ----------
    label : str
        What the control is called on the page, with its unit in brackets where it has one.
    help : str
        One line on what it does, shown as the control's tooltip.
    group : str
        The heading it is shown under (a key of :data:`GROUPS`).
    """

    label: str
    help: str
    group: str


#: The sidebar's headings, in order, each with a line on when its levers take effect.
GROUPS: dict[str, str] = {
    N_("Service and Kano"): N_("from the next week"),
    N_("Price and discounts"): "from the next week",
    N_("CEM: gifts and respect for loyal customers"): "from the next week",
    N_("CAM: referral rewards and marketers"): "from the next week",
    N_("Recovery and win-back"): "from the next week",
    N_("Market: advertising and the competitor"): "from the next week",
    N_("Run set-up"): N_("at Reset, for a fresh run"),
}

_KANO_HELP = {
    "must-be": N_("expected as a matter of course: without it episodes fail and people complain"),
    "performance": N_("more is better, in proportion"),
    "attractive": N_("a delight when present, not missed when absent"),
    "indifferent": N_("customers do not care either way; it only costs"),
    "reverse": N_("more is worse: customers dislike it"),
}
#: The default Kano attributes' names, for their sliders' labels.
ATTRIBUTE_NAMES = {
    "reliability": N_("Reliability"),
    "speed": N_("Speed"),
    "personal_touch": N_("Personal touch"),
    "spam": N_("Spam"),
    "logo_colour": N_("Logo colour"),
}

_SERVICE = "Service and Kano"
_PRICE = "Price and discounts"
_CEM = "CEM: gifts and respect for loyal customers"
_CAM = "CAM: referral rewards and marketers"
_RECOVERY = "Recovery and win-back"
_MARKET = "Market: advertising and the competitor"
_SETUP = "Run set-up"

#: Every control, by the keyword of :class:`~crmsim.app.DashboardModel` it sets.
LEVERS: dict[str, Lever] = {
    "service_quality": Lever(
        N_("Service quality (all but spam, 0–1)"),
        N_("How well every Kano attribute but spam is delivered: 0 not at all, 1 perfectly."),
        _SERVICE,
    ),
    **{
        name: Lever(
            f"{name.replace('_', ' ').capitalize()} ({attribute.category}, 0–1)",
            f"How well {name.replace('_', ' ')} is delivered; a {attribute.category} "
            f"attribute: {_KANO_HELP[attribute.category]}.",
            _SERVICE,
        )
        for name, attribute in default_service().items()
    },
    "price": Lever(
        N_("Price (money per purchase)"),
        N_(
            "What a purchase costs before any discount; the competitor charges 20, a unit costs 12."
        ),
        _PRICE,
    ),
    "discount": Lever(
        N_("Discount (share off the price)"),
        N_("Share taken off the price for those who get the discount: 0.3 is 30 % off."),
        _PRICE,
    ),
    "discount_target": Lever(
        N_("Discount for"),
        N_("Who gets it: everyone, new customers only, some tiers or a segment of the market."),
        _PRICE,
    ),
    "discount_start": Lever(
        N_("Discount from week"),
        N_("The first week the discount runs (0: from the start)."),
        _PRICE,
    ),
    "discount_end": Lever(
        N_("Discount until week (0: never ends)"),
        N_("The week the discount stops; it runs in the weeks before. 0: it never stops."),
        _PRICE,
    ),
    "respect": Lever(
        N_("Respect (0–1)"),
        N_(
            "Special respect and personal treatment; too little and loyal customers and "
            "marketers feel betrayed and leave."
        ),
        _CEM,
    ),
    "gift_value": Lever(
        N_("Gift value (money)"),
        N_("Value of the gift loyal customers and marketers get every few weeks (0: no gifts)."),
        _CEM,
    ),
    "gift_every": Lever(N_("Gift every ... weeks"), N_("Weeks between two gifts."), _CEM),
    "referral_reward": Lever(
        N_("Referral reward (money)"),
        N_(
            "Paid to a customer for each friend they bring who buys: turns loyal customers "
            "into marketers."
        ),
        _CAM,
    ),
    "recovery": Lever(
        N_("Complaint recovery (share resolved well)"),
        N_("Share of complaints the firm puts right: a complaint well handled keeps the customer."),
        _RECOVERY,
    ),
    "channels": Lever(
        N_("Contact channels staffed"),
        N_(
            "The channels customers can reach the firm through; each costs per customer who "
            "prefers it, and one who prefers a closed channel complains less after a failure."
        ),
        _RECOVERY,
    ),
    "win_back": Lever(
        N_("Win-back effort (0–1)"),
        N_("How hard the firm courts customers who left, with offers to come back."),
        _RECOVERY,
    ),
    "advertising": Lever(
        N_("Advertising reach (share per week)"),
        N_(
            "Share of the people who have not heard of the firm that its advertising reaches "
            "each week."
        ),
        _MARKET,
    ),
    "competitor_attractiveness": Lever(
        N_("Competitor attractiveness (−1 to 1)"),
        N_(
            "How good the competitor's offer feels next to the firm's: −1 much worse, 0 as good, "
            "1 much better."
        ),
        _MARKET,
    ),
    "competitor_offer_rate": Lever(
        N_("Competitor offers (share per week)"),
        N_("Share of the firm's customers who get a special offer from the competitor each week."),
        _MARKET,
    ),
    "n_customers": Lever(
        N_("People in the market"),
        N_("Everyone who could buy: prospects, customers and former customers."),
        _SETUP,
    ),
    "network": Lever(
        N_("Social network"),
        N_(
            "Who talks to whom: small-world (friends of friends), scale-free (a few hubs) or "
            "well-mixed (anyone with anyone)."
        ),
        _SETUP,
    ),
    "rng": Lever(
        N_("Random seed (blank: a new one)"),
        N_(
            "The same seed and settings give the same run; leave it blank for a new one each Reset."
        ),
        _SETUP,
    ),
}

#: The levers that act on a running model (everything but the run set-up).
LIVE = tuple(name for name, lever in LEVERS.items() if lever.group != _SETUP)

_CATEGORIES = {name: attribute.category for name, attribute in default_service().items()}


def lever_label(name: str) -> str:
    """The label of lever ``name`` in the language in use (:attr:`Lever.label` in English).

    Examples
    --------
    >>> lever_label("respect"), lever_label("speed")
    ('Respect (0–1)', 'Speed (performance, 0–1)')
    """
    if name in ATTRIBUTE_NAMES and name in _CATEGORIES:
        return _("{attribute} ({kind}, 0–1)").format(
            attribute=_(ATTRIBUTE_NAMES[name]), kind=pgettext("kano", _CATEGORIES[name])
        )
    return _(LEVERS[name].label)


def lever_help(name: str) -> str:
    """The one-line explanation of lever ``name`` in the language in use.

    Examples
    --------
    >>> lever_help("spam")
    'How well spam is delivered; a reverse attribute: more is worse: customers dislike it.'
    """
    if name in ATTRIBUTE_NAMES and name in _CATEGORIES:
        category = _CATEGORIES[name]
        # In the middle of a sentence: "reliability", as the English label's "Reliability"
        # (Persian has no capitals, so lower() leaves it as it is).
        return _("How well {attribute} is delivered; a {kind} attribute: {explanation}.").format(
            attribute=_(ATTRIBUTE_NAMES[name]).lower(),
            kind=pgettext("kano", category),
            explanation=_(_KANO_HELP[category]),
        )
    return _(LEVERS[name].help)


def group_title(group: str) -> str:
    """The heading of ``group`` (a key of :data:`GROUPS`) with when its levers take effect,
    in the language in use.

    Examples
    --------
    >>> group_title("Run set-up")
    'Run set-up (at Reset, for a fresh run)'
    """
    return _("{group} ({when})").format(group=_(group), when=_(GROUPS[group]))


def lever_values(policy: Policy, market: Market) -> dict[str, Any]:
    """The value of each live lever (:data:`LIVE`) under ``policy`` and ``market``.

    Examples
    --------
    >>> values = lever_values(Policy(respect=0.8, discount_weeks=(0, 8)), Market())
    >>> values["respect"], values["discount_start"], values["discount_end"], values["price"]
    (0.8, 0, 8, 20.0)
    """
    service = policy.service
    others = [a.level for a in service.values() if a.category != "reverse"]
    start, end = policy.discount_weeks or (0, NO_END)
    values: dict[str, Any] = {
        "service_quality": round(float(np.mean(others)), 2) if others else None,
        **{name: service[name].level if name in service else None for name in ATTRIBUTES},
        "price": market.price,
        "discount": policy.discount,
        "discount_target": target_label(policy.discount_target),
        "discount_start": start,
        "discount_end": NO_END if end == _FOREVER else end,
    }
    for name in ("respect", "gift_value", "gift_every", "referral_reward", "recovery"):
        values[name] = getattr(policy, name)
    values["channels"] = channels_label(policy.channels)
    values["win_back"] = policy.win_back
    values["advertising"] = policy.advertising
    values["competitor_attractiveness"] = market.competitor_attractiveness
    values["competitor_offer_rate"] = market.competitor_offer_rate
    return values


def show(value: Any) -> str:
    """A lever's value as the page writes it.

    Examples
    --------
    >>> show(0.30000000000000004), show(12), show("new")
    ('0.3', '12', 'new')
    """
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def shown_value(name: str, value: Any) -> str:
    """The value of lever ``name`` as the page writes it in the language in use: a number in
    its digits (:func:`show`'s precision), a menu's value as the menu shows it.

    Examples
    --------
    >>> shown_value("respect", 0.30000000000000004), shown_value("discount_target", "new")
    ('0.3', 'new')
    """
    if name in ("discount_target", "channels", "network"):
        return value_text(name, value)
    if isinstance(value, float):
        return format_number(value, ".4g")
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def differences(values: dict[str, Any], reference: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The levers whose value differs from ``reference``: ``(name, value, reference value)``.

    The service-quality summary is left out: the attributes it sums up are compared one by one.

    Examples
    --------
    >>> differences({"respect": 0.2, "price": 20.0}, {"respect": 0.5, "price": 20.0})
    [('respect', 0.2, 0.5)]
    """
    found = []
    for name, value in values.items():
        if name == "service_quality":
            continue
        other = reference.get(name)
        same = (
            np.isclose(value, other)
            if isinstance(value, float | int) and isinstance(other, float | int)
            else value == other
        )
        if not same:
            found.append((name, value, other))
    return found


def in_words(message: str) -> str:
    """``message`` with the code names of the controls replaced by their labels.

    Examples
    --------
    >>> in_words("discount_end (4) must be after discount_start (8)")
    '“Discount until week (0: never ends)” (4) must be after “Discount from week” (8)'
    >>> in_words("Market.unit_cost must be in [0.0, 5.0], got 12.0")
    '“Price (money per purchase)” (5.0) must be at least the unit cost (12.0)'
    """
    # Market checks the unit cost against the price: say it the other way round.
    message = re.sub(
        r"(?:Market\.)?unit_cost must be in \[[^,\]]+, ([^\]]+)\], got ([^\s;]+)",
        # "price" stays the code name in every language: replaced by its label below.
        lambda match: _("price ({price}) must be at least the unit cost ({cost})").format(
            price=match.group(1), cost=match.group(2)
        ),
        message,
    )
    names = "|".join(re.escape(n) for n in sorted(LEVERS, key=len, reverse=True))
    # One pass, so that a name inside a label already put in ("spam" in the service quality's)
    # is left alone; "Policy.", "Market." and the seed's own gloss go with the name.
    pattern = rf"(?:\b(?:Policy|Market)\.)?\b({names})\b(?: \(the random seed\))?"
    message = re.sub(pattern, lambda match: f"“{lever_label(match.group(1))}”", message)
    return message.replace("unit_cost", _("the unit cost"))
