""":func:`sweep`: every point of a design run many times under common random numbers, and its
:class:`SweepResult` (summaries, plots, response surfaces).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.experiments.comparison import paired_differences, spending_returns
from crmsim.experiments.designs import _design_frame, _point_inputs, _point_values
from crmsim.experiments.formatting import (
    _COLOUR_ORDER,
    _SHARE_KPIS,
    _format_axis,
    _format_interval,
    _formatter,
    _show,
    _text_table,
    _unit_label,
)
from crmsim.experiments.kpis import KPIS, _check_kpi, kpi_description, kpi_label
from crmsim.experiments.runlog import _canonical, _point_key, _RunLog, run_settings
from crmsim.experiments.runner import _check_common, _execute, _Task, replication_seeds
from crmsim.i18n import _, format_number
from crmsim.levers import Market, Policy, Population
from crmsim.streams import check_mode

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
    streams: str = "keyed"

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
        confidence = checks.confidence(confidence)
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

    def differences(self, reference: int = 0, confidence: float = 0.95) -> pd.DataFrame:
        """Each design point minus the ``reference`` point, paired by replication.

        Replication ``r`` of every point used the same seed (common random numbers), so the
        paired difference cancels the luck the runs shared. The columns are those of
        :meth:`crmsim.experiments.ComparisonResult.differences`, indexed by
        ``(point, kpi)``: the mean difference with its interval, the relative effect, and
        p-values before and after Holm's correction over every point and KPI.

        Parameters
        ----------
        reference : int
            The design point to compare against (a value of the ``point`` index).
        confidence : float
            Coverage of the interval, in (0, 1).
        """
        confidence = checks.confidence(confidence)
        points = list(self.design.index)
        if reference not in points:
            raise ValueError(
                f"reference must be one of the design points {points}, got {reference!r}"
            )
        return paired_differences(self.wide(), "point", reference, confidence)

    def returns(
        self, reference: int = 0, kpi: str = "profit", confidence: float = 0.95
    ) -> pd.DataFrame:
        """Return per unit of lever cost at each design point against the ``reference`` point.

        As :meth:`crmsim.experiments.ComparisonResult.returns`, indexed by ``point``.
        """
        confidence = checks.confidence(confidence)
        points = list(self.design.index)
        if reference not in points:
            raise ValueError(
                f"reference must be one of the design points {points}, got {reference!r}"
            )
        return spending_returns(self.wide(), "point", reference, confidence, kpi)

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
        # the parameters keep their code names: they are what a design and Policy are written in
        header = [_("point"), *self.parameters, *(kpi_label(kpi) for kpi in kpis)]
        rows = []
        for point, values in self.design.iterrows():
            cells = [format_number(point), *(_show(v) for v in values)]
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
        lines = len(groups) <= 6 and all(len(group) > 1 for key, group in groups)
        colours = [plots.OKABE_ITO[c] for c in _COLOUR_ORDER]
        with plots.figure_style():
            if ax is None:
                fig = plots.make_figure(figsize=(8.0, 5.0))
                axis = fig.subplots()
            else:
                fig, axis = ax.figure, ax
            if not lines:
                groups = [((), table)]
            level = format_number(confidence, ".0%")
            mean_label = _("mean, {level} confidence interval").format(level=level)
            for i, (key, group) in enumerate(groups):
                group = group.sort_values(x)
                key = key if isinstance(key, tuple) else (key,)
                # the parameters keep their code names: they are what a design is written in
                label = _(", ").join(f"{p} = {_show(v)}" for p, v in zip(others, key, strict=False))
                axis.errorbar(
                    group[x],
                    group["mean"],
                    yerr=[group["mean"] - group["ci_low"], group["ci_high"] - group["mean"]],
                    fmt="o-" if lines else "o",
                    color=colours[i % len(colours)] if lines else "black",
                    markersize=6,
                    capsize=5,
                    linewidth=2.0 if lines else 1.5,
                    label=label or mean_label,
                )
            axis.set_xlabel(x)
            axis.set_ylabel(kpi_description(kpi))
            _format_axis(axis.yaxis, kpi)
            axis.set_title(
                _("{kpi}: mean and {level} interval of {replications} replications").format(
                    kpi=kpi_label(kpi), level=level, replications=format_number(self.replications)
                )
            )
            plots.legend_outside(axis)
            plots.localize(fig if ax is None else axis)
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
                ax.set_title(kpi_label(kpi), fontsize=12)
                ax.set_ylabel(_unit_label(kpi))
                if kpi != kpis[0]:
                    ax.get_legend().remove()
            for ax in axes[len(kpis) :]:
                ax.set_visible(False)
            fig.suptitle(
                _(
                    "{replications} replications per point of {weeks} weeks, "
                    "{customers} customers (common random numbers)"
                ).format(
                    replications=format_number(self.replications),
                    weeks=format_number(self.weeks),
                    customers=format_number(self.n_customers, ","),
                )
            )
            plots.localize(fig)
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
            return format_number(value, ".1%" if kpi in _SHARE_KPIS else ",.0f")

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
            bar.set_label(f"{kpi_label(kpi)} ({_unit_label(kpi)})")
            bar.formatter = _formatter(kpi)
            bar.update_ticks()
            axis.set_xlabel(x)
            axis.set_ylabel(y)
            axis.set_title(
                _("{kpi}: mean of {replications} replications").format(
                    kpi=kpi_label(kpi), replications=format_number(self.replications)
                )
            )
            # the colour bar's own axes too, when the surface was drawn into given axes
            plots.localize(fig if ax is None else axis)
            if ax is not None:
                plots.localize(bar.ax)
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
    streams: str = "keyed",
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
    streams : {"sequential", "keyed"}
        Where each run's weekly draws come from (see :class:`crmsim.CRMModel`). With
        ``"keyed"`` (the default) a customer meets the same luck under every policy, not only
        the same traits and network, and paired differences are far tighter; with
        ``"sequential"`` runs draw as a lone :class:`crmsim.CRMModel` does by default. Recorded
        with ``out_dir``'s runs, so a resume never mixes the two.

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
    streams = check_mode(streams)
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
            **run_settings(weeks, n_customers, seed, market, population, network, streams),
            "policy": _canonical(policy),
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
                    streams,
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
        streams=streams,
    )
