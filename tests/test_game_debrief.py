"""The game's debriefs: one HTML report per team and one for the class, read back and checked.

The reports are built from a small market of three firms (two teams, one computer rival),
1,500 people, 26 weeks in rounds of 13, with a fixed seed. The numbers each report shows are
read back out of the HTML and compared with the frames they came from; a real browser opens
the files from the disk and must see every figure drawn.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmsim import CRMModel, Firm, Market, Policy
from crmsim.game.debrief import CLASS_SECTIONS, TEAM_SECTIONS, write_debriefs

TEAM_A = 'Team <A> & "Co"'
RIVAL = "Rival"
TEAM_B = "Team B"
FIRMS = (TEAM_A, RIVAL, TEAM_B)
TEAMS = (TEAM_A, TEAM_B)
ROUND_WEEKS = 13
WEEKS = 26
SEED = 7


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Game:
    """A small market played for two rounds, with Team B's second round replayed."""

    model: CRMModel
    frame: pd.DataFrame
    losses: pd.DataFrame
    replay: pd.DataFrame


def _play() -> Game:
    firms = [
        Firm(TEAM_A, Policy(service_quality=0.8)),
        Firm(RIVAL, Policy(discount=0.1), price=18.0),
        Firm(TEAM_B, Policy(respect=0.7)),
    ]
    model = CRMModel(n_customers=1_500, firms=firms, market=Market(), rng=SEED, streams="keyed")
    model.run(ROUND_WEEKS)
    # the second round once more from the same state, with one of Team B's decisions changed
    other = pickle.loads(pickle.dumps(model))
    other.set_policy(TEAM_B, Policy(respect=0.7, discount=0.2))
    other.run(ROUND_WEEKS)
    model.run(ROUND_WEEKS)
    replay = _team_rows(other.firm_frame, TEAM_B).loc[ROUND_WEEKS:].reset_index()
    replay.attrs["change"] = {"discount": 0.2, "note": "<script>alert(1)</script>"}
    return Game(model, model.firm_frame, model.losses, replay)


def _replay(frame: pd.DataFrame, team: str) -> pd.DataFrame:
    """The team's last round with other numbers: a stand-in replay for any team."""
    rows = frame[(frame["firm"] == team) & (frame["week"] >= ROUND_WEEKS)].copy()
    rows["active"] = rows["active"] + np.arange(len(rows))
    rows["profit"] = rows["profit"] * 0.9
    rows.attrs["change"] = {"discount": 0.2}
    return rows


def _scoreboard(frame: pd.DataFrame) -> pd.DataFrame:
    last = frame[frame["week"] == frame["week"].max()].set_index("firm")
    profit = frame.groupby("firm")["profit"].sum()
    board = pd.DataFrame({"customers": last["active"], "profit": profit})
    board["score"] = board["customers"] / board["customers"].sum()
    return board.loc[list(FIRMS)]


@pytest.fixture(scope="module")
def game() -> Game:
    return _play()


@pytest.fixture(scope="module")
def market(game) -> tuple[pd.DataFrame, pd.DataFrame]:
    return game.frame, game.losses


@pytest.fixture(scope="module")
def reports(game, tmp_path_factory) -> dict[str, Path]:
    """The reports of the game, with a what-if for Team B and a scoreboard: by firm name,
    and "class"."""
    out = tmp_path_factory.mktemp("debriefs")
    paths = write_debriefs(
        game.frame,
        game.losses,
        round_weeks=ROUND_WEEKS,
        teams=list(TEAMS),
        out=out,
        what_if={TEAM_B: game.replay},
        scoreboard=_scoreboard(game.frame),
    )
    return {"class": paths[0], TEAM_A: paths[1], TEAM_B: paths[2]}


def test_the_market_behind_the_reports_has_switching_and_every_cause_of_churn(market):
    """The checks below mean something only if the run has what they count."""
    frame, losses = market
    assert list(pd.unique(frame["firm"])) == list(FIRMS)
    assert (losses["to_firm"] != "").sum() > 0
    assert {"competitor", "failure", "drift"} <= set(losses["cause"])
    assert frame["referrals"].sum() > 0


