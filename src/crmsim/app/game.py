"""The game page: a saved CRM game's market (:mod:`crmsim.game`), for a projector.

While a class plays the game, the instructor plays the rounds from the command line
(``crmsim game round``) and projects this page beside it: ``crmsim app --game DIR`` serves
it, ``GamePage(directory)`` shows it in a notebook cell. It shows the game's name and how many
of its rounds are played, each firm's share and customers in a row of boxes, and four tabs:

* **Market shares**: every firm's share of the market's customers, week by week, the
  rounds marked (:func:`shares_figure`);
* **Customers and profit**: each firm's customers at the end of each round and its profit
  in each round, drawn and in tables (:func:`customers_per_round`, :func:`profit_per_round`);
* **Scoreboard**: the firms ranked, each measure's value and its points (:func:`scoreboard_html`);
* **Switching**: who took customers from whom, since the start and in the round shown
  (:func:`switching`).

The round picker shows the game as it stood at the end of an earlier round: the weeks up to
it, and the scoreboard as it was then (:func:`standing`). **Reload** reads the game's folder
again and shows the latest round: rounds played since the page opened appear. A firm keeps
one colour on the whole page, the colour the debriefs give it
(:func:`crmsim.game.debrief.firm_colours`).

The page only reads the game's folder (``Game.open(..., read_only=True)``): a round being
written by ``crmsim game round`` at the moment of a Reload is neither disturbed nor shown
half-written. A folder without a game, or one that cannot be read, gives a message on the
page, not a traceback; Reload tries again.
"""

# Solara components are named like classes (Page, SolaraViz), as Solara and Mesa do.
# ruff: noqa: N802

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara
import solara.lab
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

from crmsim import plots
from crmsim.app import views
from crmsim.app.language import digits, localized
from crmsim.app.views import PRESENT_DPI, PRESENT_SIZE, fit_titles, render_png
from crmsim.game import Game
from crmsim.game.debrief import firm_colours, mark_rounds, switching_counts
from crmsim.game.scoreboard import MEASURES, Scoring, format_measure, scoreboard
from crmsim.i18n import N_, _, format_number, right_to_left

#: The environment variable through which ``crmsim app --game DIR`` tells the page served
#: (``page``) which game to show: the server runs in a process of its own.
GAME_VARIABLE = "CRMSIM_GAME"
#: The tabs of the page, in order (shown in the language in use).
GAME_TABS = (
    N_("Market shares"),
    N_("Customers and profit"),
    N_("Scoreboard"),
    N_("Switching"),
)
#: Each measure's heading in the scoreboard's table (shown in the language in use).
MEASURE_LABELS = {
    "customer_equity": N_("Customer equity"),
    "profit": N_("Profit"),
    "retention": N_("Retention"),
    "share": N_("Share"),
    "referrals": N_("Referrals"),
    "satisfaction": N_("Satisfaction"),
}
#: How a measure is counted over the rounds (:class:`~crmsim.game.scoreboard.Scoring`'s
#: ``bases``), as the scoreboard's headings say it.
BASES = {
    "cumulative": N_("cumulative"),
    "average": N_("average"),
    "ending": N_("ending"),
}
#: The totals' row and column of the switching tables (named so by ``switching_counts``).
TOTALS = {"won from rivals": N_("won from rivals"), "lost to rivals": N_("lost to rivals")}


