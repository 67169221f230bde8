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
  relationship in week 0; :func:`fit_retention` chooses the model's churn parameters
  (by default the quiet-lapse hazard ``drift_rate``, the competitor's
  ``competitor_offer_rate``, the spread of proneness to leave, ``churn_heterogeneity``, and
  the risk of leaving after a failure, ``failure_defection``) so that the simulated
  cohort's survival matches an observed one, by least squares on log survival over a
  response surface with common random numbers.
  :func:`fit_sbg` fits the standard statistical model of contract duration, the
  shifted-beta-geometric (Fader & Hardie 2007), to the same kind of curve, so the two
  forecasts can be set side by side; :data:`FADER_HARDIE_2007` holds their published
  cohorts.
* **The course's figures on failures** (seed 002) are statements about single
  failures; :func:`run_recording_failures` runs a model and lists every failure with the
  customer's stage, whether they complained, whether it was resolved and whether they left.
  :func:`run_following_first_failures` follows customers from their first failure and says
  who is still a customer some weeks later, by what they did about it (silent, complained,
  resolved), the comparison of complaint-handling studies (TARP 1979, 1986).

The code is split along these lines: :mod:`crmsim.calibration.bass` (the Bass limit and
:func:`fit_adoption`), :mod:`crmsim.calibration.retention` (cohorts and :func:`fit_retention`),
:mod:`crmsim.calibration.observe` (:func:`run_recording_failures`,
:func:`run_following_first_failures`),
:mod:`crmsim.calibration.sbg` (the shifted-beta-geometric yardstick, :func:`fit_sbg`) and
:mod:`crmsim.calibration.curves` (checks of the observed curves the fits take).

Examples
--------
Adopter share after a year at the average coefficients of Sultan, Farley & Lehmann (1990),
p = 0.03 and q = 0.38 per year, in continuous time and in the model's weekly steps:

>>> p, q = 0.03 / 52, 0.38 / 52
>>> round(float(bass_closed_form(52.0, p, q)), 4), round(float(bass_recursion(52, p, q)[-1]), 4)
(0.0358, 0.0356)
"""

from __future__ import annotations

from crmsim.calibration.bass import (
    AdoptionFit,
    bass_closed_form,
    bass_limit_inputs,
    bass_recursion,
    fit_adoption,
)
from crmsim.calibration.observe import (
    VOICES,
    run_following_first_failures,
    run_recording_failures,
)
from crmsim.calibration.retention import (
    DEFAULT_PARAMETERS,
    FITTABLE,
    FittableParameter,
    RetentionFit,
    fit_retention,
    simulate_cohort,
    start_cohort,
)
from crmsim.calibration.sbg import FADER_HARDIE_2007, SBGFit, fit_sbg, sbg_survival

__all__ = [
    "DEFAULT_PARAMETERS",
    "FADER_HARDIE_2007",
    "FITTABLE",
    "AdoptionFit",
    "FittableParameter",
    "RetentionFit",
    "SBGFit",
    "bass_closed_form",
    "bass_limit_inputs",
    "bass_recursion",
    "fit_adoption",
    "fit_retention",
    "fit_sbg",
    "run_following_first_failures",
    "run_recording_failures",
    "VOICES",
    "sbg_survival",
    "simulate_cohort",
    "start_cohort",
]
