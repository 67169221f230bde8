"""Experimental designs: full grids, Latin hypercubes, design points turned into model inputs,
and design files (:func:`read_design`, the ``crmsim sweep`` command).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.levers import Market, Policy, Population

_POLICY_FIELDS = {f.name: f for f in dataclasses.fields(Policy)}
_MARKET_FIELDS = {f.name: f for f in dataclasses.fields(Market)}


def _split_name(name: Any) -> tuple[str, str]:
    """``"respect"`` or ``"policy.respect"`` -> ("policy", "respect"); ``"market.x"`` -> market."""
    if not isinstance(name, str):
        raise ValueError(f"design parameters are named by strings, got {name!r}")
    owner, _, rest = name.partition(".")
    if not rest:
        owner, rest = "policy", name
    fields = {"policy": _POLICY_FIELDS, "market": _MARKET_FIELDS}.get(owner)
    if fields is None or rest not in fields:
        raise ValueError(
            f"unknown design parameter {name!r}: use a Policy field ({sorted(_POLICY_FIELDS)}) "
            f"or 'market.' and a Market field ({sorted(_MARKET_FIELDS)})"
        )
    return owner, rest


def _plain(value: Any, integer: bool) -> Any:
    """A design value as a plain Python value; integer fields take the nearest integer."""
    if isinstance(value, np.generic):
        value = value.item()
    if integer and isinstance(value, float) and math.isfinite(value):
        return int(round(value))
    return value


def grid(levels: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """Every combination of the given levels: a full factorial design.

    Parameters
    ----------
    levels : mapping of str to sequence
        Parameter name -> its levels. Names are Policy fields (``"respect"``) or ``"market."``
        and a Market field (``"market.trial_rate"``).

    Returns
    -------
    pandas.DataFrame
        One row per design point (index ``point``), one column per parameter; the first
        parameter changes slowest.

    Examples
    --------
    >>> design = grid({"service_quality": [0.5, 0.9], "respect": [0.3, 0.8]})
    >>> design.to_dict("list")
    {'service_quality': [0.5, 0.5, 0.9, 0.9], 'respect': [0.3, 0.8, 0.3, 0.8]}
    """
    if not isinstance(levels, Mapping) or not levels:
        raise ValueError(f"a grid needs a non-empty dict of parameter -> levels, got {levels!r}")
    for name, values in levels.items():
        _split_name(name)
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise ValueError(f"grid levels of {name!r} must be a list of values, got {values!r}")
        if len(list(values)) == 0:
            raise ValueError(f"grid levels of {name!r} must not be empty")
        for value in values:
            if not isinstance(value, str | numbers.Number | bool | None):
                raise ValueError(
                    f"grid levels of {name!r} must be numbers, text or true/false, got {value!r}"
                )
    rows = list(itertools.product(*(list(v) for v in levels.values())))
    frame = pd.DataFrame(rows, columns=list(levels))
    frame.index.name = "point"
    return frame


def latin_hypercube(
    ranges: Mapping[str, tuple[float, float]], n: int, seed: int = 0
) -> pd.DataFrame:
    """A Latin hypercube design: ``n`` points that cover each parameter's range evenly.

    Each range ``[low, high]`` is cut into ``n`` equal strata and every stratum of every
    parameter holds exactly one point, at a uniformly random place inside it; the strata are
    paired at random across parameters (McKay, Beckman & Conover 1979). With few points this
    explores each lever's whole range far better than a grid or plain random draws.

    Parameters
    ----------
    ranges : mapping of str to (float, float)
        Parameter name -> ``(low, high)`` with ``low <= high``; names as in :func:`grid`.
        Integer fields (such as ``gift_every``) are rounded when the points are run.
    n : int
        Number of points, >= 1.
    seed : int
        Seed of the design (not of the runs), >= 0.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows (index ``point``), one column per parameter.

    Examples
    --------
    >>> design = latin_hypercube({"discount": (0.0, 0.3), "respect": (0.2, 1.0)}, n=10, seed=0)
    >>> design.shape
    (10, 2)
    >>> sorted((design["discount"] // 0.03).astype(int).tolist()) == list(range(10))
    True
    """
    if not isinstance(ranges, Mapping) or not ranges:
        raise ValueError(
            f"a Latin hypercube needs a dict of parameter -> (low, high), got {ranges}"
        )
    n = checks.integer("n", n, low=1)
    seed = checks.integer("seed", seed, low=0)
    bounds = {}
    for name, bound in ranges.items():
        _split_name(name)
        ok = (
            isinstance(bound, Sequence)
            and not isinstance(bound, str)
            and len(bound) == 2
            and all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in bound)
            and all(math.isfinite(b) for b in bound)
            and bound[0] <= bound[1]
        )
        if not ok:
            raise ValueError(f"range of {name!r} must be (low, high) with low <= high, got {bound}")
        bounds[name] = (float(bound[0]), float(bound[1]))
    rng = np.random.default_rng(seed)
    columns = {}
    for name, (low, high) in bounds.items():
        strata = rng.permutation(n)
        u = (strata + rng.random(n)) / n  # one uniform draw inside each stratum
        columns[name] = low + u * (high - low)
    frame = pd.DataFrame(columns)
    frame.index.name = "point"
    return frame


def _design_frame(design: Any) -> pd.DataFrame:
    """A design as a frame of points; a dict of lists is a grid."""
    if isinstance(design, pd.DataFrame):
        frame = design.reset_index(drop=True)
    elif isinstance(design, Mapping):
        frame = grid(design)
    elif isinstance(design, Sequence) and design and all(isinstance(p, Mapping) for p in design):
        frame = pd.DataFrame(list(design))
    else:
        raise ValueError(
            "design must be a dict of parameter -> levels (a grid), a DataFrame of points "
            f"(e.g. latin_hypercube(...)) or a list of dicts, got {design!r}"
        )
    if len(frame) == 0 or len(frame.columns) == 0:
        raise ValueError("design must have at least one point and one parameter")
    if frame.isna().any().any():
        raise ValueError("design has missing values; give every parameter a value at every point")
    for name in frame.columns:
        _split_name(name)
    frame.index.name = "point"
    return frame


def _point_values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    points = []
    for _, row in frame.iterrows():
        values = {}
        for name, value in row.items():
            owner, key = _split_name(name)
            kind = (_POLICY_FIELDS if owner == "policy" else _MARKET_FIELDS)[key].type
            values[name] = _plain(value, integer=kind in ("int", int))
        points.append(values)
    return points


def _point_inputs(
    index: int, values: Mapping[str, Any], policy: Policy, market: Market | None
) -> tuple[Policy, Market | None]:
    """The Policy and Market of one design point: the base with the point's fields changed."""
    changes: dict[str, dict[str, Any]] = {"policy": {}, "market": {}}
    for name, value in values.items():
        owner, key = _split_name(name)
        changes[owner][key] = value
    try:
        if changes["policy"]:
            policy = policy.replace(**changes["policy"])
        if changes["market"]:
            market = (market or Market()).replace(**changes["market"])
    except (TypeError, ValueError) as err:
        raise ValueError(f"design point {index} {dict(values)}: {err}") from None
    return policy, market


_BASE_KEYS = {
    "replications",
    "weeks",
    "customers",
    "n_customers",
    "seed",
    "network",
    "scenario",
    "policy",
    "market",
    "population",
}


def _flatten(table: Mapping[str, Any]) -> dict[str, Any]:
    """``{"market": {"price": [...]}}`` (TOML's dotted keys) -> ``{"market.price": [...]}``."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            for inner, item in value.items():
                flat[f"{key}.{inner}"] = item
        else:
            flat[key] = value
    return flat


def read_design(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a sweep design from a TOML file: the points, and the settings for :func:`sweep`.

    The file has one design table, ``[grid]`` or ``[latin_hypercube]``, and an optional
    ``[base]`` table::

        [base]                     # all optional
        replications = 10          # runs per point
        weeks = 156
        customers = 2000
        seed = 0
        network = "small-world"
        scenario = "baseline"      # start from a bundled scenario's policy, market, population

        [base.policy]              # fields every point shares (override the scenario's)
        discount_target = "new"

        [base.market]
        trial_rate = 0.1

        [grid]                     # every combination of these levels
        service_quality = [0.5, 0.7, 0.9]
        respect = [0.3, 0.8]
        market.price = [18, 22]    # a Market field: prefix it with "market."

    or, instead of ``[grid]``::

        [latin_hypercube]
        n = 20                     # points
        seed = 0                   # seed of the design (the runs use [base] seed)
        discount = [0.0, 0.3]      # [low, high] of each parameter
        respect = [0.2, 1.0]

    Parameters
    ----------
    path : str or path
        The TOML file.

    Returns
    -------
    (pandas.DataFrame, dict)
        The design points, and keyword arguments for :func:`sweep` (``replications``,
        ``weeks``, ``n_customers``, ``seed``, ``network``, ``policy``, ``market``,
        ``population``: only those the file sets).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "d.toml").write_text(
    ...     '[base]\\nweeks = 52\\n[grid]\\nrespect = [0.3, 0.9]\\nmarket.price = [18, 22]\\n')
    >>> design, options = read_design(folder / "d.toml")
    >>> list(design.columns), len(design), options
    (['respect', 'market.price'], 4, {'weeks': 52})
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ValueError(f"cannot read the design file {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path} is not valid TOML: {err}") from None
    unknown = sorted(set(data) - {"base", "grid", "latin_hypercube"})
    if unknown:
        raise ValueError(
            f"{path}: unknown table(s) {unknown}; a design has [base] and one of [grid] or "
            "[latin_hypercube]"
        )
    if ("grid" in data) == ("latin_hypercube" in data):
        raise ValueError(f"{path}: give exactly one design table, [grid] or [latin_hypercube]")
    try:
        if "grid" in data:
            design = grid(_flatten(data["grid"]))
        else:
            table = dict(data["latin_hypercube"])
            if "n" not in table:
                raise ValueError("[latin_hypercube] needs n, the number of points")
            n, design_seed = table.pop("n"), table.pop("seed", 0)
            design = latin_hypercube(
                {k: tuple(v) if isinstance(v, list) else v for k, v in _flatten(table).items()},
                n=n,
                seed=design_seed,
            )
        base = dict(data.get("base", {}))
        unknown = sorted(set(base) - _BASE_KEYS)
        if unknown:
            raise ValueError(f"unknown [base] key(s) {unknown}; allowed: {sorted(_BASE_KEYS)}")
        options: dict[str, Any] = {}
        for key in ("replications", "weeks", "seed", "network"):
            if key in base:
                options[key] = base[key]
        if "customers" in base or "n_customers" in base:
            options["n_customers"] = base.get("customers", base.get("n_customers"))
        inputs: dict[str, Any] = {}
        if "scenario" in base:
            from crmsim import scenarios

            scenario = scenarios.load(base["scenario"])
            inputs = {k: v for k, v in scenario.kwargs.items() if k != "n_customers"}
            options.setdefault("weeks", scenario.weeks)
            if "n_customers" in scenario.kwargs:
                options.setdefault("n_customers", scenario.kwargs["n_customers"])
        if "policy" in base:
            inputs["policy"] = _policy_with(inputs.get("policy") or Policy(), base["policy"])
        if "market" in base:
            start = inputs.get("market") or Market()
            inputs["market"] = start.replace(**base["market"])
        if "population" in base:
            inputs["population"] = Population.from_dict(base["population"])
        options.update({k: v for k, v in inputs.items() if v is not None})
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from None
    return design, options


def _policy_with(start: Policy, changes: Mapping[str, Any]) -> Policy:
    """``start`` with some fields changed, given as plain TOML data (lists for tuples and sets)."""
    checked = Policy.from_dict(changes)  # names and values checked, TOML lists converted
    return start.replace(**{name: getattr(checked, name) for name in changes})
