"""Checking the model against published results, and fitting it to observed curves.

Two references tie crmsim to the literature:

* **The Bass (1969) diffusion limit.** With churn, competitors, failures and referrals
  switched off, a well-mixed market and immediate trial on awareness, the share of
  people who have bought is Bass's adoption curve. The model steps in weeks, so its
  exact mean-field is the recursion ``F[t+1] = F[t] + (1 - F[t]) * (p + q * F[t])``
  (:func:`bass_recursion`), which tracks the continuous closed form
  ``F(t) = (1 - exp(-(p+q) t)) / (1 + (q/p) exp(-(p+q) t))`` (:func:`bass_closed_form`)
  within a fraction of the peak weekly adoption when evaluated half a week earlier
  (docs/validation.md derives and measures the gap). :func:`bass_limit_inputs` gives
  the model's inputs for that limit; :func:`fit_adoption` fits ``p`` and ``q`` to an
  observed cumulative-adoption curve.
* **Cohort retention.** :func:`simulate_cohort` follows customers who all start their
  relationship in week 0; :func:`fit_retention` chooses the market's churn parameters
  (by default the quiet-lapse hazard ``drift_rate`` and the competitor's
  ``competitor_offer_rate``) so that the simulated cohort's survival matches an
  observed one, by least squares on a response surface with common random numbers.
* **The course's figures on failures** (seed 002) are statements about single
  failures; :func:`run_recording_failures` runs a model and lists every failure with the
  customer's stage, whether they complained, whether it was resolved and whether they left.

Examples
--------
Adopter share after a year at the average coefficients of Sultan, Farley & Lehmann (1990),
p = 0.03 and q = 0.38 per year, in continuous time and in the model's weekly steps:

>>> p, q = 0.03 / 52, 0.38 / 52
>>> round(float(bass_closed_form(52.0, p, q)), 4), round(float(bass_recursion(52, p, q)[-1]), 4)
(0.0358, 0.0356)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from crmsim.awareness import initial_expectation
from crmsim.customer import CHURN_CAUSES, Stage, Tier
from crmsim.events import WeekReport
from crmsim.levers import Market, Policy, Population, Segment
from crmsim.model import CRMModel
from crmsim.offer import VALUE_SLOPE, discount_received, logistic, value_advantage
from crmsim.week import Week

__all__ = [
    "FITTABLE",
    "AdoptionFit",
    "FittableParameter",
    "RetentionFit",
    "bass_closed_form",
    "bass_limit_inputs",
    "bass_recursion",
    "fit_adoption",
    "fit_retention",
    "run_recording_failures",
    "simulate_cohort",
    "start_cohort",
]


# ---------------------------------------------------------------------------
# The Bass limit
# ---------------------------------------------------------------------------


def bass_closed_form(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Share of the market that has adopted by time ``t`` in the continuous Bass (1969) model.

    ``F(t) = (1 - exp(-(p+q) t)) / (1 + (q/p) exp(-(p+q) t))``, the solution of
    ``dF/dt = (1 - F)(p + q F)`` with ``F(0) = 0``; ``t`` in the time unit of ``p`` and ``q``.

    Parameters
    ----------
    t : float or numpy.ndarray
        Time(s), >= 0 (negative times give 0).
    p : float
        Coefficient of innovation (advertising), > 0.
    q : float
        Coefficient of imitation (word of mouth), >= 0.

    Returns
    -------
    numpy.ndarray
        ``F(t)`` in [0, 1], the shape of ``t``.

    Examples
    --------
    >>> round(float(bass_closed_form(10.0, 0.03, 0.38)), 3)
    0.813
    """
    _check_bass_rates(p, q)
    t = np.maximum(np.asarray(t, dtype=np.float64), 0.0)
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def bass_recursion(
    weeks: int, p: float | np.ndarray, q: float | np.ndarray, market_size: int | None = None
) -> np.ndarray:
    """The model's own Bass curve: the expected adopter share after each week of the Bass limit.

    In the Bass limit (:func:`bass_limit_inputs`) an unaware person becomes aware with
    weekly probability ``min(1, p + q s)``, where ``s`` is the share of the *other*
    ``market_size - 1`` people who are customers, and buys in the same week. Ignoring
    sampling noise, the adopter share follows
    ``F[t+1] = F[t] + (1 - F[t]) * min(1, p + q * F[t] * m / (m - 1))``.

    Parameters
    ----------
    weeks : int
        Number of weekly steps, >= 0.
    p, q : float or numpy.ndarray
        Weekly advertising reach and word-of-mouth coefficient; arrays broadcast, which
        evaluates many pairs at once.
    market_size : int, optional
        People in the market (``m``); ``None`` for an infinite market (``m / (m-1) = 1``).

    Returns
    -------
    numpy.ndarray
        ``F[0..weeks]`` along the first axis, with ``F[0] = 0``.

    Examples
    --------
    >>> [round(float(f), 4) for f in bass_recursion(2, 0.01, 0.3)]
    [0.0, 0.01, 0.0229]
    """
    if isinstance(weeks, bool) or not isinstance(weeks, numbers.Integral) or weeks < 0:
        raise ValueError(f"weeks must be an integer >= 0, got {weeks!r}")
    p, q = np.broadcast_arrays(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64))
    others = 1.0 if market_size is None else market_size / max(market_size - 1, 1)
    shares = np.zeros((int(weeks) + 1, *p.shape))
    for t in range(int(weeks)):
        f = shares[t]
        shares[t + 1] = f + (1.0 - f) * np.minimum(1.0, p + q * f * others)
    return shares


