"""Debriefs of the CRM game: after each round, one HTML report per team and one for the class.

A team's report answers the questions a team asks after a round: how big are we against the
others, how deep are our relationships (stages) and how loyal our customers (tiers), how long
did the customers we won each round stay, who left us, why and for whom, did referrals work,
what did each lever cost and what did it bring, and what would one other decision have
changed. The class report puts all firms side by side: shares, customers and profit per
round, the scoreboard and who took customers from whom.

Every report is one HTML file that opens in a browser straight from the disk: the figures are
PNG images inside the page (``data:`` URIs drawn with matplotlib's Agg renderer), the style
sheet is inside the page too, and nothing is fetched from anywhere else. The figures are made
as plain :class:`~matplotlib.figure.Figure` objects, never through :mod:`matplotlib.pyplot`,
so drawing them neither needs nor changes a backend and leaves no open figure behind.

Reports are written in the language in use (:mod:`crmsim.i18n`). In Persian a page is
``lang="fa" dir="rtl"``, its words come from ``game.po``, its numbers are in Persian digits, and
the Vazirmatn typeface is inside the page (a ``data:`` URL) and in the figures, so that a
Persian report too opens from the disk with nothing fetched. Firm names, which the teams chose,
are shown as they are.

Rounds are consecutive blocks of ``round_weeks`` weeks from week 0 (round 1 is weeks
``0 .. round_weeks - 1``); the last round may be under way. Each firm keeps one colour in
every figure of every report.

Examples
--------
>>> import tempfile
>>> from crmsim import CRMModel, Firm, Policy
>>> firms = [Firm("Team A", Policy()), Firm("Rival", Policy(discount=0.1))]
>>> model = CRMModel(n_customers=300, firms=firms, rng=1)
>>> model.run(8)
>>> with tempfile.TemporaryDirectory() as folder:
...     paths = write_debriefs(model.firm_frame, model.losses, round_weeks=4,
...                            teams=["Team A"], out=Path(folder))
...     [path.name for path in paths]
['class.html', 'team-team-a.html']
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from crmsim import plots, typefaces
from crmsim.books import COST_COLUMNS
from crmsim.i18n import N_, _, format_number, get_language, pgettext, right_to_left
from crmsim.plots import OKABE_ITO, STAGE_COLOURS, TIER_COLOURS
from crmsim.stages import CHURN_CAUSES

#: The stages of a running relationship (dissolution is shown as churn instead).
RELATIONSHIP_STAGES = ("exploration", "expansion", "commitment")
#: The tiers a customer can hold (prospects are not customers yet).
CUSTOMER_TIERS = ("actual", "loyal", "marketer")
CAUSE_COLUMNS = tuple(f"lost_{cause}" for cause in CHURN_CAUSES)
#: Columns of the firm frame every report needs.
FRAME_COLUMNS_NEEDED = (
    "week",
    "firm",
    "active",
    "share",
    "acquired",
    "lost",
    "profit",
    *RELATIONSHIP_STAGES,
    *CUSTOMER_TIERS,
    "referrals",
    "referral_conversions",
    *CAUSE_COLUMNS,
)
#: Columns of the loss log the reports read (``firm`` and ``to_firm`` only with several firms).
LOSSES_COLUMNS_NEEDED = ("week", "spell_start", "cause", "firm", "to_firm")
#: Columns a what-if replay must have to be compared with what happened.
WHAT_IF_COLUMNS_NEEDED = ("week", "active", "share", "profit", "lost")
#: Frame columns counting relationships that begin in a week: each starts a spell in the loss
#: log's sense (``spell_start``), so a round's cohort is their sum over the round.
SPELL_START_COLUMNS = ("acquired", "won_back", "returned", "won_from_rival")
#: What a lever may bring, shown per round when the frame has the column.
GAIN_COLUMNS = ("acquired", "won_back", "returned", "won_from_rival", "repeat_spend")

#: The sections of a team's report: id and heading.
TEAM_SECTIONS = {
    "summary": N_("In short"),
    "shares": N_("Market shares"),
    "stages": N_("Your customers by relationship stage"),
    "tiers": N_("Your customers by tier"),
    "cohorts": N_("How long each round's new customers stayed"),
    "churn": N_("Who left you, why, and where they went"),
    "referrals": N_("Referrals"),
    "levers": N_("What each lever cost and what it brought"),
    "what-if": N_("What one other decision would have changed"),
    "scoreboard": N_("Scoreboard"),
}
#: The sections of the class report: id and heading (in English: the page shows them in the
#: language in use).
CLASS_SECTIONS = {
    "summary": N_("The market in short"),
    "shares": N_("Market shares"),
    "firms": N_("Customers and profit per firm and round"),
    "scoreboard": N_("Scoreboard"),
    "switching": N_("Who took customers from whom"),
}

#: Firm colours in order of the firms in the frame: Okabe-Ito first, yellow last (pale on white).
_FIRM_PALETTE = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "black",
        "grey",
        "yellow",
    )
)
_LEVER_PALETTE = (*_FIRM_PALETTE, "#8C564B", "#17BECF", "#BCBD22")
_CAUSE_COLOURS = dict(
    zip(
        CHURN_CAUSES,
        (
            OKABE_ITO["vermillion"],
            OKABE_ITO["orange"],
            OKABE_ITO["reddish_purple"],
            OKABE_ITO["grey"],
            OKABE_ITO["sky_blue"],
        ),
        strict=True,
    )
)
#: Small figures read on a laptop screen next to a table, not projected in a lecture room.
_STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 100,
}
_WIDE = (7.2, 2.9)
_PAIR = (7.2, 2.7)
_LABELS = {
    "acquired": N_("new customers"),
    "won_back": N_("won back"),
    "returned": N_("came back"),
    "won_from_rival": N_("won from rivals"),
    "repeat_spend": N_("repeat spend"),
    "referrals": N_("referrals made"),
    "referral_conversions": N_("referrals converted"),
    "cost": N_("all costs"),
    "to_firm": N_("went to"),
    "referrals_none": N_("referrals (no motive)"),
    "revenue": N_("revenue"),
    "profit": N_("profit"),
    "joined": N_("joined"),
    "all rounds": N_("all rounds"),
    "converted share": N_("converted share"),
    "run by": N_("run by"),
    "lost to rivals": N_("lost to rivals"),
    "won from rivals": N_("won from rivals"),
}
#: What the parts of a column name after ``cost_`` and ``referrals_`` are called.
_COST_NAMES = {
    "goods": N_("goods"),
    "service": N_("service"),
    "respect": N_("respect"),
    "recovery": N_("recovery"),
    "channels": N_("channels"),
    "gifts": N_("gifts"),
    "rewards": N_("rewards"),
    "win_back": N_("win back"),
    "advertising": N_("advertising"),
}
_MOTIVE_NAMES = {
    "respect": N_("respect"),
    "discount": N_("discount"),
    "gift": N_("gift"),
    "reward": N_("reward"),
}
#: Where customers went who left for no firm of the game (the market's outside options).
_NO_FIRM = N_("no firm of the game")
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
       color: #1a1a1a; background: #fafafa; line-height: 1.45; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #0072B2; padding-bottom: 0.2rem;
     margin-top: 2.2rem; }
nav { font-size: 0.9rem; margin: 0.5rem 0 1rem; }
nav a { margin-right: 0.8rem; color: #0072B2; }
section#summary p { font-size: 1.08rem; }
figure { margin: 0.8rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption, .note { font-size: 0.88rem; color: #555; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.88rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; }
td { text-align: right; font-variant-numeric: tabular-nums; }
th[scope=row] { text-align: left; font-weight: 500; white-space: nowrap; }
thead th { background: #f0f0f0; }
.scroll { overflow-x: auto; }
tr.you { background: #fff1c1; font-weight: 600; }
"""


