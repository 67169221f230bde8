"""docs/ODD.md states every default constant of the model with the value the code uses.

The code is the single source of truth; this test makes the ODD description follow it.
When a constant changes in the code but not in ODD.md (or the other way round), the
test for that constant fails and its id names it, e.g.
``test_constant_is_documented[trust.KNOWLEDGE_GAIN]``.

What is collected
-----------------
* every module-level UPPERCASE constant (not starting with ``_``) *assigned* in one of
  the modules of :data:`MODULES` (imported names are skipped) whose value is an int or a
  float (bools are not numbers here);
* every entry of such a constant that is a dict of numbers (``kano.CATEGORY_WEIGHT``,
  ``episodes.ENGAGEMENT``), labelled ``NAME[key]`` (an enum key by its ``.name``);
* every row of a float array constant whose rows are the stages (``state.TRUST_WEIGHTS``),
  labelled ``NAME[STAGE]``, with the row's values in order; integer arrays (stage codes)
  are not constants of the model and are skipped;
* the numeric defaults of the fields of ``Policy``, ``Market``, ``Segment`` and
  ``Population`` (``dataclasses.fields``), the entries of default mappings
  (``channel_shares[phone]``), the default segments (one label per segment name, values
  ``share, price_sensitivity, quality_sensitivity, values_fit, purchase_rate, sociability``
  in that order), the levels of the default service attributes, the numeric keyword
  defaults of ``CRMModel`` and the exponent of ``network.scale_free``.

The matching rule
-----------------
A constant is documented when some line of ODD.md mentions its label and **the first
number(s) written after that mention on the same line** are its value(s), in order.
In a table row ``| `VALUE_SLOPE` | 4.0 | ... |`` that is the cell right after the name.

* A label is the name as a whole word (``RESPECT_WEIGHT`` does not match inside
  ``MOTIVE_RESPECT_WEIGHT``), optionally prefixed by its module or class
  (``offer.VALUE_SLOPE``, ``Market.price``). A name assigned in more than one module must
  be written with its module (``episodes.RESPECT_WEIGHT``). Dict entries and stage rows
  are written ``NAME[key]``; anything else may stand in the brackets
  (``ENGAGEMENT[Stage.EXPLORATION]``, ``CATEGORY_WEIGHT["must-be"]``).
* A number is a decimal (``0.4``, ``0.40``, ``-0.2``, ``10_000``, ``1e-3``) or a fraction
  of two decimals (``1/3``, ``1.0/3.0``). Digit strings with a leading zero (``002`` as
  in "seed 002") and digits glued to letters (``x_1``) are not numbers.
* A number equals a value when it is the same number (``0.40`` = ``0.4``, ``1`` = ``1.0``,
  ``1/3`` = ``1.0/3.0``), or when it has three or more decimals and is the value rounded
  to them (``0.333`` for ``1/3``).

Besides the constants, every process of ``model.WEEKLY_PROCESSES``, every state variable
of ``state.COLUMNS`` and every column of ``model.FRAME_COLUMNS`` must be named in ODD.md,
written in backticks: `climb_tiers`, `trust.learn_from_episodes` or `keep_books(...)`.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from crmsim.levers import Market, Policy, Population, Segment, default_service
from crmsim.model import FRAME_COLUMNS, WEEKLY_PROCESSES, CRMModel
from crmsim.network import scale_free
from crmsim.stages import Stage
from crmsim.state import COLUMNS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

#: The modules whose constants ODD.md must state.
MODULES = (
    "levers",
    "state",
    "network",
    "awareness",
    "trials",
    "offer",
    "kano",
    "episodes",
    "leaving",
    "attribution",
    "trust",
    "commitment",
    "gifts",
    "ladders",
    "competition",
    "referrals",
    "winback",
    "books",
    "model",
    "analysis",
    "history",
)

NUMBER = re.compile(
    r"(?<![\w.])-?(?:0|[1-9][\d_]*)(?:\.\d+)?(?:[eE][-+]?\d+)?"
    r"(?:/(?:0|[1-9][\d_]*)(?:\.\d+)?)?(?!\w)(?!\.\d)"
)


@dataclass(frozen=True)
class Documented:
    """One thing ODD.md must state: where it lives, how it is written, its value(s)."""

    where: str  # test id, e.g. "trust.KNOWLEDGE_GAIN"
    label: str  # regular expression for its mention in ODD.md
    values: tuple[float, ...]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _word(name: str, prefix: str | None) -> str:
    """A whole-word mention of ``name``, optionally as ``prefix.name``."""
    qualified = f"(?:{re.escape(prefix)}\\.)?" if prefix else ""
    return rf"(?<![\w.]){qualified}{re.escape(name)}(?!\w)"


def _entry(name_pattern: str, key: object) -> str:
    """A mention ``NAME[... key ...]`` of one entry of a dict or one row of an array."""
    text = key.name if isinstance(key, enum.Enum) else str(key)
    return rf"{name_pattern}\[[^\]\n]*?(?<![\w-]){re.escape(text)}(?![\w-])[^\]\n]*\]"


def _assigned_names(module: object) -> list[str]:
    """Names assigned at the top level of a module's source (imports excluded)."""
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def _module_constants() -> list[Documented]:
    found: list[tuple[str, str, object]] = []
    for module_name in MODULES:
        module = importlib.import_module(f"crmsim.{module_name}")
        for name in _assigned_names(module):
            if name.isupper() and not name.startswith("_"):
                found.append((module_name, name, getattr(module, name)))
    defined_in = Counter(name for _, name, _ in found)
    items = []
    for module_name, name, value in found:
        where = f"{module_name}.{name}"
        if defined_in[name] > 1:  # the same name in two modules: write it with its module
            label = rf"(?<![\w.]){re.escape(where)}(?!\w)"
        else:
            label = _word(name, module_name)
        if _is_number(value):
            items.append(Documented(where, label, (float(value),)))
        elif isinstance(value, Mapping) and value and all(map(_is_number, value.values())):
            for key, entry in value.items():
                key_text = key.name if isinstance(key, enum.Enum) else key
                items.append(
                    Documented(f"{where}[{key_text}]", _entry(label, key), (float(entry),))
                )
        elif isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
            if value.ndim == 2 and value.shape[0] == len(Stage):
                for stage in Stage:
                    items.append(
                        Documented(
                            f"{where}[{stage.name}]",
                            _entry(label, stage),
                            tuple(float(v) for v in value[stage]),
                        )
                    )
            else:
                items.append(Documented(where, label, tuple(float(v) for v in value.ravel())))
    return items


