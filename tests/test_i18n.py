"""The language setting (crmsim.i18n), Persian numbers, and the shipped Persian typeface."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from catalogs import catalog_file, catalog_names, singular  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

import crmsim  # noqa: E402
from crmsim import i18n  # noqa: E402
from crmsim.i18n import (  # noqa: E402
    EXTRACTION_KEYWORDS,
    _,
    format_number,
    get_language,
    language,
    parse_number,
    set_language,
)
from crmsim.typefaces import FONT_DIR, PERSIAN_FAMILY, figure_style, register_fonts  # noqa: E402

PERSIAN_LABEL = "مشتریان وفادار در هفته ۱۲"


pytestmark = pytest.mark.usefixtures("english_afterwards")


# ---------------------------------------------------------------------------- the setting
def test_english_is_the_default_and_persian_is_one_call_away():
    assert get_language() == "en"
    assert _("week") == "week"
    crmsim.set_language("fa")
    assert crmsim.get_language() == "fa"
    assert _("week") == "هفته"
    set_language(None)
    assert _("week") == "week"


def test_the_environment_variable_chooses_when_nothing_was_set(monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "fa")
    assert get_language() == "fa"
    set_language("en")  # an explicit choice wins over the environment
    assert get_language() == "en"


def test_a_with_block_switches_the_language_and_restores_it():
    with language("fa"):
        assert _("week") == "هفته"
    assert get_language() == "en"


def test_a_message_without_a_persian_entry_stays_english():
    with language("fa"):
        assert _("no such message in any catalog") == "no such message in any catalog"


@pytest.mark.parametrize("bad", ["de", "", None, 3, "persian"])
def test_an_unknown_language_is_refused_with_a_message_naming_the_field(bad):
    with pytest.raises(ValueError, match=r"^language must be one of \('en', 'fa'\)") as error:
        set_language(bad) if bad is not None else i18n.check_language(bad)
    assert "\n" not in str(error.value)


def test_a_bad_environment_variable_is_refused_naming_it(monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "xx")
    with pytest.raises(ValueError, match=r"^CRMSIM_LANG must be one of"):
        get_language()


def test_every_persian_catalog_file_is_read_and_none_has_an_empty_entry():
    names = catalog_names()
    assert names
    for name in names:
        for message in catalog_file(name):
            assert message.string, f"{name}: {message.id!r} has no Persian"
            assert not message.fuzzy, f"{name}: {message.id!r} is marked fuzzy"


def test_a_message_in_two_catalog_files_has_one_translation():
    # the files are merged, the last one read winning: two translations would pick one by
    # the files' names
    seen: dict[tuple, tuple[str, str]] = {}
    for name in catalog_names():
        for message in catalog_file(name):
            key = (message.id, message.context)
            if key in seen:
                first, string = seen[key]
                assert message.string == string, f"{message.id!r}: {first} and {name}"
            seen[key] = (name, message.string)


# ---------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.125", 0.125),
        ("۰٫۱۲۵", 0.125),
        ("٠٫١٢٥", 0.125),
        ("۱۲٫۵٪", 0.125),
        ("12.5%", 0.125),
        ("۱٬۲۰۰", 1200.0),
        ("1,200", 1200.0),
        ("−۳", -3.0),
        (" ۴۰ ", 40.0),
        (7, 7.0),
    ],
)
def test_numbers_are_read_in_persian_and_english_digits(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "۱٫۲٫۳", "12,34", "٪", True])
def test_what_is_not_a_number_is_refused_in_one_line(bad):
    with pytest.raises(ValueError, match="^expected a number, got ") as error:
        parse_number(bad)
    assert "\n" not in str(error.value)


def test_numbers_are_written_in_persian_digits_in_persian():
    assert format_number(1234.5, ",.1f") == "1,234.5"
    with language("fa"):
        assert format_number(1234.5, ",.1f") == "۱٬۲۳۴٫۵"
        assert format_number(0.25, ".0%") == "۲۵٪"
        assert parse_number(format_number(-0.375, ".3f")) == -0.375


# ---------------------------------------------------------------------------- the typeface
def test_the_typeface_and_its_licence_ship_with_the_package():
    files = register_fonts()
    assert {path.name for path in files} == {"Vazirmatn-Regular.ttf", "Vazirmatn-Bold.ttf"}
    assert "SIL Open Font License" in (FONT_DIR / "OFL.txt").read_text()
    assert figure_style("en") == {}
    assert figure_style("fa")["font.family"][0] == PERSIAN_FAMILY


def _rendered_label(text: str, **font) -> np.ndarray:
    figure = plt.figure(figsize=(4, 1), dpi=100)
    figure.text(0.02, 0.3, text, fontsize=18, **font)
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., 0].copy()
    plt.close(figure)
    return pixels


def test_a_persian_label_is_drawn_in_its_letters_not_in_fallback_boxes():
    # in the Persian figure style the label must need no fallback glyph (matplotlib warns
    # of each missing one and draws a box), and look exactly as the shipped typeface draws it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with plt.rc_context(figure_style("fa")):
            styled = _rendered_label(PERSIAN_LABEL)
    shipped_font = FontProperties(fname=FONT_DIR / "Vazirmatn-Regular.ttf")
    shipped = _rendered_label(PERSIAN_LABEL, fontproperties=shipped_font)
    assert np.array_equal(styled, shipped)
    # a typeface without Persian letters draws boxes: a different picture
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boxes = _rendered_label(PERSIAN_LABEL, family="cmr10")
    assert not np.array_equal(styled, boxes)
    # joined letters: the word is narrower than its letters drawn one by one
    with plt.rc_context(figure_style("fa")):
        word = (_rendered_label("مشتری") < 128).any(axis=0).sum()
        letters = (_rendered_label(" ".join("مشتری")) < 128).any(axis=0).sum()
    assert word < letters


def test_setting_persian_makes_vazirmatn_matplotlibs_typeface_and_english_restores_it():
    before = list(matplotlib.rcParams["font.family"])
    set_language("fa")
    assert matplotlib.rcParams["font.family"][0] == PERSIAN_FAMILY
    set_language("fa")  # twice: English must still come back to what it was
    set_language("en")
    assert list(matplotlib.rcParams["font.family"]) == before
    with language("fa"):  # a with block changes messages only
        assert list(matplotlib.rcParams["font.family"]) == before


def test_every_message_of_the_package_has_its_persian():
    # every text marked for translation anywhere in crmsim (_, N_, pgettext, ngettext), and
    # every scenario's title and description, has an entry in the Persian catalog
    from babel.messages.extract import extract_from_dir

    package = i18n.LOCALE_DIR.parent
    # every file's entries, not the merged catalog's: a message is translated if any file has it
    entries = {
        (singular(m.id), m.context)
        for name in catalog_names()
        for m in catalog_file(name)
        if m.string
    }
    missing, seen = [], 0
    for filename, _line, message, _comments, context in extract_from_dir(
        package, method_map=[("**.py", "python")], keywords=EXTRACTION_KEYWORDS
    ):
        msgid = singular(message)
        if not msgid:
            continue
        seen += 1
        if (msgid, context) not in entries:
            missing.append(f"{filename}: {msgid[:60]!r}")
    assert seen > 1_000
    assert not missing, f"{len(missing)} messages without Persian, e.g. {missing[:5]}"
