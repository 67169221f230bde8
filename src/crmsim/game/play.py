"""``Game``: start a game, play its rounds, replay one, ask "what if", write the debriefs.

A round runs in four steps, so that no team sees another's decisions before the round
and nothing is half done when it is interrupted:

1. every decision handed in is read and checked (:func:`crmsim.game.decisions.gather`);
   a single bad one refuses the round, naming the file and the field;
2. the computer rivals decide (:mod:`crmsim.game.rivals`) from what they have seen;
3. the market as it was after the last round is restored from its pickle, every firm's
   decisions are set and the round's weeks are run;
4. the round is saved (:mod:`crmsim.game.storage`) and only then becomes part of the
   game in memory.

The market runs on keyed random streams (``streams="keyed"``): every customer meets the
same luck in the same week whatever the firms decide, so a replay of a round from the
state before it with the same decisions gives the same frame bit for bit, and a "what if"
changes only what the changed decision changes.

Game folders hold pickles: open only games you or your colleagues saved.
"""

from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from crmsim import analysis, tomlfile
from crmsim.firms import Firm
from crmsim.game import storage
from crmsim.game.config import GameConfig, load_config
from crmsim.game.decisions import (
    Decision,
    DecisionError,
    HandedIn,
    check_targets,
    file_name,
    gather,
    policy_row,
)
from crmsim.game.rivals import Situation, decide
from crmsim.game.scoreboard import MEASURES, round_measures, scoreboard
from crmsim.levers import Population
from crmsim.model import CRMModel


class GameError(ValueError):
    """A game cannot do what was asked (no such game, the game is over, ...)."""


