"""Regenerate the figures and numbers of docs/validation.md.

Run from the repository root (about 12 minutes on two cores shared with other work)::

    PYTHONPATH=src python docs/make_validation_figures.py

It writes ``docs/figures/validation_*.png`` and prints every number the page quotes.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmsim import CRMModel, Market, Population
from crmsim.calibration import (
    bass_closed_form,
    bass_limit_inputs,
    bass_recursion,
    fit_adoption,
    fit_retention,
    run_recording_failures,
    simulate_cohort,
)
from crmsim.episodes import VOICE_RELIEF

FIGURES = Path(__file__).resolve().parent / "figures"
YEARLY_P, YEARLY_Q = 0.03 / 52, 0.38 / 52  # Sultan, Farley & Lehmann (1990), per week
N_BASS = 100_000
#: (drift_rate, competitor_offer_rate, churn_heterogeneity, seed) of the cohorts whose
#: parameters fit_retention is asked to recover; the third is the default market.
RECOVERED = ("drift_rate", "competitor_offer_rate", "churn_heterogeneity")
RETENTION_CASES = [
    (0.01, 0.02, 1.0, 123),
    (0.002, 0.1, 4.0, 123),
    (0.0025, 0.04, 2.0, 123),
    (0.005, 0.01, 0.5, 123),
    (0.004, 0.04, 3.0, 123),
    (0.02, 0.005, 1.0, 123),
    (0.001, 0.2, 2.0, 123),
    (0.008, 0.08, 6.0, 123),
]


def bass_run(p: float, q: float, weeks: int, n: int = N_BASS, rng: int = 0) -> np.ndarray:
    """Adopter share after 0..weeks weeks of a Bass-limit run."""
    model = CRMModel(n_customers=n, rng=rng, **bass_limit_inputs(p, q))
    model.run(weeks, progress=False)
    return np.r_[0.0, model.frame["active"].to_numpy() / n]


def largest_gap(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b)[1:].max())


def bass_figures() -> np.ndarray:
    weeks = 520
    t = np.arange(weeks + 1)
    start = time.perf_counter()
    model = bass_run(YEARLY_P, YEARLY_Q, weeks)
    seconds = time.perf_counter() - start
    closed = bass_closed_form(t, YEARLY_P, YEARLY_Q)
    half = bass_closed_form(t - 0.5, YEARLY_P, YEARLY_Q)
    recursion = bass_recursion(weeks, YEARLY_P, YEARLY_Q, N_BASS)
    print(f"Bass yearly pair, {N_BASS:,} x {weeks} weeks: {seconds:.1f} s, share {model[-1]:.3f}")
    print(f"  model - F(t):       {100 * largest_gap(model, closed):.2f} points")
    print(f"  model - F(t-1/2):   {100 * largest_gap(model, half):.2f} points")
    print(f"  model - recursion:  {100 * largest_gap(model, recursion):.2f} points")
    print(f"  recursion - F(t):     {100 * largest_gap(recursion, closed):.3f} points")
    print(f"  recursion - F(t-1/2): {100 * largest_gap(recursion, half):.3f} points")

    fast_p, fast_q, fast_weeks = 0.01, 0.3, 52
    ft = np.arange(fast_weeks + 1)
    fast_model = bass_run(fast_p, fast_q, fast_weeks)
    fast_closed = bass_closed_form(ft, fast_p, fast_q)
    fast_half = bass_closed_form(ft - 0.5, fast_p, fast_q)
    fast_recursion = bass_recursion(fast_weeks, fast_p, fast_q, N_BASS)
    print(f"Bass p=0.01, q=0.3 a week, {N_BASS:,} x {fast_weeks} weeks")
    print(f"  model - recursion:  {100 * largest_gap(fast_model, fast_recursion):.2f} points")
    print(f"  model - F(t):       {100 * largest_gap(fast_model, fast_closed):.2f} points")
    print(f"  model - F(t-1/2):   {100 * largest_gap(fast_model, fast_half):.2f} points")
    seed_gaps = [
        largest_gap(bass_run(fast_p, fast_q, fast_weeks, rng=seed), fast_recursion)
        for seed in range(6)
    ]
    print(
        "  model - recursion over seeds 0-5: "
        f"{100 * min(seed_gaps):.2f}-{100 * max(seed_gaps):.2f} points"
    )
    slow_model = bass_run(0.005, 0.1, 104)
    slow_gap = largest_gap(slow_model, bass_recursion(104, 0.005, 0.1, N_BASS))
    print(f"Bass p=0.005, q=0.1 a week, {N_BASS:,} x 104 weeks")
    print(f"  model - recursion:  {100 * slow_gap:.2f} points")
    for k in (2, 5, 20):
        fine = bass_recursion(fast_weeks * k, fast_p / k, fast_q / k)[::k]
        print(
            f"  recursion with {k} steps a week - F(t): {100 * largest_gap(fine, fast_closed):.2f}"
        )
    for p, q in [(0.005, 0.1), (0.01, 0.1), (0.003, 0.1), (0.001, 0.03)]:
        w = 300
        rec = bass_recursion(w, p, q)
        tt = np.arange(w + 1)
        peak = (p + q) ** 2 / (4 * q)
        raw = largest_gap(rec, bass_closed_form(tt, p, q))
        shifted = largest_gap(rec, bass_closed_form(tt - 0.5, p, q))
        print(
            f"  p={p}, q={q}: recursion - F(t) {100 * raw:.2f}, - F(t-1/2) {100 * shifted:.2f},"
            f" peak weekly adoption {100 * peak:.2f} points"
        )

    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex="col", height_ratios=[2, 1])
    years = t / 52
    ax = axes[0, 0]
    ax.plot(years, model, lw=2.5, color="tab:blue", label=f"crmsim, {N_BASS:,} customers")
    ax.plot(years, closed, "k--", lw=1.2, label="Bass closed form F(t)")
    ax.set(ylabel="share who have bought", title="p = 0.03, q = 0.38 a year (weekly steps)")
    ax.legend(loc="upper left")
    ax = axes[1, 0]
    ax.axhline(0, color="grey", lw=0.8)
    ax.plot(years, 100 * (model - closed), color="tab:blue", label="crmsim − F(t)")
    ax.plot(years, 100 * (model - half), color="tab:orange", label="crmsim − F(t − ½ week)")
    ax.plot(years, 100 * (recursion - closed), "k:", label="weekly recursion − F(t)")
    ax.set(xlabel="years", ylabel="gap (points)", ylim=(-1.2, 1.2))
    ax.legend(fontsize=8, loc="lower right")
    ax = axes[0, 1]
    ax.plot(ft, fast_model, lw=2.5, color="tab:blue", label="crmsim")
    ax.plot(ft, fast_recursion, "r:", lw=2, label="weekly recursion")
    ax.plot(ft, fast_closed, "k--", lw=1.2, label="closed form F(t)")
    ax.set(title="p = 0.01, q = 0.3 a week: the week is too coarse")
    ax.legend(loc="lower right")
    ax = axes[1, 1]
    ax.axhline(0, color="grey", lw=0.8)
    ax.plot(ft, 100 * (fast_model - fast_recursion), color="tab:blue", label="crmsim − recursion")
    ax.plot(ft, 100 * (fast_model - fast_closed), "k--", label="crmsim − F(t)")
    ax.set(xlabel="weeks", ylabel="gap (points)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_bass.png", dpi=120)
    plt.close(fig)
    return model


def bass_noise_figure() -> None:
    """Largest gap to the closed form against market size: early sampling noise."""
    sizes = [1_000, 10_000, 100_000]
    t = np.arange(521)
    half = bass_closed_form(t - 0.5, YEARLY_P, YEARLY_Q)
    gaps = {
        n: [largest_gap(bass_run(YEARLY_P, YEARLY_Q, 520, n, s), half) for s in range(6)]
        for n in sizes
    }
    for n, g in gaps.items():
        print(
            f"Bass yearly pair, n={n:,}: largest gap to F(t-1/2) over seeds 0-5: "
            f"{', '.join(f'{100 * x:.2f}' for x in g)} points"
        )
    fig, ax = plt.subplots(figsize=(6, 4))
    for n, g in gaps.items():
        ax.plot([n] * len(g), 100 * np.array(g), "o", color="tab:blue", alpha=0.7)
    ref = np.array(sizes, dtype=float)
    ax.plot(ref, 100 * np.mean(gaps[100_000]) * np.sqrt(100_000 / ref), "k--", lw=1, label="∝ 1/√n")
    ax.axhline(1.0, color="tab:red", lw=1, label="test tolerance (1 point)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="customers",
        ylabel="largest gap (points)",
        title="Bass limit, p = 0.03, q = 0.38 a year: six seeds per size",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_bass_noise.png", dpi=120)
    plt.close(fig)


def course_figure() -> None:
    tables = []
    for seed in range(4):
        model = CRMModel(n_customers=2_000, rng=seed, history=False)
        tables.append(run_recording_failures(model, weeks=156))
        if seed == 0:
            committed, active = model.frame.iloc[-1][["commitment", "active"]].astype(int)
            print(f"Seed 0 at week 156: {committed} of {active} active customers in commitment")
    failures = pd.concat(tables, ignore_index=True)
    # failure_defection is the risk of a customer who said nothing; a complaint left
    # unresolved relieves part of it (episodes.VOICE_RELIEF)
    silent = failures[~failures["complained"]]
    early = silent.loc[silent["stage"].isin(["exploration", "expansion"]), "left"]
    print(
        f"  leave: exploration and expansion together: {100 * early.mean():.1f} % of {len(early):,}"
    )
    exploring_silent = silent[silent["stage"] == "exploration"]
    expected = np.minimum(1.0, 0.9 * exploring_silent["proneness"]).mean()
    print(f"  leave: exploration, silent, expected from their proneness: {100 * expected:.1f} %")
    unhelped = failures[failures["complained"] & ~failures["resolved"]]
    exploring = unhelped.loc[unhelped["stage"] == "exploration", "left"]
    print(
        f"  leave: exploration, complained and not helped: {100 * exploring.mean():.1f} % of "
        f"{len(exploring):,} (the rule: {100 * 0.5 * (1 - VOICE_RELIEF):.0f} %)"
    )
    rows = [("complain after a failure", failures["complained"], 0.40)]
    for stage in ("exploration", "expansion", "commitment"):
        leave = silent.loc[silent["stage"] == stage, "left"]
        rows.append((f"leave: {stage}", leave, 0.50 if stage == "exploration" else None))
    print("Course figures, 4 default runs of 2,000 customers x 156 weeks")
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, values, reference) in enumerate(rows):
        n, share = len(values), float(values.mean()) if len(values) else float("nan")
        se = np.sqrt(share * (1 - share) / n) if n else float("nan")
        print(f"  {label}: {100 * share:.1f} % of {n:,} (s.e. {100 * se:.1f} points)")
        ax.bar(
            i, share, yerr=1.96 * se, capsize=4, color="tab:blue" if reference else "lightsteelblue"
        )
        ax.text(i, 0.02, f"n = {n:,}", ha="center", fontsize=8, color="white")
        if reference is not None:
            ax.plot([i - 0.4, i + 0.4], [reference] * 2, color="tab:red", lw=2)
    ax.plot([], [], color="tab:red", lw=2, label="seed 002 (course)")
    ax.set_xticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.set(
        ylabel="share (95 % interval)",
        ylim=(0, 0.7),
        title="Failures: complaints, and departures after a silent one",
    )
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_course_figures.png", dpi=120)
    plt.close(fig)


def recovery_fit(case: tuple[float, float, float, int]) -> tuple[Any, float]:
    """Fit 9 of 13 quarters of a 50,000-customer cohort made with ``case``; the fit's seconds."""
    drift, offers, heterogeneity, seed = case
    observed = simulate_cohort(
        13,
        13,
        n_customers=50_000,
        market=Market(drift_rate=drift, competitor_offer_rate=offers),
        population=Population(churn_heterogeneity=heterogeneity),
        rng=seed,
    )
    start = time.perf_counter()
    # the three parameters that made the curve (failure_defection stays at its default)
    fit = fit_retention(observed, 13, 9, parameters=RECOVERED)
    return fit, time.perf_counter() - start


