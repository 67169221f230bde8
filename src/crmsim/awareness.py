"""UNAWARE -> AWARENESS: advertising and word of mouth (the Bass 1969 diffusion model on a network).

Each week an unaware person becomes aware with hazard ``p + q * s``, where
``p`` is the policy's advertising reach (Bass "innovation"), ``q`` the market's
word-of-mouth coefficient (Bass "imitation") and ``s`` the share of the
person's contacts who are customers. In a well-mixed market ``s`` is the share
of customers in the whole market, which is Bass's own equation in discrete time.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import rows_of
from crmsim.stages import AWARENESS, UNAWARE
from crmsim.state import CustomerState
from crmsim.week import Week

#: Above this share of people changing sides in a week, recounting contacts is cheaper.
RECOUNT_SHARE = 0.05


def share_of_customer_contacts(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray:
    """Share of each of ``rows``' contacts who are customers now.

    On a network the counts are kept up to date incrementally (only the contacts of
    people who started or stopped buying since the last count are touched); the result
    is the same as counting afresh.
    """
    network = week.network
    talking = week.active(state)
    if network.well_mixed:
        return network.share_of_contacts(talking)[rows]
    changed = rows_of(talking != state.counted_active)
    if len(changed) > RECOUNT_SHARE * state.n:
        state.active_contacts[:] = network.count_contacts(talking)
    elif len(changed):
        network.update_contact_counts(state.active_contacts, changed, talking[changed])
    state.counted_active[:] = talking
    return state.active_contacts[rows] * network.inverse_degree[rows]


def awareness_hazard(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray:
    """Weekly probability that each of ``rows`` hears of the firm (meaningful for the unaware)."""
    share = share_of_customer_contacts(state, week, rows)
    return np.minimum(1.0, week.policy.advertising + week.market.word_of_mouth * share)


def spread_awareness(state: CustomerState, week: Week) -> None:
    """Make some unaware people aware of the firm."""
    unaware = rows_of(state.stage == UNAWARE)
    hazard = awareness_hazard(state, week, unaware)
    newly = unaware[week.luck("awareness", unaware) < hazard]
    state.stage[newly] = AWARENESS
    state.firm[newly] = week.firm
    state.aware_of[newly] |= np.uint8(1 << week.firm)
    state.expectation[newly] = initial_expectation(week)
    week.note("aware", newly)


def initial_expectation(week: Week) -> float:
    # a promise, if the firm makes one, sets what newcomers expect (under-promise, over-deliver)
    promise = week.policy.promise
    return week.market.prior_expectation if promise is None else promise
