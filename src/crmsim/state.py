"""Customer state as a structure of arrays: one array per variable, one row per person.

Every rule of the week is a vectorized function over these arrays, so a class of
2,000 and a market of a million run the same code. Each array has one meaning,
documented in :data:`COLUMNS`; derived quantities (overall trust, counts) are
computed when asked, not stored twice.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import rows_of
from crmsim.levers import CHANNELS, Population
from crmsim.stages import Stage, Tier

#: Name -> (dtype, initial value, meaning). Traits first, then dynamic state.
COLUMNS: dict[str, tuple[type, float, str]] = {
    # fixed traits, drawn at start from the Population
    "segment": (np.int16, 0, "index of the customer's segment in Population.segments"),
    "price_sensitivity": (np.float64, 0.0, "weight of money in the calculus of value, [0, 1]"),
    "quality_sensitivity": (np.float64, 0.0, "weight of service quality, [0, 1]"),
    "values_fit": (np.float64, 0.0, "how much the customer shares the firm's values, [0, 1]"),
    "purchase_rate": (np.float64, 0.0, "expected purchases per week once a customer"),
    "sociability": (np.float64, 0.0, "propensity to talk about the firm, [0, 1]"),
    "channel": (np.int8, 0, "preferred contact channel, index into levers.CHANNELS"),
    "churn_proneness": (np.float64, 1.0, "factor on every hazard of leaving, mean 1 (frailty)"),
    # which firm: the stage, tier, trust and commitment below are towards the focal firm
    "firm": (np.int8, -1, "the firm the relationship is with, or the one considered (-1: none)"),
    "aware_of": (np.uint8, 0, "the firms the person has heard of (bit k: firm k)"),
    "bought_from": (np.uint8, 0, "the firms the person has ever bought from (bit k: firm k)"),
    # the two ladders
    "stage": (np.int8, Stage.UNAWARE, "relationship stage (Stage)"),
    "tier": (np.int8, Tier.PROSPECT, "commercial role (Tier)"),
    "highest_tier": (np.int8, Tier.PROSPECT, "highest tier ever held (Tier); kept on leaving"),
    # relationship quality
    "trust_calculus": (np.float64, 0.0, "trust for the benefit expected, [0, 1]"),
    "trust_knowledge": (np.float64, 0.0, "trust from a predictable record, [0, 1]"),
    "trust_identification": (np.float64, 0.0, "trust from shared values and respect, [0, 1]"),
    "commitment": (np.float64, 0.0, "will to keep the relationship, [0, 1]"),
    "switching_cost": (np.float64, 0.0, "accumulated investments that make leaving costly, [0, 1]"),
    "satisfaction": (np.float64, 0.0, "recent felt satisfaction (moving average), [-1, 1]"),
    "expectation": (np.float64, 0.0, "predicted satisfaction of the next episode, [-1, 1]"),
    "respect_felt": (np.float64, 0.0, "respect received in recent episodes (moving average)"),
    "reference_discount": (np.float64, 0.0, "the discount the customer has got used to"),
    "goodwill": (np.float64, 0.0, "wish to return the favour of the firm's gifts, [0, 1]"),
    # record of the relationship
    "tenure": (np.int32, 0, "weeks as an active customer"),
    "purchases": (np.int32, 0, "purchases (episodes) so far"),
    "spend": (np.float64, 0.0, "money spent so far"),
    "good_episodes": (np.int32, 0, "episodes felt as good in the current relationship"),
    "recent_purchases": (np.int16, 0, "purchases in the trailing window (loyalty test)"),
    "referrals_made": (np.int32, 0, "referrals that turned into a first purchase"),
    "complaints": (np.int32, 0, "complaints made so far"),
    "heard_negative": (np.float64, 0.0, "negative word of mouth heard (decays)"),
    "referred_by": (np.int32, -1, "who referred this prospect (-1: nobody)"),
    "angry": (np.bool_, False, "left after a breach and may speak against the firm"),
    "anger_left": (np.int16, 0, "weeks the angry customer keeps talking"),
    "churn_cause": (np.int8, 0, "why they last left: 1 + index into CHURN_CAUSES, 0 never"),
    "former_tier": (np.int8, -1, "tier held when they last left (Tier), -1 never left"),
    "first_purchase_week": (np.int32, -1, "week of first purchase (-1: never)"),
    "spell_start": (np.int32, -1, "week the current relationship began (trial or return)"),
    "lost_week": (np.int32, -1, "week they last left (-1: never)"),
    "win_back_refusals": (np.int16, 0, "win-back offers refused since they last left"),
    # a cache, kept by awareness.spread_awareness: who was active when contacts were counted
    "counted_active": (np.bool_, False, "active at the last count of active contacts"),
    "active_contacts": (np.float64, 0.0, "contacts who were customers at that count"),
}

ACTIVE_CODES = np.array([Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT], dtype=np.int8)

#: Weights of (calculus, knowledge, identification) trust in overall trust, per stage.
#: The motive shifts as the relationship matures (Lewicki & Bunker 1995; seed 000).
TRUST_WEIGHTS = np.array(
    [
        [1.00, 0.00, 0.00],  # UNAWARE: nothing but the promise
        [1.00, 0.00, 0.00],  # AWARENESS
        [0.70, 0.25, 0.05],  # EXPLORATION: mostly calculus
        [0.30, 0.50, 0.20],  # EXPANSION: mostly knowledge
        [0.15, 0.35, 0.50],  # COMMITMENT: identification weighs most
        [0.70, 0.25, 0.05],  # DISSOLUTION: back to calculus
    ]
)

_CALCULUS_WEIGHT, _KNOWLEDGE_WEIGHT, _IDENTIFICATION_WEIGHT = (
    np.ascontiguousarray(TRUST_WEIGHTS[:, k]) for k in range(3)
)

LOYALTY_WINDOW = 13  # weeks: one quarter, the course's natural reporting period


def mix_trust(
    stage: np.ndarray, calculus: np.ndarray, knowledge: np.ndarray, identification: np.ndarray
) -> np.ndarray:
    """Overall trust of people in ``stage`` with these three components (see ``TRUST_WEIGHTS``)."""
    # NumPy casts an int8 index array on every look-up: cast once for the three of them
    stage = stage.astype(np.intp)
    # three 1-D look-ups are much cheaper than gathering an (n, 3) block of weights
    return (
        _CALCULUS_WEIGHT[stage] * calculus
        + _KNOWLEDGE_WEIGHT[stage] * knowledge
        + _IDENTIFICATION_WEIGHT[stage] * identification
    )


def churn_proneness(variance: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` people's proneness to leave: Gamma with mean 1 and ``variance`` (1 when it is 0).

    A frailty in the sense of Vaupel, Manton & Stallard (1979): a fixed factor on every
    hazard of leaving, so a cohort loses its prone members first and the survivors' hazard
    falls with tenure even when no one's own hazard does.
    """
    if variance == 0:
        return np.ones(n)
    return rng.gamma(1.0 / variance, variance, size=n)


