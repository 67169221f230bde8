"""Learner-facing texts outside the app and the exercises speak Persian, and English is as it was.

Scenarios' titles and descriptions, the slider cells' labels, the experiments' tables, the game's
scoreboard and its HTML debriefs: every message of theirs has a Persian entry keeping its
placeholders and markup; in Persian they come out in Persian words and digits (a debrief as a
right-to-left page carrying its own typeface); in English they are the texts the other tests
already pin down.
"""

from __future__ import annotations

import math
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from catalogs import extracted, persian_text

from crmsim import scenarios
from crmsim.experiments import KPIS, ComparisonResult, format_difference
from crmsim.game import Game, example_config
from crmsim.game.scoreboard import (
    BASES,
    MEASURES,
    format_measure,
    format_scoreboard,
    scoreboard,
)
from crmsim.i18n import language

SOURCE = Path(__file__).resolve().parents[1] / "src" / "crmsim"
#: The modules whose messages this part of the Persian edition translates.
MODULES = (
    "scenarios/__init__.py",
    "widgets.py",
    "experiments/formatting.py",
    "experiments/kpis.py",
    "experiments/comparison.py",
    "experiments/sweeps.py",
    "experiments/optimization.py",
    "experiments/sensitivity_analysis.py",
    "game/scoreboard.py",
    "game/debrief.py",
)
#: Messages looked up with a context and a name held in a variable, which extraction misses.
LOOKED_UP = [
    *(("kpi", kpi) for kpi in KPIS),
    *(("measure", measure.removeprefix("customer_")) for measure in MEASURES),
    *(("basis", basis) for basis in BASES),
]
PERSIAN_LETTER = re.compile(r"[\u0600-\u06FF]")
PERSIAN_DIGIT = re.compile(r"[۰-۹]")
WESTERN_DIGIT = re.compile(r"[0-9]")


def _extracted() -> list[tuple[str | None, str]]:
    found: dict[tuple[str | None, str], None] = {}
    for _path, _line, context, message in extracted(SOURCE / module for module in MODULES):
        if isinstance(message, tuple):  # ngettext: singular and plural
            for form in message:
                found[(context, form)] = None
        else:
            found[(context, message)] = None
    for name in scenarios.names():
        meta = tomllib.loads(
            resources.files(scenarios).joinpath(f"{name}.toml").read_text(encoding="utf-8")
        )["scenario"]
        for key in ("title", "description"):
            found[(None, scenarios.message_id(meta[key]))] = None
    for key in LOOKED_UP:
        found[key] = None
    return list(found)


MESSAGES = _extracted()


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[^{}]*\}", text))


def _tags(text: str) -> list[str]:
    return sorted(re.findall(r"</?[a-z]+[^>]*>", text))


def test_the_messages_are_many_and_include_every_kind():
    contexts = {context for context, message in MESSAGES}
    assert {None, "kpi", "measure", "basis"} <= contexts
    assert len(MESSAGES) > 200


@pytest.mark.parametrize(("context", "message"), MESSAGES, ids=lambda v: str(v)[:40])
def test_every_message_has_a_persian_entry_with_its_placeholders_and_markup(context, message):
    persian = persian_text(context, message)
    assert persian.strip(), f"no Persian for {message!r} (context {context!r})"
    assert _placeholders(persian) == _placeholders(message)
    assert _tags(persian) == _tags(message)
    if PERSIAN_LETTER.search(message) is None and re.search(r"[A-Za-z]{3}", message):
        # a message with words has Persian words (names and code in backticks aside)
        assert PERSIAN_LETTER.search(persian), f"{message!r} is not translated"


# ---------------------------------------------------------------------------- in Persian
def _is_persian(text: str) -> bool:
    return PERSIAN_LETTER.search(text) is not None


@pytest.mark.parametrize("name", scenarios.names())
def test_every_scenario_reads_in_persian(name):
    english = scenarios.load(name)
    with language("fa"):
        persian = scenarios.load(name)
    assert _is_persian(persian.title) and _is_persian(persian.description)
    assert persian.title != english.title and persian.description != english.description
    assert persian.kwargs == english.kwargs and persian.weeks == english.weeks
    # the numbers of a description are written in Persian digits
    assert PERSIAN_DIGIT.search(persian.description)


def _comparison() -> ComparisonResult:
    """A comparison of two policies over two replications, made up: no model runs."""
    rng = np.random.default_rng(0)
    rows = [
        {"policy": policy, "replication": r, "kpi": kpi, "value": float(rng.uniform(0, 2_000))}
        for policy in ("poor", "good")
        for r in range(2)
        for kpi in KPIS
    ]
    for row in rows:
        if row["kpi"] in ("churn", "churn_year", "net_growth"):
            row["value"] /= 10_000
    return ComparisonResult(
        runs=pd.DataFrame(rows),
        policies=["poor", "good"],
        seeds=[1, 2],
        weeks=26,
        n_customers=100,
        seed=0,
    )


