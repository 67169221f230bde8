"""Which motive weighed most in a repeat purchase or a referral (the CEM and CAM KPIs of seed 004).

Loyal customers expect special respect, special discounts and periodic gifts;
marketers also expect a clear financial benefit. For every repeat purchase and
every referral the model asks what made it happen and counts it under that
motive, so the KPIs "repeat purchases due to respect / discount / gift" and
"referrals due to respect / discount / gift / financial benefit" can be read off
the weekly data.

A gift acts through the goodwill it leaves (:mod:`crmsim.gifts`), which raises the
chance of a purchase or a referral. An act is credited to the gift when the gift
tipped it: with the same luck, the customer would not have bought (or recommended
the firm) without that goodwill. Every other act goes to the motive that weighed
most for that customer at that moment, each motive's strength on the customer's
value scale:

* respect: ``RESPECT_WEIGHT * max(0, 2 * respect_felt - 1)`` (only *special* respect,
  above neutral, counts);
* discount: ``price_sensitivity * discount``;
* reward (referrals only): ``price_sensitivity * referral_reward / price``.

When every strength is zero the act is counted under ``none``.
"""

from __future__ import annotations

import numpy as np

from crmsim.state import CustomerState
from crmsim.week import Week

REPEAT_MOTIVES = ("respect", "discount", "gift")
REFERRAL_MOTIVES = ("respect", "discount", "gift", "reward")
#: Weight of respect, against the fix, in how an episode feels (crmsim.episodes) and against
#: money among the motives to come back (seed 002: one third value respect over the fix).
RESPECT_WEIGHT = 1.0 / 3.0


def _present_motives(
    state: CustomerState, week: Week, who: np.ndarray, discount: np.ndarray, with_reward: bool
) -> list[tuple[int, np.ndarray]]:
    """(column, strength) of the motives that can be present at all this week.

    A lever that is off (no discount, no reward) gives a motive of strength zero
    for everyone, which can never be the strongest: leaving it out saves work and changes
    no attribution.
    """
    policy = week.policy
    respect = 2.0 * state.respect_felt[who]
    respect -= 1.0
    np.maximum(respect, 0.0, out=respect)
    respect *= RESPECT_WEIGHT
    present = [(0, respect)]
    discount_on = policy.discount > 0 and policy.discount_running(week.index)
    reward_on = with_reward and policy.referral_reward > 0
    if not (discount_on or reward_on):
        return present
    price_weight = state.price_sensitivity[who]
    if discount_on:
        present.append((1, price_weight * discount))
    if reward_on:
        present.append((3, price_weight * policy.referral_reward / week.market.price))
    return present


#: Column of the gift among the motives (of repeat purchases and of referrals alike).
_GIFT = REPEAT_MOTIVES.index("gift")


def _main_motive(
    present: list[tuple[int, np.ndarray]], tipped: np.ndarray | None = None
) -> np.ndarray:
    """Column of the motive of each act: the gift where it tipped the act (``tipped``),
    else the strongest motive, or -1 where none is present.

    Ties go to the motive listed first, as with ``argmax``.
    """
    columns = np.array([column for column, _ in present])
    if len(present) == 1:
        strongest = present[0][1]
        best = np.full(len(strongest), columns[0])
    else:
        stacked = np.stack([values for _, values in present], axis=1)
        position = stacked.argmax(axis=1)
        strongest = stacked[np.arange(len(position)), position]
        best = columns[position]
    best[strongest <= 0] = -1
    if tipped is not None:
        best[tipped] = _GIFT
    return best


#: Tally names of the repeat-purchase motives, by column.
_REPEAT_COUNTS = tuple(f"repeat_{name}" for name in REPEAT_MOTIVES)
_REPEAT_SPEND = tuple(f"repeat_spend_{name}" for name in REPEAT_MOTIVES)


def attribute_repeat_purchases(
    state: CustomerState,
    week: Week,
    who: np.ndarray,
    discount: np.ndarray,
    paid: np.ndarray,
    tipped: np.ndarray | None = None,
) -> None:
    """Count repeat purchases and their spend under their motive.

    ``tipped`` marks the purchases a gift tipped (None: no goodwill anywhere).
    """
    present = _present_motives(state, week, who, discount, with_reward=False)
    tally = week.tally
    if len(present) == 1 and tipped is None:
        # only respect can weigh (no discount, no gifts): it does wherever it is above zero
        column, strength = present[0]
        counts = np.bincount(strength > 0, minlength=2).tolist()
        spend = np.bincount(strength > 0, weights=paid, minlength=2).tolist()
        tally[_REPEAT_COUNTS[column]] += counts[1]
        tally[_REPEAT_SPEND[column]] += spend[1]
        tally["repeat_none"] += counts[0]
        return
    motive = _main_motive(present, tipped)
    # one pass counts every motive: slot 0 is "none" (motive -1)
    counts = np.bincount(motive + 1, minlength=len(REPEAT_MOTIVES) + 1).tolist()
    spend = np.bincount(motive + 1, weights=paid, minlength=len(REPEAT_MOTIVES) + 1).tolist()
    for i in range(len(REPEAT_MOTIVES)):
        tally[_REPEAT_COUNTS[i]] += counts[i + 1]
        tally[_REPEAT_SPEND[i]] += spend[i + 1]
    tally["repeat_none"] += counts[0]


def attribute_referrals(
    state: CustomerState,
    week: Week,
    referrers: np.ndarray,
    discount: np.ndarray,
    tipped: np.ndarray | None = None,
) -> None:
    """Count referrals under their motive (``tipped``: those a gift tipped, or None)."""
    present = _present_motives(state, week, referrers, discount, with_reward=True)
    motive = _main_motive(present, tipped)
    counts = np.bincount(motive + 1, minlength=len(REFERRAL_MOTIVES) + 1).tolist()
    for i, name in enumerate(REFERRAL_MOTIVES, start=1):
        week.tally[f"referrals_{name}"] += counts[i]
    week.tally["referrals_none"] += counts[0]
