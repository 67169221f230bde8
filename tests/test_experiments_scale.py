"""Experiments at scale: sweeps, Latin hypercubes, resuming, Dask, sensitivity, cohorts, RFM."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from crmsim import CRMModel, Market, Policy, analysis, experiments
from crmsim.cli import main
from crmsim.experiments import (
    KPIS,
    compare,
    grid,
    latin_hypercube,
    read_design,
    replication_seeds,
    run_kpis,
    sensitivity,
    sweep,
)

SMALL = {"replications": 2, "weeks": 26, "n_customers": 300, "progress": False}
DESIGN = {"service_quality": [0.5, 0.9], "market.trial_rate": [0.08, 0.16]}


@pytest.fixture(scope="module")
def grid_sweep() -> experiments.SweepResult:
    return sweep(DESIGN, workers=1, **SMALL)


# ---------------------------------------------------------------------------- designs
def test_grid_sweep_runs_every_design_point_once_per_replication(grid_sweep):
    design = grid_sweep.design
    assert list(design.columns) == ["service_quality", "market.trial_rate"]
    assert design.to_dict("list") == {
        "service_quality": [0.5, 0.5, 0.9, 0.9],
        "market.trial_rate": [0.08, 0.16, 0.08, 0.16],
    }
    runs = grid_sweep.runs
    assert list(runs.columns) == [
        "point",
        "service_quality",
        "market.trial_rate",
        "replication",
        "kpi",
        "value",
    ]
    assert len(runs) == 4 * 2 * len(KPIS)
    assert runs.groupby(["point", "replication", "kpi"]).size().eq(1).all()
    summary = grid_sweep.summary()
    assert summary.index.names == ["point", "kpi"] and len(summary) == 4 * len(KPIS)
    assert (summary.xs("acquired", level="kpi")["n"] == 2).all()


def test_a_design_point_is_the_base_policy_and_market_with_its_fields_changed(grid_sweep):
    # point 3: service_quality 0.9, market.trial_rate 0.16, replication 1
    model = CRMModel(
        n_customers=300,
        policy=Policy(service_quality=0.9),
        market=Market(trial_rate=0.16),
        history=False,
        rng=grid_sweep.seeds[1],
        streams="keyed",  # a sweep's default
    )
    model.run(26, progress=False)
    recorded = grid_sweep.wide().loc[(3, 1)]
    expected = pd.Series(run_kpis(model))
    np.testing.assert_array_equal(recorded.to_numpy(), expected[recorded.index].to_numpy())
    # common random numbers: every point uses the same seeds
    assert grid_sweep.seeds == replication_seeds(0, 2)


def test_latin_hypercube_puts_one_point_in_every_stratum_of_every_parameter():
    ranges = {"discount": (0.0, 0.3), "respect": (0.2, 1.0), "market.price": (15, 25)}
    design = latin_hypercube(ranges, n=20, seed=3)
    assert design.shape == (20, 3) and design.index.name == "point"
    for name, (low, high) in ranges.items():
        values = design[name].to_numpy()
        assert ((values >= low) & (values <= high)).all()
        strata = np.floor((values - low) / (high - low) * 20).astype(int)
        assert sorted(strata) == list(range(20)), name
    pd.testing.assert_frame_equal(design, latin_hypercube(ranges, n=20, seed=3))
    assert not design.equals(latin_hypercube(ranges, n=20, seed=4))
    # pairing across parameters is random, not the diagonal
    assert not np.array_equal(design["discount"].rank(), design["respect"].rank())


def test_integer_fields_are_rounded_and_bad_designs_are_refused():
    result = sweep(
        latin_hypercube({"gift_every": (1, 8)}, n=2, seed=0),
        replications=2,
        weeks=13,
        n_customers=60,
        progress=False,
        workers=1,
    )
    assert all(isinstance(v, int) for v in result.design["gift_every"])
    with pytest.raises(ValueError, match="unknown design parameter 'happiness'"):
        grid({"happiness": [1, 2]})
    with pytest.raises(ValueError, match="design point 1"):
        sweep({"respect": [0.5, 1.5]}, workers=1, **SMALL)
    with pytest.raises(ValueError, match="low <= high"):
        latin_hypercube({"respect": (0.9, 0.1)}, n=4)


# ---------------------------------------------------------------------------- resuming
class StopSweepError(Exception):
    pass


def test_an_interrupted_sweep_resumes_without_redoing_or_losing_runs(tmp_path, grid_sweep):
    out = tmp_path / "sweep"

    def stop_after_three(point, replication, kpis):
        stop_after_three.calls += 1
        if stop_after_three.calls == 3:
            raise StopSweepError

    stop_after_three.calls = 0
    with pytest.raises(StopSweepError):
        sweep(DESIGN, out_dir=out, on_run=stop_after_three, workers=1, **SMALL)
    lines = (out / "runs.jsonl").read_text().splitlines()
    assert len(lines) == 3  # every finished run was saved at once
    # a run cut off mid-write by a kill leaves a fragment; it is dropped, not mistaken for a run
    with open(out / "runs.jsonl", "a") as file:
        file.write('{"point": {"service_qua')

    computed = []
    resumed = sweep(
        DESIGN, out_dir=out, on_run=lambda p, r, k: computed.append((p, r)), workers=1, **SMALL
    )
    assert len(computed) == 8 - 3
    saved = {
        (json.dumps(json.loads(line)["point"]), json.loads(line)["replication"]) for line in lines
    }
    assert len(saved) == 3  # three different runs were saved before the interruption
    pd.testing.assert_frame_equal(resumed.runs, grid_sweep.runs)
    assert len((out / "runs.jsonl").read_text().splitlines()) == 8

    # everything done: nothing is run again, and a larger design runs only its new points
    computed.clear()
    again = sweep(DESIGN, out_dir=out, on_run=lambda *a: computed.append(a), workers=1, **SMALL)
    assert computed == []
    pd.testing.assert_frame_equal(again.runs, grid_sweep.runs)
    bigger = DESIGN | {"service_quality": [0.5, 0.7, 0.9]}
    sweep(bigger, out_dir=out, on_run=lambda *a: computed.append(a), workers=1, **SMALL)
    assert len(computed) == 2 * 2  # the two new points, two replications each


def test_a_sweep_stopped_while_worker_processes_run_resumes_too(tmp_path, grid_sweep):
    out = tmp_path / "sweep"

    def stop(point, replication, kpis):
        raise StopSweepError

    with pytest.raises(StopSweepError):
        sweep(DESIGN, out_dir=out, on_run=stop, workers=2, **SMALL)
    saved = len((out / "runs.jsonl").read_text().splitlines())
    assert 1 <= saved < 8
    computed = []
    resumed = sweep(DESIGN, out_dir=out, on_run=lambda *a: computed.append(a), workers=2, **SMALL)
    assert len(computed) == 8 - saved
    pd.testing.assert_frame_equal(resumed.runs, grid_sweep.runs)


def test_a_folder_holding_another_sweep_is_refused(tmp_path):
    out = tmp_path / "sweep"
    sweep({"respect": [0.5]}, out_dir=out, workers=1, **SMALL)
    with pytest.raises(ValueError, match=r"different experiment .*weeks"):
        sweep({"respect": [0.5]}, out_dir=out, workers=1, **(SMALL | {"weeks": 13}))


# ---------------------------------------------------------------------------- execution
def test_local_processes_and_a_dask_cluster_give_the_same_numbers(grid_sweep):
    distributed = pytest.importorskip("distributed")
    in_processes = sweep(DESIGN, workers=2, **SMALL)
    pd.testing.assert_frame_equal(in_processes.runs, grid_sweep.runs)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sweep(DESIGN, scheduler=client, **SMALL)
        policies = {"A": Policy(), "B": Policy(respect=0.9)}
        by_address = compare(policies, scheduler=cluster.scheduler_address, **SMALL)
    pd.testing.assert_frame_equal(on_dask.runs, grid_sweep.runs)
    pd.testing.assert_frame_equal(by_address.runs, compare(policies, workers=1, **SMALL).runs)


# ---------------------------------------------------------------------------- KPIs
def test_cem_and_cam_kpis_of_seed_004_are_reported():
    policy = Policy(respect=0.9, discount=0.1, gift_value=4.0, referral_reward=5.0)
    model = CRMModel(n_customers=400, policy=policy, history=False, rng=8)
    model.run(52, progress=False)
    kpis, frame = run_kpis(model), model.frame
    for motive in ("respect", "discount", "gift"):
        assert kpis[f"repeat_{motive}"] == frame[f"repeat_{motive}"].sum()
        assert kpis[f"repeat_spend_{motive}"] == pytest.approx(
            frame[f"repeat_spend_{motive}"].sum()
        )
    for motive in ("respect", "discount", "gift", "reward"):
        assert kpis[f"referrals_{motive}"] == frame[f"referrals_{motive}"].sum()
    attributed = sum(kpis[f"referrals_{m}"] for m in ("respect", "discount", "gift", "reward"))
    assert 0 < attributed <= kpis["referrals"]
    assert sum(kpis[f"repeat_{m}"] for m in ("respect", "discount", "gift")) > 0
    # the books: profit and customer equity per customer acquired is clv less acquisition cost
    assert kpis["customer_equity"] > 0
    assert kpis["clv"] - kpis["acquisition_cost"] == pytest.approx(
        (kpis["profit"] + kpis["customer_equity"]) / kpis["acquired"]
    )
    assert kpis["cost"] == pytest.approx(sum(kpis[c] for c in KPIS if c.startswith("cost_")))
    assert np.isnan(kpis["churn_year"])  # no year that began with customers in 52 weeks


# ---------------------------------------------------------------------------- sensitivity
# Sensitivity analysis must find what matters. Two inputs with known roles for churn:
# service quality dominates it (failures and how episodes feel: quarterly churn falls by
# 15-38 points across 0.4-0.95 in these runs), and the unit cost of goods cannot touch it
# (only the books read Market.unit_cost). With common random numbers, runs that differ
# only in unit cost are identical but for the books, so unit cost's churn indices are
# exactly zero: any other value means outputs were paired with the wrong sample points or
# indices with the wrong parameter. Small runs: 300 customers, 52 weeks (three quarters
# with customers at the start), 2 replications, seed 0.
KNOWN_ROLES = {"service_quality": (0.4, 0.95), "market.unit_cost": (8.0, 16.0)}
SENSITIVITY_RUNS = {"replications": 2, "weeks": 52, "n_customers": 300, "seed": 0}
#: Morris: 6 trajectories x (2 + 1) = 18 points, 36 runs: 0.6 s alone, up to 5 s on busy cores.
#: Sobol: 16 base samples x (2 + 2) = 64 points, 128 runs: 3 s alone, up to 25 s when busy.
SENSITIVITY_SIZES = {"morris": {"trajectories": 6}, "sobol": {"samples": 16}}


def sensitivity_of_known_roles(method: str, out_dir) -> experiments.SensitivityResult:
    return sensitivity(
        KNOWN_ROLES,
        outputs=("churn", "profit"),
        method=method,
        out_dir=out_dir,
        progress=False,
        workers=1,
        **SENSITIVITY_RUNS,
        **SENSITIVITY_SIZES[method],
    )


@pytest.fixture(scope="module")
def known_roles(tmp_path_factory) -> dict[str, tuple[experiments.SensitivityResult, object]]:
    """Each method once; its runs are kept in a folder so a re-analysis runs nothing."""
    found = {}
    for method in SENSITIVITY_SIZES:
        out = tmp_path_factory.mktemp(f"sensitivity_{method}")
        found[method] = (sensitivity_of_known_roles(method, out), out)
    return found


def check_service_quality_dominates_churn_and_unit_cost_does_not_matter(result) -> None:
    churn = result.indices.xs("churn", level="output")
    cost = churn.loc["market.unit_cost"]
    service = churn.loc["service_quality"]
    if result.method == "morris":
        # measured over seeds 0-4: mu* 0.15-0.38 (churn per move across the whole range),
        # every elementary effect negative (mu = -mu*); unit cost exactly 0
        assert (cost[["mu", "mu_star", "sigma"]] == 0).all(), cost
        assert service["mu_star"] > 0.05, service
        assert service["mu"] == pytest.approx(-service["mu_star"]), service
    else:
        # the true indices are S1 = ST = 1 for service quality (the only input churn reads)
        # and 0 for unit cost. Estimated with 16 base samples: S1 0.87-1.25 and ST 0.97-1.29
        # over seeds 0-2 (bootstrap intervals about +-0.6), hence the floor of 0.5
        assert (cost[["S1", "ST"]] == 0).all(), cost
        assert service["S1"] > 0.5 and service["ST"] > 0.5, service
    assert churn.index[churn.iloc[:, 0].abs().argmax()] == "service_quality"


@pytest.mark.parametrize("method", SENSITIVITY_SIZES)
def test_sensitivity_finds_that_service_quality_drives_churn_and_unit_cost_does_not(
    known_roles, method
):
    result, _ = known_roles[method]
    assert result.method == method
    assert result.indices.index.names == ["output", "parameter"]
    assert set(result.indices.index) == {(o, p) for o in ("churn", "profit") for p in KNOWN_ROLES}
    check_service_quality_dominates_churn_and_unit_cost_does_not_matter(result)
    # profit: a dearer unit can only lower it (it changes nothing but the cost of goods)
    cost_on_profit = result.indices.loc[("profit", "market.unit_cost")]
    if method == "morris":
        assert cost_on_profit["mu"] == pytest.approx(-cost_on_profit["mu_star"])
        assert cost_on_profit["mu"] < 0
        assert len(result.runs.design) == 6 * (2 + 1)
    else:
        assert cost_on_profit["ST"] > 0
        assert len(result.runs.design) == 16 * (2 + 2)
    assert isinstance(result.plot(), Figure)
    assert "service_quality" in result.to_text()


def _outputs_paired_with_the_wrong_points(analyze):
    def broken(problem, *args, **kwargs):
        if args and np.ndim(args[-1]) == 1:  # morris: (problem, X, Y), sobol: (problem, Y)
            args = (*args[:-1], np.roll(args[-1], 1))
        return analyze(problem, *args, **kwargs)

    return broken


def _indices_given_to_the_wrong_parameters(analyze):
    def broken(problem, *args, **kwargs):
        found = analyze(problem, *args, **kwargs)
        for key in ("mu", "mu_star", "mu_star_conf", "sigma", "S1", "S1_conf", "ST", "ST_conf"):
            if key in found:
                found[key] = np.asarray(found[key])[::-1]
        return found

    return broken


@pytest.mark.parametrize("method", SENSITIVITY_SIZES)
@pytest.mark.parametrize(
    "mutant", [_outputs_paired_with_the_wrong_points, _indices_given_to_the_wrong_parameters]
)
def test_a_sensitivity_analysis_that_mixes_up_points_or_parameters_is_caught(
    known_roles, method, mutant, monkeypatch
):
    # the analysis step is broken by patching SALib (not crmsim); the runs are read back
    # from the fixture's folder, so nothing is simulated again
    salib = pytest.importorskip(f"SALib.analyze.{method}")
    _, out = known_roles[method]
    monkeypatch.setattr(salib, "analyze", mutant(salib.analyze))
    broken = sensitivity_of_known_roles(method, out)
    with pytest.raises(AssertionError):
        check_service_quality_dominates_churn_and_unit_cost_does_not_matter(broken)


# ---------------------------------------------------------------------------- cohorts, RFM
def test_cohort_retention_starts_at_one_and_never_rises():
    # a closed market: every customer still holds their row (movers: tests/test_turnover.py)
    model = CRMModel(n_customers=600, market=Market(category_turnover=0.0), rng=11, history=False)
    model.run(52, progress=False)
    curves = analysis.cohort_retention(model, cohort_weeks=13)
    assert list(curves.index) == [0, 13, 26, 39]
    assert (curves[0] == 1).all()
    for _, row in curves.iterrows():
        values = row.dropna().to_numpy()
        assert (np.diff(values) <= 0).all() and values[-1] >= 0
        assert row.iloc[: len(values)].notna().all()  # unobserved weeks only at the end
    assert sum(curves.attrs["sizes"].values()) == int((model.state.first_purchase_week >= 0).sum())
    # without censoring, the curve is the plain share: cohort 0 after one week
    first = model.state.first_purchase_week
    losses = model.losses
    cohort0 = np.flatnonzero((first >= 0) & (first < 13))
    gone = losses[losses["customer"].isin(cohort0) & (losses["week"] == first[losses["customer"]])]
    assert curves.loc[0, 1] == pytest.approx(1 - gone["customer"].nunique() / len(cohort0))


def test_transaction_log_is_exact_and_leaves_the_run_unchanged():
    policy = Policy(discount=0.2, discount_target="new")
    model = CRMModel(n_customers=300, policy=policy, rng=6)
    log = analysis.run_with_transactions(model, weeks=30)
    plain = CRMModel(n_customers=300, policy=policy, rng=6)
    plain.run(30, progress=False)
    pd.testing.assert_frame_equal(model.frame, plain.frame)
    assert list(log.columns) == ["customer_id", "date", "amount"]
    assert set(log["amount"]) <= {20.0, 16.0}
    assert log["amount"].sum() == pytest.approx(model.frame["revenue"].sum())
    # ids below n are rows whose first person is still there or moved away; the people in
    # the rows now are each row's latest id
    counts = log.groupby("customer_id").size()
    latest = analysis.PurchaseLog.of(model).person_ids
    np.testing.assert_array_equal(
        model.state.purchases, counts.reindex(latest, fill_value=0).to_numpy()
    )
    pd.testing.assert_frame_equal(analysis.transactions(model), log)
    with pytest.raises(ValueError, match="run_with_transactions"):
        analysis.transactions(plain)


def test_rfm_summary_matches_a_hand_worked_example():
    # A buys in weeks 0 (10), 3 (20 and 5: one period, 25) and 7 (30); B once in week 5;
    # C only after the end of observation; D in week 2 and again after the end.
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 3, 4, 4],
            "date": [0, 3, 3, 7, 5, 11, 2, 12],
            "amount": [10.0, 20.0, 5.0, 30.0, 12.0, 7.0, 8.0, 9.0],
        }
    )
    expected = pd.DataFrame(
        {
            "customer_id": [1, 2, 4],
            "frequency": [2.0, 0.0, 0.0],  # repeat purchase periods
            "recency": [7.0, 0.0, 0.0],  # first to last purchase
            "T": [10.0, 5.0, 8.0],  # first purchase to the end
            "monetary_value": [27.5, 0.0, 0.0],  # mean of the repeat periods: (25 + 30) / 2
        }
    )
    pd.testing.assert_frame_equal(analysis.rfm_summary(log, observation_end=10), expected)
    # the same purchases on a calendar, in days
    dated = log.assign(date=pd.Timestamp("2024-01-01") + pd.to_timedelta(log["date"], unit="D"))
    pd.testing.assert_frame_equal(
        analysis.rfm_summary(dated, observation_end="2024-01-11", time_unit="D"), expected
    )
    # default end: the last purchase (week 12), and time in units of 2 weeks
    scaled = analysis.rfm_summary(log, time_scaler=2.0)
    assert scaled.loc[scaled["customer_id"] == 1, ["recency", "T"]].values.tolist() == [[3.5, 6.0]]


# ---------------------------------------------------------------------------- files, CLI, plots
def test_design_files_read_grids_and_latin_hypercubes(tmp_path):
    path = tmp_path / "lhs.toml"
    path.write_text(
        "[base]\nreplications = 3\ncustomers = 500\nscenario = 'baseline'\n"
        "[base.market]\ntrial_rate = 0.1\n"
        "[latin_hypercube]\nn = 8\nseed = 2\ndiscount = [0, 0.3]\nmarket.price = [18, 22]\n"
    )
    design, options = read_design(path)
    assert list(design.columns) == ["discount", "market.price"] and len(design) == 8
    assert options["replications"] == 3 and options["n_customers"] == 500
    assert options["market"].trial_rate == 0.1
    bad = tmp_path / "bad.toml"
    bad.write_text("[grid]\nrespect = [0.5]\n[latin_hypercube]\nn = 3\n")
    with pytest.raises(ValueError, match="exactly one design table"):
        read_design(bad)


def test_sweep_command_prints_a_table_writes_files_and_resumes(tmp_path, capsys):
    design = tmp_path / "levers.toml"
    design.write_text(
        "[base]\nreplications = 2\nweeks = 26\ncustomers = 200\n"
        "[grid]\nservice_quality = [0.5, 0.9]\nrespect = [0.3, 0.8]\n"
    )
    out = tmp_path / "out"
    args = ["sweep", str(design), "--out", str(out), "--workers", "1"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    header = next(line for line in printed.splitlines() if line.startswith("point"))
    assert header.split()[:3] == ["point", "service_quality", "respect"]
    assert "Mean [95% confidence interval]" in printed
    for name in ("runs.csv", "summary.csv", "sweep_kpis.png", "sweep_surface_churn.png"):
        assert (out / name).is_file(), name
    runs = pd.read_csv(out / "runs.csv")
    assert runs["point"].nunique() == 4 and set(runs["replication"]) == {0, 1}
    log_size = len((out / "runs.jsonl").read_text().splitlines())
    assert main([*args, "--replications", "3"]) == 0  # one more replication per point
    assert len((out / "runs.jsonl").read_text().splitlines()) == log_size + 4
    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2


def test_sweep_plots_show_intervals_and_response_surfaces(grid_sweep):
    fig = grid_sweep.plot("churn")
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].containers) == 2  # one line per trial rate, with error bars
    surface = grid_sweep.plot_surface("profit")
    assert len(surface.axes[0].images) == 1  # a grid is a heatmap
    scattered = sweep(
        latin_hypercube({"respect": (0.2, 1.0), "discount": (0.0, 0.3)}, n=5, seed=1),
        replications=2,
        weeks=13,
        n_customers=80,
        progress=False,
        workers=1,
    )
    contour = scattered.plot_surface("acquired")
    assert not contour.axes[0].images and contour.axes[0].collections  # filled contours
    assert "respect" in scattered.to_text()


def test_a_grid_refuses_levels_that_are_not_plain_values():
    from crmsim.experiments import grid

    with pytest.raises(ValueError, match="grid levels of 'respect' must be numbers, text or"):
        grid({"respect": [0.5, {"a": 1}]})


def test_a_corrupt_run_log_is_named_with_its_line(tmp_path):
    from crmsim.experiments import sweep

    kwargs = {"replications": 2, "weeks": 13, "n_customers": 60, "progress": False}
    sweep({"respect": [0.3]}, out_dir=tmp_path, **kwargs)
    log = tmp_path / "runs.jsonl"
    log.write_text(log.read_text(encoding="utf-8") + "not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"runs.jsonl line 3 is not a run record"):
        sweep({"respect": [0.3]}, out_dir=tmp_path, **kwargs)


SCRIPT = """
from crmsim import Policy
from crmsim.experiments import compare
{guard}
result = compare({{"a": Policy(respect=0.3), "b": Policy(respect=0.8)}}, replications=2,
                 weeks=13, n_customers=80, workers=2, progress=False)
