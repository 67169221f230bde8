"""Ready-made scenarios: model keyword arguments plus a note on what to watch for.

Each scenario is a TOML file in this folder with a ``[scenario]`` table
(``title``, ``description``, and optionally ``weeks`` and ``n_customers``) and
``[policy]``, ``[market]`` and ``[population]`` tables for the model's inputs.

The TOML files are in English; a scenario's title and description are given in the language
in use (:mod:`crmsim.i18n`). Their Persian is in ``scenarios.po``, whose message ids are the
TOML texts with every run of white space made one space (:func:`message_id`), so that the
line breaks of a TOML paragraph are not part of what a translator must match.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from crmsim import checks
from crmsim.i18n import _
from crmsim.levers import Market, Policy, Population

_ALLOWED_TABLES = {"scenario", "policy", "market", "population"}
#: The keys of a ``[scenario]`` table.
_SCENARIO_KEYS = {"title", "description", "weeks", "n_customers"}


@dataclass(frozen=True)
class Scenario:
    """A named starting point: model inputs and a note for the learner.

    Attributes
    ----------
    name, title, description : str
    weeks : int
        Suggested run length.
    kwargs : dict
        Keyword arguments for :class:`crmsim.CRMModel` (``policy``, ``market``, ...).
    """

    name: str
    title: str
    description: str
    weeks: int
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        return self.kwargs["policy"]


def message_id(text: str) -> str:
    """The catalog's message id of a scenario's title or description: its words, one space apart.

    Examples
    --------
    >>> message_id("  Two   words ")
    'Two words'
    """
    return " ".join(text.split())


def shown(text: str) -> str:
    """A scenario's ``text`` in the language in use: the catalog's translation of its
    :func:`message_id`, else ``text`` itself, line breaks and all (so English is as written)."""
    key = message_id(text)
    translated = _(key) if key else key
    return text if translated == key else translated


def names() -> list[str]:
    """Names of the bundled scenarios, sorted.

    Examples
    --------
    >>> "baseline" in names() and "opening_discount" in names()
    True
    """
    folder = resources.files(__package__)
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load(name: str) -> Scenario:
    """Load a bundled scenario by name, its title and description in the language in use.

    Examples
    --------
    >>> load("opening_discount").policy.discount_weeks
    (0, 8)
    """
    available = names()
    if name not in available:
        raise ValueError(f"unknown scenario {name!r}; available: {available}")
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return from_dict(name, tomllib.loads(text))


def from_dict(name: str, data: dict[str, Any]) -> Scenario:
    """Build a scenario from parsed TOML."""
    unknown = sorted(set(data) - _ALLOWED_TABLES)
    if unknown:
        raise ValueError(
            f"scenario {name!r} has unknown table(s) {unknown}; allowed: {sorted(_ALLOWED_TABLES)}"
        )
    for table in _ALLOWED_TABLES & set(data):
        if not isinstance(data[table], Mapping):
            raise ValueError(f"[{table}] must be a table of fields, got {table} = {data[table]!r}")
    meta = dict(data.get("scenario", {}))
    unknown = sorted(set(meta) - _SCENARIO_KEYS)
    if unknown:
        raise ValueError(
            f"[scenario] has unknown key(s) {unknown}; allowed: {sorted(_SCENARIO_KEYS)}"
        )
    for key in ("title", "description"):
        if key in meta and not isinstance(meta[key], str):
            raise ValueError(f"[scenario] {key} must be text, got {meta[key]!r}")
    kwargs: dict[str, Any] = {
        "policy": Policy.from_dict(data.get("policy", {})),
        "market": Market.from_dict(data.get("market", {})),
        "population": Population.from_dict(data.get("population", {})),
    }
    if "n_customers" in meta:
        kwargs["n_customers"] = checks.integer("[scenario] n_customers", meta["n_customers"], 1)
    return Scenario(
        name=name,
        title=shown(meta.get("title", name)),
        description=shown(meta.get("description", "").strip()),
        weeks=checks.integer("[scenario] weeks", meta.get("weeks", 156), low=1),
        kwargs=kwargs,
    )
