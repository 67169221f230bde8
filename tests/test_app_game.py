"""The game page (crmsim.app.game): a saved game's market, rendered headless as in
``test_app.py`` (widgets in memory, pressed from Python) on a small game played in a temporary
folder, ``crmsim app --game DIR``, and one look at the served page in headless Chromium with
the fixtures of ``test_app_browser.py`` (same offline set-up, same skip and fail policy)."""

from __future__ import annotations

import doctest
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
from test_app import FakeServer, _strings, installed_assets  # noqa: F401 - a fixture
from test_app_browser import (
    CHANGE_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    FIGURE,
    VIEWPORT,
    Problems,
    browser_available,
    serving,
)

from crmsim.app import game as game_page
from crmsim.app.game import GAME_TABS, GAME_VARIABLE, GamePage, open_game, standing
from crmsim.cli import main
from crmsim.game import Game, GameError, example_config, storage
from crmsim.game.debrief import firm_colours
from crmsim.game.scoreboard import MEASURES, format_measure

WEEKS = 4  # per round
ROUNDS_PLAYED = 2


def _play(game: Game, number: int) -> None:
    """Round ``number`` with decisions that differ from round to round and from team to team."""
    game.play_round(
        {
            "Team A": {"discount": 0.05 * number, "price": 19.0},
            "Team B": {"service_quality": 0.8, "price": 22.0},
        }
    )


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> Path:
    """A game of 1,500 people, rounds of four weeks, with two rounds played."""
    folder = tmp_path_factory.mktemp("game") / "spring"
    game = Game.new(example_config(customers=1500, weeks_per_round=WEEKS), folder)
    for number in range(1, ROUNDS_PLAYED + 1):
        _play(game, number)
    return folder


@pytest.fixture
def copy(played, tmp_path) -> Path:
    """A copy of the played game that a test may play on."""
    return Path(shutil.copytree(played, tmp_path / "copy"))


# --------------------------------------------------------------------------- reading the page
class _Tables(HTMLParser):
    """The tables of an HTML text: by ``data-table``, rows of cell texts (headings first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.swatches: dict[str, list[tuple[str, str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._swatch: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._table = attributes["data-table"]
            self.tables[self._table] = []
            self.swatches[self._table] = []
        elif tag == "tr":
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "span" and "crmsim-swatch" in attributes.get("class", ""):
            self._swatch = attributes["style"].removeprefix("background:")
        elif tag == "div" and self._cell is not None:
            self._cell.append(" ")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.tables[self._table][-1].append(text)
            if self._swatch is not None:
                self.swatches[self._table].append((text, self._swatch))
            self._cell, self._swatch = None, None
        elif tag == "table":
            self._table = None


class GameView:
    """The game page rendered headless, with helpers to read and press its widgets."""

    def __init__(self, directory: str | Path | None) -> None:
        @solara.component
        def Served():  # the app layout `solara run` wraps around a page
            with solara.AppLayout():
                GamePage(directory)

        self.box, self.rc = solara.render(Served(), handle_error=False)

    def texts(self) -> str:
        return " ".join(_strings(self.box))

    def alerts(self) -> str:
        return " ".join(s for w in self.rc.find(v.Alert).widgets for s in _strings(w))

    def images(self) -> list[bytes]:
        return [bytes(w.value) for w in self.rc.find(ipywidgets.Image).widgets]

    def parsed(self) -> _Tables:
        parser = _Tables()
        for widget in self.rc.find(solara.widgets.HTML).widgets:
            parser.feed(widget.unsafe_innerHTML)
        return parser

    def tables(self) -> dict[str, list[list[str]]]:
        return self.parsed().tables

    def table(self, kind: str) -> pd.DataFrame:
        """Table ``kind`` as shown: its row headings as index, its column headings as columns."""
        head, *rows = self.tables()[kind]
        return pd.DataFrame([row[1:] for row in rows], index=[r[0] for r in rows], columns=head[1:])

    def tab(self, name: str) -> None:
        self.rc.find(v.Tabs).widget.v_model = GAME_TABS.index(name)

    def pick(self, number: int) -> None:
        self.rc.find(v.Select, label="Show the market after").widget.v_model = f"round {number}"

    def press(self, label: str) -> None:
        (button,) = [w for w in self.rc.find(v.Btn).widgets if label in _strings(w)]
        button.click()

    def close(self) -> None:
        self.rc.close()


@pytest.fixture
def view(played):
    page = GameView(played)
    yield page
    page.close()


def _with_class(widget, name: str) -> list:
    """Every widget in ``widget``'s tree that has the CSS class ``name``, depth first."""
    found = [widget] if name in (getattr(widget, "class_", None) or "").split() else []
    for child in getattr(widget, "children", None) or []:
        if not isinstance(child, str):
            found.extend(_with_class(child, name))
    return found