#: The Persian typeface inside a Persian page, so that it reads the same on every computer.
_PERSIAN_FONT = typefaces.FONT_DIR / "Vazirmatn-Regular.ttf"
#: What a right-to-left page changes in the style sheet: tables, captions and the round
#: labels line up on the right.
_RTL_CSS = """
body { font-family: "Vazirmatn", system-ui, sans-serif; }
nav a { margin-right: 0; margin-left: 0.8rem; }
caption, th[scope=row] { text-align: right; }
td { text-align: left; }
"""


def _font_face() -> str:
    """The Persian typeface as an ``@font-face`` rule with the font file inside it."""
    data = base64.b64encode(_PERSIAN_FONT.read_bytes()).decode("ascii")
    return (
        '@font-face { font-family: "Vazirmatn"; font-style: normal; font-weight: 400; '
        f'src: url("data:font/ttf;base64,{data}") format("truetype"); }}\n'
    )


def write_debriefs(
    firm_frame: pd.DataFrame,
    losses: pd.DataFrame,
    *,
    round_weeks: int,
    teams: Sequence[str],
    out: Path,
    what_if: Mapping[str, pd.DataFrame] | None = None,
    scoreboard: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the class report and one report per team as self-contained HTML files.

    Parameters
    ----------
    firm_frame : pandas.DataFrame
        One row per week and firm for every week so far (``CRMModel.firm_frame``): ``week``,
        ``firm`` and the weekly counts of that firm's customers, with ``share``.
    losses : pandas.DataFrame
        Every departure so far (``CRMModel.losses``): ``week``, ``spell_start``, ``cause``,
        ``firm`` (the firm left) and ``to_firm`` (the firm gone to, ``""`` if none). May be
        empty. With a single firm, ``firm`` and ``to_firm`` may be absent.
    round_weeks : int
        Weeks per round, >= 1; rounds are consecutive blocks of weeks from week 0 and the
        last one may be incomplete.
    teams : sequence of str
        The firms run by teams of students; each gets a report. Computer rivals get none but
        appear in the class report and in every figure of the market.
    out : pathlib.Path
        Folder to write into (made if missing). Existing reports there are overwritten.
    what_if : mapping of str to pandas.DataFrame, optional
        Per team (any subset of ``teams``), that team's rows of the last round replayed with
        one decision changed: the columns of ``firm_frame`` (at least
        :data:`WHAT_IF_COLUMNS_NEEDED`), the change in ``frame.attrs["change"]`` (a dict of
        lever to new value). The report compares it with what happened. A frame with a
        ``case`` column (both the rows as played and the replay's) is read by its
        ``"what_if"`` rows.
    scoreboard : pandas.DataFrame, optional
        Index the firm names (or a ``firm`` column of them), columns the measures and
        ``score``; shown in the class report and, with the team's row highlighted, in each
        team's report. An empty one counts as none.

    Returns
    -------
    list of pathlib.Path
        ``out / "class.html"`` followed by ``out / "team-<slug>.html"`` for each team, in the
        order of ``teams``; the slug is the name in lower case with every character other
        than a-z and 0-9 replaced by ``-``.

    Raises
    ------
    ValueError
        With a one-line message naming the culprit: a missing column, ``round_weeks`` < 1, a
        team that is not a firm of the frame, two teams sharing a file name, a what-if for an
        unknown team or for weeks the frame does not have, a scoreboard without ``score``.

    Examples
    --------
    >>> import tempfile
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=200, rng=3)
    >>> model.run(6)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_debriefs(model.firm_frame, model.losses, round_weeks=3,
    ...                            teams=["Firm"], out=Path(folder))
    ...     "Firm" in paths[1].read_text(encoding="utf-8")
    True
    """
    round_weeks = _round_length(round_weeks)
    frame = _checked_frame(firm_frame)
    firms = [str(firm) for firm in pd.unique(frame["firm"])]
    team_names = _checked_teams(teams, firms)
    market = _Market(
        frame=frame,
        losses=_checked_losses(losses, firms),
        rounds=_Rounds(round_weeks, int(frame["week"].max())),
        firms=firms,
        teams=team_names,
        colours=firm_colours(firms),
    )
    replays = _checked_what_if(what_if, team_names, market)
    board = _checked_scoreboard(scoreboard)

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context(_STYLE | typefaces.figure_style()):
        paths = [_write(folder / "class.html", _class_report(market, board))]
        for team in team_names:
            report = _team_report(market, team, replays.get(team), board)
            paths.append(_write(folder / f"team-{_slug(team)}.html", report))
    return paths


# ---------------------------------------------------------------------------- the market
@dataclass(frozen=True)
class _Rounds:
    """Rounds of ``length`` weeks from week 0, up to and including ``last_week``."""

    length: int
    last_week: int

    @property
    def count(self) -> int:
        return self.last_week // self.length + 1

    def of(self, weeks: Any) -> np.ndarray:
        return np.asarray(weeks, dtype=np.int64) // self.length

    def first_week(self, number: int) -> int:
        return number * self.length

    def end_week(self, number: int) -> int:
        return min((number + 1) * self.length - 1, self.last_week)

    def weeks_played(self, number: int) -> int:
        return self.end_week(number) - self.first_week(number) + 1

    def complete(self, number: int) -> bool:
        return self.weeks_played(number) == self.length

    def labels(self) -> list[str]:
        return [_round_name(number + 1) for number in range(self.count)]


@dataclass(frozen=True)
class _Market:
    """The validated inputs every section reads."""

    frame: pd.DataFrame
    losses: pd.DataFrame
    rounds: _Rounds
    firms: list[str]
    teams: list[str]
    colours: dict[str, str]

    def rows(self, firm: str) -> pd.DataFrame:
        """The firm's rows indexed by week, one per week of the frame (missing weeks zero)."""
        mine = self.frame[self.frame["firm"] == firm].set_index("week").sort_index()
        weeks = np.sort(self.frame["week"].unique())
        return mine.drop(columns="firm").reindex(weeks, fill_value=0)

    def by_firm(self, column: str) -> pd.DataFrame:
        """One column of the frame as a table: index week, one column per firm."""
        table = self.frame.pivot(index="week", columns="firm", values=column)
        return table.reindex(columns=self.firms).sort_index().fillna(0)

    def per_round(self, rows: pd.DataFrame, columns: Sequence[str], how: str) -> pd.DataFrame:
        """``columns`` of week-indexed ``rows`` summed over each round, or taken at its end."""
        grouped = rows[list(columns)].groupby(self.rounds.of(rows.index))
        table = grouped.sum() if how == "sum" else grouped.last()
        table = table.reindex(range(self.rounds.count), fill_value=0)
        table.index = self.rounds.labels()
        return table

    def departures(self, firm: str) -> pd.DataFrame:
        return self.losses[self.losses["firm"] == firm]


def firm_colours(firms: Sequence[str]) -> dict[str, str]:
    """A colour for each firm, in the game's order of firms: the same firm gets the same
    colour in every report and on the dashboard's game page.

    Examples
    --------
    >>> firm_colours(["Team A", "Team B"])
    {'Team A': '#0072B2', 'Team B': '#E69F00'}
    """
    extra = mpl.colormaps["tab20"]
    return {
        firm: _FIRM_PALETTE[i] if i < len(_FIRM_PALETTE) else to_hex(extra(i % 20))
        for i, firm in enumerate(firms)
    }


# ---------------------------------------------------------------------------- validation
def _round_length(round_weeks: Any) -> int:
    if isinstance(round_weeks, bool) or not isinstance(round_weeks, int | np.integer):
        raise ValueError(f"round_weeks must be an integer >= 1, got {round_weeks!r}")
    if round_weeks < 1:
        raise ValueError(f"round_weeks must be an integer >= 1, got {round_weeks!r}")
    return int(round_weeks)


def _missing(frame: pd.DataFrame, needed: Sequence[str]) -> list[str]:
    return [column for column in needed if column not in frame.columns]


def _checked_frame(firm_frame: Any) -> pd.DataFrame:
    if not isinstance(firm_frame, pd.DataFrame):
        raise ValueError(
            f"firm_frame must be a pandas DataFrame (model.firm_frame), got "
            f"{type(firm_frame).__name__}"
        )
    missing = _missing(firm_frame, FRAME_COLUMNS_NEEDED)
    if missing:
        raise ValueError(f"firm_frame lacks the column(s) {missing}: pass the model's firm_frame")
    if len(firm_frame) == 0:
        raise ValueError("firm_frame has no rows: run the market for at least one week")
    frame = firm_frame.copy()
    frame["firm"] = frame["firm"].astype(str)
    frame["week"] = frame["week"].astype(np.int64)
    if (frame["week"] < 0).any():
        raise ValueError(f"firm_frame's week must be >= 0, got {int(frame['week'].min())}")
    twice = frame.duplicated(["week", "firm"])
    if twice.any():
        first = frame[twice].iloc[0]
        raise ValueError(
            f"firm_frame has more than one row for week {int(first['week'])} and firm "
            f"{first['firm']!r}"
        )
    return frame


def _checked_teams(teams: Any, firms: list[str]) -> list[str]:
    if isinstance(teams, str) or not isinstance(teams, Sequence):
        raise ValueError(f"teams must be a sequence of firm names, got {teams!r}")
    names: list[str] = []
    files: dict[str, str] = {}
    for team in teams:
        if not isinstance(team, str) or team not in firms:
            raise ValueError(
                f"team {team!r} is not a firm in firm_frame (its firms: "
                f"{', '.join(map(repr, firms))})"
            )
        if team in names:
            raise ValueError(f"team {team!r} is listed twice in teams")
        slug = _slug(team)
        if slug in files:
            raise ValueError(
                f"teams {files[slug]!r} and {team!r} would share the report file "
                f"team-{slug}.html: rename one"
            )
        files[slug] = team
        names.append(team)
    return names


def _checked_losses(losses: Any, firms: list[str]) -> pd.DataFrame:
    if not isinstance(losses, pd.DataFrame):
        raise ValueError(
            f"losses must be a pandas DataFrame (model.losses), got {type(losses).__name__}"
        )
    log = losses.copy()
    if len(log) == 0:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in LOSSES_COLUMNS_NEEDED})
    # A one-firm model's loss log has no firm columns: everyone who left, left that firm.
    if len(firms) == 1:
        if "firm" not in log.columns:
            log["firm"] = firms[0]
        if "to_firm" not in log.columns:
            log["to_firm"] = ""
    missing = _missing(log, LOSSES_COLUMNS_NEEDED)
    if missing:
        raise ValueError(f"losses lacks the column(s) {missing}: pass the model's losses")
    log["firm"] = log["firm"].astype(str)
    log["to_firm"] = log["to_firm"].fillna("").astype(str)
    known = set(firms)
    for column, allowed in (("firm", known), ("to_firm", known | {""})):
        strange = sorted(set(log[column]) - allowed)
        if strange:
            raise ValueError(
                f"losses' {column} names {strange[0]!r}, which is not a firm in firm_frame"
            )
    return log


