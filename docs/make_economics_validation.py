"""Measure the model's economics against published results (docs/validation.md, "Economics").

Run from the repository root (about a minute and a half on two quiet cores)::

    PYTHONPATH=src python docs/make_economics_validation.py

Every comparison is paired: the runs of one replication share their seed, so the
differences between settings are not blurred by different random markets. It writes
``docs/figures/economics_*.png`` and prints every number the page quotes, with a verdict
against each target of the issue "Customer economics that match the evidence".
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from crmsim import CRMModel, analysis, scenarios
from crmsim.analysis import ANNUAL_DISCOUNT_RATE as ANNUAL_RATE
from crmsim.analysis import customer_equity
from crmsim.books import cost_per_episode

FIGURES = Path(__file__).resolve().parent / "figures"
N_CUSTOMERS = 1_000
WEEKS = 156
REPLICATIONS = 10
#: The J-curve target asks for 20 replications.
J_REPLICATIONS = 20
PRICES = (12.0, 16.0, 18.0, 20.0, 22.0, 24.0, 28.0, 32.0, 40.0)
#: The price rules and the open market switched off: the model before its economics.
NO_PRICE_RULES = {"price_response": 0.0, "consideration_lapse": 0.0}
CLOSED_MARKET = {"category_turnover": 0.0, "reconsideration": 0.0}
#: The departure hazards scaled together to make retention better (Gupta, Lehmann & Stuart
#: change retention itself; the model's retention emerges from these rules).
HAZARDS = ("drift_rate", "competitor_offer_rate", "failure_defection", "marketer_breach_exit")


def build_model(job: dict[str, Any]) -> CRMModel:
    """The model of one run: ``scenario`` (the baseline by default) with ``market`` and
    ``policy`` changes, on ``seed``, with ``streams`` (sequential by default)."""
    kwargs = scenarios.load(job.get("scenario", "baseline")).kwargs
    kwargs |= {"n_customers": N_CUSTOMERS, "rng": job["seed"]}
    kwargs["market"] = kwargs["market"].replace(**job.get("market", {}))
    kwargs["policy"] = kwargs["policy"].replace(**job.get("policy", {}))
    return CRMModel(**kwargs, history=False, streams=job.get("streams", "sequential"))


def simulate(job: dict[str, Any]) -> dict[str, Any]:
    """One run: ``scenario`` with ``market`` and ``policy`` changes, ``weeks``, ``seed``;
    ``then`` = (week, policy changes) changes the levers from that week on, and
    ``then_market`` = (week, market changes) the market's parameters; ``streams`` picks the
    model's random streams.

    Returns the frame's weekly profit, units (episodes) and active customers, and the
    customer equity at the end (and at each year's end when ``yearly``).
    """
    model = build_model(job)
    weeks = job.get("weeks", WEEKS)
    equity = []
    if "then" in job:
        week, changes = job["then"]
        model.run(week, progress=False)
        model.policy = model.policy.replace(**changes)
        weeks -= week
    if "then_market" in job:
        week, changes = job["then_market"]
        model.run(week, progress=False)
        model.market = model.market.replace(**changes)
        weeks -= week
    for _ in range(weeks // 52 if job.get("yearly") else 1):
        model.run(52 if job.get("yearly") else weeks, progress=False)
        equity.append(customer_equity(model, ANNUAL_RATE)["equity"])
    frame = model.frame
    # an established firm is measured only after its first ``measure_from`` weeks
    start = job.get("measure_from", 0)
    churn = analysis.period_churn(frame, 52)
    return {
        "profit": frame["profit"].to_numpy()[start:],
        "units": frame["episodes"].to_numpy()[start:],
        "active": frame["active"].to_numpy()[start:],
        "acquired": frame["acquired"].to_numpy()[start:],
        "churn": churn.loc[churn["first_week"] >= start, "churn"].dropna().to_numpy(),
        "equity": np.array(equity),
    }


def runs(pool: ProcessPoolExecutor, replications: int = REPLICATIONS, **job: Any) -> list[dict]:
    """The same job on seeds 0 .. replications - 1."""
    return list(pool.map(simulate, [job | {"seed": seed} for seed in range(replications)]))


def total(results: list[dict], key: str) -> np.ndarray:
    return np.array([r[key].sum() for r in results], dtype=float)


def interval(values: np.ndarray, scale: float = 1.0, digits: str = ",.3g") -> str:
    """Mean and 95 % normal interval over replications, as text."""
    values = np.asarray(values, dtype=float) * scale
    mean = values.mean()
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    return f"{mean:{digits}} ({mean - half:{digits}} to {mean + half:{digits}})"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def arc_elasticity(q1: np.ndarray, q2: np.ndarray, p1: float, p2: float) -> np.ndarray:
    """Arc (midpoint) elasticity of quantity to price, one per replication."""
    return ((q2 - q1) / ((q2 + q1) / 2)) / ((p2 - p1) / ((p2 + p1) / 2))


def price_targets(pool: ProcessPoolExecutor, label: str, **market: float) -> dict:
    """Units and profit over three years at each own price, and the three price targets."""
    base = scenarios.load("baseline").kwargs["market"].replace(**market)
    by_price = {}
    for price in PRICES:
        changed = market | {"price": price, "unit_cost": min(base.unit_cost, price)}
        results = runs(pool, market=changed)
        by_price[price] = {"units": total(results, "units"), "profit": total(results, "profit")}
    elasticity = arc_elasticity(by_price[18.0]["units"], by_price[22.0]["units"], 18.0, 22.0)
    at_double = by_price[40.0]["units"] / by_price[20.0]["units"] - 1
    mean_profit = {p: r["profit"].mean() for p, r in by_price.items()}
    best = max(mean_profit, key=mean_profit.get)
    print(f"[{label}] arc price elasticity of units, price 18 vs 22: {interval(elasticity)}; "
          f"target in [-4, -1.5]: {verdict(-4 <= elasticity.mean() <= -1.5)}")  # fmt: skip
    print(f"[{label}] units at twice the competitor's price (40 vs 20): "
          f"{interval(at_double, 100)} %; target at most -80 %: "
          f"{verdict(at_double.mean() <= -0.8)}")  # fmt: skip
    print(f"[{label}] three-year profit by own price: "
          + ", ".join(f"{p:g}: {v:,.0f}" for p, v in mean_profit.items())
          + f"; peak at {best:g}, target in [16, 28]: {verdict(16 <= best <= 28)}")  # fmt: skip
    return by_price


def steady_state(pool: ProcessPoolExecutor, label: str, **market: float) -> np.ndarray:
    """Active customers each week over six years (mean of five seeds), and the verdict."""
    active = np.mean([r["active"] for r in runs(pool, 5, market=market, weeks=312)], axis=0)
    late = active[156:]
    spread = float(np.max(np.abs(late - late.mean())) / late.mean())
    print(f"[{label}] active customers in years 4-6: largest distance from their mean "
          f"{spread:.0%} (week 156: {active[155]:.0f}, week 311: {active[311]:.0f}); "
          f"target within 10 %: {verdict(spread <= 0.10)}")  # fmt: skip
    return active


def share_back_within_a_year(job: dict[str, Any]) -> tuple[int, int]:
    """Departures before the last year of a six-year baseline run on ``job["seed"]`` with
    ``job["market"]``'s changes, and how many of them bought again within 52 weeks (on their
    own or won back); a customer who moves away before coming back is not counted back."""
    model = build_model(job)
    weeks = 312
    last_left: dict[int, int] = {}
    departures = back = 0

    def watch(report: Any) -> None:
        nonlocal departures, back
        for row in report.who("moved"):
            last_left.pop(int(row), None)
        for row in report.who("left"):
            departures += report.week < weeks - 52
            last_left[int(row)] = report.week
        for row in np.concatenate([report.who("returned"), report.who("won_back")]):
            left = last_left.pop(int(row), None)
            back += left is not None and left < weeks - 52 and report.week - left <= 52

    with model.subscribe(watch):
        model.run(weeks, progress=False)
    return departures, back


def returns_within_a_year(pool: ProcessPoolExecutor, label: str, **market: float) -> float:
    """Share of departures back within a year, pooled over five seeds."""
    counts = list(
        pool.map(share_back_within_a_year, [{"seed": s, "market": market} for s in range(5)])
    )
    share = sum(b for _, b in counts) / sum(d for d, _ in counts)
    print(f"[{label}] former customers who buy again within a year of leaving: {share:.0%} of "
          f"{sum(d for d, _ in counts):,} departures (streaming services, an upper bound: "
          f"about 41 %)")  # fmt: skip
    return share


def paired_profit(
    pool: ProcessPoolExecutor, label: str, policy: dict, baseline: np.ndarray
) -> np.ndarray:
    """Three-year profit of the baseline with ``policy``'s changes minus ``baseline`` (the
    baseline's own three-year profit on the same seeds, run once for every comparison)."""
    difference = total(runs(pool, policy=policy), "profit") - baseline
    print(f"  {label}: three-year profit {interval(difference)} against the baseline")
    return difference