def _box_widgets(page: GameView) -> list:
    """The firms' boxes above the tabs, in the page's order."""
    return _with_class(page.box, "crmsim-firm-box")


def _firm_boxes(page: GameView) -> dict[str, tuple[str, str]]:
    """Each firm's box above the tabs: ``{firm: (share, customers)}`` as the page shows them."""
    found = {}
    for box in _box_widgets(page):
        firm, share, customers = _strings(box)
        found[firm] = (share, customers)
    return found


def _last_week(game: Game, week: int) -> pd.DataFrame:
    frame = game.firm_frame
    return frame[frame["week"] == week].set_index("firm")


def _money(value: float) -> str:
    return f"{value:,.0f}"


# --------------------------------------------------------------------------- the page
def test_the_page_names_the_game_and_the_rounds_played_and_opens_on_the_shares(view, played):
    game = Game.open(played)
    texts = view.texts()
    assert game.config.name in texts
    assert f"Round {ROUNDS_PLAYED} of {game.config.rounds} played" in texts
    assert "the game is over" not in texts
    for name in GAME_TABS:
        assert name in texts
    (image,) = view.images()
    assert image.startswith(b"\x89PNG")
    assert view.alerts() == ""


def test_every_tab_shows_its_views(view):
    shown = {}
    for name in GAME_TABS:
        view.tab(name)
        shown[name] = (len(view.images()), sorted(view.tables()))
    assert shown == {
        "Market shares": (1, []),
        "Customers and profit": (1, ["customers", "profit"]),
        "Scoreboard": (0, ["scoreboard"]),
        "Switching": (0, ["switching", "switching-round"]),
    }


def test_each_firms_box_shows_its_share_and_customers_at_the_last_week(view, played):
    game = Game.open(played)
    last = _last_week(game, ROUNDS_PLAYED * WEEKS - 1)
    boxes = _firm_boxes(view)
    assert list(boxes) == list(game.firms)
    for firm, (share, customers) in boxes.items():
        assert share == f"{last.loc[firm, 'share']:.1%}"
        assert customers == f"{int(last.loc[firm, 'active']):,} customers"


def test_the_customers_and_profit_tables_agree_with_the_firm_frame(view, played):
    game = Game.open(played)
    frame = game.firm_frame
    view.tab("Customers and profit")
    customers, profit = view.table("customers"), view.table("profit")
    rounds = [f"round {n}" for n in range(1, ROUNDS_PLAYED + 1)]
    assert list(customers.columns) == rounds
    assert list(profit.columns) == [*rounds, "all rounds"]
    assert list(customers.index) == list(profit.index) == list(game.firms)
    for firm in game.firms:
        mine = frame[frame["firm"] == firm]
        for number in range(1, ROUNDS_PLAYED + 1):
            weeks = mine[(mine["week"] >= (number - 1) * WEEKS) & (mine["week"] < number * WEEKS)]
            label = f"round {number}"
            assert customers.loc[firm, label] == f"{int(weeks['active'].iloc[-1]):,}"
            assert profit.loc[firm, label] == _money(weeks["profit"].sum())
        assert profit.loc[firm, "all rounds"] == _money(mine["profit"].sum())


def test_the_scoreboard_table_is_the_games_scoreboard_with_points(view, played):
    game = Game.open(played)
    board = game.scoreboard()
    view.tab("Scoreboard")
    head, *rows = view.tables()["scoreboard"]
    assert head[:3] == ["Rank", "Firm", "Score"]
    assert [row[1] for row in rows] == board["firm"].tolist()  # ranked, best first
    for row, (_, expected) in zip(rows, board.iterrows(), strict=True):
        assert row[0] == str(expected["rank"])
        assert row[2] == f"{expected['score']:.1f}"
        for cell, measure in zip(row[3:], MEASURES, strict=True):
            points = expected[f"points_{measure}"]
            assert cell == f"{format_measure(measure, expected[measure])} {points:.0f} pts"
    # each measure's heading says how it is counted and weighed
    scoring = game.config.scoring
    for heading, measure in zip(head[3:], MEASURES, strict=True):
        assert f"{scoring.bases[measure]} · weight {scoring.weights[measure]:g}" in heading


