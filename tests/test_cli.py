"""The ``crmsim`` command: runs write results, bad input gets one clear line, Ctrl-C keeps data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import crmsim
from crmsim import plots, scenarios
from crmsim.cli import main
from crmsim.model import FRAME_COLUMNS, CRMModel

SMALL = ["--weeks", "26", "--customers", "200", "--seed", "3"]
RESULT_FILES = {
    "weekly.csv",
    "losses.csv",
    "quarterly_churn.csv",
    "summary.txt",
    *(f"{key}.png" for key in plots.STANDARD_FIGURES),
}


@pytest.fixture
def no_figures(monkeypatch):
    """Skip drawing PNGs in tests about something else: drawing is most of a small run's time."""
    monkeypatch.setattr(plots, "save_standard_figures", lambda frame, out, label=None: [])


def test_run_writes_the_weekly_frame_losses_quarters_figures_and_summary(tmp_path, capsys):
    out = tmp_path / "baseline"
    assert main(["run", "--scenario", "baseline", *SMALL, "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == RESULT_FILES

    weekly = pd.read_csv(out / "weekly.csv")
    assert list(weekly.columns) == list(FRAME_COLUMNS)
    assert list(weekly["week"]) == list(range(26))
    losses = pd.read_csv(out / "losses.csv")
    assert list(losses.columns) == ["week", "customer", "spell_start", "cause", "first_purchase"]
    assert len(losses) == weekly["lost"].sum()
    assert len(pd.read_csv(out / "quarterly_churn.csv")) == 2

    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert scenarios.load("baseline").title in summary
    assert "scenario baseline" in summary and "200 people" in summary and "26 weeks" in summary
    assert f"active customers    {weekly['active'].iloc[-1]:,}" in summary
    assert f"profit              {round(weekly['profit'].sum()):,}" in summary
    assert "customer equity     " in summary and "per customer acquired" in summary
    printed = capsys.readouterr().out
    assert summary.strip() in printed
    assert str(out) in printed


def test_the_same_seed_writes_the_same_weekly_data(tmp_path, no_figures):
    args = ["run", "--weeks", "13", "--customers", "150", "--seed", "9"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    a, b = (pd.read_csv(tmp_path / d / "weekly.csv") for d in ("a", "b"))
    pd.testing.assert_frame_equal(a, b)


def test_results_go_to_results_slash_scenario_by_default(tmp_path, no_figures, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (
        main(["run", "--scenario", "opening_discount", "--weeks", "13", "--customers", "150"]) == 0
    )
    assert (tmp_path / "results" / "opening_discount" / "weekly.csv").is_file()


def test_a_bare_policy_file_runs(tmp_path, no_figures, capsys):
    policy = tmp_path / "kind.toml"
    policy.write_text("service_quality = 0.9\nrespect = 0.8\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--policy", str(policy), *SMALL, "--out", str(out)]) == 0
    assert "Policy from kind.toml" in (out / "summary.txt").read_text(encoding="utf-8")


def test_a_scenario_style_policy_file_brings_its_market(tmp_path, no_figures):
    path = tmp_path / "dear.toml"
    path.write_text(
        '[scenario]\ntitle = "A dearer store"\n[policy]\nservice_quality = 0.8\n'
        "[market]\nprice = 26.0\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(
            ["run", "--policy", str(path), "--weeks", "13", "--customers", "150", "--out", str(out)]
        )
        == 0
    )
    assert (out / "summary.txt").read_text(encoding="utf-8").startswith("A dearer store")
    # The dearer price shows in the revenue per purchase.
    weekly = pd.read_csv(out / "weekly.csv")
    reference = CRMModel(
        n_customers=150, market={"price": 26.0}, policy={"service_quality": 0.8}, rng=0
    )
    reference.run(13, progress=False)
    pd.testing.assert_series_equal(weekly["revenue"], reference.frame["revenue"], check_names=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--scenario", "nope"], "unknown scenario 'nope'"),
        (["run", "--policy", "missing.toml"], "no such policy file: missing.toml"),
        (["run", "--weeks", "many"], "argument --weeks: must be an integer >= 1, got 'many'"),
        (["run", "--customers", "0"], "argument --customers: must be an integer >= 1"),
        (["run", "--network", "ring"], "argument --network: invalid choice"),
        (["run", "--scenario", "baseline", "--policy", "x.toml"], "not allowed with"),
        (["compare", "a.toml"], "no such policy file: a.toml"),
        (["compare", "baseline", "--replications", "1"], "--replications: must be an integer >= 2"),
        (["dance"], "invalid choice: 'dance'"),
    ],
)
def test_bad_input_gives_one_line_on_stderr_and_exit_code_2(
    args, message, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("crmsim: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "results").exists()


def test_bad_values_in_a_policy_file_are_named(tmp_path, capsys):
    path = tmp_path / "greedy.toml"
    path.write_text("discount = 1.5\n", encoding="utf-8")
    assert main(["run", "--policy", str(path)]) == 2
    assert "greedy.toml: Policy.discount must be in [0.0, 0.9], got 1.5" in capsys.readouterr().err
    path.write_text("discount = [\n", encoding="utf-8")
    assert main(["run", "--policy", str(path)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_ctrl_c_keeps_the_weeks_completed(tmp_path, monkeypatch, capsys):
    step = CRMModel.step

    def interrupted_step(self):
        if self.week == 5:
            raise KeyboardInterrupt
        step(self)

    monkeypatch.setattr(CRMModel, "step", interrupted_step)
    out = tmp_path / "out"
    assert main(["run", *SMALL, "--out", str(out)]) == 130
    assert {p.name for p in out.iterdir()} == RESULT_FILES
    assert len(pd.read_csv(out / "weekly.csv")) == 5
    assert "INTERRUPTED after 5 of 26 weeks" in (out / "summary.txt").read_text(encoding="utf-8")
    assert "Interrupted after 5 of 26 weeks" in capsys.readouterr().err


def test_compare_prints_means_with_confidence_intervals(tmp_path, capsys):
    low, high = tmp_path / "low.toml", tmp_path / "high.toml"
    low.write_text("service_quality = 0.3\n", encoding="utf-8")
    high.write_text("[policy]\nservice_quality = 0.9\n", encoding="utf-8")
    args = [
        "compare",
        str(low),
        str(high),
        "--replications",
        "2",
        "--weeks",
        "13",
        "--customers",
        "100",
    ]
    assert main([*args, "--out", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out
    assert "Mean [95% confidence interval]" in printed
    header = next(line for line in printed.splitlines() if line.startswith("KPI"))
    assert header.split() == ["KPI", "low", "high"]
    assert any(line.startswith("profit") and "[" in line for line in printed.splitlines())
    assert "high - low" in printed  # the paired differences
    assert "Holm's correction for testing" in printed
    assert "Return per unit of lever cost over low" in printed
    runs = pd.read_csv(tmp_path / "cmp" / "runs.csv")
    assert set(runs["policy"]) == {"low", "high"} and set(runs["replication"]) == {0, 1}
    assert (tmp_path / "cmp" / "compare.png").is_file()
    assert (tmp_path / "cmp" / "differences.png").is_file()
    returns = pd.read_csv(tmp_path / "cmp" / "returns.csv", index_col="policy")
    assert list(returns.index) == ["high"] and {"extra_spending", "return"} <= set(returns)


def test_scenarios_lists_names_with_titles(capsys):
    assert main(["scenarios"]) == 0
    printed = capsys.readouterr().out
    for name in scenarios.names():
        assert f"{name}  " in printed and scenarios.load(name).title in printed


def test_app_refuses_to_serve_beyond_this_computer(capsys):
    # the dashboard runs simulations for whoever opens it: loopback only, checked up front
    assert main(["app", "--host", "0.0.0.0"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_help_and_no_command(capsys):
    assert main(["--help"]) == 0
    assert "run" in capsys.readouterr().out
    assert main([]) == 2


def test_python_dash_m_crmsim_runs(tmp_path):
    # Point the child at the package under test, installed or not.
    src = str(Path(crmsim.__file__).resolve().parents[1])
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    }
    out = tmp_path / "tmp"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmsim",
            "run",
            "--weeks",
            "13",
            "--customers",
            "200",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "weekly.csv").is_file() and "Baseline" in done.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scenario]\ntitle = 5\n", "[scenario] title must be text, got 5"),
        ('[scenario]\ndescription = ["a"]\n', "[scenario] description must be text"),
        ("policy = 5\n", "[policy] must be a table of fields, got policy = 5"),
        ("[scenario]\nwekes = 52\n", "[scenario] has unknown key(s) ['wekes']"),
        ("[scenario]\nweeks = -5\n", "[scenario] weeks must be an integer >= 1, got -5"),
        ('[scenario]\nweeks = "long"\n', "[scenario] weeks must be an integer >= 1, got 'long'"),
        ("[scenario]\nn_customers = 0\n", "[scenario] n_customers must be an integer >= 1"),
        ("x = " + "[" * 5_000 + "]" * 5_000 + "\n", "nested too deeply"),
    ],
)
def test_a_bad_policy_file_is_refused_in_one_line_naming_file_and_field(
    tmp_path, capsys, text, message
):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--policy", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.toml" in err and message in err
    assert not out.exists()  # nothing written


def test_an_empty_policy_name_is_refused_instead_of_running_the_baseline(tmp_path, capsys):
    assert main(["run", "--policy", "", "--out", str(tmp_path / "out")]) == 2
    assert "--policy must name a TOML file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("customers", ["100000000", str(10**20)])
def test_a_market_too_large_for_the_memory_is_refused_with_an_estimate(
    tmp_path, capsys, monkeypatch, customers
):
    monkeypatch.setattr("crmsim.cli._available_memory", lambda: 8 * 10**9)
    assert main(["run", "--customers", customers, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "would need about" in err and "8.0 GB free" in err
    assert not (tmp_path / "out").exists()


def test_a_run_never_replaces_earlier_results_without_force(tmp_path, no_figures, capsys):
    out = tmp_path / "results"
    args = ["run", "--weeks", "3", "--customers", "60", "--out", str(out)]
    assert main([*args, "--seed", "1"]) == 0
    first = (out / "weekly.csv").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--seed", "2"]) == 2
    assert "already holds results; add --force" in capsys.readouterr().err
    assert (out / "weekly.csv").read_text(encoding="utf-8") == first  # untouched
    assert main([*args, "--seed", "2", "--force"]) == 0
    assert (out / "weekly.csv").read_text(encoding="utf-8") != first


def test_compare_checks_its_output_folder_before_any_run(tmp_path, capsys, monkeypatch):
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    import crmsim.experiments

    def no_runs(*args, **kwargs):
        raise AssertionError("compare ran before checking --out")

    monkeypatch.setattr(crmsim.experiments, "compare", no_runs)
    code = main(["compare", "baseline", "customer_centric", "--out", str(out)])
    assert code == 2 and "already holds results" in capsys.readouterr().err


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (
                (task / "children").read_text().split() if (task / "children").exists() else []
            )
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's bookkeeping is left


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("signum", [15, 9])  # SIGTERM, SIGKILL
def test_a_killed_sweep_keeps_its_finished_runs_and_leaves_no_workers(tmp_path, signum):
    import signal
    import time

    design = tmp_path / "design.toml"
    design.write_text(
        "[base]\nreplications = 6\nweeks = 156\ncustomers = 2000\n"
        "[grid]\nrespect = [0.1, 0.3, 0.5, 0.7, 0.9]\n",
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "crmsim", "sweep", str(design), "--out", str(out),
               "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log = out / "runs.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (log.exists() and log.read_text().count("\n") >= 2):
        time.sleep(0.2)
    assert log.exists(), "no run finished in two minutes"
    family = _descendants(process.pid)
    assert len(family) >= 2  # the workers (and the fork server)
    process.send_signal(signum)
    code = process.wait(timeout=60)
    if signum == signal.SIGTERM:
        assert code == 130  # like Ctrl-C
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in family):
        time.sleep(0.2)
    assert not [pid for pid in family if _alive(pid)], "workers outlived the sweep"
    kept = log.read_text().count("\n")
    assert kept >= 2  # finished runs are kept, and a rerun resumes from them


def _interrupt_after_three_runs(monkeypatch: pytest.MonkeyPatch):
    """Make the fourth run end in a Ctrl-C; returns the real run function."""
    import crmsim.experiments.runner as runner

    real, calls = runner._run_task, []

    def stopped_after_three(task):
        calls.append(task)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(runner, "_run_task", stopped_after_three)
    return real


def test_an_interrupted_compare_keeps_its_runs_and_the_same_command_resumes(
    tmp_path, capsys, monkeypatch, no_figures
):
    import crmsim.experiments.runner as runner

    args = ["compare", "baseline", "customer_centric", "--replications", "3", "--weeks", "13",
            "--customers", "80", "--workers", "1", "--out", str(tmp_path / "cmp")]  # fmt: skip
    real = _interrupt_after_three_runs(monkeypatch)
    assert main(args) == 130
    assert "run the same command again to resume" in capsys.readouterr().err
    assert (tmp_path / "cmp" / "runs.jsonl").read_text().count("\n") == 3
    monkeypatch.setattr(runner, "_run_task", real)
    assert main(args) == 0  # no --force needed: it is the same comparison
    resumed = pd.read_csv(tmp_path / "cmp" / "runs.csv")
    assert len(resumed) == 2 * 3 * len(crmsim.experiments.KPIS)
    capsys.readouterr()
    assert main([*args, "--replications", "3"]) == 0
    assert main(args[:3] + ["opening_discount", *args[3:]]) == 2  # another comparison: refused
    assert "holds runs of a different experiment" in capsys.readouterr().err


def test_a_sweep_resumes_its_own_folder_but_does_not_mix_into_another(tmp_path, capsys):
    design = tmp_path / "design.toml"
    design.write_text(
        "[base]\nreplications = 2\nweeks = 13\ncustomers = 60\n[grid]\nrespect = [0.3, 0.6]\n",
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    args = ["sweep", str(design), "--out", str(out), "--workers", "1"]
    assert main(args) == 0
    assert main(args) == 0  # its own folder: resumed (nothing left to run)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me", encoding="utf-8")
    capsys.readouterr()
    assert main(["sweep", str(design), "--out", str(other), "--workers", "1"]) == 2
    assert "already holds results" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["mine.txt"]


def test_optimize_prints_the_best_policy_writes_the_search_and_resumes(tmp_path, capsys):
    out = tmp_path / "opt"
    args = ["optimize", "--lever", "discount", "0", "0.6", "--trials", "4", "--replications",
            "2", "--weeks", "13", "--customers", "100", "--batch", "2", "--workers", "1",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Best policy: trial" in printed and "discount = " in printed
    assert {"trials.csv", "runners_up.csv", "runs.csv", "search.png", "runs.jsonl"} <= {
        p.name for p in out.iterdir()
    }
    trials = pd.read_csv(out / "trials.csv", index_col="trial")
    assert len(trials) == 4 and trials["discount"].between(0, 0.6).all()
    log = (out / "runs.jsonl").read_text()
    assert main(args) == 0  # its own folder: replayed, nothing run again
    assert (out / "runs.jsonl").read_text() == log
    pd.testing.assert_frame_equal(pd.read_csv(out / "trials.csv", index_col="trial"), trials)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lever", "discunt", "0", "0.2"], "unknown lever 'discunt'"),
        (["--lever", "discount", "0.3", "0.1"], "levers['discount'] must be (low, high) with low"),
        (["--lever", "discount", "0", "1.5"], "Policy.discount must be in [0.0, 0.9], got 1.5"),
        (["--lever", "discount", "0", "x"], "--lever discount: LOW and HIGH must be numbers"),
        (["--lever", "discount", "0", "0.2", "--kpi", "joy"], "kpi must be one of"),
        (["--lever", "discount", "0", "0.2", "--trials", "0"], "--trials: must be an integer"),
        (["--lever", "discount", "0", "0.2", "--budget", "-1"], "budget must be >= 0"),
        ([], "optimize needs at least one --lever"),
    ],
)
def test_optimize_refuses_bad_input_in_one_line_before_writing(tmp_path, capsys, extra, message):
    out = tmp_path / "opt"
    assert main(["optimize", *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crmsim: error: ") and message in err and err.count("\n") == 1
    assert not out.exists()


def test_an_interrupted_optimize_keeps_its_runs_and_the_same_command_resumes(
    tmp_path, capsys, monkeypatch
):
    import crmsim.experiments.runner as runner

    out = tmp_path / "opt"
    args = ["optimize", "--lever", "respect", "0.2", "0.9", "--trials", "3", "--replications",
            "2", "--weeks", "13", "--customers", "80", "--batch", "1", "--workers", "1",
            "--out", str(out)]  # fmt: skip
    real = _interrupt_after_three_runs(monkeypatch)
    assert main(args) == 130
    assert "Run the same command again to resume" in capsys.readouterr().err
    assert (out / "runs.jsonl").read_text().count("\n") == 3
    monkeypatch.setattr(runner, "_run_task", real)
    assert main(args) == 0
    assert (out / "runs.jsonl").read_text().count("\n") == 3 * 2  # each run once
