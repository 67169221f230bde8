"""What a firm decides for a round, what the instructor allows, and the files teams hand in.

A team's decisions are its :class:`~crmsim.Policy` levers and its list price. Each round a
team may hand in a small TOML file of the levers it changes::

    # decisions/team_a.toml
    service_quality = 0.8
    discount = 0.1
    discount_target = ["loyal", "marketer"]
    price = 21.5

Levers the file does not name keep the values the team played last round, and a team
that hands in nothing keeps all of its decisions. ``discount_weeks`` count from the
round's first week (``[0, 4]``: the round's first four weeks, every round the decision
stands).

Every decision must fit the instructor's :class:`Budget`: caps on the levers that cost
money and a range for the price. A file that breaks a rule is refused with one line
naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmsim import checks, tomlfile
from crmsim.books import cost_per_episode
from crmsim.levers import KanoAttribute, Market, Policy, Population

#: The levers a decision may set: every Policy field, and the list price.
LEVERS = (*(f.name for f in dataclasses.fields(Policy)), "price")


class DecisionError(ValueError):
    """A decision file or mapping that cannot be played; its message is one line."""


@dataclass(frozen=True)
class Decision:
    """One firm's decisions for a round.

    Parameters
    ----------
    policy : Policy
        The levers; ``discount_weeks``, if set, count from the round's first week.
    price : float
        The firm's list price of an average purchase.
    """

    policy: Policy
    price: float

    def for_round(self, first_week: int) -> Policy:
        """The policy to give the model for a round starting at model week ``first_week``."""
        if self.policy.discount_weeks is None:
            return self.policy
        start, end = self.policy.discount_weeks
        return self.policy.replace(discount_weeks=(first_week + start, first_week + end))

    def changed(self, changes: Mapping[str, Any], *, where: str = "decisions") -> Decision:
        """This decision with some levers changed (``price`` among them), checked.

        Raises
        ------
        DecisionError
            If a lever is unknown or a value is of the wrong type or out of range; the
            message starts with ``where``.
        """
        if not isinstance(changes, Mapping):
            raise DecisionError(
                f"{where}: decisions must be a table of levers, got {type(changes).__name__}"
            )
        levers = dict(changes)
        for name in levers:
            if name not in LEVERS:
                close = difflib.get_close_matches(str(name), LEVERS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise DecisionError(f"{where}: unknown lever {name!r}{hint}")
        price = self.price
        if "price" in levers:
            try:
                price = checks.number("price", levers.pop("price"), 0.0)
            except ValueError as err:
                raise DecisionError(f"{where}: {err}") from None
            if price == 0:
                raise DecisionError(f"{where}: price must be > 0, got 0")
        for name in ("discount_weeks", "discount_target", "win_back_target", "channels"):
            if isinstance(levers.get(name), list):
                kind = tuple if name == "discount_weeks" else frozenset
                try:
                    levers[name] = kind(levers[name])
                except TypeError:  # a list of tables cannot make a set
                    raise DecisionError(
                        f"{where}: {name} must be a list of names, got {levers[name]!r}"
                    ) from None
        try:
            policy = self.policy.replace(**levers) if levers else self.policy
        except (ValueError, TypeError) as err:
            raise DecisionError(f"{where}: {_one_line(err)}") from None
        return Decision(policy, price)

    def to_dict(self) -> dict[str, Any]:
        """Every lever as plain data (TOML-ready); ``Decision.changed`` reads it back."""
        return {"price": self.price, **policy_to_dict(self.policy)}


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """A policy's fields as plain data that :meth:`crmsim.Policy.from_dict` reads back equal.

    Sets become sorted lists, the service a table of ``{category, level}`` per attribute;
    ``service_quality`` is left out (the levels hold it) and so are fields that are ``None``.
    """
    data: dict[str, Any] = {}
    for spec in dataclasses.fields(policy):
        value = getattr(policy, spec.name)
        if spec.name == "service_quality" or value is None:
            continue
        if spec.name == "service":
            value = {
                name: {"category": attribute.category, "level": attribute.level}
                for name, attribute in value.items()
            }
        elif isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[spec.name] = value
    return data


def policy_row(decision: Decision) -> dict[str, Any]:
    """One flat row of a decision for a table: a column per number, sets as text."""
    row: dict[str, Any] = {"price": decision.price}
    for name, value in policy_to_dict(decision.policy).items():
        if name == "service":
            row.update({f"service_{attr}": spec["level"] for attr, spec in value.items()})
        elif isinstance(value, list):
            row[name] = " ".join(str(v) for v in value)
        else:
            row[name] = value
    return row


# ---------------------------------------------------------------------------- budget
@dataclass(frozen=True)
class Budget:
    """What the instructor allows a firm to decide, lever by lever.

    Parameters
    ----------
    max_discount : float
        Highest ``Policy.discount``, in [0, 0.9].
    max_advertising : float
        Highest ``Policy.advertising``, in [0, 1].
    max_gift_value : float
        Highest ``Policy.gift_value`` (money per gift), >= 0.
    max_referral_reward : float
        Highest ``Policy.referral_reward`` (money per referral that buys), >= 0.
    max_win_back : float
        Highest ``Policy.win_back``, in [0, 1].
    price_range : tuple of float
        ``(lowest, highest)`` list price, 0 < lowest <= highest.
    max_service_cost : float, optional
        Most one purchase's service and respect may cost:
        ``crmsim.books.cost_per_episode(policy, market) - market.unit_cost``; ``None``: no cap.
    """

    max_discount: float = 0.3
    max_advertising: float = 0.05
    max_gift_value: float = 5.0
    max_referral_reward: float = 10.0
    max_win_back: float = 1.0
    price_range: tuple[float, float] = (16.0, 24.0)
    max_service_cost: float | None = None

    def __post_init__(self) -> None:
        caps = {
            "max_discount": 0.9,
            "max_advertising": 1.0,
            "max_gift_value": math.inf,
            "max_referral_reward": math.inf,
            "max_win_back": 1.0,
        }
        for name, high in caps.items():
            value = checks.number(f"budget.{name}", getattr(self, name), 0.0, high)
            object.__setattr__(self, name, value)
        bounds = self.price_range
        if (
            not isinstance(bounds, list | tuple)
            or len(bounds) != 2
            or not all(_is_number(v) and math.isfinite(v) for v in bounds)
            or not 0 < bounds[0] <= bounds[1]
        ):
            raise ValueError(
                f"budget.price_range must be [lowest, highest] with 0 < lowest <= highest, "
                f"got {bounds!r}"
            )
        object.__setattr__(self, "price_range", (float(bounds[0]), float(bounds[1])))
        if self.max_service_cost is not None:
            cost = checks.number("budget.max_service_cost", self.max_service_cost, 0.0)
            object.__setattr__(self, "max_service_cost", cost)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Budget:
        """A budget from plain data (the config's ``[budget]`` table), unknown keys refused."""
        known = [f.name for f in dataclasses.fields(cls)]
        for name in data:
            if name not in known:
                raise ValueError(f"budget.{name} is not a budget field; use one of {known}")
        values = dict(data)
        if isinstance(values.get("price_range"), list):
            values["price_range"] = tuple(values["price_range"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The budget as plain data (``max_service_cost`` left out when there is no cap)."""
        data = dataclasses.asdict(self)
        data["price_range"] = list(self.price_range)
        return {k: v for k, v in data.items() if v is not None}

    def check(self, decision: Decision, market: Market, *, where: str = "decisions") -> None:
        """Raise :class:`DecisionError` naming the first lever over its cap.

        Parameters
        ----------
        decision : Decision
            What a firm wants to play.
        market : Market
            Prices the service cost.
        where : str
            Starts the message (the file's name).
        """
        policy = decision.policy
        for lever in ("discount", "advertising", "gift_value", "referral_reward", "win_back"):
            cap = getattr(self, f"max_{lever}")
            if getattr(policy, lever) > cap:
                raise DecisionError(
                    f"{where}: {lever} {getattr(policy, lever):g} is over the budget "
                    f"(max_{lever} = {cap:g})"
                )
        low, high = self.price_range
        if not low <= decision.price <= high:
            raise DecisionError(
                f"{where}: price {decision.price:g} is outside the budget's price_range "
                f"[{low:g}, {high:g}]"
            )
        if self.max_service_cost is not None:
            cost = service_cost(policy, market)
            if cost > self.max_service_cost + 1e-9:
                raise DecisionError(
                    f"{where}: service and respect cost {cost:.3g} a purchase, over the budget "
                    f"(max_service_cost = {self.max_service_cost:g}); lower service levels or "
                    "respect"
                )

    def fit(self, decision: Decision, market: Market) -> Decision:
        """The nearest decision within the budget: each lever held at its cap, the price in
        range, and service levels and respect scaled down together if they cost too much.

        The computer rivals use it, so a strategy can aim high and still play fair.
        """
        policy = decision.policy
        capped = {
            lever: min(getattr(policy, lever), getattr(self, f"max_{lever}"))
            for lever in ("discount", "advertising", "gift_value", "referral_reward", "win_back")
        }
        policy = policy.replace(**capped)
        low, high = self.price_range
        price = min(max(decision.price, low), high)
        if self.max_service_cost is not None:
            cost = service_cost(policy, market)
            if cost > self.max_service_cost:
                # the cost is linear in the levels and respect, so one factor brings it to the cap
                factor = self.max_service_cost / cost * (1 - 1e-12)
                service = {
                    name: attr
                    if attr.category == "reverse"
                    else KanoAttribute(attr.category, attr.level * factor)
                    for name, attr in policy.service.items()
                }
                policy = policy.replace(service=service, respect=policy.respect * factor)
        return Decision(policy, price)


def service_cost(policy: Policy, market: Market) -> float:
    """What the service and respect of one purchase cost (the goods left out)."""
    return cost_per_episode(policy, market) - market.unit_cost


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---------------------------------------------------------------------------- files
def file_name(firm: str) -> str:
    """The decision file's name for a firm: its name in lower case, spaces and signs as ``_``.

    Examples
    --------
    >>> file_name("Team A")
    'team_a.toml'
    """
    return re.sub(r"[^a-z0-9]+", "_", firm.lower()).strip("_") + ".toml"


def check_targets(decision: Decision, population: Population, *, where: str) -> None:
    """Refuse a discount aimed at a segment the population does not have."""
    try:
        checks.discount_target(
            decision.policy.discount_target, population.segment_names, "discount_target"
        )
    except ValueError as err:
        raise DecisionError(f"{where}: {err}") from None


#: What a team may hand in for a round: a file, lever changes, a whole policy or decision.
HandedIn = str | Path | Mapping[str, Any] | Policy | Decision


def gather(
    handed_in: str | Path | Mapping[str, HandedIn],
    current: Mapping[str, Decision],
    *,
    teams: tuple[str, ...],
    rivals: tuple[str, ...],
    budget: Budget,
    market: Market,
    population: Population,
) -> tuple[dict[str, Decision], dict[str, Path]]:
    """Read and check every team's decisions for the next round, before any is played.

    Parameters
    ----------
    handed_in : path or mapping
        A folder of decision files (``team_a.toml`` for "Team A", see :func:`file_name`), or
        ``{team: decisions}`` where decisions are a TOML file's path, a mapping of lever
        changes, a whole :class:`~crmsim.Policy` (the price kept) or a :class:`Decision`.
    current : mapping of str to Decision
        What each team played last round (or its starting decisions).
    teams, rivals : tuple of str
        The firms' names; rivals cannot be handed decisions.
    budget : Budget
        Every decision must fit it.
    market : Market
        Prices the service cost the budget may cap.
    population : Population
        Its segments are the discount targets a decision may name.

    Returns
    -------
    decisions : dict of str to Decision
        Every team's decisions for the round: new where handed in, last round's otherwise.
    files : dict of str to Path
        The files handed in, by team, to keep a copy of.

    Raises
    ------
    DecisionError
        Naming every refused file (or team) and the field at fault, in one line.
    """
    entries: dict[str, tuple[str, HandedIn]] = {}
    errors: list[str] = []
    if isinstance(handed_in, str | Path):
        folder = Path(handed_in)
        if not folder.is_dir():
            raise DecisionError(f"{folder}: no such folder of decision files")
        by_file = {file_name(team): team for team in teams} | {f"{t}.toml": t for t in teams}
        by_file_rival = {file_name(r): r for r in rivals} | {f"{r}.toml": r for r in rivals}
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue  # hidden files some systems leave behind
            team = by_file.get(path.name)
            if path.suffix.lower() != ".toml" or not path.is_file():
                errors.append(f"{path}: not a decision file (name it <team>.toml)")
            elif path.name in by_file_rival and team is None:
                errors.append(
                    f"{path}: {by_file_rival[path.name]!r} is a computer rival; its strategy "
                    "makes its decisions"
                )
            elif team is None:
                named = ", ".join(file_name(t) for t in teams)
                errors.append(f"{path}: no team of this game has this file name (use {named})")
            elif team in entries:
                errors.append(f"{path}: a second file for {team!r} (after {entries[team][0]})")
            else:
                entries[team] = (str(path), path)
    elif isinstance(handed_in, Mapping):
        for team, given in handed_in.items():
            if team in rivals:
                errors.append(f"{team!r} is a computer rival; its strategy makes its decisions")
            elif team not in teams:
                errors.append(f"no team is called {team!r}; the teams are {list(teams)}")
            else:
                entries[team] = (
                    str(given) if isinstance(given, str | Path) else f"decisions of {team!r}",
                    given,
                )
    else:
        raise DecisionError(
            "decisions must be a folder of TOML files or a mapping of team -> decisions, "
            f"got {type(handed_in).__name__}"
        )

    decisions = {team: current[team] for team in teams}
    files: dict[str, Path] = {}
    for team, (where, given) in entries.items():
        try:
            decisions[team] = _read_one(given, current[team], where)
            budget.check(decisions[team], market, where=where)
            check_targets(decisions[team], population, where=where)
        except DecisionError as err:
            errors.append(str(err))
        if isinstance(given, str | Path):
            files[team] = Path(given)
    if errors:
        count = "a decision was" if len(errors) == 1 else f"{len(errors)} decisions were"
        raise DecisionError(f"{count} refused: " + "; ".join(errors))
    return decisions, files


def _read_one(given: HandedIn, current: Decision, where: str) -> Decision:
    if isinstance(given, Decision):
        return given
    if isinstance(given, Policy):
        return Decision(given, current.price)
    if isinstance(given, str | Path):
        try:
            data = tomlfile.read(Path(given))
        except ValueError as err:
            raise DecisionError(str(err)) from None
        return current.changed(data, where=where)
    if isinstance(given, Mapping):
        return current.changed(given, where=where)
    raise DecisionError(
        f"{where}: must be a TOML file, a mapping of levers, a Policy or a Decision, "
        f"got {type(given).__name__}"
    )