# ---------------------------------------------------------------------------- reading HTML
class _Page(HTMLParser):
    """What a test needs from a report: section ids, tables by id, measures, links."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.measures: dict[str, str] = {}
        self.highlighted: list[str] = []
        self.references: list[str] = []
        self.h1 = ""
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._measure: str | None = None
        self._in_h1 = False
        self._highlight = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if name in attrs:
                self.references.append(attrs[name])
        if tag == "section":
            self.sections.append(attrs.get("id", ""))
        elif tag == "table":
            self._table = attrs.get("id", f"table-{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr":
            self._row = []
            self._highlight = attrs.get("class") == "you"
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "strong" and "data-measure" in attrs:
            self._measure = attrs["data-measure"]
            self.measures[self._measure] = ""
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            if self._highlight:
                self.highlighted.append(self._row[0])
            self._row = None
        elif tag == "strong":
            self._measure = None
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._measure is not None:
            self.measures[self._measure] += data
        if self._in_h1:
            self.h1 += data


def _read(path: Path) -> tuple[str, _Page]:
    text = path.read_text(encoding="utf-8")
    return text, _Page(text)


def _value(cell: str) -> float:
    """A number as a report prints it: thousands separators, per cent or a dash for none."""
    cell = cell.replace(",", "").replace("%", "").replace("points", "").strip()
    return float("nan") if cell == "–" else float(cell)


def _rows(table: list[list[str]]) -> dict[str, list[str]]:
    """A table's body by row header (the first row is the header row)."""
    return {row[0]: row[1:] for row in table[1:]}


def _team_rows(frame: pd.DataFrame, team: str) -> pd.DataFrame:
    return frame[frame["firm"] == team].set_index("week").sort_index()


# ---------------------------------------------------------------------------- files and sections
def test_one_report_is_written_per_team_and_one_for_the_class(reports, tmp_path):
    assert [path.name for path in reports.values()] == [
        "class.html",
        "team-team--a-----co-.html",
        "team-team-b.html",
    ]
    assert all(path.is_file() and path.stat().st_size > 0 for path in reports.values())
    # the rival is in the market but run by the computer: no report of its own
    assert not list(reports["class"].parent.glob("team-rival*"))


def test_each_team_report_names_its_team_and_has_every_section(reports):
    for team in TEAMS:
        text, page = _read(reports[team])
        assert team in page.h1
        assert page.sections == list(TEAM_SECTIONS)
        for heading in TEAM_SECTIONS.values():
            assert heading.replace("'", "&#x27;") in text
        # the figures are inline: at least one per section that draws one
        assert text.count('<img src="data:image/png;base64,') >= 7


def test_the_class_report_has_every_section_and_every_firm(reports):
    text, page = _read(reports["class"])
    assert page.sections == list(CLASS_SECTIONS)
    for firm in FIRMS:
        assert [firm] == [row for row in _rows(page.tables["customers-table"]) if row == firm]
    assert text.count('<img src="data:image/png;base64,') == 3


# ---------------------------------------------------------------------------- numbers
def test_the_summary_states_the_teams_position_as_in_the_frame(market, reports):
    frame, losses = market
    last = frame[frame["week"] == WEEKS - 1].set_index("firm")
    for team in TEAMS:
        _, page = _read(reports[team])
        rows = _team_rows(frame, team)
        assert _value(page.measures["customers"]) == rows["active"].iloc[-1]
        assert _value(page.measures["share"]) == pytest.approx(
            100 * rows["share"].iloc[-1], abs=0.05
        )
        rank = 1 + int((last["active"] > last.loc[team, "active"]).sum())
        assert page.measures["rank"].startswith(str(rank))
        second_round = rows.loc[ROUND_WEEKS:]
        assert _value(page.measures["lost"]) == second_round["lost"].sum()
        assert _value(page.measures["profit-round"]) == pytest.approx(
            second_round["profit"].sum(), abs=0.5
        )
        assert _value(page.measures["profit-total"]) == pytest.approx(rows["profit"].sum(), abs=0.5)


