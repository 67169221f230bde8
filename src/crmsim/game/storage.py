"""A game's folder on disk, written so that an interrupted round loses nothing.

::

    game/
      config.toml            the game's settings (crmsim.game.config)
      game.json              how many rounds are played: written last, it commits a round
      rounds/00/model.pkl    the market before the first round
      rounds/01/model.pkl    ... after round 1 (a pickled CRMModel)
               decisions.pkl every firm's decisions in round 1, exactly as played
               decisions/    the same as TOML files, one per firm, to read
               handed_in/    copies of the files the teams handed in
               equity.json   each firm's customer equity at the round's end
      firm_frame.csv  losses.csv  measures.csv  scoreboard.csv  decisions.csv
                             tables of the rounds played, rewritten after each round

A round is written into a hidden folder first and moved into place whole; ``game.json``
is then replaced in one step (a temporary file and :func:`os.replace`), and only then do
the tables follow. A round interrupted at any point before ``game.json`` is replaced
leaves the game as it was; :func:`tidy` removes what such a round left behind and
rewrites tables that lag behind ``game.json``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

GAME_FILE = "game.json"
CONFIG_FILE = "config.toml"
ROUNDS = "rounds"
MODEL_FILE = "model.pkl"
DECISIONS_FILE = "decisions.pkl"
EQUITY_FILE = "equity.json"
#: The tables rewritten after every round, and the file saying which round they show.
TABLES = ("firm_frame.csv", "losses.csv", "measures.csv", "scoreboard.csv", "decisions.csv")
TABLES_ROUND = ".tables.json"
#: The version of this layout, for games saved by a later crmsim.
FORMAT = 1


def round_dir(directory: Path, number: int) -> Path:
    """The folder of round ``number`` (0: the market before the first round)."""
    return directory / ROUNDS / f"{number:02d}"


def write_atomically(path: Path, content: bytes | str) -> None:
    """Write ``path`` whole or not at all: into a temporary file, then moved in one step."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_round_number(directory: Path) -> int:
    """Rounds played in the game saved in ``directory``; ``ValueError`` if it holds none."""
    path = directory / GAME_FILE
    if not path.is_file():
        raise ValueError(f"{directory} holds no game (no {GAME_FILE}); start one with 'game new'")
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        number = int(state["round"])
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{path} is damaged: {err}") from None
    if state.get("format", FORMAT) > FORMAT:
        raise ValueError(f"{path} was saved by a later crmsim; update crmsim to open it")
    return number


def commit_round(directory: Path, number: int, files: dict[str, bytes | str]) -> None:
    """Save round ``number`` and make it count, or leave the game as it was.

    Parameters
    ----------
    directory : Path
        The game's folder.
    number : int
        The round (0 for the market before the first).
    files : dict of str to bytes or str
        The round folder's files by relative path (``"decisions/team_a.toml"``).
    """
    final = round_dir(directory, number)
    staging = final.with_name(f".{final.name}.tmp")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        # a folder left by a round interrupted after its move, before game.json counted it
        shutil.rmtree(final, ignore_errors=True)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        write_atomically(
            directory / GAME_FILE, json.dumps({"format": FORMAT, "round": number}) + "\n"
        )
    except BaseException:
        if _counted(directory) != number:
            shutil.rmtree(final, ignore_errors=True)
        raise


def _counted(directory: Path) -> int | None:
    try:
        return read_round_number(directory)
    except ValueError:
        return None


def write_tables(directory: Path, number: int, tables: dict[str, Any]) -> None:
    """Write the tables of the rounds played (``{file name: DataFrame}``), each whole."""
    for name, table in tables.items():
        write_atomically(directory / name, table.to_csv(index=False))
    write_atomically(directory / TABLES_ROUND, json.dumps({"round": number}))


def tables_round(directory: Path) -> int | None:
    """The round the tables show, or ``None`` if unknown."""
    try:
        return int(json.loads((directory / TABLES_ROUND).read_text(encoding="utf-8"))["round"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def tidy(directory: Path, number: int) -> None:
    """Remove what an interrupted round left: its staging folder, or its round folder that
    ``game.json`` never counted."""
    rounds = directory / ROUNDS
    if not rounds.is_dir():
        return
    for entry in rounds.iterdir():
        name = entry.name.strip(".").removesuffix(".tmp")
        stale = entry.name.startswith(".") or (name.isdigit() and int(name) > number)
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
    for entry in directory.glob(".*.tmp"):
        entry.unlink(missing_ok=True)