def _switches(losses: pd.DataFrame, rounds: range) -> pd.Series:
    """Customers who went from one firm of the game to another in ``rounds``: by (from, to)."""
    weeks = losses["week"] // WEEKS + 1
    moved = losses[(losses["to_firm"] != "") & weeks.isin(list(rounds))]
    return moved.groupby(["firm", "to_firm"]).size()


def _check_switching(shown: pd.DataFrame, expected: pd.Series, firms: tuple[str, ...]) -> None:
    assert list(shown.index) == [*firms, "won from rivals"]
    assert list(shown.columns) == [*firms, "lost to rivals"]
    for source in firms:
        for target in firms:
            wanted = "–" if source == target else f"{int(expected.get((source, target), 0)):,}"
            assert shown.loc[source, target] == wanted, (source, target)
        lost = int(expected[expected.index.get_level_values(0) == source].sum())
        assert shown.loc[source, "lost to rivals"] == f"{lost:,}"
        won = int(expected[expected.index.get_level_values(1) == source].sum())
        assert shown.loc["won from rivals", source] == f"{won:,}"


def test_the_switching_tables_count_who_took_customers_from_whom(view, played):
    game = Game.open(played)
    losses = game.losses
    assert (losses["to_firm"] != "").sum() > 0  # a game in which customers did switch
    view.tab("Switching")
    since_start = _switches(losses, range(1, ROUNDS_PLAYED + 1))
    last_round = _switches(losses, range(ROUNDS_PLAYED, ROUNDS_PLAYED + 1))
    _check_switching(view.table("switching"), since_start, game.firms)
    _check_switching(view.table("switching-round"), last_round, game.firms)


def test_the_round_picker_shows_the_market_at_the_end_of_that_round(view, played):
    game = Game.open(played)
    latest_image = view.images()[0]
    view.tab("Scoreboard")
    latest_board = view.tables()["scoreboard"]

    view.pick(1)
    assert f"Showing the market at the end of round 1 (week {WEEKS - 1})" in view.texts()
    assert f"Round {ROUNDS_PLAYED} of" in view.texts()  # still the rounds played
    # The scoreboard as the game saved it after round 1, not today's.
    saved = pd.read_csv(storage.round_dir(played, 1) / "scoreboard.csv")
    head, *rows = view.tables()["scoreboard"]
    assert head[2] == "Score"
    assert [row[1] for row in rows] == saved["firm"].tolist()
    assert [row[2] for row in rows] == [f"{score:.1f}" for score in saved["score"]]
    assert view.tables()["scoreboard"] != latest_board
    # The boxes at the round's last week, the figures and tables up to it.
    last = _last_week(game, WEEKS - 1)
    for firm, (share, _) in _firm_boxes(view).items():
        assert share == f"{last.loc[firm, 'share']:.1%}"
    view.tab("Customers and profit")
    assert list(view.table("customers").columns) == ["round 1"]
    view.tab("Switching")
    _check_switching(view.table("switching"), _switches(game.losses, range(1, 2)), game.firms)
    view.tab("Market shares")
    assert view.images()[0] != latest_image

    view.pick(ROUNDS_PLAYED)
    assert "Showing the market at the end of round" not in view.texts()
    assert view.images()[0] == latest_image


def test_reload_picks_up_a_round_played_after_the_page_opened(copy):
    page = GameView(copy)
    try:
        page.pick(1)
        Game.open(copy).play_round({"Team C": {"respect": 0.9}})  # as the instructor would
        assert f"Round {ROUNDS_PLAYED} of" in page.texts()  # not read until Reload
        page.press("Reload")
        game = Game.open(copy)
        assert f"Round {ROUNDS_PLAYED + 1} of" in page.texts()
        assert "Showing the market at the end of round" not in page.texts()  # the latest
        page.tab("Scoreboard")
        rows = page.tables()["scoreboard"][1:]
        assert [row[2] for row in rows] == [f"{s:.1f}" for s in game.scoreboard()["score"]]
        page.tab("Customers and profit")
        assert page.table("customers").columns[-1] == f"round {ROUNDS_PLAYED + 1}"
        assert page.alerts() == ""
    finally:
        page.close()