def customer_value(result: dict) -> float:
    """Profit of every week measured, discounted at 10 % a year to its first week, plus the
    end's equity."""
    weekly = (1.0 + ANNUAL_RATE) ** (-1.0 / 52.0)
    profit = result["profit"]
    discounted = float((profit * weekly ** np.arange(len(profit))).sum())
    return discounted + float(result["equity"][-1]) * weekly ** len(profit)


def value_elasticities(
    pool: ProcessPoolExecutor, established: int = 0, **market: float
) -> dict[str, np.ndarray]:
    """Elasticity of customer value to retention, margin and acquisition cost, per seed.

    Retention: every departure hazard 20 % lower (:data:`HAZARDS`), the change in value
    over the measured change in yearly retention. Margin: the unit cost lowered by 1 % of
    the net margin of a purchase (price less the goods, service and respect it costs),
    the margin Gupta, Lehmann & Stuart count. Acquisition cost: advertising 1 % cheaper.
    Runs use keyed streams, so a run and its changed twin share each customer's luck, and
    :data:`J_REPLICATIONS` seeds.

    ``established`` > 0 values an established firm rather than a new one: the firm runs
    that many weeks unchanged first, each change applies from then on, and value and
    retention are measured over the :data:`WEEKS` after it. ``market`` changes the
    market of every run (for the diagnostics of §5).
    """
    defaults = scenarios.load("baseline").kwargs["market"].replace(**market)
    policy = scenarios.load("baseline").kwargs["policy"]
    net_margin = defaults.price - cost_per_episode(policy, defaults)
    changes = {
        "base": {},
        "kept": {h: getattr(defaults, h) * 0.8 for h in HAZARDS},
        "margin": {"unit_cost": defaults.unit_cost - 0.01 * net_margin},
        "cheaper": {"advertising_unit_cost": defaults.advertising_unit_cost * 0.99},
    }
    job: dict[str, Any] = {"streams": "keyed"}
    if established:
        job |= {"weeks": established + WEEKS, "measure_from": established}
    results = {
        name: runs(
            pool,
            J_REPLICATIONS,
            market=market if established else market | change,
            **job,
            **({"then_market": (established, change)} if established else {}),
        )
        for name, change in changes.items()
    }
    values = {name: np.array([customer_value(r) for r in rs]) for name, rs in results.items()}
    kept = {name: np.array([1 - r["churn"].mean() for r in rs]) for name, rs in results.items()}
    value = values["base"]
    return {
        "retention": ((values["kept"] - value) / value)
        / ((kept["kept"] - kept["base"]) / kept["base"]),
        "margin": (values["margin"] - value) / value / 0.01,
        "acquisition cost": (values["cheaper"] - value) / value / 0.01,
        "net margin share": np.full(J_REPLICATIONS, net_margin / defaults.price),
        "retention level": kept["base"],
    }