def test_the_class_tables_give_each_firms_customers_share_and_profit_per_round(market, reports):
    frame, _ = market
    _, page = _read(reports["class"])
    customers = _rows(page.tables["customers-table"])
    profit = _rows(page.tables["profit-table"])
    shares = _rows(page.tables["shares-table"])
    for firm in FIRMS:
        rows = _team_rows(frame, firm)
        assert customers[firm][0] == ("team" if firm in TEAMS else "computer")
        ends = rows.loc[[ROUND_WEEKS - 1, WEEKS - 1]]
        assert [_value(cell) for cell in customers[firm][1:]] == list(ends["active"])
        assert [_value(cell) for cell in shares[firm]] == pytest.approx(
            list(100 * ends["share"]), abs=0.05
        )
        by_round = [
            rows.loc[: ROUND_WEEKS - 1, "profit"].sum(),
            rows.loc[ROUND_WEEKS:, "profit"].sum(),
        ]
        assert [_value(cell) for cell in profit[firm]] == pytest.approx(
            [*by_round, sum(by_round)], abs=0.5
        )
    total = frame.loc[frame["week"] == WEEKS - 1, "active"].sum()
    assert _value(page.measures["customers"]) == total


def test_round_tables_agree_with_the_frame(market, reports):
    frame, _ = market
    for team in TEAMS:
        _, page = _read(reports[team])
        rows = _team_rows(frame, team)
        ends = rows.loc[[ROUND_WEEKS - 1, WEEKS - 1]]
        stages = _rows(page.tables["stages-table"])
        tiers = _rows(page.tables["tiers-table"])
        causes = _rows(page.tables["causes-table"])
        referrals = _rows(page.tables["referrals-table"])
        for number, (week, end) in enumerate(ends.iterrows()):
            label = f"round {number + 1}"
            assert [_value(v) for v in stages[label]] == list(
                end[["exploration", "expansion", "commitment"]]
            )
            assert [_value(v) for v in tiers[label]] == list(end[["actual", "loyal", "marketer"]])
            block = rows.loc[number * ROUND_WEEKS : week]
            assert sum(_value(v) for v in causes[label]) == block["lost"].sum()
            assert _value(referrals[label][0]) == block["referrals"].sum()
            assert _value(referrals[label][1]) == block["referral_conversions"].sum()


def test_where_the_lost_customers_went_counts_the_loss_log(market, reports):
    frame, losses = market
    for team in TEAMS:
        _, page = _read(reports[team])
        gone = losses[losses["firm"] == team]
        destinations = _rows(page.tables["destinations-table"])
        for firm in FIRMS:
            if firm != team:
                assert _value(destinations[firm][-1]) == (gone["to_firm"] == firm).sum()
        assert _value(destinations["no firm of the game"][-1]) == (gone["to_firm"] == "").sum()
        assert team not in destinations

    _, page = _read(reports["class"])
    switching = _rows(page.tables["switching-table"])
    for source in FIRMS:
        for target, cell in zip(FIRMS, switching[source], strict=False):
            expected = ((losses["firm"] == source) & (losses["to_firm"] == target)).sum()
            assert (cell == "–") if source == target else _value(cell) == expected


def test_cohorts_never_grow_and_start_from_the_round_s_new_relationships(market, reports):
    frame, _ = market
    for team in TEAMS:
        _, page = _read(reports[team])
        rows = _team_rows(frame, team)
        cohorts = _rows(page.tables["cohorts-table"])
        first = rows.loc[: ROUND_WEEKS - 1, ["acquired", "won_back", "returned"]].to_numpy().sum()
        assert _value(cohorts["round 1"][0]) == first
        shares = [_value(cell) for cell in cohorts["round 1"][1:]]
        assert 0 <= shares[1] <= shares[0] <= 100
        assert np.isnan(_value(cohorts["round 2"][1]))  # not yet joined at the end of round 1


