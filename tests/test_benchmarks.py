"""The benchmark scripts run and end with the JSON line docs/benchmarks.md describes.

Only their shape is checked here: speed targets live in the benchmarks themselves, never in
tests, since timings depend on the machine and its load.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def last_json_line(script: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def positive(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_throughput_quick_reports_the_issue_keys():
    figures = last_json_line("throughput.py", "--quick")
    for key in ("steps_per_s_10k", "seconds_default_run", "peak_mb_10k", "ratio_2k"):
        assert positive(figures[key]), key
    # measured only without --quick: present, and null
    for key in ("ratio_100k", "steps_per_s_1m", "seconds_1m_520", "peak_mb_1m"):
        assert key in figures and figures[key] is None, key
    assert figures["quick"] is True
    assert figures["median_seconds_default_run"] >= figures["seconds_default_run"]
    assert figures["seconds_default_run"] == min(figures["round_bests_default_run"])


def test_firms_quick_reports_the_ratio_of_eight_firms_to_one():
    figures = last_json_line("firms.py", "--quick")
    for key in ("seconds_1_firm", "seconds_8_firms", "seconds_8_firms_full_advertising"):
        assert positive(figures[key]), key
    assert figures["ratio_8_firms"] == pytest.approx(
        figures["seconds_8_firms"] / figures["seconds_1_firm"], rel=0.01
    )
    # the eight firms share the one firm's market: about as many customers, not eight times
    assert figures["customers_8_firms"] < 2 * figures["customers_1_firm"]


def test_the_default_run_figure_is_the_best_of_every_round_with_the_median_of_all():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from throughput import merge_default_runs
    finally:
        sys.path.remove(str(BENCHMARKS))
    rounds = [
        {
            "total_s": 0.30,
            "build_s": 0.01,
            "run_s": 0.29,
            "frame_s": 0.004,
            "cpu_s": 0.29,
            "totals": [0.30, 0.35, 0.40],
            "median_s": 0.35,
            "weeks": 156,
        },
        {
            "total_s": 0.18,
            "build_s": 0.002,
            "run_s": 0.178,
            "frame_s": 0.005,
            "cpu_s": 0.18,
            "totals": [0.18, 0.19, 0.21],
            "median_s": 0.19,
            "weeks": 156,
        },
    ]
    merged = merge_default_runs(rounds)
    assert merged["total_s"] == 0.18 and merged["build_s"] == 0.002  # the best round's split
    assert merged["round_bests"] == [0.30, 0.18]
    assert merged["median_s"] == pytest.approx(0.255)  # of all six repeats (rounds: 0.27)
    assert merged["repeats"] == 6  # so the report can say "best of 6"
    # every timing is the best round's own: its frame took 0.005 s, though the other
    # round's took 0.004 s (taking the smaller would report a run that never happened)
    assert (merged["frame_s"], merged["cpu_s"]) == (0.005, 0.18)


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return last_json_line("dashboard.py", "--quick")


@pytest.mark.parametrize("tab_key", ["seconds_change_to_figures", "seconds_change_worst_tab"])
def test_dashboard_quick_times_a_change_up_to_the_figures(dashboard, tab_key):
    assert positive(dashboard[tab_key])
    assert positive(dashboard["model_s"])
    # a change costs at least the simulation it reruns
    assert dashboard[tab_key] >= dashboard["model_s"]
    assert set(dashboard["png_s"]) == set(dashboard["draw_s"])
    assert all(positive(seconds) for seconds in dashboard["png_s"].values())