def bass_limit_inputs(advertising: float, word_of_mouth: float) -> dict[str, Any]:
    """Model inputs under which crmsim reduces to the Bass diffusion model.

    Nobody leaves (no competitor offers, failures, breaches or quiet lapses), so a
    customer stays one and the adopters are the active customers. Every aware prospect
    buys at once: ``trial_rate = 1`` and a competitor so unattractive
    (``competitor_attractiveness = -1``) that the value advantage is positive, which
    makes :func:`crmsim.trials.trial_probability` 1. Referrals are switched off: one
    segment with ``sociability = 0`` and so few purchases (``purchase_rate = 0.01``) that
    nobody becomes loyal, the tier that refers. The market is well-mixed.

    Parameters
    ----------
    advertising : float
        Bass ``p`` per week, in (0, 1].
    word_of_mouth : float
        Bass ``q`` per week, in [0, 1].

    Returns
    -------
    dict
        Keyword arguments for :class:`crmsim.CRMModel`: ``policy``, ``market``,
        ``population`` and ``network``.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=1_000, rng=3, **bass_limit_inputs(0.01, 0.3))
    >>> model.run(weeks=30)
    >>> int(model.frame["active"].iloc[-1]) > 900, int(model.frame["lost"].sum())
    (True, 0)
    """
    _check_bass_rates(advertising, word_of_mouth)
    if advertising > 1 or word_of_mouth > 1:
        raise ValueError(
            f"advertising and word_of_mouth are weekly probabilities in [0, 1], got "
            f"{advertising!r} and {word_of_mouth!r}; divide yearly Bass coefficients by 52"
        )
    return {
        "policy": Policy(advertising=float(advertising)),
        "market": Market(
            word_of_mouth=float(word_of_mouth),
            trial_rate=1.0,
            competitor_attractiveness=-1.0,
            competitor_offer_rate=0.0,
            max_failure_rate=0.0,
            max_breach_rate=0.0,
            drift_rate=0.0,
        ),
        "population": Population(
            segments=(Segment("everyone", 1.0, sociability=0.0, purchase_rate=0.01),)
        ),
        "network": "well-mixed",
    }


def _check_bass_rates(p: Any, q: Any) -> None:
    for name, value, low_open in (("p", p, True), ("q", q, False)):
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
        ):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        if value < 0 or (low_open and value == 0):
            raise ValueError(f"{name} must be {'>' if low_open else '>='} 0, got {value!r}")


# ---------------------------------------------------------------------------
# Cohorts
# ---------------------------------------------------------------------------