class Game:
    """A game of several firms in one market, played in rounds.

    Make one with :meth:`new` or :meth:`open`, not directly.

    Examples
    --------
    >>> import tempfile
    >>> from crmsim.game import Game, example_config
    >>> config = example_config(customers=300, weeks_per_round=2, rounds=2)
    >>> game = Game.new(config, tempfile.mkdtemp())
    >>> board = game.play_round({"Team A": {"discount": 0.1}})
    >>> game.round, len(board) == len(config.firms)
    (1, True)
    """

    def __init__(
        self,
        directory: Path,
        config: GameConfig,
        decisions: list[dict[str, Decision]],
        equity: list[dict[str, float]],
        model_bytes: bytes,
    ) -> None:
        self.directory = directory
        self.config = config
        self._decisions = decisions
        self._equity = equity
        self._model_bytes = model_bytes
        model = pickle.loads(model_bytes)
        self._frame: pd.DataFrame = model.firm_frame
        self._losses: pd.DataFrame = model.losses
        self._read_only = False

    # ------------------------------------------------------------------ making
    @classmethod
    def new(
        cls,
        config: GameConfig | Mapping[str, Any] | str | Path,
        directory: str | Path,
        *,
        force: bool = False,
    ) -> Game:
        """Start a game in ``directory`` (created if need be), before its first round.

        Parameters
        ----------
        config : GameConfig, mapping or path
            The settings (:func:`crmsim.game.example_config`, plain data or a TOML file).
        directory : str or Path
            An empty or new folder.
        force : bool
            Replace a game already saved there.

        Raises
        ------
        ValueError
            For a bad config (naming the setting) or a folder that already holds something.
        """
        config = load_config(config)
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise GameError(f"{directory} is a file, not a folder")
        if directory.is_dir() and any(directory.iterdir()):
            if not force:
                raise GameError(
                    f"{directory} is not empty; choose a new folder, or replace the game saved "
                    "there with --force"
                )
            if not (directory / storage.GAME_FILE).is_file():
                raise GameError(f"{directory} holds files but no game; refusing to replace them")
            _remove_game(directory)
        directory.mkdir(parents=True, exist_ok=True)
        start = {firm: config.start for firm in config.firms}
        model = build_model(config, start)
        model_bytes = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        header = f"# The settings of the game {config.name!r}, as it was started.\n"
        storage.write_atomically(
            directory / storage.CONFIG_FILE, header + tomlfile.dumps(config.to_dict())
        )
        storage.commit_round(directory, 0, {storage.MODEL_FILE: model_bytes})
        return cls(directory, config, [], [], model_bytes)

    @classmethod
    def open(cls, directory: str | Path, *, read_only: bool = False) -> Game:
        """The game saved in ``directory``, as after its last complete round.

        What an interrupted round left behind is removed first.

        Parameters
        ----------
        directory : str or Path
            The game's folder.
        read_only : bool
            Only read the folder: leave whatever looks unfinished in place and do not
            rewrite the tables. For a viewer (the dashboard's game page) that may open the
            game while ``crmsim game round`` writes the next round: what looks left behind
            may be that round being written. A game opened so cannot play rounds.
        """
        directory = Path(directory)
        number = storage.read_round_number(directory)
        config = load_config(directory / storage.CONFIG_FILE)
        if not read_only:
            storage.tidy(directory, number)
        decisions, equity = [], []
        for played in range(1, number + 1):
            folder = storage.round_dir(directory, played)
            decisions.append(pickle.loads((folder / storage.DECISIONS_FILE).read_bytes()))
            equity.append(json.loads((folder / storage.EQUITY_FILE).read_text(encoding="utf-8")))
        model_bytes = (storage.round_dir(directory, number) / storage.MODEL_FILE).read_bytes()
        game = cls(directory, config, decisions, equity, model_bytes)
        game._read_only = read_only
        if not read_only and storage.tables_round(directory) != number:
            game._write_tables()
        return game

    # ------------------------------------------------------------------ looking
    @property
    def round(self) -> int:
        """Rounds played so far."""
        return len(self._decisions)

    @property
    def over(self) -> bool:
        """Whether every round of the game has been played."""
        return self.round >= self.config.rounds

    @property
    def teams(self) -> tuple[str, ...]:
        return self.config.teams

    @property
    def firms(self) -> tuple[str, ...]:
        """Every firm: the teams, then the computer rivals."""
        return self.config.firms

    @property
    def firm_frame(self) -> pd.DataFrame:
        """Every week played, one row per (week, firm) (``CRMModel.firm_frame``)."""
        return self._frame.copy()

    @property
    def losses(self) -> pd.DataFrame:
        """Every departure so far (``CRMModel.losses``)."""
        return self._losses.copy()

    def decisions(self, number: int | None = None) -> dict[str, Decision]:
        """Every firm's decisions in round ``number`` (the last played by default)."""
        number = self.round if number is None else number
        if not 1 <= number <= self.round:
            raise GameError(f"round must be in [1, {self.round}] (rounds played), got {number}")
        return dict(self._decisions[number - 1])

    def current_decisions(self) -> dict[str, Decision]:
        """What each team plays next round if it hands in nothing."""
        if self.round == 0:
            return {team: self.config.start for team in self.teams}
        last = self._decisions[-1]
        return {team: last[team] for team in self.teams}

    def model(self, number: int | None = None) -> CRMModel:
        """A fresh copy of the market after round ``number`` (the last played by default;
        0: before the first round)."""
        number = self.round if number is None else number
        if not 0 <= number <= self.round:
            raise GameError(f"round must be in [0, {self.round}], got {number}")
        if number == self.round:
            return pickle.loads(self._model_bytes)
        folder = storage.round_dir(self.directory, number)
        return pickle.loads((folder / storage.MODEL_FILE).read_bytes())

    def measures(self) -> pd.DataFrame:
        """Every success measure for each firm and round played (see
        :mod:`crmsim.game.scoreboard`)."""
        equity = pd.DataFrame(
            [
                {"round": number, "firm": firm, "customer_equity": value}
                for number, values in enumerate(self._equity, start=1)
                for firm, value in values.items()
            ],
            columns=["round", "firm", "customer_equity"],
        )
        if self.round == 0:
            return pd.DataFrame(columns=["round", "firm", *MEASURES])
        return round_measures(
            self._frame, self._losses, equity, weeks_per_round=self.config.weeks_per_round
        )

    def scoreboard(self) -> pd.DataFrame:
        """The firms ranked on the rounds played so far, best first (empty before round 1)."""
        if self.round == 0:
            return pd.DataFrame(
                columns=["rank", "firm", "score", *MEASURES, *(f"points_{m}" for m in MEASURES)]
            )
        return scoreboard(self.measures(), self.config.scoring)

    # ------------------------------------------------------------------ playing
    def play_round(
        self, decisions: str | Path | Mapping[str, HandedIn] | None = None
    ) -> pd.DataFrame:
        """Play the next round and save it; return the scoreboard after it.

        Parameters
        ----------
        decisions : folder or mapping, optional
            A folder of decision files (``team_a.toml`` for "Team A"), or ``{team: file,
            mapping of lever changes, Policy or Decision}``. Teams left out keep their
            decisions; ``None``: every team does.

        Returns
        -------
        pandas.DataFrame
            :meth:`scoreboard` after the round.

        Raises
        ------
        DecisionError
            If any decision is refused: then nothing is played.
        GameError
            If the game is over.
        """
        if self._read_only:
            raise GameError(
                f"the game in {self.directory} was opened read-only; open it with "
                "Game.open(directory) to play rounds"
            )
        if self.over:
            raise GameError(f"the game is over: all {self.config.rounds} rounds are played")
        number = self.round + 1
        config = self.config
        teams, files = gather(
            decisions or {},
            self.current_decisions(),
            teams=config.teams,
            rivals=tuple(r.name for r in config.rivals),
            budget=config.budget,
            market=config.market,
            population=Population(),
        )
        played = teams | self._rival_decisions(number)
        played = {firm: played[firm] for firm in config.firms}
        model = self._run(number, played)
        equity = {
            firm: float(analysis.customer_equity(model, firm=firm)["equity"])
            for firm in config.firms
        }
        model_bytes = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)

        round_files: dict[str, bytes | str] = {
            storage.MODEL_FILE: model_bytes,
            storage.DECISIONS_FILE: pickle.dumps(played, protocol=pickle.HIGHEST_PROTOCOL),
            storage.EQUITY_FILE: json.dumps(equity, indent=1) + "\n",
        }
        for firm, decision in played.items():
            header = f"# What {firm} played in round {number}.\n"
            round_files[f"decisions/{file_name(firm)}"] = header + tomlfile.dumps(
                decision.to_dict()
            )
        for team, path in files.items():
            round_files[f"handed_in/{file_name(team)}"] = path.read_bytes()
        # the game in memory changes only once the round is safely on disk
        before = (self._decisions, self._equity, self._model_bytes, self._frame, self._losses)
        self._decisions = [*self._decisions, played]
        self._equity = [*self._equity, equity]
        self._model_bytes, self._frame, self._losses = model_bytes, model.firm_frame, model.losses
        try:
            board = self.scoreboard()
            round_files["scoreboard.csv"] = board.to_csv(index=False)
            storage.commit_round(self.directory, number, round_files)
        except BaseException:
            self._decisions, self._equity, self._model_bytes, self._frame, self._losses = before
            raise
        self._write_tables()
        return board

    def _rival_decisions(self, number: int) -> dict[str, Decision]:
        last = self._decisions[-1] if self._decisions else self.current_decisions()
        decisions = {}
        for rival in self.config.rivals:
            situation = Situation(
                firm=rival.name,
                firm_frame=self.firm_frame,
                decisions=dict(last),
                start=self.config.start,
                budget=self.config.budget,
                market=self.config.market,
                weeks_per_round=self.config.weeks_per_round,
            )
            decisions[rival.name] = decide(rival.strategy, number, situation)
        return decisions

    def _run(self, number: int, decisions: Mapping[str, Decision]) -> CRMModel:
        """The market after round ``number`` played with ``decisions``, from the state before it."""
        model = self.model(number - 1)
        first_week = (number - 1) * self.config.weeks_per_round
        if model.week != first_week:
            raise GameError(f"the saved market is at week {model.week}, expected {first_week}")
        for firm, decision in decisions.items():
            model.set_policy(firm, decision.for_round(first_week), price=decision.price)
        model.run(self.config.weeks_per_round, progress=False)
        return model

    def _write_tables(self) -> None:
        if self.round == 0:
            for name in (*storage.TABLES, storage.TABLES_ROUND):
                (self.directory / name).unlink(missing_ok=True)
            return
        rows = [
            {"round": number, "firm": firm, "kind": self._kind(firm), **policy_row(decision)}
            for number, played in enumerate(self._decisions, start=1)
            for firm, decision in played.items()
        ]
        tables = {
            "firm_frame.csv": self._frame,
            "losses.csv": self._losses,
            "measures.csv": self.measures(),
            "scoreboard.csv": self.scoreboard(),
            "decisions.csv": pd.DataFrame(rows),
        }
        storage.write_tables(self.directory, self.round, tables)

    def _kind(self, firm: str) -> str:
        return "team" if firm in self.teams else "rival"

    # ------------------------------------------------------------------ looking back
    def replay_round(self, number: int | None = None) -> pd.DataFrame:
        """Play round ``number`` again from the saved state before it, with the saved
        decisions, and return its weeks' frame rows (equal to the game's, bit for bit).

        Parameters
        ----------
        number : int, optional
            A round played; the last by default.
        """
        number = self.round if number is None else number
        decisions = self.decisions(number)
        return self._round_rows(self._run(number, decisions).firm_frame, number)

    def what_if(self, firm: str, changes: Mapping[str, Any]) -> pd.DataFrame:
        """The last round again on the same random numbers, with one firm's decisions changed.

        The other firms' decisions stay as played (rivals decided before the round).

        Parameters
        ----------
        firm : str
            A team (or rival) of the game.
        changes : mapping
            Levers to change, ``price`` among them, e.g. ``{"discount": 0.1}``; they must
            fit the budget.

        Returns
        -------
        pandas.DataFrame
            The firm's frame rows of that round, as played (``case`` "played") and with the
            changes (``case`` "what_if").
        """
        if self.round == 0:
            raise GameError("no round has been played yet; 'what if' replays the last round")
        if firm not in self.firms:
            raise GameError(f"no firm is called {firm!r}; the firms are {list(self.firms)}")
        decisions = self.decisions()
        where = f"what if for {firm}"
        changed = decisions[firm].changed(changes, where=where)
        self.config.budget.check(changed, self.config.market, where=where)
        check_targets(changed, Population(), where=where)
        decisions[firm] = changed
        rows = self._round_rows(self._run(self.round, decisions).firm_frame, self.round)
        played = self._round_rows(self._frame, self.round)
        both = pd.concat(
            [
                played[played["firm"] == firm].assign(case="played"),
                rows[rows["firm"] == firm].assign(case="what_if"),
            ],
            ignore_index=True,
        )
        both = both[["case", *played.columns]]
        both.attrs["change"] = dict(changes)  # the debrief names what was changed
        return both

    def _round_rows(self, frame: pd.DataFrame, number: int) -> pd.DataFrame:
        weeks = self.config.weeks_per_round
        first = (number - 1) * weeks
        rows = frame[(frame["week"] >= first) & (frame["week"] < first + weeks)]
        return rows.reset_index(drop=True)

    def report(
        self,
        out: str | Path | None = None,
        *,
        what_if: Mapping[str, pd.DataFrame] | None = None,
    ) -> list[Path]:
        """Write the debriefs: one HTML page per team and one for the class.

        Parameters
        ----------
        out : str or Path, optional
            Where to write them; ``report/`` in the game's folder by default.
        what_if : mapping of str to DataFrame, optional
            :meth:`what_if` results by team, shown in that team's debrief.

        Returns
        -------
        list of Path
            The pages written.
        """
        try:
            from crmsim.game.debrief import write_debriefs
        except ImportError as err:
            raise GameError(f"the debriefs cannot be written: {err}") from None
        if self.round == 0:
            raise GameError("no round has been played yet: nothing to debrief")
        out = self.directory / "report" if out is None else Path(out)
        out.mkdir(parents=True, exist_ok=True)
        return write_debriefs(
            self.firm_frame,
            self.losses,
            round_weeks=self.config.weeks_per_round,
            teams=list(self.teams),
            out=out,
            what_if=what_if,
            scoreboard=self.scoreboard(),
        )


def build_model(config: GameConfig, decisions: Mapping[str, Decision]) -> CRMModel:
    """The market before the first round: every firm, the config's market, keyed streams.

    Parameters
    ----------
    config : GameConfig
        Seed, size, market and firms.
    decisions : mapping of str to Decision
        Each firm's decisions for the first week (the round's own are set before it runs).
    """
    firms = [
        Firm(firm, decisions[firm].for_round(0), price=decisions[firm].price)
        for firm in config.firms
    ]
    return CRMModel(
        n_customers=config.customers,
        firms=firms,
        market=config.market,
        rng=config.seed,
        streams="keyed",
        history=False,
    )


def _remove_game(directory: Path) -> None:
    for name in (storage.GAME_FILE, storage.CONFIG_FILE, *storage.TABLES, storage.TABLES_ROUND):
        (directory / name).unlink(missing_ok=True)
    shutil.rmtree(directory / storage.ROUNDS, ignore_errors=True)
    shutil.rmtree(directory / "report", ignore_errors=True)


__all__ = ["DecisionError", "Game", "GameError", "build_model"]
