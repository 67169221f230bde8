"""Computer rivals: firms that decide each round by a named strategy.

They let one student play alone and give a class with few teams a full market. Each
strategy embodies one idea of the course, so the class can see it play out against
their own decisions:

``discounter``
    Transactional, price-centric marketing. It sells below the market price, discounts
    to everyone and advertises as widely as the budget allows, with plain service and
    little respect. It buys customers through calculus trust (the deal), which holds
    only as long as the deal is the best around. After a round in which its market share
    fell it deepens its discount (up to the budget's cap); after one in which it gained
    share at a loss it eases it a little.
``service_leader``
    Service quality through the Kano model: must-be and performance attributes
    delivered well and consistently (knowledge-based trust grows from reliable
    episodes), an attractive attribute to delight, nothing spent on what customers are
    indifferent to, complaints resolved well (service recovery), and a price premium
    for it. After a round in which its share fell, it halves its premium.
``relationship_builder``
    Relationship marketing along the ladder of loyalty: much respect (identification-
    based trust), gifts to loyal customers (customer experience), rewards for referrals
    that turn marketers into a sales force, discounts and win-back offers aimed at loyal
    customers rather than at newcomers, little advertising (word of mouth does it), at
    the market price. After a round in which its churn rose, it steps up complaint
    recovery (the service recovery paradox: a complaint resolved well binds).
``follower``
    A fast follower: it copies, with a lag of one round, the decisions of the firm with
    the largest market share in the round just played (other than itself). In the first
    round it plays the teams' starting decisions.

A strategy is a function ``strategy(round_number, situation) -> Decision`` (a policy and
a price); :func:`decide` fits what it returns into the budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from crmsim.game.decisions import Budget, Decision
from crmsim.game.scoreboard import round_of
from crmsim.levers import KanoAttribute, Market, Policy, default_service


@dataclass(frozen=True)
class Situation:
    """What a computer rival knows when it decides the next round.

    Parameters
    ----------
    firm : str
        The rival's own name.
    firm_frame : pandas.DataFrame
        Every week played so far, all firms (``CRMModel.firm_frame``); empty before round 1.
    decisions : mapping of str to Decision
        Each firm's decisions in the round just played; before round 1, the teams'
        starting decisions.
    start : Decision
        The teams' starting decisions.
    budget : Budget
        What a decision may be.
    market : Market
        The market's prices and costs.
    weeks_per_round : int
        Weeks in a round.
    """

    firm: str
    firm_frame: pd.DataFrame
    decisions: Mapping[str, Decision]
    start: Decision
    budget: Budget
    market: Market
    weeks_per_round: int

    def per_round(self, column: str, firm: str | None = None) -> pd.Series:
        """The mean of a frame column over each round played, for ``firm`` (the rival itself
        by default), indexed by round."""
        frame = self.firm_frame
        if frame.empty:
            return pd.Series(dtype=float)
        mine = frame[frame["firm"] == (firm or self.firm)]
        return mine.groupby(round_of(mine["week"], self.weeks_per_round))[column].mean()

    def change(self, column: str) -> float:
        """How much the rival's per-round mean of ``column`` moved in the round just played,
        against the round before; 0 before two rounds with a value."""
        values = self.per_round(column).dropna()
        return float(values.iloc[-1] - values.iloc[-2]) if len(values) >= 2 else 0.0

    def last(self, column: str) -> float:
        """The rival's total of ``column`` over the round just played; 0 before round 1."""
        frame = self.firm_frame
        if frame.empty:
            return 0.0
        mine = frame[frame["firm"] == self.firm]
        latest = round_of(mine["week"], self.weeks_per_round)
        return float(mine.loc[latest == latest.max(), column].sum())

    @property
    def own(self) -> Decision | None:
        """The rival's own decisions in the round just played (``None`` before round 1)."""
        return self.decisions.get(self.firm)


#: A strategy: (round number from 1, situation) -> the rival's decisions for that round.
Strategy = Callable[[int, Situation], Decision]

#: How much the discounter deepens its discount after a round in which it lost share.
DISCOUNT_STEP = 0.05


