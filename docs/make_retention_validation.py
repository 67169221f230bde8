"""Measure retention by tenure and how well the fitted model forecasts cohorts (validation.md).

Run from the repository root (about 22 minutes on two cores shared with other work; most of
it is the 16 fits of parts 3 and 4)::

    PYTHONPATH=src python docs/make_retention_validation.py

It prints every number of docs/validation.md §6 and of the parts of §3 about which
parameters ``fit_retention`` fits and how, and writes ``docs/figures/retention_by_tenure.png``,
``docs/figures/retention_sbg_grid.png`` and ``docs/figures/retention_real_cohorts.png``.

1. **Sorting and deepening.** A cohort of everyone in a market of 3,000 starts its
   relationship in week 0 (:func:`crmsim.calibration.simulate_cohort`); the yearly retention
   of year ``t`` is the share of the members present at its start who are still there at its
   end. Each setting is averaged over five seeds, the same five for every setting. The rise
   with tenure has two sources, and each can be switched off: sorting
   (``Population.churn_heterogeneity`` = 0 makes everyone equally prone to leave) and
   deepening (``Market.deepening`` = 0: depth no longer protects).
2. **Which parameter shapes which part of a yearly curve.** Each parameter
   :data:`crmsim.calibration.FITTABLE` offers is moved from its default by the half-width of
   ``fit_retention``'s first box (a factor of 4 for rates, a quarter of the range for shares),
   and the retention of year 1, of years 2-7 and of years 8-12 is measured (13-year cohorts
   of 10,000, seeds 0 and 1 pooled).
3. **Forecasting shifted-beta-geometric curves.** Curves made by
   :func:`crmsim.calibration.sbg_survival` over a grid of (alpha, year-1 retention) are fitted
   by ``fit_retention`` on years 0-7 (one period a year, 52 weeks), and the forecast of years
   8-12 is scored by its mean absolute percentage error (MAPE). The default fit (four
   parameters) is set beside the fit without ``failure_defection`` (the three parameters
   fitted by default before); ``VARIANTS`` holds other ways to fit that can be
   added to ``SBG_VARIANTS``.
4. **Real cohorts.** The two published cohorts of Fader & Hardie (2007)
   (:data:`crmsim.calibration.FADER_HARDIE_2007`) are fitted on years 0-7 by the model, by
   the shifted-beta-geometric model (:func:`crmsim.calibration.fit_sbg`) and by a constant
   yearly retention (the geometric model), and each forecasts years 8-12. Nothing is tuned
   to the later years: the model's defaults were set before (ODD 5.1) and the fit sees years
   0-7 only. The fitted model's forecast is re-simulated with four other seeds to show how
   much of its error is the simulation's luck. The three-parameter fit is set beside it, and
   so is a diagnostic of the ceiling that people moving away put on yearly retention, fitted
   the same way: a market in which nobody leaves by moving (``category_turnover`` = 0 as an
   input).
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from crmsim import Market, Population, scenarios
from crmsim.calibration import (
    DEFAULT_PARAMETERS,
    FADER_HARDIE_2007,
    FITTABLE,
    fit_retention,
    fit_sbg,
    sbg_survival,
    simulate_cohort,
)
from crmsim.calibration import retention as retention_module

FIGURES = Path(__file__).resolve().parent / "figures"
WORKERS = 2

# 1. sorting and deepening
N_CUSTOMERS = 3_000
YEARS = 7
SEEDS = range(5)
#: (label, Population changes, Market changes) of each way to run the cohort.
SWITCHES = (
    ("sorting and deepening (defaults)", {}, {}),
    ("deepening only (alike customers)", {"churn_heterogeneity": 0.0}, {}),
    ("sorting only (no deepening)", {}, {"deepening": 0.0}),
    ("neither", {"churn_heterogeneity": 0.0}, {"deepening": 0.0}),
)
SCENARIOS = ("baseline", "customer_centric")

# 2. which parameter shapes which part
SHAPE_CUSTOMERS = 10_000
SHAPE_SEEDS = (0, 1)

# 3. and 4. forecasts: years 0-7 fitted, 8-12 forecast
PERIODS = 13
FITTED = 8
#: (alpha, year-1 retention) of the shifted-beta-geometric curves: the four corners of
#: alpha 0.3-3 and year-1 retention 0.55-0.9, and the middle.
SBG_GRID = ((0.3, 0.55), (0.3, 0.9), (1.0, 0.7), (3.0, 0.55), (3.0, 0.9))
#: label -> fit_retention keyword arguments of each way to fit.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "three parameters (no failure_defection)": {
        "parameters": ("drift_rate", "competitor_offer_rate", "churn_heterogeneity")
    },
    "two parameters (drift, heterogeneity)": {"parameters": ("drift_rate", "churn_heterogeneity")},
    "absolute gaps": {"loss": "absolute"},
    "category_turnover fitted too": {"parameters": (*DEFAULT_PARAMETERS, "category_turnover")},
    "nobody leaves by moving (input)": {"market": {"category_turnover": 0.0}},
    # the single fits of validation.md §3 on the curve of alike, loyal customers (alpha 3,
    # year-1 retention 0.9): other fourth parameters than failure_defection
    "deepening for failure_defection": {
        "parameters": ("drift_rate", "competitor_offer_rate", "churn_heterogeneity", "deepening")
    },
    "failure_defection for the offer rate": {
        "parameters": ("drift_rate", "churn_heterogeneity", "failure_defection")
    },
}
#: The variants run on the sBG curves and on the real cohorts. The rest of VARIANTS can be
#: added here; each costs five or two more fits (a fit with five parameters about twice the
#: time of the default).
SBG_VARIANTS = ("default", "three parameters (no failure_defection)")
#: For the real cohorts also the market whose customers keep their contract when they move:
#: a diagnostic of the ceiling that moving away puts on yearly retention, fitted on years 0-7
#: like the rest.
REAL_VARIANTS = (
    "default",
    "three parameters (no failure_defection)",
    "nobody leaves by moving (input)",
)
RESIMULATION_SEEDS = (1, 2, 3, 4)
RESIMULATION_CUSTOMERS = 10_000  # fit_retention's default cohort


# ---------------------------------------------------------------------------
# Jobs (module level, so worker processes can import them)
# ---------------------------------------------------------------------------


def cohort(job: dict[str, Any]) -> np.ndarray:
    """Survivors at the start of each year of one seeded cohort."""
    kwargs = scenarios.load(job["scenario"]).kwargs
    market = kwargs["market"].replace(**job["market"])
    population = dataclasses.replace(kwargs["population"], **job["population"])
    return simulate_cohort(
        job["periods"],
        52,
        n_customers=job["n"],
        policy=kwargs["policy"],
        market=market,
        population=population,
        rng=job["seed"],
    )


def fit(job: dict[str, Any]) -> dict[str, Any]:
    """One ``fit_retention`` on years 0-7 of ``job["curve"]``, with its run time."""
    kwargs = dict(job["kwargs"])
    absolute = kwargs.pop("loss", None) == "absolute"
    start = time.perf_counter()
    if absolute:
        # the fit as it was before relative gaps: squared gaps of the survival fractions
        relative = retention_module._log_survival
        retention_module._log_survival = lambda shares, cohort: np.asarray(shares, dtype=float)
    try:
        result = fit_retention(job["curve"], 52, FITTED, **kwargs)
    finally:
        if absolute:
            retention_module._log_survival = relative
    return {"fit": result, "seconds": time.perf_counter() - start}


def resimulate(job: dict[str, Any]) -> np.ndarray:
    """The fitted model's 13-year survival with another seed, as shares."""
    survivors = simulate_cohort(
        PERIODS,
        52,
        n_customers=job["n"],
        market=job["market"],
        population=job["population"],
        rng=job["seed"],
    )
    return survivors / job["n"]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def yearly_retention(survivors: np.ndarray) -> np.ndarray:
    """Retention of each year, ``S(t) / S(t - 1)`` (nan once nobody is left)."""
    survivors = np.asarray(survivors, dtype=float)
    starters = survivors[:-1]
    empty = np.full(len(starters), np.nan)
    return np.divide(survivors[1:], starters, out=empty, where=starters > 0)