def _checked_what_if(what_if: Any, teams: list[str], market: _Market) -> dict[str, pd.DataFrame]:
    if what_if is None:
        return {}
    if not isinstance(what_if, Mapping):
        raise ValueError(
            f"what_if must be a mapping of team name to frame, got {type(what_if).__name__}"
        )
    replays = {}
    weeks = set(market.frame["week"])
    for team, replay in what_if.items():
        if team not in teams:
            raise ValueError(f"what_if names {team!r}, which is not one of the teams")
        if replay is None:
            continue
        name = f"what_if[{team!r}]"
        if not isinstance(replay, pd.DataFrame):
            raise ValueError(f"{name} must be a pandas DataFrame, got {type(replay).__name__}")
        missing = _missing(replay, WHAT_IF_COLUMNS_NEEDED)
        if missing:
            raise ValueError(f"{name} lacks the column(s) {missing}")
        rows = replay
        if "firm" in rows.columns:
            rows = rows[rows["firm"].astype(str) == team]
        # a frame of both cases ("played" and "what_if"): the replay is the what-if rows
        if "case" in rows.columns:
            rows = rows[rows["case"] == "what_if"]
        if len(rows) == 0:
            raise ValueError(f"{name} has no rows for {team!r}")
        if rows["week"].duplicated().any():
            raise ValueError(f"{name} has more than one row for a week")
        outside = sorted(set(rows["week"].astype(np.int64)) - weeks)
        if outside:
            raise ValueError(f"{name} covers week {outside[0]}, which firm_frame does not have")
        rows = rows.set_index(rows["week"].astype(np.int64)).sort_index()
        rows.attrs = dict(replay.attrs)
        replays[team] = rows
    return replays