def _measures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round": [1, 1, 2, 2, 1],
            "firm": ["A", "B", "A", "B", "C"],
            **{m: [1234.5, 2.0, 0.25, np.nan, -0.3] for m in MEASURES},
        }
    )


def test_a_comparison_table_is_persian_in_words_and_digits():
    result = _comparison()
    with language("fa"):
        text = result.to_text(kpis=["churn", "profit", "clv"])
        difference = format_difference("churn", 0.012, 0.004, 0.02)
    lines = text.splitlines()
    assert lines[0].split()[0] == "شاخص"
    assert lines[2].startswith("ریزش") and lines[3].startswith("سود")
    body = "\n".join(line.split("  ", 1)[1] for line in lines[2:])
    assert PERSIAN_DIGIT.search(body) and not WESTERN_DIGIT.search(body)
    assert difference == "+۱٫۲ واحد درصد [+۰٫۴، +۲٫۰]"


def test_a_scoreboard_is_persian_in_words_and_digits():
    with language("fa"):
        text = format_scoreboard(scoreboard(_measures()))
        share = format_measure("share", 0.25)
    head, *rows, blank, counted = text.splitlines()
    assert head.split()[:3] == ["رتبه", "شرکت", "امتیاز"]
    assert not re.search(r"[A-Za-z]", head)
    assert all(PERSIAN_DIGIT.search(row) for row in rows)
    assert not any(WESTERN_DIGIT.search(row) for row in rows)
    assert counted.startswith("شیوه شمارش:") and not re.search(r"[A-Za-z0-9]", counted)
    assert share == "۲۵٫۰٪"


@pytest.fixture(scope="module")
def persian_debriefs(tmp_path_factory) -> dict[str, str]:
    """The debriefs of one round of a small example game, written in Persian."""
    folder = tmp_path_factory.mktemp("game")
    config = example_config(customers=600, weeks_per_round=3, rounds=2)
    game = Game.new(config, folder / "game")
    game.play_round()
    with language("fa"):
        paths = game.report(folder / "report")
    return {path.name: path.read_text(encoding="utf-8") for path in paths}


def test_a_persian_debrief_is_a_right_to_left_page_with_persian_headings(persian_debriefs):
    assert len(persian_debriefs) == 1 + len(example_config().teams)
    for name, page in persian_debriefs.items():
        assert '<html lang="fa" dir="rtl">' in page, name
        headings = re.findall(r"<h2>(.*?)</h2>", page)
        assert headings and all(_is_persian(heading) for heading in headings), name
        assert "<h2>جدول امتیازها</h2>" in page
        captions = re.findall(r"<caption>(.*?)</caption>", page)
        assert captions and all(_is_persian(caption) for caption in captions), name
        cells = " ".join(re.findall(r"<td>(.*?)</td>", page))
        assert PERSIAN_DIGIT.search(cells) and not WESTERN_DIGIT.search(cells), name
    team = next(page for name, page in persian_debriefs.items() if name.startswith("team-"))
    assert "<h2>به‌طور خلاصه</h2>" in team


def test_a_persian_debrief_carries_its_typeface_and_fetches_nothing(persian_debriefs):
    for name, page in persian_debriefs.items():
        faces = re.findall(r"@font-face\s*\{[^}]*\}", page)
        assert len(faces) == 1, name
        assert 'font-family: "Vazirmatn"' in faces[0]
        assert 'url("data:font/ttf;base64,' in faces[0]
        assert not re.search(r"https?://", page), name


# ---------------------------------------------------------------------------- in English
def test_english_scenarios_are_as_written():
    baseline = scenarios.load("baseline")
    assert baseline.title == "Baseline: an ordinary firm"
    assert baseline.description.startswith(
        "A firm with decent but unremarkable service, average respect, no discounts, no\ngifts"
    )
    assert baseline.description.endswith(
        "Every other scenario is easiest to read against this one."
    )


def test_english_tables_are_as_they_were():
    assert format_difference("churn", 0.012, 0.004, 0.02) == "+1.2 pp [+0.4, +2.0]"
    assert format_difference("churn", math.nan, 0.0, 0.0) == "n/a"
    text = _comparison().to_text()
    assert text.splitlines()[0].split() == ["KPI", "poor", "good"]
    for kpi in KPIS:
        assert any(line.startswith(kpi) for line in text.splitlines())
    assert (format_measure("profit", 12345.6), format_measure("share", 0.25)) == (
        "12,346",
        "25.0%",
    )
    assert format_scoreboard(scoreboard(_measures())) == (
        "rank  firm  score  equity  profit  retention  share  referrals  satisfaction\n"
        "   1  A     100.0       0   1,235   61737.5%  25.0%      1,235       +617.38\n"
        "   2  B      37.7     n/a       2     200.0%    n/a          2         +2.00\n"
        "   3  C      37.5     n/a       0     -30.0%    n/a         -0         -0.30\n"
        "\n"
        "Counted: equity ending x2, profit cumulative x2, retention average x1, share ending x1, "
        "referrals cumulative x1, satisfaction average x1"
    )
