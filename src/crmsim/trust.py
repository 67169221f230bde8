"""The three kinds of trust (Lewicki & Bunker 1995; seed 000) and what moves each.

* **Calculus-based** trust tracks the benefit the customer gets or expects: the
  value of the firm's offer (quality expected, price, discount) against the
  competitor's. It moves fast, every week.
* **Knowledge-based** trust grows with each episode that turns out as the
  customer predicted and falls with surprises: consistency builds it, erratic
  service does not.
* **Identification-based** trust grows slowly, only once knowledge trust is
  high, with respect, personal touches and shared values; it is sticky, but a
  breach of respect cuts it deeply.

Overall trust mixes the three with weights that shift with the stage
(:data:`crmsim.state.TRUST_WEIGHTS`).
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import clip
from crmsim.offer import VALUE_SLOPE, discount_received, logistic, value_advantage
from crmsim.state import CustomerState
from crmsim.week import Week

CALCULUS_SPEED = 0.5  # share of the gap to the current deal closed each week
KNOWLEDGE_GAIN = 0.08  # per predictable episode, times the room left
KNOWLEDGE_LOSS = 0.25  # per surprising episode, times the trust there is
SURPRISE_SCALE = 0.5  # a gap this large between expectation and experience is a full surprise
IDENTIFICATION_READY = 0.4  # knowledge trust needed before identification can grow
IDENTIFICATION_GAIN = 0.06  # per episode, times the drive and the room left
BREACH_CUT = 0.6  # share of identification trust a breach of respect destroys
EXPECTATION_SPEED = 0.3  # how fast expectations follow experience
SATISFACTION_SPEED = 0.5  # weight of the latest episode in recent satisfaction
RESPECT_MEMORY_SPEED = 0.3


def predictability(surprise: np.ndarray) -> np.ndarray:
    """1 when an episode is exactly as expected, 0 when the gap reaches ``SURPRISE_SCALE``."""
    return 1.0 - np.minimum(1.0, surprise / SURPRISE_SCALE)


def learn_from_episodes(state: CustomerState, week: Week) -> None:
    """Update expectations, satisfaction, knowledge and identification trust after episodes."""
    episodes = week.episodes
    who, kept = week.served_and_active(state)

    pred = predictability(episodes.surprise[kept])
    tk = state.trust_knowledge[who]
    tk = clip(tk + KNOWLEDGE_GAIN * pred * (1 - tk) - KNOWLEDGE_LOSS * (1 - pred) * tk, 0.0, 1.0)
    state.trust_knowledge[who] = tk

    ti = state.trust_identification[who]
    ready = tk >= IDENTIFICATION_READY
    respect = episodes.respect[kept]
    drive = state.values_fit[who] * 0.5 * (respect + episodes.personalization[kept])
    # a breach builds nothing: it only cuts
    ti = np.where(
        episodes.breached[kept],
        ti * (1 - BREACH_CUT),
        ti + np.where(ready, IDENTIFICATION_GAIN * drive * (1 - ti), 0.0),
    )
    state.trust_identification[who] = clip(ti, 0.0, 1.0)

    for name, speed, latest in (
        ("expectation", EXPECTATION_SPEED, episodes.experienced[kept]),
        ("satisfaction", SATISFACTION_SPEED, episodes.felt[kept]),
        ("respect_felt", RESPECT_MEMORY_SPEED, respect),
    ):
        column = getattr(state, name)
        values = column[who]
        values += speed * (latest - values)
        column[who] = values


def update_calculus_trust(state: CustomerState, week: Week) -> None:
    """Every active customer re-weighs the current deal against the competitor's."""
    active = week.active_rows(state)
    discount = discount_received(state, week)[active]
    target = logistic(VALUE_SLOPE * value_advantage(state, week, discount, active))
    trust = state.trust_calculus[active]
    trust += CALCULUS_SPEED * (target - trust)
    state.trust_calculus[active] = trust