class CustomerState:
    """All customers' state, as arrays of length ``n``.

    Parameters
    ----------
    n : int
        Number of people in the market.
    population : Population
        The segment mixture traits are drawn from.
    rng : numpy.random.Generator
        The model's generator (all randomness comes from it).
    """

    columns = frozenset(COLUMNS)

    def __init__(self, n: int, population: Population, rng: np.random.Generator) -> None:
        self.n = n
        for name, (dtype, initial, _meaning) in COLUMNS.items():
            setattr(self, name, np.full(n, initial, dtype=dtype))
        # purchases of the last LOYALTY_WINDOW weeks, a ring buffer indexed by week % window
        self.purchase_window = np.zeros((LOYALTY_WINDOW, n), dtype=np.uint8)
        self._draw_traits(population, rng, slice(None), n)

    #: Columns that describe a place in the network, not the person in it (kept on renewal).
    PLACE_COLUMNS = frozenset({"counted_active", "active_contacts"})

    def count_contacts_per_firm(self, firms: int) -> None:
        """Keep, for a market of ``firms`` firms, each person's contacts who are each firm's
        customers (``firm_contacts``, one column per firm) and the firm each person bought from
        at that count (``counted_firm``, -1 none). Like ``active_contacts``, they describe a
        place in the network (see :func:`crmsim.firms.hear_of_firms`)."""
        self.counted_firm = np.full(self.n, -1, dtype=np.int8)
        self.firm_contacts = np.zeros((self.n, firms))

    def renew(self, rows: np.ndarray, population: Population, rng: np.random.Generator) -> None:
        """Put newcomers in ``rows``: everything as at the start, traits drawn afresh.

        A newcomer takes the leaver's place in the network (the same contacts).
        """
        for name, (_dtype, initial, _meaning) in COLUMNS.items():
            if name not in self.PLACE_COLUMNS:
                getattr(self, name)[rows] = initial
        self.purchase_window[:, rows] = 0
        self._draw_traits(population, rng, rows, len(rows))

    def _draw_traits(
        self,
        population: Population,
        rng: np.random.Generator,
        rows: np.ndarray | slice,
        n: int,
    ) -> None:
        shares = np.array([s.share for s in population.segments])
        segment = rng.choice(len(shares), size=n, p=shares / shares.sum())
        self.segment[rows] = segment
        kappa = population.trait_concentration
        for trait in ("price_sensitivity", "quality_sensitivity", "values_fit", "sociability"):
            means = np.array([getattr(s, trait) for s in population.segments])[segment]
            # Beta(m*kappa, (1-m)*kappa) has mean m; the clip keeps both shapes positive
            m = np.clip(means, 1e-3, 1 - 1e-3)
            values = rng.beta(m * kappa, (1 - m) * kappa)
            # a segment mean of exactly 0 or 1 means "none" or "all": keep it exact
            values[means == 0] = 0.0
            values[means == 1] = 1.0
            getattr(self, trait)[rows] = values
        rates = np.array([s.purchase_rate for s in population.segments])[segment]
        # Gamma with shape kappa keeps the mean and gives a spread like the other traits
        self.purchase_rate[rows] = rng.gamma(kappa, rates / kappa)
        channel_p = np.array([population.channel_shares[c] for c in CHANNELS])
        self.channel[rows] = rng.choice(len(CHANNELS), size=n, p=channel_p / channel_p.sum())
        self.churn_proneness[rows] = churn_proneness(population.churn_heterogeneity, n, rng)

    # ------------------------------------------------------------------ derived
    def active_mask(self) -> np.ndarray:
        """Customers in a buying relationship: exploration, expansion or commitment."""
        # one unsigned subtraction maps EXPLORATION..COMMITMENT to 0..2 and the rest above
        return (self.stage.view(np.uint8) - np.uint8(Stage.EXPLORATION)) <= 2

    def active_indices(self) -> np.ndarray:
        """Row numbers of the active customers."""
        return rows_of(self.active_mask())

    def overall_trust(self, rows: slice | np.ndarray | None = None) -> np.ndarray:
        """Overall trust: the three components weighted by each customer's stage."""
        rows = slice(None) if rows is None else rows
        return mix_trust(
            self.stage[rows],
            self.trust_calculus[rows],
            self.trust_knowledge[rows],
            self.trust_identification[rows],
        )

    # (np.bincount casts an int8 array more slowly than astype does)
    def stage_counts(self) -> np.ndarray:
        return np.bincount(self.stage.astype(np.intp), minlength=len(Stage))

    def tier_counts(
        self,
        active: np.ndarray | None = None,
        groups: np.ndarray | None = None,
        n_groups: int = 1,
    ) -> np.ndarray:
        """Everyone counted once, in the order of ``frame.TIER_COLUMNS + frame.FORMER_COLUMNS``.

        Customers count by the tier they hold now (actual, loyal, marketer); everyone else
        by the highest tier they ever reached: ``prospect`` if they never bought, else as a
        former actual, loyal or marketer customer. A former customer is a prospect for the
        firm's offers (their ``tier``), but a firm that counted them as one would not see
        the loyal customers and marketers it has lost.

        Parameters
        ----------
        active : numpy.ndarray of bool, optional
            The active customers (:meth:`active_mask`), if already at hand.
        groups : numpy.ndarray of int, optional
            Each person's group, ``0 .. n_groups - 1``: the counts are then one row per
            group (each firm's people, in a market of several).
        n_groups : int
            How many groups ``groups`` has.
        """
        if active is None:
            active = self.active_mask()
        # one pass over a small key (group, active, tier, highest tier), then a count
        key = self.highest_tier + (self.tier << 2)
        key += active.view(np.int8) << 4
        if groups is not None:
            key = key + groups * np.int16(32)
        counts = np.bincount(key.astype(np.intp), minlength=32 * n_groups)
        counts = counts.reshape(n_groups, 2, 4, 4)
        customers = counts[:, 1].sum(axis=2)  # by the tier held
        others = counts[:, 0].sum(axis=1)  # by the highest tier reached
        table = np.concatenate(
            [(others[:, 0] + customers[:, 0])[:, None], customers[:, 1:], others[:, 1:]], axis=1
        )
        return table[0] if groups is None else table

    def reach(self, rows: np.ndarray, tier: int) -> None:
        """Record that the customers in ``rows`` now hold ``tier`` (raising ``highest_tier``)."""
        self.highest_tier[rows] = np.maximum(self.highest_tier[rows], tier)

    def row(self, index: int) -> dict[str, float]:
        """All state variables of one customer, as plain Python values."""
        return {name: getattr(self, name)[index].item() for name in COLUMNS}
