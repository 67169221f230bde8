"""The settings in use written in the page's address, so that a reload or a shared link restores
them: :func:`settings_query` writes the query string, :func:`settings_from_query` reads it back.

Only what makes the run is written: the scenario, the seed, the run set-up where it differs
from the scenario's, and the levers where they differ from the scenario (so that a link stays
short and says what was changed), for example
``?scenario=baseline&seed=42&respect=0.2&discount=0.3``; then the policy run side by side, if
any (``compare=customer_centric``, :func:`comparing`), and presentation mode (``present=1``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from crmsim import scenarios
from crmsim.app.levers import LEVERS, differences, lever_values
from crmsim.app.model import ATTRIBUTES, DEFAULT_SCENARIO, DashboardModel

#: The query's name for the keyword of :class:`~crmsim.app.DashboardModel`, where they differ.
NAMES = {"scenario_name": "scenario", "rng": "seed", "per_attribute": "kano"}
_KEYWORDS = {query: keyword for keyword, query in NAMES.items()}


def _text(value: Any) -> str:
    # str() of a float is the shortest text that reads back as the same float.
    return str(value)


def settings_query(
    model: DashboardModel,
    per_attribute: bool = False,
    present: bool = False,
    compare: str | None = None,
) -> str:
    """The query string (without ``?``) that restores ``model``'s settings.

    Parameters
    ----------
    model : DashboardModel
        The run whose settings are written.
    per_attribute : bool
        Whether the page shows one slider per Kano attribute (written as ``kano=1``).
        Otherwise, service levels set all alike are written as one ``service_quality``.
    present : bool
        Whether the page is in presentation mode (written as ``present=1``, last).
    compare : str, optional
        The scenario whose policy runs side by side (written as ``compare=<name>``).

    Returns
    -------
    str

    Examples
    --------
    >>> settings_query(DashboardModel(n_customers=300, respect=0.2, rng=7))
    'scenario=baseline&seed=7&n_customers=300&respect=0.2'
    """
    scenario = scenarios.load(model.scenario_name)
    query: dict[str, str] = {"scenario": model.scenario_name}
    if model.seed is not None:
        query["seed"] = str(model.seed)
    if model.n_customers != scenario.kwargs.get("n_customers", 2_000):
        query["n_customers"] = str(model.n_customers)
    if model.network_kind != "small-world":
        query["network"] = model.network_kind
    values = lever_values(model.policy, model.market)
    reference = lever_values(scenario.kwargs["policy"], scenario.kwargs["market"])
    changed = {name: value for name, value, _ in differences(values, reference)}
    levels = {values[n] for n in ATTRIBUTES if n != "spam" and values[n] is not None}
    service = [n for n in changed if n in ATTRIBUTES and n != "spam"]
    if service and not per_attribute and len(levels) == 1:
        # Set by the one service-quality slider: written as that slider.
        for name in service:
            del changed[name]
        changed = {"service_quality": levels.pop(), **changed}
    if per_attribute:
        query["kano"] = "1"
    for name in LEVERS:  # in the sidebar's order
        if name in changed:
            query[name] = _text(changed[name])
    if compare:
        query["compare"] = compare
    if present:
        query["present"] = "1"
    return urlencode(query)


def comparing(search: str | None) -> str | None:
    """The scenario whose policy the query asks to run side by side (``compare=<name>``), or
    ``None`` if it names none or one that does not exist.

    Examples
    --------
    >>> comparing("?scenario=baseline&compare=customer_centric"), comparing("compare=nope")
    ('customer_centric', None)
    """
    pairs = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))
    name = pairs.get("compare")
    return name if name in scenarios.names() else None


def presenting(search: str | None) -> bool:
    """Whether the query string asks for presentation mode (``present=1``).

    Examples
    --------
    >>> presenting("?scenario=baseline&present=1"), presenting("scenario=baseline")
    (True, False)
    """
    pairs = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))
    return pairs.get("present", "") not in ("", "0")


def _value(name: str, text: str, reference: dict[str, Any]) -> Any:
    """``text`` read as the kind of value lever ``name`` takes (a number where it is one)."""
    if name in ("scenario_name", "network", "discount_target", "channels", "rng"):
        return text  # the model reads a seed given as text itself, and says if it is not one
    kind = type(reference.get(name, 0.0))
    try:
        if kind is int or name == "n_customers":
            return int(text)
        return float(text)
    except ValueError:
        return text  # refused by the model, with its message in the lever's words


def settings_from_query(
    search: str | None, scenario: str = DEFAULT_SCENARIO
) -> tuple[dict[str, Any], bool]:
    """The keyword arguments of :class:`~crmsim.app.DashboardModel` in a query string.

    Unknown names are ignored; a value the model refuses is passed on as it is, for the page
    to show the model's message.

    Parameters
    ----------
    search : str or None
        The query string, with or without its leading ``?``.
    scenario : str
        The scenario when the query names none, or one that does not exist.

    Returns
    -------
    kwargs : dict
        Only the settings the query names.
    per_attribute : bool
        Whether the page should show one slider per Kano attribute.

    Examples
    --------
    >>> settings_from_query("?scenario=baseline&seed=7&respect=0.2&gift_every=4&x=1")
    ({'scenario_name': 'baseline', 'rng': '7', 'respect': 0.2, 'gift_every': 4}, False)
    """
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    given = {_KEYWORDS.get(name, name): text for name, text in pairs}
    per_attribute = given.pop("per_attribute", "") not in ("", "0")
    name = given.get("scenario_name", scenario)
    if name not in scenarios.names():
        name = scenario
    scenario = scenarios.load(name)
    reference = lever_values(scenario.kwargs["policy"], scenario.kwargs["market"])
    kwargs: dict[str, Any] = {"scenario_name": name}
    for key, text in given.items():
        if key == "rng" or key in LEVERS:
            kwargs[key] = _value(key, text, reference)
    return kwargs, per_attribute
