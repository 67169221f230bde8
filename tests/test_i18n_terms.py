"""The course's terms in Persian (crmsim.terms, terms.po, the glossary), and answers in Persian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from catalogs import catalog_file

from crmsim import Stage, Tier
from crmsim.i18n import language
from crmsim.terms import NAMES, TERM_KINDS, read_term, term

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
ZWNJ = "\u200c"
PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")

EVERY_NAME = [(kind, name) for kind in TERM_KINDS for name in NAMES[kind]]


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _persian(kind: str, name: str) -> str:
    with language("fa"):
        return term(kind, name)


def _catalog() -> list[tuple[str, str, str]]:
    return [(m.context, m.id, m.string) for m in catalog_file("terms.po")]


# ---------------------------------------------------------------------------- the names
def test_the_kinds_come_from_the_model_where_it_names_them():
    from crmsim.levers import CHANNELS, KANO_CATEGORIES, TIER_NAMES
    from crmsim.stages import CHURN_CAUSES

    assert NAMES["stage"] == tuple(s.name.lower() for s in Stage)
    assert NAMES["tier"][:4] == TIER_NAMES == tuple(t.name.lower() for t in Tier)
    assert NAMES["tier"][4:] == ("former actual", "former loyal", "former marketer")
    assert NAMES["kano"] == KANO_CATEGORIES
    assert NAMES["cause"] == CHURN_CAUSES
    assert NAMES["channel"] == CHANNELS
    assert set(NAMES) == set(TERM_KINDS)


def test_the_catalog_holds_exactly_the_kinds_and_their_names():
    entries = _catalog()
    assert {(context, msgid) for context, msgid, _text in entries} == set(EVERY_NAME)
    assert len(entries) == len(EVERY_NAME)


@pytest.mark.parametrize(("kind", "name"), EVERY_NAME)
def test_every_name_has_a_persian_term_of_its_own(kind, name):
    persian = _persian(kind, name)
    assert persian and persian != name
    assert PERSIAN_LETTER.search(persian), persian
    assert term(kind, name) == name  # English is the code name itself
    others = [_persian(kind, other) for other in NAMES[kind] if other != name]
    assert persian not in others


def test_the_course_words_are_the_ones_chosen():
    with language("fa"):
        stages = [term("stage", s) for s in NAMES["stage"][1:]]
        assert stages == ["آگاهی", "جستجو", "رشد", "تعهد", "جدایی"]
        assert term("tier", "marketer") == "مشتری بازاریاب"
        assert term("trust", "calculus") == "اعتماد مبتنی بر محاسبه"
        assert term("kano", "indifferent") == f"بی{ZWNJ}تفاوت"
        assert term("crm type", "collaborative") == "تعاملی"


# ---------------------------------------------------------------------------- reading answers
def _spellings(kind: str, name: str) -> list[str]:
    """Ways a learner may write a name: the code name and the Persian term, retyped."""
    persian = _persian(kind, name)
    arabic_letters = persian.replace("ی", "ي").replace("ک", "ك")
    return [
        name,
        name.upper(),
        f"  {name.title()}. ",
        name.replace("-", " "),
        persian,
        arabic_letters,
        persian.replace(ZWNJ, " "),
        persian.replace(ZWNJ, ""),
        f"{persian}؟",
        f"«{persian}»",
    ]


@pytest.mark.parametrize(("kind", "name"), EVERY_NAME)
@pytest.mark.parametrize("in_use", ["en", "fa"])
def test_read_term_reads_every_name_in_english_and_persian(kind, name, in_use):
    with language(in_use):
        for written in _spellings(kind, name):
            assert read_term(kind, written) == name, written
        assert read_term(kind, term(kind, name)) == name


@pytest.mark.parametrize(
    ("kind", "written", "name"),
    [
        ("stage", Stage.COMMITMENT, "commitment"),
        ("stage", "Stage.EXPLORATION", "exploration"),
        ("stage", "stage.dissolution", "dissolution"),
        ("stage", "مرحله آگاهی", "awareness"),
        ("stage", f"جست{ZWNJ}وجو", "exploration"),
        ("tier", Tier.LOYAL, "loyal"),
        ("tier", "وفادار", "loyal"),
        ("tier", "مشتری وفادار", "loyal"),
        ("tier", "مشتریان بازاریاب", "marketer"),
        ("tier", "احتمالی", "prospect"),
        ("tier", "loyal customer", "loyal"),
        ("tier", "former_marketer", "former marketer"),
        ("tier", "وفادار سابق", "former loyal"),
        ("tier", "مشتری واقعی پیشین", "former actual"),
        ("trust", "مبتنی بر محاسبه", "calculus"),
        ("trust", "اعتماد بر پایه دانش", "knowledge"),
        ("trust", "دانش", "knowledge"),
        ("trust", "شخصیت و اعتبار", "identification"),
        ("trust", "Knowledge-based trust", "knowledge"),
        ("kano", "ویژگی جذاب", "attractive"),
        ("kano", f"ویژگی{ZWNJ}های اجباری", "must-be"),
        ("kano", "Must be", "must-be"),
        ("crm type", "CRM عملیاتی", "operational"),
        ("crm type", "Analytical CRM", "analytical"),
        ("crm type", "مشارکتی", "collaborative"),
        ("cause", "بی احترامی", "disrespect"),
        ("channel", "رودررو", "face-to-face"),
        ("channel", "Face to face", "face-to-face"),
        ("channel", "E-mail", "email"),
    ],
)
def test_read_term_takes_the_natural_variants(kind, written, name):
    assert read_term(kind, written) == name


@pytest.mark.parametrize("kind", TERM_KINDS)
@pytest.mark.parametrize("junk", ["", "banana", "وفادارترین مشتری", "۱۲", "awareness\nloyal"])
def test_read_term_refuses_junk_in_one_line_naming_the_kind(kind, junk):
    with pytest.raises(ValueError, match=f"as a {kind} name") as error:
        read_term(kind, junk)
    message = str(error.value)
    assert "\n" not in message
    assert all(name in message for name in NAMES[kind])


def test_the_refusal_lists_the_names_in_the_language_in_use():
    with language("fa"), pytest.raises(ValueError) as error:
        read_term("tier", "banana")
    message = str(error.value)
    assert "\n" not in message and "tier" in message
    assert all(_persian("tier", name) in message for name in NAMES["tier"])
    assert "loyal" not in message


def test_a_term_of_one_kind_is_not_read_as_another():
    with pytest.raises(ValueError):
        read_term("stage", "وفادار")
    with pytest.raises(ValueError):
        read_term("kano", "عملیاتی")


def test_an_unknown_kind_is_refused_in_one_line():
    with pytest.raises(ValueError, match=r"^kind must be one of .*, got 'colour'$"):
        read_term("colour", "red")
    with pytest.raises(ValueError, match=r"^kind must be one of"):
        term("colour", "red")


# ---------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("۰٫۱۲۵", 0.125),
        ("۱۲٫۵٪", 0.125),
        ("۱۲٫۵ ٪", 0.125),
        ("۱٬۲۰۰", 1200.0),
        ("۱٬۲۰۰٫۵", 1200.5),
        ("\u200f۱۲٪", 0.12),
        ("−۰٫۵", -0.5),
        ("5.", 5.0),
    ],
)
def test_answers_in_persian_digits_are_read(text, value):
    from crmsim.exercises.core import as_float, as_number, read_number

    assert read_number(text) == pytest.approx(value)
    assert as_number(text) == pytest.approx(value)
    assert as_float(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["۱۲٪٪", "۱٫۲٫۳", "دوازده", "٪"])
def test_what_is_not_one_number_is_still_refused(text):
    from crmsim.exercises.core import as_float, as_number

    assert as_number(text) is None
    with pytest.raises(ValueError):
        as_float(text)


# ---------------------------------------------------------------------------- exercises
PERSIAN_STAGES = ["آگاهی", "جستجو", "رشد", "تعهد", "جدایی"]


def test_lesson_02_q1_accepts_the_stages_in_persian_and_refuses_a_wrong_order():
    from crmsim.exercises import lesson_02

    assert lesson_02.q1.check(PERSIAN_STAGES, quiet=True)
    assert lesson_02.q1.check(["آگاهي", "جست وجو", "مرحله رشد", "تعهد.", "جدایی"], quiet=True)
    swapped = [PERSIAN_STAGES[0], PERSIAN_STAGES[2], PERSIAN_STAGES[1], *PERSIAN_STAGES[3:]]
    verdict = lesson_02.q1.mark(swapped)
    assert not verdict.correct and "'expansion' comes too early or too late" in verdict.message
    unaware = lesson_02.q1.mark(["ناآگاهی", *PERSIAN_STAGES[:-1]])
    assert not unaware.correct and "UNAWARE" in unaware.message
    assert not lesson_02.q1.check(["آگاهی", "وفادار", "رشد", "تعهد", "جدایی"], quiet=True)
    # the answer key reads the same form: English code names
    assert lesson_02.q1.canonical(PERSIAN_STAGES) == list(lesson_02.DSO_STAGES)


def test_a_numeric_question_accepts_persian_digits_and_refuses_a_wrong_number():
    from crmsim.exercises import lesson_05

    # the telecom churn of the course: 170,000 of 17,000,000
    for right in ("۱٪", "۰٫۰۱", "۱ درصد", 0.01):
        assert lesson_05.q1.check(right, quiet=True), right
    for wrong in ("۱٫۲٪", "۰٫۰۰۹۷", "۴٪"):
        assert not lesson_05.q1.check(wrong, quiet=True), wrong


def test_a_pair_of_numbers_in_persian_digits_is_read():
    from crmsim.exercises import lesson_04

    # the gains near the top of the scale: must-be 0.01, attractive 0.19
    assert lesson_04.q2.check(("۰٫۰۱", "۰٫۱۹"), quiet=True)
    assert lesson_04.q2.check(("۱٪", "۱۹٪"), quiet=True)
    swapped = lesson_04.q2.mark(("۰٫۱۹", "۰٫۰۱"))
    assert not swapped.correct and "swapped" in swapped.message


def test_classifications_accept_persian_labels_and_refuse_wrong_ones():
    from crmsim.exercises import lesson_02, lesson_03, lesson_04

    trust = {"a": "دانش", "b": "محاسبه", "c": "اعتماد مبتنی بر شخصیت و اعتبار"}
    trust |= {"d": "اعتماد مبتنی بر محاسبه", "e": "مبتنی بر دانش", "f": "شخصیت و اعتبار"}
    assert lesson_03.q4.check(trust, quiet=True)
    english = {"a": "knowledge", "b": "calculus", "c": "identification"}
    english |= {"d": "calculus", "e": "knowledge", "f": "identification"}
    assert lesson_03.q4.canonical(trust) == english
    wrong = lesson_03.q4.mark(trust | {"a": "محاسبه"})
    assert not wrong.correct and "'a'" in wrong.message
    not_a_label = lesson_03.q4.mark(trust | {"a": "وفادار"})
    assert not not_a_label.correct and "not one of the labels" in not_a_label.message

    labels = ["عملکردی", "جذاب", "اجباری", "معکوس", "بیتفاوت", "عملکردی", "جذاب", "اجباری"]
    kano = dict(zip(lesson_04.KANO_ITEMS, labels, strict=True))
    assert lesson_04.q4.check(kano, quiet=True)
    assert not lesson_04.q4.check(kano | {lesson_04.KANO_ITEMS[0]: "جذاب"}, quiet=True)

    story = {"a": "رشد", "b": "آگاهی", "c": "جدایی", "d": "جستجو", "e": "تعهد", "f": "آگاهی"}
    assert lesson_02.q5.check(story, quiet=True)
    assert not lesson_02.q5.check(story | {"f": "جستجو"}, quiet=True)


def test_crm_types_and_kano_survey_answers_are_read_in_persian():
    from crmsim.exercises import lesson_01, lesson_04

    types = {"a": "CRM استراتژیک", "b": "عملیاتی", "c": "تحلیلی", "d": "تعاملی"}
    assert lesson_01.q1.check(types, quiet=True)
    assert not lesson_01.q1.check(types | {"b": "تحلیلی", "c": "عملیاتی"}, quiet=True)
    categories = lesson_04.class_counts().idxmax(axis=1).to_dict()
    with language("fa"):
        persian = {feature: term("kano", kind) for feature, kind in categories.items()}
    assert lesson_04.q1.check(persian, quiet=True)


def test_overall_trust_reads_a_stage_named_in_persian():
    from crmsim.exercises import lesson_03

    assert lesson_03.overall_trust("رشد", 0.8, 0.5, 0.1) == lesson_03.overall_trust(
        "expansion", 0.8, 0.5, 0.1
    )


def test_english_answers_read_as_before():
    from crmsim.exercises import lesson_01, lesson_02, lesson_03

    assert lesson_02.q1.check([s.upper() for s in lesson_02.DSO_STAGES], quiet=True)
    assert lesson_02.q1.check([Stage(i) for i in range(1, 6)], quiet=True)
    refused = lesson_02.q1.mark(["awareness", "exploring", "expansion", "commitment", "end"])
    assert refused.message == (
        "['exploring', 'end'] is not a stage; the stages are the members of `crmsim.Stage`."
    )
    types = {"a": "Strategic", "b": "operational CRM", "c": "analytic", "d": "interactive"}
    assert lesson_01.q1.check(types, quiet=True)
    assert lesson_03.q4.canonical({"a": "Knowledge-based"})["a"] == "knowledge"


def test_the_answer_key_passes_an_answer_written_in_persian():
    from crmsim.exercises import lesson_02, lesson_03
    from crmsim.exercises.key import KeyedChecker, make_key

    english_trust = {"a": "knowledge", "b": "calculus", "c": "identification"}
    english_trust |= {"d": "calculus", "e": "knowledge", "f": "identification"}
    key = make_key(
        {"lesson_02.q1": list(lesson_02.DSO_STAGES), "lesson_03.q4": english_trust}, salt="s"
    )
    assert KeyedChecker("lesson_02.q1", key)(lesson_02.q1.canonical(PERSIAN_STAGES)).correct
    with language("fa"):
        persian_trust = {item: term("trust", kind) for item, kind in english_trust.items()}
    assert KeyedChecker("lesson_03.q4", key)(lesson_03.q4.canonical(persian_trust)).correct


def test_the_student_edition_keeps_what_reads_persian_answers():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools/make_student.py")
    make_student = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_student", make_student)
    spec.loader.exec_module(make_student)
    source = (ROOT / "src/crmsim/exercises/lesson_02.py").read_text(encoding="utf-8")
    student = make_student.student_module(source, "lesson_02")
    assert "reader=_stage_names" in student and "kind='stage'" in student
    namespace: dict = {}
    exec(compile(student, "lesson_02_student", "exec"), namespace)
    assert namespace["q1"].canonical(PERSIAN_STAGES) == list(namespace["DSO_STAGES"])


# ---------------------------------------------------------------------------- the glossary
def _glossary_tables() -> dict[str, list[tuple[str, str]]]:
    """Each catalog context's table in the glossary: (code name cell, Persian cell) per row."""
    tables: dict[str, list[tuple[str, str]]] = {}
    context = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## .*\(`([^`]+)`\)\s*$", line)
        if line.startswith("## "):
            context = heading.group(1) if heading else None
            if context is not None:
                tables[context] = []
            continue
        if context is None or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "English term" or set(cells[0]) <= {"-"}:
            continue
        tables[context].append((cells[1], cells[2]))
    return tables


def test_the_glossary_lists_every_term_of_the_catalog_and_no_other():
    tables = _glossary_tables()
    assert set(tables) == set(TERM_KINDS)
    entries = _catalog()
    for context, msgid, persian in entries:
        rows = [code for code, fa in tables[context] if fa == persian]
        assert len(rows) == 1, f"glossary: no single row for {context} {msgid!r} ({persian})"
        code = rows[0].lower()
        assert msgid in code or msgid.replace(" ", "_") in code, (context, msgid, rows[0])
    for context, rows in tables.items():
        catalog_terms = {fa for ctx, _msgid, fa in entries if ctx == context}
        assert {fa for _code, fa in rows} == catalog_terms, context
        assert len(rows) == len(catalog_terms), context