def test_a_firm_keeps_its_colour_in_every_figure_table_and_box(played):
    game = open_game(played)
    colours = firm_colours(game.firms)
    assert len(set(colours.values())) == len(game.firms)
    shown = standing(game)
    assert shown.colours == colours

    def colour_of(artist) -> str:
        from matplotlib.colors import to_hex

        return to_hex(artist.get_color() if hasattr(artist, "get_color") else artist.get_fc())

    shares = game_page.shares_figure(shown).axes[0]
    assert {line.get_label(): colour_of(line) for line in shares.get_lines()[: len(colours)]} == {
        firm: colour.lower() for firm, colour in colours.items()
    }
    for ax in game_page.firms_figure(shown).axes:
        for container in ax.containers:
            assert {colour_of(bar) for bar in container} == {colours[container.get_label()].lower()}

    page = GameView(played)
    try:
        for name in ("Customers and profit", "Scoreboard", "Switching"):
            page.tab(name)
            for swatches in page.parsed().swatches.values():
                assert swatches, name
                for firm, colour in swatches:
                    assert colour == colours[firm], (name, firm)
        styles = {_strings(box)[0]: box.style_ for box in _box_widgets(page)}
        assert list(styles) == list(game.firms)
        for firm, style in styles.items():
            assert f"border-left-color:{colours[firm]}" in style.replace(" ", "")
    finally:
        page.close()


def _no_game(tmp_path: Path) -> Path:
    return tmp_path / "no such folder"


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def _damaged_state(tmp_path: Path, played: Path) -> Path:
    folder = Path(shutil.copytree(played, tmp_path / "damaged"))
    (folder / storage.GAME_FILE).write_text("{not json", encoding="utf-8")
    return folder


def _damaged_market(tmp_path: Path, played: Path) -> Path:
    folder = Path(shutil.copytree(played, tmp_path / "damaged"))
    model = storage.round_dir(folder, ROUNDS_PLAYED) / storage.MODEL_FILE
    model.write_bytes(model.read_bytes()[:100])
    return folder


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp, played: _no_game(tmp), "there is no folder"),
        (lambda tmp, played: _empty(tmp), "holds no game (no game.json)"),
        (_damaged_state, "is damaged"),
        (_damaged_market, "cannot be read"),
    ],
    ids=["missing", "empty", "damaged game.json", "damaged market"],
)
def test_a_folder_without_a_readable_game_gives_a_message_not_a_traceback(
    tmp_path, played, make, says
):
    folder = make(tmp_path, played)
    page = GameView(folder)  # handle_error=False: anything raised would fail the test here
    try:
        message = page.alerts()
        assert says in message and str(folder) in message
        assert "Traceback" not in page.texts() and "\n" not in message
        assert page.images() == [] and page.tables() == {}
        assert "Reload" in page.texts()
    finally:
        page.close()


def test_reload_shows_a_game_started_after_the_page_opened_and_keeps_a_game_read_before(
    tmp_path, played
):
    folder = tmp_path / "later"
    page = GameView(folder)
    try:
        assert "there is no folder" in page.alerts()
        shutil.copytree(played, folder)
        page.press("Reload")
        assert page.alerts() == ""
        assert f"Round {ROUNDS_PLAYED} of" in page.texts()
        shutil.rmtree(folder)
        page.press("Reload")  # the folder gone: the game read last stays, with the reason
        assert "there is no folder" in page.alerts()
        assert f"Round {ROUNDS_PLAYED} of" in page.texts() and len(page.images()) == 1
    finally:
        page.close()


def test_a_game_before_its_first_round_says_to_play_one(tmp_path):
    folder = tmp_path / "new"
    Game.new(example_config(customers=300, weeks_per_round=WEEKS), folder)
    page = GameView(folder)
    try:
        texts = page.texts()
        assert "Round 0 of" in texts and "No round has been played yet" in texts
        assert page.images() == [] and page.tables() == {}
    finally:
        page.close()


def test_without_a_folder_the_page_shows_the_one_in_its_environment_or_says_how(
    monkeypatch, played
):
    monkeypatch.setenv(GAME_VARIABLE, str(played))
    page = GameView(None)
    try:
        assert f"Round {ROUNDS_PLAYED} of" in page.texts()
    finally:
        page.close()
    monkeypatch.delenv(GAME_VARIABLE)
    page = GameView(None)
    try:
        assert "crmsim app --game DIR" in page.alerts()
    finally:
        page.close()