def _field_defaults() -> list[Documented]:
    items = []
    for cls in (Policy, Market, Segment, Population):
        for f in dataclasses.fields(cls):
            if f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = f.default
            where = f"{cls.__name__}.{f.name}"
            label = _word(f.name, cls.__name__)
            if _is_number(default):
                items.append(Documented(where, label, (float(default),)))
            elif isinstance(default, Mapping) and all(map(_is_number, default.values())):
                for key, value in default.items():
                    items.append(Documented(f"{where}[{key}]", _entry(label, key), (float(value),)))
            elif isinstance(default, tuple) and all(isinstance(s, Segment) for s in default):
                traits = [g.name for g in dataclasses.fields(Segment) if g.name != "name"]
                for segment in default:
                    values = tuple(float(getattr(segment, t)) for t in traits)
                    items.append(
                        Documented(f"{where}[{segment.name}]", _word(segment.name, None), values)
                    )
    for name, attribute in default_service().items():
        items.append(
            Documented(f"default_service[{name}]", _word(name, None), (float(attribute.level),))
        )
    for function, owner in ((CRMModel.__init__, "CRMModel"), (scale_free, "scale_free")):
        for p in inspect.signature(function).parameters.values():
            if _is_number(p.default):
                items.append(
                    Documented(f"{owner}.{p.name}", _word(p.name, owner), (float(p.default),))
                )
    return items


def _numbers(text: str) -> list[tuple[str, float]]:
    """The numbers written in ``text``, in order, as (as written, value)."""
    out = []
    for token in NUMBER.findall(text):
        plain = token.replace("_", "")
        if "/" in plain:
            top, bottom = plain.split("/")
            if float(bottom) == 0:
                continue
            out.append((plain, float(top) / float(bottom)))
        else:
            out.append((plain, float(plain)))
    return out


def _same(written: str, number: float, value: float) -> bool:
    if abs(number - value) <= 1e-12 * max(1.0, abs(value)):
        return True
    mantissa = written.split("e")[0].split("E")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa and "/" not in written else 0
    return decimals >= 3 and abs(number - value) <= 0.5 * 10.0**-decimals + 1e-12


def _documented_values(item: Documented, lines: list[str]) -> list[list[str]]:
    """For each mention of ``item``: the numbers written right after it (as many as it has)."""
    seen = []
    for line in lines:
        for match in re.finditer(item.label, line):
            seen.append(_numbers(line[match.end() :])[: len(item.values)])
    return seen


def _matches(written: list[tuple[str, float]], values: tuple[float, ...]) -> bool:
    return len(written) == len(values) and all(
        _same(text, number, value) for (text, number), value in zip(written, values, strict=True)
    )


ITEMS = _module_constants() + _field_defaults()


@pytest.fixture(scope="module")
def odd_lines() -> list[str]:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8").splitlines()


def test_the_collection_finds_the_constants():
    ids = {item.where for item in ITEMS}
    assert {
        "offer.VALUE_SLOPE",
        "attribution.RESPECT_WEIGHT",
        "kano.CATEGORY_WEIGHT[must-be]",
        "episodes.ENGAGEMENT[EXPLORATION]",
        "state.TRUST_WEIGHTS[COMMITMENT]",
        "Market.complaint_propensity",
        "Policy.advertising",
        "Population.channel_shares[phone]",
    } <= ids
    assert "trials.VALUE_SLOPE" not in ids  # imported, not assigned there
    assert len(ids) == len(ITEMS), "two constants collected under the same id"


@pytest.mark.parametrize("item", ITEMS, ids=[item.where for item in ITEMS])
def test_constant_is_documented(item: Documented, odd_lines: list[str]):
    mentions = _documented_values(item, odd_lines)
    assert mentions, f"{item.where} is not named in docs/ODD.md (pattern {item.label!r})"
    written = [[text for text, _ in numbers] for numbers in mentions]
    assert any(_matches(numbers, item.values) for numbers in mentions), (
        f"{item.where} = {item.values if len(item.values) > 1 else item.values[0]!r} in the code, "
        f"but the numbers written after its name in docs/ODD.md are {written}"
    )


@pytest.mark.parametrize(
    "name",
    list(dict.fromkeys([*(p.__name__ for p in WEEKLY_PROCESSES), *COLUMNS, *FRAME_COLUMNS])),
)
def test_process_state_variable_and_frame_column_are_named(name: str, odd_lines: list[str]):
    pattern = re.compile(rf"[`.]{re.escape(name)}[`(]")
    assert any(pattern.search(line) for line in odd_lines), (
        f"`{name}` is not named (in backticks) in docs/ODD.md"
    )
