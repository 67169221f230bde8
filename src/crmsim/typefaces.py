"""The typefaces figures use: matplotlib's own for English, Vazirmatn for Persian.

matplotlib (3.11 and later) lays Persian text out right to left with its letters joined,
given a typeface that has them; the default DejaVu Sans lacks some. crmsim ships Vazirmatn
(SIL Open Font License, ``crmsim/fonts/OFL.txt``) and registers it with matplotlib's font
manager the first time a Persian figure is drawn.
"""

from __future__ import annotations

import functools
from pathlib import Path

from crmsim.i18n import get_language

#: The shipped typefaces and their licence.
FONT_DIR = Path(__file__).with_name("fonts")
#: The family name of the Persian typeface, as matplotlib knows it once registered.
PERSIAN_FAMILY = "Vazirmatn"


@functools.cache
def register_fonts() -> tuple[Path, ...]:
    """Add the shipped typefaces to matplotlib's font manager (once); the files added."""
    from matplotlib import font_manager

    files = tuple(sorted(FONT_DIR.glob("*.ttf")))
    for path in files:
        font_manager.fontManager.addfont(str(path))
    return files


def figure_style(language: str | None = None) -> dict[str, object]:
    """matplotlib settings (``rcParams``) for figures in ``language`` (default: the one in use).

    Empty for English; for Persian, Vazirmatn first (its Latin letters and digits too), with
    matplotlib's default family behind it for any symbol it lacks.
    """
    if (language or get_language()) != "fa":
        return {}
    register_fonts()
    return {"font.family": [PERSIAN_FAMILY, "DejaVu Sans"], "axes.unicode_minus": False}


#: The pyplot figure hook that gives a figure Persian digits (:func:`crmsim.plots.localize`).
_LOCALIZE_HOOK = "crmsim.plots:localize_when_drawn"
#: The matplotlib settings :func:`use_for_figures` changed, with their values before.
_replaced: dict[str, object] = {}


def use_for_figures(language: str) -> None:
    """Make ``language``'s typeface matplotlib's default (``rcParams``), for every figure.

    crmsim's own figures choose their typeface themselves; this is for the figures a notebook
    draws with matplotlib directly. In Persian those figures also write their numbers in
    Persian digits: pyplot hands each new figure to :func:`crmsim.plots.localize_when_drawn`.
    Back in English, the settings replaced are restored. matplotlib is imported only when
    there is something to change.
    """
    style = figure_style(language)
    if not style and not _replaced:
        return
    import matplotlib

    for key, value in _replaced.items():
        matplotlib.rcParams[key] = value
    _replaced.clear()
    if style:
        style["figure.hooks"] = [*matplotlib.rcParams["figure.hooks"], _LOCALIZE_HOOK]
    for key, value in style.items():
        _replaced[key] = matplotlib.rcParams[key]
        matplotlib.rcParams[key] = value
