"""The language a learner reads: English (the default) or Persian, the course's own.

Every message a learner reads goes through :func:`_` (or :func:`pgettext` when one English
word names different things, such as a stage and a tier), the standard :mod:`gettext`
machinery. The Persian catalog is plain ``.po`` text in ``crmsim/locale/fa/LC_MESSAGES/``
(one file per part of the package); Babel compiles it when Persian is first asked for, so
there is no binary file to keep in step with its source.

The language is, first, the one :func:`set_language` chose; else the environment variable
``CRMSIM_LANG``; else English. The command line's ``--lang`` sets it for one command.

Numbers read and written in Persian use Persian digits (۰-۹), ``٫`` as the decimal separator,
``٬`` between thousands and ``٪`` for per cent: :func:`format_number` writes them and
:func:`parse_number` reads them (Western and Arabic-Indic digits too).

Examples
--------
>>> with language("fa"):
...     _("week")
'هفته'
>>> _("week")
'week'
>>> parse_number("۱۲٫۵٪")
0.125
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

#: The languages crmsim speaks: English (the messages' own) and Persian.
LANGUAGES = ("en", "fa")
#: The environment variable that chooses the language when nothing else has.
LANGUAGE_VARIABLE = "CRMSIM_LANG"
#: Where the catalogs are: ``<language>/LC_MESSAGES/*.po``.
LOCALE_DIR = Path(__file__).with_name("locale")
#: Languages written right to left.
RIGHT_TO_LEFT = frozenset({"fa"})
#: The calls the package marks its messages with, as Babel's extractor takes them (its
#: ``keywords``): ``_`` and ``N_``, ``pgettext`` (context first) and ``ngettext`` (two forms).
EXTRACTION_KEYWORDS = {"_": None, "N_": None, "pgettext": ((1, "c"), 2), "ngettext": (1, 2)}

_chosen: str | None = None

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_WESTERN = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS + "٫٬،", "0123456789" * 2 + ".,,")
_TO_PERSIAN = str.maketrans("0123456789.,-%", _PERSIAN_DIGITS + "٫٬−٪")


def check_language(value: object, field: str = "language") -> str:
    """``value`` as a language code of :data:`LANGUAGES`, or a one-line error naming ``field``."""
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise ValueError(f"{field} must be one of {LANGUAGES}, got {value!r}")
    return value.strip().lower()


def set_language(value: str | None) -> None:
    """Choose the language of every message from now on (``None``: back to the default).

    Parameters
    ----------
    value : {"en", "fa"} or None
        English or Persian; ``None`` forgets the choice, leaving ``CRMSIM_LANG`` or English.

    Figures a notebook draws with matplotlib itself follow too: in Persian, matplotlib's
    default typeface becomes the shipped Vazirmatn (:func:`crmsim.typefaces.use_for_figures`).
    """
    global _chosen
    _chosen = None if value is None else check_language(value)
    from crmsim.typefaces import use_for_figures

    try:
        current = get_language()
    except ValueError:  # a bad CRMSIM_LANG is reported where a message reads the language
        current = "en"
    use_for_figures(current)


def get_language() -> str:
    """The language in use: the one set, else ``CRMSIM_LANG``, else English."""
    if _chosen is not None:
        return _chosen
    from_environment = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    if from_environment:
        return check_language(from_environment, LANGUAGE_VARIABLE)
    return "en"


@contextmanager
def language(value: str) -> Iterator[str]:
    """Use ``value`` inside a ``with`` block, then the language in use before it."""
    global _chosen
    before = _chosen
    _chosen = check_language(value)
    try:
        yield _chosen
    finally:
        _chosen = before


def right_to_left(value: str | None = None) -> bool:
    """Whether ``value`` (default: the language in use) is written right to left."""
    return (value or get_language()) in RIGHT_TO_LEFT


@functools.cache
def translations(value: str) -> gettext.NullTranslations:
    """The catalog of ``value``: every ``.po`` file of its folder, compiled in memory."""
    value = check_language(value)
    folder = LOCALE_DIR / value / "LC_MESSAGES"
    files = sorted(folder.glob("*.po"))
    if value == "en" or not files:
        return gettext.NullTranslations()
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = Catalog(locale=value)
    for path in files:
        with path.open("rb") as handle:
            for message in read_po(handle, locale=value):
                if message.id and message.string and not message.fuzzy:
                    merged.add(message.id, message.string, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """``message`` in the language in use (itself in English, or when not yet translated)."""
    return translations(get_language()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it, which extractors know)
    """Mark ``message`` for the catalog without translating it now: for texts defined once
    (a question's title, its hints) and translated with :func:`_` when they are shown."""
    return message


class Messages(Mapping[str, str]):
    """A mapping whose values are messages (marked with :func:`N_`), read in the language in use.

    For texts a lesson shows keyed by a letter or a name, such as the statements of a question:
    a notebook loops over it as over a dict and reads each text in its own language.

    Examples
    --------
    >>> days = Messages({"w": N_("week")})
    >>> with language("fa"):
    ...     dict(days)
    {'w': 'هفته'}
    >>> days["w"], days.messages["w"]
    ('week', 'week')
    """

    def __init__(self, messages: Mapping[str, str]) -> None:
        #: The messages as written (English), keyed as given.
        self.messages = dict(messages)

    def __getitem__(self, key: str) -> str:
        return _(self.messages[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


def pgettext(context: str, message: str) -> str:
    """``message`` in the language in use, for one meaning of it (``context``: "stage", ...)."""
    return translations(get_language()).pgettext(context, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` things, in the language in use."""
    return translations(get_language()).ngettext(singular, plural, count)


def format_number(value: float, spec: str = "") -> str:
    """``format(value, spec)``, in Persian digits and separators when Persian is in use.

    Examples
    --------
    >>> with language("fa"):
    ...     format_number(1234.5, ",.1f"), format_number(0.25, ".0%")
    ('۱٬۲۳۴٫۵', '۲۵٪')
    """
    text = format(value, spec)
    return persian_signs(text) if right_to_left() else text


def persian_signs(number: str) -> str:
    """A number already written the English way (``"-1,234.5%"``) in Persian digits and signs,
    as :func:`format_number` writes it in Persian.

    Examples
    --------
    >>> persian_signs("-1,234.5%")
    '−۱٬۲۳۴٫۵٪'
    """
    return number.translate(_TO_PERSIAN)


def persian_digits(text: str) -> str:
    """``text`` with its Western digits written as Persian ones (nothing else changed)."""
    return text.translate(str.maketrans("0123456789", _PERSIAN_DIGITS))


#: Persian (and Arabic) letters: a text with one is written in Persian.
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
#: A number as English writes it: digits, thousands and decimal separators, a per cent sign.
_WESTERN_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*%?")
_STANDALONE_NUMBER = re.compile(r"[+\-−]?[0-9]+(?:[.,][0-9]+)*%?")


def persian_numbers(text: str) -> str:
    """The numbers in a Persian ``text`` written with Persian digits and separators.

    Only a text with Persian letters, or one that is just a number, is changed: Latin text
    such as a scenario's name or a line of code keeps its digits. A full stop or comma that
    ends a sentence is not a decimal or thousands separator and stays as it is.

    Examples
    --------
    >>> persian_numbers("1,234 مشتری، 12.5% در هفتهٔ 3.")
    '۱٬۲۳۴ مشتری، ۱۲٫۵٪ در هفتهٔ ۳.'
    >>> persian_numbers("rng=3"), persian_numbers("-0.25")
    ('rng=3', '−۰٫۲۵')
    """
    if _STANDALONE_NUMBER.fullmatch(text.strip()):
        return persian_signs(text)
    if not _ARABIC_LETTER.search(text):
        return text
    return _WESTERN_NUMBER.sub(lambda number: persian_signs(number.group()), text)


_NUMBER = re.compile(r"^[+\-−]?(\d+(,\d{3})*|\d*)(\.\d+)?(e[+\-]?\d+)?$", re.IGNORECASE)


def parse_number(text: str | float) -> float:
    """A number written in English or Persian: ``"0.125"``, ``"۱۲٫۵٪"``, ``"1,200"``.

    Persian and Arabic-Indic digits, ``٫`` (decimal), ``٬`` and ``،`` (thousands) and ``٪``
    or ``%`` (per cent: the number is divided by 100) are all read.

    Raises
    ------
    ValueError
        ``text`` is not a number, with the text in the message.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str):
        raise ValueError(f"expected a number, got {text!r}")
    cleaned = text.strip().translate(_TO_WESTERN).replace("\u200f", "").replace("\u200e", "")
    per_cent = cleaned.endswith(("%", "٪"))
    cleaned = cleaned.rstrip("%٪").strip().replace("−", "-")
    if not cleaned or not _NUMBER.match(cleaned):
        raise ValueError(f"expected a number, got {text!r}")
    value = float(cleaned.replace(",", ""))
    return value / 100.0 if per_cent else value
