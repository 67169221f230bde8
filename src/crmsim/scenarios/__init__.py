"""Ready-made scenarios: model keyword arguments plus a note on what to watch for.

Each scenario is a TOML file in this folder with a ``[scenario]`` table
(``title``, ``description``, and optionally ``weeks`` and ``n_customers``) and
``[policy]``, ``[market]`` and ``[population]`` tables for the model's inputs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from crmsim.levers import Market, Policy, Population

_ALLOWED_TABLES = {"scenario", "policy", "market", "population"}


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
    """Load a bundled scenario by name.

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
    meta = dict(data.get("scenario", {}))
    kwargs: dict[str, Any] = {
        "policy": Policy.from_dict(data.get("policy", {})),
        "market": Market.from_dict(data.get("market", {})),
        "population": Population.from_dict(data.get("population", {})),
    }
    if "n_customers" in meta:
        kwargs["n_customers"] = meta.pop("n_customers")
    return Scenario(
        name=name,
        title=meta.pop("title", name),
        description=meta.pop("description", "").strip(),
        weeks=int(meta.pop("weeks", 156)),
        kwargs=kwargs,
    )