def test_each_cohort_s_customers_still_there_are_the_model_s_own(game, reports):
    """Every relationship that begins is counted in one of the frame's columns for it (new,
    won back, came back, won from a rival) and every one that ends is in the loss log, so the
    cohort table's survivors are exactly the firm's customers whose spell began that round."""
    state, last_round = game.model.state, f"end of round {WEEKS // ROUND_WEEKS}"
    for index, team in enumerate(FIRMS):
        if team not in TEAMS:
            continue
        page = _read(reports[team])[1]
        cohorts = _rows(page.tables["cohorts-table"])
        header = page.tables["cohorts-table"][0]
        for number in range(WEEKS // ROUND_WEEKS):
            cells = cohorts[f"round {number + 1}"]
            joined, kept = _value(cells[0]), _value(cells[header.index(last_round) - 1])
            began = state.spell_start // ROUND_WEEKS == number
            truth = np.count_nonzero((state.firm == index) & state.active_mask() & began)
            # the table shows one decimal of a per cent: within 0.05 % of the cohort
            assert joined * kept / 100 == pytest.approx(truth, abs=0.0005 * joined + 1e-9)


def test_cohort_retention_follows_the_loss_log_exactly_in_a_hand_made_case(tmp_path):
    """Ten join in week 0, one more in week 2; two of the first leave in weeks 1 and 2 and the
    late one in week 3: round 1 (weeks 0-1) keeps 9 of 10, round 2 then 8 of 10 and 0 of 1."""
    frame = _hand_made_frame(["Solo"], weeks=4)
    frame.loc[frame["week"] == 0, "acquired"] = 10
    frame.loc[frame["week"] == 2, "acquired"] = 1
    losses = pd.DataFrame(
        {
            "week": [1, 2, 3],
            "customer": [1, 2, 3],
            "spell_start": [0, 0, 2],
            "cause": ["drift"] * 3,
            "first_purchase": [0, 0, 2],
            "firm": ["Solo"] * 3,
            "to_firm": [""] * 3,
        }
    )
    (_, team_path) = write_debriefs(frame, losses, round_weeks=2, teams=["Solo"], out=tmp_path)
    cohorts = _rows(_read(team_path)[1].tables["cohorts-table"])
    assert [_value(cell) for cell in cohorts["round 1"]] == [10, 90.0, 80.0]
    assert [_value(cell) for cell in cohorts["round 2"]][0::2] == [1, 0.0]


def test_the_what_if_table_compares_the_replay_with_what_happened(game, reports):
    frame, replay = game.frame, game.replay
    text, page = _read(reports[TEAM_B])
    table = _rows(page.tables["what-if-table"])
    happened = _team_rows(frame, TEAM_B).loc[ROUND_WEEKS:]
    end = [_value(cell) for cell in table["customers at the end"]]
    assert end == [
        happened["active"].iloc[-1],
        replay["active"].iloc[-1],
        replay["active"].iloc[-1] - happened["active"].iloc[-1],
    ]
    profit = [_value(cell) for cell in table["profit in those weeks"]]
    assert profit[:2] == pytest.approx([happened["profit"].sum(), replay["profit"].sum()], abs=0.5)
    assert "discount = 0.2" in text
    # the replay is a real one: same weeks, and the discount changed what happened
    assert list(replay["week"]) == list(happened.index)
    assert replay["profit"].sum() != happened["profit"].sum()
    # a team without a replay is told so, and its section is still there
    _, other = _read(reports[TEAM_A])
    assert "what-if-table" not in other.tables and "what-if" in other.sections


def test_the_scoreboard_highlights_the_team_in_its_own_report_only(market, reports):
    board = _scoreboard(market[0])
    for team in TEAMS:
        _, page = _read(reports[team])
        assert page.highlighted == [team, team]  # the shares table and the scoreboard
        shown = _rows(page.tables["scoreboard-table"])
        assert list(shown) == list(board.index)
        assert _value(shown[team][-1]) == pytest.approx(board.loc[team, "score"], abs=0.005)
        place = 1 + int((board["score"] > board.loc[team, "score"]).sum())
        assert page.measures["score-rank"].startswith(str(place))
    assert _read(reports["class"])[1].highlighted == []


def test_a_ranked_scoreboard_and_a_two_case_what_if_are_read_too(market, tmp_path):
    """The game's own shapes: a scoreboard with the names in a ``firm`` column, best first,
    and a what-if frame holding both the round as played and the replay, told by ``case``."""
    frame, losses = market
    board = _scoreboard(frame).sort_values("score", ascending=False)
    board = board.rename_axis("firm").reset_index()
    board.insert(0, "rank", range(1, len(board) + 1))
    played = _team_rows(frame, TEAM_B).loc[ROUND_WEEKS:].reset_index()
    replay = _replay(frame, TEAM_B)
    both = pd.concat([played.assign(case="played"), replay.assign(case="what_if")])
    paths = write_debriefs(
        frame,
        losses,
        round_weeks=ROUND_WEEKS,
        teams=[TEAM_B],
        out=tmp_path,
        what_if={TEAM_B: both},
        scoreboard=board,
    )
    _, page = _read(paths[1])
    shown = _rows(page.tables["scoreboard-table"])
    assert list(shown) == list(board["firm"])
    assert page.highlighted == [TEAM_B, TEAM_B]
    end = _rows(page.tables["what-if-table"])["customers at the end"]
    assert _value(end[1]) == replay["active"].iloc[-1]


# ---------------------------------------------------------------------------- safety
def test_names_are_escaped_everywhere(reports):
    for path in reports.values():
        text = path.read_text(encoding="utf-8")
        assert TEAM_A not in text
        assert "Team &lt;A&gt; &amp; &quot;Co&quot;" in text
        assert "<script" not in text
    assert "&lt;script&gt;" in reports[TEAM_B].read_text(encoding="utf-8")


def test_no_report_refers_to_anything_outside_itself(reports):
    for path in reports.values():
        text, page = _read(path)
        assert page.references, "a report without figures or links"
        for reference in page.references:
            assert reference.startswith(("data:image/png;base64,", "#")), reference[:40]
        readable = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
        assert "http" not in readable
        assert 'src="//' not in text and "<link" not in text and "<script" not in text


# ---------------------------------------------------------------------------- edge cases
def _hand_made_frame(firms: list[str], weeks: int) -> pd.DataFrame:
    """Every firm-frame column the debrief reads, all zero, for ``firms`` over ``weeks``."""
    from crmsim.frame import FRAME_COLUMNS

    rows = [
        {"week": week, "firm": firm} | dict.fromkeys(FRAME_COLUMNS[1:], 0)
        for week in range(weeks)
        for firm in firms
    ]
    frame = pd.DataFrame(rows)
    frame["share"] = 0.0
    return frame


def test_an_empty_loss_log_and_a_firm_without_customers_are_reported(market, tmp_path):
    frame, _ = market
    empty = _hand_made_frame(["Nobody"], weeks=WEEKS)
    frame = pd.concat([frame, empty]).sort_values("week", kind="stable")
    for losses in (pd.DataFrame(), market[1].iloc[:0]):
        paths = write_debriefs(
            frame,
            losses,
            round_weeks=ROUND_WEEKS,
            teams=["Nobody", TEAM_B],
            out=tmp_path,
            scoreboard=None,
        )
        _, page = _read(paths[1])
        assert _value(page.measures["customers"]) == 0
        assert page.sections == list(TEAM_SECTIONS)
        assert np.isnan(_value(_rows(page.tables["cohorts-table"])["round 1"][1]))
        destinations = _rows(_read(paths[2])[1].tables["destinations-table"])
        assert all(_value(cells[-1]) == 0 for cells in destinations.values())


def test_an_unfinished_round_is_reported_as_under_way(market, tmp_path):
    frame, losses = market
    shorter = frame[frame["week"] < ROUND_WEEKS + 4]
    (class_path, team_path) = write_debriefs(
        shorter,
        losses[losses["week"] < ROUND_WEEKS + 4],
        round_weeks=ROUND_WEEKS,
        teams=[TEAM_B],
        out=tmp_path,
    )
    text = team_path.read_text(encoding="utf-8")
    assert "Round 2 is under way (4 of 13 weeks played)" in text
    assert "Round 2 is under way" in class_path.read_text(encoding="utf-8")
    full = write_debriefs(frame, losses, round_weeks=ROUND_WEEKS, teams=[TEAM_B], out=tmp_path)
    assert "You ended <strong>round 2</strong>" in full[1].read_text(encoding="utf-8")


#: Bad inputs: what to change in the arguments (given the good frame and loss log), and
#: what the refusal must name.
BAD_INPUTS = {
    "missing-column": (lambda frame, log: {"firm_frame": frame.drop(columns="share")}, "share"),
    "losses-missing-column": (
        lambda frame, log: {"losses": log.drop(columns="to_firm")},
        "to_firm",
    ),
    "round-weeks-zero": (lambda frame, log: {"round_weeks": 0}, "round_weeks"),
    "round-weeks-fraction": (lambda frame, log: {"round_weeks": 2.5}, "round_weeks"),
    "unknown-team": (lambda frame, log: {"teams": ["Team C"]}, "Team C"),
    "teams-a-string": (lambda frame, log: {"teams": TEAM_B}, "teams"),
    "what-if-for-a-rival": (
        lambda frame, log: {"what_if": {RIVAL: frame[frame["firm"] == RIVAL]}},
        RIVAL,
    ),
    "what-if-missing-column": (
        lambda frame, log: {
            "what_if": {TEAM_B: frame[frame["firm"] == TEAM_B].drop(columns="profit")}
        },
        "profit",
    ),
    "scoreboard-without-score": (
        lambda frame, log: {"scoreboard": pd.DataFrame({"profit": [1.0]}, index=[TEAM_B])},
        "score",
    ),
    "duplicate-row": (
        lambda frame, log: {"firm_frame": pd.concat([frame, frame.iloc[:1]])},
        "more than one row",
    ),
    "unknown-firm-in-losses": (lambda frame, log: {"losses": log.assign(to_firm="Ghost")}, "Ghost"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_refused_in_one_line_naming_it(market, tmp_path, case):
    frame, losses = market
    change, named = BAD_INPUTS[case]
    arguments = {
        "firm_frame": frame,
        "losses": losses,
        "round_weeks": ROUND_WEEKS,
        "teams": [TEAM_B],
        "out": tmp_path,
    }
    arguments |= change(frame, losses)
    with pytest.raises(ValueError) as refused:
        write_debriefs(**arguments)
    message = str(refused.value)
    assert named in message
    assert "\n" not in message
    assert not list(tmp_path.iterdir())  # nothing half-written


# ---------------------------------------------------------------------------- in a browser
def test_a_browser_shows_the_reports_figures_and_headings(reports):
    from test_app_browser import CHROMIUM, CHROMIUM_ARGS, _missing

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": 900})
            requests: list[str] = []
            tab.on("request", lambda request: requests.append(request.url))
            for key, sections in ((TEAM_A, TEAM_SECTIONS), ("class", CLASS_SECTIONS)):
                tab.goto(reports[key].resolve().as_uri())
                tab.wait_for_load_state("load")
                widths = tab.evaluate(
                    "Array.from(document.images, image => image.complete ? image.naturalWidth : 0)"
                )
                assert widths and all(width > 0 for width in widths), widths
                headings = tab.evaluate(
                    "Array.from(document.querySelectorAll('h2'), h => h.innerText)"
                )
                assert headings == list(sections.values())
                assert key == "class" or TEAM_A in tab.locator("h1").inner_text()
                assert tab.title().startswith("Debrief")
            # only the two files themselves were asked for: the figures come with them
            assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
        finally:
            browser.close()
