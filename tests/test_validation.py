"""The model against published results, and the course's figures as calibrated inputs.

The Bass (1969) diffusion limit is an emergent result: the model is not given the Bass
curve, only a per-person awareness rule, and reproduces the curve. The course's failure
figures (40 % complain, about half of early customers leave after an unresolved failure)
are the model's inputs (Market.complaint_propensity, Market.failure_defection): their
checks are wiring checks, showing that nothing else in a whole run distorts the inputs.
Only the lower departure rate of deeper customers, for which the course gives no number,
is produced by the model here. Tolerances and the numbers measured when these tests were
written are in each test's comment; docs/validation.md shows the same checks as figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import week_of

from crmsim import CRMModel, Population, Segment, Stage
from crmsim.awareness import awareness_hazard
from crmsim.calibration import (
    bass_closed_form,
    bass_limit_inputs,
    bass_recursion,
    run_recording_failures,
)
from crmsim.offer import discount_received
from crmsim.trials import trial_probability

#: Average Bass coefficients over 213 published diffusion studies (Sultan, Farley &
#: Lehmann 1990): p = 0.03 and q = 0.38 per year, here per week.
YEARLY_P, YEARLY_Q = 0.03 / 52, 0.38 / 52


def adopter_shares(model: CRMModel) -> np.ndarray:
    """Share of the market that has bought after 0, 1, 2 ... weeks (frame row w: end of week w)."""
    return np.r_[0.0, model.frame["active"].to_numpy() / model.n_customers]


def run_bass_limit(p: float, q: float, weeks: int, n: int = 100_000, rng: int = 0) -> np.ndarray:
    model = CRMModel(n_customers=n, rng=rng, **bass_limit_inputs(p, q))
    model.run(weeks, progress=False)
    return adopter_shares(model)


# ---------------------------------------------------------------------------
# Bass limit: the conditions
# ---------------------------------------------------------------------------


def test_bass_limit_makes_every_aware_prospect_buy_at_once():
    model = CRMModel(n_customers=2_000, rng=1, **bass_limit_inputs(0.01, 0.3))
    state = model.state
    state.stage[:] = Stage.AWARENESS
    state.expectation[:] = model.market.prior_expectation
    week = week_of(model)
    p = trial_probability(state, week, discount_received(state, week))
    np.testing.assert_array_equal(p, 1.0)


def test_sociability_does_not_enter_the_awareness_hazard():
    model = CRMModel(n_customers=2_000, rng=1, network="well-mixed")
    model.state.stage[::3] = Stage.EXPLORATION
    everyone = np.arange(model.n_customers)
    before = awareness_hazard(model.state, week_of(model), everyone)
    model.state.sociability[:] = np.linspace(0.0, 1.0, model.n_customers)
    after = awareness_hazard(model.state, week_of(model), everyone)
    np.testing.assert_array_equal(after, before)


def test_bass_limit_has_no_departures_referrals_or_negative_word_of_mouth():
    model = CRMModel(n_customers=5_000, rng=2, **bass_limit_inputs(0.005, 0.1))
    model.run(156, progress=False)
    frame = model.frame
    assert frame["lost"].sum() == frame["referrals"].sum() == frame["negative_wom"].sum() == 0
    np.testing.assert_array_equal(frame["active"], frame["acquired"].cumsum())
    assert frame["active"].iloc[-1] == (model.state.first_purchase_week >= 0).sum()


def test_a_segment_mean_of_zero_or_one_gives_exactly_that_trait():
    # "sociability = 0" must switch referrals and negative word of mouth off exactly
    population = Population(
        segments=(Segment("quiet", 0.5, sociability=0.0), Segment("fans", 0.5, values_fit=1.0))
    )
    model = CRMModel(n_customers=2_000, population=population, rng=0)
    quiet = model.state.segment == 0
    assert (model.state.sociability[quiet] == 0).all()
    assert (model.state.values_fit[~quiet] == 1).all()
    assert 0 < model.state.sociability[~quiet].mean() < 1


# ---------------------------------------------------------------------------
# Bass limit: discrete weeks against continuous time
# ---------------------------------------------------------------------------


def test_weekly_recursion_tracks_the_closed_form_half_a_week_earlier_when_rates_are_small():
    # measured: largest gap 0.14 points at t, 0.03 points at t - 1/2 (p, q = 0.03, 0.38 a year)
    weeks = np.arange(521)
    recursion = bass_recursion(520, YEARLY_P, YEARLY_Q)
    assert np.abs(recursion - bass_closed_form(weeks, YEARLY_P, YEARLY_Q)).max() < 0.002
    assert np.abs(recursion - bass_closed_form(weeks - 0.5, YEARLY_P, YEARLY_Q))[1:].max() < 0.0005


def test_weekly_steps_part_from_continuous_bass_when_weekly_rates_are_large():
    # measured for p, q = 0.01, 0.3 a week: 8.1 points at t, 4.2 at t - 1/2; the gap is the
    # time step's, since cutting a week into k steps of p/k, q/k shrinks it about k-fold
    p, q, weeks = 0.01, 0.3, 52
    t = np.arange(weeks + 1)
    assert np.abs(bass_recursion(weeks, p, q) - bass_closed_form(t, p, q)).max() > 0.05
    assert np.abs(bass_recursion(weeks, p, q) - bass_closed_form(t - 0.5, p, q))[1:].max() > 0.03
    fine = bass_recursion(weeks * 20, p / 20, q / 20)[::20]
    assert np.abs(fine - bass_closed_form(t, p, q)).max() < 0.005


# ---------------------------------------------------------------------------
# Bass limit: the model
# ---------------------------------------------------------------------------


def test_model_follows_bass_closed_form_within_one_point_at_yearly_coefficients():
    # 100,000 customers, 10 years (adopters reach 81 %); 9-15 s on 2 cores.
    # measured (seed 0): largest gap 0.24 points to F(t), 0.32 to F(t - 1/2), 0.32 to the
    # recursion; to F(t - 1/2) over seeds 0-5 at most 0.55. Most of it is early sampling
    # noise: only ~58 people hear the advert in week 1, and imitation amplifies that luck.
    shares = run_bass_limit(YEARLY_P, YEARLY_Q, 520)
    t = np.arange(521)
    assert shares[-1] > 0.75
    assert np.abs(shares - bass_closed_form(t, YEARLY_P, YEARLY_Q)).max() < 0.01
    assert np.abs(shares - bass_closed_form(t - 0.5, YEARLY_P, YEARLY_Q))[1:].max() < 0.01
    assert np.abs(shares - bass_recursion(520, YEARLY_P, YEARLY_Q, 100_000)).max() < 0.01


@pytest.mark.parametrize(("p", "q", "weeks"), [(0.01, 0.3, 52), (0.005, 0.1, 104)])
def test_model_follows_its_weekly_recursion_within_one_point_when_rates_are_large(p, q, weeks):
    # 100,000 customers; measured (seed 0): 0.61 and 0.26 points; seeds 0-5 of the first
    # pair 0.09-0.61. The closed form itself is 8 and 2.9 points away from these curves.
    shares = run_bass_limit(p, q, weeks)
    assert shares[-1] > 0.99
    assert np.abs(shares - bass_recursion(weeks, p, q, 100_000)).max() < 0.01


# ---------------------------------------------------------------------------
# The course's figures on failures (seed 002): calibrated inputs, wiring checks
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failures() -> pd.DataFrame:
    """Every service failure of four default runs: 2,000 customers, three years each."""
    tables = []
    for seed in range(4):
        model = CRMModel(n_customers=2_000, rng=seed, history=False)
        table = run_recording_failures(model, weeks=156)
        frame = model.frame
        # the record must be the model's own count, failure by failure
        assert len(table) == frame["failures"].sum()
        assert table["complained"].sum() == frame["complaints"].sum()
        assert table["resolved"].sum() == frame["recovered"].sum()
        assert table["left"].sum() == frame["lost_failure"].sum()
        tables.append(table.assign(seed=seed))
    return pd.concat(tables, ignore_index=True)


def four_standard_errors(share: float, n: int) -> float:
    """Tolerance for a measured share: four binomial standard errors at the sample size."""
    return 4.0 * np.sqrt(share * (1.0 - share) / n)


def test_wiring_whole_runs_keep_the_complaint_input_of_forty_percent(failures):
    # an input (complaint_propensity = 0.40), read back through whole runs.
    # measured: 40.1 % of 4,284 failures; four standard errors at that size: 3.0 points
    assert len(failures) > 3_000
    share = failures["complained"].mean()
    assert abs(share - 0.40) < four_standard_errors(0.40, len(failures))


def test_wiring_whole_runs_keep_the_failure_defection_input_of_half_in_exploration(failures):
    # an input (failure_defection = 0.9 for proneness 1, no resilience in exploration) read
    # back through whole runs: the risk of an explorer who did not complain is min(1, 0.9 z)
    # for their proneness z (a complaint relieves some of it, episodes.VOICE_RELIEF), about
    # half on average (seed 002). Tried: if only failures complained about could drive
    # customers away, few leave and this fails; resilience extended to explorers is not
    # caught (they hold little trust or commitment yet).
    # measured: 44.6 % of 724 silent failures in exploration, against 44.4 % expected; 4 s.e.:
    # 7.4 points
    early = failures[~failures["complained"] & (failures["stage"] == "exploration")]
    assert len(early) > 600
    expected = np.minimum(1.0, 0.9 * early["proneness"]).mean()
    # the course's "about half", over these customers (fewer than over everyone, 0.49: the
    # prone among explorers leave soonest, also by other routes)
    assert abs(expected - 0.5) < 0.08
    share = early["left"].mean()
    assert abs(share - expected) < four_standard_errors(expected, len(early))


def test_deeper_customers_forgive_an_unresolved_failure_more_often_than_explorers(failures):
    # produced by the model (trust and commitment), not given to it.
    # measured: 30 % of 2,698 in expansion leave, against 43 % in exploration
    unresolved = failures[~failures["resolved"]]
    leave = unresolved.groupby("stage")["left"].mean()
    assert leave["expansion"] < leave["exploration"] - 0.08


def test_a_resolved_complaint_never_ends_in_a_departure_for_failure(failures):
    assert not (failures["resolved"] & failures["left"]).any()
