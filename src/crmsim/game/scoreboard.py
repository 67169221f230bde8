"""The scoreboard: six success measures, put on one scale and weighted by the instructor.

Measures
--------
Each measure is first worked out for every firm and every round played
(:func:`round_measures`):

``customer_equity``
    The expected future margin of the firm's active customers at the round's end,
    discounted at 10 % a year (:func:`crmsim.analysis.customer_equity`): what the
    customer base is worth, not only what it earned.
``profit``
    Revenue less every cost over the round's weeks.
``retention``
    The share of the firm's customers at the round's start who are still its customers at
    its end: one less the course's churn (:func:`crmsim.analysis.period_churn`). Undefined
    (left out) for a firm that had no customers when the round began.
``share``
    The firm's share of all firms' active customers, averaged over the round's weeks.
``referrals``
    Friends referred by the firm's customers who became customers over the round.
``satisfaction``
    The mean satisfaction of the firm's active customers, averaged over the round's weeks.

Bases
-----
The instructor counts each measure over the rounds played so far in one of three ways:
``cumulative`` (the sum of the rounds' values), ``average`` (their mean) or ``ending``
(the latest round's value). Rounds where a measure is undefined are skipped. The defaults
(:data:`DEFAULT_BASES`) add up what flows (profit, referrals), average what should be kept
up all along (retention, satisfaction) and take the position reached for what is a
position (customer equity, market share).

One scale
---------
Measures come in money, shares and counts, so before weighting each is put on a scale of
0 to 100 across the firms: the best firm gets 100 points, the worst 0, and the others in
proportion to where their value lies between those two
(``100 * (value - worst) / (best - worst)``). When every firm has the same value, all get
100: nobody did worse. A firm with no value where others have one gets 0; a measure no
firm has a value for yet (retention in the first round) is left out. The total score is
the weighted mean of a firm's points, ``sum(weight * points) / sum(weight)`` over the
measures counted, so it is also on the 0-100 scale, and the firm with the highest total
ranks first. Points are relative: they say how a firm did against this class, not
against a standard.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmsim import analysis, checks
from crmsim.i18n import _, format_number, pgettext

#: The success measures, in the scoreboard's order, each with what it counts.
MEASURES = {
    "customer_equity": "value of the customer base at the round's end",
    "profit": "revenue less costs",
    "retention": "customers at the round's start still there at its end",
    "share": "share of all firms' active customers",
    "referrals": "referred friends who became customers",
    "satisfaction": "mean satisfaction of active customers",
}
BASES = ("cumulative", "average", "ending")
DEFAULT_BASES = {
    "customer_equity": "ending",
    "profit": "cumulative",
    "retention": "average",
    "share": "ending",
    "referrals": "cumulative",
    "satisfaction": "average",
}
DEFAULT_WEIGHTS = {
    "customer_equity": 2.0,
    "profit": 2.0,
    "retention": 1.0,
    "share": 1.0,
    "referrals": 1.0,
    "satisfaction": 1.0,
}


@dataclass(frozen=True)
class Scoring:
    """How the instructor weighs the measures and counts each over the rounds.

    Parameters
    ----------
    weights : mapping of str to float
        Weight of each measure of :data:`MEASURES`, >= 0; a measure left out keeps its
        default weight (:data:`DEFAULT_WEIGHTS`), weight 0 leaves it out of the score.
    bases : mapping of str to str
        ``"cumulative"``, ``"average"`` or ``"ending"`` per measure; a measure left out
        keeps its default basis (:data:`DEFAULT_BASES`).
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bases: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_BASES))

    def __post_init__(self) -> None:
        for table, given in (("weights", self.weights), ("bases", self.bases)):
            if not isinstance(given, Mapping):
                raise ValueError(f"scoring.{table} must be a table of measure = value")
            for name in given:
                if name not in MEASURES:
                    raise ValueError(
                        f"scoring.{table}.{name} is not a measure; use one of {list(MEASURES)}"
                    )
        weights = {
            name: checks.number(f"scoring.weights.{name}", value, 0.0)
            for name, value in (DEFAULT_WEIGHTS | dict(self.weights)).items()
        }
        if not any(weights.values()):
            raise ValueError("scoring.weights are all 0; give at least one measure a weight")
        bases = DEFAULT_BASES | dict(self.bases)
        for name, basis in bases.items():
            checks.choice(f"scoring.bases.{name}", basis, BASES)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "bases", bases)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scoring:
        """Scoring from plain data: ``{"weights": {...}, "bases": {...}}``."""
        unknown = sorted(set(data) - {"weights", "bases"})
        if unknown:
            raise ValueError(f"scoring.{unknown[0]} is not a scoring field; use weights, bases")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` reads back equal."""
        return {"weights": dict(self.weights), "bases": dict(self.bases)}


def round_of(week: Any, weeks_per_round: int) -> Any:
    """The round (from 1) a 0-based model week belongs to."""
    return week // weeks_per_round + 1


def round_measures(
    firm_frame: pd.DataFrame,
    losses: pd.DataFrame,
    equity: pd.DataFrame,
    *,
    weeks_per_round: int,
) -> pd.DataFrame:
    """Every measure of :data:`MEASURES` for each firm in each complete round.

    Parameters
    ----------
    firm_frame : pandas.DataFrame
        The weekly frame of all firms (``CRMModel.firm_frame``).
    losses : pandas.DataFrame
        Every departure (``CRMModel.losses``); with several firms, its ``firm`` says whom
        the customer left.
    equity : pandas.DataFrame
        ``round``, ``firm``, ``customer_equity``: each firm's equity at each round's end.
    weeks_per_round : int
        Weeks in a round.

    Returns
    -------
    pandas.DataFrame
        One row per (round, firm), in round then firm order: ``round``, ``firm`` and a
        column per measure.
    """
    weeks_per_round = checks.integer("weeks_per_round", weeks_per_round, low=1)
    rows = []
    firms = list(dict.fromkeys(firm_frame["firm"]))
    for firm in firms:
        mine = firm_frame[firm_frame["firm"] == firm].reset_index(drop=True)
        own_losses = losses if "firm" not in losses else losses[losses["firm"] == firm]
        churn = analysis.period_churn(mine, weeks_per_round, losses=own_losses)
        weekly = mine.assign(round=round_of(mine["week"], weeks_per_round))
        by_round = weekly.groupby("round", sort=True)
        sums = by_round[["profit", "referral_conversions"]].sum()
        means = by_round[["share", "satisfaction"]].mean()
        for period, churn_row in churn.iterrows():
            number = int(period) + 1
            rows.append(
                {
                    "round": number,
                    "firm": firm,
                    "profit": float(sums.loc[number, "profit"]),
                    "retention": 1.0 - churn_row["churn"],
                    "share": float(means.loc[number, "share"]),
                    "referrals": float(sums.loc[number, "referral_conversions"]),
                    "satisfaction": float(means.loc[number, "satisfaction"]),
                }
            )
    table = pd.DataFrame(
        rows, columns=["round", "firm", *(m for m in MEASURES if m != "customer_equity")]
    )
    table = table.merge(
        equity[["round", "firm", "customer_equity"]], on=["round", "firm"], how="left"
    )
    order = {firm: i for i, firm in enumerate(firms)}
    table = table.sort_values(
        ["round", "firm"], key=lambda c: c.map(order) if c.name == "firm" else c
    )
    return table[["round", "firm", *MEASURES]].reset_index(drop=True)


def points(values: pd.Series) -> pd.Series:
    """Values of one measure across firms on the 0-100 scale: best 100, worst 0.

    Examples
    --------
    >>> points(pd.Series([10.0, 30.0, 20.0])).tolist()
    [0.0, 100.0, 50.0]
    """
    known = values.dropna()
    if known.empty:
        return pd.Series(np.nan, index=values.index)
    best, worst = known.max(), known.min()
    if best == worst:
        scaled = pd.Series(100.0, index=values.index)
    else:
        scaled = 100.0 * (values - worst) / (best - worst)
    return scaled.fillna(0.0)


def scoreboard(measures: pd.DataFrame, scoring: Scoring | None = None) -> pd.DataFrame:
    """Rank the firms on the measures of the rounds played so far.

    Parameters
    ----------
    measures : pandas.DataFrame
        :func:`round_measures`' table (``round``, ``firm`` and a column per measure).
    scoring : Scoring, optional
        Weights and bases; the defaults if not given.

    Returns
    -------
    pandas.DataFrame
        One row per firm, best first: ``rank``, ``firm``, ``score`` (0-100), then each
        measure's value as counted by its basis, then its points (``points_<measure>``).

    Examples
    --------
    >>> table = pd.DataFrame({"round": [1, 1], "firm": ["A", "B"],
    ...     **{m: [1.0, 2.0] for m in MEASURES}})
    >>> scoreboard(table)[["rank", "firm", "score"]].values.tolist()
    [[1, 'B', 100.0], [2, 'A', 0.0]]
    """
    scoring = scoring or Scoring()
    firms = list(dict.fromkeys(measures["firm"]))
    last_round = measures["round"].max()
    board = pd.DataFrame({"firm": firms}).set_index("firm")
    for measure in MEASURES:
        per_firm = measures.pivot(index="round", columns="firm", values=measure)[firms]
        basis = scoring.bases[measure]
        if basis == "cumulative":
            value = per_firm.sum(min_count=1)
        elif basis == "average":
            value = per_firm.mean()
        else:
            value = per_firm.loc[last_round]
        board[measure] = value.astype(float)
    total = pd.Series(0.0, index=board.index)
    weight_counted = 0.0
    for measure in MEASURES:
        board[f"points_{measure}"] = points(board[measure])
        weight = scoring.weights[measure]
        if weight and board[f"points_{measure}"].notna().all():
            total += weight * board[f"points_{measure}"]
            weight_counted += weight
    board["score"] = total / weight_counted if weight_counted else math.nan
    board = board.reset_index()
    # a stable sort keeps the firms' own order among equal scores
    board = board.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    board.insert(
        0,
        "rank",
        board["score"].rank(ascending=False, method="min", na_option="bottom").astype(int),
    )
    columns = ["rank", "firm", "score", *MEASURES, *(f"points_{m}" for m in MEASURES)]
    return board[columns]


def _money(value: float) -> str:
    return _("n/a") if pd.isna(value) else format_number(round(value), ",")


def _percent(value: float) -> str:
    return _("n/a") if pd.isna(value) else format_number(value, ".1%")


def _count(value: float) -> str:
    return _("n/a") if pd.isna(value) else format_number(value, ",.0f")


def _signed(value: float) -> str:
    return _("n/a") if pd.isna(value) else format_number(value, "+.2f")


#: How each measure is printed in the scoreboard's table.
_FORMATS = {
    "customer_equity": _money,
    "profit": _money,
    "retention": _percent,
    "share": _percent,
    "referrals": _count,
    "satisfaction": _signed,
}


def measure_label(measure: str) -> str:
    """A measure's short name in the scoreboard: ``equity`` for ``customer_equity``, the others
    their own name; in Persian when Persian is in use (the ``"measure"`` entries of game.po).

    Examples
    --------
    >>> measure_label("customer_equity"), measure_label("share")
    ('equity', 'share')
    """
    return pgettext("measure", measure.removeprefix("customer_"))


def basis_label(basis: str) -> str:
    """A basis of :data:`BASES` (``cumulative``, ...) in the language in use."""
    return pgettext("basis", basis)


def format_measure(measure: str, value: float) -> str:
    """One measure's value as the scoreboard prints it (``n/a`` when it has none), in the
    language in use (Persian digits in Persian).

    Examples
    --------
    >>> format_measure("profit", 12345.6), format_measure("share", 0.25)
    ('12,346', '25.0%')
    >>> format_measure("retention", float("nan"))
    'n/a'
    """
    return _FORMATS[measure](value)


def format_scoreboard(board: pd.DataFrame, scoring: Scoring | None = None) -> str:
    """The scoreboard as a plain-text table, one line per firm, best first, and a line
    saying how each measure is counted (its basis) and weighted."""
    scoring = scoring or Scoring()
    short = {m: measure_label(m) for m in MEASURES}
    headings = [_("rank"), _("firm"), _("score"), *short.values()]
    rows = [
        [format_number(row["rank"]), str(row["firm"]), format_number(row["score"], ".1f")]
        + [format_measure(m, row[m]) for m in MEASURES]
        for index, row in board.iterrows()
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]

    def line(cells: list[str]) -> str:
        text = [
            f"{cell:<{width}}" if column == 1 else f"{cell:>{width}}"
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(text).rstrip()

    counted = _(", ").join(
        _("{measure} {basis} x{weight}").format(
            measure=short[m],
            basis=basis_label(scoring.bases[m]),
            weight=format_number(scoring.weights[m], "g"),
        )
        for m in MEASURES
    )
    counted_line = _("Counted: {counted}").format(counted=counted)
    return "\n".join([line(headings), *(line(r) for r in rows), "", counted_line])


__all__ = [
    "BASES",
    "DEFAULT_BASES",
    "DEFAULT_WEIGHTS",
    "MEASURES",
    "Scoring",
    "basis_label",
    "format_measure",
    "format_scoreboard",
    "measure_label",
    "points",
    "round_measures",
    "scoreboard",
]
