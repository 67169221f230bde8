"""Bundled scenarios load, describe themselves and run."""

from __future__ import annotations

import pytest

from crmsim import CRMModel, Policy, scenarios


def test_bundled_scenarios_include_baseline_and_the_new_store():
    assert {"baseline", "opening_discount"} <= set(scenarios.names())


@pytest.mark.parametrize("name", scenarios.names())
def test_every_scenario_has_a_description_and_runs(name):
    scenario = scenarios.load(name)
    assert len(scenario.description.split()) > 30  # a real paragraph, not a stub
    assert isinstance(scenario.policy, Policy)
    model = CRMModel(**(scenario.kwargs | {"n_customers": 200}), rng=0)
    model.run(weeks=5)
    assert len(model.frame) == 5


def test_opening_discount_runs_eight_weeks_for_everyone():
    policy = scenarios.load("opening_discount").policy
    assert policy.discount > 0
    assert policy.discount_weeks == (0, 8)
    assert policy.discount_target == "all"


def test_unknown_scenarios_and_tables_are_rejected():
    with pytest.raises(ValueError, match="unknown scenario 'nope'.*baseline"):
        scenarios.load("nope")
    with pytest.raises(ValueError, match="unknown table"):
        scenarios.from_dict("x", {"polcy": {}})
