"""The command line and a customer's journey in Persian: ``--lang``, ``CRMSIM_LANG``, the
catalogs of what they print, and a language that stays with the command that chose it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from catalogs import catalog_file, extracted, fields, singular

import crmsim
from crmsim import i18n, plots, tomlfile
from crmsim.cli import main
from crmsim.game import example_config
from crmsim.i18n import language, set_language
from crmsim.model import CRMModel

SOURCE = Path(crmsim.__file__).parent
#: The files whose messages this edition translated, and the catalogs that hold them.
TRANSLATED = ("cli.py", "history.py", "customer.py")
CATALOGS = ("cli.po", "history.po")
#: Names of stages, tiers, causes ... have catalogs of their own (terms.po).
TERM_CONTEXTS = frozenset({"stage", "tier", "cause", "trust", "kano", "channel"})

SMALL = ["--weeks", "26", "--customers", "200", "--seed", "3"]
PERSIAN_LETTERS = re.compile("[\u0600-\u06ff]")
PERSIAN_DIGITS = re.compile("[۰-۹]")
# Arabic letters a Persian keyboard does not type: their look-alikes are ی and ک
ARABIC_YEH_KAF = re.compile("[\u064a\u0643]")


pytestmark = pytest.mark.usefixtures("english_afterwards")


@pytest.fixture
def no_figures(monkeypatch):
    monkeypatch.setattr(plots, "save_standard_figures", lambda frame, out, label=None: [])


def _catalog() -> dict[tuple[str | None, str], object]:
    # CATALOGS only, not the merged catalog: the command's messages belong in them
    return {(m.context, singular(m.id)): m for name in CATALOGS for m in catalog_file(name)}


# ---------------------------------------------------------------------------- the catalogs
def test_every_message_of_the_command_and_the_journeys_has_a_persian_entry():
    catalog = _catalog()
    marked = extracted(SOURCE / name for name in TRANSLATED)
    assert len(marked) > 80  # the extraction itself saw the messages
    missing = []
    for path, lineno, context, message in marked:
        if context in TERM_CONTEXTS:
            continue
        msgid = singular(message)
        entry = catalog.get((context, msgid))
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{path.name}:{lineno} {msgid!r}")
    assert not missing, "no Persian for:\n" + "\n".join(missing)


def test_every_persian_entry_keeps_the_placeholders_and_is_written_in_persian_letters():
    for (_context, msgid), entry in _catalog().items():
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        for text in strings:
            # a missing or misspelt {field} would be a KeyError when the line is printed
            assert fields(text) == fields(ids[0]), msgid
            assert not ARABIC_YEH_KAF.search(text), f"Arabic ي or ك in {text!r}"
            if msgid.strip(", "):
                assert PERSIAN_LETTERS.search(text), f"{msgid!r} is not in Persian: {text!r}"


def test_zero_width_non_joiners_are_where_persian_needs_them():
    texts = [entry.string for entry in _catalog().values() if isinstance(entry.string, str)]
    joined = "\n".join(texts)
    assert "می\u200cشود" in joined and "فایل\u200cها" in joined
    assert "می شود" not in joined and "میشود" not in joined


# ---------------------------------------------------------------------------- --lang
def _persian(text: str) -> bool:
    return bool(PERSIAN_LETTERS.search(text) and PERSIAN_DIGITS.search(text))


@pytest.mark.parametrize(
    "where", [["--lang", "fa", "run"], ["run", "--lang", "fa"]], ids=["before", "after"]
)
def test_lang_fa_prints_the_run_summary_in_persian(where, tmp_path, capsys, no_figures):
    out = tmp_path / "out"
    assert main([*where, *SMALL, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert _persian(printed)
    assert "مشتریان فعال" in printed and "ارزش ویژه مشتری" in printed
    assert "۲۰۰ نفر در بازار" in printed and "۲۶ هفته" in printed
    assert "active customers" not in printed and "Wrote" not in printed
    # the summary file is what was printed; the data files keep their English columns
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert summary.strip() in printed
    assert (out / "weekly.csv").read_text(encoding="utf-8").startswith("week,")


def test_crmsim_lang_fa_in_the_environment_does_the_same(tmp_path, capsys, monkeypatch, no_figures):
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "fa")
    assert main(["run", *SMALL, "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert _persian(printed) and "مشتریان فعال" in printed
    # --lang wins over the environment
    assert main(["run", "--lang", "en", *SMALL, "--out", str(tmp_path / "en")]) == 0
    printed = capsys.readouterr().out
    assert "active customers    " in printed and not PERSIAN_LETTERS.search(printed)


def test_english_stays_the_default(tmp_path, capsys, no_figures):
    assert main(["run", *SMALL, "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "active customers    " in printed and "200 people in the market" in printed
    assert not PERSIAN_LETTERS.search(printed)


@pytest.mark.parametrize(
    "args",
    [
        ["--lang", "xx", "scenarios"],
        ["scenarios", "--lang", "xx"],
        ["run", "--lang", "de"],
        ["game", "round", "somewhere", "--lang", "persian"],
    ],
)
def test_an_unknown_language_is_refused_in_one_line_naming_lang(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--lang" in err and err.startswith("crmsim: error:")


def test_a_bad_crmsim_lang_is_refused_in_one_line_naming_it(capsys, monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "xx")
    assert main(["scenarios"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "CRMSIM_LANG" in err


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["compare"],
        ["sweep"],
        ["optimize"],
        ["scenarios"],
        ["grade"],
        ["app"],
        ["game"],
        ["game", "new"],
        ["game", "round"],
        ["game", "report"],
    ],
    ids=" ".join,
)
def test_every_command_takes_lang(command, capsys):
    assert main([*command, "--help"]) == 0
    assert "--lang {en,fa}" in capsys.readouterr().out


def test_the_scenario_list_and_a_new_game_speak_persian(tmp_path, capsys):
    assert main(["scenarios", "--lang", "fa"]) == 0
    assert "برای اجرای یکی از آن\u200cها" in capsys.readouterr().out

    config = example_config(customers=300, weeks_per_round=2)
    path = tmp_path / "class.toml"
    path.write_text(tomlfile.dumps(config.to_dict()), encoding="utf-8")
    assert main(["--lang", "fa", "game", "new", str(path), "--out", str(tmp_path / "g")]) == 0
    printed = capsys.readouterr().out
    assert "تیم\u200cها و فایل تصمیم\u200cهایشان" in printed and "team_a.toml" in printed
    assert f"{i18n.persian_digits(str(config.rounds))} دور" in printed


# ---------------------------------------------------------------------------- no leak
def test_the_language_of_a_command_ends_with_it(tmp_path, capsys):
    assert main(["--lang", "fa", "scenarios"]) == 0
    assert crmsim.get_language() == "en"
    assert i18n._("week") == "week"

    set_language("fa")  # a language chosen before the command comes back after it
    assert main(["scenarios", "--lang", "en"]) == 0
    assert crmsim.get_language() == "fa"
    assert "Run one with" in capsys.readouterr().out
    set_language(None)

    assert main(["--lang", "fa", "scenarios", "--lang", "xx"]) == 2  # refused, nothing set
    assert crmsim.get_language() == "en"


def test_a_failing_command_also_gives_the_language_back(tmp_path, capsys):
    assert main(["--lang", "fa", "run", "--policy", str(tmp_path / "missing.toml")]) == 2
    assert "no such policy file" in capsys.readouterr().err  # errors for bad input: English
    assert crmsim.get_language() == "en"


# ---------------------------------------------------------------------------- history
@pytest.fixture(scope="module")
def journey_model():
    model = CRMModel(n_customers=300, history=True, rng=2)
    model.run(weeks=40)
    return model


def test_a_customers_journey_reads_in_persian_line_for_line(journey_model):
    model = journey_model
    # the customers with the most varied stories: first purchases, ladders, departures
    rows = sorted(range(300), key=lambda row: -len(set(model.customer(row).history)))[:5]
    for row in rows:
        customer = model.customer(row)
        english = customer.history
        with language("fa"):
            persian = customer.history
        assert len(persian) == len(english) > 0
        for line_en, line_fa in zip(english, persian, strict=True):
            week = re.match(r"week (\d+): ", line_en).group(1)
            assert line_fa.startswith(f"هفتهٔ {i18n.persian_digits(week)}: ")
            assert PERSIAN_LETTERS.search(line_fa.split(": ", 1)[1]), line_fa
            assert not re.search("[0-9]", line_fa), line_fa  # every number in Persian digits
        assert customer.history == english  # read again outside: English again


def test_every_kind_of_event_reads_in_persian():
    from crmsim.history import _describe

    english_samples = {
        "aware": 0,
        "trial": 0.1,
        "episode": -0.25,
        "failure": 1,
        "breach": 0,
        "climbed": 2,
        "left": 1,
        "won_back": 0,
        "referred": 12,
        "gift": 0,
        "heard_negative": 0,
        "lost_interest": 0,
        "returned": 0,
        "reconsidered": 0,
        "won_from_rival": 0,
        "moved": 0,
        "stage": 12,
        "tier": 1,
    }
    from crmsim.events import EVENT_KINDS

    assert set(EVENT_KINDS) <= set(english_samples)
    with language("fa"):
        for kind, detail in english_samples.items():
            text = _describe(kind, float(detail))
            assert PERSIAN_LETTERS.search(text), (kind, text)
            assert not re.search("[0-9]", text), (kind, text)
    assert _describe("trial", 0.1) == "first purchase with a 10% discount"
    assert _describe("left", 1.0) == "left (competitor)"
