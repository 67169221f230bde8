"""Searching levers for the best policy: Optuna over replicated runs on common seeds."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

import crmsim.experiments.runner as runner
from crmsim import Policy
from crmsim.experiments import compare, optimize
from crmsim.experiments.optimization import LOWER_IS_BETTER

SMALL = {"weeks": 20, "n_customers": 200, "progress": False, "workers": 1}


@pytest.fixture(scope="module")
def discount_search():
    # a discount gives revenue away: profit falls with it, so the optimum is at the lower bound
    return optimize({"discount": (0.0, 0.6)}, kpi="profit", trials=10, replications=4, **SMALL)


def test_the_search_finds_the_better_region(discount_search):
    result = discount_search
    assert len(result.trials) == 10 and result.direction == "maximize"
    assert result.best.discount < 0.1
    assert result.best.discount == result.trials.loc[result.best_trial, "discount"]
    means = result.trials["mean"]
    assert means[result.best_trial] == means.max()
    mean, low, high = result.best_interval
    assert low < mean < high
    # every candidate ran on the same seeds
    assert result.runs.groupby("trial")["replication"].nunique().eq(4).all()


def test_runners_up_are_the_candidates_the_paired_test_cannot_tell_from_the_best(
    discount_search,
):
    result = discount_search
    rivals = result.runners_up
    assert rivals.index[0] == result.best_trial  # best first
    assert (rivals["p_holm"].drop(result.best_trial) >= 0.05).all()
    # a deep discount is credibly worse, so it is no runner-up
    deep = result.trials.index[result.trials["discount"] > 0.4]
    assert len(deep) and not set(deep) & set(rivals.index)
    # the differences are paired: candidate minus best, replication by replication
    wide = result.runs[result.runs["kpi"] == "profit"].pivot(
        index="replication", columns="trial", values="value"
    )
    for trial in rivals.index[1:]:
        diff = (wide[trial] - wide[result.best_trial]).mean()
        assert rivals.loc[trial, "difference"] == pytest.approx(diff)
    names = result.candidates()
    assert list(names)[0] == f"trial {result.best_trial}" and len(names) == len(rivals)
    assert all(isinstance(p, Policy) for p in names.values())
    text = result.to_text()
    assert f"Best policy: trial {result.best_trial} of 10" in text and "profit" in text


def test_the_plot_shows_every_trial_with_its_interval_and_each_lever(discount_search):
    fig = discount_search.plot()
    assert isinstance(fig, Figure)
    top, lever = fig.axes
    assert top.get_xlabel() == "trial" and lever.get_xlabel() == "discount"
    labels = top.get_legend_handles_labels()[1]
    assert "best" in labels and "best so far" in labels


def test_the_same_sampler_seed_repeats_the_search_whatever_the_workers():
    args = {"levers": {"discount": (0.0, 0.6), "gift_every": (1, 8)}, "trials": 6,
            "replications": 2, "batch": 3, **SMALL}  # fmt: skip
    first = optimize(**args)
    assert first.trials["gift_every"].map(type).eq(int).all()  # an integer lever stays one
    again = optimize(**(args | {"workers": 2}))
    pd.testing.assert_frame_equal(first.trials, again.trials)
    other = optimize(**(args | {"sampler_seed": 1}))
    assert not other.trials["discount"].equals(first.trials["discount"])
    assert first.streams == "keyed"  # the default


def test_a_sequential_search_says_so_and_differs_from_a_keyed_one(discount_search):
    sequential = optimize(
        {"discount": (0.0, 0.6)},
        kpi="profit",
        trials=10,
        replications=4,
        streams="sequential",
        **SMALL,
    )
    assert sequential.streams == "sequential" and discount_search.streams == "keyed"
    # the same candidates (same sampler seed, same first proposals), other luck
    first = sequential.trials["discount"].iloc[0]
    assert first == discount_search.trials["discount"].iloc[0]
    assert sequential.trials["mean"].iloc[0] != discount_search.trials["mean"].iloc[0]


def test_a_search_resumes_from_its_run_log_without_running_finished_trials(tmp_path, monkeypatch):
    args = {"levers": {"discount": (0.0, 0.6)}, "replications": 2, "batch": 2, **SMALL}
    whole = optimize(trials=6, **args)
    real, calls = runner._run_task, []

    def counted(task):
        calls.append(task)
        if len(calls) > 5:
            raise KeyboardInterrupt  # a Ctrl-C in the third trial's runs
        return real(task)

    monkeypatch.setattr(runner, "_run_task", counted)
    with pytest.raises(KeyboardInterrupt):
        optimize(trials=6, out_dir=tmp_path, **args)
    assert (tmp_path / "runs.jsonl").read_text().count("\n") == 5  # kept, run by run
    monkeypatch.setattr(runner, "_run_task", lambda task: (calls.append(task), real(task))[1])
    calls.clear()
    resumed = optimize(trials=6, out_dir=tmp_path, **args)
    assert len(calls) == 6 * 2 - 5  # only the runs not yet done
    pd.testing.assert_frame_equal(resumed.trials, whole.trials)
    pd.testing.assert_frame_equal(resumed.runs, whole.runs)
    calls.clear()
    more = optimize(trials=8, out_dir=tmp_path, **args)
    assert len(calls) == 2 * 2  # two more trials; the first six replayed
    pd.testing.assert_frame_equal(more.trials.iloc[:6], whole.trials)
    with pytest.raises(ValueError, match="holds runs of a different experiment"):
        optimize(trials=2, out_dir=tmp_path, **(args | {"n_customers": 150}))


def test_a_budget_keeps_the_best_within_it():
    # more advertising brings more customers, and costs more: the budget binds
    result = optimize({"advertising": (0.0, 0.2)}, kpi="acquired", trials=8, replications=2,
                      budget=1500.0, batch=2, **SMALL)  # fmt: skip
    trials = result.trials
    assert not trials["feasible"].all() and trials["feasible"].any()
    assert (trials.loc[~trials["feasible"], "spending"] > 1500).all()
    assert trials.loc[result.best_trial, "spending"] <= 1500
    feasible = trials[trials["feasible"]]
    assert result.best_trial == feasible["mean"].idxmax()
    assert not set(result.runners_up.index) - set(feasible.index)
    with pytest.raises(ValueError, match="budget: no candidate spent at most 1"):
        optimize({"advertising": (0.1, 0.2)}, kpi="acquired", trials=2, replications=2,
                 budget=1.0, **SMALL)  # fmt: skip


def test_kpis_a_firm_wants_low_are_minimised_by_default():
    assert {"churn", "lever_spending", "cost"} <= LOWER_IS_BETTER
    result = optimize({"discount": (0.0, 0.6)}, kpi="discount_given", trials=4,
                      replications=2, batch=2, **SMALL)  # fmt: skip
    assert result.direction == "minimize"
    assert result.trials["mean"][result.best_trial] == result.trials["mean"].min()


def test_the_best_and_its_rivals_go_straight_into_compare(discount_search):
    check = compare(discount_search.candidates(), replications=2, seed=1, **SMALL)
    assert check.policies == list(discount_search.candidates())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"levers": {}}, "levers must be a non-empty dict"),
        ({"levers": {"discunt": (0, 0.2)}}, "unknown lever 'discunt'"),
        ({"levers": {"discount_target": (0, 1)}}, "unknown lever 'discount_target'"),
        ({"levers": {"discount": (0.3, 0.1)}}, r"levers\['discount'\] must be \(low, high\) with"),
        ({"levers": {"discount": (0.0, 1.5)}}, "leave the lever's valid range: Policy.discount"),
        ({"levers": {"discount": 0.2}}, r"levers\['discount'\] must be \(low, high\)"),
        ({"levers": {"gift_every": (1, 4.5)}}, "must be whole numbers"),
        ({"kpi": "happiness"}, "kpi must be one of"),
        ({"trials": 0}, "trials must be an integer >= 1"),
        ({"direction": "up"}, "direction must be one of"),
        ({"budget": -1}, "budget must be"),
        ({"batch": 0}, "batch must be an integer >= 1"),
        ({"replications": 1}, "replications must be an integer >= 2"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_field(kwargs, message, tmp_path):
    args = {"levers": {"discount": (0.0, 0.2)}, "trials": 2, "replications": 2,
            "out_dir": tmp_path / "out", **SMALL}  # fmt: skip
    with pytest.raises(ValueError, match=message):
        optimize(**(args | kwargs))
    assert not (tmp_path / "out").exists()  # refused before anything was written
