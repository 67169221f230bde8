"""The Persian catalogs and the messages marked for them, read one way for every test of the
Persian edition: the ``.po`` files as crmsim merges them, the source files with the keywords the
package marks its messages with (:data:`crmsim.i18n.EXTRACTION_KEYWORDS`)."""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from babel.messages.catalog import Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from crmsim.i18n import EXTRACTION_KEYWORDS, LOCALE_DIR

#: The Persian catalog's ``.po`` files.
CATALOG_DIR = LOCALE_DIR / "fa" / "LC_MESSAGES"


class Marked(NamedTuple):
    """A message marked for translation in a source file, as Babel's extractor finds it."""

    path: Path
    line: int
    context: str | None
    #: The msgid, or (singular, plural) for ``ngettext``.
    message: str | tuple[str, ...]


def singular(msgid: str | tuple[str, ...]) -> str:
    """A msgid, or the singular of a plural one: what gettext looks a message up by."""
    return msgid if isinstance(msgid, str) else msgid[0]


def fields(text: str) -> set[str]:
    """The names of ``text``'s ``{fields}``: a translation missing one fails when formatted."""
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(text) if name}


def catalog_names() -> list[str]:
    """The Persian catalog's files (``app.po`` ...), in the order crmsim merges them."""
    return sorted(path.name for path in CATALOG_DIR.glob("*.po"))


@functools.cache
def catalog_file(name: str) -> tuple[Message, ...]:
    """The entries of one Persian catalog file, without its header."""
    with (CATALOG_DIR / name).open("rb") as handle:
        return tuple(message for message in read_po(handle, locale="fa") if message.id)


@functools.cache
def persian_catalog() -> Mapping[tuple[str | None, str], Message]:
    """Every entry of every file by (context, singular msgid), the later file's where two
    files hold a message. Fuzzy and empty entries are kept, for the tests to report."""
    entries = {}
    for name in catalog_names():
        for message in catalog_file(name):
            entries[message.context, singular(message.id)] = message
    return MappingProxyType(entries)


def persian_text(context: str | None, msgid: str) -> str:
    """The Persian ``_`` or ``pgettext`` gives ``msgid``, or ``""``: a fuzzy entry is not
    compiled into the catalog, and a plural one answers ``ngettext`` only."""
    entry = persian_catalog().get((context, msgid))
    if entry is None or entry.fuzzy or not isinstance(entry.string, str):
        return ""
    return entry.string


def extracted(paths: Iterable[Path | str]) -> list[Marked]:
    """Every message marked in the source files ``paths``, file by file in their order."""
    found = []
    for path in map(Path, paths):
        for line, message, _comments, context in extract_from_file(
            "python", path, keywords=EXTRACTION_KEYWORDS
        ):
            found.append(Marked(path, line, context, message))
    return found
