"""Several firms against one: the cost of the firm dimension (crmsim.firms).

Run from the repository root::

    .venv/bin/python benchmarks/firms.py           # 100,000 customers x 52 weeks (a few minutes)
    .venv/bin/python benchmarks/firms.py --quick   # 10,000 customers x 26 weeks, once

It times ``CRMModel(n_customers=100_000, firms=...)`` stepping 52 weeks (after 4 untimed
warm-up weeks, construction excluded) with one firm and with eight, in CPU seconds
(``time.process_time``), the two interleaved, best of three each. The eight firms share the
one firm's market: each advertises an eighth of the default ``Policy.advertising``, so the
market hears of firms about as fast and grows to about as many customers, and the ratio
measures the firm dimension, not a bigger market. Eight firms each advertising at the
default (eight times the advertising, a market with about twice the customers) are timed
too, for comparison. Ends with one line of JSON: ``seconds_1_firm``, ``seconds_8_firms``,
``ratio_8_firms`` (the issue's target: at most 2), ``seconds_8_firms_full_advertising``,
``customers_1_firm`` and ``customers_8_firms`` (active customers at the end). See
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from crmsim import CRMModel, Firm, Policy  # noqa: E402

WARMUP_WEEKS = 4


def timed_run(n: int, weeks: int, firms: int, advertising: float, seed: int) -> tuple[float, int]:
    """CPU seconds to step ``weeks`` weeks of a market of ``firms`` alike firms, and its
    active customers at the end."""
    model = CRMModel(
        n_customers=n,
        firms=[Firm(f"Firm {k + 1}", Policy(advertising=advertising)) for k in range(firms)],
        rng=seed,
        history=False,
    )
    model.run(WARMUP_WEEKS, progress=False)
    start = time.process_time()
    model.run(weeks, progress=False)
    seconds = time.process_time() - start
    return seconds, int(model.frame["active"].iloc[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10,000 x 26 weeks, once")
    parser.add_argument("--seed", type=int, default=1, help="model seed (default 1)")
    args = parser.parse_args(argv)
    n, weeks, repeats = (10_000, 26, 1) if args.quick else (100_000, 52, 3)
    default = Policy().advertising
    cases = {
        "1_firm": (1, default),
        "8_firms": (8, default / 8),
        "8_firms_full_advertising": (8, default),
    }
    best: dict[str, float] = {}
    customers: dict[str, int] = {}
    for _ in range(repeats):
        # interleaved, so that a slow spell of a shared machine hits every case alike
        for name, (firms, advertising) in cases.items():
            seconds, active = timed_run(n, weeks, firms, advertising, args.seed)
            best[name] = min(best.get(name, float("inf")), seconds)
            customers[name] = active
            print(f"{name:26s} {seconds:7.2f} s CPU, {active:,} customers at the end", flush=True)
    figures: dict[str, Any] = {
        "customers": n,
        "weeks": weeks,
        "repeats": repeats,
        **{f"seconds_{name}": round(value, 4) for name, value in best.items()},
        "ratio_8_firms": round(best["8_firms"] / best["1_firm"], 3),
        "ratio_8_firms_full_advertising": round(
            best["8_firms_full_advertising"] / best["1_firm"], 3
        ),
        **{f"customers_{name}": value for name, value in customers.items()},
    }
    print(
        f"8 firms / 1 firm: {figures['ratio_8_firms']:.2f} (target <= 2); "
        f"with each firm advertising fully: {figures['ratio_8_firms_full_advertising']:.2f}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