def report_elasticities(label: str, elasticity: dict[str, np.ndarray]) -> float:
    """Print the three elasticities and their ratios; return retention over margin."""
    print(f"[{label}]")
    for name in ("retention", "margin", "acquisition cost"):
        print(f"  to {name}: {interval(elasticity[name])}")
    ratio_retention = elasticity["retention"].mean() / elasticity["margin"].mean()
    ratio_margin = elasticity["margin"].mean() / elasticity["acquisition cost"].mean()
    print(f"  retention / margin {ratio_retention:.2f} (target >= 3: "
          f"{verdict(ratio_retention >= 3)}), margin / acquisition cost {ratio_margin:.0f} "
          f"(target >= 3: {verdict(ratio_margin >= 3)}); yearly retention "
          f"{interval(elasticity['retention level'])}")  # fmt: skip
    return ratio_retention


def j_curve(pool: ProcessPoolExecutor) -> dict[str, np.ndarray]:
    """customer_centric minus baseline by year over five years: cumulative profit and
    cumulative profit plus customer equity, per seed."""
    job = {"weeks": 260, "yearly": True}
    centric = runs(pool, J_REPLICATIONS, scenario="customer_centric", **job)
    base = runs(pool, J_REPLICATIONS, scenario="baseline", **job)

    def by_year(results: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        profit = np.array([r["profit"].reshape(5, 52).sum(axis=1).cumsum() for r in results])
        return profit, profit + np.array([r["equity"] for r in results])

    (profit_c, value_c), (profit_b, value_b) = by_year(centric), by_year(base)
    return {"profit": profit_c - profit_b, "value": value_c - value_b}


GIFTS = ((1.0, 8), (2.0, 8), (2.0, 4), (4.0, 8), (8.0, 4), (20.0, 4))
ADVERTISING = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2)
#: Levers that lose money at the default margins (validation §5).
TRADE_OFFS = {
    "blanket discount 0.05": {"discount": 0.05},
    "discount 0.05 to loyal and marketers": {
        "discount": 0.05,
        "discount_target": ["loyal", "marketer"],
    },
    "win-back 0.2 to all": {"win_back": 0.2},
    "win-back 0.2 to competitor and drift leavers": {
        "win_back": 0.2,
        "win_back_target": ["competitor", "drift"],
    },
}
REWARDS = (0.0, 2.5, 5.0, 10.0, 20.0)