def _checked_scoreboard(scoreboard: Any) -> pd.DataFrame | None:
    if scoreboard is None:
        return None
    if not isinstance(scoreboard, pd.DataFrame):
        raise ValueError(f"scoreboard must be a pandas DataFrame, got {type(scoreboard).__name__}")
    if "score" not in scoreboard.columns:
        raise ValueError("scoreboard lacks the column 'score'")
    board = scoreboard.copy()
    # a ranked table with the names in a "firm" column reads the same as one indexed by them
    if "firm" in board.columns:
        board = board.set_index("firm")
    board.index = board.index.map(str)
    if board.index.duplicated().any():
        raise ValueError(
            f"scoreboard names the firm {board.index[board.index.duplicated()][0]!r} twice"
        )
    return board if len(board) else None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "-", name.lower())


# ---------------------------------------------------------------------------- HTML pieces
def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _page(title: str, subtitle: str, sections: dict[str, str], headings: dict[str, str]) -> str:
    links = "".join(f'<a href="#{key}">{_esc(_(headings[key]))}</a>' for key in sections)
    body = "\n".join(
        f'<section id="{key}">\n<h2>{_esc(_(headings[key]))}</h2>\n{content}\n</section>'
        for key, content in sections.items()
    )
    language = get_language()
    direction = ' dir="rtl"' if right_to_left() else ""
    css = _font_face() + _CSS + _RTL_CSS if right_to_left() else _CSS
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}"{direction}>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{_esc(title)}</h1>\n<p class="note">{_esc(subtitle)}</p>\n'
        f"<nav>{links}</nav>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return _("yes") if value else _("no")
    if isinstance(value, int | np.integer):
        return format_number(int(value), ",")
    if isinstance(value, float | np.floating):
        if float(value).is_integer():
            return format_number(int(value), ",")
        return format_number(value, ",.0f" if abs(value) >= 100 else ",.2f")
    return _esc(value)


def _percent(value: Any) -> str:
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "–"
    return _("{value} %").format(value=format_number(100 * float(value), ".1f"))


def _money(value: Any) -> str:
    return format_number(float(value), ",.0f")


def _round_name(number: int) -> str:
    """A round's name in tables: ``round 2``."""
    return _("round {number}").format(number=format_number(number))


def _round_short(number: int) -> str:
    """A round's short name on a figure's axis: ``R2``."""
    return _("R{number}").format(number=format_number(number))


def _table(
    frame: pd.DataFrame,
    *,
    caption: str,
    corner: str = "",
    cell: Callable[[Any], str] = _number,
    highlight: str | None = None,
    table_id: str | None = None,
) -> str:
    """``frame`` as an HTML table: index as row headers, every text escaped."""
    ident = f' id="{_esc(table_id)}"' if table_id else ""
    head = f'<th scope="col">{_esc(corner)}</th>' + "".join(
        f'<th scope="col">{_esc(_label(column))}</th>' for column in frame.columns
    )
    body = []
    for key, row in frame.iterrows():
        you = ' class="you"' if highlight is not None and str(key) == highlight else ""
        cells = "".join(f"<td>{cell(value)}</td>" for value in row.to_numpy(dtype=object))
        body.append(f'<tr{you}><th scope="row">{_esc(key)}</th>{cells}</tr>')
    return (
        f'<div class="scroll"><table{ident}><caption>{_esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _label(column: Any) -> str:
    """A column's name in the language in use; names it does not know (firms', rounds') as
    they are, with ``_`` as spaces."""
    name = str(column)
    if name in _LABELS:
        return _(_LABELS[name])
    if name in RELATIONSHIP_STAGES:
        return pgettext("stage", name)
    if name in CUSTOMER_TIERS:
        return pgettext("tier", name)
    rest = name.partition("_")[2]
    if name.startswith("cost_"):
        return _(_COST_NAMES[rest]) if rest in _COST_NAMES else rest.replace("_", " ")
    if name.startswith("referrals_"):
        motive = _(_MOTIVE_NAMES[rest]) if rest in _MOTIVE_NAMES else rest.replace("_", " ")
        return _("referrals ({motive})").format(motive=motive)
    if name.startswith("lost_"):
        return pgettext("cause", rest) if rest in CHURN_CAUSES else rest.replace("_", " ")
    return name.replace("_", " ")


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def _ordinal(number: int) -> str:
    if get_language() != "en":  # the Persian sentences say "rank 2", which needs no suffix
        return format_number(number)
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


# ---------------------------------------------------------------------------- figures
def _figure(size: tuple[float, float], panels: int = 1) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, list(fig.subplots(1, panels, squeeze=False)[0])


def _image(fig: Figure, alt: str, caption: str) -> str:
    """The figure as an inline PNG in a ``<figure>``; the figure is cleared afterwards."""
    plots.localize(fig)  # Persian digits on the axes, and the typeface on every text
    buffer = BytesIO()
    # no "Software" entry: the PNG then names no web address, even inside its bytes
    fig.savefig(buffer, format="png", metadata={"Software": None})
    fig.clear()
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(alt)}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _plain(name: str) -> str:
    """A name as matplotlib should print it: no mathtext, not hidden from the legend."""
    text = name.replace("$", r"\$")
    return " " + text if text.startswith("_") else text


def _mark_rounds(ax: Axes, rounds: _Rounds) -> None:
    mark_rounds(ax, rounds.length, rounds.last_week)


