"""What a figure says, gathered for the tests of figures in Persian and English."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure


def titles(fig: Figure, axes: list[Axes]) -> list[str]:
    """The figure's title and every title (left, centre, right) of ``axes``."""
    found = [fig.get_suptitle()] if fig.get_suptitle() else []
    return found + [a.get_title(loc=loc) for a in axes for loc in ("left", "center", "right")]


def texts(fig: Figure, axes: list[Axes]) -> list[str]:
    """Every title, axis label, legend entry and text drawn in ``axes`` (annotations, a
    heatmap's values), and the figure's title; empty ones left out."""
    found = titles(fig, axes)
    for a in axes:
        found += [a.get_xlabel(), a.get_ylabel(), *(t.get_text() for t in a.texts)]
        if a.get_legend() is not None:
            found += [t.get_text() for t in a.get_legend().get_texts()]
    return [text for text in found if text]
