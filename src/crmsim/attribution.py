"""Which motive weighed most in a repeat purchase or a referral (the CEM and CAM KPIs of seed 004).

Loyal customers expect special respect, special discounts and periodic gifts;
marketers also expect a clear financial benefit. For every repeat purchase and
every referral the model asks which of these weighed most for that customer at
that moment and counts it under that motive, so the KPIs "repeat purchases due
to respect / discount / gift" and "referrals due to respect / discount / gift /
financial benefit" can be read off the weekly data.

Each motive's strength is on the customer's value scale:

* respect: ``RESPECT_WEIGHT * max(0, 2 * respect_felt - 1)`` (only *special* respect,
  above neutral, counts);
* discount: ``price_sensitivity * discount``;
* gift: ``price_sensitivity * gift_value / (price * gift_every)`` for loyal and marketer customers;
* reward (referrals only): ``price_sensitivity * referral_reward / price``.

When every strength is zero the act is counted under ``none``.
"""

from __future__ import annotations

import numpy as np

from crmsim.customer import Tier
from crmsim.state import CustomerState
from crmsim.week import Week

REPEAT_MOTIVES = ("respect", "discount", "gift")
REFERRAL_MOTIVES = ("respect", "discount", "gift", "reward")
RESPECT_WEIGHT = 1.0 / 3.0


def motive_strengths(
    state: CustomerState, week: Week, who: np.ndarray, discount: np.ndarray, with_reward: bool
) -> np.ndarray:
    """Strength of each motive (columns in ``REFERRAL_MOTIVES`` order) for the customers ``who``."""
    policy, market = week.policy, week.market
    price_weight = state.price_sensitivity[who]
    gets_gifts = (state.tier[who] >= Tier.LOYAL) & (policy.gift_value > 0)
    strengths = np.zeros((len(who), 4))
    strengths[:, 0] = RESPECT_WEIGHT * np.maximum(0.0, 2.0 * state.respect_felt[who] - 1.0)
    strengths[:, 1] = price_weight * discount
    strengths[:, 2] = np.where(
        gets_gifts, price_weight * policy.gift_value / (market.price * policy.gift_every), 0.0
    )
    if with_reward:
        strengths[:, 3] = price_weight * policy.referral_reward / market.price
    return strengths


def _main_motive(strengths: np.ndarray) -> np.ndarray:
    """Index of the strongest motive, or -1 where none is present."""
    best = strengths.argmax(axis=1)
    return np.where(strengths.max(axis=1, initial=0.0) > 0, best, -1)


def attribute_repeat_purchases(
    state: CustomerState, week: Week, who: np.ndarray, discount: np.ndarray, paid: np.ndarray
) -> None:
    """Count repeat purchases and their spend under the motive that weighed most."""
    motive = _main_motive(motive_strengths(state, week, who, discount, with_reward=False))
    for i, name in enumerate(REPEAT_MOTIVES):
        mine = motive == i
        week.tally[f"repeat_{name}"] += int(mine.sum())
        week.tally[f"repeat_spend_{name}"] += float(paid[mine].sum())
    week.tally["repeat_none"] += int((motive < 0).sum())


def attribute_referrals(
    state: CustomerState, week: Week, referrers: np.ndarray, discount: np.ndarray
) -> None:
    """Count referrals under the motive that weighed most for the customer who made them."""
    motive = _main_motive(motive_strengths(state, week, referrers, discount, with_reward=True))
    for i, name in enumerate(REFERRAL_MOTIVES):
        week.tally[f"referrals_{name}"] += int((motive == i).sum())
    week.tally["referrals_none"] += int((motive < 0).sum())