print("runs", len(result.runs))
"""


@pytest.mark.parametrize("guarded", [False, True])
def test_compare_works_from_a_plain_script_with_or_without_a_main_guard(tmp_path, guarded):
    import subprocess
    import sys
    import textwrap

    body = SCRIPT.format(guard='if __name__ == "__main__":' if guarded else "")
    if guarded:  # indent the calls under the guard
        head, _, calls = body.partition('if __name__ == "__main__":')
        body = head + 'if __name__ == "__main__":\n' + textwrap.indent(calls.strip(), "    ")
    script = tmp_path / "study.py"
    script.write_text(body, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "runs" in done.stdout
    warned = "running in one process" in done.stderr
    assert warned is not guarded  # only the unguarded script falls back, and says so


def test_a_main_guard_is_found_in_either_order(tmp_path):
    from crmsim.experiments.runner import _has_main_guard

    for test in ('__name__ == "__main__"', '"__main__" == __name__'):
        path = tmp_path / "a.py"
        path.write_text(f"import os\nif {test}:\n    print(1)\n", encoding="utf-8")
        assert _has_main_guard(str(path))
    path.write_text("print(1)\n", encoding="utf-8")
    assert not _has_main_guard(str(path))


def test_the_purchase_log_reads_as_real_weeks_in_tools_that_parse_dates(tmp_path):
    """The default export has calendar dates, one Monday per simulated week; read back the
    way BTYD libraries read a CSV (pandas' date parsing, weekly periods), it gives the same
    frequency, recency and T as rfm_summary, and week numbers give them too."""
    model = CRMModel(n_customers=300, rng=9)
    log = analysis.run_with_transactions(model, weeks=40)
    path = tmp_path / "purchases.csv"
    log.to_csv(path, index=False)
    read = pd.read_csv(path, parse_dates=["date"])
    assert read["date"].dt.year.eq(2024).all() and (read["date"].dt.day_of_week == 0).all()
    # frequency, recency and T by hand, as lifetimes' summary_data_from_transaction_data
    period = read["date"].dt.to_period("W")
    end = period.max()
    by = read.assign(period=period).groupby("customer_id")["period"]
    first, last = by.min(), by.max()
    hand = pd.DataFrame(
        {
            "frequency": by.nunique() - 1,
            "recency": [(b - a).n for a, b in zip(first, last, strict=True)],
            "T": [(end - a).n for a in first],
        },
        index=first.index,
    ).astype(float)
    for summary in (
        analysis.rfm_summary(read),
        analysis.rfm_summary(log.assign(date=analysis.transactions(model, start=None)["date"])),
    ):
        mine = summary.set_index("customer_id")[["frequency", "recency", "T"]]
        mine.index = mine.index.astype(hand.index.dtype)
        pd.testing.assert_frame_equal(mine, hand, check_names=False)
    assert hand["frequency"].max() > 5  # repeat buyers, so the check can fail


def test_a_sweep_gives_paired_differences_from_a_reference_point():
    result = sweep(
        {"service_quality": [0.3, 0.9]},
        replications=6,
        weeks=26,
        n_customers=300,
        progress=False,
        workers=1,
    )
    table = result.differences(reference=0)
    assert table.index.names == ["point", "kpi"]
    wide = result.wide()
    by_hand = (wide.xs(1, level="point") - wide.xs(0, level="point"))["revenue"].mean()
    assert table.loc[(1, "revenue"), "mean"] == pytest.approx(by_hand)
    assert table.loc[(1, "revenue"), "mean"] > 0  # better service sells more
    assert "p_holm" in table.columns
    with pytest.raises(ValueError, match="reference must be one of the design points"):
        result.differences(reference=7)


def test_a_sweep_refuses_to_resume_runs_made_by_other_model_code(tmp_path, monkeypatch):
    import json

    import crmsim.experiments.runlog as runlog

    kwargs = {"replications": 2, "weeks": 13, "n_customers": 60, "progress": False}
    sweep({"respect": [0.3]}, out_dir=tmp_path, **kwargs)
    recorded = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))
    assert recorded["model"] == runlog.model_fingerprint()
    sweep({"respect": [0.3]}, out_dir=tmp_path, **kwargs)  # the same code resumes
    monkeypatch.setattr(runlog, "model_fingerprint", lambda: "crmsim 9, code changed")
    with pytest.raises(ValueError, match="runs made by another version of the model"):
        sweep({"respect": [0.3]}, out_dir=tmp_path, **kwargs)
