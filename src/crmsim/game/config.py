"""A game's settings, as the instructor writes them in a TOML file.

::

    name = "Spring class"
    seed = 7
    customers = 3000        # people in the market
    weeks_per_round = 13    # a quarter
    rounds = 8
    teams = ["Team A", "Team B"]

    [[rivals]]
    name = "Bargain Barn"
    strategy = "discounter"   # or service_leader, relationship_builder, follower

    [budget]                  # what a firm may decide (see crmsim.game.decisions.Budget)
    max_discount = 0.3
    price_range = [16.0, 24.0]

    [scoring.weights]         # see crmsim.game.scoreboard
    profit = 2
    [scoring.bases]
    share = "average"

    [market]                  # crmsim.Market fields that differ from the defaults
    competitor_offer_rate = 0.05

    [start]                   # the teams' decisions before they hand any in
    service_quality = 0.6
    price = 20.0

Every table is optional but ``teams`` or ``[[rivals]]`` (a game needs a firm). A bad
value is refused with one line naming the field.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from crmsim import checks, tomlfile
from crmsim.firms import MAX_FIRMS
from crmsim.game.decisions import Budget, Decision, DecisionError, file_name, policy_to_dict
from crmsim.game.rivals import STRATEGIES
from crmsim.game.scoreboard import Scoring
from crmsim.levers import Market, Policy

#: The bundled example: four teams and two computer rivals.
EXAMPLE_CONFIG = "example.toml"


@dataclass(frozen=True)
class Rival:
    """A computer rival: its name and the strategy it plays (see :mod:`crmsim.game.rivals`)."""

    name: str
    strategy: str


@dataclass(frozen=True)
class GameConfig:
    """Everything that defines a game, checked when made.

    Parameters
    ----------
    name : str
        The game's name, for reports.
    seed : int
        Seed of the market; the same seed and decisions give the same game.
    customers : int
        People in the market.
    weeks_per_round : int
        Weeks simulated per round (13: a quarter).
    rounds : int
        Rounds in the game.
    teams : tuple of str
        The teams' firm names.
    rivals : tuple of Rival
        The computer rivals.
    budget : Budget
        What a firm may decide.
    scoring : Scoring
        How the scoreboard weighs the measures.
    market : Market
        The market all firms sell in.
    start : Decision
        The teams' decisions until they hand in their own.
    """

    name: str = "CRM game"
    seed: int = 0
    customers: int = 3_000
    weeks_per_round: int = 13
    rounds: int = 8
    teams: tuple[str, ...] = ()
    rivals: tuple[Rival, ...] = ()
    budget: Budget = field(default_factory=Budget)
    scoring: Scoring = field(default_factory=Scoring)
    market: Market = field(default_factory=Market)
    start: Decision = field(default_factory=lambda: Decision(Policy(), Market().price))

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        for name, low in (("seed", 0), ("customers", 1), ("weeks_per_round", 1), ("rounds", 1)):
            object.__setattr__(self, name, checks.integer(name, getattr(self, name), low=low))
        if isinstance(self.teams, str) or not all(
            isinstance(t, str) and t.strip() for t in self.teams
        ):
            raise ValueError(f"teams must be a list of names, got {self.teams!r}")
        object.__setattr__(self, "teams", tuple(self.teams))
        object.__setattr__(self, "rivals", tuple(self.rivals))
        for rival in self.rivals:
            if not isinstance(rival.name, str) or not rival.name.strip():
                raise ValueError(f"rivals.name must be a non-empty string, got {rival.name!r}")
            checks.choice(f"rivals.strategy of {rival.name!r}", rival.strategy, tuple(STRATEGIES))
        if not self.firms:
            raise ValueError("teams: a game needs at least one team or rival")
        if len(self.firms) > MAX_FIRMS:
            raise ValueError(
                f"teams: a market holds at most {MAX_FIRMS} firms, teams and rivals together; "
                f"got {len(self.firms)}"
            )
        seen: dict[str, str] = {}
        for firm in self.firms:
            # two names that make the same decision file would hand in for each other
            key = file_name(firm)
            if key in seen:
                raise ValueError(
                    f"teams: {seen[key]!r} and {firm!r} are too alike (both hand in {key}); "
                    "give every firm a distinct name"
                )
            seen[key] = firm
        try:
            self.budget.check(self.start, self.market, where="start")
        except DecisionError as err:
            raise ValueError(str(err)) from None

    @property
    def firms(self) -> tuple[str, ...]:
        """Every firm's name: the teams, then the rivals."""
        return (*self.teams, *(r.name for r in self.rivals))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GameConfig:
        """A config from plain data (a TOML file's), unknown settings refused.

        Raises
        ------
        ValueError
            In one line naming the setting at fault.
        """
        known = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in known:
                raise ValueError(f"{key} is not a game setting; use one of {known}")
        values = dict(data)
        for table in ("budget", "scoring", "market", "start"):
            if not isinstance(values.get(table, {}), Mapping):
                raise ValueError(f"{table} must be a table ([{table}])")
        try:
            market = Market.from_dict(values.get("market", {}))
        except (ValueError, TypeError) as err:
            raise ValueError(f"market: {err}") from None
        values["market"] = market
        # the price range follows the market's price unless the instructor sets it
        budget = {"price_range": (0.8 * market.price, 1.2 * market.price)}
        values["budget"] = Budget.from_dict(budget | dict(values.get("budget", {})))
        values["scoring"] = Scoring.from_dict(values.get("scoring", {}))
        try:
            values["start"] = Decision(Policy(), market.price).changed(
                values.get("start", {}), where="start"
            )
        except DecisionError as err:
            raise ValueError(str(err)) from None
        rivals = values.get("rivals", [])
        if not isinstance(rivals, list) or not all(isinstance(r, Mapping) for r in rivals):
            raise ValueError("rivals must be tables [[rivals]] with a name and a strategy")
        parsed = []
        for rival in rivals:
            unknown = sorted(set(rival) - {"name", "strategy"})
            if unknown or set(rival) != {"name", "strategy"}:
                raise ValueError(
                    f"rivals: each rival has a name and a strategy, got {dict(rival)!r}"
                )
            parsed.append(Rival(rival["name"], rival["strategy"]))
        values["rivals"] = tuple(parsed)
        if "teams" in values:
            if not isinstance(values["teams"], list):
                raise ValueError(f"teams must be a list of names, got {values['teams']!r}")
            values["teams"] = tuple(values["teams"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (TOML-ready) that :meth:`from_dict` reads back equal."""
        defaults = Market()
        market = {
            f.name: getattr(self.market, f.name)
            for f in dataclasses.fields(Market)
            if getattr(self.market, f.name) != getattr(defaults, f.name)
        }
        if "channel_unit_cost" in market:
            market["channel_unit_cost"] = dict(market["channel_unit_cost"])
        start = {"price": self.start.price, **policy_to_dict(self.start.policy)}
        return {
            "name": self.name,
            "seed": self.seed,
            "customers": self.customers,
            "weeks_per_round": self.weeks_per_round,
            "rounds": self.rounds,
            "teams": list(self.teams),
            "rivals": [{"name": r.name, "strategy": r.strategy} for r in self.rivals],
            "budget": self.budget.to_dict(),
            "scoring": self.scoring.to_dict(),
            "market": market,
            "start": start,
        }

    def replace(self, **changes: Any) -> GameConfig:
        """A copy with some settings changed (checked again)."""
        return dataclasses.replace(self, **changes)


def load_config(source: str | Path | Mapping[str, Any] | GameConfig) -> GameConfig:
    """A game config from a TOML file, plain data or itself.

    Raises
    ------
    ValueError
        In one line naming the file (if any) and the setting at fault.
    """
    if isinstance(source, GameConfig):
        return source
    if isinstance(source, Mapping):
        return GameConfig.from_dict(source)
    path = Path(source)
    data = tomlfile.read(path)
    try:
        return GameConfig.from_dict(data)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: {' '.join(str(err).split())}") from None


def example_config(**changes: Any) -> GameConfig:
    """The bundled example game: four teams and two computer rivals, eight rounds.

    Parameters
    ----------
    **changes
        Settings to change, e.g. ``customers=1500`` for a quicker game.

    Examples
    --------
    >>> config = example_config(rounds=4)
    >>> len(config.teams), len(config.rivals), config.rounds
    (4, 2, 4)
    """
    text = resources.files("crmsim.game").joinpath(EXAMPLE_CONFIG).read_text(encoding="utf-8")
    config = GameConfig.from_dict(tomllib.loads(text))
    return config.replace(**changes) if changes else config