def main() -> None:
    started = time.perf_counter()
    FIGURES.mkdir(exist_ok=True)
    with ProcessPoolExecutor(2) as pool:
        print("== 1. Price response")
        prices = price_targets(pool, "defaults")
        no_rules = price_targets(pool, "without the price rules", **NO_PRICE_RULES)

        print("== 2. An open market")
        renewed = steady_state(pool, "defaults")
        closed = steady_state(pool, "closed market", **CLOSED_MARKET)
        returns_within_a_year(pool, "defaults")
        returns_within_a_year(pool, "reconsideration 0.02", reconsideration=0.02)
        stop = {"then": (156, {"advertising": 0.0}), "weeks": 312}
        silent = np.mean([r["active"] for r in runs(pool, 5, **stop)], axis=0)
        print(f"[advertising stops at week 156] active customers at weeks 156, 208, 260, 311: "
              f"{silent[155]:.0f}, {silent[207]:.0f}, {silent[259]:.0f}, {silent[311]:.0f} "
              f"(with advertising: {renewed[311]:.0f} at week 311)")  # fmt: skip
        baseline = total(runs(pool), "profit")
        print("advertising, three-year profit against 0.01 (the baseline):")
        advertising = {
            level: paired_profit(pool, f"advertising {level}", {"advertising": level}, baseline)
            for level in ADVERTISING
        }
        print("referral reward, three-year profit against none:")
        rewards = {
            reward: paired_profit(pool, f"reward {reward}", {"referral_reward": reward}, baseline)
            for reward in REWARDS
        }

        print("== 3. Customer equity: elasticities of customer value")
        report_elasticities("a new firm, years 1-3 (the target)", value_elasticities(pool))
        report_elasticities("an established firm, years 4-6", value_elasticities(pool, 156))
        report_elasticities(
            "no former customer returns on their own (reconsideration 0)",
            value_elasticities(pool, reconsideration=0.0),
        )
        report_elasticities(
            "four times as many return on their own (reconsideration 0.02)",
            value_elasticities(pool, reconsideration=0.02),
        )

        print("== 4. Relationship investments")
        gaps = j_curve(pool)
        for year in range(5):
            print(f"  customer_centric - baseline after year {year + 1}: cumulative profit "
                  f"{interval(gaps['profit'][:, year])}; with customer equity "
                  f"{interval(gaps['value'][:, year])}")  # fmt: skip

        def first_year_ahead(values: np.ndarray) -> int | None:
            ahead = [y + 1 for y in range(5) if values[:, y].mean() > 0]
            return ahead[0] if ahead else None

        five = gaps["profit"][:, 4]
        low = five.mean() - 1.96 * five.std(ddof=1) / np.sqrt(J_REPLICATIONS)
        print(f"  J-curve: behind in year 1 {verdict(gaps['profit'][:, 0].mean() < 0)}; ahead "
              f"in cumulative profit from year {first_year_ahead(gaps['profit'])}, with "
              f"customer equity from year {first_year_ahead(gaps['value'])}; the interval "
              f"after five years excludes zero: {verdict(low > 0)}")  # fmt: skip
        print("gifts to loyal and marketer customers (value, every n weeks):")
        gifts = {
            (value, every): paired_profit(
                pool,
                f"gift {value:g} every {every}",
                {"gift_value": value, "gift_every": every},
                baseline,
            )
            for value, every in GIFTS
        }
        print("discounts and win-back:")
        for label, policy in TRADE_OFFS.items():
            paired_profit(pool, label, policy, baseline)

    fig, axes = plt.subplots(2, 3, figsize=(13, 7.6), layout="constrained")
    units, profit, market = axes[0]
    units.plot(PRICES, [prices[p]["units"].mean() for p in PRICES], marker="o", label="defaults")
    units.plot(PRICES, [no_rules[p]["units"].mean() for p in PRICES], marker="s",
               label="without the price rules")  # fmt: skip
    units.legend(frameon=False)
    units.set(xlabel="own price (competitor: 20)", ylabel="units bought in three years",
              title="Units by price")  # fmt: skip
    profit.plot(PRICES, [prices[p]["profit"].mean() for p in PRICES], marker="o",
                label="defaults")  # fmt: skip
    profit.plot(PRICES, [no_rules[p]["profit"].mean() for p in PRICES], marker="s",
                label="without the price rules")  # fmt: skip
    profit.axvspan(16, 28, color="0.9", label="target peak")
    profit.set(xlabel="own price", ylabel="three-year profit", title="Profit by price")
    profit.legend(frameon=False)
    weeks = np.arange(312)
    market.plot(weeks, renewed, label="defaults (open market)")
    market.plot(weeks, closed, label="closed market")
    market.plot(weeks, silent, label="advertising stops at week 156")
    market.axvspan(156, 312, color="0.93")
    market.set(xlabel="week", ylabel="active customers", title="Steady state")
    market.legend(frameon=False)

    j_axis, gift_axis, reach_axis = axes[1]
    years = np.arange(1, 6)
    for key, label in (("profit", "cumulative profit"), ("value", "with customer equity")):
        mean = gaps[key].mean(axis=0)
        half = 1.96 * gaps[key].std(axis=0, ddof=1) / np.sqrt(J_REPLICATIONS)
        j_axis.errorbar(years, mean, yerr=half, marker="o", capsize=3, label=label)
    j_axis.axhline(0, color="0.5", lw=0.8)
    j_axis.set(xlabel="year", ylabel="customer_centric − baseline", title="The J-curve")
    j_axis.legend(frameon=False)
    labels = [f"{v:g} / {e} wk" for v, e in GIFTS]
    means = [gifts[g].mean() for g in GIFTS]
    halves = [1.96 * gifts[g].std(ddof=1) / np.sqrt(REPLICATIONS) for g in GIFTS]
    gift_axis.errorbar(range(len(GIFTS)), means, yerr=halves, fmt="o", capsize=3)
    gift_axis.axhline(0, color="0.5", lw=0.8)
    gift_axis.set_xticks(range(len(GIFTS)), labels, rotation=30)
    gift_axis.set(ylabel="three-year profit vs no gifts", title="Gifts: value / how often")
    for levels, results, label in (
        (ADVERTISING, advertising, "advertising (vs 0.01)"),
        (REWARDS, rewards, "referral reward (vs 0)"),
    ):
        reach_axis.plot(range(len(levels)), [results[x].mean() for x in levels], marker="o",
                        label=label)  # fmt: skip
    reach_axis.axhline(0, color="0.5", lw=0.8)
    reach_axis.set(xlabel="level (index: see validation §5)", ylabel="three-year profit",
                   title="Advertising and rewards")  # fmt: skip
    reach_axis.legend(frameon=False)
    fig.savefig(FIGURES / "economics_price_and_market.png", dpi=100)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