def discounter(round_number: int, situation: Situation) -> Decision:
    """Transactional marketing: low price, discounts for all, wide advertising.

    It opens with half the largest discount the budget allows, deepens it by
    :data:`DISCOUNT_STEP` after a round in which its share fell, and eases it by half a
    step after a round in which it gained share at a loss (a price war costs money too).
    """
    budget, market = situation.budget, situation.market
    own = situation.own
    discount = own.policy.discount if own else budget.max_discount / 2
    if situation.change("share") < 0:
        discount += DISCOUNT_STEP
    elif situation.change("share") > 0 and situation.last("profit") < 0:
        discount -= DISCOUNT_STEP / 2
    policy = Policy(
        service_quality=0.5,
        respect=0.2,
        recovery=0.3,
        discount=min(max(round(discount, 6), 0.0), budget.max_discount),
        discount_target="all",
        advertising=budget.max_advertising,
        # win back those who went to a competitor: they left for the price, a price brings them
        win_back=min(0.3, budget.max_win_back),
        win_back_target="competitor",
    )
    return Decision(policy, 0.9 * market.price)


#: The service leader's opening price over the market price.
PREMIUM = 0.10


def service_leader(round_number: int, situation: Situation) -> Decision:
    """Service quality (Kano): reliable must-be and performance attributes, a premium.

    It opens at a premium of :data:`PREMIUM` over the market price and halves its premium
    after a round in which its share fell.
    """
    service = default_service()
    levels = {
        "reliability": 0.95,  # must-be: a failure here costs most
        "speed": 0.85,  # performance: every step counts
        "personal_touch": 0.6,  # attractive: delights, its absence is no failure
        "spam": 0.05,  # reverse: less is better
        "logo_colour": 0.1,  # indifferent: money spent where nobody cares
    }
    service = {
        name: KanoAttribute(attr.category, levels.get(name, attr.level))
        for name, attr in service.items()
    }
    price = situation.market.price
    premium = situation.own.price / price - 1 if situation.own else PREMIUM
    if situation.change("share") < 0:
        premium /= 2
    policy = Policy(
        service=service,
        service_variability=0.05,
        respect=0.5,
        recovery=0.9,
        advertising=situation.budget.max_advertising / 2,
    )
    return Decision(policy, price * (1 + premium))


def relationship_builder(round_number: int, situation: Situation) -> Decision:
    """Relationship marketing: respect, gifts, referral rewards, loyalty-aimed offers.

    It resolves 60 % of complaints well at first and 10 points more after every round in
    which its weekly churn rate rose (its retention fell).
    """
    budget = situation.budget
    recovery = situation.own.policy.recovery if situation.own else 0.6
    if situation.change("churn_rate") > 0:
        recovery += 0.1
    policy = Policy(
        service_quality=0.7,
        respect=0.9,
        recovery=min(round(recovery, 6), 1.0),  # 0.7, not 0.7000000000000001
        gift_value=min(3.0, budget.max_gift_value),
        gift_every=4,
        referral_reward=min(5.0, budget.max_referral_reward),
        discount=min(0.05, budget.max_discount),
        discount_target=frozenset({"loyal", "marketer"}),
        win_back=min(0.6, budget.max_win_back),
        win_back_target=frozenset({"loyal", "marketer"}),
        advertising=min(0.01, budget.max_advertising),
    )
    return Decision(policy, situation.market.price)


def follower(round_number: int, situation: Situation) -> Decision:
    """Copy last round's decisions of the firm with the largest market share."""
    frame = situation.firm_frame
    if frame.empty:
        return situation.start
    last = frame[round_of(frame["week"], situation.weeks_per_round) == round_number - 1]
    shares = last[last["firm"] != situation.firm].groupby("firm", sort=False)["share"].mean()
    if shares.empty:
        return situation.start
    leader = shares.idxmax()  # the first firm in the market's order among equals
    return situation.decisions[leader]


#: The named strategies a config's rivals may use.
STRATEGIES: dict[str, Strategy] = {
    "discounter": discounter,
    "service_leader": service_leader,
    "relationship_builder": relationship_builder,
    "follower": follower,
}


def decide(strategy: str, round_number: int, situation: Situation) -> Decision:
    """A rival's decisions for ``round_number``: its strategy's, fitted into the budget.

    Parameters
    ----------
    strategy : str
        A name from :data:`STRATEGIES`.
    round_number : int
        The round about to be played, from 1.
    situation : Situation
        What the rival knows.

    Returns
    -------
    Decision
        Within ``situation.budget``.
    """
    decision = STRATEGIES[strategy](round_number, situation)
    if isinstance(decision, tuple):  # a strategy may also return (policy, price)
        decision = Decision(*decision)
    return situation.budget.fit(decision, situation.market)