def mape(predicted: np.ndarray, observed: np.ndarray) -> float:
    """Mean absolute percentage error of survival over the forecast years 8-12."""
    later = slice(FITTED, None)
    return float(np.mean(np.abs(predicted[later] - observed[later]) / observed[later]))


def mean_retention(shares: np.ndarray, first: int, last: int) -> float:
    """Average yearly retention from year ``first`` to ``last`` (geometric mean)."""
    return float((shares[last] / shares[first - 1]) ** (1.0 / (last - first + 1)))


def geometric_forecast(shares: np.ndarray) -> np.ndarray:
    """Constant yearly retention fitted by maximum likelihood on years 0-7, for 13 years."""
    survivors = shares[:FITTED]
    lost = survivors[:-1] - survivors[1:]
    # each year's starters risk leaving once; the ML churn is losses over exposures
    churn = lost.sum() / survivors[:-1].sum()
    return (1.0 - churn) ** np.arange(PERIODS)


def sbg_curve(alpha: float, year_one: float) -> np.ndarray:
    """Survival of 1,000 people for 13 years under the sBG with this alpha and year-1 retention."""
    beta = alpha * year_one / (1.0 - year_one)
    return 1_000.0 * sbg_survival(alpha, beta, PERIODS)


# ---------------------------------------------------------------------------
# Parts
# ---------------------------------------------------------------------------


