"""The shifted-beta-geometric (sBG) model of contract duration (Fader & Hardie 2007).

The standard yardstick for cohort retention in contractual settings. Each customer has
their own constant chance ``theta`` of cancelling each period, and ``theta`` varies across
customers as a Beta(``alpha``, ``beta``) distribution. The cohort's retention rate rises
with tenure only because the customers most prone to leave leave first (sorting), not
because anyone's relationship deepens. The chance of leaving in period ``t`` and of
surviving past it have closed forms:

``P(T = 1) = alpha / (alpha + beta)``,
``P(T = t) = (beta + t - 2) / (alpha + beta + t - 1) * P(T = t - 1)``,
``S(t) = S(t - 1) - P(T = t)``, ``S(0) = 1``,

and the log-likelihood of a cohort of ``n`` with ``n_t`` still there after period ``t``
(``t = 0 .. T``) is ``sum_t (n_(t-1) - n_t) log P(T = t) + n_T log S(T)``.

:func:`fit_sbg` fits it by maximum likelihood on a curve's first periods, so its forecast
of the rest can be set beside the agent-based model's (:func:`crmsim.calibration.fit_retention`).
:data:`FADER_HARDIE_2007` holds the two published cohorts the method was shown on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from crmsim import checks
from crmsim.calibration.curves import _check_curve, _check_fit_periods

#: Per cent of a cohort of 1,000 still subscribed after each year, years 0-12, for the two
#: customer segments of Fader & Hardie (2007, Table 1; data of Berry & Linoff 2004). They
#: fitted years 0-7 and forecast years 8-12: regular alpha 0.704, beta 1.182; high end
#: alpha 0.668, beta 3.806.
FADER_HARDIE_2007: dict[str, tuple[float, ...]] = {
    "regular": (100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3),
    "high end": (100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4),
}


def sbg_survival(alpha: float, beta: float, periods: int) -> np.ndarray:
    """Share of a cohort still there after each of periods ``0 .. periods - 1`` (``S(0) = 1``)."""
    alpha = checks.number("alpha (above 0)", alpha, low=1e-9)
    beta = checks.number("beta (above 0)", beta, low=1e-9)
    periods = checks.integer("periods", periods, low=1)
    return _survival(alpha, beta, periods)


def _survival(alpha: float, beta: float, periods: int) -> np.ndarray:
    t = np.arange(1, periods)
    # P(T = t) by its recursion, as a cumulative product of the ratios
    ratios = np.concatenate(
        ([alpha / (alpha + beta)], (beta + t[1:] - 2) / (alpha + beta + t[1:] - 1))
    )
    leaving = np.cumprod(ratios)
    return np.concatenate(([1.0], 1.0 - np.cumsum(leaving)))


@dataclass(frozen=True)
class SBGFit:
    """The result of :func:`fit_sbg`.

    Attributes
    ----------
    alpha, beta : float
        The fitted Beta distribution of customers' chance of leaving each period.
    observed : numpy.ndarray
        The curve fitted, as shares of the cohort (period 0 is 1).
    predicted : numpy.ndarray
        The model's survival for every period of the curve: a fit over the first
        ``fit_periods``, a forecast after.
    fit_periods : int
        How many leading periods the fit used.
    log_likelihood : float
        At the fitted values.
    """

    alpha: float
    beta: float
    observed: np.ndarray
    predicted: np.ndarray
    fit_periods: int
    log_likelihood: float

    def survival(self, periods: int) -> np.ndarray:
        """The fitted survival curve over periods ``0 .. periods - 1``."""
        return sbg_survival(self.alpha, self.beta, periods)

    @property
    def retention(self) -> np.ndarray:
        """Retention rate of each period after the first, ``S(t) / S(t - 1)``, as predicted."""
        return self.predicted[1:] / self.predicted[:-1]

    @property
    def holdout_error(self) -> float:
        """Mean absolute percentage error of the forecast periods (``nan`` if none)."""
        later = slice(self.fit_periods, None)
        if not len(self.observed[later]):
            return float("nan")
        gap = np.abs(self.predicted[later] - self.observed[later]) / self.observed[later]
        return float(gap.mean())


def fit_sbg(
    survivors: Any, fit_periods: int | None = None, *, n_customers: float | None = None
) -> SBGFit:
    """Fit the shifted-beta-geometric model to a cohort's survival by maximum likelihood.

    Parameters
    ----------
    survivors : sequence of float
        Customers still there at the start of each period, period 0 first (counts or
        per cent: only the shares ``survivors / survivors[0]`` are used, with
        ``n_customers``); non-increasing, at least 3 periods.
    fit_periods : int, optional
        Fit only the first ``fit_periods`` periods (at least 3); the rest is a forecast.
        All by default.
    n_customers : float, optional
        Cohort size, which weighs the likelihood; ``survivors[0]`` by default (so give it
        when the curve is in per cent). It changes the fit only through rounding, never
        the point estimate of shares, but it sets the log-likelihood's scale.

    Returns
    -------
    SBGFit

    Examples
    --------
    Fader & Hardie's regular customers, fitted on years 0-7 (they report 0.704 and 1.182):

    >>> fit = fit_sbg(FADER_HARDIE_2007["regular"], fit_periods=8, n_customers=1_000)
    >>> round(fit.alpha, 3), round(fit.beta, 3)
    (0.704, 1.182)
    """
    curve = _check_curve("survivors", survivors, increasing=False)
    if curve[0] <= 0:
        raise ValueError(f"survivors must start above 0, got {curve[0]:g}")
    fit_periods = _check_fit_periods(fit_periods, len(curve))
    size = curve[0] if n_customers is None else checks.number("n_customers", n_customers, low=1.0)
    shares = curve / curve[0]
    alive = size * shares[:fit_periods]
    lost = -np.diff(alive)

    def negative_log_likelihood(log_params: np.ndarray) -> float:
        alpha, beta = np.exp(log_params)
        survival = _survival(alpha, beta, fit_periods)
        leaving = -np.diff(survival)
        return -float(
            (lost * np.log(np.maximum(leaving, 1e-300))).sum()
            + alive[-1] * np.log(max(survival[-1], 1e-300))
        )

    tolerances = {"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4_000}
    result = optimize.minimize(
        negative_log_likelihood, x0=np.zeros(2), method="Nelder-Mead", options=tolerances
    )
    alpha, beta = (float(x) for x in np.exp(result.x))
    return SBGFit(
        alpha=alpha,
        beta=beta,
        observed=shares,
        predicted=_survival(alpha, beta, len(curve)),
        fit_periods=fit_periods,
        log_likelihood=-float(result.fun),
    )
