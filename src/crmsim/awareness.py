"""UNAWARE -> AWARENESS: advertising and word of mouth (the Bass 1969 diffusion model on a network).

Each week an unaware person becomes aware with hazard ``p + q * s``, where
``p`` is the policy's advertising reach (Bass "innovation"), ``q`` the market's
word-of-mouth coefficient (Bass "imitation") and ``s`` the share of the
person's contacts who are customers. In a well-mixed market ``s`` is the share
of customers in the whole market, which is Bass's own equation in discrete time.
"""

from __future__ import annotations

import numpy as np

from crmsim.customer import Stage
from crmsim.state import CustomerState
from crmsim.week import Week


def awareness_hazard(state: CustomerState, week: Week) -> np.ndarray:
    """Weekly probability that each person hears of the firm (meaningful for the unaware)."""
    talking = state.active_mask()
    share = week.network.share_of_contacts(talking)
    return np.minimum(1.0, week.policy.advertising + week.market.word_of_mouth * share)


def spread_awareness(state: CustomerState, week: Week) -> None:
    """Make some unaware people aware of the firm."""
    unaware = np.flatnonzero(state.stage == Stage.UNAWARE)
    hazard = awareness_hazard(state, week)[unaware]
    newly = unaware[week.rng.random(len(unaware)) < hazard]
    state.stage[newly] = Stage.AWARENESS
    state.expectation[newly] = initial_expectation(week)
    week.tally["became_aware"] += len(newly)
    week.note("aware", newly)


def initial_expectation(week: Week) -> float:
    # a promise, if the firm makes one, sets what newcomers expect (under-promise, over-deliver)
    promise = week.policy.promise
    return week.market.prior_expectation if promise is None else promise
