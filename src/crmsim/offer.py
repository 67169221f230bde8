"""The calculus of value: what the firm's offer is worth to each customer, discounts included.

Calculus-based trust, trial and switching all compare this value with the
competitor's. A discount counts only for the customers it targets, which is how
the product-centric question "is there a discount on this product?" becomes the
customer-centric one "does this discount apply to this customer?" (seed 003).
"""

from __future__ import annotations

import functools

import numpy as np

from crmsim.levers import TIER_NAMES
from crmsim.stages import PROSPECT
from crmsim.state import CustomerState
from crmsim.week import Week

#: Slope of the logistic that turns a value advantage into a probability or a trust level.
VALUE_SLOPE = 4.0
#: A price change is judged against the discount the customer is used to; losing a discount
#: hurts this many times more than gaining one pleases (Tversky & Kahneman 1992: 2.25).
LOSS_AVERSION = 2.25
#: Weekly speed at which the reference discount adapts to the discount received
#: (Kalyanaram & Winer 1995: reference prices follow recent prices).
REFERENCE_SPEED = 0.15


def discount_received(state: CustomerState, week: Week) -> np.ndarray:
    """The discount (share of price) each person would get if they bought this week.

    On the market's week of several firms, each person's own firm's discount.
    """
    if week.firm_weeks:
        return _discounts_by_firm(state, week)
    policy = week.policy
    if not policy.discount_running(week.index):
        return _no_discount(state.n)
    out = np.zeros(state.n)
    target = policy.discount_target
    if target == "all":
        eligible = np.ones(state.n, dtype=bool)
    elif target == "new":
        eligible = (state.tier == PROSPECT) | (state.tenure < policy.new_customer_weeks)
    elif isinstance(target, frozenset):
        codes = [TIER_NAMES.index(name) for name in sorted(target)]
        eligible = np.isin(state.tier, codes)
    else:
        segment = week.population.segment_names.index(target)
        eligible = state.segment == segment
    out[eligible] = policy.discount
    return out


def _discounts_by_firm(state: CustomerState, week: Week) -> np.ndarray:
    running = [w for w in week.firm_weeks if w.policy.discount_running(w.index)]
    if not running:
        return _no_discount(state.n)
    out = np.zeros(state.n)
    for firm_week in running:
        mine = state.firm == firm_week.firm
        out[mine] = discount_received(state, firm_week)[mine]
    return out


@functools.lru_cache(maxsize=4)
def _no_discount(n: int) -> np.ndarray:
    zeros = np.zeros(n)
    zeros.flags.writeable = False  # shared by callers and weeks: nobody may write into it
    return zeros


def firm_value(
    state: CustomerState,
    week: Week,
    discount: np.ndarray,
    rows: np.ndarray | None = None,
    expectation: np.ndarray | float | None = None,
) -> np.ndarray:
    """Each person's value of the firm's offer: expected quality and price, weighed by their traits.

    The price part has two terms: the discount against the competitor's price, and the
    discount against the one the customer is used to, where a loss weighs ``LOSS_AVERSION``
    times a gain. That second term is why an ending promotion stings (the new-store story).
    The quality part is built the same way when the firm makes a promise
    (:func:`promised_quality`). ``rows`` restricts the computation to some customers
    (``discount`` is then theirs); ``expectation`` replaces what they expect of the service
    (a rival firm of a market with several is judged by what it promises, see
    :mod:`crmsim.firms`).
    """
    rows = slice(None) if rows is None else rows
    price_gain = discount - week.per_customer(state, rows, lambda firm: firm.market.price_premium)
    change = discount - state.reference_discount[rows]
    felt_change = np.where(change < 0, LOSS_AVERSION * change, change)
    if expectation is None:
        expectation = state.expectation[rows]
    promise = week.per_customer(state, rows, lambda firm: firm.policy.promise)
    quality = promised_quality(np.asarray(expectation, dtype=float), promise)
    return state.quality_sensitivity[rows] * quality + state.price_sensitivity[rows] * (
        price_gain + felt_change
    )


def promised_quality(expectation: np.ndarray, promise: float | np.ndarray | None) -> np.ndarray:
    """The quality a customer credits the firm with: their expectation, judged against the promise.

    Without a promise it is the expectation itself. With one, the gap between what the
    customer now expects and what the firm promised is felt as a gain or a loss, a loss
    weighing ``LOSS_AVERSION`` times a gain, as for a discount (reference dependence on a
    quality attribute, Hardie, Johnson & Fader 1993; quality short of expectations weighs
    more than quality above them, Anderson & Sullivan 1993; Mittal, Ross & Baldasare 1998):
    a kept-and-beaten promise adds to the firm's value, a broken one costs it more than its
    shortfall. A newcomer still expects exactly the promise, so at the trial the promise acts
    only as an advertised quality does (Kopalle & Lehmann 2006). ``LOSS_AVERSION`` is the
    discounts' 2.25 (Tversky & Kahneman 1992); see docs/ODD.md 7.1.

    Examples
    --------
    >>> promised_quality(np.array([0.4]), None).tolist()
    [0.4]
    >>> [round(x, 3) for x in promised_quality(np.array([0.4]), 0.1).tolist()]
    [0.7]
    >>> [round(x, 3) for x in promised_quality(np.array([0.4]), 0.7).tolist()]
    [-0.275]
    """
    if promise is None:
        return expectation
    change = expectation - promise
    quality = expectation + np.where(change < 0, LOSS_AVERSION * change, change)
    if isinstance(promise, np.ndarray):  # one promise per customer, NaN where none was made
        quality = np.where(np.isnan(promise), expectation, quality)
    return quality


def update_reference_discount(state: CustomerState, week: Week) -> None:
    """Customers get used to the discount they receive (and, slowly, to its absence)."""
    active = week.active_rows(state)
    received = discount_received(state, week)[active]
    reference = state.reference_discount[active]
    reference += REFERENCE_SPEED * (received - reference)
    state.reference_discount[active] = reference


def value_advantage(
    state: CustomerState, week: Week, discount: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """How much better the firm's offer looks than the competitor's ordinary one."""
    return firm_value(state, week, discount, rows) - week.market.competitor_attractiveness


def share_of_wallet(
    state: CustomerState, week: Week, discount: np.ndarray, rows: np.ndarray
) -> np.ndarray | float:
    """How much of a customer's buying goes to the firm, against what it gets at price parity.

    Customers split their purchases in the category between the firm and the competitor,
    and the split follows the price they would pay against the competitor's: a logit in the
    log of the relative price, ``2 * logistic(-a * ln(P (1 - d) / P_c))`` with
    ``a = Market.price_response * 2 * price_sensitivity`` (the average customer has the
    market's response). It is 1 at parity, falls towards 0 as the firm gets dearer and
    rises towards 2 as it gets cheaper, a discount included. The elasticity of the split at
    parity is ``-a / 2``. With ``price_response`` 0 (the default) it is exactly 1.

    ``discount`` holds everyone's discount; ``rows`` picks the customers to answer for.
    """
    market = week.market
    if market.price_response == 0:
        return 1.0  # before any gather: the weekly episodes pay nothing for a lever left off
    relative = market.price * (1.0 - discount[rows]) / market.competitor_price
    weight = 2.0 * market.price_response * state.price_sensitivity[rows]
    return 2.0 * logistic(-weight * np.log(relative))


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
