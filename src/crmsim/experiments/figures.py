"""What the experiments' figures share: axes whose tick labels are names from the data.

The figures speak the language in use as :mod:`crmsim.plots`' own do: their words are messages
of ``experiments.po``, their numbers written with :func:`crmsim.i18n.format_number`, and each is
:func:`crmsim.plots.localize`-d before it is returned (Vazirmatn and Persian digits in Persian).
This module imports matplotlib: the figure methods import it when they draw, so that running an
experiment does not load matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.ticker import FixedFormatter

from crmsim.i18n import persian_numbers, right_to_left
from crmsim.plots import _PersianDigits


class _Names(_PersianDigits):
    """Tick labels that are names from the data: policies, parameters, Persian KPI names.

    :func:`crmsim.plots.localize` writes every sign of a number's tick label the Persian way,
    which would turn the dot of ``market.trial_rate`` into a decimal separator and the hyphen
    of a policy's name into a minus. A name is written as :func:`crmsim.i18n.persian_numbers`
    writes text: a Latin name as it is, the numbers of a Persian one in Persian digits.
    Being a ``_PersianDigits`` already, it is not wrapped again when the figure is localized.
    """

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(FixedFormatter(list(names)))

    def _written(self, text: str) -> str:
        return persian_numbers(text)


def name_ticks(axis: Any, positions: Sequence[float], names: Sequence[str]) -> None:
    """Put ``names`` at ``positions`` on ``axis`` (an x or y axis), kept as written in Persian.

    In English this is ``axis.set_ticks(positions, names)``, as the figures always did.
    """
    axis.set_ticks(positions, names)
    if right_to_left():
        axis.set_major_formatter(_Names(names))
