"""Referrals (CAM) and negative word of mouth.

Marketers recommend the firm to people they know, and loyal customers do so
less often; a referral reward makes it more worthwhile (CAM's "clear financial
benefit", seed 004). A referred friend becomes aware and is ``referral_boost``
times as likely to try the firm. A referral counts as successful when the friend
buys; only then is the reward paid (see :mod:`crmsim.trials`).

Angry leavers speak against the firm for ``anger_weeks``: each of their contacts
hears it with a probability that grows with the speaker's sociability. What was
heard lowers a prospect's wish to try, and shakes current customers' calculus trust.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import per_code, unique, unique_first
from crmsim.attribution import attribute_referrals
from crmsim.awareness import initial_expectation
from crmsim.gifts import referral_lift
from crmsim.offer import discount_received
from crmsim.stages import AWARENESS, DISSOLUTION, LOYAL, UNAWARE, Tier
from crmsim.state import CustomerState
from crmsim.week import Week

MARKETER_REFERRAL_RATE = 0.15  # weekly, for a fully sociable marketer with no reward
LOYAL_REFERRAL_SHARE = 0.2  # loyal customers refer this much as often as marketers
REWARD_RESPONSE = 2.0  # a reward worth one purchase multiplies the rate by 1 + this
NEGATIVE_TRUST_HIT = 0.1  # share of calculus trust a customer loses per negative story heard
NEGATIVE_EXPECTATION_HIT = 0.1
REFERRAL_FADE = 0.125  # weekly chance that an unconverted referral is forgotten (mean 8 weeks)
NEGATIVE_MEMORY = 0.98  # weekly retention of negative word of mouth heard (half-life 34 weeks)

#: Referral rate of each tier relative to a marketer's.
_REFERRAL_SHARE_BY_TIER = np.zeros(len(Tier))
_REFERRAL_SHARE_BY_TIER[Tier.LOYAL] = LOYAL_REFERRAL_SHARE
_REFERRAL_SHARE_BY_TIER[Tier.MARKETER] = 1.0


def referral_rate(state: CustomerState, week: Week, rows: np.ndarray | None = None) -> np.ndarray:
    """Weekly probability that each person (or each of ``rows``) recommends the firm."""
    rows = slice(None) if rows is None else rows
    reward = week.policy.referral_reward / week.market.price
    base = MARKETER_REFERRAL_RATE * state.sociability[rows] * (1.0 + REWARD_RESPONSE * reward)
    share = per_code(_REFERRAL_SHARE_BY_TIER, state.tier[rows])
    active = week.is_active(state, rows)
    return np.minimum(1.0, base * share * active)


def make_referrals(state: CustomerState, week: Week) -> None:
    """Marketers and loyal customers recommend the firm to one contact each, some weeks.

    A recommendation that has not led to a purchase fades: each week it is forgotten
    with probability ``REFERRAL_FADE``.
    """
    pending = week.own_share(state, "referred", lambda: state.referred_by >= 0)
    if len(pending):
        state.referred_by[pending[week.luck("referral-fade", pending) < REFERRAL_FADE]] = -1
    candidates = week.own_share(state, "loyal", lambda: state.tier >= LOYAL)
    luck = week.luck("referral", candidates)
    rate = referral_rate(state, week, candidates)
    gratitude = referral_lift(state, week, candidates)
    refers = luck < np.minimum(1.0, rate * gratitude)
    referrers = candidates[refers]
    # a gift tipped the referrals the same luck would not have made without its goodwill
    tipped = luck[refers] >= rate[refers] if isinstance(gratitude, np.ndarray) else None
    if len(referrers) == 0:
        return
    friends = week.network.random_contact(referrers, week.draws("referral-contact", referrers))
    ok = friends >= 0
    reached = friends[ok]
    ok[ok] = (state.stage[reached] <= AWARENESS) & (state.referred_by[reached] < 0)
    if not ok.any():  # every friend picked is a customer already, or was referred before
        return
    referrers, friends = referrers[ok], friends[ok]
    tipped = tipped[ok] if tipped is not None else None
    if len(friends) > 1:
        # two referrers may pick the same friend this week: the first one counts
        friends, first = unique_first(friends)
        referrers = referrers[first]
        tipped = tipped[first] if tipped is not None else None
    if week.shared_market:
        # a friend weighing another firm's offer now weighs this one's, on a friend's word
        newly_aware = friends[state.firm[friends] != week.firm]
    else:
        newly_aware = friends[state.stage[friends] == UNAWARE]
    state.stage[newly_aware] = AWARENESS
    state.expectation[newly_aware] = initial_expectation(week)
    state.firm[friends] = week.firm
    state.aware_of[friends] |= np.uint8(1 << week.firm)
    state.referred_by[friends] = referrers
    week.tally["referrals"] += len(friends)
    discount = discount_received(state, week)[referrers]
    attribute_referrals(state, week, referrers, discount, tipped)
    week.note("referred", friends, referrers.astype(float))


def fade_negative_word(state: CustomerState, week: Week) -> None:
    """What people have heard against the firm fades (``NEGATIVE_MEMORY`` a week)."""
    state.heard_negative *= NEGATIVE_MEMORY


def spread_negative_word(state: CustomerState, week: Week) -> None:
    """Angry former customers tell their contacts; prospects hesitate, customers doubt.

    With several firms, a story told against one firm shakes the trust and expectation of
    that firm's own customers and prospects only; a prospect's doubt (``heard_negative``) is
    about the category's firms at large, a simplification (docs/ODD.md).
    """
    if not week.shared_market:
        fade_negative_word(state, week)  # with several firms, the market's week fades it once
    speakers = week.own_share(state, "speakers", lambda: angry_speakers(state))
    if len(speakers) == 0:
        return
    p_talk = week.market.negative_wom_rate * state.sociability[speakers]
    _, hearers = week.network.contacts_reached(
        speakers, p_talk, week.draws("negative-word", speakers)
    )
    state.anger_left[speakers] -= 1
    np.add.at(state.heard_negative, hearers, 1.0)
    # Unaware hearers stay unaware: a complaint is not an advert. They carry the doubt
    # forward, and it lowers their wish to try once they do hear of the firm.
    hearers = unique(hearers)
    doubting = hearers[week.is_active(state, hearers)]
    state.trust_calculus[doubting] *= 1 - NEGATIVE_TRUST_HIT
    # the unaware have no expectation yet: theirs is set when they hear of the firm
    aware = week.own(state, hearers[state.stage[hearers] != UNAWARE])
    state.expectation[aware] = np.maximum(-1.0, state.expectation[aware] - NEGATIVE_EXPECTATION_HIT)
    week.tally["negative_wom"] += len(hearers)
    week.note("heard_negative", hearers)


def angry_speakers(state: CustomerState) -> np.ndarray:
    """Mask of the angry former customers who still speak against the firm."""
    return state.angry & (state.anger_left > 0) & (state.stage == DISSOLUTION)