def start_cohort(model: CRMModel, who: np.ndarray | None = None) -> np.ndarray:
    """Make people customers at once, as if they had just made their first purchase.

    Each starts in EXPLORATION as an ACTUAL customer, expecting what the firm promises
    (or the market's prior) and with the calculus trust a trial would give them: the
    state :func:`crmsim.trials.first_purchases` leaves its buyers in, had everyone tried
    the firm in week ``model.week``. Unlike a trial, this does not force an episode in
    that week; each member buys at their usual rate.

    Parameters
    ----------
    model : CRMModel
        A model, usually fresh (``model.week == 0``).
    who : numpy.ndarray, optional
        Rows to turn into the cohort; everyone by default.

    Returns
    -------
    numpy.ndarray
        The cohort's rows.

    Examples
    --------
    >>> from crmsim import CRMModel, Stage
    >>> model = CRMModel(n_customers=100, rng=1)
    >>> cohort = start_cohort(model)
    >>> bool((model.state.stage == Stage.EXPLORATION).all()), len(cohort)
    (True, 100)
    """
    state = model.state
    who = np.arange(state.n) if who is None else np.atleast_1d(np.asarray(who, dtype=np.int64))
    week = Week(model.week, model.rng, model.policy, model.market, model.population, model.network)
    state.expectation[who] = initial_expectation(week)
    discount = discount_received(state, week)
    state.trust_calculus[who] = logistic(
        VALUE_SLOPE * value_advantage(state, week, discount[who], who)
    )
    state.stage[who] = Stage.EXPLORATION
    state.tier[who] = Tier.ACTUAL
    state.spell_start[who] = model.week
    state.first_purchase_week[who] = model.week
    return who


def simulate_cohort(
    periods: int,
    period_weeks: int,
    *,
    n_customers: int = 2_000,
    policy: Policy | Mapping[str, Any] | None = None,
    market: Market | Mapping[str, Any] | None = None,
    population: Population | Mapping[str, Any] | None = None,
    network: Any = "small-world",
    rng: Any = 0,
) -> np.ndarray:
    """Survivors of a cohort that starts its relationship in week 0, at the start of each period.

    Everyone in the market joins the cohort (:func:`start_cohort`), so nobody else is
    acquired. A survivor is a member who has not left since week 0: a customer won back
    after leaving does not count again, as in a cohort survival table.

    Parameters
    ----------
    periods : int
        Number of periods, >= 1; entry ``k`` counts survivors after ``k * period_weeks`` weeks.
    period_weeks : int
        Weeks per period, >= 1 (13 for quarters).
    n_customers : int
        Cohort size.
    policy, market, population, network
        Model inputs, as for :class:`crmsim.CRMModel`.
    rng : int or numpy.random.Generator
        Seed of the run.

    Returns
    -------
    numpy.ndarray
        Integer survivors, ``periods`` entries, the first being ``n_customers``.

    Examples
    --------
    >>> simulate_cohort(4, 13, n_customers=500, rng=1)
    array([500, 364, 315, 290])
    """
    periods = _positive_int("periods", periods)
    period_weeks = _positive_int("period_weeks", period_weeks)
    model = CRMModel(
        n_customers=n_customers,
        policy=policy,
        market=market,
        population=population,
        network=network,
        history=False,
        rng=rng,
    )
    cohort = start_cohort(model)
    alive = [len(cohort)]
    for _ in range(periods - 1):
        model.run_for(period_weeks)
        alive.append(int((model.state.lost_week[cohort] < 0).sum()))
    return np.array(alive, dtype=np.int64)


# ---------------------------------------------------------------------------
# Fitting retention
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FittableParameter:
    """A model input :func:`fit_retention` can fit: where it lives and its search range."""

    owner: str  # "market" or "population"
    low: float
    high: float
    log_scale: bool
    meaning: str


#: The parameters :func:`fit_retention` can fit, by name.
FITTABLE: dict[str, FittableParameter] = {
    "drift_rate": FittableParameter(
        "market", 1e-4, 0.2, True, "weekly quiet-lapse hazard at trust 0.5 (relationship)"
    ),
    "competitor_offer_rate": FittableParameter(
        "market", 1e-3, 1.0, True, "weekly reach of competitor offers (hits the price-sensitive)"
    ),
    "failure_defection": FittableParameter(
        "market", 0.0, 1.0, False, "chance an early customer leaves after an unresolved failure"
    ),
    "trait_concentration": FittableParameter(
        "population", 0.5, 500.0, True, "how alike customers of a segment are (heterogeneity)"
    ),
}


