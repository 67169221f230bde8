"""The Persian lesson texts (lessons/fa/): right to left, in Persian, with the English
lessons' numbers.

Each Persian lesson has the file name of its English original and is wrapped in
``<div dir="rtl" lang="fa">`` ... ``</div>``. Its prose (everything but code, link targets,
HTML tags and the list of references) must be Persian: no line whose letters are mostly
Latin, and numbers in Persian digits. Every number the English lesson quotes in its prose
must appear in the Persian one, so that when the model changes and the English numbers are
measured again, a Persian lesson left behind fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crmsim.i18n import parse_number

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = {p.name: p for p in (ROOT / "lessons").glob("*.md") if p.stem != "README"}
PERSIAN = sorted((ROOT / "lessons" / "fa").glob("[0-9][0-9]_*.md"))

LATIN = re.compile(r"[A-Za-z]")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
# ASCII: Python's \d would match Persian digits too
WESTERN_NUMBER = re.compile(r"(?<![\w.])[0-9][0-9,]*(?:\.[0-9]+)?", re.ASCII)
PERSIAN_NUMBER = re.compile(r"[۰-۹][۰-۹٬]*(?:٫[۰-۹]+)?")
#: Headings after which a lesson lists its references (author names and titles stay as printed).
REFERENCE_HEADINGS = ("## References", "## منابع")


def prose(text: str) -> str:
    """``text`` without code, formulas, link targets, URLs, HTML tags and the references
    section."""
    for heading in REFERENCE_HEADINGS:
        text = text.split(f"\n{heading}", 1)[0]
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    # formulas are code too: the same TeX in both editions
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"\$[^$\n]+\$", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"<[^>\n]*>", " ", text)
    # a table's separator row and bare markup
    return re.sub(r"^\|?[\s|:-]+\|?$", " ", text, flags=re.MULTILINE)


def numbers(text: str, pattern: re.Pattern[str]) -> set[float]:
    found = set()
    for match in pattern.finditer(text):
        try:
            found.add(round(parse_number(match.group().rstrip("٬,")), 9))
        except ValueError:
            continue
    return found


@pytest.mark.parametrize("lesson", PERSIAN, ids=lambda path: path.stem)
def test_a_persian_lesson_is_written_right_to_left_in_persian(lesson):
    assert lesson.name in ENGLISH, f"{lesson.name} has no English original of that name"
    text = lesson.read_text(encoding="utf-8")
    assert text.lstrip().startswith('<div dir="rtl" lang="fa">'), lesson.name
    assert text.rstrip().endswith("</div>"), lesson.name
    english_lines = []
    for line in prose(text).splitlines():
        latin = len(LATIN.findall(line))
        persian = len(ARABIC_SCRIPT.findall(line))
        if latin > 12 and latin > persian:
            english_lines.append(line.strip())
    assert not english_lines, f"{lesson.name}: lines left in English: {english_lines[:3]}"
    assert len(ARABIC_SCRIPT.findall(text)) > 2_000, f"{lesson.name} is too short to teach"


@pytest.mark.parametrize("lesson", PERSIAN, ids=lambda path: path.stem)
def test_a_persian_lesson_quotes_its_numbers_in_persian_digits(lesson):
    text = prose(lesson.read_text(encoding="utf-8"))
    # lesson numbers in headings ("Lesson 02") and list markers are not quotes
    body = re.sub(r"^\s*(#+.*|\d+\.\s)", " ", text, flags=re.MULTILINE)
    western = sorted({m.group() for m in WESTERN_NUMBER.finditer(body)})
    assert not western, f"{lesson.name}: numbers in Western digits in the prose: {western[:8]}"


@pytest.mark.parametrize("lesson", PERSIAN, ids=lambda path: path.stem)
def test_a_persian_lesson_quotes_every_number_of_its_english_original(lesson):
    english = prose(ENGLISH[lesson.name].read_text(encoding="utf-8"))
    english = re.sub(r"^\s*(#+.*|\d+\.\s)", " ", english, flags=re.MULTILINE)
    wanted = numbers(english, WESTERN_NUMBER)
    given = numbers(prose(lesson.read_text(encoding="utf-8")), PERSIAN_NUMBER)
    missing = sorted(wanted - given)
    assert not missing, f"{lesson.name}: numbers of the English lesson missing: {missing[:10]}"


def test_every_english_lesson_has_its_persian_edition_and_the_index_lists_them():
    assert sorted(ENGLISH) == [path.name for path in PERSIAN]
    index = (ROOT / "lessons" / "fa" / "README.md").read_text(encoding="utf-8")
    for path in PERSIAN:
        assert f"]({path.name})" in index, path.name
    for target in re.findall(r"\]\(([^)\s#]+)", index):
        assert (ROOT / "lessons" / "fa" / target).exists(), target
