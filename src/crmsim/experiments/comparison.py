"""Comparing named policies: :func:`compare` and its :class:`ComparisonResult` (summaries with
confidence intervals, paired differences, plots).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.experiments.formatting import (
    _COLOUR_ORDER,
    _format_axis,
    _format_interval,
    _text_table,
    _unit_label,
)
from crmsim.experiments.kpis import KPIS, _check_kpi, kpi_description, kpi_label
from crmsim.experiments.runlog import (
    COMPARE_MANIFEST,
    _canonical,
    _point_key,
    _RunLog,
    run_settings,
)
from crmsim.experiments.runner import _check_common, _execute, _Task, replication_seeds
from crmsim.i18n import _, format_number, right_to_left
from crmsim.levers import Market, Policy, Population
from crmsim.streams import check_mode

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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


def paired_differences(
    wide: pd.DataFrame, level: str, reference: Any, confidence: float
) -> pd.DataFrame:
    """Each group of ``wide`` minus the ``reference`` group, replication by replication.

    ``wide`` has one row per (group, replication), the groups in index level ``level``, and
    one column per KPI. Shared by :meth:`ComparisonResult.differences` (groups: policies)
    and :meth:`crmsim.experiments.SweepResult.differences` (groups: design points); see the
    former for the columns.
    """
    defined = [kpi for kpi in KPIS if wide[kpi].notna().any()]
    base = wide.xs(reference, level=level)
    rows = {}
    for name in wide.index.get_level_values(level).unique():
        if name == reference:
            continue
        diff = wide.xs(name, level=level) - base
        for kpi in defined:
            row = _interval(diff[kpi], confidence)
            reference_mean = base[kpi].mean()
            row["relative"] = row["mean"] / reference_mean if reference_mean else np.nan
            row["p_value"] = _paired_p_value(diff[kpi])
            rows[(name, kpi)] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    if len(table):
        table.index = pd.MultiIndex.from_tuples(table.index, names=[level, "kpi"])
        table = table.astype({"n": int})
        table["p_holm"] = holm(table["p_value"].to_numpy())
    return table


def spending_returns(
    wide: pd.DataFrame, level: str, reference: Any, confidence: float, kpi: str = "profit"
) -> pd.DataFrame:
    """What each extra unit of lever spending returned: paired difference in ``kpi`` over the
    paired difference in ``lever_spending``, each group of ``wide`` against ``reference``.

    Shared by :meth:`ComparisonResult.returns` and :meth:`crmsim.experiments.SweepResult.returns`;
    see the former for the columns.
    """
    _check_kpi(kpi)
    from scipy import stats

    base = wide.xs(reference, level=level)
    rows = {}
    for name in wide.index.get_level_values(level).unique():
        if name == reference:
            continue
        other = wide.xs(name, level=level)
        paired = pd.DataFrame(
            {
                "gain": other[kpi] - base[kpi],
                "spent": other["lever_spending"] - base["lever_spending"],
            }
        ).dropna()
        n = len(paired)
        gain, spent = float(paired["gain"].mean()), float(paired["spent"].mean())
        ratio = low = high = float("nan")
        # a policy that spends no more has no return to measure: its gain is a saving
        if n and spent > 0:
            ratio = gain / spent
        if n > 1 and spent > 0:
            # delta method for a ratio of paired means: the error of gain - ratio * spent,
            # scaled by the mean spending (narrow when the extra spending is itself certain)
            residual = paired["gain"] - ratio * paired["spent"]
            t = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
            half = t * float(residual.std(ddof=1)) / np.sqrt(n) / spent
            low, high = ratio - half, ratio + half
        rows[name] = {
            "n": n,
            "extra_spending": spent,
            "gain": gain,
            "return": ratio,
            "ci_low": low,
            "ci_high": high,
        }
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["n", "extra_spending", "gain", "return", "ci_low", "ci_high"]
    )
    table.index.name = level
    return table.astype({"n": int})


def _paired_p_value(differences: pd.Series) -> float:
    """Two-sided p-value of a paired t-test that the mean difference is 0.

    NaN when there is nothing to test: fewer than two runs, or no difference in any run
    (a lever both policies leave off); 0 when every run differs by the same amount.
    """
    values = differences.dropna().to_numpy(dtype=float)
    if len(values) < 2 or not values.any():
        return float("nan")
    spread = values.std(ddof=1)
    if spread == 0:
        return 0.0
    from scipy import stats

    t = values.mean() / (spread / np.sqrt(len(values)))
    return float(2 * stats.t.sf(abs(t), len(values) - 1))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of ``p_values`` for testing them all at once.

    The smallest p-value is multiplied by the number of tests, the next by one fewer, and
    so on, each kept at least as large as the one before and at most 1 (Holm 1979). NaN
    values (untestable) stay NaN and do not count as tests.

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


#: Characters per line of a policy's name under :meth:`ComparisonResult.plot`'s axis.
_LABEL_WIDTH = 14


def _wrap(name: str, width: int = _LABEL_WIDTH) -> str:
    """A policy name broken onto lines of at most ``width`` characters (words kept whole)."""
    return "\n".join(textwrap.wrap(name, width, break_long_words=False)) or name


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
    streams : str
        ``"sequential"`` or ``"keyed"``: where the runs' draws came from.
    """

    runs: pd.DataFrame = field(repr=False)
    policies: list[str]
    seeds: list[int] = field(repr=False)
    weeks: int
    n_customers: int
    seed: int
    streams: str = "keyed"

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
        confidence = checks.confidence(confidence)
        grouped = self.runs.groupby(["policy", "kpi"], sort=False)["value"]
        table = grouped.apply(_interval, confidence=confidence).unstack()
        order = pd.MultiIndex.from_product([self.policies, list(KPIS)], names=["policy", "kpi"])
        table = table.reindex(order)[["n", "mean", "std", "ci_low", "ci_high"]]
        return table.astype({"n": int})

    def differences(self, reference: str | None = None, confidence: float = 0.95) -> pd.DataFrame:
        """Each policy minus a reference policy, paired replication by replication.

        Because replication ``r`` of every policy used the same seed, the paired difference
        cancels the luck both runs shared. With keyed streams (the default) they share nearly
        all of it, and the interval is a tenth to a quarter of what independent runs would give
        (service 0.70 against 0.72, or a discount of 0 against 0.02, 20 replications of
        2,000 customers and 156 weeks; docs/benchmarks.md); with ``streams="sequential"``
        they share the people and the network only, and pairing narrows the interval little
        (to six to eight tenths of it). KPIs undefined in every run (yearly churn of runs
        shorter than a year) are left out.

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
            ``mean`` (mean difference; for shares such as churn, in share points: 0.01 is
            one percentage point), ``std``, ``ci_low``, ``ci_high``, ``relative`` (the mean
            difference over the reference's mean, NaN where that is 0), ``p_value`` (paired
            t-test) and ``p_holm``: the p-value adjusted by Holm's method over every row of
            the table, because testing dozens of KPIs at once finds some "significant"
            differences by chance. A difference is credible at level 0.05 when
            ``p_holm`` < 0.05.
        """
        confidence = checks.confidence(confidence)
        reference = self.policies[0] if reference is None else reference
        if reference not in self.policies:
            raise ValueError(f"reference must be one of {self.policies}, got {reference!r}")
        return paired_differences(self.wide(), "policy", reference, confidence)

    def returns(
        self, reference: str | None = None, kpi: str = "profit", confidence: float = 0.95
    ) -> pd.DataFrame:
        """Return per unit of lever cost: each policy's extra ``kpi`` per extra unit spent.

        The paired difference in ``kpi`` (profit by default) from the reference policy over
        the paired difference in ``lever_spending`` (discounts given plus the cost of
        service, respect, complaint handling, gifts, rewards, win-back and advertising).
        Profit is already net of that spending, so a return of 0.5 means each extra unit
        spent came back with another half on top; below 0 the extra spending lost money.

        Parameters
        ----------
        reference : str, optional
            The policy to compare against; the first one by default.
        kpi : str
            The KPI the spending is meant to raise, one of :data:`KPIS`.
        confidence : float
            Coverage of the interval, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``policy`` (every policy but the reference); columns ``n``,
            ``extra_spending`` and ``gain`` (mean paired differences in lever spending and
            in ``kpi``), ``return`` (gain / extra_spending) and its interval ``ci_low``,
            ``ci_high`` (delta method over the paired runs). ``return`` is NaN for a policy
            that does not spend more than the reference: what it gains is a saving, shown
            by :meth:`differences`.
        """
        confidence = checks.confidence(confidence)
        reference = self.policies[0] if reference is None else reference
        if reference not in self.policies:
            raise ValueError(f"reference must be one of {self.policies}, got {reference!r}")
        return spending_returns(self.wide(), "policy", reference, confidence, kpi)

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
        header = [_("KPI"), *self.policies]
        rows = []
        for kpi in kpis:
            cells = [kpi_label(kpi)]
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
                fig = plots.make_figure(figsize=(max(6.0, 1.5 * len(self.policies) + 1.5), 5.0))
                axis = fig.subplots()
            else:
                fig, axis = ax.figure, ax
            jitter = np.random.default_rng(0).uniform(-0.12, 0.12, size=self.replications)
            mean_label = _("mean, {level} confidence interval").format(
                level=format_number(confidence, ".0%")
            )
            for i, name in enumerate(self.policies):
                values = wide.xs(name, level="policy").to_numpy(dtype=float)
                colour = colours[i % len(colours)]
                axis.scatter(
                    i + jitter[: len(values)],
                    values,
                    s=22,
                    color=colour,
                    alpha=0.5,
                    label=_("replications") if i == 0 else None,
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
                    label=mean_label if i == 0 else None,
                )
            # Long policy names ("targeted: new customers") ran into each other: wrap them
            # onto lines of a width one slot can hold.
            axis.set_xticks(range(len(self.policies)), [_wrap(p) for p in self.policies])
            axis.set_xlim(-0.6, len(self.policies) - 0.4)
            axis.set_xlabel(_("policy"))
            axis.set_ylabel(kpi_description(kpi))
            _format_axis(axis.yaxis, kpi)
            axis.set_title(
                _(
                    "{kpi}: {replications} replications of {weeks} weeks, {customers} customers"
                ).format(kpi=kpi_label(kpi), **self._settings()),
                pad=28,  # room for the legend's row between the title and the axes
            )
            axis.grid(axis="x", visible=False)
            # A compact legend in one row under the title, instead of a column beside the
            # axes that took half the figure's width from the data; it starts where its
            # reader starts, on the right in Persian.
            rtl = right_to_left()
            axis.legend(
                loc="lower right" if rtl else "lower left",
                bbox_to_anchor=(1.0 if rtl else 0.0, 1.0),
                ncol=2,
                frameon=False,
                fontsize="small",
                borderaxespad=0.2,
                markerfirst=not rtl,
            )
            plots.localize(fig if ax is None else axis)
        return fig if ax is None else ax

    def _settings(self) -> dict[str, str]:
        """The run settings a figure's title states, written in the language in use."""
        return {
            "replications": format_number(self.replications),
            "weeks": format_number(self.weeks),
            "customers": format_number(self.n_customers, ","),
        }

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
                ax.set_title(kpi_label(kpi), fontsize=12)
                ax.set_xlabel("")
                ax.set_ylabel(_unit_label(kpi))
                ax.get_legend().remove()  # the title says what dots and bars are
            for ax in axes[len(kpis) :]:
                ax.set_visible(False)
            fig.suptitle(
                _(
                    "{replications} replications of {weeks} weeks, {customers} customers: "
                    "each dot one run, black the mean with its {level} confidence interval"
                ).format(level=format_number(confidence, ".0%"), **self._settings())
            )
            plots.localize(fig)
        return fig

    def plot_differences(self, reference: str | None = None, confidence: float = 0.95) -> Figure:
        """The paired effects that matter: each KPI's difference from the reference, relative.

        One row per policy and KPI that differs at all (KPIs no policy moves are left
        out), sorted by size; a dot for the mean relative effect with its confidence
        interval, a line at zero, and the rows credible after Holm's correction drawn
        solid (the others hollow). Relative effects put KPIs of every unit on one axis;
        KPIs whose reference mean is 0 have none and are left out.

        Parameters
        ----------
        reference : str, optional
            The policy to compare against; the first one by default.
        confidence : float
            Coverage of the interval bars, in (0, 1).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from matplotlib.ticker import PercentFormatter

        from crmsim import plots

        reference = self.policies[0] if reference is None else reference
        table = self.differences(reference, confidence)
        base = self.wide().xs(reference, level="policy").mean()
        moved = table[(table["p_value"].notna()) & table["relative"].notna()].copy()
        if moved.empty:
            raise ValueError("no KPI differs between the policies: nothing to draw")
        scale = base.reindex(moved.index.get_level_values("kpi")).to_numpy()
        moved["low"] = moved["ci_low"].to_numpy() / scale
        moved["high"] = moved["ci_high"].to_numpy() / scale
        moved = moved.sort_values("relative")
        labels = [f"{kpi_label(kpi)} ({policy})" if len(self.policies) > 2 else kpi_label(kpi)
                  for policy, kpi in moved.index]  # fmt: skip
        y = np.arange(len(moved))
        with plots.figure_style():
            fig = plots.make_figure(figsize=(8.0, 1.2 + 0.28 * len(moved)))
            ax = fig.subplots()
            credible = (moved["p_holm"] < 0.05).to_numpy()
            ax.hlines(y, moved["low"], moved["high"], color="black", linewidth=1.2)
            ax.scatter(moved["relative"][credible], y[credible], color="black", zorder=3,
                       label=_("credible after Holm's correction"))  # fmt: skip
            ax.scatter(moved["relative"][~credible], y[~credible], facecolor="white",
                       edgecolor="black", zorder=3, label=_("not credible"))  # fmt: skip
            ax.axvline(0, color="0.4", linewidth=0.8)
            # the axis fits the means; a very uncertain effect's interval runs off it
            low, high = min(moved["relative"].min(), 0.0), max(moved["relative"].max(), 0.0)
            pad = 0.15 * (high - low or 1.0)
            ax.set_xlim(low - pad, high + pad)
            ax.set_yticks(y, labels)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_xlabel(
                _("difference from {reference}, relative ({level} interval)").format(
                    reference=reference, level=format_number(confidence, ".0%")
                )
            )
            ax.legend(loc="lower right", frameon=False, markerfirst=not right_to_left())
            fig.suptitle(
                _(
                    "Paired effects: {replications} replications of {weeks} weeks, "
                    "{customers} customers"
                ).format(**self._settings())
            )
            plots.localize(fig)
        return fig


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
    out_dir: str | os.PathLike[str] | None = None,
    streams: str = "keyed",
) -> ComparisonResult:
    """Run every policy ``replications`` times under common random numbers and collect the KPIs.

    Replication ``r`` of every policy uses the same seed, derived from ``(seed, r)`` with
    :class:`numpy.random.SeedSequence` (see :func:`replication_seeds`), so the policies face
    the same people and network. With keyed streams (the default) they also face the same luck: each
    customer's draws are keyed by seed, week, site and customer, whatever the policy, so
    :meth:`ComparisonResult.differences` pairs runs that differ by the policy alone. With
    ``streams="sequential"`` the runs fall out of step within weeks and pairing
    narrows intervals little (docs/benchmarks.md measures both).

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
    out_dir : str or path, optional
        Save each finished run to ``out_dir/runs.jsonl`` as it ends. Calling ``compare``
        again with the same ``out_dir`` (after a Ctrl-C, a crash, or with more
        replications) runs only what is missing and gives the same numbers as an
        uninterrupted comparison; a folder holding a comparison of other policies or
        settings, or runs made by other model code, is refused.
    streams : {"sequential", "keyed"}
        Where each run's weekly draws come from (see :class:`crmsim.CRMModel`). With
        ``"keyed"`` (the default) a customer meets the same luck under every policy, not only
        the same traits and network, and paired differences are far tighter; with
        ``"sequential"`` runs draw as a lone :class:`crmsim.CRMModel` does by default. Recorded
        with ``out_dir``'s runs, so a resume never mixes the two.

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
    streams = check_mode(streams)
    names = list(policies)
    seeds = replication_seeds(seed, replications)
    # Replications outer, policies inner: an interrupted comparison is still balanced.
    tasks = [
        _Task(
            p,
            r,
            policies[name],
            market,
            population,
            network,
            n_customers,
            weeks,
            run_seed,
            streams,
        )  # fmt: skip
        for r, run_seed in enumerate(seeds)
        for p, name in enumerate(names)
    ]
    results: dict[tuple[int, int], dict[str, float]] = {}
    log = None
    if out_dir is not None:
        settings = {
            "comparison of": {name: _canonical(policy) for name, policy in policies.items()},
            **run_settings(weeks, n_customers, seed, market, population, network, streams),
        }
        log = _RunLog(out_dir, settings, COMPARE_MANIFEST)
        for task in tasks:
            saved = log.done.get((_point_key({"policy": names[task.point]}), task.replication))
            if saved is not None:
                results[(task.point, task.replication)] = saved
        tasks = [t for t in tasks if (t.point, t.replication) not in results]

    def keep(task: _Task, kpis: dict[str, float]) -> None:
        results[(task.point, task.replication)] = kpis
        if log is not None:
            log.add({"policy": names[task.point]}, task.replication, task.seed, kpis)

    try:
        _execute(
            tasks,
            keep,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            done=len(names) * replications - len(tasks),
        )
    finally:
        if log is not None:
            log.close()
    records = [
        (names[p], r, kpi, value)
        for r in range(replications)
        for p in range(len(names))
        for kpi, value in results[(p, r)].items()
    ]
    runs = pd.DataFrame.from_records(records, columns=["policy", "replication", "kpi", "value"])
    return ComparisonResult(
        runs=runs,
        policies=names,
        seeds=seeds,
        weeks=weeks,
        n_customers=n_customers,
        seed=seed,
        streams=streams,
    )