@dataclass(frozen=True)
class RetentionFit:
    """The result of :func:`fit_retention`.

    Attributes
    ----------
    parameters : dict
        Fitted value of each parameter, by name.
    market, population : Market, Population
        The inputs with the fitted values in place, ready for :class:`crmsim.CRMModel`.
    observed : numpy.ndarray
        The survivors that were fitted.
    predicted : numpy.ndarray
        Simulated survivors for every period, scaled to the observed cohort size.
    fit_periods : int
        How many leading periods the fit used; later ones are a forecast.
    period_weeks : int
        Weeks per period.
    error : float
        Root mean squared gap between simulated and observed survival fractions over the
        fitted periods (excluding period 0, which is 1 by definition).
    holdout_error : float
        The same over the periods not used in the fit (``nan`` if there are none).
    evaluations : int
        Simulated curves the fit needed.
    """

    parameters: dict[str, float]
    market: Market
    population: Population
    observed: np.ndarray
    predicted: np.ndarray
    fit_periods: int
    period_weeks: int
    error: float
    holdout_error: float
    evaluations: int

    @property
    def table(self) -> pd.DataFrame:
        """One row per period: ``period``, ``week``, ``observed``, ``predicted``, ``fitted``."""
        k = np.arange(len(self.observed))
        return pd.DataFrame(
            {
                "period": k,
                "week": k * self.period_weeks,
                "observed": self.observed,
                "predicted": self.predicted,
                "fitted": k < self.fit_periods,
            }
        )


