"""The Bass (1969) diffusion limit: the closed form, the model's weekly recursion, the inputs
under which crmsim reduces to it, and :func:`fit_adoption`, which fits ``p`` and ``q`` to an
adoption curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from crmsim import checks
from crmsim.calibration.curves import _check_curve, _check_fit_periods
from crmsim.levers import Market, Policy, Population, Segment


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
    weeks = checks.integer("weeks", weeks, low=0)
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
            # a closed market where a prospect considers the firm until buying: Bass's
            # assumptions, whatever the defaults of these levers
            consideration_lapse=0.0,
            reconsideration=0.0,
            category_turnover=0.0,
        ),
        "population": Population(
            segments=(Segment("everyone", 1.0, sociability=0.0, purchase_rate=0.01),)
        ),
        "network": "well-mixed",
    }


def _check_bass_rates(p: Any, q: Any) -> None:
    for name, value, low_open in (("p", p, True), ("q", q, False)):
        value = checks.number(name, value)
        if value < 0 or (low_open and value == 0):
            raise ValueError(f"{name} must be {'>' if low_open else '>='} 0, got {value!r}")


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
    checks.integer("market_size", market_size, low=2)
    if observed[-1] > market_size:
        raise ValueError(
            f"adopters cannot exceed market_size ({market_size}), got {observed[-1]:g}"
        )
    period_weeks = checks.integer("period_weeks", period_weeks, low=1)
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