def _listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_the_page_only_reads_the_folder_even_while_a_round_is_being_written(copy):
    # What `crmsim game round` has half written: the next round's staging folder, and tables
    # that lag behind. Game.open would tidy the one and rewrite the others.
    staging = storage.round_dir(copy, ROUNDS_PLAYED + 1)
    staging = staging.with_name(f".{staging.name}.tmp")
    staging.mkdir()
    (staging / storage.MODEL_FILE).write_bytes(b"half")
    (copy / storage.TABLES_ROUND).write_text(json.dumps({"round": 1}), encoding="utf-8")
    before = _listing(copy)
    page = GameView(copy)
    try:
        page.press("Reload")
        for name in GAME_TABS:
            page.tab(name)
        assert f"Round {ROUNDS_PLAYED} of" in page.texts()
    finally:
        page.close()
    assert _listing(copy) == before
    with pytest.raises(GameError, match="read-only"):
        open_game(copy).play_round()


def test_standing_refuses_a_round_not_played(tmp_path):
    game = Game.new(example_config(customers=300), tmp_path / "new")
    with pytest.raises(ValueError, match=r"round must be in \[0, 0\] \(rounds played\), got 1"):
        standing(game, 1)


def test_the_module_examples_run():
    failures, attempted = doctest.testmod(game_page, optionflags=doctest.ELLIPSIS)
    assert failures == 0 and attempted > 0


# --------------------------------------------------------------------------- crmsim app --game
@pytest.mark.usefixtures("installed_assets")
def test_crmsim_app_game_serves_the_game_page_with_the_folder_made_absolute(
    monkeypatch, capsys, played
):
    FakeServer.calls.clear()
    envs = []

    class Recording(FakeServer):
        def __init__(self, command, env):
            super().__init__(command, env)
            envs.append(env)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    monkeypatch.chdir(played.parent)
    assert main(["app", "--game", played.name, "--port", "9124"]) == 0
    (command,) = FakeServer.calls
    assert command[1:5] == ["-m", "solara", "run", "crmsim.app.game:page"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert envs[0][GAME_VARIABLE] == str(played.resolve())
    assert "http://127.0.0.1:9124/" in capsys.readouterr().out


@pytest.mark.usefixtures("installed_assets")
@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_crmsim_app_game_without_a_game_is_refused_in_one_line(monkeypatch, capsys, tmp_path, kind):
    FakeServer.calls.clear()
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    folder = _no_game(tmp_path) if kind == "missing" else _empty(tmp_path)
    assert main(["app", "--game", str(folder)]) == 2
    assert FakeServer.calls == []
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("crmsim: error: --game: ") and str(folder) in line


# --------------------------------------------------------------------------- in a browser
def test_the_served_game_page_shows_the_shares_figure_and_the_scoreboard(played):
    browser_available()
    from playwright.sync_api import sync_playwright

    board = Game.open(played).scoreboard()
    with serving("--game", str(played)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport=VIEWPORT)
            tab.set_default_timeout(CHANGE_TIMEOUT_MS)
            problems = Problems(tab)
            tab.goto(url + "/")
            tab.get_by_text(f"Round {ROUNDS_PLAYED} of").wait_for()
            figure = tab.locator(FIGURE)
            figure.first.wait_for()
            assert figure.count() == 1
            assert figure.first.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
            tab.get_by_role("tab", name="Scoreboard").click()
            rows = tab.locator("table[data-table=scoreboard] tbody tr")
            rows.first.wait_for()
            firms = [rows.nth(i).locator("th").inner_text().strip() for i in range(rows.count())]
            assert firms == board["firm"].tolist()
            assert not problems, str(problems)
        finally:
            browser.close()


def test_the_figures_cover_every_week_up_to_the_round_shown(played):
    game = open_game(played)
    for number in range(1, ROUNDS_PLAYED + 1):
        shown = standing(game, number)
        lines = game_page.shares_figure(shown).axes[0].get_lines()
        weeks = np.unique(np.concatenate([line.get_xdata() for line in lines[: len(game.firms)]]))
        assert weeks.tolist() == list(range(number * WEEKS))


def test_a_tab_opened_again_shows_its_figure_without_drawing_it_again(played, monkeypatch):
    drawn = []
    draw = game_page.figure_png

    def counting(shown, tab):
        drawn.append((shown.round, tab))
        return draw(shown, tab)

    monkeypatch.setattr(game_page, "figure_png", counting)
    page = GameView(played)
    try:
        page.tab("Customers and profit")
        page.tab("Market shares")
        page.tab("Customers and profit")
        assert drawn == [(ROUNDS_PLAYED, "Market shares"), (ROUNDS_PLAYED, "Customers and profit")]
        page.pick(1)  # another round: drawn anew
        assert drawn[-1] == (1, "Customers and profit")
    finally:
        page.close()