def fit_retention(
    survivors: Sequence[float] | np.ndarray,
    period_weeks: int,
    fit_periods: int | None = None,
    *,
    parameters: Sequence[str] = ("drift_rate", "competitor_offer_rate"),
    policy: Policy | Mapping[str, Any] | None = None,
    market: Market | Mapping[str, Any] | None = None,
    population: Population | Mapping[str, Any] | None = None,
    network: Any = "small-world",
    n_customers: int = 2_000,
    seeds: Sequence[int] = (0,),
    grid_points: int = 4,
    rounds: int = 4,
) -> RetentionFit:
    """Fit the model's churn parameters to an observed cohort survival curve.

    The simulated cohort (:func:`simulate_cohort`) is compared with the observed one as
    survival fractions, ``survivors[k] / survivors[0]``, over the first ``fit_periods``
    periods, and the sum of squared gaps is minimised over ``parameters``.

    A simulated curve is noisy (about one percentage point per period for 2,000
    customers), too noisy for a direct search: Nelder–Mead stops in whichever dip the
    noise made. So the fit works on a smooth stand-in (response-surface methodology).
    In each of ``rounds`` rounds it simulates a grid of ``grid_points`` values per
    parameter in a box around the current estimate (rates in log space; the first box
    spans a factor of 4 either way of the starting inputs), fits each period's survival
    fraction with a quadratic in the parameters by least squares over every simulated
    point in the box, and moves to where those smooth curves best meet the observed one.
    The box follows (a trust region): it halves when the minimum lies well inside it and
    keeps its size when the minimum is near its edge. Every run replays the same
    ``seeds`` (common random numbers), so grid points share the customers' traits and
    the network and differ by the parameters, not by luck in who is in the market.

    By default two parameters are fitted: ``competitor_offer_rate``, which strips the
    price-sensitive customers with weak ties early on (heterogeneity: the curve's early
    drop), and ``drift_rate``, the quiet lapses of customers who do not trust the firm
    enough (the relationship: the steady decline afterwards). :data:`FITTABLE` lists the
    others.

    Parameters
    ----------
    survivors : sequence of float
        Cohort members still there at the start of each period; ``survivors[0]`` is the
        cohort size. At least 3 periods, non-negative and non-increasing.
    period_weeks : int
        Weeks per period, >= 1 (13 for quarters, 4 or 5 for months).
    fit_periods : int, optional
        Fit the first ``fit_periods`` entries (3 <= fit_periods <= len(survivors)); the
        rest is forecast. All by default.
    parameters : sequence of str
        Names from :data:`FITTABLE`.
    policy, market, population, network
        The rest of the model's inputs; the fitted parameters replace their values in
        ``market`` / ``population``, whose values also centre the first box.
    n_customers : int
        Simulated cohort size (larger is smoother and slower).
    seeds : sequence of int
        Seeds of the runs averaged at each point.
    grid_points : int
        Grid values per parameter in each round, >= 3 (a quadratic needs three).
    rounds : int
        Rounds of grid, fit and move, >= 1. The cost is about
        ``rounds * grid_points ** len(parameters)`` simulated cohorts.

    Returns
    -------
    RetentionFit

    Examples
    --------
    >>> observed = simulate_cohort(6, 13, n_customers=1_000, market=Market(drift_rate=0.01), rng=5)
    >>> fit = fit_retention(observed, 13, n_customers=1_000, grid_points=3, rounds=2)
    >>> 0.008 < fit.parameters["drift_rate"] < 0.012, fit.error < 0.02
    (True, True)
    """
    observed = _check_curve("survivors", survivors, increasing=False)
    if observed[0] <= 0:
        raise ValueError(f"survivors[0] is the cohort size and must be > 0, got {observed[0]!r}")
    period_weeks = _positive_int("period_weeks", period_weeks)
    fit_periods = _check_fit_periods(fit_periods, len(observed))
    names = _check_parameters(parameters)
    n_customers = _positive_int("n_customers", n_customers)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    grid_points = _positive_int("grid_points", grid_points)
    if grid_points < 3:
        raise ValueError(f"grid_points must be >= 3 (a quadratic needs three), got {grid_points}")
    rounds = _positive_int("rounds", rounds)
    policy = policy if isinstance(policy, Policy) else Policy.from_dict(policy or {})
    market = market if isinstance(market, Market) else Market.from_dict(market or {})
    if not isinstance(population, Population):
        population = Population.from_dict(population or {})
    target = observed / observed[0]
    knobs = [FITTABLE[name] for name in names]
    low = np.array([_to_search(k, k.low) for k in knobs])
    high = np.array([_to_search(k, k.high) for k in knobs])

    def inputs(x: np.ndarray) -> tuple[Market, Population, dict[str, float]]:
        values = {n: _from_search(k, v) for n, k, v in zip(names, knobs, x, strict=True)}
        m = market.replace(**{n: v for n, v in values.items() if FITTABLE[n].owner == "market"})
        pop_changes = {n: v for n, v in values.items() if FITTABLE[n].owner == "population"}
        pop = dataclasses.replace(population, **pop_changes) if pop_changes else population
        return m, pop, values

    def curve(x: np.ndarray, periods: int) -> np.ndarray:
        m, pop, _ = inputs(x)
        runs = [
            simulate_cohort(
                periods,
                period_weeks,
                n_customers=n_customers,
                policy=policy,
                market=m,
                population=pop,
                network=network,
                rng=seed,
            )
            for seed in seeds
        ]
        return np.mean(runs, axis=0) / n_customers

    owners = {"market": market, "population": population}
    starting = [getattr(owners[k.owner], n) for n, k in zip(names, knobs, strict=True)]
    centre = np.clip(
        [_to_search(k, max(v, k.low)) for k, v in zip(knobs, starting, strict=True)], low, high
    )
    half = np.array([_first_half_width(k) for k in knobs])
    offsets = np.linspace(-1.0, 1.0, grid_points)
    unit_grid = np.stack(np.meshgrid(*[offsets] * len(knobs), indexing="ij"), -1)
    unit_grid = unit_grid.reshape(-1, len(knobs))
    simulated: dict[tuple[float, ...], np.ndarray] = {}
    for _ in range(rounds):
        for point in np.clip(centre + unit_grid * half, low, high):
            key = tuple(np.round(point, 9))
            if key not in simulated:
                simulated[key] = curve(point, fit_periods)[1:]
        step = _surrogate_minimum(simulated, centre, half, low, high, target[1:fit_periods])
        centre = np.clip(centre + step * half, low, high)
        # a trust region: move the box to the minimum, and shrink it only when the
        # minimum lay well inside (the stand-in is trusted only where it was fitted)
        if np.max(np.abs(step)) < _EDGE:
            half = half / _SHRINK

    fitted_market, fitted_population, values = inputs(centre)
    predicted = curve(centre, len(observed))
    gaps = predicted - target
    holdout = gaps[fit_periods:]
    return RetentionFit(
        parameters=values,
        market=fitted_market,
        population=fitted_population,
        observed=observed,
        predicted=predicted * observed[0],
        fit_periods=fit_periods,
        period_weeks=period_weeks,
        error=float(np.sqrt(np.mean(gaps[1:fit_periods] ** 2))),
        holdout_error=float(np.sqrt(np.mean(holdout**2))) if len(holdout) else math.nan,
        evaluations=len(simulated) + 1,
    )


