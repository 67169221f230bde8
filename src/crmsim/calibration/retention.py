"""Cohort retention: a cohort that starts its relationship at once (:func:`start_cohort`,
:func:`simulate_cohort`) and :func:`fit_retention`, which fits the model's churn parameters
(by default the level of the losses, the first year's extra drops and the spread of
proneness to leave) to an observed survival curve on a response surface.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from crmsim import checks
from crmsim.awareness import initial_expectation
from crmsim.calibration.curves import _check_curve, _check_fit_periods
from crmsim.levers import Market, Policy, Population
from crmsim.model import CRMModel
from crmsim.offer import VALUE_SLOPE, discount_received, logistic, value_advantage
from crmsim.stages import Stage, Tier
from crmsim.week import Week


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
    array([500, 422, 387, 366])
    """
    periods = checks.integer("periods", periods, low=1)
    period_weeks = checks.integer("period_weeks", period_weeks, low=1)
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
        # from the loss log, not the state: a member who left the category is gone, though
        # a newcomer now holds their row (crmsim.turnover)
        gone = np.zeros(model.n_customers, dtype=bool)
        gone[model.losses["customer"].to_numpy()] = True
        alive.append(int((~gone[cohort]).sum()))
    return np.array(alive, dtype=np.int64)


@dataclass(frozen=True)
class FittableParameter:
    """A model input :func:`fit_retention` can fit: where it lives and its search range."""

    owner: str  # "market" or "population"
    low: float
    high: float
    log_scale: bool
    meaning: str


