"""What pairing by seed buys: paired against independent intervals, sequential and keyed streams.

Run from the repository root::

    .venv/bin/python benchmarks/common_random_numbers.py           # about 5 min on 2 cores
    .venv/bin/python benchmarks/common_random_numbers.py --quick   # smoke test, seconds

Two close pairs of policies, as a strategist would compare them: service quality 0.70
against 0.72, and a discount of 0 against 0.02 (default service). Each policy runs 20
replications (2,000 customers, 156 weeks) on the seeds of ``replication_seeds(0, 20)``;
the second policy of each pair also runs on the seeds of ``replication_seeds(1, 20)``.

* **paired**: the 95 % t interval half-width of the per-replication difference of runs on
  the same seed (what :meth:`crmsim.experiments.ComparisonResult.differences` reports);
* **independent**: the same for differences of runs on different seeds (replication ``r``
  of one policy on the first seeds against replication ``r`` of the other on the second):
  what the difference would cost without common random numbers.

Both for ``streams="sequential"`` (a lone model's default) and ``streams="keyed"`` (the
experiments' default), for profit and quarterly churn; the target of the keyed mode is a
paired half-width at most a third of the independent one. It also times the default run
(2,000 customers, 156 weeks, construction included) in both modes, best of several. It
prints a table and, last, one line of JSON.
See docs/benchmarks.md, "Common random numbers".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

try:
    import crmsim
except ImportError:  # a checkout without installation
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import crmsim

from crmsim import CRMModel, Policy
from crmsim.experiments import compare

PAIRS = {
    "service 0.70 -> 0.72": (Policy(service_quality=0.70), Policy(service_quality=0.72)),
    "discount 0 -> 0.02": (Policy(), Policy(discount=0.02)),
}
KPIS = ("profit", "churn")


def half_width(differences: np.ndarray, confidence: float = 0.95) -> float:
    """Half-width of the t interval of the mean of ``differences``."""
    n = len(differences)
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * differences.std(ddof=1) / np.sqrt(n))


def measure(streams: str, replications: int, weeks: int, n_customers: int, workers: int) -> dict:
    """Paired and independent half-widths of every pair and KPI under ``streams``."""
    policies = {}
    for pair, (before, after) in PAIRS.items():
        policies[f"{pair} | before"] = before
        policies[f"{pair} | after"] = after
    settings = dict(
        replications=replications,
        weeks=weeks,
        n_customers=n_customers,
        progress=False,
        workers=workers,
        streams=streams,
    )
    same = compare(policies, seed=0, **settings).wide()
    after_only = {name: p for name, p in policies.items() if name.endswith("after")}
    other = compare(after_only, seed=1, **settings).wide()
    out = {}
    for pair in PAIRS:
        for kpi in KPIS:
            before = same.loc[f"{pair} | before"][kpi].to_numpy()
            after = same.loc[f"{pair} | after"][kpi].to_numpy()
            after_elsewhere = other.loc[f"{pair} | after"][kpi].to_numpy()
            paired, independent = after - before, after_elsewhere - before
            out[f"{pair} | {kpi}"] = {
                "effect": float(paired.mean()),
                "paired": half_width(paired),
                "independent": half_width(independent),
                "ratio": half_width(paired) / half_width(independent),
                "correlation": float(np.corrcoef(before, after)[0, 1]),
            }
    return out


def default_run_seconds(streams: str, repeats: int) -> float:
    """Best wall time of the default run (2,000 customers, 156 weeks, construction included)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        CRMModel(n_customers=2_000, rng=1, streams=streams).run(156, progress=False)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke test")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes")
    args = parser.parse_args()
    replications, weeks, n_customers, repeats = (
        (4, 26, 300, 2) if args.quick else (20, 156, 2000, 9)
    )

    results: dict = {"replications": replications, "weeks": weeks, "n_customers": n_customers}
    for streams in ("sequential", "keyed"):
        start = time.perf_counter()
        results[streams] = measure(streams, replications, weeks, n_customers, args.workers)
        results[f"{streams}_wall_s"] = time.perf_counter() - start
    # interleaved rounds: a slow spell of a shared machine hits both modes alike
    seconds = {"sequential": float("inf"), "keyed": float("inf")}
    for _ in range(3):
        for streams in seconds:
            seconds[streams] = min(
                seconds[streams], default_run_seconds(streams, repeats // 3 or 1)
            )
    results["seconds_default_run"] = seconds
    results["keyed_slowdown"] = seconds["keyed"] / seconds["sequential"]

    print(
        f"{replications} replications, {n_customers:,} customers, {weeks} weeks; "
        "95 % CI half-widths of the difference (after - before)\n"
    )
    header = f"{'comparison':<32}{'streams':<12}{'effect':>11}{'paired':>11}"
    print(header + f"{'independent':>13}{'ratio':>8}{'corr':>7}")
    for key in results["sequential"]:
        for streams in ("sequential", "keyed"):
            r = results[streams][key]
            scale = 100.0 if key.endswith("churn") else 1.0  # churn in percentage points
            print(
                f"{key:<32}{streams:<12}{r['effect'] * scale:>11.3f}{r['paired'] * scale:>11.3f}"
                f"{r['independent'] * scale:>13.3f}{r['ratio']:>8.2f}{r['correlation']:>7.2f}"
            )
    print("(churn in percentage points; ratio = paired / independent; corr: before vs after)")
    met = all(r["ratio"] <= 1 / 3 for r in results["keyed"].values())
    print(
        "\nTarget (keyed: paired <= 1/3 of independent for every row): "
        + ("met" if met else "NOT met")
    )
    print(
        f"Default run (2,000 x 156, best of {3 * (repeats // 3 or 1)}): sequential "
        f"{seconds['sequential']:.3f} s, keyed {seconds['keyed']:.3f} s "
        f"(x{results['keyed_slowdown']:.2f})"
    )
    results["target_met"] = met
    results["crmsim"] = crmsim.__version__
    print(json.dumps(results))


if __name__ == "__main__":
    main()
