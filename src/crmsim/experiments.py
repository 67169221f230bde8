"""Comparing policies the way a strategist should: replications, common random numbers, intervals.

One run of an agent-based model is one story among many; two policies compared on one run
each may differ by luck alone. :func:`compare` runs every policy many times and, in
replication ``r``, gives every policy the same seed (common random numbers): the same market,
the same people with the same traits, the same network. Differences between policies then owe
less to luck, and :meth:`ComparisonResult.differences` can pair the runs replication by
replication for tighter intervals.

Examples
--------
>>> from crmsim import Policy
>>> result = compare(
...     {"plain": Policy(service_quality=0.5), "better": Policy(service_quality=0.9)},
...     replications=3, weeks=26, n_customers=200, progress=False,
... )
>>> sorted(result.summary().columns)
['ci_high', 'ci_low', 'mean', 'n', 'std']
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmsim import analysis
from crmsim.levers import Market, Policy, Population
from crmsim.model import CRMModel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The KPIs of one run, with what each measures (and its unit), in display order.
KPIS: dict[str, str] = {
    "churn": "mean quarterly churn, course definition (share)",
    "acquired": "new customers over the run (customers)",
    "lost": "customers lost over the run (customers)",
    "referrals": "friends referred over the run (people)",
    "negative_wom": "people told negative word of mouth (people)",
    "revenue": "revenue over the run (money)",
    "cost": "cost over the run (money)",
    "profit": "profit over the run (money)",
    "final_active": "active customers at the end (customers)",
    "final_marketers": "marketer customers at the end (customers)",
    "final_tenure": "mean tenure of active customers at the end (weeks)",
}

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


def run_kpis(model: CRMModel) -> dict[str, float]:
    """The KPIs of :data:`KPIS` for a model that has run.

    Parameters
    ----------
    model : CRMModel
        A model after ``model.run(weeks)``.

    Returns
    -------
    dict of str to float
        One value per KPI; ``churn`` is NaN if no complete quarter started with customers,
        ``final_tenure`` is NaN if nobody is active at the end.
    """
    frame = model.datacollector.get_model_vars_dataframe()
    if len(frame) == 0:
        raise ValueError("the model has not run yet: call model.run(weeks) first")
    quarters = analysis.period_churn(frame, 13)
    churn = quarters["churn"].dropna()
    active = model.state.active_mask()
    return {
        "churn": float(churn.mean()) if len(churn) else float("nan"),
        "acquired": float(frame["acquired"].sum()),
        "lost": float(frame["lost"].sum()),
        "referrals": float(frame["referrals"].sum()),
        "negative_wom": float(frame["negative_wom"].sum()),
        "revenue": float(frame["revenue"].sum()),
        "cost": float(frame["cost"].sum()),
        "profit": float(frame["profit"].sum()),
        "final_active": float(frame["active"].iloc[-1]),
        "final_marketers": float(frame["marketer"].iloc[-1]),
        "final_tenure": float(model.state.tenure[active].mean()) if active.any() else float("nan"),
    }


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
        if kpi not in KPIS:
            raise ValueError(f"kpi must be one of {list(KPIS)}, got {kpi!r}")

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
        than the two separate intervals suggest.

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
        base = wide.xs(reference, level="policy")
        rows = {}
        for name in self.policies:
            if name == reference:
                continue
            diff = wide.xs(name, level="policy") - base
            for kpi in KPIS:
                rows[(name, kpi)] = _interval(diff[kpi], confidence)
        table = pd.DataFrame.from_dict(rows, orient="index")
        if len(table):
            table.index = pd.MultiIndex.from_tuples(table.index, names=["policy", "kpi"])
            table = table.astype({"n": int})
        return table

    def to_text(self, confidence: float = 0.95) -> str:
        """The summary as a plain-text table: KPI rows, policy columns, ``mean [low, high]``."""
        summary = self.summary(confidence)
        header = ["KPI", *self.policies]
        rows = []
        for kpi in KPIS:
            cells = [kpi]
            for name in self.policies:
                row = summary.loc[(name, kpi)]
                cells.append(_format_interval(kpi, row["mean"], row["ci_low"], row["ci_high"]))
            rows.append(cells)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

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
        from matplotlib.ticker import FuncFormatter, PercentFormatter

        from crmsim import plots

        self._check_kpi(kpi)
        summary = self.summary(confidence).xs(kpi, level="kpi")
        wide = self.wide()[kpi]
        # Strong colours first; black is kept for the means and their intervals.
        colours = [
            plots.OKABE_ITO[c]
            for c in ("orange", "blue", "bluish_green", "vermillion", "reddish_purple", "sky_blue")
        ]
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
            if kpi == "churn":
                axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            else:
                # thousands separators for money and counts, decimals kept for small values
                axis.yaxis.set_major_formatter(
                    FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}")
                )
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
                # The unit is the part of the description in parentheses.
                ax.set_ylabel(KPIS[kpi].rsplit("(", 1)[-1].rstrip(")"))
                ax.get_legend().remove()  # the title says what dots and bars are
            for ax in axes[len(kpis) :]:
                ax.set_visible(False)
            fig.suptitle(
                f"{self.replications} replications of {self.weeks} weeks, "
                f"{self.n_customers:,} customers: each dot one run, black the mean "
                f"with its {confidence:.0%} confidence interval"
            )
        return fig


def _format_interval(kpi: str, mean: float, low: float, high: float) -> str:
    if not np.isfinite(mean):
        return "n/a"
    if kpi == "churn":
        fmt = "{:.1%}"
    elif kpi == "final_tenure":
        fmt = "{:,.1f}"
    else:
        fmt = "{:,.0f}"
    if not np.isfinite(low):
        return fmt.format(mean)
    return f"{fmt.format(mean)} [{fmt.format(low)}, {fmt.format(high)}]"


def _positive_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


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
) -> ComparisonResult:
    """Run every policy ``replications`` times under common random numbers and collect the KPIs.

    Replication ``r`` of every policy uses the same seed, derived from ``(seed, r)`` with
    :class:`numpy.random.SeedSequence` (see :func:`replication_seeds`), so the policies face
    the same people, network and luck. Runs are made one after another.

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

    Returns
    -------
    ComparisonResult
        With ``.runs`` (tidy), ``.summary()``, ``.differences()``, ``.plot(kpi)``.

    Examples
    --------
    >>> from crmsim import Policy
    >>> result = compare({"A": Policy(), "B": Policy(respect=0.9)}, replications=2, weeks=13,
    ...                  n_customers=100, progress=False)
    >>> result.runs.shape
    (44, 4)
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

    from tqdm.auto import tqdm

    seeds = replication_seeds(seed, replications)
    records = []
    with tqdm(
        total=replications * len(policies), unit="run", disable=not progress, leave=False, delay=1.0
    ) as bar:
        # Replications outer, policies inner: an interrupted comparison is still balanced.
        for r, run_seed in enumerate(seeds):
            for name, policy in policies.items():
                model = CRMModel(
                    n_customers=n_customers,
                    policy=policy,
                    market=market,
                    population=population,
                    network=network,
                    history=False,  # journeys in words are not needed for KPIs, and cost time
                    rng=run_seed,
                )
                model.run(weeks, progress=False)
                for kpi, value in run_kpis(model).items():
                    records.append((name, r, kpi, value))
                bar.update()
    runs = pd.DataFrame.from_records(records, columns=["policy", "replication", "kpi", "value"])
    return ComparisonResult(
        runs=runs,
        policies=list(policies),
        seeds=seeds,
        weeks=weeks,
        n_customers=n_customers,
        seed=seed,
    )