def open_game(directory: str | Path) -> Game:
    """The game saved in ``directory``, opened read-only (nothing in the folder changes).

    Raises
    ------
    ValueError
        In one line naming the folder: no such folder, no game in it, or a game that cannot
        be read.

    Examples
    --------
    >>> import tempfile
    >>> open_game(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: ... holds no game (no game.json); start one with 'game new'
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(_("there is no folder {folder}").format(folder=folder))
    try:
        return Game.open(folder, read_only=True)
    except ValueError as err:
        raise ValueError(str(err)) from None
    except Exception as err:
        # A damaged pickle or table can fail in many ways; on a projected page any of them
        # must read as a sentence, not a traceback.
        said = " ".join(str(err).split())  # one line, whatever the error wrote
        raise ValueError(
            _("the game in {folder} cannot be read ({error}: {said})").format(
                folder=folder, error=type(err).__name__, said=said
            )
        ) from None


# Compared by identity (eq=False): the page memoises on it, and its tables have no truth value.
@dataclass(frozen=True, eq=False)
class Standing:
    """A game as it stood at the end of one round: what the page shows.

    Attributes
    ----------
    name : str
        The game's name.
    round : int
        The round shown (its end); 0 before the first round.
    played, rounds : int
        Rounds played so far, and in the whole game.
    weeks_per_round : int
        Weeks in a round.
    firms, teams : tuple of str
        Every firm (teams, then computer rivals), and the teams.
    colours : dict of str to str
        Each firm's colour.
    firm_frame, losses : pandas.DataFrame
        The game's weekly rows per firm and its departures, up to the end of ``round``.
    scoreboard : pandas.DataFrame
        The scoreboard as it was after ``round`` (empty before the first round).
    scoring : Scoring
        How the scoreboard counts and weighs the measures.
    """

    name: str
    round: int
    played: int
    rounds: int
    weeks_per_round: int
    firms: tuple[str, ...]
    teams: tuple[str, ...]
    colours: dict[str, str]
    firm_frame: pd.DataFrame
    losses: pd.DataFrame
    scoreboard: pd.DataFrame
    scoring: Scoring

    @property
    def last_week(self) -> int:
        """The last week of the round shown (-1 before the first round)."""
        return self.round * self.weeks_per_round - 1

    def by_firm(self, column: str) -> pd.DataFrame:
        """One column of :attr:`firm_frame` as a table: a row per week, a column per firm."""
        table = self.firm_frame.pivot(index="week", columns="firm", values=column)
        return table.reindex(columns=list(self.firms)).sort_index()


def standing(game: Game, number: int | None = None) -> Standing:
    """``game`` as it stood at the end of round ``number`` (the last played by default).

    The scoreboard is the one the game had after that round: the measures of the rounds up to
    it, counted and weighed as the game's scoring says.

    Examples
    --------
    >>> import tempfile
    >>> from crmsim.game import example_config
    >>> game = Game.new(example_config(customers=300, weeks_per_round=2), tempfile.mkdtemp())
    >>> played = game.play_round(), game.play_round()
    >>> first = standing(game, 1)
    >>> first.round, first.played, int(first.firm_frame["week"].max())
    (1, 2, 1)
    """
    number = game.round if number is None else int(number)
    if not 0 <= number <= game.round:
        raise ValueError(f"round must be in [0, {game.round}] (rounds played), got {number}")
    weeks = game.config.weeks_per_round
    end = number * weeks
    frame = game.firm_frame
    losses = game.losses
    if number == 0:
        board = game.scoreboard().iloc[0:0]
    else:
        measures = game.measures()
        board = scoreboard(measures[measures["round"] <= number], game.config.scoring)
    return Standing(
        name=game.config.name,
        round=number,
        played=game.round,
        rounds=game.config.rounds,
        weeks_per_round=weeks,
        firms=tuple(game.firms),
        teams=tuple(game.teams),
        colours=firm_colours(game.firms),
        firm_frame=frame[frame["week"] < end].reset_index(drop=True),
        losses=losses[losses["week"] < end].reset_index(drop=True),
        scoreboard=board,
        scoring=game.config.scoring,
    )


# ---------------------------------------------------------------------------- tables
def round_labels(numbers: range | list[int]) -> list[str]:
    """``["round 1", "round 2", ...]``: the rounds as the tables and the picker name them, in
    the language in use."""
    return [_("round {number}").format(number=format_number(number)) for number in numbers]


def customers_per_round(shown: Standing) -> pd.DataFrame:
    """Each firm's active customers at the end of each round up to the one shown: a row per
    firm, a column per round."""
    active = shown.by_firm("active")
    ends = [number * shown.weeks_per_round - 1 for number in range(1, shown.round + 1)]
    table = active.loc[ends].T.astype(np.int64)
    table.columns = round_labels(range(1, shown.round + 1))
    return table


def profit_per_round(shown: Standing) -> pd.DataFrame:
    """Each firm's profit in each round up to the one shown, and over all of them: a row per
    firm, a column per round and ``"all rounds"``."""
    profit = shown.by_firm("profit")
    rounds = profit.index.to_numpy() // shown.weeks_per_round + 1
    table = profit.groupby(rounds).sum().T
    table.columns = round_labels(range(1, shown.round + 1))
    table[_("all rounds")] = table.sum(axis=1)
    return table


def switching(shown: Standing, number: int | None = None) -> pd.DataFrame:
    """Customers who left one firm of the game for another: a row per firm left, a column per
    firm gone to, each firm's total lost to the others (``"lost to rivals"``) and won from
    them (row ``"won from rivals"``), both named in English (the page shows them in the
    language in use).

    Counted since the start up to the end of the round shown, or in round ``number`` only.
    Customers who left for no firm of the game (the outside competitor, moving away) are
    not counted. A firm's own cell, which nobody can switch through, is ``NaN``.
    """
    log = shown.losses
    moved = log[log["to_firm"] != ""]
    if number is not None:
        moved = moved[moved["week"] // shown.weeks_per_round + 1 == number]
    firms = list(shown.firms)
    table = switching_counts(moved, firms).astype(float)
    for firm in firms:
        table.loc[firm, firm] = np.nan
    table.loc["won from rivals", "lost to rivals"] = np.nan
    return table


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _swatch(colour: str) -> str:
    return f'<span class="crmsim-swatch" style="background:{_escape(colour)}"></span>'


def html_table(
    table: pd.DataFrame,
    *,
    caption: str,
    corner: str,
    cell: Callable[[Any], str],
    colours: dict[str, str],
    kind: str,
) -> str:
    """``table`` as an HTML table: its index as row headings (a firm's with its colour), every
    text escaped; ``cell`` writes a value; ``kind`` names the table (``data-table``)."""

    def heading(name: object) -> str:
        swatch = _swatch(colours[name]) if name in colours else ""
        shown = _(TOTALS[name]) if isinstance(name, str) and name in TOTALS else name
        return f"{swatch}{_escape(shown)}"

    head = f"<th>{_escape(corner)}</th>" + "".join(
        f"<th>{heading(column)}</th>" for column in table.columns
    )
    rows = "".join(
        f'<tr><th scope="row">{heading(key)}</th>'
        + "".join(f"<td>{cell(value)}</td>" for value in row.to_numpy(dtype=object))
        + "</tr>"
        for key, row in table.iterrows()
    )
    return (
        f'<table class="crmsim-table" data-table="{_escape(kind)}">'
        f"<caption>{_escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def count_text(value: Any) -> str:
    """A count or an amount of money as the tables show it: ``1,234``, or ``–`` if none.

    Examples
    --------
    >>> count_text(1234.4), count_text(float("nan"))
    ('1,234', '–')
    """
    number = float(value)
    return "–" if np.isnan(number) else format_number(number, ",.0f")


def _measure_text(measure: str, value: float) -> str:
    """A measure's value as the scoreboard writes it, in the digits of the language in use."""
    text = format_measure(measure, value)
    return _("n/a") if text == "n/a" else digits(text)


def scoreboard_html(shown: Standing) -> str:
    """The scoreboard of the round shown as an HTML table: rank, firm, score, then each
    measure's value as counted and, under it, its points (0 to 100 across the firms)."""
    scoring = shown.scoring
    head = "".join(f"<th>{_escape(text)}</th>" for text in (_("Rank"), _("Firm"), _("Score")))
    head += "".join(
        f"<th>{_escape(_(MEASURE_LABELS[m]))}<div class='crmsim-basis'>"
        + _escape(
            _("{basis} · weight {weight}").format(
                basis=_(BASES.get(scoring.bases[m], scoring.bases[m])),
                weight=format_number(scoring.weights[m], "g"),
            )
        )
        + "</div></th>"
        for m in MEASURES
    )
    rows = []
    for _index, row in shown.scoreboard.iterrows():
        firm = str(row["firm"])
        kind = "team" if firm in shown.teams else "computer"
        cells = "".join(
            f"<td>{_escape(_measure_text(m, row[m]))}<div class='crmsim-points'>"
            + _escape(_("{points} pts").format(points=format_number(row[f"points_{m}"], ".0f")))
            + "</div></td>"
            for m in MEASURES
        )
        rows.append(
            f"<tr class='crmsim-{kind}'><td>{format_number(int(row['rank']))}</td>"
            f"<th scope='row'>{_swatch(shown.colours[firm])}{_escape(firm)}</th>"
            f"<td class='crmsim-score'>{format_number(row['score'], '.1f')}</td>{cells}</tr>"
        )
    caption = _("Scoreboard after round {number}").format(number=format_number(shown.round))
    return (
        '<table class="crmsim-table crmsim-scoreboard" data-table="scoreboard">'
        f"<caption>{_escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


# ---------------------------------------------------------------------------- figures
def _mark_rounds(ax: Axes, shown: Standing) -> None:
    """Dotted lines between the rounds and their numbers along the top."""
    mark_rounds(ax, shown.weeks_per_round, shown.last_week, large=True)
    # mark_rounds writes the axis and the rounds ("R1", ...) in English: the page's language.
    ax.set_xlabel(_("week"))
    for text in ax.texts:
        number = text.get_text().removeprefix("R")
        if text.get_text().startswith("R") and number.isdigit():
            text.set_text(_("R{number}").format(number=format_number(int(number))))


def _finish(figure: Figure) -> Figure:
    figure.set_size_inches(PRESENT_SIZE)
    return fit_titles(figure, PRESENT_DPI)


def shares_figure(shown: Standing) -> Figure:
    """Every firm's share of the market's active customers, week by week, up to the end of
    the round shown; dotted lines between the rounds, each firm in its colour.

    Examples
    --------
    >>> import tempfile
    >>> from crmsim.game import example_config
    >>> game = Game.new(example_config(customers=300, weeks_per_round=2), tempfile.mkdtemp())
    >>> played = game.play_round()
    >>> figure = shares_figure(standing(game))
    >>> [line.get_label() for line in figure.axes[0].get_lines()][:2]
    ['Team A', 'Team B']
    """
    shares = shown.by_firm("share")
    with plots.figure_style():
        figure = plots.make_figure()
        ax = figure.subplots()
        for firm in shown.firms:
            ax.plot(
                shares.index.to_numpy(),
                shares[firm].to_numpy(dtype=float),
                color=shown.colours[firm],
                label=firm,
            )
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(0, max(0.05, float(np.nanmax(shares.to_numpy(dtype=float))) * 1.1))
        ax.set_ylabel(_("share of customers"))
        # Room between the title and the rounds' numbers above the axes.
        ax.set_title(
            _("Market share of each firm, week by week (to round {number})").format(
                number=format_number(shown.round)
            ),
            pad=24,
        )
        _mark_rounds(ax, shown)
        plots.legend_outside(ax)
        plots.localize(figure)
    return _finish(figure)


def _grouped_bars(ax: Axes, table: pd.DataFrame, colours: dict[str, str]) -> None:
    """One group of bars per column of ``table`` (a round, from the first), a bar per row (a
    firm)."""
    x = np.arange(len(table.columns))
    width = 0.8 / max(1, len(table))
    for i, (firm, values) in enumerate(table.iterrows()):
        offset = (i - (len(table) - 1) / 2) * width
        ax.bar(x + offset, values.to_numpy(dtype=float), width, color=colours[firm], label=firm)
    rounds = range(1, len(table.columns) + 1)
    ax.set_xticks(x, [_("R{number}").format(number=format_number(n)) for n in rounds])
    ax.axhline(0, color="#333333", linewidth=0.8)


def firms_figure(shown: Standing) -> Figure:
    """Each firm's customers at the end of each round (left) and its profit in each round
    (right), a group of bars per round, each firm in its colour.

    Examples
    --------
    >>> import tempfile
    >>> from crmsim.game import example_config
    >>> game = Game.new(example_config(customers=300, weeks_per_round=2), tempfile.mkdtemp())
    >>> played = game.play_round()
    >>> len(firms_figure(standing(game)).axes)
    2
    """
    customers = customers_per_round(shown)
    profit = profit_per_round(shown).drop(columns=_("all rounds"))
    with plots.figure_style():
        figure = plots.make_figure()
        left, right = figure.subplots(1, 2)
        _grouped_bars(left, customers, shown.colours)
        # A panel's title starts where its reader starts: on the right in Persian.
        start = "right" if right_to_left() else "left"
        left.set_title(_("Customers at each round's end"), loc=start)
        left.set_ylabel(_("customers"))
        left.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        _grouped_bars(right, profit, shown.colours)
        right.set_title(_("Profit in each round"), loc=start)
        right.set_ylabel(_("money"))
        right.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        plots.legend_outside(right)
        plots.localize(figure)
    return _finish(figure)


#: The figure on each tab that has one, by the tab's name.
TAB_FIGURES: dict[str, Callable[[Standing], Figure]] = {
    "Market shares": shares_figure,
    "Customers and profit": firms_figure,
}


def figure_png(shown: Standing, tab: str) -> bytes:
    """The PNG of the figure on tab ``tab`` of :data:`GAME_TABS`, for a projector."""
    return render_png(TAB_FIGURES[tab](shown), PRESENT_DPI)


# ---------------------------------------------------------------------------- the page
_STYLE = """
.crmsim-game-title { font-size: 1.5rem; font-weight: 700; }
.crmsim-swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
  margin-right: 0.35em; vertical-align: baseline; }
.crmsim-table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 1rem; }
.crmsim-table caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
.crmsim-table th, .crmsim-table td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; }
.crmsim-table td { text-align: right; font-variant-numeric: tabular-nums; }
.crmsim-table th[scope=row] { text-align: left; white-space: nowrap; }
.crmsim-table thead th { background: #f0f0f0; vertical-align: bottom; }
.crmsim-scoreboard { font-size: 1.1rem; }
.crmsim-score { font-weight: 700; }
.crmsim-points, .crmsim-basis { font-size: 0.75rem; opacity: 0.75; font-weight: 400; }
.crmsim-firm-box { border-left-width: 6px; border-left-style: solid; }
"""


def _load(folder: str | Path | None) -> tuple[Game | None, str | None]:
    """The game in ``folder`` and no message, or no game and a message saying why."""
    if folder is None or not str(folder).strip():
        return None, _(
            "No game folder was given: serve one with crmsim app --game DIR, or in a notebook "
            "call GamePage(directory)."
        )
    try:
        return open_game(folder), None
    except ValueError as err:
        return None, _("No game to show: {reason}.").format(reason=err)


@solara.component
def FirmBoxes(shown: Standing) -> None:
    """Each firm's share and customers at the end of the round shown, in its colour."""
    last = shown.firm_frame[shown.firm_frame["week"] == shown.last_week].set_index("firm")
    with solara.Row(gap="8px", classes=["crmsim-monitors"], style={"flex-wrap": "wrap"}):
        for firm in shown.firms:
            with solara.Column(
                gap="0px",
                classes=["crmsim-monitor", "crmsim-firm-box"],
                # The firm's colour on the side where its box starts: the right in Persian.
                style={
                    f"border-{'right' if right_to_left() else 'left'}-color": shown.colours[firm]
                },
            ):
                solara.Text(firm, classes=["crmsim-monitor-name"])
                solara.Text(
                    format_number(last.loc[firm, "share"], ".1%"), classes=["crmsim-monitor-value"]
                )
                solara.Text(
                    _("{count} customers").format(
                        count=format_number(int(last.loc[firm, "active"]), ",")
                    ),
                    classes=["crmsim-settings"],
                )


@solara.component
def GameFigure(shown: Standing, tab: str, images: dict[str, bytes]) -> None:
    """The figure of tab ``tab``, kept in ``images`` (by tab) once drawn for ``shown``."""
    if tab not in images:
        images[tab] = figure_png(shown, tab)
    image = images[tab]
    with solara.Column(classes=["crmsim-figure", "crmsim-present"]):
        solara.Image(image, format="png")


@solara.component
def GameViews(shown: Standing, tab: solara.Reactive[int], images: dict[str, bytes]) -> None:
    """The tabs of the page and the open one's views, for the round shown; its figures are
    kept in ``images``, by tab."""
    with solara.lab.Tabs(value=tab.value, on_value=tab.set):
        for name in GAME_TABS:
            solara.lab.Tab(_(name))
    name = GAME_TABS[tab.value]
    if name in TAB_FIGURES:
        GameFigure(shown, name, images)
    if name == "Market shares":
        solara.Text(
            _(
                "Each firm's share of all the firms' active customers, week by week; dotted "
                "lines separate the rounds."
            ),
            classes=["crmsim-description"],
        )
    elif name == "Customers and profit":
        solara.HTML(
            unsafe_innerHTML=html_table(
                customers_per_round(shown),
                caption=_("Customers at the end of each round"),
                corner=_("firm"),
                cell=count_text,
                colours=shown.colours,
                kind="customers",
            )
            + html_table(
                profit_per_round(shown),
                caption=_("Profit in each round"),
                corner=_("firm"),
                cell=count_text,
                colours=shown.colours,
                kind="profit",
            )
        )
    elif name == "Scoreboard":
        solara.HTML(unsafe_innerHTML=scoreboard_html(shown))
        solara.Text(
            _(
                "Each measure is counted over the rounds as its column says (cumulative, "
                "average or ending), then put on a scale from 0 points (the worst firm) to 100 "
                "(the best); the score is the mean of the points, weighted."
            ),
            classes=["crmsim-description"],
        )
    else:
        solara.Text(
            _(
                "A row is the firm customers left, a column the firm they went to. Customers "
                "who left for no firm of the game are not counted."
            ),
            classes=["crmsim-description"],
        )
        solara.HTML(
            unsafe_innerHTML=html_table(
                switching(shown),
                caption=_("Switches from the start to the end of round {number}").format(
                    number=format_number(shown.round)
                ),
                corner=_("from \\ to"),
                cell=count_text,
                colours=shown.colours,
                kind="switching",
            )
            + html_table(
                switching(shown, shown.round),
                caption=_("Switches in round {number}").format(number=format_number(shown.round)),
                corner=_("from \\ to"),
                cell=count_text,
                colours=shown.colours,
                kind="switching-round",
            )
        )


@solara.component
def GamePage(directory: str | Path | None = None) -> None:
    """A saved game's market: its name, the rounds played, each firm's share, and the tabs
    of :data:`GAME_TABS`, at the end of the round picked; Reload reads the folder again.

    Parameters
    ----------
    directory : str or Path, optional
        The game's folder; by default the one named by the environment variable
        :data:`GAME_VARIABLE` (which ``crmsim app --game DIR`` sets).
    """
    folder = directory if directory is not None else os.environ.get(GAME_VARIABLE)
    first_game, first_message = solara.use_memo(lambda: _load(folder), [])
    game = solara.use_reactive(first_game)
    message = solara.use_reactive(first_message)
    # The round picked; None follows the latest round played.
    picked = solara.use_reactive(None)
    tab = solara.use_reactive(0)

    def reload() -> None:
        again, problem = _load(folder)
        if again is None:
            # The game read last stays on the screen, with the reason it was not read again.
            message.set(problem)
            return
        game.set(again)
        message.set(None)
        picked.set(None)

    played = game.value.round if game.value is not None else 0

    def pick(label: str) -> None:
        chosen = int(label.split()[-1])
        picked.set(None if chosen == played else chosen)

    number = played if picked.value is None else min(picked.value, played)
    shown = solara.use_memo(
        lambda: standing(game.value, number) if game.value is not None else None,
        [game.value, number],
    )
    # The figures drawn for the round shown, by tab: a tab opened again is not drawn again.
    images = solara.use_memo(dict, [shown])

    solara.Style(views._STYLE + _STYLE)
    with localized(), solara.Column(gap="8px", style={"padding": "4px 12px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="16px"):
            if shown is not None:
                solara.Text(shown.name, classes=["crmsim-game-title"])
                progress = (
                    _("Round {played} of {rounds} played · the game is over")
                    if shown.played >= shown.rounds
                    else _("Round {played} of {rounds} played")
                )
                solara.Text(
                    progress.format(
                        played=format_number(shown.played), rounds=format_number(shown.rounds)
                    ),
                    style={"font-weight": "500", "font-size": "1.15rem"},
                )
                if played:
                    with solara.Div(style={"width": "12rem"}):
                        solara.Select(
                            _("Show the market after"),
                            value=round_labels([number])[0],
                            values=round_labels(range(1, played + 1)),
                            on_value=pick,
                        )
            solara.Button(_("Reload"), icon_name="mdi-refresh", outlined=True, on_click=reload)
        if message.value:
            solara.Error(message.value)
        if shown is None:
            return
        if shown.round == 0:
            solara.Info(
                _(
                    "No round has been played yet. Play one with crmsim game round, then press "
                    "Reload."
                )
            )
            return
        if shown.round < shown.played:
            solara.Text(
                _(
                    "Showing the market at the end of round {number} (week {week}); the latest "
                    "round played is {played}."
                ).format(
                    number=format_number(shown.round),
                    week=format_number(shown.last_week),
                    played=format_number(shown.played),
                ),
                classes=["crmsim-settings"],
            )
        FirmBoxes(shown)
        GameViews(shown, tab, images)


#: The element ``crmsim app --game DIR`` serves (``solara run crmsim.app.game:page``).
page = GamePage()