_FIRST_FACTOR = 4.0
_SHRINK = 2.0
_EDGE = 0.75


def _quadratic_features(z: np.ndarray) -> np.ndarray:
    """1, each z_i, and each product z_i z_j (i <= j): a full quadratic in z."""
    z = np.atleast_2d(z)
    d = z.shape[1]
    columns = [np.ones(len(z)), *z.T]
    columns += [z[:, i] * z[:, j] for i in range(d) for j in range(i, d)]
    return np.column_stack(columns)


def _surrogate_minimum(
    simulated: Mapping[tuple[float, ...], np.ndarray],
    centre: np.ndarray,
    half: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """Where, in box units, the quadratic stand-in for the curves best meets the target."""
    points = np.array(list(simulated))
    curves = np.array(list(simulated.values()))
    z = (points - centre) / half
    inside = np.all(np.abs(z) <= 1.0 + 1e-6, axis=1)
    coef, *_ = np.linalg.lstsq(_quadratic_features(z[inside]), curves[inside], rcond=None)

    def loss(u: np.ndarray) -> float:
        gap = _quadratic_features(u) @ coef - target
        return float(np.sum(gap**2))

    lower = np.maximum(-1.0, (low - centre) / half)
    upper = np.minimum(1.0, (high - centre) / half)
    box = list(zip(lower, upper, strict=True))
    starts = [np.zeros(len(centre)), *z[inside]]
    runs = [optimize.minimize(loss, np.clip(u, lower, upper), bounds=box) for u in starts]
    return min(runs, key=lambda r: r.fun).x


def _to_search(knob: FittableParameter, value: float) -> float:
    return math.log10(value) if knob.log_scale else value


def _from_search(knob: FittableParameter, x: float) -> float:
    return float(10.0**x) if knob.log_scale else float(x)


def _first_half_width(knob: FittableParameter) -> float:
    # rates: a factor of _FIRST_FACTOR either side of the start; shares: a quarter of the range
    return math.log10(_FIRST_FACTOR) if knob.log_scale else 0.25 * (knob.high - knob.low)


# ---------------------------------------------------------------------------
# Fitting adoption
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdoptionFit:
    """The result of :func:`fit_adoption`.

    Attributes
    ----------
    advertising, word_of_mouth : float
        Fitted Bass ``p`` and ``q`` per week (the model's ``Policy.advertising`` and
        ``Market.word_of_mouth``); multiply by 52 for yearly coefficients.
    market_size : int
        The market size the shares refer to.
    observed, predicted : numpy.ndarray
        Cumulative adopters at the end of each period, observed and fitted.
    fit_periods, period_weeks : int
        Periods used in the fit, and weeks per period.
    error : float
        Root mean squared gap in adopter share over the fitted periods.
    """

    advertising: float
    word_of_mouth: float
    market_size: int
    observed: np.ndarray
    predicted: np.ndarray
    fit_periods: int
    period_weeks: int
    error: float

    @property
    def table(self) -> pd.DataFrame:
        """One row per period: ``period``, ``week`` (its end), ``observed``, ``predicted``,
        ``fitted``."""
        k = np.arange(len(self.observed))
        return pd.DataFrame(
            {
                "period": k,
                "week": (k + 1) * self.period_weeks,
                "observed": self.observed,
                "predicted": self.predicted,
                "fitted": k < self.fit_periods,
            }
        )


def fit_adoption(
    adopters: Sequence[float] | np.ndarray,
    market_size: int,
    period_weeks: int = 1,
    fit_periods: int | None = None,
) -> AdoptionFit:
    """Fit advertising ``p`` and word of mouth ``q`` of the Bass limit to an adoption curve.

    The reference is the model's own weekly recursion (:func:`bass_recursion`), so the
    fitted values, put into :func:`bass_limit_inputs`, make the model reproduce the curve
    in expectation. A grid over ``log p`` and ``log q`` picks a start, then
    ``scipy.optimize.least_squares`` minimises the squared gaps in adopter share.

    Parameters
    ----------
    adopters : sequence of float
        Cumulative adopters at the *end* of each period (at the start, week 0, there are
        none): at least 3 periods, non-negative, non-decreasing, at most ``market_size``.
        A model's weekly ``frame["active"]`` in the Bass limit is such a curve.
    market_size : int
        People in the market (Bass ``m``), >= 2.
    period_weeks : int
        Weeks per period, >= 1 (52 for yearly data).
    fit_periods : int, optional
        Fit the first ``fit_periods`` periods (3 <= fit_periods <= len(adopters)); all by
        default.

    Returns
    -------
    AdoptionFit

    Examples
    --------
    >>> shares = bass_recursion(40, 0.01, 0.3)[1:]
    >>> fit = fit_adoption(shares * 10_000, market_size=10_000)
    >>> round(fit.advertising, 4), round(fit.word_of_mouth, 4)
    (0.01, 0.3)
    """
    observed = _check_curve("adopters", adopters, increasing=True)
    if (
        isinstance(market_size, bool)
        or not isinstance(market_size, numbers.Integral)
        or market_size < 2
    ):
        raise ValueError(f"market_size must be an integer >= 2, got {market_size!r}")
    if observed[-1] > market_size:
        raise ValueError(
            f"adopters cannot exceed market_size ({market_size}), got {observed[-1]:g}"
        )
    period_weeks = _positive_int("period_weeks", period_weeks)
    fit_periods = _check_fit_periods(fit_periods, len(observed))
    target = observed[:fit_periods] / market_size
    weeks_fitted = fit_periods * period_weeks
    sampled = np.arange(1, fit_periods + 1) * period_weeks

    def shares(log_p: np.ndarray, log_q: np.ndarray, weeks: int) -> np.ndarray:
        return bass_recursion(weeks, 10.0**log_p, 10.0**log_q, int(market_size))

    # a grid of starting points: p from 1e-6 to 0.3, q from 1e-4 to 1, per week
    grid_p, grid_q = np.meshgrid(np.linspace(-6, -0.5, 23), np.linspace(-4, 0, 17), indexing="ij")
    curves = shares(grid_p, grid_q, weeks_fitted)[sampled]
    sse = ((curves - target[:, None, None]) ** 2).sum(axis=0)
    i, j = np.unravel_index(np.argmin(sse), sse.shape)

    def residuals(x: np.ndarray) -> np.ndarray:
        return shares(x[0], x[1], weeks_fitted)[sampled] - target

    result = optimize.least_squares(
        residuals,
        [grid_p[i, j], grid_q[i, j]],
        bounds=([-7.0, -6.0], [0.0, 0.0]),
        x_scale=0.1,
        xtol=1e-12,
        ftol=1e-12,
    )
    p, q = (float(10.0**v) for v in result.x)
    predicted = bass_recursion(len(observed) * period_weeks, p, q, int(market_size))[
        np.arange(1, len(observed) + 1) * period_weeks
    ]
    return AdoptionFit(
        advertising=p,
        word_of_mouth=q,
        market_size=int(market_size),
        observed=observed,
        predicted=predicted * market_size,
        fit_periods=fit_periods,
        period_weeks=period_weeks,
        error=float(np.sqrt(np.mean((predicted[:fit_periods] - target) ** 2))),
    )


# ---------------------------------------------------------------------------
# Validation of inputs
# ---------------------------------------------------------------------------


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_curve(name: str, values: Any, increasing: bool) -> np.ndarray:
    try:
        curve = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from err
    if curve.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {curve.shape}")
    if len(curve) < 3:
        raise ValueError(f"{name} needs at least 3 periods, got {len(curve)}")
    if not np.isfinite(curve).all() or (curve < 0).any():
        raise ValueError(f"{name} must be finite and non-negative, got {curve.tolist()}")
    steps = np.diff(curve)
    bad = np.flatnonzero(steps < 0 if increasing else steps > 0)
    if len(bad):
        k = int(bad[0])
        how = "non-decreasing (a cumulative count)" if increasing else "non-increasing"
        raise ValueError(
            f"{name} must be {how}, but goes from {curve[k]:g} in period {k} to "
            f"{curve[k + 1]:g} in period {k + 1}"
        )
    return curve


def _check_fit_periods(fit_periods: Any, periods: int) -> int:
    if fit_periods is None:
        return periods
    if (
        isinstance(fit_periods, bool)
        or not isinstance(fit_periods, numbers.Integral)
        or not 3 <= fit_periods <= periods
    ):
        raise ValueError(
            f"fit_periods must be an integer in [3, {periods}] (the curve's length), "
            f"got {fit_periods!r}"
        )
    return int(fit_periods)


def _check_parameters(parameters: Sequence[str]) -> list[str]:
    if isinstance(parameters, str):
        parameters = [parameters]
    names = list(parameters)
    unknown = sorted(set(names) - set(FITTABLE))
    if unknown or not names:
        raise ValueError(f"parameters must be names from {sorted(FITTABLE)}, got {names!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"parameters must not repeat a name, got {names!r}")
    return names


# ---------------------------------------------------------------------------
# Observing failures
# ---------------------------------------------------------------------------


def run_recording_failures(model: CRMModel, weeks: int) -> pd.DataFrame:
    """Run ``model`` for ``weeks`` weeks and return one row per service failure in them.

    The course's figures on failures (seed 002: about 40 % of customers who meet a
    failure complain; about half of early-stage customers left with an unresolved one
    leave) are statements about individual failures, so they are measured here from the
    week's events as the model hands them to its observers (:mod:`crmsim.events`): the
    ``failure`` event (with whether the customer complained and the firm resolved it),
    the ``trial`` event and the ``left`` event with its cause. This works whether or not
    the model keeps histories.

    Parameters
    ----------
    model : CRMModel
        The model to run (it is stepped ``weeks`` times).
    weeks : int
        Weeks to run, >= 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``week``, ``customer``, ``stage`` (a :class:`crmsim.Stage` name, in lower
        case, at the time of the episode: a first purchase is an exploration episode),
        ``complained``, ``resolved`` and ``left`` (left the same week because of it).

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> failures = run_recording_failures(CRMModel(n_customers=500, rng=2), weeks=52)
    >>> list(failures.columns)
    ['week', 'customer', 'stage', 'complained', 'resolved', 'left']
    >>> bool(failures["resolved"].le(failures["complained"]).all())
    True
    """
    if isinstance(weeks, bool) or not isinstance(weeks, numbers.Integral) or weeks < 0:
        raise ValueError(f"weeks must be an integer >= 0, got {weeks!r}")
    tables: list[pd.DataFrame] = []
    left_for_failure = CHURN_CAUSES.index("failure") + 1

    def observe(report: WeekReport) -> None:
        customers = report.who("failure")
        if not len(customers):
            return
        detail = report.detail("failure")
        stage = np.where(
            np.isin(customers, report.who("trial")),
            Stage.EXPLORATION,
            report.stage_before[customers],
        )
        left = report.who("left")[report.detail("left") == left_for_failure]
        tables.append(
            pd.DataFrame(
                {
                    "week": report.week,
                    "customer": customers,
                    "stage": [Stage(s).name.lower() for s in stage],
                    "complained": detail >= 1,
                    "resolved": detail >= 2,
                    "left": np.isin(customers, left),
                }
            )
        )

    with model.subscribe(observe):
        model.run_for(int(weeks))
    columns = ["week", "customer", "stage", "complained", "resolved", "left"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