def retention_figures() -> None:
    print(
        "Retention recovery: 13 quarters of a 50,000 cohort, the first 9 fitted at the default "
        "budget (10,000 customers, 3 grid points, 4 rounds), fitting the 3 parameters that made it"
    )
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(recovery_fit, RETENTION_CASES))
    names = RECOVERED
    ratios = []
    for case, (fit, seconds) in zip(RETENTION_CASES, results, strict=True):
        ratio = [fit.parameters[name] / true for name, true in zip(names, case, strict=False)]
        ratios.append(ratio)
        print(
            f"  true {case[:3]}: fitted "
            + ", ".join(f"{fit.parameters[name]:.4g}" for name in names)
            + " = ("
            + ", ".join(f"{r:.2f}" for r in ratio)
            + f") x true; error {100 * fit.error:.2f}, held out {100 * fit.holdout_error:.2f} "
            f"points, MAPE {100 * fit.holdout_mape:.1f} %; {fit.evaluations} runs, {seconds:.0f} s"
        )
    ratios = np.array(ratios)
    print(
        "  largest miss: "
        + ", ".join(
            f"{name} {100 * np.max(np.abs(ratios[:, k] - 1)):.0f} %" for k, name in enumerate(names)
        )
    )
    shown, _ = results[0]
    table = shown.table
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.axvspan(0, table["week"][shown.fit_periods - 1], color="0.92", label="fitted periods")
    ax.plot(table["week"], table["observed"] / table["observed"][0], "ko", label="observed")
    ax.plot(
        table["week"],
        table["predicted"] / table["observed"][0],
        "-",
        color="tab:blue",
        lw=2,
        label="fit: "
        + ", ".join(f"{name} {shown.parameters[name]:.3g}" for name in names).replace("_", " "),
    )
    drift, offers, heterogeneity, _ = RETENTION_CASES[0]
    ax.set(
        xlabel="weeks since first purchase",
        ylabel="share of cohort still there",
        ylim=(0, 1.02),
        title=f"fit_retention: made with drift {drift}, offers {offers}, "
        f"heterogeneity {heterogeneity}",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_retention_fit.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    cases = np.arange(len(RETENTION_CASES))
    for k, (name, marker) in enumerate(zip(names, ("o", "s", "^"), strict=True)):
        ax.plot(cases + 0.15 * (k - 1), ratios[:, k], marker, ls="none", label=name)
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.set_xticks(cases, [f"{d:g}\n{o:g}\n{h:g}" for d, o, h, _ in RETENTION_CASES], fontsize=7)
    ax.set(
        ylabel="fitted / true",
        xlabel="true drift, offers, heterogeneity",
        title="fit_retention recovers the parameters of 8 cohorts",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_retention_recovery.png", dpi=120)
    plt.close(fig)


def trait_concentration_check() -> None:
    """Two-year survival of a cohort at trait concentration 1 and 100, in three markets."""
    print("Two-year survival of a 20,000 cohort (seeds 0-1) at trait concentration 1 and 100")
    for drift, offers in [(None, None), (0.01, 0.02), (0.004, 0.04)]:
        market = (
            Market() if drift is None else Market(drift_rate=drift, competitor_offer_rate=offers)
        )
        shares = {
            kappa: [
                simulate_cohort(
                    9,
                    13,
                    n_customers=20_000,
                    market=market,
                    population=Population(trait_concentration=kappa),
                    rng=seed,
                )[8]
                / 20_000
                for seed in range(2)
            ]
            for kappa in (1, 100)
        }
        print(
            f"  drift {market.drift_rate}, offers {market.competitor_offer_rate}: "
            + ", ".join(f"kappa {k}: {100 * np.mean(v):.1f} %" for k, v in shares.items())
        )


def adoption_figure(yearly_run: np.ndarray) -> None:
    adopters = yearly_run[52::52] * N_BASS
    fit = fit_adoption(adopters, N_BASS, period_weeks=52)
    print(
        f"fit_adoption on the yearly curve of the {N_BASS:,} run: p = {52 * fit.advertising:.4f}, "
        f"q = {52 * fit.word_of_mouth:.4f} a year (true 0.03, 0.38); error "
        f"{100 * fit.error:.3f} points"
    )
    ratios = []
    for seed in range(12):
        model = CRMModel(n_customers=20_000, rng=seed, **bass_limit_inputs(0.005, 0.1))
        model.run(104, progress=False)
        f = fit_adoption(model.frame["active"], 20_000)
        ratios.append((f.advertising / 0.005, f.word_of_mouth / 0.1))
    ratios = np.array(ratios)
    print(
        f"fit_adoption over 12 runs of 20,000 (p=0.005, q=0.1 a week): p x "
        f"{ratios[:, 0].min():.3f}-{ratios[:, 0].max():.3f}, q x "
        f"{ratios[:, 1].min():.3f}-{ratios[:, 1].max():.3f}"
    )
    weeks = np.arange(521)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(np.arange(1, 11), adopters / N_BASS, "ko", label="crmsim, end of each year")
    curve = bass_recursion(520, fit.advertising, fit.word_of_mouth, N_BASS)
    ax.plot(
        weeks / 52,
        curve,
        color="tab:blue",
        label=f"fit: p = {52 * fit.advertising:.3f}, q = {52 * fit.word_of_mouth:.3f} a year",
    )
    ax.set(
        xlabel="years",
        ylabel="share who have bought",
        title="fit_adoption: yearly data from p = 0.03, q = 0.38",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_adoption_fit.png", dpi=120)
    plt.close(fig)


def failure_defection_fit(job: tuple[float, int]) -> float:
    """``failure_defection`` fitted alone, as in its test, on a curve made with seed ``job[1]``."""
    truth, seed = job
    market, alike = Market(failure_defection=truth), Population(churn_heterogeneity=0.0)
    observed = simulate_cohort(
        7, 13, n_customers=100_000, market=market, population=alike, rng=seed
    )
    fit = fit_retention(
        observed, 13, parameters=["failure_defection"], population=alike, seeds=(0, 1)
    )
    return fit.parameters["failure_defection"]


def failure_defection_check() -> None:
    print(
        "failure_defection fitted alone (100,000-customer curve of equally prone customers, "
        "7 quarters, 10,000 simulated customers, seeds 0 and 1), observed seeds 9-14"
    )
    jobs = [(truth, seed) for truth in (0.6, 0.35) for seed in range(9, 15)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        fitted = list(pool.map(failure_defection_fit, jobs))
    for truth in (0.6, 0.35):
        values = [f for (t, _), f in zip(jobs, fitted, strict=True) if t == truth]
        print(
            f"  true {truth}: "
            + ", ".join(f"{v:.3f}" for v in values)
            + f"; largest miss {max(abs(v - truth) for v in values):.3f}"
        )


def main() -> None:
    plt.switch_backend("Agg")
    FIGURES.mkdir(parents=True, exist_ok=True)
    yearly = bass_figures()
    bass_noise_figure()
    course_figure()
    adoption_figure(yearly)
    trait_concentration_check()
    failure_defection_check()
    retention_figures()


if __name__ == "__main__":
    main()