#: The parameters :func:`fit_retention` can fit, by name. Rates and variances are searched
#: in log space; ``low`` keeps a log search off zero (0.05 is a nearly alike population,
#: 1e-5 a week a category hardly anyone leaves).
FITTABLE: dict[str, FittableParameter] = {
    "drift_rate": FittableParameter(
        "market", 1e-4, 0.2, True, "weekly quiet-lapse hazard at trust 0.5 (relationship)"
    ),
    "competitor_offer_rate": FittableParameter(
        "market", 1e-3, 1.0, True, "weekly reach of competitor offers (hits the price-sensitive)"
    ),
    "churn_heterogeneity": FittableParameter(
        "population", 0.05, 20.0, True, "variance of the proneness to leave (sorting)"
    ),
    "deepening": FittableParameter(
        "market", 0.0, 1.0, False, "how much trust and commitment protect (deepening)"
    ),
    "category_turnover": FittableParameter(
        "market", 1e-5, 0.05, True, "weekly share who leave the category, however loyal"
    ),
    "failure_defection": FittableParameter(
        "market", 0.0, 1.0, False, "chance an explorer leaves after a failure (silent, proneness 1)"
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
    def holdout_mape(self) -> float:
        """Mean absolute percentage error of the survival forecast over the periods not fitted.

        The measure :attr:`crmsim.calibration.SBGFit.holdout_error` gives for the
        shifted-beta-geometric forecast, so the two can be compared (``nan`` if every period
        was fitted).
        """
        later = slice(self.fit_periods, None)
        if not len(self.observed[later]):
            return math.nan
        gap = np.abs(self.predicted[later] - self.observed[later]) / self.observed[later]
        return float(gap.mean())

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


#: The parameters :func:`fit_retention` fits unless told otherwise: the level of the steady
#: losses, the slope that sorting gives and the two sources of the first year's extra
#: losses (docs/validation.md §3 measures why these four).
DEFAULT_PARAMETERS: tuple[str, ...] = (
    "drift_rate",
    "competitor_offer_rate",
    "churn_heterogeneity",
    "failure_defection",
)


def fit_retention(
    survivors: Sequence[float] | np.ndarray,
    period_weeks: int,
    fit_periods: int | None = None,
    *,
    parameters: Sequence[str] = DEFAULT_PARAMETERS,
    policy: Policy | Mapping[str, Any] | None = None,
    market: Market | Mapping[str, Any] | None = None,
    population: Population | Mapping[str, Any] | None = None,
    network: Any = "small-world",
    n_customers: int = 10_000,
    seeds: Sequence[int] = (0,),
    grid_points: int = 3,
    rounds: int = 4,
) -> RetentionFit:
    """Fit the model's churn parameters to an observed cohort survival curve.

    The simulated cohort (:func:`simulate_cohort`) is compared with the observed one as
    survival fractions, ``survivors[k] / survivors[0]``, over the first ``fit_periods``
    periods, and the sum of squared gaps between their logarithms (relative gaps) is
    minimised over ``parameters``. Relative, because a survival curve's later periods are
    small numbers that carry its slope: on absolute gaps the first periods outweigh them
    and the forecast suffers (docs/validation.md §3).

    A simulated curve is noisy (about half a percentage point per period for 10,000
    customers), too noisy for a direct search: Nelder–Mead stops in whichever dip the
    noise made. So the fit works on a smooth stand-in (response-surface methodology).
    In each of ``rounds`` rounds it simulates a design of points in a box around the
    current estimate (rates in log space; the first box spans a factor of 4 either way of
    the starting inputs), fits each period's log survival with a quadratic in the
    parameters by least squares over every simulated point in the box, and moves to where
    those smooth curves best meet the observed one. The design is a grid of
    ``grid_points`` values per parameter for one or two parameters; from three on it is
    the box's corners, its centre and ``grid_points`` values along each axis through the
    centre (a face-centred central composite design, Box & Wilson 1951), which determines
    a quadratic with far fewer runs than a full grid. The box follows (a trust region): it
    halves when the minimum lies well inside it, or against a parameter's search limit,
    and keeps its size when the minimum is near its edge. Every run replays the same
    ``seeds`` (common random numbers), so design points share the customers' traits and
    the network and differ by the parameters, not by luck in who is in the market.

    By default four parameters are fitted, each shaping a different part of a curve:
    ``drift_rate``, the quiet lapses of customers who do not trust the firm enough (the
    level of the steady losses); ``churn_heterogeneity``, how much customers differ in
    their proneness to leave, so that the prone leave first and retention rises with
    tenure (the slope); and the two sources of the first year's extra drop,
    ``competitor_offer_rate``, which strips price-sensitive customers with weak ties, and
    ``failure_defection``, the risk that an explorer leaves after a failure. A curve that
    loses little in its first year needs both turned down (docs/validation.md §3).
    :data:`FITTABLE` lists the others.

    Parameters
    ----------
    survivors : sequence of float
        Cohort members still there at the start of each period; ``survivors[0]`` is the
        cohort size. At least 3 periods, non-negative and non-increasing.
    period_weeks : int
        Weeks per period, >= 1 (13 for quarters, 52 for years).
    fit_periods : int, optional
        Fit the first ``fit_periods`` entries (3 <= fit_periods <= len(survivors)); the
        rest is forecast. All by default.
    parameters : sequence of str
        Names from :data:`FITTABLE`; :data:`DEFAULT_PARAMETERS` by default.
    policy, market, population, network
        The rest of the model's inputs; the fitted parameters replace their values in
        ``market`` / ``population``, whose values also centre the first box.
    n_customers : int
        Simulated cohort size. Larger is smoother and not much slower: a week of the model
        has a fixed cost, so 10,000 customers take less than twice the time of 2,000.
    seeds : sequence of int
        Seeds of the runs averaged at each point.
    grid_points : int
        Values per parameter along each direction of the design, >= 3 (a quadratic needs
        three).
    rounds : int
        Rounds of design, fit and move, >= 1. A round simulates ``grid_points ** d``
        cohorts for ``d`` <= 2 parameters and ``2 ** d + d * grid_points + 1`` at most for
        more (25 for the default four at 3 grid points), fewer when points repeat.

    Returns
    -------
    RetentionFit

    Examples
    --------
    A curve the model made with more quiet lapses and no competitor offers, fitted on
    its first four quarters and forecast for the next two:

    >>> market = Market(drift_rate=0.01, competitor_offer_rate=0.001)
    >>> observed = simulate_cohort(6, 13, n_customers=5_000, market=market, rng=5)
    >>> fit = fit_retention(observed, 13, 4, n_customers=2_000, rounds=2)
    >>> sorted(fit.parameters)
    ['churn_heterogeneity', 'competitor_offer_rate', 'drift_rate', 'failure_defection']
    >>> bool(fit.error < 0.02), bool(fit.holdout_mape < 0.1)
    (True, True)
    """
    observed = _check_curve("survivors", survivors, increasing=False)
    if observed[0] <= 0:
        raise ValueError(f"survivors[0] is the cohort size and must be > 0, got {observed[0]!r}")
    period_weeks = checks.integer("period_weeks", period_weeks, low=1)
    fit_periods = _check_fit_periods(fit_periods, len(observed))
    names = _check_parameters(parameters)
    n_customers = checks.integer("n_customers", n_customers, low=1)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    grid_points = checks.integer("grid_points", grid_points, low=1)
    if grid_points < 3:
        raise ValueError(f"grid_points must be >= 3 (a quadratic needs three), got {grid_points}")
    rounds = checks.integer("rounds", rounds, low=1)
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
    unit_design = _design(len(knobs), grid_points)
    aim = _log_survival(target[1:fit_periods], observed[0])
    simulated: dict[tuple[float, ...], np.ndarray] = {}
    for _ in range(rounds):
        for point in np.clip(centre + unit_design * half, low, high):
            key = tuple(np.round(point, 9))
            if key not in simulated:
                simulated[key] = _log_survival(curve(point, fit_periods)[1:], n_customers)
        step = _surrogate_minimum(simulated, centre, half, low, high, aim)
        centre = np.clip(centre + step * half, low, high)
        # a trust region: move the box to the minimum, and shrink it only when the minimum
        # lay well inside (the stand-in is trusted only where it was fitted); a minimum
        # against a parameter's search limit counts as inside, since the box cannot follow
        # it there, and a fit resting on a limit would otherwise never shrink its box
        at_limit = (centre <= low + 1e-9) | (centre >= high - 1e-9)
        if np.all((np.abs(step) < _EDGE) | at_limit):
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
_FULL_GRID_UP_TO = 2


def _log_survival(shares: np.ndarray, cohort: float) -> np.ndarray:
    """Log of survival fractions, an empty period counted as half a member (log 0 is -inf)."""
    return np.log(np.maximum(shares, 0.5 / cohort))


def _design(dimensions: int, grid_points: int) -> np.ndarray:
    """One round's points in box units: a full grid, or from 3 parameters its corners and axes."""
    offsets = np.linspace(-1.0, 1.0, grid_points)
    if dimensions <= _FULL_GRID_UP_TO:
        grid = np.stack(np.meshgrid(*[offsets] * dimensions, indexing="ij"), -1)
        return grid.reshape(-1, dimensions)
    # corners give the interactions, the axes the curvature: a face-centred central
    # composite design when grid_points is 3 (8 + 6 + 1 = 15 points for three parameters
    # against 27 for the grid; 25 against 81 for four)
    corners = np.stack(np.meshgrid(*[[-1.0, 1.0]] * dimensions, indexing="ij"), -1)
    axes = [np.eye(dimensions)[i] * x for i in range(dimensions) for x in offsets if x != 0.0]
    return np.vstack([corners.reshape(-1, dimensions), *axes, np.zeros(dimensions)])


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
    value = 10.0**x if knob.log_scale else x
    # 10 ** log10(high) can land a rounding error above high, outside the lever's range
    return float(min(max(value, knob.low), knob.high))


def _first_half_width(knob: FittableParameter) -> float:
    # rates: a factor of _FIRST_FACTOR either side of the start; shares: a quarter of the range
    return math.log10(_FIRST_FACTOR) if knob.log_scale else 0.25 * (knob.high - knob.low)


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
