"""Policy experiments the way a strategist should run them: replications, common random numbers.

One run of an agent-based model is one story among many; two policies compared on one run
each may differ by luck alone. Everything here runs each setting many times and, in
replication ``r``, gives every setting the same seed (common random numbers): the same market,
the same people with the same traits, the same network. Differences between settings then owe
less to luck.

* :func:`compare` runs named policies and reports every KPI of :data:`KPIS` with a 95 %
  confidence interval; :meth:`ComparisonResult.differences` pairs the runs replication by
  replication for tighter intervals.
* :func:`sweep` runs a *design* — a grid (:func:`grid`) or a Latin hypercube
  (:func:`latin_hypercube`) over Policy fields and ``market.`` fields — writes every finished run
  to ``out_dir`` as it goes, and resumes an interrupted sweep without redoing finished runs.
  :func:`read_design` reads a design from a TOML file (the ``crmsim sweep`` command).
* :func:`sensitivity` measures how much churn and profit depend on each parameter (Morris
  elementary effects or Sobol indices, with SALib).

Runs are spread over local processes (all cores by default) or over a Dask distributed cluster
(``scheduler=`` an address or a ``distributed.Client``); every run depends on its seed alone, so
the results are the same, number for number, however they were computed. In a script, call these
functions under ``if __name__ == "__main__":``: worker processes import the main module.

Examples
--------
>>> from crmsim import Policy
>>> result = compare(
...     {"plain": Policy(service_quality=0.5), "better": Policy(service_quality=0.9)},
...     replications=3, weeks=26, n_customers=200, progress=False, workers=1,
... )
>>> sorted(result.summary().columns)
['ci_high', 'ci_low', 'mean', 'n', 'std']
>>> points = sweep({"respect": [0.3, 0.9]}, replications=2, weeks=13, n_customers=100,
...                progress=False, workers=1)
>>> points.design.to_dict("list")
{'respect': [0.3, 0.9]}
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import multiprocessing
import numbers
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmsim import analysis
from crmsim.attribution import REFERRAL_MOTIVES, REPEAT_MOTIVES
from crmsim.books import COST_COLUMNS
from crmsim.levers import Market, Policy, Population
from crmsim.model import CRMModel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "KPIS",
    "ComparisonResult",
    "SensitivityResult",
    "SweepResult",
    "compare",
    "grid",
    "latin_hypercube",
    "read_design",
    "replication_seeds",
    "run_kpis",
    "sensitivity",
    "sweep",
]

_COST_MEANING = {
    "cost_goods": "cost of goods sold",
    "cost_service": "cost of the service delivered",
    "cost_respect": "cost of respect and personal treatment",
    "cost_recovery": "cost of handling complaints",
    "cost_gifts": "cost of gifts (CEM)",
    "cost_rewards": "referral rewards paid (CAM)",
    "cost_win_back": "cost of win-back offers",
    "cost_advertising": "cost of advertising",
}

#: The KPIs of one run, with what each measures (and its unit, in the last parentheses), in
#: display order. Churn follows the course's definition (seed 001, see
#: :func:`crmsim.analysis.period_churn`); the ``repeat_*`` and ``referrals_*`` KPIs are the CEM
#: and CAM KPIs of seed 004 (see :mod:`crmsim.attribution`). ``clv`` is a historical customer
#: lifetime value: the margin the run's customers brought — revenue less every cost but
#: advertising (goods, service, respect, complaints, gifts, rewards, win-back) — per customer
#: acquired, undiscounted and cut off at the run's end; ``acquisition_cost`` is advertising per
#: customer acquired, so ``clv - acquisition_cost`` is profit per customer acquired.
KPIS: dict[str, str] = {
    "churn": "mean quarterly churn, course definition (share)",
    "churn_year": "mean yearly churn, course definition; runs under 52 weeks have none (share)",
    "acquired": "new customers over the run (customers)",
    "won_back": "former customers won back over the run (customers)",
    "lost": "customers lost over the run (customers)",
    "net_growth": "mean quarterly net growth, (end - start) / start of each quarter (share)",
    "referrals": "friends referred over the run (people)",
    "negative_wom": "people told negative word of mouth (people)",
    "revenue": "revenue over the run (money)",
    **{name: f"{_COST_MEANING.get(name, name)} over the run (money)" for name in COST_COLUMNS},
    "cost": "cost over the run (money)",
    "profit": "profit over the run (money)",
    "clv": "margin before advertising per customer acquired (money)",
    "acquisition_cost": "advertising per customer acquired (money)",
    "final_active": "active customers at the end (customers)",
    "final_marketers": "marketer customers at the end (customers)",
    "final_tenure": "mean tenure of active customers at the end (weeks)",
    "mean_tenure": "mean tenure of everyone who ever bought, at the end (weeks)",
    "repeat_purchases": "repeat purchases over the run (purchases)",
    **{f"repeat_{m}": f"CEM: repeat purchases due to {m} (purchases)" for m in REPEAT_MOTIVES},
    "repeat_spend": "spend on repeat purchases over the run (money)",
    **{f"repeat_spend_{m}": f"CEM: repeat spend due to {m} (money)" for m in REPEAT_MOTIVES},
    **{
        f"referrals_{m}": f"CAM: referrals due to {'financial benefit' if m == 'reward' else m} "
        "(people)"
        for m in REFERRAL_MOTIVES
    },
}

#: KPIs that are shares (shown as percentages) and KPIs shown with one decimal.
_SHARE_KPIS = frozenset({"churn", "churn_year", "net_growth"})
_DECIMAL_KPIS = frozenset({"final_tenure", "mean_tenure", "clv", "acquisition_cost"})
#: Frame columns summed over the run into a KPI of the same name.
_SUMMED = (
    "acquired",
    "won_back",
    "lost",
    "referrals",
    "negative_wom",
    "revenue",
    *COST_COLUMNS,
    "cost",
    "profit",
    "repeat_purchases",
    *(f"repeat_{m}" for m in REPEAT_MOTIVES),
    "repeat_spend",
    *(f"repeat_spend_{m}" for m in REPEAT_MOTIVES),
    *(f"referrals_{m}" for m in REFERRAL_MOTIVES),
)

#: Shortest run: churn is measured per quarter, so a run needs at least one.
MIN_WEEKS = 13


def replication_seeds(seed: int, replications: int) -> list[int]:
    """The seed of each replication, derived from ``seed`` with NumPy's ``SeedSequence``.

    ``SeedSequence.spawn`` gives statistically independent streams for the replications,
    which consecutive integers (``seed``, ``seed + 1``, ...) do not promise.

    Examples
    --------
    >>> replication_seeds(0, 3) == replication_seeds(0, 3)
    True
    >>> len(set(replication_seeds(0, 100)))
    100
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def _mean_or_nan(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else float("nan")


def _per_customer(total: float, customers: float) -> float:
    return total / customers if customers else float("nan")


def run_kpis(model: CRMModel) -> dict[str, float]:
    """The KPIs of :data:`KPIS` for a model that has run.

    Parameters
    ----------
    model : CRMModel
        A model after ``model.run(weeks)``.

    Returns
    -------
    dict of str to float
        One value per KPI, in the order of :data:`KPIS`. Undefined values are NaN: ``churn``
        and ``net_growth`` if no complete quarter started with customers, ``churn_year`` if no
        complete year did (so always in runs under 52 weeks), ``clv`` and ``acquisition_cost``
        if nobody was acquired, the tenures if nobody is active or ever bought.

    Examples
    --------
    >>> model = CRMModel(n_customers=200, rng=3, history=False)
    >>> model.run(26, progress=False)
    >>> kpis = run_kpis(model)
    >>> list(kpis) == list(KPIS)
    True
    >>> bool(kpis["repeat_respect"] + kpis["repeat_discount"] + kpis["repeat_gift"]
    ...      <= kpis["repeat_purchases"])
    True
    """
    frame = model.datacollector.get_model_vars_dataframe()
    if len(frame) == 0:
        raise ValueError("the model has not run yet: call model.run(weeks) first")
    quarters = analysis.period_churn(frame, 13)
    years = analysis.period_churn(frame, 52)
    started = quarters[quarters["start"] > 0]
    growth = (started["end"] - started["start"]) / started["start"]
    totals = {name: float(frame[name].sum()) for name in _SUMMED}
    state = model.state
    active = state.active_mask()
    ever = state.first_purchase_week >= 0
    margin = totals["revenue"] - (totals["cost"] - totals["cost_advertising"])
    kpis = {
        "churn": _mean_or_nan(quarters["churn"]),
        "churn_year": _mean_or_nan(years["churn"]),
        "net_growth": _mean_or_nan(growth),
        "clv": _per_customer(margin, totals["acquired"]),
        "acquisition_cost": _per_customer(totals["cost_advertising"], totals["acquired"]),
        "final_active": float(frame["active"].iloc[-1]),
        "final_marketers": float(frame["marketer"].iloc[-1]),
        "final_tenure": float(state.tenure[active].mean()) if active.any() else float("nan"),
        "mean_tenure": float(state.tenure[ever].mean()) if ever.any() else float("nan"),
        **totals,
    }
    return {kpi: kpis[kpi] for kpi in KPIS}


def _interval(values: pd.Series, confidence: float) -> pd.Series:
    """Mean, standard deviation and a t-based confidence interval of one KPI's runs."""
    values = values.dropna()
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    std = float(values.std(ddof=1)) if n > 1 else float("nan")
    if n > 1:
        from scipy import stats  # imported here: it takes a second to load, and few calls need it

        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / np.sqrt(n)
    else:
        half = float("nan")
    return pd.Series(
        {"n": n, "mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}
    )


def _check_confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(f"confidence must be a number in (0, 1), got {confidence!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return float(confidence)


def _check_kpi(kpi: str) -> None:
    if kpi not in KPIS:
        raise ValueError(f"kpi must be one of {list(KPIS)}, got {kpi!r}")


def _unit(kpi: str) -> str:
    """The unit of a KPI: the last parenthesis of its description."""
    return KPIS[kpi].rsplit("(", 1)[-1].rstrip(")")


def _formatter(kpi: str) -> Any:
    """Tick labels for a KPI: percentages for shares, thousands separators for the rest."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if kpi in _SHARE_KPIS:
        return PercentFormatter(1.0)  # as many decimals as the ticks need: 22.5 %, not 23 %
    # thousands separators for money and counts, decimals kept for small values
    return FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}")


def _format_axis(axis: Any, kpi: str) -> None:
    axis.set_major_formatter(_formatter(kpi))


#: Strong colours first; black is kept for the means and their intervals.
_COLOUR_ORDER = ("orange", "blue", "bluish_green", "vermillion", "reddish_purple", "sky_blue")


@dataclass
class ComparisonResult:
    """The outcome of :func:`compare`: every run's KPIs, and ways to read them.

    Attributes
    ----------
    runs : pandas.DataFrame
        Tidy: one row per policy, replication and KPI, columns ``policy``, ``replication``,
        ``kpi`` and ``value``.
    policies : list of str
        Policy names in the order given.
    seeds : list of int
        The model seed of each replication (the same for every policy): rerun one with
        ``CRMModel(policy=..., rng=seeds[r], ...)``.
    weeks, n_customers, seed : int
        The settings of the comparison.
    """

    runs: pd.DataFrame = field(repr=False)
    policies: list[str]
    seeds: list[int] = field(repr=False)
    weeks: int
    n_customers: int
    seed: int

    @property
    def replications(self) -> int:
        return len(self.seeds)

    def _check_kpi(self, kpi: str) -> None:
        _check_kpi(kpi)

    def wide(self) -> pd.DataFrame:
        """The runs with one column per KPI and one row per policy and replication."""
        table = self.runs.pivot_table(
            index=["policy", "replication"], columns="kpi", values="value", sort=False, dropna=False
        )
        return table.reindex(columns=list(KPIS)).reindex(self.policies, level="policy")

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Mean, standard deviation and confidence interval of every KPI under every policy.

        The interval is the mean ± t(n - 1) · std / √n, Student's t interval over the
        replications (runs whose KPI is undefined, e.g. churn with no customers, are left out
        and ``n`` counts the rest).

        Parameters
        ----------
        confidence : float
            Coverage of the interval, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``(policy, kpi)``; columns ``n``, ``mean``, ``std``, ``ci_low`` and
            ``ci_high``.
        """
        confidence = _check_confidence(confidence)
        grouped = self.runs.groupby(["policy", "kpi"], sort=False)["value"]
        table = grouped.apply(_interval, confidence=confidence).unstack()
        order = pd.MultiIndex.from_product([self.policies, list(KPIS)], names=["policy", "kpi"])
        table = table.reindex(order)[["n", "mean", "std", "ci_low", "ci_high"]]
        return table.astype({"n": int})

    def differences(self, reference: str | None = None, confidence: float = 0.95) -> pd.DataFrame:
        """Each policy minus a reference policy, paired replication by replication.

        Because replication ``r`` of every policy used the same seed, the paired difference
        cancels much of the luck both runs shared, so its interval is usually far narrower
        than the two separate intervals suggest. KPIs undefined in every run (yearly churn of
        runs shorter than a year) are left out.

        Parameters
        ----------
        reference : str, optional
            The policy to compare against; the first one by default.
        confidence : float
            Coverage of the interval, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``(policy, kpi)`` for every policy but the reference; columns ``n``,
            ``mean`` (mean difference), ``std``, ``ci_low`` and ``ci_high``.
        """
        confidence = _check_confidence(confidence)
        reference = self.policies[0] if reference is None else reference
        if reference not in self.policies:
            raise ValueError(f"reference must be one of {self.policies}, got {reference!r}")
        wide = self.wide()
        defined = [kpi for kpi in KPIS if wide[kpi].notna().any()]
        base = wide.xs(reference, level="policy")
        rows = {}
        for name in self.policies:
            if name == reference:
                continue
            diff = wide.xs(name, level="policy") - base
            for kpi in defined:
                rows[(name, kpi)] = _interval(diff[kpi], confidence)
        table = pd.DataFrame.from_dict(rows, orient="index")
        if len(table):
            table.index = pd.MultiIndex.from_tuples(table.index, names=["policy", "kpi"])
            table = table.astype({"n": int})
        return table

    def to_text(self, confidence: float = 0.95, kpis: Sequence[str] | None = None) -> str:
        """The summary as a plain-text table: KPI rows, policy columns, ``mean [low, high]``.

        Parameters
        ----------
        confidence : float
            Coverage of the intervals, in (0, 1).
        kpis : sequence of str, optional
            The KPIs to list; all of :data:`KPIS` by default.
        """
        summary = self.summary(confidence)
        kpis = list(KPIS) if kpis is None else list(kpis)
        for kpi in kpis:
            _check_kpi(kpi)
        header = ["KPI", *self.policies]
        rows = []
        for kpi in kpis:
            cells = [kpi]
            for name in self.policies:
                row = summary.loc[(name, kpi)]
                cells.append(_format_interval(kpi, row["mean"], row["ci_low"], row["ci_high"]))
            rows.append(cells)
        return _text_table(header, rows)

    def plot(self, kpi: str, ax: Axes | None = None, confidence: float = 0.95) -> Figure | Axes:
        """One KPI under each policy: every replication as a dot, the mean with its interval.

        Parameters
        ----------
        kpi : str
            One of :data:`KPIS`.
        ax : matplotlib.axes.Axes, optional
            Draw into these axes instead of a new figure.
        confidence : float
            Coverage of the interval bars, in (0, 1).

        Returns
        -------
        matplotlib.figure.Figure or matplotlib.axes.Axes
            A new figure, or ``ax`` when it was given.
        """
        # Imported here so that running a comparison does not load matplotlib.
        from crmsim import plots

        self._check_kpi(kpi)
        summary = self.summary(confidence).xs(kpi, level="kpi")
        wide = self.wide()[kpi]
        colours = [plots.OKABE_ITO[c] for c in _COLOUR_ORDER]
        with plots.figure_style():
            if ax is None:
                fig = plots.make_figure(figsize=(max(6.0, 1.8 * len(self.policies) + 2.5), 5.0))
                axis = fig.subplots()
            else:
                fig, axis = ax.figure, ax
            jitter = np.random.default_rng(0).uniform(-0.12, 0.12, size=self.replications)
            for i, name in enumerate(self.policies):
                values = wide.xs(name, level="policy").to_numpy(dtype=float)
                colour = colours[i % len(colours)]
                axis.scatter(
                    i + jitter[: len(values)],
                    values,
                    s=22,
                    color=colour,
                    alpha=0.5,
                    label="replications" if i == 0 else None,
                )
                row = summary.loc[name]
                axis.errorbar(
                    i + 0.3,
                    row["mean"],
                    yerr=[[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]],
                    fmt="o",
                    color="black",
                    markersize=8,
                    capsize=8,
                    linewidth=2.2,
                    label=f"mean, {confidence:.0%} confidence interval" if i == 0 else None,
                )
            axis.set_xticks(range(len(self.policies)), self.policies)
            axis.set_xlim(-0.6, len(self.policies) - 0.4)
            axis.set_xlabel("policy")
            axis.set_ylabel(KPIS[kpi])
            _format_axis(axis.yaxis, kpi)
            axis.set_title(
                f"{kpi}: {self.replications} replications of {self.weeks} weeks, "
                f"{self.n_customers:,} customers"
            )
            axis.grid(axis="x", visible=False)
            plots.legend_outside(axis)
        return fig if ax is None else ax

    def plot_kpis(self, kpis: list[str] | None = None, confidence: float = 0.95) -> Figure:
        """Several KPIs side by side, each as in :meth:`plot`: one file to look at.

        Parameters
        ----------
        kpis : list of str, optional
            KPIs to show; all of :data:`KPIS` by default.
        confidence : float
            Coverage of the interval bars, in (0, 1).

        Returns
        -------
        matplotlib.figure.Figure
            A grid with one panel per KPI.
        """
        from crmsim import plots

        kpis = list(KPIS) if kpis is None else list(kpis)
        if not kpis:
            raise ValueError("kpis must name at least one KPI")
        for kpi in kpis:
            self._check_kpi(kpi)
        columns = min(3, len(kpis))
        rows = -(-len(kpis) // columns)
        width = max(4.0, 1.4 * len(self.policies) + 1.6)
        with plots.figure_style():
            fig = plots.make_figure(figsize=(width * columns, 3.4 * rows))
            axes = fig.subplots(rows, columns, squeeze=False).ravel()
            for kpi, ax in zip(kpis, axes, strict=False):
                self.plot(kpi, ax=ax, confidence=confidence)
                ax.set_title(kpi, fontsize=12)
                ax.set_xlabel("")
                ax.set_ylabel(_unit(kpi))
                ax.get_legend().remove()  # the title says what dots and bars are
            for ax in axes[len(kpis) :]:
                ax.set_visible(False)
            fig.suptitle(
                f"{self.replications} replications of {self.weeks} weeks, "
                f"{self.n_customers:,} customers: each dot one run, black the mean "
                f"with its {confidence:.0%} confidence interval"
            )
        return fig


def _format_value(kpi: str, value: float) -> str:
    if kpi in _SHARE_KPIS:
        return f"{value:.1%}"
    if kpi in _DECIMAL_KPIS:
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def _format_interval(kpi: str, mean: float, low: float, high: float) -> str:
    if not np.isfinite(mean):
        return "n/a"
    if not np.isfinite(low):
        return _format_value(kpi, mean)
    return f"{_format_value(kpi, mean)} [{_format_value(kpi, low)}, {_format_value(kpi, high)}]"


def _show(value: Any) -> str:
    """A design value for a label: numbers short (0.3, 18), anything else as text."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _positive_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------- running runs
@dataclass(frozen=True)
class _Task:
    """One run: everything a worker process or a Dask worker needs, and nothing else."""

    point: int
    replication: int
    policy: Policy
    market: Market | None
    population: Population | None
    network: Any
    n_customers: int
    weeks: int
    seed: int


def _run_task(task: _Task) -> dict[str, float]:
    """Run one model and return its KPIs (module level, so worker processes can import it)."""
    model = CRMModel(
        n_customers=task.n_customers,
        policy=task.policy,
        market=task.market,
        population=task.population,
        network=task.network,
        history=False,  # journeys in words are not needed for KPIs, and cost time
        rng=task.seed,
    )
    model.run(task.weeks, progress=False)
    return run_kpis(model)


def _check_workers(workers: Any) -> int:
    if workers is None:
        count = os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()
        return max(1, count or 1)
    return _positive_int("workers", workers, 1)


def _process_context() -> multiprocessing.context.BaseContext:
    """'forkserver' where there is one (Linux, macOS), else 'spawn'; never plain 'fork'.

    Forking a process that runs threads (tqdm's monitor, a Jupyter kernel, Dask) can deadlock.
    The fork server imports crmsim once, so each worker starts in milliseconds, not seconds.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crmsim.experiments"])
        return context
    return multiprocessing.get_context("spawn")


def _check_scheduler(scheduler: Any) -> None:
    if scheduler is None or isinstance(scheduler, str):
        return
    if hasattr(scheduler, "submit") or hasattr(scheduler, "scheduler_address"):
        return  # a distributed.Client, or a cluster (LocalCluster, ...) to connect to
    raise ValueError(
        "scheduler must be a Dask scheduler address such as 'tcp://10.0.0.5:8786', "
        f"a distributed.Client or a cluster, got {scheduler!r}"
    )


def _run_on_dask(
    tasks: list[_Task], scheduler: Any, finished: Callable[[_Task, dict[str, float]], None]
) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as err:  # pragma: no cover - dask is in the dev and scale extras
        raise ImportError(
            "running on a Dask cluster needs dask.distributed: pip install 'crmsim[scale]'"
        ) from err
    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    futures: list[Any] = []
    try:
        # pure=False: two identical tasks (a design that repeats a point) are still two runs
        futures = [client.submit(_run_task, task, pure=False) for task in tasks]
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            finished(by_key[future.key], future.result())
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)
        if own:
            client.close()


def _run_in_processes(
    tasks: list[_Task], workers: int, finished: Callable[[_Task, dict[str, float]], None]
) -> None:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_process_context())
    try:
        futures = {pool.submit(_run_task, task): task for task in tasks}
        for future in as_completed(futures):
            finished(futures[future], future.result())
    finally:
        # On an error or Ctrl-C: drop the runs not started, let the running ones end.
        pool.shutdown(wait=True, cancel_futures=True)


def _execute(
    tasks: list[_Task],
    finished: Callable[[_Task, dict[str, float]], None],
    *,
    workers: int,
    scheduler: Any,
    progress: bool,
    done: int = 0,
) -> None:
    """Run ``tasks``, calling ``finished(task, kpis)`` in this process as each run ends.

    Runs end in any order; callers key results by ``(task.point, task.replication)``.
    """
    from tqdm.auto import tqdm

    with tqdm(
        total=len(tasks) + done,
        initial=done,
        unit="run",
        disable=not progress,
        leave=False,
        delay=1.0,
    ) as bar:

        def tick(task: _Task, kpis: dict[str, float]) -> None:
            finished(task, kpis)
            bar.update()

        if not tasks:
            return
        if scheduler is not None:
            _run_on_dask(tasks, scheduler, tick)
        elif workers == 1 or len(tasks) == 1:
            for task in tasks:  # in this process: no start-up cost, easy to debug
                tick(task, _run_task(task))
        else:
            _run_in_processes(tasks, min(workers, len(tasks)), tick)


def _check_common(
    replications: Any,
    weeks: Any,
    n_customers: Any,
    seed: Any,
    progress: Any,
    market: Any,
    population: Any,
    workers: Any,
    scheduler: Any,
) -> tuple[int, int, int, int, Market | None, Population | None, int]:
    replications = _positive_int("replications", replications, 2)
    weeks = _positive_int("weeks", weeks, MIN_WEEKS)
    n_customers = _positive_int("n_customers", n_customers, 1)
    seed = _positive_int("seed", seed, 0)
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    # Checked once here, so a bad market fails before the first of many runs.
    market = market if isinstance(market, Market) or market is None else Market.from_dict(market)
    if population is not None and not isinstance(population, Population):
        population = Population.from_dict(population)
    workers = _check_workers(workers)
    _check_scheduler(scheduler)
    return replications, weeks, n_customers, seed, market, population, workers


def compare(
    policies: Mapping[str, Policy],
    replications: int = 30,
    weeks: int = 156,
    n_customers: int = 2000,
    seed: int = 0,
    market: Market | Mapping[str, Any] | None = None,
    population: Population | Mapping[str, Any] | None = None,
    network: Any = "small-world",
    progress: bool = True,
    workers: int | None = None,
    scheduler: Any = None,
) -> ComparisonResult:
    """Run every policy ``replications`` times under common random numbers and collect the KPIs.

    Replication ``r`` of every policy uses the same seed, derived from ``(seed, r)`` with
    :class:`numpy.random.SeedSequence` (see :func:`replication_seeds`), so the policies face
    the same people, network and luck.

    Parameters
    ----------
    policies : mapping of str to Policy
        The policies to compare, by name (at least one).
    replications : int
        Runs per policy, >= 2 (an interval needs at least two).
    weeks : int
        Weeks per run, >= 13 (churn is measured per quarter).
    n_customers : int
        People in the market, >= 1.
    seed : int
        Root seed, >= 0; the same seed gives the same comparison.
    market : Market or dict, optional
        The market shared by every run.
    population : Population or dict, optional
        The population shared by every run.
    network : str or networkx.Graph
        The social network kind (see :class:`crmsim.CRMModel`).
    progress : bool
        Show a progress bar over the runs.
    workers : int, optional
        Local worker processes; all cores by default, ``1`` runs everything in this process.
    scheduler : str or distributed.Client, optional
        Run on this Dask cluster instead (an address like ``"tcp://10.0.0.5:8786"``, a
        ``distributed.Client`` or a cluster object); ``workers`` is then ignored.

    Returns
    -------
    ComparisonResult
        With ``.runs`` (tidy), ``.summary()``, ``.differences()``, ``.plot(kpi)``.

    Examples
    --------
    >>> from crmsim import Policy
    >>> result = compare({"A": Policy(), "B": Policy(respect=0.9)}, replications=2, weeks=13,
    ...                  n_customers=100, progress=False, workers=1)
    >>> result.runs.shape == (2 * 2 * len(KPIS), 4)
    True
    """
    if not isinstance(policies, Mapping) or not policies:
        raise ValueError(f"policies must be a non-empty dict of name -> Policy, got {policies!r}")
    for name, policy in policies.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"policies must be keyed by non-empty names (str), got key {name!r}")
        if not isinstance(policy, Policy):
            raise ValueError(
                f"policies[{name!r}] must be a crmsim.Policy, "
                f"got {type(policy).__name__}: {policy!r}"
            )
    replications, weeks, n_customers, seed, market, population, workers = _check_common(
        replications, weeks, n_customers, seed, progress, market, population, workers, scheduler
    )
    names = list(policies)
    seeds = replication_seeds(seed, replications)
    # Replications outer, policies inner: an interrupted comparison is still balanced.
    tasks = [
        _Task(p, r, policies[name], market, population, network, n_customers, weeks, run_seed)
        for r, run_seed in enumerate(seeds)
        for p, name in enumerate(names)
    ]
    results: dict[tuple[int, int], dict[str, float]] = {}

    def keep(task: _Task, kpis: dict[str, float]) -> None:
        results[(task.point, task.replication)] = kpis

    _execute(tasks, keep, workers=workers, scheduler=scheduler, progress=progress)
    records = [
        (names[task.point], task.replication, kpi, value)
        for task in tasks
        for kpi, value in results[(task.point, task.replication)].items()
    ]
    runs = pd.DataFrame.from_records(records, columns=["policy", "replication", "kpi", "value"])
    return ComparisonResult(
        runs=runs,
        policies=names,
        seeds=seeds,
        weeks=weeks,
        n_customers=n_customers,
        seed=seed,
    )


# ---------------------------------------------------------------------------- designs
_POLICY_FIELDS = {f.name: f for f in dataclasses.fields(Policy)}
_MARKET_FIELDS = {f.name: f for f in dataclasses.fields(Market)}


def _split_name(name: Any) -> tuple[str, str]:
    """``"respect"`` or ``"policy.respect"`` -> ("policy", "respect"); ``"market.x"`` -> market."""
    if not isinstance(name, str):
        raise ValueError(f"design parameters are named by strings, got {name!r}")
    owner, _, rest = name.partition(".")
    if not rest:
        owner, rest = "policy", name
    fields = {"policy": _POLICY_FIELDS, "market": _MARKET_FIELDS}.get(owner)
    if fields is None or rest not in fields:
        raise ValueError(
            f"unknown design parameter {name!r}: use a Policy field ({sorted(_POLICY_FIELDS)}) "
            f"or 'market.' and a Market field ({sorted(_MARKET_FIELDS)})"
        )
    return owner, rest


def _plain(value: Any, integer: bool) -> Any:
    """A design value as a plain Python value; integer fields take the nearest integer."""
    if isinstance(value, np.generic):
        value = value.item()
    if integer and isinstance(value, float) and math.isfinite(value):
        return int(round(value))
    return value


def grid(levels: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """Every combination of the given levels: a full factorial design.

    Parameters
    ----------
    levels : mapping of str to sequence
        Parameter name -> its levels. Names are Policy fields (``"respect"``) or ``"market."``
        and a Market field (``"market.trial_rate"``).

    Returns
    -------
    pandas.DataFrame
        One row per design point (index ``point``), one column per parameter; the first
        parameter changes slowest.

    Examples
    --------
    >>> design = grid({"service_quality": [0.5, 0.9], "respect": [0.3, 0.8]})
    >>> design.to_dict("list")
    {'service_quality': [0.5, 0.5, 0.9, 0.9], 'respect': [0.3, 0.8, 0.3, 0.8]}
    """
    if not isinstance(levels, Mapping) or not levels:
        raise ValueError(f"a grid needs a non-empty dict of parameter -> levels, got {levels!r}")
    for name, values in levels.items():
        _split_name(name)
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise ValueError(f"grid levels of {name!r} must be a list of values, got {values!r}")
        if len(list(values)) == 0:
            raise ValueError(f"grid levels of {name!r} must not be empty")
    rows = list(itertools.product(*(list(v) for v in levels.values())))
    frame = pd.DataFrame(rows, columns=list(levels))
    frame.index.name = "point"
    return frame


def latin_hypercube(
    ranges: Mapping[str, tuple[float, float]], n: int, seed: int = 0
) -> pd.DataFrame:
    """A Latin hypercube design: ``n`` points that cover each parameter's range evenly.

    Each range ``[low, high]`` is cut into ``n`` equal strata and every stratum of every
    parameter holds exactly one point, at a uniformly random place inside it; the strata are
    paired at random across parameters (McKay, Beckman & Conover 1979). With few points this
    explores each lever's whole range far better than a grid or plain random draws.

    Parameters
    ----------
    ranges : mapping of str to (float, float)
        Parameter name -> ``(low, high)`` with ``low <= high``; names as in :func:`grid`.
        Integer fields (such as ``gift_every``) are rounded when the points are run.
    n : int
        Number of points, >= 1.
    seed : int
        Seed of the design (not of the runs), >= 0.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows (index ``point``), one column per parameter.

    Examples
    --------
    >>> design = latin_hypercube({"discount": (0.0, 0.3), "respect": (0.2, 1.0)}, n=10, seed=0)
    >>> design.shape
    (10, 2)
    >>> sorted((design["discount"] // 0.03).astype(int).tolist()) == list(range(10))
    True
    """
    if not isinstance(ranges, Mapping) or not ranges:
        raise ValueError(
            f"a Latin hypercube needs a dict of parameter -> (low, high), got {ranges}"
        )
    n = _positive_int("n", n, 1)
    seed = _positive_int("seed", seed, 0)
    bounds = {}
    for name, bound in ranges.items():
        _split_name(name)
        ok = (
            isinstance(bound, Sequence)
            and not isinstance(bound, str)
            and len(bound) == 2
            and all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in bound)
            and all(math.isfinite(b) for b in bound)
            and bound[0] <= bound[1]
        )
        if not ok:
            raise ValueError(f"range of {name!r} must be (low, high) with low <= high, got {bound}")
        bounds[name] = (float(bound[0]), float(bound[1]))
    rng = np.random.default_rng(seed)
    columns = {}
    for name, (low, high) in bounds.items():
        strata = rng.permutation(n)
        u = (strata + rng.random(n)) / n  # one uniform draw inside each stratum
        columns[name] = low + u * (high - low)
    frame = pd.DataFrame(columns)
    frame.index.name = "point"
    return frame


def _design_frame(design: Any) -> pd.DataFrame:
    """A design as a frame of points; a dict of lists is a grid."""
    if isinstance(design, pd.DataFrame):
        frame = design.reset_index(drop=True)
    elif isinstance(design, Mapping):
        frame = grid(design)
    elif isinstance(design, Sequence) and design and all(isinstance(p, Mapping) for p in design):
        frame = pd.DataFrame(list(design))
    else:
        raise ValueError(
            "design must be a dict of parameter -> levels (a grid), a DataFrame of points "
            f"(e.g. latin_hypercube(...)) or a list of dicts, got {design!r}"
        )
    if len(frame) == 0 or len(frame.columns) == 0:
        raise ValueError("design must have at least one point and one parameter")
    if frame.isna().any().any():
        raise ValueError("design has missing values; give every parameter a value at every point")
    for name in frame.columns:
        _split_name(name)
    frame.index.name = "point"
    return frame


def _point_values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    points = []
    for _, row in frame.iterrows():
        values = {}
        for name, value in row.items():
            owner, key = _split_name(name)
            kind = (_POLICY_FIELDS if owner == "policy" else _MARKET_FIELDS)[key].type
            values[name] = _plain(value, integer=kind in ("int", int))
        points.append(values)
    return points


def _point_inputs(
    index: int, values: Mapping[str, Any], policy: Policy, market: Market | None
) -> tuple[Policy, Market | None]:
    """The Policy and Market of one design point: the base with the point's fields changed."""
    changes: dict[str, dict[str, Any]] = {"policy": {}, "market": {}}
    for name, value in values.items():
        owner, key = _split_name(name)
        changes[owner][key] = value
    try:
        if changes["policy"]:
            policy = policy.replace(**changes["policy"])
        if changes["market"]:
            market = (market or Market()).replace(**changes["market"])
    except (TypeError, ValueError) as err:
        raise ValueError(f"design point {index} {dict(values)}: {err}") from None
    return policy, market


# ---------------------------------------------------------------------------- out_dir log
_LOG = "runs.jsonl"
_MANIFEST = "sweep.json"


def _canonical(value: Any) -> Any:
    """Plain, order-independent data for a fingerprint (sets sorted, dataclasses as dicts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _network_label(network: Any) -> Any:
    if isinstance(network, str):
        return network
    # a user's graph: identify it by its edges, so a different graph is a different sweep
    edges = sorted((min(a, b), max(a, b)) for a, b in network.edges())
    digest = hashlib.sha256(repr((network.number_of_nodes(), edges)).encode()).hexdigest()
    return f"graph:{digest[:16]}"


def _point_key(values: Mapping[str, Any]) -> str:
    return json.dumps(_canonical(dict(values)), sort_keys=True)


class _RunLog:
    """Finished runs in ``out_dir/runs.jsonl``: one JSON line per run, flushed as it ends.

    ``out_dir/sweep.json`` holds the settings every line was made with; a resumed sweep must
    have the same settings (its design may differ: points it shares reuse their runs).
    """

    def __init__(self, out_dir: str | os.PathLike[str], settings: dict[str, Any]) -> None:
        self.folder = Path(out_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = self.folder / _MANIFEST
        settings = json.loads(json.dumps(settings))  # as it reads back from disk
        if manifest.is_file():
            saved = json.loads(manifest.read_text(encoding="utf-8")).get("settings")
            if saved != settings:
                differ = sorted(
                    k
                    for k in set(saved or {}) | set(settings)
                    if (saved or {}).get(k) != settings.get(k)
                )
                raise ValueError(
                    f"{self.folder} holds runs of a different sweep (settings differ in "
                    f"{differ}); use another out_dir, or delete it to start afresh"
                )
        else:
            manifest.write_text(
                json.dumps({"format": 1, "settings": settings}, indent=2), encoding="utf-8"
            )
        self.path = self.folder / _LOG
        self.done: dict[tuple[str, int], dict[str, float]] = {}
        if self.path.is_file():
            self._read()
        self._file = None

    def _read(self) -> None:
        data = self.path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) < len(data):
            # a run cut off mid-line by a kill: drop the fragment so new lines start clean
            with open(self.path, "r+b") as file:
                file.truncate(len(complete))
        for line in complete.decode("utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            self.done[(_point_key(record["point"]), int(record["replication"]))] = record["kpis"]

    def add(self, values: Mapping[str, Any], replication: int, seed: int, kpis: dict) -> None:
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        record = {"point": _canonical(dict(values)), "replication": replication, "seed": seed}
        self._file.write(json.dumps(record | {"kpis": kpis}) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())  # on disk before the next run: a crash loses none
        self.done[(_point_key(values), replication)] = kpis

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


# ---------------------------------------------------------------------------- sweep
def _intervals(wide: pd.DataFrame, confidence: float) -> dict[str, pd.DataFrame]:
    """n, mean, std and t-interval bounds of each KPI per point (rows: points)."""
    from scipy import stats

    grouped = wide.groupby(level="point", sort=True)
    n = grouped.count()
    mean = grouped.mean()
    std = grouped.std(ddof=1)
    t = pd.DataFrame(
        np.where(n > 1, stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)), np.nan),
        index=n.index,
        columns=n.columns,
    )
    half = t * std / np.sqrt(n)
    return {"n": n, "mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}


@dataclass
class SweepResult:
    """The outcome of :func:`sweep`: every run's KPIs at every design point, and ways to read them.

    Attributes
    ----------
    runs : pandas.DataFrame
        Tidy: one row per design point, replication and KPI; columns ``point``, one per
        design parameter, ``replication``, ``kpi`` and ``value``.
    design : pandas.DataFrame
        The design points (index ``point``), one column per parameter.
    seeds : list of int
        The model seed of each replication, the same at every point (common random numbers).
    weeks, n_customers, seed : int
        The settings of the sweep.
    out_dir : pathlib.Path, optional
        Where the runs were logged, if anywhere.
    """

    runs: pd.DataFrame = field(repr=False)
    design: pd.DataFrame = field(repr=False)
    seeds: list[int] = field(repr=False)
    weeks: int
    n_customers: int
    seed: int
    out_dir: Path | None = None

    @property
    def parameters(self) -> list[str]:
        """The design's parameter names."""
        return list(self.design.columns)

    @property
    def replications(self) -> int:
        return len(self.seeds)

    def wide(self) -> pd.DataFrame:
        """The runs with one column per KPI, one row per point and replication."""
        table = self.runs.pivot_table(
            index=["point", "replication"], columns="kpi", values="value", dropna=False
        )
        return table.reindex(columns=list(KPIS))

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Mean, standard deviation and t confidence interval of every KPI at every point.

        Parameters
        ----------
        confidence : float
            Coverage of the interval, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``(point, kpi)``; the point's parameter values, then ``n``, ``mean``,
            ``std``, ``ci_low`` and ``ci_high``.
        """
        confidence = _check_confidence(confidence)
        stats_ = _intervals(self.wide(), confidence)
        points, kpis = stats_["mean"].index, list(KPIS)
        index = pd.MultiIndex.from_product([points, kpis], names=["point", "kpi"])
        table = pd.DataFrame(
            {
                name: np.repeat(self.design.loc[points, name].to_numpy(), len(kpis))
                for name in self.parameters
            },
            index=index,
        )
        for name, values in stats_.items():
            table[name] = values[kpis].to_numpy().ravel()
        return table.astype({"n": int})

    def means(self, kpi: str, confidence: float = 0.95) -> pd.DataFrame:
        """One KPI per design point: the parameters, ``n``, ``mean``, ``ci_low``, ``ci_high``."""
        _check_kpi(kpi)
        return self.summary(confidence).xs(kpi, level="kpi")

    def to_text(
        self,
        kpis: Sequence[str] = ("churn", "churn_year", "acquired", "profit", "clv"),
        confidence: float = 0.95,
    ) -> str:
        """A plain-text table: one row per point, its parameters and ``mean [low, high]`` per KPI.

        Examples
        --------
        >>> result = sweep({"respect": [0.3, 0.9]}, replications=2, weeks=13, n_customers=100,
        ...                progress=False, workers=1)
        >>> print(result.to_text(kpis=["acquired"]).splitlines()[0])
        point  respect  acquired
        """
        kpis = list(kpis)
        for kpi in kpis:
            _check_kpi(kpi)
        summary = self.summary(confidence)
        header = ["point", *self.parameters, *kpis]
        rows = []
        for point, values in self.design.iterrows():
            cells = [str(point), *(_show(v) for v in values)]
            for kpi in kpis:
                row = summary.loc[(point, kpi)]
                cells.append(_format_interval(kpi, row["mean"], row["ci_low"], row["ci_high"]))
            rows.append(cells)
        return _text_table(header, rows)

    def _is_full_grid(self, x: str, y: str) -> bool:
        pairs = self.design[[x, y]].drop_duplicates()
        return len(pairs) == self.design[x].nunique() * self.design[y].nunique()

    def plot(
        self, kpi: str, x: str | None = None, ax: Axes | None = None, confidence: float = 0.95
    ) -> Figure | Axes:
        """One KPI against one parameter: each point's mean with its confidence interval.

        With a second parameter on a grid, each of its levels is a line (up to six); otherwise
        every point is drawn on its own.

        Parameters
        ----------
        kpi : str
            One of :data:`KPIS`.
        x : str, optional
            The parameter on the horizontal axis; the first one by default.
        ax : matplotlib.axes.Axes, optional
            Draw into these axes instead of a new figure.
        confidence : float
            Coverage of the interval bars, in (0, 1).

        Returns
        -------
        matplotlib.figure.Figure or matplotlib.axes.Axes
            A new figure, or ``ax`` when it was given.
        """
        from crmsim import plots

        _check_kpi(kpi)
        x = self.parameters[0] if x is None else x
        if x not in self.parameters:
            raise ValueError(f"x must be one of the parameters {self.parameters}, got {x!r}")
        table = self.means(kpi, confidence)
        others = [p for p in self.parameters if p != x]
        groups = list(table.groupby(others, sort=True)) if others else [((), table)]
        lines = len(groups) <= 6 and all(len(g) > 1 for _, g in groups)
        colours = [plots.OKABE_ITO[c] for c in _COLOUR_ORDER]
        with plots.figure_style():
            if ax is None:
                fig = plots.make_figure(figsize=(8.0, 5.0))
                axis = fig.subplots()
            else:
                fig, axis = ax.figure, ax
            if not lines:
                groups = [((), table)]
            for i, (key, group) in enumerate(groups):
                group = group.sort_values(x)
                key = key if isinstance(key, tuple) else (key,)
                label = ", ".join(f"{p} = {_show(v)}" for p, v in zip(others, key, strict=False))
                axis.errorbar(
                    group[x],
                    group["mean"],
                    yerr=[group["mean"] - group["ci_low"], group["ci_high"] - group["mean"]],
                    fmt="o-" if lines else "o",
                    color=colours[i % len(colours)] if lines else "black",
                    markersize=6,
                    capsize=5,
                    linewidth=2.0 if lines else 1.5,
                    label=label or f"mean, {confidence:.0%} confidence interval",
                )
            axis.set_xlabel(x)
            axis.set_ylabel(KPIS[kpi])
            _format_axis(axis.yaxis, kpi)
            axis.set_title(
                f"{kpi}: mean and {confidence:.0%} interval of {self.replications} replications"
            )
            plots.legend_outside(axis)
        return fig if ax is None else ax

    def plot_kpis(self, kpis: Sequence[str] | None = None, x: str | None = None) -> Figure:
        """Several KPIs, each as in :meth:`plot`, in one figure."""
        from crmsim import plots

        kpis = list(kpis or ("churn", "acquired", "profit", "clv"))
        columns = min(2, len(kpis))
        rows = -(-len(kpis) // columns)
        with plots.figure_style():
            fig = plots.make_figure(figsize=(7.5 * columns, 4.2 * rows))
            axes = fig.subplots(rows, columns, squeeze=False).ravel()
            for kpi, ax in zip(kpis, axes, strict=False):
                self.plot(kpi, x=x, ax=ax)
                ax.set_title(kpi, fontsize=12)
                ax.set_ylabel(_unit(kpi))
                if kpi != kpis[0]:
                    ax.get_legend().remove()
            for ax in axes[len(kpis) :]:
                ax.set_visible(False)
            fig.suptitle(
                f"{self.replications} replications per point of {self.weeks} weeks, "
                f"{self.n_customers:,} customers (common random numbers)"
            )
        return fig

    def plot_surface(
        self, kpi: str, x: str | None = None, y: str | None = None, ax: Axes | None = None
    ) -> Figure | Axes:
        """A response surface: the mean KPI over two parameters.

        A grid is drawn as a heatmap with each cell's value written in it; scattered points
        (a Latin hypercube) as filled contours interpolated between the points, which are
        marked. Other parameters, if any, are averaged over.

        Parameters
        ----------
        kpi : str
            One of :data:`KPIS`.
        x, y : str, optional
            The two parameters; the first two by default.
        ax : matplotlib.axes.Axes, optional
            Draw into these axes instead of a new figure.

        Returns
        -------
        matplotlib.figure.Figure or matplotlib.axes.Axes
        """
        from crmsim import plots

        _check_kpi(kpi)
        if len(self.parameters) < 2:
            raise ValueError("a response surface needs a design with two parameters or more")
        x = self.parameters[0] if x is None else x
        y = self.parameters[1] if y is None else y
        for name in (x, y):
            if name not in self.parameters:
                raise ValueError(f"{name!r} is not one of the parameters {self.parameters}")
        if x == y:
            raise ValueError("x and y must be two different parameters")
        means = self.means(kpi).groupby([y, x])["mean"].mean()

        def fmt(value: float) -> str:
            return f"{value:.1%}" if kpi in _SHARE_KPIS else f"{value:,.0f}"

        with plots.figure_style():
            if ax is None:
                fig = plots.make_figure(figsize=(8.0, 6.0))
                axis = fig.subplots()
            else:
                fig, axis = ax.figure, ax
            if self._is_full_grid(x, y):
                table = means.unstack(x)
                image = axis.imshow(
                    table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis"
                )
                axis.set_xticks(range(table.shape[1]), [_show(v) for v in table.columns])
                axis.set_yticks(range(table.shape[0]), [_show(v) for v in table.index])
                low, high = np.nanmin(table.to_numpy()), np.nanmax(table.to_numpy())
                for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
                    if np.isfinite(value):
                        dark = high > low and (value - low) / (high - low) < 0.55
                        axis.text(
                            j, i, fmt(value), ha="center", va="center", fontsize=10,
                            color="white" if dark else "black",
                        )  # fmt: skip
                axis.grid(False)
            else:
                points = means.reset_index()
                image = axis.tricontourf(points[x], points[y], points["mean"], 14, cmap="viridis")
                axis.scatter(points[x], points[y], s=14, color="white", edgecolor="black")
            bar = fig.colorbar(image, ax=axis)
            bar.set_label(f"{kpi} ({_unit(kpi)})")
            bar.formatter = _formatter(kpi)
            bar.update_ticks()
            axis.set_xlabel(x)
            axis.set_ylabel(y)
            axis.set_title(f"{kpi}: mean of {self.replications} replications")
        return fig if ax is None else ax


def sweep(
    design: Mapping[str, Sequence[Any]] | pd.DataFrame | Sequence[Mapping[str, Any]],
    replications: int = 10,
    weeks: int = 156,
    n_customers: int = 2000,
    seed: int = 0,
    policy: Policy | Mapping[str, Any] | None = None,
    market: Market | Mapping[str, Any] | None = None,
    population: Population | Mapping[str, Any] | None = None,
    network: Any = "small-world",
    out_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    on_run: Callable[[int, int, dict[str, float]], None] | None = None,
) -> SweepResult:
    """Run every point of a design ``replications`` times under common random numbers.

    Replication ``r`` uses the same seed at every design point (see :func:`replication_seeds`),
    so the points face the same people, network and luck, and their differences owe less to
    chance. With ``out_dir``, each finished run is appended to ``out_dir/runs.jsonl`` at once;
    calling ``sweep`` again with the same ``out_dir`` (after a crash, a Ctrl-C or with more
    points) runs only what is missing and returns the same numbers an uninterrupted sweep gives.

    Parameters
    ----------
    design : dict of lists, DataFrame or list of dicts
        The design points. A dict of parameter -> levels is a full grid (:func:`grid`); a
        DataFrame (such as :func:`latin_hypercube` returns) or a list of dicts gives the points
        one by one. Parameters are Policy fields (``"respect"``, ``"discount"``, ...) or
        ``"market."`` and a Market field (``"market.trial_rate"``); each point changes them in
        the base ``policy`` and ``market``.
    replications : int
        Runs per point, >= 2.
    weeks : int
        Weeks per run, >= 13.
    n_customers : int
        People in the market, >= 1.
    seed : int
        Root seed of the runs, >= 0.
    policy : Policy or dict, optional
        The base policy the design changes; ``Policy()`` by default.
    market : Market or dict, optional
        The base market; ``Market()`` by default.
    population : Population or dict, optional
        The population of every run.
    network : str or networkx.Graph
        The social network kind.
    out_dir : str or path, optional
        Folder for the run log (``runs.jsonl``, ``sweep.json``); resumes what is there. A folder
        holding a sweep with other settings (weeks, customers, seed, base inputs) is refused.
    workers : int, optional
        Local worker processes; all cores by default, ``1`` runs in this process.
    scheduler : str or distributed.Client, optional
        Run on this Dask cluster instead: its address, a ``distributed.Client`` or a cluster.
    progress : bool
        Show a progress bar over the runs (finished runs found in ``out_dir`` count as done).
    on_run : callable, optional
        ``on_run(point, replication, kpis)``, called in this process after each newly computed
        run has been saved (not for runs read back from ``out_dir``).

    Returns
    -------
    SweepResult
        With ``.runs`` (tidy), ``.design``, ``.summary()``, ``.plot(kpi)``,
        ``.plot_surface(kpi)``.

    Examples
    --------
    >>> result = sweep({"service_quality": [0.5, 0.9], "respect": [0.3, 0.8]}, replications=2,
    ...                weeks=13, n_customers=100, progress=False, workers=1)
    >>> len(result.design), result.runs["replication"].nunique()
    (4, 2)
    >>> bool(result.means("acquired")["mean"].ge(0).all())
    True
    """
    frame = _design_frame(design)
    replications, weeks, n_customers, seed, market, population, workers = _check_common(
        replications, weeks, n_customers, seed, progress, market, population, workers, scheduler
    )
    if policy is None:
        policy = Policy()
    elif not isinstance(policy, Policy):
        policy = Policy.from_dict(policy)
    if on_run is not None and not callable(on_run):
        raise ValueError(f"on_run must be callable, got {on_run!r}")
    points = _point_values(frame)
    frame = pd.DataFrame(points, index=frame.index)  # integer fields rounded, plain values
    inputs = [_point_inputs(i, values, policy, market) for i, values in enumerate(points)]
    seeds = replication_seeds(seed, replications)

    log = None
    if out_dir is not None:
        settings = {
            "weeks": weeks,
            "n_customers": n_customers,
            "seed": seed,
            "policy": _canonical(policy),
            "market": _canonical(market or Market()),
            "population": _canonical(population or Population()),
            "network": _network_label(network),
            "kpis": list(KPIS),
        }
        log = _RunLog(out_dir, settings)
    done = log.done if log is not None else {}
    keys = [_point_key(values) for values in points]

    same: dict[str, list[int]] = {}  # design points by their values
    for p, key in enumerate(keys):
        same.setdefault(key, []).append(p)
    results: dict[tuple[int, int], dict[str, float]] = {}
    tasks = []
    # Replications outer, points inner: a sweep stopped early has every point about as far on.
    for r, run_seed in enumerate(seeds):
        for p, (point_policy, point_market) in enumerate(inputs):
            if (keys[p], r) in done:
                results[(p, r)] = done[(keys[p], r)]
                continue
            tasks.append(
                _Task(
                    p,
                    r,
                    point_policy,
                    point_market,
                    population,
                    network,
                    n_customers,
                    weeks,
                    run_seed,
                )  # fmt: skip
            )

    def keep(task: _Task, kpis: dict[str, float]) -> None:
        for p in same[keys[task.point]]:
            results[(p, task.replication)] = kpis
        if log is not None:
            log.add(points[task.point], task.replication, task.seed, kpis)
        if on_run is not None:
            on_run(task.point, task.replication, kpis)

    unique, seen = [], set()  # a point repeated in the design is run once per replication
    for task in tasks:
        if (keys[task.point], task.replication) not in seen:
            seen.add((keys[task.point], task.replication))
            unique.append(task)
    try:
        _execute(
            unique,
            keep,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            done=len(frame) * replications - len(tasks),
        )
    finally:
        if log is not None:
            log.close()

    wide = pd.DataFrame.from_records(
        [
            {"point": p, "replication": r, **results[(p, r)]}
            for p in range(len(frame))
            for r in range(replications)
        ]
    )
    runs = wide.melt(id_vars=["point", "replication"], var_name="kpi", value_name="value")
    runs = runs.merge(frame, left_on="point", right_index=True)
    runs = runs.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
    runs = runs[["point", *frame.columns, "replication", "kpi", "value"]]
    return SweepResult(
        runs=runs,
        design=frame,
        seeds=seeds,
        weeks=weeks,
        n_customers=n_customers,
        seed=seed,
        out_dir=Path(out_dir) if out_dir is not None else None,
    )


# ---------------------------------------------------------------------------- design files
_BASE_KEYS = {
    "replications",
    "weeks",
    "customers",
    "n_customers",
    "seed",
    "network",
    "scenario",
    "policy",
    "market",
    "population",
}


def _flatten(table: Mapping[str, Any]) -> dict[str, Any]:
    """``{"market": {"price": [...]}}`` (TOML's dotted keys) -> ``{"market.price": [...]}``."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            for inner, item in value.items():
                flat[f"{key}.{inner}"] = item
        else:
            flat[key] = value
    return flat


def read_design(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a sweep design from a TOML file: the points, and the settings for :func:`sweep`.

    The file has one design table, ``[grid]`` or ``[latin_hypercube]``, and an optional
    ``[base]`` table::

        [base]                     # all optional
        replications = 10          # runs per point
        weeks = 156
        customers = 2000
        seed = 0
        network = "small-world"
        scenario = "baseline"      # start from a bundled scenario's policy, market, population

        [base.policy]              # fields every point shares (override the scenario's)
        discount_target = "new"

        [base.market]
        trial_rate = 0.1

        [grid]                     # every combination of these levels
        service_quality = [0.5, 0.7, 0.9]
        respect = [0.3, 0.8]
        market.price = [18, 22]    # a Market field: prefix it with "market."

    or, instead of ``[grid]``::

        [latin_hypercube]
        n = 20                     # points
        seed = 0                   # seed of the design (the runs use [base] seed)
        discount = [0.0, 0.3]      # [low, high] of each parameter
        respect = [0.2, 1.0]

    Parameters
    ----------
    path : str or path
        The TOML file.

    Returns
    -------
    (pandas.DataFrame, dict)
        The design points, and keyword arguments for :func:`sweep` (``replications``,
        ``weeks``, ``n_customers``, ``seed``, ``network``, ``policy``, ``market``,
        ``population``: only those the file sets).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "d.toml").write_text(
    ...     '[base]\\nweeks = 52\\n[grid]\\nrespect = [0.3, 0.9]\\nmarket.price = [18, 22]\\n')
    >>> design, options = read_design(folder / "d.toml")
    >>> list(design.columns), len(design), options
    (['respect', 'market.price'], 4, {'weeks': 52})
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ValueError(f"cannot read the design file {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path} is not valid TOML: {err}") from None
    unknown = sorted(set(data) - {"base", "grid", "latin_hypercube"})
    if unknown:
        raise ValueError(
            f"{path}: unknown table(s) {unknown}; a design has [base] and one of [grid] or "
            "[latin_hypercube]"
        )
    if ("grid" in data) == ("latin_hypercube" in data):
        raise ValueError(f"{path}: give exactly one design table, [grid] or [latin_hypercube]")
    try:
        if "grid" in data:
            design = grid(_flatten(data["grid"]))
        else:
            table = dict(data["latin_hypercube"])
            if "n" not in table:
                raise ValueError("[latin_hypercube] needs n, the number of points")
            n, design_seed = table.pop("n"), table.pop("seed", 0)
            design = latin_hypercube(
                {k: tuple(v) if isinstance(v, list) else v for k, v in _flatten(table).items()},
                n=n,
                seed=design_seed,
            )
        base = dict(data.get("base", {}))
        unknown = sorted(set(base) - _BASE_KEYS)
        if unknown:
            raise ValueError(f"unknown [base] key(s) {unknown}; allowed: {sorted(_BASE_KEYS)}")
        options: dict[str, Any] = {}
        for key in ("replications", "weeks", "seed", "network"):
            if key in base:
                options[key] = base[key]
        if "customers" in base or "n_customers" in base:
            options["n_customers"] = base.get("customers", base.get("n_customers"))
        inputs: dict[str, Any] = {}
        if "scenario" in base:
            from crmsim import scenarios

            scenario = scenarios.load(base["scenario"])
            inputs = {k: v for k, v in scenario.kwargs.items() if k != "n_customers"}
            options.setdefault("weeks", scenario.weeks)
            if "n_customers" in scenario.kwargs:
                options.setdefault("n_customers", scenario.kwargs["n_customers"])
        if "policy" in base:
            inputs["policy"] = _policy_with(inputs.get("policy") or Policy(), base["policy"])
        if "market" in base:
            start = inputs.get("market") or Market()
            inputs["market"] = start.replace(**base["market"])
        if "population" in base:
            inputs["population"] = Population.from_dict(base["population"])
        options.update({k: v for k, v in inputs.items() if v is not None})
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from None
    return design, options


def _policy_with(start: Policy, changes: Mapping[str, Any]) -> Policy:
    """``start`` with some fields changed, given as plain TOML data (lists for tuples and sets)."""
    checked = Policy.from_dict(changes)  # names and values checked, TOML lists converted
    return start.replace(**{name: getattr(checked, name) for name in changes})


# ---------------------------------------------------------------------------- sensitivity
#: The outputs :func:`sensitivity` analyses by default.
SENSITIVITY_OUTPUTS = ("churn", "profit")


@dataclass
class SensitivityResult:
    """The outcome of :func:`sensitivity`.

    Attributes
    ----------
    method : str
        ``"morris"`` or ``"sobol"``.
    indices : pandas.DataFrame
        Indexed by ``(output, parameter)``. Morris: ``mu`` (mean elementary effect),
        ``mu_star`` (mean absolute effect: the overall influence), ``mu_star_conf`` (half-width
        of its bootstrap 95 % interval) and ``sigma`` (spread of the effects: interactions and
        non-linearity). Sobol: ``S1`` (first-order share of the variance), ``S1_conf``, ``ST``
        (total share, interactions included) and ``ST_conf``. The effects are in the output's
        unit per whole range of the parameter.
    problem : dict
        The SALib problem (``names``, ``bounds``).
    runs : SweepResult
        Every run behind the indices (the sample points are its design).
    """

    method: str
    indices: pd.DataFrame
    problem: dict[str, Any] = field(repr=False)
    runs: SweepResult = field(repr=False)

    @property
    def outputs(self) -> list[str]:
        return list(dict.fromkeys(self.indices.index.get_level_values("output")))

    def to_text(self) -> str:
        """The indices as a plain-text table, most influential parameter first per output."""
        measure = "mu_star" if self.method == "morris" else "ST"
        header = ["output", "parameter", *self.indices.columns]
        rows = []
        for output in self.outputs:
            table = self.indices.loc[output].sort_values(measure, ascending=False)
            for parameter, values in table.iterrows():
                cells = [output, parameter]
                for value in values:
                    cells.append(
                        f"{value:.3g}"
                        if abs(value) < 1 or output in _SHARE_KPIS
                        else f"{value:,.0f}"
                    )
                rows.append(cells)
        return _text_table(header, rows)

    def plot(self) -> Figure:
        """One panel per output. Morris: μ* (bars, with its interval) and σ; Sobol: S1 and ST.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from crmsim import plots

        outputs = self.outputs
        with plots.figure_style():
            fig = plots.make_figure(
                figsize=(7.0 * len(outputs), 0.55 * len(self.problem["names"]) + 2.8)
            )
            axes = fig.subplots(1, len(outputs), squeeze=False)[0]
            for ax, output in zip(axes, outputs, strict=True):
                table = self.indices.loc[output]
                if self.method == "morris":
                    table = table.sort_values("mu_star")
                    y = np.arange(len(table))
                    ax.barh(
                        y, table["mu_star"], xerr=table["mu_star_conf"], height=0.6,
                        color=plots.OKABE_ITO["blue"], capsize=4, label="μ* (mean |effect|)",
                    )  # fmt: skip
                    ax.scatter(
                        table["sigma"], y, marker="D", s=40, zorder=3,
                        color=plots.OKABE_ITO["orange"], label="σ (interactions, non-linearity)",
                    )  # fmt: skip
                    ax.set_xlabel(
                        f"effect on {output} ({_unit(output)})\n"
                        "of moving a parameter across its range"
                    )
                    _format_axis(ax.xaxis, output)
                else:
                    table = table.sort_values("ST")
                    y = np.arange(len(table))
                    ax.barh(
                        y + 0.2, table["ST"], xerr=table["ST_conf"], height=0.4, capsize=3,
                        color=plots.OKABE_ITO["blue"], label="total effect ST",
                    )  # fmt: skip
                    ax.barh(
                        y - 0.2, table["S1"], xerr=table["S1_conf"], height=0.4, capsize=3,
                        color=plots.OKABE_ITO["orange"], label="first-order S1",
                    )  # fmt: skip
                    ax.set_xlabel(f"share of the variance of {output}")
                ax.set_yticks(y, table.index)
                ax.set_title(output)
                ax.grid(axis="y", visible=False)
                ax.legend(loc="lower right")
            method = "Morris screening" if self.method == "morris" else "Sobol indices"
            sweep_ = self.runs
            fig.suptitle(
                f"{method}: {len(sweep_.design)} points × {sweep_.replications} replications of "
                f"{sweep_.weeks} weeks, {sweep_.n_customers:,} customers"
            )
        return fig


def sensitivity(
    parameters: Mapping[str, tuple[float, float]],
    outputs: Sequence[str] = SENSITIVITY_OUTPUTS,
    method: str = "morris",
    trajectories: int = 10,
    levels: int = 4,
    samples: int = 64,
    replications: int = 2,
    weeks: int = 104,
    n_customers: int = 1000,
    seed: int = 0,
    policy: Policy | Mapping[str, Any] | None = None,
    market: Market | Mapping[str, Any] | None = None,
    population: Population | Mapping[str, Any] | None = None,
    network: Any = "small-world",
    out_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
) -> SensitivityResult:
    """How much churn and profit (or other KPIs) depend on each parameter, with SALib.

    ``method="morris"`` (elementary effects; Morris 1991, Campolongo et al. 2007) moves one
    parameter at a time along ``trajectories`` random paths through a grid of ``levels``
    levels: ``trajectories * (k + 1)`` sample points for ``k`` parameters. It ranks parameters
    cheaply (μ*) and flags interactions (σ). ``method="sobol"`` (Saltelli's scheme) decomposes
    the output's variance into first-order and total indices; it needs ``samples * (k + 2)``
    points (``samples`` a power of 2) and many more runs to be stable.

    Every sample point is run ``replications`` times with the same seeds (common random
    numbers), and the indices are computed from the mean over replications: the model's own
    noise would otherwise show up as spurious effects and interactions.

    Parameters
    ----------
    parameters : mapping of str to (float, float)
        Parameter -> ``(low, high)``; Policy fields or ``"market."`` fields, as in :func:`sweep`.
    outputs : sequence of str
        KPIs of :data:`KPIS` to analyse.
    method : {"morris", "sobol"}
    trajectories : int
        Morris trajectories, >= 2.
    levels : int
        Morris grid levels, an even number >= 2.
    samples : int
        Sobol base sample size, a power of 2.
    replications, weeks, n_customers, seed, policy, market, population, network
        As in :func:`sweep`.
    out_dir, workers, scheduler, progress
        As in :func:`sweep` (an interrupted analysis resumes from ``out_dir``).

    Returns
    -------
    SensitivityResult
        ``.indices`` per output and parameter, ``.plot()``, ``.to_text()``, ``.runs``.

    Examples
    --------
    >>> result = sensitivity({"respect": (0.2, 1.0), "market.trial_rate": (0.05, 0.2)},
    ...                      trajectories=2, weeks=26, n_customers=100, progress=False,
    ...                      workers=1)
    >>> list(result.indices.columns)
    ['mu', 'mu_star', 'mu_star_conf', 'sigma']
    >>> len(result.runs.design)
    6
    """
    if method not in ("morris", "sobol"):
        raise ValueError(f"method must be 'morris' or 'sobol', got {method!r}")
    outputs = list(outputs)
    if not outputs:
        raise ValueError("outputs must name at least one KPI")
    for kpi in outputs:
        _check_kpi(kpi)
    design = latin_hypercube(parameters, n=1)  # checks names and ranges
    names = list(design.columns)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(parameters[n][0]), float(parameters[n][1])] for n in names],
    }
    seed = _positive_int("seed", seed, 0)
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError as err:  # pragma: no cover - SALib is in the dev and scale extras
        raise ImportError("sensitivity analysis needs SALib: pip install 'crmsim[scale]'") from err
    if method == "morris":
        trajectories = _positive_int("trajectories", trajectories, 2)
        levels = _positive_int("levels", levels, 2)
        if levels % 2:
            raise ValueError(f"levels must be even (Morris's design needs it), got {levels}")
        sample = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    else:
        samples = _positive_int("samples", samples, 2)
        if samples & (samples - 1):
            raise ValueError(f"samples must be a power of 2 for Sobol sampling, got {samples}")
        sample = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    points = pd.DataFrame(sample, columns=names)
    runs = sweep(
        points,
        replications=replications,
        weeks=weeks,
        n_customers=n_customers,
        seed=seed,
        policy=policy,
        market=market,
        population=population,
        network=network,
        out_dir=out_dir,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    means = runs.wide().groupby(level="point").mean()
    # SALib finds each step of a trajectory in the sample as drawn (before integer fields
    # are rounded for the runs), so it is given that sample.
    x = sample
    rows = {}
    for output in outputs:
        y = means[output].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            raise ValueError(
                f"{output} is undefined at some sample points (e.g. no complete quarter or year "
                "with customers); run longer or analyse another output"
            )
        if method == "morris":
            found = morris_analyze.analyze(problem, x, y, num_levels=levels, seed=seed)
            columns = ("mu", "mu_star", "mu_star_conf", "sigma")
        else:
            found = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            columns = ("S1", "S1_conf", "ST", "ST_conf")
        for i, name in enumerate(names):
            rows[(output, name)] = {c: float(np.asarray(found[c])[i]) for c in columns}
    indices = pd.DataFrame.from_dict(rows, orient="index")
    indices.index = pd.MultiIndex.from_tuples(indices.index, names=["output", "parameter"])
    return SensitivityResult(method=method, indices=indices, problem=problem, runs=runs)
