"""The course's own names for stages, tiers, kinds of trust and the rest, in English and Persian.

Every kind of name (:data:`TERM_KINDS`) has English code names, the ones crmsim's code uses
(``"awareness"``, ``"must-be"``, ``"face-to-face"``), listed in :data:`NAMES`. :func:`term`
gives a name in the language in use, from the ``terms.po`` catalog (its ``msgctxt`` is the
kind); :func:`read_term` goes the other way, from what a learner wrote, in English or in
Persian, back to the code name. ``docs/glossary.md`` says where the course uses each term.

Examples
--------
>>> from crmsim.i18n import language
>>> term("tier", "loyal")
'loyal'
>>> with language("fa"):
...     term("tier", "loyal"), term("stage", "awareness")
('مشتری وفادار', 'آگاهی')
>>> read_term("tier", "وفادار"), read_term("stage", "Stage.EXPANSION")
('loyal', 'expansion')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from enum import Enum
from types import MappingProxyType

from crmsim.i18n import _, pgettext, right_to_left, translations
from crmsim.levers import CHANNELS, KANO_CATEGORIES, TIER_NAMES
from crmsim.stages import CHURN_CAUSES, Stage

#: The kinds of name, each a ``msgctxt`` of the ``terms.po`` catalog.
TERM_KINDS = ("stage", "tier", "trust", "kano", "crm type", "cause", "channel")

#: The three kinds of trust, in the order they grow (the columns of ``TRUST_WEIGHTS``).
TRUST_KINDS = ("calculus", "knowledge", "identification")
#: The four types of CRM the course names (lesson 01).
CRM_TYPES = ("strategic", "operational", "analytical", "collaborative")
#: A departed customer's last tier is recorded for those who had bought (``former_<tier>``).
FORMER_TIERS = tuple(f"former {tier}" for tier in TIER_NAMES[1:])

#: The English code names of each kind, in the order the model uses them.
NAMES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "stage": tuple(stage.name.lower() for stage in Stage),
        "tier": (*TIER_NAMES, *FORMER_TIERS),
        "trust": TRUST_KINDS,
        "kano": KANO_CATEGORIES,
        "crm type": CRM_TYPES,
        "cause": CHURN_CAUSES,
        "channel": CHANNELS,
    }
)

# Other ways a learner may write a name besides the catalog's term, as the course or the
# standard Persian marketing literature writes it (compared as keys, see _key).
_PERSIAN_VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "stage": {
        "unaware": ("ناآگاه", "بی‌خبری"),
        "exploration": ("جست‌وجو", "کاوش"),
        "expansion": ("گسترش",),
        "dissolution": ("انحلال",),
    },
    "tier": {},
    "trust": {
        "calculus": ("محاسبه‌ای", "حسابگرانه"),
        "identification": ("شخصیت", "اعتبار", "هویت", "همانندسازی"),
    },
    "kano": {
        "must-be": ("الزامی", "اساسی", "پایه"),
        "performance": ("یک‌بعدی",),
        "attractive": ("هیجانی", "انگیزشی"),
        "indifferent": ("خنثی",),
    },
    "crm type": {
        "strategic": ("راهبردی",),
        "collaborative": ("مشارکتی", "همکارانه"),
    },
    "cause": {
        "competitor": ("رقیب", "رفتن به رقیب"),
        "failure": ("شکست خدمت", "خطای خدمت"),
        "drift": ("دور شدن", "فاصله گرفتن"),
        "moved": ("نقل مکان", "ترک بازار"),
    },
    "channel": {
        "phone": ("تلفنی",),
        "face-to-face": ("رودررو", "رو در رو", "چهره‌به‌چهره"),
        "email": ("رایانامه", "پست الکترونیک"),
        "letter": ("نامه‌نگاری", "پست"),
    },
}

# Words that may stand before (or, for tiers, after) a name without changing it, where a
# learner would naturally write them: "مشتری وفادار" and "وفادار", "loyal customer".
_PREFIXES: dict[str, tuple[str, ...]] = {
    "stage": ("مرحله", "مرحله‌ی", "stage"),
    "tier": ("مشتری", "مشتریان", "customer"),
    "trust": ("اعتماد",),
    "kano": ("ویژگی", "ویژگی‌های", "ویژگی‌ها", "ویژگی‌ی"),
    "crm type": ("crm", "سی‌آر‌ام", "مدیریت ارتباط با مشتری"),
    "cause": (),
    "channel": ("کانال", "channel"),
}
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "stage": ("stage",),
    "tier": ("customer", "customers", "tier"),
    "trust": ("based", "based trust", "trust"),
    "kano": ("attribute", "feature"),
    "crm type": ("crm",),
    "cause": (),
    "channel": (),
}
# The Persian trust terms name their basis after a linking phrase ("مبتنی بر"); the course
# and others also write "بر پایه" or "بر مبنای", or leave it out.
_TRUST_LINKS = ("", "مبتنی بر", "بر پایه", "بر پایه‌ی", "بر مبنای", "بر اساس")
_FORMER = ("سابق", "پیشین", "قبلی")

# Arabic letters a Persian keyboard-less learner may type for Persian ones, and marks that
# do not change a word (the hamza above a final he, short vowels, the elongating tatweel).
_PERSIAN_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "ـ": None})
_MARKS = re.compile(r"[\u064b-\u065f\u0670]")
# Spaces, zero-width (non-)joiners, hyphens and underscores: "بی‌تفاوت", "بی تفاوت" and
# "بیتفاوت" are one word, as are "face-to-face" and "face to face".
_GAPS = re.compile(r"[\s\u200c\u200d\u200e\u200f\-_\u2010-\u2015]+")
_EDGE_PUNCTUATION = " \t\n.,;:!?؟،؛'\"«»()[]{}`"


def spelling_key(text: str) -> str:
    """``text`` as names are compared: letters only, in one spelling, without gaps.

    Examples
    --------
    >>> spelling_key("مشتری محور") == spelling_key("مشتري\u200cمحور") == spelling_key("مشتری‌محور")
    True
    """
    text = unicodedata.normalize("NFKC", text).translate(_PERSIAN_LETTERS)
    text = _MARKS.sub("", text).strip(_EDGE_PUNCTUATION).lower()
    for kind in TERM_KINDS:  # "Stage.AWARENESS", as the exercises have always read it
        text = text.removeprefix(f"{kind}.")
    return _GAPS.sub("", text)


def _check_kind(kind: str) -> str:
    if kind not in TERM_KINDS:
        raise ValueError(f"kind must be one of {TERM_KINDS}, got {kind!r}")
    return kind


@functools.cache
def _readings(kind: str) -> MappingProxyType[str, str]:
    """Every key a name of ``kind`` may be written as, mapped to its English code name."""
    persian = translations("fa")
    table: dict[str, str] = {}

    def add(text: str, name: str) -> None:
        key = spelling_key(text)
        if table.setdefault(key, name) != name:  # a spelling two names share reads as neither
            raise RuntimeError(f"{text!r} reads as both {table[key]!r} and {name!r} ({kind})")

    for name in NAMES[kind]:
        spellings = {name, persian.pgettext(kind, name)}
        spellings.update(_PERSIAN_VARIANTS[kind].get(name, ()))
        if kind == "tier" and name.startswith("former "):
            base = name.removeprefix("former ")
            current = {base, persian.pgettext(kind, base), *_PERSIAN_VARIANTS[kind].get(base, ())}
            spellings.update(f"{tier} {former}" for tier in current for former in _FORMER)
        if kind == "trust":
            basis = persian.pgettext(kind, name).removeprefix("اعتماد مبتنی بر ")
            for word in {basis, *_PERSIAN_VARIANTS[kind].get(name, ())}:
                spellings.update(f"{link} {word}" for link in _TRUST_LINKS)
        # each spelling also without, and with, a word that only repeats the kind
        prefixes = _PREFIXES[kind]
        cores = spellings | {each.removeprefix(f"{p} ") for each in spellings for p in prefixes}
        for core in cores:
            add(core, name)
            for prefix in prefixes:
                add(f"{prefix} {core}", name)
            for suffix in _SUFFIXES[kind]:
                add(f"{core} {suffix}", name)
    return MappingProxyType(table)


def term(kind: str, name: str | Enum) -> str:
    """The name ``name`` of ``kind`` in the language in use.

    Parameters
    ----------
    kind : str
        One of :data:`TERM_KINDS`, such as ``"stage"`` or ``"crm type"``.
    name : str or Enum
        A name of that kind, as :func:`read_term` reads it: usually the English code name
        (``"awareness"``, ``Stage.AWARENESS``), or the term in Persian.

    Returns
    -------
    str
        The English code name in English, the course's Persian term in Persian.

    Raises
    ------
    ValueError
        ``kind`` is not a kind of name, or ``name`` is not one of its names.

    Examples
    --------
    >>> from crmsim.i18n import language
    >>> term("kano", "must-be")
    'must-be'
    >>> with language("fa"):
    ...     term("trust", "calculus"), term("channel", "face-to-face")
    ('اعتماد مبتنی بر محاسبه', 'حضوری')
    """
    return pgettext(kind, read_term(kind, name))


def data_name(text: str) -> str:
    """A name from the data (a legend's entry, a category) as the language in use writes it.

    The catalog's translation of ``text`` when it has one; else, when ``text`` is the code name
    of one kind of :data:`TERM_KINDS`, the course's term for it; else ``text`` itself.

    Examples
    --------
    >>> from crmsim.i18n import language
    >>> with language("fa"):
    ...     data_name("knowledge"), data_name("loyal"), data_name("opening_discount")
    ('اعتماد مبتنی بر دانش', 'مشتری وفادار', 'opening_discount')
    >>> data_name("knowledge")
    'knowledge'
    """
    if not text:
        return text  # gettext's "" is the catalog's header
    translated = _(text)
    if translated != text:
        return translated
    kinds = [kind for kind in TERM_KINDS if text in NAMES[kind]]
    return term(kinds[0], text) if len(kinds) == 1 else text


def read_term(kind: str, text: str | Enum) -> str:
    """The English code name of ``kind`` that ``text``, written in English or Persian, names.

    Case, spaces and hyphens, a ``Stage.`` prefix, punctuation around the name, Arabic
    ``ي``/``ك`` for Persian ``ی``/``ک`` and a zero-width non-joiner written as a space or left
    out do not matter; a Persian term may go with or without a word that only repeats the
    kind: ``"وفادار"`` and ``"مشتری وفادار"`` are both the tier ``"loyal"``,
    ``"مبتنی بر دانش"`` and ``"اعتماد مبتنی بر دانش"`` both the trust ``"knowledge"``.

    Parameters
    ----------
    kind : str
        One of :data:`TERM_KINDS`.
    text : str or Enum
        What the learner wrote, or a member of :class:`crmsim.Stage` or :class:`crmsim.Tier`.

    Returns
    -------
    str
        One of ``NAMES[kind]``.

    Raises
    ------
    ValueError
        One line naming the kind and its names, in the language in use, when ``text`` names
        none of them.

    Examples
    --------
    >>> read_term("kano", "Must be"), read_term("trust", "knowledge-based trust")
    ('must-be', 'knowledge')
    >>> read_term("kano", "بي تفاوت"), read_term("crm type", "CRM تعاملی")
    ('indifferent', 'collaborative')
    >>> read_term("stage", "exploring")
    Traceback (most recent call last):
    ...
    ValueError: cannot read 'exploring' as a stage name; the stage names are: unaware, \
awareness, exploration, expansion, commitment, dissolution
    """
    _check_kind(kind)
    written = text.name if isinstance(text, Enum) else text
    name = _readings(kind).get(spelling_key(str(written)))
    if name is not None:
        return name
    comma = "، " if right_to_left() else ", "
    accepted = comma.join(pgettext(kind, each) for each in NAMES[kind])
    shown = " ".join(str(written).split())  # the error stays on one line
    raise ValueError(
        _("cannot read {text!r} as a {kind} name; the {kind} names are: {names}").format(
            text=shown, kind=kind, names=accepted
        )
    )


def answer_name(kind: str, written: str | Enum, spelled: str) -> str:
    """The code name of ``kind`` an exercise answer gives, for a lesson's own reader.

    ``spelled`` is the answer as the lesson spells names (its aliases applied): it stands when
    it is one of ``NAMES[kind]``. Otherwise ``written``, the answer as given, is read by
    :func:`read_term` (the course's Persian terms among others); failing that, ``spelled`` is
    handed back for the checker to refuse.

    Examples
    --------
    >>> answer_name("kano", "Must be", "must-be"), answer_name("kano", "جذاب", "جذاب")
    ('must-be', 'attractive')
    >>> answer_name("kano", "sparkly", "sparkly")
    'sparkly'
    """
    if spelled in NAMES[_check_kind(kind)]:
        return spelled
    try:
        return read_term(kind, written)
    except ValueError:
        return spelled
