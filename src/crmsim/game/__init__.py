"""The CRM game: teams of students run firms in one market, round by round.

Each round is a number of weeks (a quarter by default) of :class:`crmsim.CRMModel` with
several firms. Before it, every team hands in its decisions (the :class:`~crmsim.Policy`
levers and a price, within the instructor's budget), computer rivals decide by their
strategies, and after it a scoreboard ranks the firms on the success measures the
instructor weighs. The game is saved after every round; any round can be replayed bit for
bit, and the last one replayed with one team's decisions changed ("what if").

Seams, one module each: :mod:`~crmsim.game.config` (the instructor's settings),
:mod:`~crmsim.game.decisions` (what a firm decides and the budget),
:mod:`~crmsim.game.rivals` (computer rivals), :mod:`~crmsim.game.scoreboard` (success
measures), :mod:`~crmsim.game.play` (running rounds) and :mod:`~crmsim.game.storage`
(the game's folder).

Examples
--------
>>> import tempfile
>>> from crmsim.game import Game, example_config
>>> game = Game.new(example_config(customers=300, weeks_per_round=2), tempfile.mkdtemp())
>>> _ = game.play_round({"Team A": {"service_quality": 0.8, "price": 21.0}})
>>> game.round
1
"""

from crmsim.game.config import GameConfig, Rival, example_config, load_config
from crmsim.game.decisions import Budget, Decision, DecisionError
from crmsim.game.play import Game, GameError
from crmsim.game.rivals import STRATEGIES, Situation
from crmsim.game.scoreboard import MEASURES, Scoring, scoreboard

__all__ = [
    "MEASURES",
    "STRATEGIES",
    "Budget",
    "Decision",
    "DecisionError",
    "Game",
    "GameConfig",
    "GameError",
    "Rival",
    "Scoring",
    "Situation",
    "example_config",
    "load_config",
    "scoreboard",
]
