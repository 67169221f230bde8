"""A per-agent reference implementation of the weekly rules, in plain Mesa.

:class:`crmsim.CRMModel` keeps every customer's state in NumPy arrays and applies
each rule to all customers at once. This module says the same thing the way most
agent-based models are written: a :class:`ReferenceCustomer` is a ``mesa.Agent``
that holds its own state as plain Python numbers, and each rule of the week is one
of its methods. :class:`ReferenceModel` steps through its phase table,
:data:`PHASES`: each :class:`Phase` names the processes of
:data:`crmsim.model.WEEKLY_PROCESSES` it re-implements, the customers it concerns
and the rules (methods) each of them runs. The model records the same weekly
columns (:data:`crmsim.model.FRAME_COLUMNS`) with a ``mesa.DataCollector``.

Read one customer's week in the table: the unaware may hear of the firm; the aware
may try it; then every active customer, in one turn, buys and is served, may leave
after a failure or a breach, learns from the episode, re-weighs the deal, invests,
receives a gift, updates commitment, climbs the ladders, and may take a competitor's
offer or drift away; unconverted referrals fade and loyal customers recommend the
firm; angry former customers speak; former customers may be won back.

It is written as a competent Mesa modeller would write it, so that it is a fair
yardstick for the vectorized engine's speed, without giving up plain Python per
customer:

* **Groups instead of searches.** The model keeps who is unaware (``dormant``), aware,
  active or departed, and who is still angry and talking (``speakers``), as insertion-
  ordered sets updated by :meth:`ReferenceModel.move`, the one place a stage changes. A
  phase visits its group, not the whole market.
* **Counts kept, not recounted.** Each person keeps how many of its contacts are
  customers (``active_contacts``), updated when someone starts or stops being a customer,
  so hearing of the firm reads one number instead of walking the contacts each week.
  What was heard against the firm fades by the same factor for everyone, so the model
  counts the weekly fades and a customer applies them when its memory is read.
* **One turn per active customer.** The rules from the episode to quiet lapses read and
  write only the customer's own state, so they are one *fused* phase: each customer
  runs them in order before the next one starts, where the vectorized engine runs each
  rule for everyone. Awareness (which reads contacts), referrals and negative word of
  mouth (which reach other people) keep passes of their own.

It is still much slower than the vectorized engine and meant to be read: open a rule
of :class:`ReferenceCustomer` next to the function of the same idea in
:mod:`crmsim.episodes`, :mod:`crmsim.trust` ... Every constant is imported from those
modules, so the two cannot drift apart in their numbers. The rules themselves are
written twice, so a change of rule in the vectorized engine must be made here too;
``tests/test_reference.py`` and ``tests/test_agreement.py`` compare the two
statistically and fail when they drift apart by more than chance.

What differs from the vectorized engine
---------------------------------------
* **Random numbers.** Customers draw from Python's ``random`` (``model.random``) one
  at a time, so the same seed gives a different (equally likely) run than
  ``CRMModel``. Only distributions agree, not individual runs.
* **Order within a phase.** ``CRMModel`` applies each rule to everyone at once; here
  customers take turns, and in the fused phase each customer runs all its rules in
  one turn. That changes nothing (but for the point below) because each rule reads
  and writes only the customer's own state, or reads other people's state that its
  phase does not change: awareness reads whether contacts are customers, which
  becoming aware does not change; negative word of mouth reaches hearers whose stage
  speaking does not change. So no two-pass phase is needed: a customer's stage and
  tier moves read only its own state from before the move, as the vectorized masks
  do. Someone who leaves during the fused turn is skipped by the rules that follow
  (they check ``is_active`` or the week's episode).
* **Referrals are first come, first served.** When two referrers pick the same friend in
  one week only one referral counts. ``CRMModel`` keeps the referrer with the lowest row
  number; here the customers refer in random order (a shuffled phase) and the first one
  wins. This changes who is credited, not how many referrals are made.
* **Negative word of mouth** is taken in at the first hearing of the week (one cut of
  calculus trust and expectation per week, however many speakers), which is what the
  vectorized ``np.unique`` over hearers does. Its fade is applied when read, as a power
  of ``NEGATIVE_MEMORY``, which may differ from repeated multiplication in the last bits.
* The firm's books are not a per-customer rule, so the reference reuses
  :func:`crmsim.books.keep_books` on its weekly tallies.
* No ``history`` keyword: the customers themselves are the record; inspect them with
  :meth:`ReferenceModel.customer`.

Examples
--------
>>> model = ReferenceModel(n_customers=300, rng=3)
>>> model.run(weeks=10)
>>> frame = model.datacollector.get_model_vars_dataframe()
>>> len(frame), int(frame["week"].iloc[-1])
(10, 9)
>>> [phase.rules[0] for phase in PHASES][:3]
['hear_of_the_firm', 'consider_a_trial', 'buy_and_be_served']
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.attribution import REFERRAL_MOTIVES, REPEAT_MOTIVES
from crmsim.attribution import RESPECT_WEIGHT as MOTIVE_RESPECT_WEIGHT
from crmsim.awareness import initial_expectation
from crmsim.books import CHANNEL_CUSTOMERS, keep_books
from crmsim.commitment import (
    COMMITMENT_SPEED,
    DISSATISFACTION_WEAR,
    PERSONAL_INVESTMENT,
    TENURE_INVESTMENT,
    TRUST_SHARE,
)
from crmsim.episodes import (
    DISCONFIRMATION,
    ENGAGEMENT,
    RECOVERED_SERVICE,
    RESPECT_WEIGHT,
    UNSTAFFED_VOICE,
    VOICE_RELIEF,
    breach_probability,
    failure_probability,
    staffed_channels,
)
from crmsim.frame import (
    COUNT_COLUMNS,
    FORMER_COLUMNS,
    FRAME_COLUMNS,
    MONEY_COLUMNS,
    STAGE_COLUMNS,
    TIER_COLUMNS,
)
from crmsim.gifts import (
    GIFT_DELIGHT,
    GIFT_INVESTMENT,
    GIFT_RESPONSE,
    GIFT_SATURATION,
    GOODWILL_DRIFT_SHIELD,
    GOODWILL_KEPT,
    GOODWILL_PURCHASE_LIFT,
    GOODWILL_REFERRAL_LIFT,
)
from crmsim.kano import CATEGORY_WEIGHT, satisfying_weight
from crmsim.ladders import (
    COMMITMENT_TO_COMMIT,
    COMMITMENT_TO_SLIDE_BACK,
    GOOD_EPISODES_TO_EXPAND,
    LOYAL_MONTHS,
    LOYAL_PURCHASES,
    LOYAL_SATISFACTION,
    LOYAL_STAGES,
    LOYALTY_LOST_PURCHASES,
    LOYALTY_LOST_SATISFACTION,
    MARKETER_IDENTIFICATION,
    MARKETER_REFERRALS,
    TRUST_TO_EXPAND,
)
from crmsim.levers import (
    CHANNELS,
    TIER_NAMES,
    WIN_BACK_CAUSES,
    WIN_BACK_TIERS,
    Market,
    Policy,
    Population,
)
from crmsim.model import CRMDataCollector, CRMModel, run_weeks
from crmsim.network import SocialNetwork, build_network
from crmsim.offer import LOSS_AVERSION, REFERENCE_SPEED, VALUE_SLOPE
from crmsim.referrals import (
    LOYAL_REFERRAL_SHARE,
    MARKETER_REFERRAL_RATE,
    NEGATIVE_EXPECTATION_HIT,
    NEGATIVE_MEMORY,
    NEGATIVE_TRUST_HIT,
    REFERRAL_FADE,
    REWARD_RESPONSE,
)
from crmsim.stages import CHURN_CAUSES, Stage, Tier
from crmsim.state import COLUMNS, LOYALTY_WINDOW, TRUST_WEIGHTS
from crmsim.trust import (
    BREACH_CUT,
    CALCULUS_SPEED,
    EXPECTATION_SPEED,
    IDENTIFICATION_GAIN,
    IDENTIFICATION_READY,
    KNOWLEDGE_GAIN,
    KNOWLEDGE_LOSS,
    RESPECT_MEMORY_SPEED,
    SATISFACTION_SPEED,
    SURPRISE_SCALE,
)
from crmsim.week import Week
from crmsim.winback import (
    ANGRY_ACCEPT_FACTOR,
    CAUSE_ACCEPT,
    OFFER_FATIGUE,
    RETURN_TRUST_KEPT,
    WIN_BACK_ACCEPT,
    WIN_BACK_HALF_LIFE,
)

__all__ = ["PHASES", "Episode", "Phase", "ReferenceCustomer", "ReferenceModel"]


@dataclass(frozen=True, slots=True)
class Phase:
    """One pass of the reference's week: some customers, each running some rules in turn.

    Attributes
    ----------
    processes : tuple of str
        The functions of :data:`crmsim.model.WEEKLY_PROCESSES` (by name) this pass
        re-implements, in order. A process split over two passes is named by both.
    group : str
        Who takes part: the name of a :class:`ReferenceModel` attribute holding them (a
        group kept up to date as people move) or of a method returning them.
    rules : tuple of str
        The :class:`ReferenceCustomer` methods each of them runs, in this order. Several
        rules make a *fused* pass: one customer runs them all before the next one starts,
        which is allowed only for rules that read nothing but the customer's own state.
    shuffled : bool
        Customers take turns in a random order (when the order decides who is credited).
    before : str or None
        A :class:`ReferenceModel` method run once before the customers' turns.
    """

    processes: tuple[str, ...]
    group: str
    rules: tuple[str, ...]
    shuffled: bool = False
    before: str | None = None

    @property
    def fused(self) -> bool:
        """Several rules run per customer in one pass."""
        return len(self.rules) > 1


#: The week, pass by pass: :meth:`ReferenceModel.step` runs exactly this table. Read
#: together, the processes are :data:`crmsim.model.WEEKLY_PROCESSES` in order.
PHASES: tuple[Phase, ...] = (
    # awareness reads whether contacts are customers, which trials change: its own pass
    Phase(("spread_awareness",), "dormant", ("hear_of_the_firm",)),
    Phase(("first_purchases",), "aware", ("consider_a_trial",)),
    # one active customer's week: every rule here reads only the customer's own state, so
    # each customer runs them all in one turn (the vectorized engine runs each for everyone)
    Phase(
        (
            "serve_customers",
            "failure_defections",
            "disrespect_exits",
            "learn_from_episodes",
            "update_calculus_trust",
            "update_reference_discount",
            "invest_in_relationship",
            "give_gifts",
            "update_commitment",
            "climb_stages",
            "climb_tiers",
            "competitor_offers",
            "quiet_lapses",
        ),
        "active",
        (
            "buy_and_be_served",
            "leave_after_failure",
            "leave_after_disrespect",
            "learn_from_episode",
            "update_calculus_trust",
            "update_reference_discount",
            "invest_in_relationship",
            "receive_gift",
            "update_commitment",
            "climb_stage",
            "climb_tier",
            "consider_competitor_offer",
            "maybe_drift_away",
        ),
    ),
    # referrals reach other people: first come, first served, so in a random order
    Phase(("make_referrals",), "referred", ("forget_referral",)),
    Phase(("make_referrals",), "referrers", ("recommend_the_firm",), shuffled=True),
    Phase(
        ("spread_negative_word",),
        "speakers",
        ("speak_against_the_firm",),
        before="forget_negative_word",
    ),
    Phase(("win_back",), "win_back_targets", ("consider_win_back",)),
    Phase(("former_customers_reconsider",), "reconsider_targets", ("maybe_reconsider",)),
    Phase(("people_come_and_go",), "market_movers", ("maybe_leave_the_market",)),
)

#: A customer's fixed traits (columns of :data:`crmsim.state.COLUMNS`).
TRAITS = (
    "segment",
    "price_sensitivity",
    "quality_sensitivity",
    "values_fit",
    "sociability",
    "purchase_rate",
    "channel",
    "churn_proneness",
)

#: (calculus, knowledge, identification) weights of overall trust, by stage, as Python floats.
_TRUST_WEIGHTS: list[tuple[float, float, float]] = [tuple(row) for row in TRUST_WEIGHTS.tolist()]
_ACTIVE_STAGES = (Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT)


# ---------------------------------------------------------------------------- small formulas
def logistic(x: float) -> float:
    """The logistic function, for one number (:func:`crmsim.offer.logistic` for arrays)."""
    return 1.0 / (1.0 + math.exp(-x))


def kano_curve(category: str, x: float) -> float:
    """Satisfaction from one attribute of ``category`` at fulfilment ``x`` (scalar
    :func:`crmsim.kano.kano_curve`; the tests check that the two agree)."""
    if category == "must-be":
        return -((1.0 - x) ** 2)
    if category == "performance":
        return 2.0 * x - 1.0
    if category == "attractive":
        return x * x
    if category == "reverse":
        return -x
    if category == "indifferent":
        return 0.0
    raise ValueError(f"unknown Kano category {category!r}")


def predictability(surprise: float) -> float:
    """1 for an episode exactly as expected, 0 from a gap of ``SURPRISE_SCALE`` on."""
    return 1.0 - min(1.0, surprise / SURPRISE_SCALE)


def _clip(x: float, low: float, high: float) -> float:
    return low if x < low else high if x > high else x


def _main_motive(strengths: list[float]) -> int:
    """Index of the strongest motive (the first one on a tie), or -1 if none is present."""
    best = max(strengths)
    return strengths.index(best) if best > 0 else -1


@dataclass(slots=True)
class Episode:
    """What one customer experienced in this week's purchase (what the vectorized engine hands on).

    Attributes
    ----------
    experienced : float
        Satisfaction of the episode before disconfirmation: service and respect terms mixed.
    felt : float
        How it felt against what the customer expected, in [-1, 1].
    surprise : float
        Gap between experience and expectation (absolute).
    respect, personalization : float
        Respect delivered, and mean fulfilment of the attractive attributes, in [0, 1].
    breached, failed, complained, resolved : bool
        A breach of respect; a service failure; a complaint about it; its recovery.
    """

    experienced: float
    felt: float
    surprise: float
    respect: float
    personalization: float
    breached: bool
    failed: bool
    complained: bool
    resolved: bool


# ---------------------------------------------------------------------------- the customer
class ReferenceCustomer(mesa.Agent):
    """One person in the market, holding their own state; one method per weekly rule.

    The attributes are those of :data:`crmsim.state.COLUMNS`, as plain Python numbers
    (``stage`` and ``tier`` are :class:`~crmsim.stages.Stage` and
    :class:`~crmsim.stages.Tier` members, which are ints). ``referred_by`` is the
    referring customer (or ``None``), ``contacts`` the list of people this one talks to
    (``None`` in a well-mixed market, where everybody else is a contact) and
    ``active_contacts`` how many of them are customers now (kept up to date by
    :meth:`ReferenceModel.move`, the one place a stage changes).

    Parameters
    ----------
    model : ReferenceModel
        The market this customer belongs to.
    index : int
        Row number, ``0 <= index < n_customers`` (the network's node).
    traits : mapping, optional
        The customer's traits (the names of :data:`TRAITS`); drawn from the model's
        population when omitted.
    """

    model: ReferenceModel

    def __init__(
        self, model: ReferenceModel, index: int, traits: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(model)
        self.index = index
        self.contacts: list[ReferenceCustomer] | None = None
        self.active_contacts = 0
        self.inverse_degree = 0.0  # 1 / number of contacts (0 without any)
        if traits is None:
            self._draw_traits(model.population)
        else:
            for name in TRAITS:
                setattr(self, name, traits[name])
        self.stage: Stage = Stage.UNAWARE
        self._start_afresh()

    def _start_afresh(self) -> None:
        """Every state variable but the traits as a newcomer's (the stage is set already)."""
        model = self.model
        # the two ladders
        self.tier: Tier = Tier.PROSPECT
        self.highest_tier = int(Tier.PROSPECT)  # the highest tier ever held, kept on leaving
        # relationship quality
        self.trust_calculus = 0.0
        self.trust_knowledge = 0.0
        self.trust_identification = 0.0
        self.commitment = 0.0
        self.switching_cost = 0.0
        self.satisfaction = 0.0
        self.expectation = 0.0
        self.respect_felt = 0.0
        self.reference_discount = 0.0
        self.goodwill = 0.0
        # record of the relationship
        self.tenure = 0
        self.purchases = 0
        self.spend = 0.0
        self.good_episodes = 0
        #: weeks of the latest purchases (at most one a week, so a quarter's worth suffices)
        self.purchase_weeks: deque[int] = deque(maxlen=LOYALTY_WINDOW)
        self.referrals_made = 0
        self.complaints = 0
        self._heard_negative = 0.0  # see heard_negative: as it was after fade number _heard_at
        self._heard_at = model.memory_fades
        self.last_heard_week = -1
        self.referred_by: ReferenceCustomer | None = None
        self.angry = False
        self.anger_left = 0
        self.churn_cause = 0
        self.former_tier = -1  # the tier held when they last left
        self.first_purchase_week = -1
        self.spell_start = -1
        self.lost_week = -1
        self.win_back_refusals = 0
        self.episode: Episode | None = None

    def _draw_traits(self, population: Population) -> None:
        """Traits as :meth:`crmsim.state.CustomerState._draw_traits` draws them."""
        random = self.random
        segments = population.segments
        self.segment = random.choices(range(len(segments)), weights=[s.share for s in segments])[0]
        mine = segments[self.segment]
        kappa = population.trait_concentration
        for trait in ("price_sensitivity", "quality_sensitivity", "values_fit", "sociability"):
            mean = getattr(mine, trait)
            if mean in (0.0, 1.0):  # a segment mean of 0 or 1 means "none" or "all"
                setattr(self, trait, mean)
                continue
            # Beta(m * kappa, (1 - m) * kappa) has mean m
            m = _clip(mean, 1e-3, 1 - 1e-3)
            setattr(self, trait, random.betavariate(m * kappa, (1 - m) * kappa))
        # Gamma with shape kappa and scale rate / kappa has mean rate
        self.purchase_rate = random.gammavariate(kappa, mine.purchase_rate / kappa)
        channel_shares = [population.channel_shares[c] for c in CHANNELS]
        self.channel = random.choices(range(len(CHANNELS)), weights=channel_shares)[0]
        variance = population.churn_heterogeneity
        # Gamma with shape 1 / variance and scale variance has mean 1
        self.churn_proneness = random.gammavariate(1 / variance, variance) if variance else 1.0

    # ------------------------------------------------------------------ what a customer knows
    @property
    def is_active(self) -> bool:
        """In a buying relationship: exploration, expansion or commitment."""
        return self.stage in _ACTIVE_STAGES

    @property
    def trust(self) -> float:
        """Overall trust: the three components weighed for this customer's stage."""
        w_calculus, w_knowledge, w_identification = _TRUST_WEIGHTS[self.stage]
        return (
            w_calculus * self.trust_calculus
            + w_knowledge * self.trust_knowledge
            + w_identification * self.trust_identification
        )

    @property
    def recent_purchases(self) -> int:
        """Purchases in the last ``LOYALTY_WINDOW`` weeks, this one included."""
        since = self.model.week - LOYALTY_WINDOW
        return sum(1 for week in self.purchase_weeks if week > since)

    def bought_every_month(self) -> bool:
        """Bought in each of the ``LOYAL_MONTHS`` months of the last ``LOYALTY_WINDOW`` weeks."""
        week = self.model.week
        months = {
            (week - bought) * LOYAL_MONTHS // LOYALTY_WINDOW
            for bought in self.purchase_weeks
            if week - bought < LOYALTY_WINDOW
        }
        return len(months) == LOYAL_MONTHS

    def reach(self, tier: Tier) -> None:
        """Hold ``tier`` from now on, and keep the highest tier ever held on record."""
        self.tier = tier
        self.highest_tier = max(self.highest_tier, int(tier))

    @property
    def heard_negative(self) -> float:
        """Negative word of mouth heard, each story faded by ``NEGATIVE_MEMORY`` a week.

        Everyone forgets at the same pace, so the model counts the weekly fades
        (:meth:`ReferenceModel.forget_negative_word`) and a customer applies the ones
        since they last heard something when the memory is read, instead of everybody
        being visited every week.
        """
        fades = self.model.memory_fades - self._heard_at
        return self._heard_negative * NEGATIVE_MEMORY**fades if fades else self._heard_negative

    @heard_negative.setter
    def heard_negative(self, value: float) -> None:
        self._heard_negative = value
        self._heard_at = self.model.memory_fades

    def discount_offered(self) -> float:
        """The discount (share of price) this person would get if they bought now."""
        model = self.model
        if not model.discount_running:
            return 0.0
        policy = model.policy
        target = policy.discount_target
        if target == "all":
            eligible = True
        elif target == "new":
            eligible = self.tier == Tier.PROSPECT or self.tenure < policy.new_customer_weeks
        elif isinstance(target, frozenset):
            eligible = TIER_NAMES[self.tier] in target
        else:
            eligible = self.segment == model.discount_segment
        return policy.discount if eligible else 0.0

    def firm_value(self, discount: float) -> float:
        """Value of the firm's offer: expected quality, and price against the competitor's and
        against the discount this customer is used to (a lost discount hurts ``LOSS_AVERSION``
        times more)."""
        price_gain = discount - self.model.market.price_premium
        change = discount - self.reference_discount
        felt_change = LOSS_AVERSION * change if change < 0 else change
        quality = self.expectation
        promise = self.model.policy.promise
        if promise is not None:  # judged against the promise (offer.promised_quality)
            gap = self.expectation - promise
            quality += LOSS_AVERSION * gap if gap < 0 else gap
        return self.quality_sensitivity * quality + self.price_sensitivity * (
            price_gain + felt_change
        )

    def value_advantage(self, discount: float) -> float:
        """How much better the firm's offer looks than the competitor's ordinary one."""
        return self.firm_value(discount) - self.model.market.competitor_attractiveness

    def motive(self, discount: float, with_reward: bool, tipped: bool) -> int:
        """The motive of a repeat purchase or referral (see :mod:`crmsim.attribution`): the
        gift if it ``tipped`` the act, else the one that weighs most; an index into
        ``REFERRAL_MOTIVES``, or -1 for none."""
        if tipped:
            return REFERRAL_MOTIVES.index("gift")
        policy, market = self.model.policy, self.model.market
        price_weight = self.price_sensitivity
        strengths = [
            MOTIVE_RESPECT_WEIGHT * max(0.0, 2.0 * self.respect_felt - 1.0),
            price_weight * discount,
            0.0,  # a gift counts only where it tipped the act
        ]
        if with_reward:
            strengths.append(price_weight * policy.referral_reward / market.price)
        return _main_motive(strengths)

    # ------------------------------------------------------------------ contacts
    def share_of_contacts_active(self) -> float:
        """Share of this person's contacts who are customers."""
        if self.contacts is None:  # well-mixed: everybody else
            model = self.model
            return (model.n_active - self.is_active) / max(model.n_customers - 1, 1)
        return self.active_contacts * self.inverse_degree

    def random_contact(self) -> ReferenceCustomer | None:
        """One contact chosen uniformly, or ``None`` for someone without contacts."""
        if self.contacts is None:
            return self.model.someone_else(self)
        return self.random.choice(self.contacts) if self.contacts else None

    def contacts_reached(self, p_talk: float) -> list[ReferenceCustomer]:
        """The contacts reached when talking to each with probability ``p_talk``."""
        random = self.random
        if self.contacts is None:  # well-mixed: about mean_degree listeners, drawn at random
            k = random.binomialvariate(self.model.well_mixed_degree, p_talk)
            return [self.model.someone_else(self) for _ in range(k)]
        return [c for c in self.contacts if random.random() < p_talk]

    # ------------------------------------------------------------------ leaving
    def leave(self, cause: str, angry: bool = False) -> None:
        """Move to DISSOLUTION, recording why (one of ``CHURN_CAUSES``) and whether angry."""
        model = self.model
        model.move(self, Stage.DISSOLUTION)
        self.former_tier = int(self.tier)
        # a former customer is a prospect again for the firm's offers; highest_tier is kept
        self.tier = Tier.PROSPECT
        self.churn_cause = CHURN_CAUSES.index(cause) + 1
        self.lost_week = model.week
        self.win_back_refusals = 0
        self.goodwill = 0.0
        self.angry = angry
        self.anger_left = model.market.anger_weeks if angry else 0
        if self.anger_left > 0:
            model.speakers[self] = None
        model.tally["lost"] += 1
        model.tally[f"lost_{cause}"] += 1
        model.tally["lost_from_start"] += self.spell_start < model.week
        model.record_loss(self)

    # ================================================================== the weekly rules
    # 1 awareness (crmsim.awareness.spread_awareness) -- for the unaware
    def hear_of_the_firm(self) -> None:
        """Become aware through advertising or customers among one's contacts (Bass)."""
        model = self.model
        hazard = min(
            1.0,
            model.policy.advertising + model.market.word_of_mouth * self.share_of_contacts_active(),
        )
        if self.random.random() < hazard:
            model.move(self, Stage.AWARENESS)
            self.expectation = model.initial_expectation

    # 2 trials (crmsim.trials.first_purchases) -- for the aware
    def consider_a_trial(self) -> None:
        """Try the firm with a probability set by its value, referrals and doubt."""
        model = self.model
        market = model.market
        discount = self.discount_offered()
        advantage = self.value_advantage(discount)
        appeal = 2.0 * logistic(VALUE_SLOPE * advantage)
        referral = market.referral_boost if self.referred_by is not None else 1.0
        doubt = math.exp(-self.heard_negative)
        if self.random.random() >= min(1.0, market.trial_rate * appeal * referral * doubt):
            self.maybe_settle_elsewhere(appeal / 2.0)
            return
        week = model.week
        model.move(self, Stage.EXPLORATION)
        self.reach(Tier.ACTUAL)
        self.spell_start = week
        # what brought them in: a discount-won customer weighs price most
        self.trust_calculus = logistic(VALUE_SLOPE * advantage)
        tally = model.tally
        if self.first_purchase_week >= 0:  # a former customer who reconsidered returns
            tally["returned"] += 1
        else:
            self.first_purchase_week = week
            tally["acquired"] += 1
            tally["acquired_with_discount"] += discount > 0
        if self.referred_by is not None:
            self.referred_by.referrals_made += 1
            tally["referral_conversions"] += 1
            self.referred_by = None

    def maybe_settle_elsewhere(self, deal: float) -> None:
        """Having not bought, maybe settle with the competitor and forget the firm: the
        market's lapse rate at an even deal, up to twice it for a poor one."""
        model = self.model
        rate = model.market.consideration_lapse
        if rate == 0 or self.random.random() >= rate * 2.0 * (1.0 - deal):
            return
        model.move(self, Stage.UNAWARE)
        self.referred_by = None

    def share_of_wallet(self, discount: float) -> float:
        """The firm's share of this customer's buying against price parity (see
        :func:`crmsim.offer.share_of_wallet`): 1 at parity, less when dearer."""
        market = self.model.market
        if market.price_response == 0:
            return 1.0
        relative = market.price * (1.0 - discount) / market.competitor_price
        weight = 2.0 * market.price_response * self.price_sensitivity
        return 2.0 * logistic(-weight * math.log(relative))

    # 3 episodes (crmsim.episodes.serve_customers) -- for the active
    def buy_and_be_served(self) -> None:
        """Maybe buy this week (a trial always does) and be served; keep the episode."""
        model = self.model
        random = self.random
        self.episode = None
        # every active customer loads the channel they would reach the firm through
        model.tally[CHANNEL_CUSTOMERS[self.channel]] += 1
        tried_now = self.spell_start == model.week  # a trial or a return this week
        wallet = self.share_of_wallet(self.discount_offered())
        rate = self.purchase_rate * ENGAGEMENT[self.stage] * wallet
        gratitude = 1.0 + GOODWILL_PURCHASE_LIFT * self.goodwill
        luck = -1.0 if tried_now else random.random()
        if luck >= -math.expm1(-rate * gratitude):
            return
        # the gift tipped a purchase that the same luck would not have made without it
        tipped = luck >= -math.expm1(-rate)
        policy, market = model.policy, model.market
        sd = policy.service_variability

        # every Kano attribute delivered at the policy's level plus noise
        fulfilment = [
            _clip(level + random.gauss(0.0, sd), 0.0, 1.0) if sd else level
            for level in model.service_levels
        ]
        service_term = model.service_satisfaction(fulfilment)
        respect = _clip(policy.respect + random.gauss(0.0, sd), 0.0, 1.0)
        personalization = model.category_mean(fulfilment, "attractive")

        # failures, complaints and recovery; breaches of respect
        must_be = model.category_mean(fulfilment, "must-be")
        p_fail = failure_probability(must_be, market.max_failure_rate)
        failed = random.random() < p_fail
        propensity = market.complaint_propensity
        if not model.staffed[self.channel]:  # reaching the firm another way: fewer complain
            propensity *= UNSTAFFED_VOICE
        complained = failed and random.random() < propensity
        resolved = complained and random.random() < policy.recovery
        if failed:
            service_term = RECOVERED_SERVICE if resolved else -1.0
        breached = random.random() < breach_probability(respect, market.max_breach_rate)
        respect_term = -1.0 if breached else 2.0 * respect - 1.0

        experienced = (1.0 - RESPECT_WEIGHT) * service_term + RESPECT_WEIGHT * respect_term
        surprise = experienced - self.expectation
        felt = _clip(experienced + DISCONFIRMATION * surprise, -1.0, 1.0)
        self.episode = Episode(
            experienced=experienced,
            felt=felt,
            surprise=abs(surprise),
            respect=respect,
            personalization=personalization,
            breached=breached,
            failed=failed,
            complained=complained,
            resolved=resolved,
        )

        # pay and remember
        discount = self.discount_offered()
        paid = market.price * (1.0 - discount)
        repeat = self.purchases > 0
        self.purchases += 1
        self.spend += paid
        self.purchase_weeks.append(model.week)
        self.complaints += complained
        self.good_episodes += felt >= 0

        tally = model.tally
        tally["episodes"] += 1
        tally["failures"] += failed
        tally["complaints"] += complained
        tally["recovered"] += resolved
        tally["disrespected"] += breached
        tally["revenue"] += paid
        tally["discount_given"] += market.price * discount
        if repeat:
            tally["repeat_purchases"] += 1
            tally["repeat_spend"] += paid
            motive = self.motive(discount, with_reward=False, tipped=tipped)
            if motive < 0:
                tally["repeat_none"] += 1
            else:
                tally[f"repeat_{REPEAT_MOTIVES[motive]}"] += 1
                tally[f"repeat_spend_{REPEAT_MOTIVES[motive]}"] += paid

    # 4 failures (crmsim.episodes.failure_defections) -- for this week's buyers
    def leave_after_failure(self) -> None:
        """After an unresolved failure, maybe leave (angry if the complaint went unanswered)."""
        episode = self.episode
        if episode is None or not episode.failed or episode.resolved:
            return
        market = self.model.market
        if self.stage == Stage.EXPLORATION:
            resilience = 0.0  # trust is still calculus: the deal, nothing more
        else:
            depth = (self.trust_knowledge + self.trust_identification + self.commitment) / 3
            resilience = market.deepening * min(0.9, depth)
        risk = market.failure_defection * (1.0 - resilience) * self.churn_proneness
        if episode.complained:  # voice rather than exit: a complainer stays more often
            risk *= 1.0 - VOICE_RELIEF
        if self.random.random() < min(1.0, risk):
            self.leave("failure", angry=episode.complained)

    # 4 ... the marketer trap (crmsim.episodes.disrespect_exits) -- for this week's buyers
    def leave_after_disrespect(self) -> None:
        """A disrespected marketer does not fall back to loyal: they leave, angry."""
        # (a marketer is always an active customer: leaving makes one a prospect again)
        if self.episode is None or not self.episode.breached or self.tier != Tier.MARKETER:
            return
        if self.random.random() < self.model.market.marketer_breach_exit * self.churn_proneness:
            self.leave("disrespect", angry=True)

    # 5 trust (crmsim.trust.learn_from_episodes) -- for this week's buyers still here
    def learn_from_episode(self) -> None:
        """Predictable episodes build knowledge trust; respect and fit build identification."""
        episode = self.episode
        if episode is None or not self.is_active:
            return
        pred = predictability(episode.surprise)
        tk = self.trust_knowledge
        tk = tk + KNOWLEDGE_GAIN * pred * (1 - tk) - KNOWLEDGE_LOSS * (1 - pred) * tk
        self.trust_knowledge = _clip(tk, 0.0, 1.0)

        ti = self.trust_identification
        if episode.breached:  # a breach builds nothing: it only cuts
            ti *= 1 - BREACH_CUT
        elif self.trust_knowledge >= IDENTIFICATION_READY:
            drive = self.values_fit * 0.5 * (episode.respect + episode.personalization)
            ti += IDENTIFICATION_GAIN * drive * (1 - ti)
        self.trust_identification = _clip(ti, 0.0, 1.0)

        self.expectation += EXPECTATION_SPEED * (episode.experienced - self.expectation)
        self.satisfaction += SATISFACTION_SPEED * (episode.felt - self.satisfaction)
        self.respect_felt += RESPECT_MEMORY_SPEED * (episode.respect - self.respect_felt)

    # 5 ... calculus (crmsim.trust.update_calculus_trust) -- for the active
    def update_calculus_trust(self) -> None:
        """Re-weigh the current deal against the competitor's."""
        if not self.is_active:
            return
        target = logistic(VALUE_SLOPE * self.value_advantage(self.discount_offered()))
        self.trust_calculus += CALCULUS_SPEED * (target - self.trust_calculus)

    # 5 ... (crmsim.offer.update_reference_discount) -- for the active
    def update_reference_discount(self) -> None:
        """Get used to the discount received (and, slowly, to its absence)."""
        if not self.is_active:
            return
        self.reference_discount += REFERENCE_SPEED * (
            self.discount_offered() - self.reference_discount
        )

    # 6 investments (crmsim.commitment.invest_in_relationship) -- for the active
    def invest_in_relationship(self) -> None:
        """Another week together, and this week's personal touch, raise the switching cost."""
        if not self.is_active:
            return
        self.tenure += 1
        self.switching_cost += TENURE_INVESTMENT * (1 - self.switching_cost)
        if self.episode is not None:
            gain = PERSONAL_INVESTMENT * self.episode.personalization
            self.switching_cost += gain * (1 - self.switching_cost)

    # 6 ... gifts (crmsim.gifts.give_gifts) -- for the active, in a gift week
    def receive_gift(self) -> None:
        """Goodwill fades; in a gift week, a loyal or marketer customer gets a gift: delight,
        an investment, and goodwill (more for a marketer, less for each further unit of value)."""
        model = self.model
        if not self.is_active:
            return
        self.goodwill *= GOODWILL_KEPT
        if not model.gift_week or self.tier < Tier.LOYAL:
            return
        gift_value = model.policy.gift_value
        worth = min(1.0, gift_value / model.market.price)
        self.satisfaction += GIFT_DELIGHT * worth * (1 - self.satisfaction)
        self.switching_cost += GIFT_INVESTMENT * worth * (1 - self.switching_cost)
        response = GIFT_RESPONSE[Tier(self.tier)]
        gain = response * -math.expm1(-gift_value / model.market.price / GIFT_SATURATION)
        self.goodwill += gain * (1 - self.goodwill)
        model.tally["gifts"] += 1
        model.tally["cost_gifts"] += gift_value

    # 6 ... commitment (crmsim.commitment.update_commitment) -- for the active
    def update_commitment(self) -> None:
        """Move toward a mix of trust and switching cost; dissatisfaction wears it down."""
        if not self.is_active:
            return
        target = TRUST_SHARE * self.trust + (1 - TRUST_SHARE) * self.switching_cost
        c = self.commitment + COMMITMENT_SPEED * (target - self.commitment)
        if self.episode is not None and self.episode.felt < 0:
            c *= 1 - DISSATISFACTION_WEAR * (-self.episode.felt)
        self.commitment = _clip(c, 0.0, 1.0)

    # 6 ... stages (crmsim.ladders.climb_stages) -- for the active
    def climb_stage(self) -> None:
        """Exploration -> expansion -> commitment, and commitment -> expansion when it fades."""
        stage, move = self.stage, self.model.move
        if stage == Stage.EXPLORATION:
            if self.good_episodes >= GOOD_EPISODES_TO_EXPAND and self.trust >= TRUST_TO_EXPAND:
                move(self, Stage.EXPANSION)
        elif stage == Stage.EXPANSION:
            if self.commitment >= COMMITMENT_TO_COMMIT:
                move(self, Stage.COMMITMENT)
        elif stage == Stage.COMMITMENT and self.commitment < COMMITMENT_TO_SLIDE_BACK:
            move(self, Stage.EXPANSION)

    # 6 ... tiers (crmsim.ladders.climb_tiers) -- for the active
    def climb_tier(self) -> None:
        """Actual <-> loyal by sustained repeat purchases and satisfaction, once past
        exploration; loyal -> marketer by identification and a referral that brought a customer."""
        if not self.is_active:
            return
        if self.tier == Tier.ACTUAL:
            if (
                self.stage in LOYAL_STAGES
                and self.recent_purchases >= LOYAL_PURCHASES
                and self.satisfaction >= LOYAL_SATISFACTION
                and self.bought_every_month()
            ):
                self.reach(Tier.LOYAL)
        elif self.tier == Tier.LOYAL:
            if (
                self.recent_purchases < LOYALTY_LOST_PURCHASES
                or self.satisfaction < LOYALTY_LOST_SATISFACTION
            ):
                self.tier = Tier.ACTUAL
            elif (
                self.stage == Stage.COMMITMENT
                and self.trust_identification >= MARKETER_IDENTIFICATION
                and self.referrals_made >= MARKETER_REFERRALS
            ):
                self.reach(Tier.MARKETER)

    # 7 competitor offers (crmsim.competition.competitor_offers) -- for the active
    def consider_competitor_offer(self) -> None:
        """Deal-seekers and the prone hear more offers; switch when one beats the firm by enough."""
        if not self.is_active:
            return
        market = self.model.market
        random = self.random
        reach = 2.0 * market.competitor_offer_rate * self.price_sensitivity * self.churn_proneness
        if random.random() >= min(1.0, reach):
            return
        self.model.tally["competitor_offers"] += 1
        offer = market.competitor_attractiveness + market.competitor_offer_boost * random.random()
        value = self.firm_value(self.discount_offered())
        if offer - value > market.deepening * (self.commitment + self.switching_cost):
            self.leave("competitor")

    # 7 ... quiet lapses (crmsim.competition.quiet_lapses) -- for the active
    def maybe_drift_away(self) -> None:
        """A small weekly chance of drifting off, much larger the less one trusts the firm."""
        if not self.is_active:
            return
        market = self.model.market
        shield = 1.0 - GOODWILL_DRIFT_SHIELD * self.goodwill
        by_trust = (2.0 * (1.0 - market.deepening * self.trust)) ** 2
        hazard = min(1.0, shield * market.drift_rate * self.churn_proneness * by_trust)
        if self.random.random() < hazard:
            self.leave("drift")

    # 8 referrals (crmsim.referrals.make_referrals) -- first for prospects with a referral
    #   (always aware: a referral makes its friend aware, and a trial clears it)
    def forget_referral(self) -> None:
        """A recommendation that has not (yet) led to a purchase fades."""
        if self.random.random() < REFERRAL_FADE:
            self.referred_by = None

    # 8 ... then for loyal and marketer customers
    def recommend_the_firm(self) -> None:
        """Sometimes recommend the firm to a contact who is not yet a customer."""
        model = self.model
        policy = model.policy
        if self.tier == Tier.MARKETER:
            share = 1.0
        elif self.tier == Tier.LOYAL:
            share = LOYAL_REFERRAL_SHARE
        else:
            return
        reward = policy.referral_reward / model.market.price
        rate = MARKETER_REFERRAL_RATE * self.sociability * (1.0 + REWARD_RESPONSE * reward)
        if not self.is_active:
            return
        gratitude = 1.0 + GOODWILL_REFERRAL_LIFT * self.goodwill
        luck = self.random.random()
        if luck >= min(1.0, rate * share * gratitude):
            return
        # the gift tipped a referral that the same luck would not have made without it
        tipped = luck >= min(1.0, rate * share)
        friend = self.random_contact()
        # only a prospect nobody has recommended the firm to yet (the first referrer counts)
        if friend is None or friend.stage > Stage.AWARENESS or friend.referred_by is not None:
            return
        if friend.stage == Stage.UNAWARE:
            model.move(friend, Stage.AWARENESS)
            friend.expectation = model.initial_expectation
        friend.referred_by = self
        model.tally["referrals"] += 1
        motive = self.motive(self.discount_offered(), with_reward=True, tipped=tipped)
        motive_name = REFERRAL_MOTIVES[motive] if motive >= 0 else "none"
        model.tally[f"referrals_{motive_name}"] += 1

    # 8 ... negative word of mouth (crmsim.referrals.spread_negative_word): what everyone
    #   heard fades (see heard_negative), then the angry former customers speak
    def speak_against_the_firm(self) -> None:
        """An angry former customer tells contacts, for ``anger_weeks`` weeks."""
        p_talk = self.model.market.negative_wom_rate * self.sociability
        for hearer in self.contacts_reached(p_talk):
            hearer.hear_negative_word()
        self.anger_left -= 1
        if self.anger_left <= 0:
            del self.model.speakers[self]

    def hear_negative_word(self) -> None:
        """Remember the story; the first one each week shakes a customer's calculus trust and
        lowers the expectation of anyone who knows the firm (the unaware stay unaware, and
        have no expectation yet: a complaint is not an advert)."""
        model = self.model
        self.heard_negative += 1.0
        if self.last_heard_week == model.week:
            return
        self.last_heard_week = model.week
        if self.is_active:
            self.trust_calculus *= 1 - NEGATIVE_TRUST_HIT
        if self.stage != Stage.UNAWARE:
            self.expectation = max(-1.0, self.expectation - NEGATIVE_EXPECTATION_HIT)
        model.tally["negative_wom"] += 1

    # 9 ... and former customers who consider the firm again on their own
    def maybe_reconsider(self) -> None:
        """Once anger has passed, maybe look at the firm again, as an aware prospect.

        Not in the week of leaving (:func:`crmsim.winback.former_customers_reconsider`).
        """
        model = self.model
        if self.lost_week >= model.week or self.anger_left > 0:
            return
        if self.random.random() >= model.market.reconsideration:
            return
        model.move(self, Stage.AWARENESS)
        self.angry = False

    # 10 the market renews (crmsim.turnover.people_come_and_go) -- for everyone
    def maybe_leave_the_market(self) -> None:
        """Leave the category with a small weekly chance; a newcomer takes this place.

        A customer who leaves the category keeps the firm with chance
        ``1 - Market.mover_loss`` (stays, not replaced); otherwise they are lost to the firm
        (cause ``moved``). The
        newcomer keeps the place in the network (the same contacts), has never heard of
        the firm, and has traits drawn afresh.
        """
        model = self.model
        market = model.market
        if self.random.random() >= market.category_turnover:
            return
        if self.is_active:
            # the relationship may survive the move (drawn only when mover_loss < 1)
            if market.mover_loss < 1.0 and self.random.random() < 1.0 - market.mover_loss:
                return
            self.leave("moved")
        model.move(self, Stage.UNAWARE)
        model.speakers.pop(self, None)
        self._draw_traits(model.population)
        self._start_afresh()

    # 9 win-back (crmsim.winback.win_back) -- for former customers
    def consider_win_back(self) -> None:
        """Maybe get a win-back offer and come back: a second chance, not a clean slate.

        Nobody gets an offer in the week they left.
        """
        model = self.model
        random = self.random
        if self.lost_week >= model.week or random.random() >= model.policy.win_back:
            return
        model.tally["win_back_offers"] += 1
        cause = CHURN_CAUSES[self.churn_cause - 1]
        accept = (
            WIN_BACK_ACCEPT
            * CAUSE_ACCEPT[cause]
            * (ANGRY_ACCEPT_FACTOR if self.angry else 1.0)
            * 0.5 ** ((model.week - self.lost_week) / WIN_BACK_HALF_LIFE)
            * OFFER_FATIGUE**self.win_back_refusals
        )
        if random.random() >= accept:
            self.win_back_refusals += 1
            return
        model.move(self, Stage.EXPLORATION)
        self.reach(Tier.ACTUAL)
        self.spell_start = model.week
        self.trust_calculus *= RETURN_TRUST_KEPT
        self.trust_knowledge *= RETURN_TRUST_KEPT
        self.trust_identification *= RETURN_TRUST_KEPT
        self.commitment *= RETURN_TRUST_KEPT
        self.good_episodes = 0
        self.angry = False
        self.anger_left = 0
        self.win_back_refusals = 0
        model.speakers.pop(self, None)
        model.tally["won_back"] += 1

    def __repr__(self) -> str:
        return (
            f"<ReferenceCustomer {self.index}: {self.stage.name.lower()}, "
            f"{self.tier.name.lower()}, trust {self.trust:.2f}, commitment {self.commitment:.2f}>"
        )


# ---------------------------------------------------------------------------- the model
class ReferenceModel(mesa.Model):
    """The CRM market with one ``ReferenceCustomer`` agent per person (a per-agent ``CRMModel``).

    Parameters
    ----------
    n_customers : int
        People in the market (>= 1).
    policy : Policy or dict, optional
        The firm's levers; defaults to ``Policy()``.
    market : Market or dict, optional
        Prices, competitor and word of mouth; defaults to ``Market()``.
    population : Population or dict, optional
        The segment mixture; defaults to ``Population()``.
    network : str or networkx.Graph
        ``"small-world"`` (default), ``"scale-free"``, ``"well-mixed"`` or a graph with
        ``n_customers`` nodes (built by :func:`crmsim.network.build_network`).
    mean_degree : int
        Average number of contacts per person.
    rewiring : float
        Small-world rewiring probability.
    rng : int or numpy.random.Generator, optional
        Seed; the same seed and arguments give the same run (but not ``CRMModel``'s run).

    Examples
    --------
    >>> model = ReferenceModel(n_customers=200, policy=Policy(service_quality=0.8), rng=1)
    >>> model.run(weeks=5)
    >>> model.customer(0).stage in tuple(Stage)
    True
    """

    def __init__(
        self,
        n_customers: int = 2_000,
        policy: Policy | Mapping[str, Any] | None = None,
        market: Market | Mapping[str, Any] | None = None,
        population: Population | Mapping[str, Any] | None = None,
        network: Any = "small-world",
        mean_degree: int = 10,
        rewiring: float = 0.1,
        rng: Any = None,
    ) -> None:
        n_customers = checks.integer("n_customers", n_customers, low=1)
        super().__init__(rng=rng)
        self.n_customers = n_customers
        self.policy: Policy = checks.levers(Policy, policy, "policy")
        self.market: Market = checks.levers(Market, market, "market")
        self.population: Population = checks.levers(Population, population, "population")
        target = self.policy.discount_target
        names = self.population.segment_names
        checks.discount_target(target, names, "Policy.discount_target")
        self.discount_segment = names.index(target) if target in names else -1
        # what every episode aims to deliver, attribute by attribute
        service = self.policy.service
        self.service_levels = [a.level for a in service.values()]
        self.service_categories = [a.category for a in service.values()]
        self._satisfying_weight = satisfying_weight(service)

        self.network: SocialNetwork = build_network(
            network, self.n_customers, self.rng, mean_degree, rewiring
        )
        self.week = 0
        #: weekly fades of negative word of mouth so far (see ReferenceCustomer.heard_negative)
        self.memory_fades = 0
        self.people = [ReferenceCustomer(self, i) for i in range(self.n_customers)]
        self.well_mixed_degree = int(round(self.network.mean_degree))
        self._connect(self.network)

        self.tally: Counter = Counter()
        self._row: dict[str, float] = {}
        self.discount_running = False
        self.gift_week = False
        self.staffed = [True] * len(CHANNELS)
        self.initial_expectation = 0.0
        # the groups the phases run over, and the counts of active contacts
        self.dormant: dict[ReferenceCustomer, None] = {}
        self.aware: dict[ReferenceCustomer, None] = {}
        self.active: dict[ReferenceCustomer, None] = {}
        self.departed: dict[ReferenceCustomer, None] = {}
        self.speakers: dict[ReferenceCustomer, None] = {}
        self.n_active = 0
        self._regroup()
        self._losses: list[tuple[int, int, int, int, int]] = []
        self.datacollector = CRMDataCollector(
            self,
            model_reporters={name: (lambda m, key=name: m._row[key]) for name in FRAME_COLUMNS},
        )

    # ------------------------------------------------------------------ helpers for agents
    def someone_else(self, person: ReferenceCustomer) -> ReferenceCustomer | None:
        """A uniformly drawn person other than ``person`` (a contact in a well-mixed market)."""
        if self.n_customers < 2:
            return None
        pick = self.random.randrange(self.n_customers - 1)
        return self.people[pick + (pick >= person.index)]

    def service_satisfaction(self, fulfilment: list[float]) -> float:
        """How an episode's service feels: the Kano curves of the attributes at their
        ``fulfilment``, weighted, normalised so that flawless service scores 1, and never
        worse than a failed episode (-1)."""
        total = 0.0
        for category, x in zip(self.service_categories, fulfilment, strict=True):
            total += CATEGORY_WEIGHT[category] * kano_curve(category, x)
        return _clip(total / self._satisfying_weight, -1.0, 1.0)

    def category_mean(self, fulfilment: list[float], category: str) -> float:
        """Mean fulfilment of the attributes of one Kano category (0 if there are none)."""
        values = [
            x for c, x in zip(self.service_categories, fulfilment, strict=True) if c == category
        ]
        return sum(values) / len(values) if values else 0.0

    def record_loss(self, person: ReferenceCustomer) -> None:
        """Log a departure for the loss table (see :attr:`losses`)."""
        self._losses.append(
            (
                self.week,
                person.index,
                person.spell_start,
                person.churn_cause,
                person.first_purchase_week,
            )
        )

    # ------------------------------------------------------------------ the groups
    # Each group is a dict used as an ordered set (insertion order, so a seed gives one run
    # whatever the hash seed): a phase visits its group, not the whole market.
    def move(self, person: ReferenceCustomer, stage: Stage) -> None:
        """Set ``person``'s stage: the one place a stage changes.

        Keeps the groups (:attr:`dormant`, :attr:`aware`, :attr:`active`, :attr:`departed`)
        and, when someone starts or stops being a customer, the number of customers and
        each contact's count of active contacts up to date.
        """
        groups = self._group_of_stage
        before, after = groups[person.stage], groups[stage]
        person.stage = stage
        if before is after:
            return
        del before[person]
        after[person] = None
        if before is self.active or after is self.active:
            change = 1 if after is self.active else -1
            self.n_active += change
            if person.contacts is not None:
                for contact in person.contacts:
                    contact.active_contacts += change

    def _connect(self, network: SocialNetwork) -> None:
        """Give everyone their contacts from ``network`` (none listed in a well-mixed market)."""
        if network.well_mixed:
            for person in self.people:
                person.contacts, person.inverse_degree = None, 0.0
            return
        indptr = network.adjacency.indptr.tolist()
        indices = network.adjacency.indices.tolist()
        people = self.people
        for i, person in enumerate(people):
            person.contacts = [people[j] for j in indices[indptr[i] : indptr[i + 1]]]
            person.inverse_degree = 1.0 / len(person.contacts) if person.contacts else 0.0

    def _regroup(self) -> None:
        """Sort everyone into the groups and count active contacts afresh (after stages were
        set directly, as in :meth:`from_crm_model`)."""
        self.dormant, self.aware, self.active, self.departed = {}, {}, {}, {}
        # indexed by Stage: UNAWARE, AWARENESS, the three active stages, DISSOLUTION
        self._group_of_stage = (self.dormant, self.aware, *[self.active] * 3, self.departed)
        for person in self.people:
            self._group_of_stage[person.stage][person] = None
            person.active_contacts = 0
        self.speakers = {p: None for p in self.departed if p.angry and p.anger_left > 0}
        self.n_active = len(self.active)
        for person in self.active:
            for contact in person.contacts or ():
                contact.active_contacts += 1

    def referred(self) -> list[ReferenceCustomer]:
        """Prospects with a referral that has not led to a purchase (all of them aware)."""
        return [person for person in self.aware if person.referred_by is not None]

    def referrers(self) -> list[ReferenceCustomer]:
        """Loyal and marketer customers (who may recommend the firm)."""
        return [person for person in self.active if person.tier >= Tier.LOYAL]

    def win_back_targets(self) -> list[ReferenceCustomer]:
        """The former customers the firm aims win-back offers at (none without offers)."""
        policy = self.policy
        if policy.win_back <= 0:
            return []
        target = policy.win_back_target
        if target == "all":
            return list(self.departed)
        causes = {CHURN_CAUSES.index(c) + 1 for c in target if c in WIN_BACK_CAUSES}
        tiers = {TIER_NAMES.index(t) for t in target if t in WIN_BACK_TIERS}
        return [
            person
            for person in self.departed
            if (not causes or person.churn_cause in causes)
            and (not tiers or person.former_tier in tiers)
        ]

    def reconsider_targets(self) -> list[ReferenceCustomer]:
        """Former customers, when they may consider the firm again on their own at all."""
        return list(self.departed) if self.market.reconsideration > 0 else []

    def market_movers(self) -> list[ReferenceCustomer]:
        """Everyone, when people can leave the category at all."""
        return list(self.people) if self.market.category_turnover > 0 else []

    def forget_negative_word(self) -> None:
        """Everyone's memory of negative word of mouth fades by one week."""
        self.memory_fades += 1

    # ------------------------------------------------------------------ one week
    def step(self) -> None:
        """Simulate one week: the passes of :data:`PHASES` in order, customer by customer."""
        policy = self.policy
        self.tally = Counter()
        week = self._as_week()  # shares the tally, for the firm's books
        self.discount_running = policy.discount_running(self.week)
        self.gift_week = policy.gift_value > 0 and self.week % policy.gift_every == 0
        self.staffed = staffed_channels(policy).tolist()
        self.initial_expectation = initial_expectation(week)
        active_start = self.n_active
        for phase in PHASES:
            self.run_phase(phase)
        keep_books(self.n_customers, week)
        self._row = self._weekly_row(active_start)
        self.datacollector.collect(self)
        self.week += 1

    def run_phase(self, phase: Phase) -> None:
        """Let the customers of ``phase.group`` take turns, each running ``phase.rules``."""
        if phase.before is not None:
            getattr(self, phase.before)()
        group = getattr(self, phase.group)
        # a copy: people move between groups during the pass
        people = list(group() if callable(group) else group)
        if phase.shuffled:
            self.random.shuffle(people)
        rules = [getattr(ReferenceCustomer, name) for name in phase.rules]
        if len(rules) == 1:
            rule = rules[0]
            for person in people:
                rule(person)
            return
        for person in people:
            for rule in rules:
                rule(person)

    def _as_week(self) -> Week:
        """This week's context as the vectorized processes see it (for the shared books)."""
        return Week(
            self.week,
            self.rng,
            self.policy,
            self.market,
            self.population,
            self.network,
            tally=self.tally,
        )

    def tier_counts(self) -> tuple[Counter, Counter]:
        """Customers by the tier they hold, and everyone else by the highest tier they reached.

        Returns the two counts by :class:`~crmsim.stages.Tier`: the first holds the customers
        and, under PROSPECT, the people who never bought; the second the former customers
        (former actual, loyal and marketer customers, under ACTUAL, LOYAL and MARKETER).
        """
        tiers = Counter(person.tier for person in self.active)
        former = Counter()
        for group in (self.dormant, self.aware, self.departed):
            former.update(person.highest_tier for person in group)
        tiers[Tier.PROSPECT] += former.pop(Tier.PROSPECT, 0)
        return tiers, former

    def _weekly_row(self, active_start: int) -> dict[str, float]:
        """The week's row of :data:`crmsim.model.FRAME_COLUMNS` (one pass over the customers)."""
        tally = self.tally
        stages = Counter()
        stages[Stage.UNAWARE] = len(self.dormant)
        stages[Stage.AWARENESS] = len(self.aware)
        stages[Stage.DISSOLUTION] = len(self.departed)
        tiers, former = self.tier_counts()
        sums = dict.fromkeys(
            ("trust", "trust_calculus", "trust_knowledge", "trust_identification",
             "commitment_mean", "satisfaction", "switching_cost"),
            0.0,
        )  # fmt: skip
        for c in self.active:
            stages[c.stage] += 1
            sums["trust"] += c.trust
            sums["trust_calculus"] += c.trust_calculus
            sums["trust_knowledge"] += c.trust_knowledge
            sums["trust_identification"] += c.trust_identification
            sums["commitment_mean"] += c.commitment
            sums["satisfaction"] += c.satisfaction
            sums["switching_cost"] += c.switching_cost
        n_active = len(self.active)
        row: dict[str, float] = {
            "week": self.week,
            "active_start": active_start,
            "active": n_active,
            "churn_rate": tally["lost_from_start"] / active_start if active_start else 0.0,
        }
        row.update((name, stages[stage]) for name, stage in zip(STAGE_COLUMNS, Stage, strict=True))
        row.update((name, tiers[tier]) for name, tier in zip(TIER_COLUMNS, Tier, strict=True))
        customer_tiers = [tier for tier in Tier if tier > Tier.PROSPECT]
        row.update(zip(FORMER_COLUMNS, (former[t] for t in customer_tiers), strict=True))
        row.update((name, total / n_active if n_active else 0.0) for name, total in sums.items())
        row.update((name, int(tally[name])) for name in COUNT_COLUMNS)
        row.update((name, float(tally[name])) for name in MONEY_COLUMNS)
        return {name: row[name] for name in FRAME_COLUMNS}

    # ------------------------------------------------------------------ running
    def run(self, weeks: int, progress: bool | None = None) -> None:
        """Simulate ``weeks`` weeks (the same as ``run_for(weeks)``), as ``CRMModel.run``.

        Parameters
        ----------
        weeks : int
            Number of weeks, >= 0.
        progress : bool, optional
            Show a progress bar; by default one appears only if the run takes over a second.
        """
        run_weeks(self, weeks, progress)

    # ------------------------------------------------------------------ from a CRMModel
    @classmethod
    def from_crm_model(cls, model: CRMModel, rng: Any = None) -> ReferenceModel:
        """A reference model in the state ``model`` has reached, ready to simulate its next week.

        Every customer takes the traits and state of its row in ``model.state``, contacts come
        from ``model.network``, and the week counter continues from ``model.week``. Only the
        future differs: it is drawn from ``rng``. This lets one compare the two engines rule
        by rule from one shared starting point (see ``tests/test_reference.py``).

        Parameters
        ----------
        model : CRMModel
            The vectorized model to copy (it is not changed).
        rng : int or numpy.random.Generator, optional
            Seed of the reference model's random numbers.
        """
        reference = cls(
            n_customers=1,  # its customers are replaced by copies of the model's below
            policy=model.policy,
            market=model.market,
            population=model.population,
            network="well-mixed",  # replaced below by the model's own network
            rng=rng,
        )
        reference.remove_all_agents()
        reference.n_customers = model.n_customers
        reference.network = network = model.network
        reference.week = week = model.week
        state = model.state
        traits = {name: getattr(state, name).tolist() for name in TRAITS}
        reference.people = people = [
            ReferenceCustomer(reference, i, {name: traits[name][i] for name in TRAITS})
            for i in range(model.n_customers)
        ]
        # the state columns a customer holds (not the derived ``recent_purchases``, computed
        # from ``purchase_weeks``, nor the vectorized engine's contact-count cache, which the
        # reference keeps itself and counts afresh below)
        columns = [
            name
            for name in COLUMNS
            if name not in ("counted_active", "active_contacts")
            and (name in vars(people[0]) or name == "heard_negative")
        ]
        values = {name: getattr(state, name).tolist() for name in columns}
        for i, person in enumerate(people):
            for name in columns:
                setattr(person, name, values[name][i])
            person.stage, person.tier = Stage(person.stage), Tier(person.tier)
            referrer = values["referred_by"][i]
            person.referred_by = people[referrer] if referrer >= 0 else None
            # purchase weeks still in the loyalty window when the next week begins
            person.purchase_weeks.clear()
            for past in range(max(0, week - LOYALTY_WINDOW + 1), week):
                if state.purchase_window[past % LOYALTY_WINDOW, i]:
                    person.purchase_weeks.append(past)
        reference.well_mixed_degree = int(round(network.mean_degree))
        reference._connect(network)
        reference._regroup()
        return reference

    # ------------------------------------------------------------------ reading
    def customer(self, index: int) -> ReferenceCustomer:
        """The customer in row ``index`` (0 <= index < n_customers)."""
        return self.people[checks.integer("customer index", index, 0, self.n_customers - 1)]

    @property
    def customers(self) -> mesa.agent.AgentSet:
        """All customers, as Mesa agents."""
        return self.agents_by_type[ReferenceCustomer]

    @property
    def losses(self) -> pd.DataFrame:
        """Every departure so far: ``week``, ``customer``, ``spell_start``, ``cause`` and
        ``first_purchase`` (as :attr:`crmsim.CRMModel.losses`)."""
        columns = ["week", "customer", "spell_start", "cause", "first_purchase"]
        frame = pd.DataFrame(np.array(self._losses, dtype=np.int64).reshape(-1, 5), columns=columns)
        codes = frame["cause"] - 1
        frame["cause"] = pd.Categorical.from_codes(codes, categories=list(CHURN_CAUSES))
        return frame

    @property
    def frame(self) -> pd.DataFrame:
        """The weekly data so far (shorthand for ``datacollector.get_model_vars_dataframe()``)."""
        return self.datacollector.get_model_vars_dataframe()