def shape_settings() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(parameter, value shown, Market changes, Population changes): defaults, then each moved."""
    market, population = Market(), Population()
    settings = [("defaults", "", {}, {})]
    for name, knob in FITTABLE.items():
        owner = market if knob.owner == "market" else population
        start = getattr(owner, name)
        if knob.log_scale:
            values = [start / 4.0, start * 4.0]
        else:
            width = 0.25 * (knob.high - knob.low)
            values = [max(knob.low, start - width), min(knob.high, start + width)]
        for value in values:
            if value == start:
                continue  # deepening is at its top already
            change = {name: value}
            in_market = knob.owner == "market"
            settings.append(
                (name, f"{value:g}", change if in_market else {}, {} if in_market else change)
            )
    return settings


def main() -> None:
    plt.switch_backend("Agg")
    FIGURES.mkdir(exist_ok=True)
    started = time.perf_counter()

    tenure_jobs = [
        {
            "scenario": scenario,
            "population": population,
            "market": market,
            "seed": seed,
            "periods": YEARS + 1,
            "n": N_CUSTOMERS,
        }
        for scenario in SCENARIOS
        for _label, population, market in SWITCHES
        for seed in SEEDS
    ]
    shapes = shape_settings()
    shape_jobs = [
        {
            "scenario": "baseline",
            "population": population,
            "market": market,
            "seed": seed,
            "periods": PERIODS,
            "n": SHAPE_CUSTOMERS,
        }
        for _name, _value, market, population in shapes
        for seed in SHAPE_SEEDS
    ]
    curves = {f"alpha {a:g}, year 1 {r:g}": sbg_curve(a, r) for a, r in SBG_GRID}
    curves.update({name: np.array(values) * 10.0 for name, values in FADER_HARDIE_2007.items()})
    fit_jobs = [
        {"curve": curve, "kwargs": VARIANTS[variant], "name": name, "variant": variant}
        for name, curve in curves.items()
        for variant in (REAL_VARIANTS if name in FADER_HARDIE_2007 else SBG_VARIANTS)
    ]
    # the longest fits (most parameters) first, so that the two workers end together
    fit_jobs.sort(key=lambda job: -len(job["kwargs"].get("parameters", DEFAULT_PARAMETERS)))

    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        fitted_futures = [pool.submit(fit, job) for job in fit_jobs]
        tenure_runs = list(pool.map(cohort, tenure_jobs))
        shape_runs = list(pool.map(cohort, shape_jobs))
        fits = {
            (job["name"], job["variant"]): future.result()
            for job, future in zip(fit_jobs, fitted_futures, strict=True)
        }
        resimulation_jobs = [
            {
                "market": fits[name, "default"]["fit"].market,
                "population": fits[name, "default"]["fit"].population,
                "seed": seed,
                "n": RESIMULATION_CUSTOMERS,
            }
            for name in FADER_HARDIE_2007
            for seed in RESIMULATION_SEEDS
        ]
        resimulated = list(pool.map(resimulate, resimulation_jobs))

    tenure_part(tenure_runs)
    shape_part(shapes, shape_runs)
    grid_part(curves, fits)
    real_part(curves, fits, resimulated)
    print(f"\nall parts: {(time.perf_counter() - started) / 60:.1f} minutes")


def tenure_part(runs: list[np.ndarray]) -> None:
    per_setting = len(SEEDS)
    retention = {}
    k = 0
    for scenario in SCENARIOS:
        for label, _population, _market in SWITCHES:
            retention[scenario, label] = yearly_retention(np.sum(runs[k : k + per_setting], 0))
            k += per_setting

    years = np.arange(1, YEARS + 1)
    print("1. yearly retention of a week-0 cohort (3,000 customers, 5 seeds pooled)")
    print(f"{'scenario':18} {'setting':34} " + " ".join(f"y{y:<5}" for y in years) + " rise 1->5")
    for (scenario, label), values in retention.items():
        cells = " ".join(f"{v:.3f} " for v in values)
        print(f"{scenario:18} {label:34} {cells} {values[4] - values[0]:+.3f}")

    figure, axes = plt.subplots(1, len(SCENARIOS), figsize=(10, 4), sharey=True)
    for ax, scenario in zip(axes, SCENARIOS, strict=True):
        for (label, _population, _market), style in zip(
            SWITCHES, ("-o", "--s", "-.^", ":v"), strict=True
        ):
            ax.plot(years, retention[scenario, label], style, label=label)
        ax.set_title(scenario)
        ax.set_xlabel("year of the relationship")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of the year's starters who stay the year")
    axes[0].legend(fontsize=8, loc="lower right")
    figure.suptitle("Retention rises with tenure: the prone leave first, relationships deepen")
    figure.tight_layout()
    figure.savefig(FIGURES / "retention_by_tenure.png", dpi=120)
    plt.close(figure)
    print(f"wrote {FIGURES / 'retention_by_tenure.png'}")


def shape_part(
    shapes: list[tuple[str, str, dict[str, Any], dict[str, Any]]], runs: list[np.ndarray]
) -> None:
    print(
        "\n2. yearly retention of a baseline cohort with one parameter moved "
        f"({SHAPE_CUSTOMERS:,} customers, seeds {SHAPE_SEEDS} pooled)"
    )
    print(f"{'parameter':22} {'value':>9} {'year 1':>7} {'2-7':>7} {'8-12':>7}")
    per_setting = len(SHAPE_SEEDS)
    for k, (name, value, _market, _population) in enumerate(shapes):
        survivors = np.sum(runs[k * per_setting : (k + 1) * per_setting], axis=0)
        shares = survivors / survivors[0]
        print(
            f"{name:22} {value:>9} {shares[1]:7.3f} {mean_retention(shares, 2, 7):7.3f} "
            f"{mean_retention(shares, 8, 12):7.3f}"
        )


def grid_part(curves: dict[str, np.ndarray], fits: dict[tuple[str, str], Any]) -> None:
    print("\n3. sBG curves fitted on years 0-7: MAPE of years 8-12 (fit's RMS error on 1-7)")
    names = [name for name in curves if name not in FADER_HARDIE_2007]
    print(f"{'variant':40} " + " ".join(f"{name:>22}" for name in names))
    for variant in SBG_VARIANTS:
        cells = []
        for name in names:
            result = fits[name, variant]["fit"]
            cells.append(f"{100 * result.holdout_mape:5.1f} % ({100 * result.error:3.1f} pts)")
        print(f"{variant:40} " + " ".join(f"{cell:>22}" for cell in cells))
    print("fitted parameters and run time of each fit:")
    for (name, variant), entry in fits.items():
        if name in FADER_HARDIE_2007:
            continue
        result = entry["fit"]
        values = ", ".join(f"{key} {value:.3g}" for key, value in result.parameters.items())
        print(
            f"  {name:22} {variant:38} {values}; {result.evaluations} runs, "
            f"{entry['seconds']:.0f} s"
        )
        if variant == "default":
            late = yearly_retention(result.predicted)[FITTED:]
            truth = yearly_retention(result.observed)[FITTED:]
            print(
                f"  {'':22} {'':38} yearly retention 9-12: model "
                + " ".join(f"{v:.3f}" for v in late)
                + "; sBG "
                + " ".join(f"{v:.3f}" for v in truth)
            )

    figure, axes = plt.subplots(1, len(names), figsize=(15, 3.4), sharey=False)
    years = np.arange(PERIODS)
    for ax, name in zip(axes, names, strict=True):
        result = fits[name, "default"]["fit"]
        observed = result.observed / result.observed[0]
        ax.axvspan(0, FITTED - 1, color="0.92")
        ax.plot(years, observed, "ko", ms=4, label="sBG curve")
        ax.plot(years, result.predicted / result.observed[0], "-", color="tab:blue", label="model")
        ax.set_title(f"{name}\nMAPE 8-12: {100 * result.holdout_mape:.1f} %", fontsize=9)
        ax.set_xlabel("year")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of the cohort still there")
    axes[0].legend(fontsize=8)
    figure.suptitle("fit_retention on years 0-7 (shaded) of shifted-beta-geometric curves")
    figure.tight_layout()
    figure.savefig(FIGURES / "retention_sbg_grid.png", dpi=120)
    plt.close(figure)
    print(f"wrote {FIGURES / 'retention_sbg_grid.png'}")


def real_part(
    curves: dict[str, np.ndarray],
    fits: dict[tuple[str, str], Any],
    resimulated: list[np.ndarray],
) -> None:
    print("\n4. Fader & Hardie (2007) cohorts: fitted on years 0-7, forecast 8-12")
    years = np.arange(PERIODS)
    figure, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    for column, name in enumerate(FADER_HARDIE_2007):
        observed = curves[name] / curves[name][0]
        model = fits[name, "default"]["fit"]
        predicted = model.predicted / model.observed[0]
        sbg = fit_sbg(curves[name], fit_periods=FITTED, n_customers=1_000)
        geometric = geometric_forecast(observed)
        per_cohort = len(RESIMULATION_SEEDS)
        seeds = resimulated[column * per_cohort : (column + 1) * per_cohort]
        seed_mapes = [mape(shares, observed) for shares in seeds]
        values = ", ".join(f"{key} {value:.4g}" for key, value in model.parameters.items())
        seconds = fits[name, "default"]["seconds"]
        print(f"{name}: model fit {values}; {model.evaluations} runs, {seconds:.0f} s")
        print(
            f"  sBG fit alpha {sbg.alpha:.3f}, beta {sbg.beta:.3f}; "
            f"geometric retention {geometric[1]:.3f}"
        )
        print(
            f"  MAPE 8-12: model {100 * model.holdout_mape:.1f} %, "
            f"sBG {100 * sbg.holdout_error:.1f} %, "
            f"geometric {100 * mape(geometric, observed):.1f} %; model's fit error on 1-7 "
            f"{100 * model.error:.2f} pts"
        )
        print(
            "  the same fitted model re-simulated with seeds "
            f"{RESIMULATION_SEEDS}: MAPE " + ", ".join(f"{100 * m:.1f} %" for m in seed_mapes)
        )
        for variant in REAL_VARIANTS[1:]:
            other = fits[name, variant]
            print(
                f"  {variant}: MAPE {100 * other['fit'].holdout_mape:.1f} %, fit error "
                f"{100 * other['fit'].error:.2f} pts ("
                + ", ".join(f"{key} {value:.4g}" for key, value in other["fit"].parameters.items())
                + f"; {other['seconds']:.0f} s)"
            )
        staying = fits[name, "nobody leaves by moving (input)"]["fit"]
        staying_shares = staying.predicted / staying.observed[0]
        print(f"  {'year':>4} {'data':>6} {'model':>6} {'stay':>6} {'sBG':>6} {'geom':>6}")
        for year in years:
            print(
                f"  {year:4d} {observed[year]:6.3f} {predicted[year]:6.3f} "
                f"{staying_shares[year]:6.3f} {sbg.predicted[year]:6.3f} {geometric[year]:6.3f}"
            )
        late = yearly_retention(predicted)
        print(
            "  yearly retention 1-12: data "
            + " ".join(f"{v:.3f}" for v in yearly_retention(observed))
            + "\n                         model "
            + " ".join(f"{v:.3f}" for v in late)
        )

        top, bottom = axes[0, column], axes[1, column]
        for ax in (top, bottom):
            ax.axvspan(0, FITTED - 1, color="0.92", label="fitted years (0-7)")
            ax.grid(alpha=0.3)
        top.plot(years, observed, "ko", label="data")
        top.plot(years, sbg.predicted, "--", color="tab:orange", label="sBG")
        top.plot(years, predicted, "-", color="tab:blue", label="crmsim")
        top.plot(
            years,
            staying_shares,
            "-.",
            color="tab:green",
            lw=1,
            label="crmsim, nobody leaves by moving",
        )
        top.plot(years, geometric, ":", color="0.4", label="constant retention")
        top.set_title(
            f"{name}: MAPE 8-12 crmsim {100 * model.holdout_mape:.1f} %, "
            f"sBG {100 * sbg.holdout_error:.1f} %",
            fontsize=10,
        )
        top.set_ylim(0, 1.02)
        top.set_ylabel("share of the cohort still there")
        steps = years[1:]
        bottom.plot(steps, yearly_retention(observed), "ko", label="data")
        bottom.plot(steps, sbg.retention, "--", color="tab:orange", label="sBG")
        bottom.plot(steps, late, "-", color="tab:blue", label="crmsim")
        bottom.plot(
            steps,
            yearly_retention(staying_shares),
            "-.",
            color="tab:green",
            lw=1,
            label="crmsim, nobody leaves by moving",
        )
        bottom.axhline(
            np.exp(-52 * Market().category_turnover),
            color="tab:red",
            lw=0.8,
            label="ceiling: moving away",
        )
        bottom.set_xlabel("year")
        bottom.set_ylabel("yearly retention")
        bottom.set_ylim(0.55, 1.0)
    axes[0, 0].legend(fontsize=8, loc="upper right")
    axes[1, 0].legend(fontsize=8, loc="lower right")
    figure.suptitle("Fader & Hardie (2007) cohorts: fitted on years 0-7, forecast 8-12")
    figure.tight_layout()
    figure.savefig(FIGURES / "retention_real_cohorts.png", dpi=120)
    plt.close(figure)
    print(f"wrote {FIGURES / 'retention_real_cohorts.png'}")


if __name__ == "__main__":
    main()