def mark_rounds(ax: Axes, round_weeks: int, last_week: int, *, large: bool = False) -> None:
    """Dotted lines between a game's rounds on a weekly axis and the rounds' numbers (R1, R2,
    ...) along the top, up to ``last_week``; ``large`` for a projector (the dashboard)."""
    rounds = _Rounds(round_weeks, last_week)
    line_colour, text_colour = ("#555555", "#333333") if large else ("#777777", "#555555")
    for number in range(1, rounds.count):
        ax.axvline(
            rounds.first_week(number) - 0.5,
            color=line_colour,
            lw=1.2 if large else 0.8,
            ls=":",
            zorder=0,
        )
    for number in range(rounds.count):
        middle = (rounds.first_week(number) + rounds.end_week(number)) / 2
        ax.text(
            middle,
            1.01,
            _round_short(number + 1),
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=11 if large else 7,
            color=text_colour,
        )
    ax.set_xlim(-0.5, last_week + 0.5)
    ax.set_xlabel(_("week"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _legend_right(ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _shares_figure(market: _Market, team: str | None) -> str:
    shares = market.by_firm("share")
    fig, (ax,) = _figure(_WIDE)
    for firm in market.firms:
        mine = firm == team
        ax.plot(
            shares.index,
            shares[firm].to_numpy(),
            color=market.colours[firm],
            lw=2.6 if mine else 1.4,
            alpha=1.0 if team is None or mine else 0.75,
            label=_plain(firm),
        )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(_("share of customers"))
    ax.set_ylim(0, max(0.05, float(shares.to_numpy().max()) * 1.1))
    _mark_rounds(ax, market.rounds)
    _legend_right(ax)
    if team is None:
        alt = _("Market share of each firm week by week")
    else:
        alt = _("Market share of {team} (thick line) and the other firms week by week").format(
            team=team
        )
    return _image(
        fig,
        alt,
        _("Share of all the market's customers, week by week; dotted lines separate the rounds."),
    )


def _stack_figure(
    market: _Market, rows: pd.DataFrame, columns: Sequence[str], colours: Mapping[str, str]
) -> str:
    fig, (ax,) = _figure(_WIDE)
    ax.stackplot(
        rows.index,
        *(rows[column].to_numpy(dtype=float) for column in columns),
        colors=[colours[column] for column in columns],
        labels=[_label(column) for column in columns],
    )
    ax.set_ylabel(_("customers"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _mark_rounds(ax, market.rounds)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _image(
        fig,
        _("Customers by {groups} week by week").format(groups=_(" , ").join(map(_label, columns))),
        _("Your customers each week, stacked by {groups}.").format(
            groups=_(", ").join(map(_label, columns))
        ),
    )


def _bars(
    ax: Axes,
    table: pd.DataFrame,
    colours: Mapping[str, str],
    *,
    stacked: bool,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Bars per row of ``table`` (one group per round), a colour per column."""
    x = np.arange(len(table))
    width = 0.8 if stacked else 0.8 / max(1, len(table.columns))
    bottom = np.zeros(len(table))
    for i, column in enumerate(table.columns):
        values = table[column].to_numpy(dtype=float)
        offset = 0.0 if stacked else (i - (len(table.columns) - 1) / 2) * width
        ax.bar(
            x + offset,
            values,
            width,
            bottom=bottom if stacked else None,
            color=colours[column],
            label=_plain((labels or {}).get(column, _label(column))),
        )
        if stacked:
            bottom = bottom + values
    # the rows are the rounds, in order (market.per_round)
    ax.set_xticks(x, [_round_short(number + 1) for number in range(len(table))])
    ax.axhline(0, color="#333333", lw=0.6)


# ---------------------------------------------------------------------------- team report
def _team_report(
    market: _Market, team: str, replay: pd.DataFrame | None, board: pd.DataFrame | None
) -> str:
    rows = market.rows(team)
    sections = {
        "summary": _team_summary(market, team, rows, board),
        "shares": _shares_section(market, team),
        "stages": _stack_section(market, rows, RELATIONSHIP_STAGES, STAGE_COLOURS, "stage"),
        "tiers": _stack_section(market, rows, CUSTOMER_TIERS, TIER_COLOURS, "tier"),
        "cohorts": _cohort_section(market, team, rows),
        "churn": _churn_section(market, team, rows),
        "referrals": _referral_section(market, rows),
        "levers": _lever_section(market, rows),
        "what-if": _what_if_section(market, team, rows, replay),
        "scoreboard": _scoreboard_section(board, team),
    }
    rounds = market.rounds
    subtitle = _(
        "Debrief for {team} after week {week} (round {round}, rounds of {length} weeks). "
        "Week numbers start at 0."
    ).format(
        team=team,
        week=format_number(rounds.last_week),
        round=format_number(rounds.count),
        length=format_number(rounds.length),
    )
    return _page(_("Debrief: {team}").format(team=team), subtitle, sections, TEAM_SECTIONS)


def _team_summary(
    market: _Market, team: str, rows: pd.DataFrame, board: pd.DataFrame | None
) -> str:
    rounds = market.rounds
    current = rounds.count - 1
    last = rows.iloc[-1]
    customers = int(last["active"])
    everyone = market.by_firm("active").iloc[-1]
    rank = 1 + int((everyone > customers).sum())
    played = rounds.weeks_played(current)
    values = {
        "round": format_number(current + 1),
        "played": format_number(played),
        "length": format_number(rounds.length),
        "customers": f'<strong data-measure="customers">{format_number(customers, ",")}</strong>',
        "share": f'<strong data-measure="share">{_percent(last["share"])}</strong>',
        "rank": f'<strong data-measure="rank">{_ordinal(rank)}</strong>',
        "firms": format_number(len(market.firms)),
    }
    if rounds.complete(current):
        sentence = _(
            "You ended <strong>round {round}</strong> with {customers} customers, {share} of "
            "the market: {rank} of {firms} firms by customers."
        )
    else:
        sentence = _(
            "Round {round} is under way ({played} of {length} weeks played); so far you have "
            "{customers} customers, {share} of the market: {rank} of {firms} firms by customers."
        )
    numbers = f"<p>{sentence.format(**values)}</p>"
    in_round = rows.loc[rows.index >= rounds.first_week(current)]
    joined = int(sum(in_round[c].sum() for c in SPELL_START_COLUMNS if c in in_round))
    lost = int(in_round["lost"].sum())
    gone = market.departures(team)
    to_rivals = int(
        (
            (gone["week"].astype(np.int64) >= rounds.first_week(current)) & (gone["to_firm"] != "")
        ).sum()
    )
    flows = "<p>{}</p>".format(
        _(
            "In round {round} you welcomed <strong>{joined}</strong> new or returning customers "
            "and lost {lost}, {to_rivals} of them to a rival firm. Profit in the round: "
            "{profit_round}; since the start: {profit_total}."
        ).format(
            round=format_number(current + 1),
            joined=format_number(joined, ","),
            lost=f'<strong data-measure="lost">{format_number(lost, ",")}</strong>',
            to_rivals=format_number(to_rivals, ","),
            profit_round=(
                f'<strong data-measure="profit-round">{_money(in_round["profit"].sum())}</strong>'
            ),
            profit_total=(
                f'<strong data-measure="profit-total">{_money(rows["profit"].sum())}</strong>'
            ),
        )
    )
    standing = ""
    if board is not None and team in board.index:
        scores = pd.to_numeric(board["score"], errors="coerce")
        mine = float(scores[team])
        place = 1 + int((scores > mine).sum())
        standing = "<p>{}</p>".format(
            _("On the scoreboard you are {place} of {firms} with a score of {score}.").format(
                place=f'<strong data-measure="score-rank">{_ordinal(place)}</strong>',
                firms=format_number(len(board)),
                score=_number(mine),
            )
        )
    return numbers + flows + standing


def _shares_section(market: _Market, team: str | None) -> str:
    shares = market.per_round(market.by_firm("share"), market.firms, "last").T
    shares.index.name = None
    return _shares_figure(market, team) + _table(
        shares,
        caption=_("Share of the market's customers at the end of each round"),
        corner=_("firm"),
        cell=_percent,
        highlight=team,
        table_id="shares-table",
    )


def _stack_section(
    market: _Market,
    rows: pd.DataFrame,
    columns: Sequence[str],
    colours: Mapping[str, str],
    kind: str,
) -> str:
    ends = market.per_round(rows, columns, "last")
    explain = {
        "stage": _(
            "Relationships deepen from exploration (trying the firm) to expansion (buying "
            "more) to commitment (staying by choice)."
        ),
        "tier": _("Actual customers buy; loyal ones come back; marketers also recommend you."),
    }[kind]
    caption = {
        "stage": _("Your customers by stage at the end of each round"),
        "tier": _("Your customers by tier at the end of each round"),
    }[kind]
    return (
        _note(_esc(explain))
        + _stack_figure(market, rows, columns, colours)
        + _table(
            ends,
            caption=caption,
            corner=_("round"),
            table_id=f"{kind}s-table",
        )
    )


def _cohort_retention(market: _Market, team: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Share of each round's cohort still with the team at the end of each later round.

    A round's cohort is every relationship that began in it (new customers, customers taken
    from a rival, won back, or back of their own accord: the frame's
    :data:`SPELL_START_COLUMNS`); those of them who left are the loss log's departures from
    the team whose ``spell_start`` falls in that round. As the engine counts every
    relationship that begins in one of those columns and logs every one that ends, the
    survivors are exactly the firm's customers whose relationship began in that round; a
    frame lacking some of the columns makes the cohorts smaller than they were, and the
    shares an approximation (never below 0).
    """
    rounds = market.rounds
    starts = market.per_round(
        rows, [c for c in SPELL_START_COLUMNS if c in rows.columns], "sum"
    ).sum(axis=1)
    gone = market.departures(team)
    began = rounds.of(gone["spell_start"])
    ended = rounds.of(gone["week"])
    labels = rounds.labels()
    table = pd.DataFrame(np.nan, index=labels, columns=["joined", *labels])
    for cohort in range(rounds.count):
        size = float(starts.iloc[cohort])
        table.iloc[cohort, 0] = size
        for later in range(cohort, rounds.count):
            left = int(((began == cohort) & (ended <= later)).sum())
            if size > 0:
                table.iloc[cohort, 1 + later] = max(size - left, 0.0) / size
    return table


def _cohort_section(market: _Market, team: str, rows: pd.DataFrame) -> str:
    table = _cohort_retention(market, team, rows)
    rounds = market.rounds
    fig, (ax,) = _figure(_WIDE)
    ends = np.arange(rounds.count) + 1
    palette = mpl.colormaps["viridis"]
    for cohort in range(rounds.count):
        curve = table.iloc[cohort, 1:].to_numpy(dtype=float)
        ax.plot(
            ends,
            curve,
            marker="o",
            color=palette(cohort / max(1, rounds.count - 1) * 0.85),
            label=_("joined in {round}").format(round=_round_short(cohort + 1)),
        )
    ax.set_xticks(ends, [_("end {round}").format(round=_round_short(end)) for end in ends])
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(_("still with you"))
    _legend_right(ax)
    shown = table.copy()
    shown.columns = [
        _label("joined"),
        *(_("end of {round}").format(round=label) for label in table.columns[1:]),
    ]
    cells = shown.astype(object)
    cells.iloc[:, 1:] = cells.iloc[:, 1:].map(_percent)
    cells.iloc[:, 0] = cells.iloc[:, 0].map(_number)
    return (
        _note(
            _(
                "Each round's cohort is everyone whose relationship with you began in that round: "
                "new customers, customers taken from a rival, won back or back by themselves. The "
                "share still with you counts the members who have not left since (from the loss "
                "log); someone who left and came back later counts again, in the round they came "
                "back."
            )
        )
        + _image(
            fig,
            _("Share of each round's new customers still with the team, round by round"),
            _("Share of each round's cohort still with you at the end of that round and later."),
        )
        + _table(
            cells,
            caption=_("Cohorts: customers who joined each round and the share still with you"),
            corner=_("cohort"),
            cell=str,
            table_id="cohorts-table",
        )
    )


def _churn_section(market: _Market, team: str, rows: pd.DataFrame) -> str:
    causes = market.per_round(rows, CAUSE_COLUMNS, "sum")
    causes.columns = list(CHURN_CAUSES)
    gone = market.departures(team)
    no_firm = _(_NO_FIRM)
    destinations = gone["to_firm"].replace("", no_firm)
    order = [firm for firm in market.firms if firm != team]
    where = pd.crosstab(destinations, market.rounds.of(gone["week"])) if len(gone) else None
    table = pd.DataFrame(0, index=[*order, no_firm], columns=range(market.rounds.count))
    if where is not None:
        table = table.add(where, fill_value=0).reindex(index=table.index, columns=table.columns)
    table = table.fillna(0).astype(np.int64)
    table.columns = market.rounds.labels()
    table["all rounds"] = table.sum(axis=1)

    fig, (left, right) = _figure(_PAIR, panels=2)
    _bars(
        left,
        causes,
        _CAUSE_COLOURS,
        stacked=True,
        labels={cause: pgettext("cause", cause) for cause in CHURN_CAUSES},
    )
    left.set_ylabel(_("customers lost"))
    left.set_title(_("why they left"), loc="left")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_right(left)
    rivals = table.loc[order, "all rounds"]
    right.barh(
        [_plain(firm) for firm in order] or [""],
        rivals.to_numpy() if len(order) else [0],
        height=0.5,
        color=[market.colours[firm] for firm in order] or ["#ffffff"],
    )
    right.invert_yaxis()
    right.set_xlabel(_("customers"))
    right.set_title(_("went to a rival (all rounds)"), loc="left")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    figure = _image(
        fig,
        _("Customers lost by cause per round, and how many went to each rival"),
        _("Left: customers lost each round, by cause. Right: those who switched to each rival."),
    )
    shown_causes = causes.rename(columns={cause: pgettext("cause", cause) for cause in causes})
    return (
        figure
        + _table(
            shown_causes,
            caption=_("Customers lost each round, by cause"),
            corner=_("round"),
            table_id="causes-table",
        )
        + _table(
            table,
            caption=_("Where the customers who left you went"),
            corner=_label("to_firm"),
            table_id="destinations-table",
        )
    )


def _referral_section(market: _Market, rows: pd.DataFrame) -> str:
    table = market.per_round(rows, ["referrals", "referral_conversions"], "sum")
    made = table["referrals"].to_numpy(dtype=float)
    converted = table["referral_conversions"].to_numpy(dtype=float)
    rate = np.divide(converted, made, out=np.full_like(made, np.nan), where=made > 0)
    fig, (ax,) = _figure((5.4, 2.6))
    _bars(
        ax,
        table,
        {"referrals": OKABE_ITO["bluish_green"], "referral_conversions": OKABE_ITO["blue"]},
        stacked=False,
    )
    ax.set_ylabel(_("people"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_right(ax)
    shown = table.astype(object)
    shown["converted share"] = [_percent(value) for value in rate]
    return (
        _note(
            _(
                "Referrals made: recommendations your customers passed on. Converted: people who "
                "bought because of one."
            )
        )
        + _image(fig, _("Referrals made and converted per round"), _("Referrals per round."))
        + _table(
            shown,
            caption=_("Referrals made and converted each round"),
            corner=_("round"),
            cell=lambda value: value if isinstance(value, str) else _number(value),
            table_id="referrals-table",
        )
    )


def _lever_section(market: _Market, rows: pd.DataFrame) -> str:
    costs = [column for column in COST_COLUMNS if column in rows.columns]
    spent = market.per_round(rows, costs, "sum")
    used = [column for column in costs if (spent[column] != 0).any()]
    spent = spent[used]
    books = [column for column in ("revenue", "cost", "profit") if column in rows.columns]
    money = spent.join(market.per_round(rows, books, "sum"))
    gains = [column for column in GAIN_COLUMNS if column in rows.columns] + [
        column for column in rows.columns if column.startswith("referrals_")
    ]
    brought = market.per_round(rows, gains, "sum")

    fig, (left, right) = _figure(_PAIR, panels=2)
    colours = dict(zip(used, _LEVER_PALETTE * 2, strict=False))
    if used:
        _bars(left, spent, colours, stacked=True)
        _legend_right(left)
    left.set_ylabel(_("money"))
    left.set_title(_("what the levers cost"), loc="left")
    customers = [c for c in ("acquired", "won_back", "returned", "won_from_rival") if c in gains]
    _bars(
        right,
        brought[customers],
        dict(zip(customers, _LEVER_PALETTE[2:], strict=False)),
        stacked=False,
    )
    right.set_ylabel(_("customers"))
    right.set_title(_("customers they brought"), loc="left")
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_right(right)
    unused = [_label(column) for column in costs if column not in used]
    return (
        _image(
            fig,
            _("Spending per lever and round, and the customers gained per round"),
            _("Left: money spent on each lever per round. Right: customers gained per round."),
        )
        + _table(
            money,
            caption=_("What you spent per round, with revenue and profit"),
            corner=_("round"),
            cell=_money,
            table_id="spending-table",
        )
        + (
            _note(
                _esc(
                    _("Levers that cost nothing so far: {levers}.").format(
                        levers=_(", ").join(unused)
                    )
                )
            )
            if unused
            else ""
        )
        + _table(
            brought,
            caption=_("What came in per round"),
            corner=_("round"),
            table_id="gains-table",
        )
    )


def _describe_change(replay: pd.DataFrame) -> str:
    change = replay.attrs.get("change")
    if isinstance(change, Mapping) and change:
        # the levers keep their code names: they are what a decision file is written in
        return _(", ").join(f"{key} = {_shown_value(value)}" for key, value in change.items())
    return _("one decision (not recorded)")


def _shown_value(value: Any) -> str:
    """A lever's value in a sentence: numbers in the language's digits, anything else as is."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return format_number(value)  # format(value, "") is str(value): English as it was
    return str(value)


def _what_if_section(
    market: _Market, team: str, rows: pd.DataFrame, replay: pd.DataFrame | None
) -> str:
    if replay is None:
        return _note(_("No replay with another decision was made for this round."))
    actual = rows.loc[replay.index]
    measures = {
        _("profit in those weeks"): (actual["profit"].sum(), replay["profit"].sum(), _money),
        _("customers at the end"): (
            actual["active"].iloc[-1],
            replay["active"].iloc[-1],
            _number,
        ),
        _("market share at the end"): (
            actual["share"].iloc[-1],
            replay["share"].iloc[-1],
            _percent,
        ),
        _("customers lost"): (actual["lost"].sum(), replay["lost"].sum(), _number),
    }
    if "churn_rate" in actual.columns and "churn_rate" in replay.columns:
        measures[_("mean weekly churn rate")] = (
            actual["churn_rate"].mean(),
            replay["churn_rate"].mean(),
            _percent,
        )
    body = []
    for name, (happened, changed, shown) in measures.items():
        difference = float(changed) - float(happened)
        sign = "+" if difference > 0 else ""
        # a difference of two shares is in percentage points, not a share of anything
        # rounded first, and + 0.0 turns a rounded -0.0 into 0.0
        points = round(100 * difference, 1) + 0.0
        if shown is _percent:
            step = _("{points} points").format(points=format_number(points, "+.1f"))
        else:
            step = sign + shown(difference)
        body.append(
            f'<tr><th scope="row">{_esc(name)}</th><td>{shown(happened)}</td>'
            f"<td>{shown(changed)}</td><td>{step}</td></tr>"
        )
    headings = "".join(
        f'<th scope="col">{_esc(text)}</th>'
        for text in (_("measure"), _("what happened"), _("with the change"), _("difference"))
    )
    table = (
        f'<table id="what-if-table"><caption>{_esc(_("What happened and what the replay gives"))}'
        f"</caption><thead><tr>{headings}</tr>"
        f"</thead><tbody>{''.join(body)}</tbody></table>"
    )
    fig, (left, right) = _figure(_PAIR, panels=2)
    colour = market.colours[team]
    for ax, column, title in (
        (left, "active", _("customers")),
        (right, "profit", _("profit so far")),
    ):
        happened = actual[column].to_numpy(dtype=float)
        changed = replay[column].to_numpy(dtype=float)
        if column == "profit":
            happened, changed = happened.cumsum(), changed.cumsum()
        ax.plot(actual.index, happened, color=colour, lw=2, label=_("what happened"))
        ax.plot(replay.index, changed, color="#333333", lw=1.6, ls="--", label=_("with the change"))
        ax.set_title(title, loc="left")
        ax.set_xlabel(_("week"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_right(right)
    sentence = _(
        "The replay ran weeks {first} to {last} again with <strong>{change}</strong> and "
        "everything else as it was."
    ).format(
        first=format_number(int(replay.index[0])),
        last=format_number(int(replay.index[-1])),
        change=_esc(_describe_change(replay)),
    )
    return (
        f"<p>{sentence}</p>"
        + table
        + _image(
            fig,
            _("Customers and cumulative profit: what happened against the replay"),
            _("Solid: what happened. Dashed: the same weeks with the one decision changed."),
        )
    )


def _scoreboard_section(board: pd.DataFrame | None, team: str | None) -> str:
    if board is None:
        return _note(_("No scoreboard was given for this round."))
    note = ""
    if team is not None:
        note = _note(_("Your row is highlighted.")) if team in board.index else ""
    return note + _table(
        board.rename(columns=_scoreboard_label),
        caption=_("Scoreboard"),
        corner=_("firm"),
        highlight=team,
        table_id="scoreboard-table",
    )


def _scoreboard_label(column: Any) -> str:
    """A scoreboard column's name in the language in use (its own name in English)."""
    from crmsim.game.scoreboard import MEASURES, measure_label

    name = str(column)
    if name in MEASURES:
        return measure_label(name) if get_language() != "en" else name
    if name.startswith("points_") and name.removeprefix("points_") in MEASURES:
        measure = measure_label(name.removeprefix("points_"))
        return _("points: {measure}").format(measure=measure) if get_language() != "en" else name
    if name in ("rank", "score"):
        return _(name)
    return name


# ---------------------------------------------------------------------------- class report
def _class_report(market: _Market, board: pd.DataFrame | None) -> str:
    sections = {
        "summary": _class_summary(market),
        "shares": _shares_section(market, None),
        "firms": _firms_section(market),
        "scoreboard": _scoreboard_section(board, None),
        "switching": _switching_section(market),
    }
    rounds = market.rounds
    subtitle = _(
        "All firms after week {week} (round {round}, rounds of {length} weeks). Teams: {teams}; "
        "every other firm is run by the computer."
    ).format(
        week=format_number(rounds.last_week),
        round=format_number(rounds.count),
        length=format_number(rounds.length),
        teams=_(", ").join(market.teams) or _("none"),
    )
    return _page(_("Debrief: the whole market"), subtitle, sections, CLASS_SECTIONS)


def _class_summary(market: _Market) -> str:
    rounds = market.rounds
    active = market.by_firm("active").iloc[-1]
    shares = market.by_firm("share").iloc[-1]
    profit = market.by_firm("profit").sum()
    total = int(active.sum())
    current = rounds.count
    if rounds.complete(current - 1):
        state = _("Round {round} ended.")
    else:
        state = _("Round {round} is under way.")
    leader = str(active.idxmax())
    richest = str(profit.idxmax())
    market_text = _(
        "{customers} customers buy from {firms} firms ({teams} run by teams). The largest is "
        "<strong>{leader}</strong> with {leader_customers} customers ({leader_share}); the most "
        "profitable so far is <strong>{richest}</strong> ({richest_profit})."
    ).format(
        customers=f'<strong data-measure="customers">{format_number(total, ",")}</strong>',
        firms=format_number(len(market.firms)),
        teams=format_number(len(market.teams)),
        leader=_esc(leader),
        leader_customers=format_number(int(active[leader]), ","),
        leader_share=_percent(shares[leader]),
        richest=_esc(richest),
        richest_profit=_money(profit[richest]),
    )
    return f"<p>{state.format(round=format_number(current))} {market_text}</p>"


def _firms_section(market: _Market) -> str:
    customers = market.per_round(market.by_firm("active"), market.firms, "last").T
    profit = market.per_round(market.by_firm("profit"), market.firms, "sum").T
    profit["all rounds"] = profit.sum(axis=1)
    kinds = pd.Series(
        [_("team") if firm in market.teams else _("computer") for firm in market.firms],
        index=market.firms,
    )
    customers.insert(0, "run by", kinds)

    fig, (ax,) = _figure(_WIDE)
    weekly = market.by_firm("active")
    for firm in market.firms:
        ax.plot(
            weekly.index, weekly[firm].to_numpy(), color=market.colours[firm], label=_plain(firm)
        )
    ax.set_ylabel(_("customers"))
    _mark_rounds(ax, market.rounds)
    _legend_right(ax)
    customers_figure = _image(
        fig, _("Customers per firm week by week"), _("Each firm's customers week by week.")
    )
    fig, (ax,) = _figure(_WIDE)
    per_round = profit.drop(columns="all rounds").T
    _bars(ax, per_round, market.colours, stacked=False, labels={f: f for f in market.firms})
    ax.set_ylabel(_("profit per round"))
    _legend_right(ax)
    profit_figure = _image(
        fig, _("Each firm's profit per round"), _("Each firm's profit per round.")
    )
    return (
        customers_figure
        + _table(
            customers,
            caption=_("Customers at the end of each round"),
            corner=_("firm"),
            table_id="customers-table",
        )
        + profit_figure
        + _table(
            profit,
            caption=_("Profit in each round"),
            corner=_("firm"),
            cell=_money,
            table_id="profit-table",
        )
    )


def switching_counts(switched: pd.DataFrame, firms: Sequence[str]) -> pd.DataFrame:
    """Switches between a game's firms: a row per firm left, a column per firm gone to, each
    firm's total lost to the others (column ``"lost to rivals"``) and won from them (row
    ``"won from rivals"``).

    ``switched`` are rows of a loss log (``firm``, ``to_firm``) of customers who went to
    another of ``firms``.
    """
    firms = list(firms)
    matrix = pd.crosstab(switched["firm"], switched["to_firm"]) if len(switched) else None
    table = pd.DataFrame(0, index=firms, columns=firms)
    if matrix is not None:
        table = table.add(matrix, fill_value=0).reindex(index=firms, columns=firms)
    table = table.fillna(0).astype(np.int64)
    table["lost to rivals"] = table.sum(axis=1)
    table.loc["won from rivals"] = table.sum(axis=0)
    return table


def _switching_section(market: _Market) -> str:
    log = market.losses
    switched = log[log["to_firm"] != ""]
    rounds = market.rounds
    last_round = switched[rounds.of(switched["week"]) == rounds.count - 1]
    parts = [
        _note(
            _(
                "Each row is the firm customers left, each column the firm they went to; "
                "customers who left for no other firm are not counted here."
            )
        )
    ]
    for subset, caption, ident in (
        (switched, _("Switches since the start"), "switching-table"),
        (
            last_round,
            _("Switches in round {round}").format(round=format_number(rounds.count)),
            "switching-round-table",
        ),
    ):
        table = switching_counts(subset, market.firms).astype(object)
        for firm in market.firms:
            table.loc[firm, firm] = None  # nobody switches to the firm they leave
        table.loc["won from rivals", "lost to rivals"] = None
        table = table.rename(index={"won from rivals": _label("won from rivals")})
        parts.append(_table(table, caption=caption, corner=_("from \\ to"), table_id=ident))
    return "".join(parts)
