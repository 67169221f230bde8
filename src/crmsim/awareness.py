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
    counted, contacts = state.contact_counts(week.firm)
    changed = rows_of(talking != counted)
    if len(changed) > RECOUNT_SHARE * state.n:
        contacts[:] = network.count_contacts(talking)
    elif len(changed):
        network.update_contact_counts(contacts, changed, talking[changed])
    counted[:] = talking
    return contacts[rows] * network.inverse_degree[rows]


def awareness_hazard(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray:
    """Weekly probability that each of ``rows`` hears of the firm (meaningful for the unaware)."""
    share = share_of_customer_contacts(state, week, rows)
    return np.minimum(1.0, week.policy.advertising + week.market.word_of_mouth * share)


def spread_awareness(state: CustomerState, week: Week) -> None:
    """Make some people who have not heard of the firm aware of it.

    With one firm they are the unaware. With several, anyone who has not heard of this firm
    may, a rival's customer too; only those who knew no firm at all become its prospects,
    the others now know one more firm to compare (:mod:`crmsim.firms`).
    """
    bit = np.uint8(1 << week.firm)
    if week.shared_market:
        unaware = rows_of((state.aware_of & bit) == 0)
    else:
        unaware = rows_of(state.stage == UNAWARE)
    hazard = awareness_hazard(state, week, unaware)
    newly = unaware[week.luck("awareness", unaware) < hazard]
    state.aware_of[newly] |= bit
    if week.shared_market:
        newly = newly[state.stage[newly] == UNAWARE]
    state.stage[newly] = AWARENESS
    state.firm[newly] = week.firm
    state.expectation[newly] = initial_expectation(week)
    week.note("aware", newly)


def initial_expectation(week: Week) -> float:
    # a promise, if the firm makes one, sets what newcomers expect (under-promise, over-deliver)
    promise = week.policy.promise
    return week.market.prior_expectation if promise is None else promise
