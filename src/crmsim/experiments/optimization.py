"""Searching the levers for the best policy: :func:`optimize` and its
:class:`OptimizationResult` (the best policy with its interval, the runners-up it could not
tell apart, a plot of the search).

The search is Optuna's TPE sampler; each candidate policy is run ``replications`` times with
the same seeds as every other candidate (common random numbers, as :func:`compare` pairs its
policies), and the sampler is told the mean KPI.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import numbers
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.books import COST_COLUMNS
from crmsim.experiments.comparison import _interval, paired_differences
from crmsim.experiments.formatting import (
    _COLOUR_ORDER,
    _format_axis,
    _format_difference,
    _format_interval,
    _format_value,
    _show,
    _text_table,
)
from crmsim.experiments.kpis import KPIS, kpi_description, kpi_label
from crmsim.experiments.runlog import (
    OPTIMIZE_MANIFEST,
    _canonical,
    _point_key,
    _RunLog,
    run_settings,
)
from crmsim.experiments.runner import _check_common, _execute, _Task, replication_seeds
from crmsim.i18n import _, format_number
from crmsim.levers import Market, Policy, Population
from crmsim.streams import check_mode

if TYPE_CHECKING:
    import optuna
    from matplotlib.figure import Figure

#: KPIs a firm wants low; :func:`optimize` maximises every other KPI unless told otherwise.
LOWER_IS_BETTER = frozenset(
    {
        "churn",
        "churn_year",
        "lost",
        "negative_wom",
        "discount_given",
        *COST_COLUMNS,
        "cost",
        "lever_spending",
        "acquisition_cost",
    }
)

_POLICY_FIELDS = {f.name: f for f in dataclasses.fields(Policy)}
_NUMERIC = {"float": False, "float | None": False, "int": True, float: False, int: True}
#: Policy fields a search can move: the numeric ones (a float, or an int such as gift_every).
LEVERS = tuple(name for name, f in _POLICY_FIELDS.items() if f.type in _NUMERIC)


@dataclass(frozen=True)
class _Lever:
    name: str
    low: float
    high: float
    integer: bool


def _check_levers(levers: Any, policy: Policy) -> list[_Lever]:
    """The levers to search, each with bounds inside the range its Policy field allows."""
    if not isinstance(levers, Mapping) or not levers:
        raise ValueError(f"levers must be a non-empty dict of lever -> (low, high), got {levers!r}")
    checked = []
    for name, bounds in levers.items():
        if name not in LEVERS:
            raise ValueError(
                f"levers: unknown lever {name!r}; levers are the Policy fields {LEVERS}"
            )
        integer = _NUMERIC[_POLICY_FIELDS[name].type]
        ok = (
            isinstance(bounds, Sequence)
            and not isinstance(bounds, str)
            and len(bounds) == 2
            and all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in bounds)
            and all(math.isfinite(b) for b in bounds)
        )
        if not ok:
            raise ValueError(f"levers[{name!r}] must be (low, high), two numbers, got {bounds!r}")
        low, high = bounds
        if not low < high:
            raise ValueError(
                f"levers[{name!r}] must be (low, high) with low < high, got {bounds!r}"
            )
        if integer:
            if low != int(low) or high != int(high):
                raise ValueError(
                    f"levers[{name!r}] bounds must be whole numbers ({name} is an integer), "
                    f"got {bounds!r}"
                )
            low, high = int(low), int(high)
        else:
            low, high = float(low), float(high)
        for value in (low, high):
            try:
                policy.replace(**{name: value})
            except ValueError as err:
                raise ValueError(
                    f"levers[{name!r}] bounds {bounds!r} leave the lever's valid range: {err}"
                ) from None
        checked.append(_Lever(name, low, high, integer))
    return checked


def _check_search(
    levers: Any,
    kpi: Any,
    trials: Any,
    direction: Any,
    budget: Any,
    batch: Any,
    sampler_seed: Any,
    policy: Any,
) -> tuple[list[_Lever], str, int, str, float | None, int, int, Policy]:
    """Every argument of a search that is not a run setting, checked before any run."""
    if not isinstance(kpi, str) or kpi not in KPIS:
        raise ValueError(f"kpi must be one of {list(KPIS)}, got {kpi!r}")
    trials = checks.integer("trials", trials, low=1)
    if direction is None:
        direction = "minimize" if kpi in LOWER_IS_BETTER else "maximize"
    direction = checks.choice("direction", direction, ("maximize", "minimize"))
    if budget is not None:
        budget = checks.number("budget", budget, 0.0)
    batch = checks.integer("batch", batch, low=1)
    sampler_seed = checks.integer("sampler_seed", sampler_seed, low=0)
    policy = checks.levers(Policy, policy, "policy")
    return (
        _check_levers(levers, policy),
        kpi,
        trials,
        direction,
        budget,
        batch,
        sampler_seed,
        policy,
    )


def check_search(
    levers: Mapping[str, tuple[float, float]],
    kpi: str = "profit",
    trials: int = 30,
    direction: str | None = None,
    budget: float | None = None,
    batch: int = 4,
    sampler_seed: int = 0,
    policy: Policy | Mapping[str, Any] | None = None,
) -> None:
    """Raise ``ValueError`` naming the field if :func:`optimize` would refuse these arguments.

    For callers that must check a search before they prepare anything (the ``crmsim
    optimize`` command checks before it creates its output folder).
    """
    _check_search(levers, kpi, trials, direction, budget, batch, sampler_seed, policy)


@contextlib.contextmanager
def _quiet_optuna() -> Iterator[None]:
    """Optuna logs every trial and flags the sampler's options as experimental: hush both.

    The progress bar says how far the search is; the experimental options (multivariate
    TPE, constraints) are documented features whose interface may still change.
    """
    import optuna

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def _sampler(trials: int, batch: int, seed: int) -> Any:
    import optuna

    return optuna.samplers.TPESampler(
        seed=seed,
        # random candidates first, then the model; a short search still gets to use it
        n_startup_trials=min(10, max(batch, trials // 3)),
        multivariate=True,  # levers interact (the sweep of service x respect shows it)
        constant_liar=True,  # candidates asked together spread out instead of piling up
    )


@dataclass
class OptimizationResult:
    """The outcome of :func:`optimize`: every candidate tried, the best, and its rivals.

    Attributes
    ----------
    trials : pandas.DataFrame
        One row per trial (index ``trial``): the lever values, then ``n``, ``mean``,
        ``std``, ``ci_low`` and ``ci_high`` of the KPI over the replications, ``spending``
        (mean ``lever_spending``), ``feasible`` (within the budget, and the KPI defined).
    runs : pandas.DataFrame
        Tidy: one row per trial, replication and KPI; columns ``trial``, the levers,
        ``replication``, ``kpi`` and ``value``.
    best_trial : int
        The trial with the best mean KPI among the feasible ones.
    best : Policy
        Its policy: the base policy with the levers at the best trial's values.
    runners_up : pandas.DataFrame
        The feasible trials whose paired difference from the best is not significant at
        level ``1 - confidence`` after Holm's correction over all of them: the search
        cannot tell them apart from the best. Index ``trial``; the lever values, ``mean``,
        then ``difference``, ``diff_low``, ``diff_high`` (their mean paired difference from
        the best with its interval) and ``p_holm``. Sorted best first.
    kpi, direction : str
        What was optimised, and whether up or down.
    levers : dict of str to (low, high)
        The levers searched and their bounds.
    budget : float, optional
        The most a feasible policy may spend on its levers per run, on average.
    policy : Policy
        The base policy the levers change.
    seeds : list of int
        The model seed of each replication, the same for every trial.
    weeks, n_customers, seed : int
        The run settings.
    confidence : float
        Coverage of the intervals.
    streams : {"sequential", "keyed"}
        Where the runs' random draws came from (see :class:`crmsim.CRMModel`).
    study : optuna.study.Study
        The Optuna study (in memory), for Optuna's own plots and tools.
    """

    trials: pd.DataFrame
    runs: pd.DataFrame = field(repr=False)
    best_trial: int
    best: Policy = field(repr=False)
    runners_up: pd.DataFrame = field(repr=False)
    kpi: str
    direction: str
    levers: dict[str, tuple[float, float]]
    budget: float | None
    policy: Policy = field(repr=False)
    seeds: list[int] = field(repr=False)
    weeks: int
    n_customers: int
    seed: int
    confidence: float
    streams: str
    study: optuna.study.Study = field(repr=False)

    @property
    def replications(self) -> int:
        return len(self.seeds)

    @property
    def _tested(self) -> int:
        """How many candidates were tested against the best."""
        return int(self.trials["feasible"].sum()) - 1

    @property
    def best_values(self) -> dict[str, Any]:
        """The best trial's lever values."""
        row = self.trials.loc[self.best_trial]
        return {name: _plain(row[name]) for name in self.levers}

    @property
    def best_interval(self) -> tuple[float, float, float]:
        """The best trial's mean KPI and its confidence interval, ``(mean, low, high)``.

        The best was picked for looking best, so its mean is more likely too good than too
        bad (the winner's curse): confirm it with fresh seeds, e.g.
        ``compare(result.candidates(), seed=1)``.
        """
        row = self.trials.loc[self.best_trial]
        return float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])

    def policy_of(self, trial: int) -> Policy:
        """The policy a trial ran: the base policy with the levers at the trial's values."""
        if trial not in self.trials.index:
            raise ValueError(f"trial must be one of 0..{len(self.trials) - 1}, got {trial!r}")
        row = self.trials.loc[trial]
        return self.policy.replace(**{name: _plain(row[name]) for name in self.levers})

    def candidates(self) -> dict[str, Policy]:
        """The best policy and the runners-up, by name, ready for :func:`compare`."""
        names = {f"trial {self.best_trial}": self.best}
        for trial in self.runners_up.index:
            if trial != self.best_trial:
                names[f"trial {trial}"] = self.policy_of(int(trial))
        return names

    def to_text(self) -> str:
        """The best policy with its interval, and the runners-up, as plain text."""
        mean, low, high = self.best_interval
        # the levers keep their code names: they are what optimize() and Policy are given
        levers = _(", ").join(f"{k} = {_show_lever(v)}" for k, v in self.best_values.items())
        level = format_number(self.confidence, ".0%")
        lines = [
            _("Best policy: trial {trial} of {trials}: {levers}").format(
                trial=format_number(self.best_trial),
                trials=format_number(len(self.trials)),
                levers=levers,
            ),
            "  "
            + _(
                "{kpi} {interval} (mean of {replications} replications, {level} interval; "
                "picked for looking best,\n  so more likely too good than too bad: confirm "
                "with fresh seeds)"
            ).format(
                kpi=kpi_label(self.kpi),
                interval=_format_interval(self.kpi, mean, low, high),
                replications=format_number(self.replications),
                level=level,
            ),
        ]
        spending = format_number(self.trials.loc[self.best_trial, "spending"], ",.0f")
        if self.budget is None:
            line = _("lever spending {spending} per run").format(spending=spending)
        else:
            line = _("lever spending {spending} per run (budget {budget})").format(
                spending=spending, budget=format_number(self.budget, ",.0f")
            )
        lines.append("  " + line)
        rivals = self.runners_up.drop(index=self.best_trial, errors="ignore")
        if rivals.empty:
            lines.append(
                "\n"
                + _(
                    "Every other candidate is credibly worse (paired, Holm-adjusted, {level})."
                ).format(level=level)
            )
        else:
            lines.append(
                "\n"
                + _(
                    "Runners-up it could not tell apart (paired difference from the best, "
                    "{level} interval, Holm-adjusted p):"
                ).format(level=level)
                + "\n"
            )
            header = [_("trial"), *self.levers, kpi_label(self.kpi), _("difference"), "p_holm"]
            rows = []
            for trial, row in rivals.iterrows():
                diff = _format_difference(
                    self.kpi, row["difference"], row["diff_low"], row["diff_high"]
                )
                p = (
                    format_number(row["p_holm"], ".3f")
                    if np.isfinite(row["p_holm"])
                    else _("same runs")
                )
                rows.append(
                    [
                        format_number(trial),
                        *(_show_lever(row[name]) for name in self.levers),
                        _format_value(self.kpi, row["mean"]),
                        diff,
                        p,
                    ]
                )
            lines.append(_text_table(header, rows))
            lines.append(
                "\n"
                + _(
                    "Each interval is at {level} on its own; a candidate is told apart from the "
                    "best when its p_holm < {alpha} (Holm's correction over {count} candidates)."
                ).format(
                    level=level,
                    alpha=format_number(1 - self.confidence, ".2g"),
                    count=format_number(self._tested),
                )
            )
        return "\n".join(lines)

    def plot(self) -> Figure:
        """The search: the KPI of each trial with its interval, and against each lever.

        The top panel shows the trials in the order they ran, the mean KPI with its
        confidence interval, the best so far as a step line, the best marked and the
        runners-up it could not tell apart filled; candidates over the budget are hollow
        and grey. Below, one panel per lever: each trial's mean KPI against its value.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from crmsim import plots

        table = self.trials
        colours = [plots.OKABE_ITO[c] for c in _COLOUR_ORDER]
        best_colour, rival_colour = colours[0], colours[1]
        feasible = table["feasible"].to_numpy(dtype=bool)
        rivals = table.index.isin(self.runners_up.index) & (table.index != self.best_trial)
        others = feasible & ~rivals & (table.index != self.best_trial)
        n_levers = len(self.levers)
        with plots.figure_style():
            fig = plots.make_figure(figsize=(max(11.0, 4.0 * min(n_levers, 3) + 3.0), 8.5))
            grid = fig.add_gridspec(2, n_levers, height_ratios=[1.2, 1.0])
            top = fig.add_subplot(grid[0, :])
            x = table.index.to_numpy()
            mean = table["mean"].to_numpy(dtype=float)
            err = np.vstack([mean - table["ci_low"], table["ci_high"] - mean])

            def draw(ax: Any, xs: np.ndarray, mask: np.ndarray, **style: Any) -> None:
                if mask.any():
                    ax.errorbar(xs[mask], mean[mask], yerr=err[:, mask], fmt="o", capsize=3,
                                linewidth=1.2, **style)  # fmt: skip

            hollow = _("over budget") if self.budget is not None else _("KPI undefined")
            level = format_number(self.confidence, ".0%")
            draw(top, x, ~feasible, color="0.6", markerfacecolor="white", label=hollow)
            draw(top, x, others, color="0.35",
                 label=_("mean, {level} interval").format(level=level))  # fmt: skip
            draw(top, x, rivals, color=rival_colour, label=_("cannot be told from the best"))
            is_best = table.index == self.best_trial
            draw(top, x, is_best, color=best_colour, markersize=11, label=_("best"))
            sign = 1.0 if self.direction == "maximize" else -1.0
            running = np.where(feasible & np.isfinite(mean), sign * mean, -np.inf)
            running = sign * np.maximum.accumulate(running)
            shown = np.isfinite(running)
            top.step(x[shown], running[shown], where="post", color=best_colour, linewidth=1.5,
                     alpha=0.7, label=_("best so far"))  # fmt: skip
            top.set_xlabel(_("trial"))
            top.set_ylabel(kpi_description(self.kpi))
            _format_axis(top.yaxis, self.kpi)
            top.set_title(
                _(
                    "{trials} trials x {replications} replications of {weeks} weeks, "
                    "{customers} customers, the same seeds for every trial"
                ).format(
                    trials=format_number(len(table)),
                    replications=format_number(self.replications),
                    weeks=format_number(self.weeks),
                    customers=format_number(self.n_customers, ","),
                ),
                fontsize=11,
            )
            search = (
                _("Search for the highest {kpi}") if sign > 0 else _("Search for the lowest {kpi}")
            )
            fig.suptitle(search.format(kpi=kpi_label(self.kpi)))
            plots.legend_outside(top)
            for i, name in enumerate(self.levers):
                ax = fig.add_subplot(grid[1, i], sharey=top)
                xs = table[name].to_numpy(dtype=float)
                draw(ax, xs, ~feasible, color="0.6", markerfacecolor="white")
                draw(ax, xs, others, color="0.35")
                draw(ax, xs, rivals, color=rival_colour)
                draw(ax, xs, is_best, color=best_colour, markersize=11)
                low, high = self.levers[name]
                pad = 0.04 * (high - low)
                ax.set_xlim(low - pad, high + pad)
                ax.set_xlabel(name)
                if i:
                    ax.tick_params(labelleft=False)
                else:
                    ax.set_ylabel(kpi_label(self.kpi))
            plots.localize(fig)
        return fig


def _plain(value: Any) -> Any:
    """A lever value as plain Python: integer levers come back from a frame as floats."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _show_lever(value: Any) -> str:
    value = _plain(value)
    return _show(round(value, 4) if isinstance(value, float) else value)


def optimize(
    levers: Mapping[str, tuple[float, float]],
    kpi: str = "profit",
    trials: int = 30,
    replications: int = 10,
    weeks: int = 156,
    n_customers: int = 2000,
    seed: int = 0,
    policy: Policy | Mapping[str, Any] | None = None,
    market: Market | Mapping[str, Any] | None = None,
    population: Population | Mapping[str, Any] | None = None,
    network: Any = "small-world",
    direction: str | None = None,
    budget: float | None = None,
    batch: int = 4,
    sampler_seed: int = 0,
    confidence: float = 0.95,
    out_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    streams: str = "keyed",
) -> OptimizationResult:
    """Search the levers for the policy with the best mean KPI, under common random numbers.

    Optuna's TPE sampler proposes candidates ``batch`` at a time; each is run
    ``replications`` times with the same seeds as every other candidate (replication ``r``
    of every candidate uses seed ``replication_seeds(seed, replications)[r]``, as
    :func:`compare` pairs its policies), and the sampler learns each candidate's mean KPI.
    The runs of a batch are spread over the worker processes (or a Dask cluster); results
    come back to the sampler in trial order, so the search is the same however many workers
    ran it. The best candidate is the feasible one with the best mean; the runners-up are
    those whose paired difference from it is not significant after Holm's correction.

    Parameters
    ----------
    levers : mapping of str to (low, high)
        The Policy fields to search and their bounds, e.g.
        ``{"service_quality": (0.5, 0.95), "discount": (0, 0.2)}``. Bounds must lie in the
        field's valid range; integer fields (``gift_every``, ``new_customer_weeks``) take
        whole-number bounds and are searched over integers.
    kpi : str
        The KPI to optimise, one of :data:`KPIS`: ``"profit"``, ``"customer_equity"``,
        ``"clv"``, ``"churn"``, ...
    trials : int
        Candidates to try in all, >= 1 (counting those found in ``out_dir``).
    replications : int
        Runs per candidate, >= 2.
    weeks, n_customers, seed : int
        Weeks per run (>= 13), people in the market, root seed of the runs.
    policy : Policy or dict, optional
        The base policy the levers change; ``Policy()`` by default.
    market, population : optional
        The market and population of every run.
    network : str or networkx.Graph
        The social network kind.
    direction : {"maximize", "minimize"}, optional
        By default KPIs such as churn, costs and ``lever_spending`` are minimised
        (:data:`LOWER_IS_BETTER`), every other KPI maximised.
    budget : float, optional
        The most a candidate may spend on its levers per run, on average (``lever_spending``:
        discounts given and every cost but the goods sold). Candidates over it are
        infeasible: never the best, and the sampler learns to avoid them.
    batch : int
        Candidates run at once, >= 1. More keeps more workers busy (``batch x
        replications`` runs at a time) but learns less between candidates. The search
        depends on it, not on ``workers``.
    sampler_seed : int
        Seed of the sampler, >= 0; the same seed and settings give the same search.
    confidence : float
        Coverage of the intervals, and ``1 - confidence`` the level at which a runner-up
        counts as told apart from the best.
    out_dir : str or path, optional
        Save each finished run to ``out_dir/runs.jsonl`` (settings in ``optimize.json``).
        Calling ``optimize`` again with the same ``out_dir`` replays the search from the
        saved runs without running them again and carries on: after an interrupt, or with
        more ``trials``. A folder of other run settings, or of other model code, is refused.
    workers : int, optional
        Local worker processes; all cores by default, ``1`` runs in this process.
    scheduler : str or distributed.Client, optional
        Run on this Dask cluster instead.
    progress : bool
        Show a progress bar over the runs, with the best mean so far.
    streams : {"sequential", "keyed"}
        Where each run's weekly draws come from (see :class:`crmsim.CRMModel`). With
        ``"keyed"`` (the default) a customer meets the same luck under every policy, not only
        the same traits and network, and paired differences are far tighter; with
        ``"sequential"`` runs draw as a lone :class:`crmsim.CRMModel` does by default. Recorded
        with ``out_dir``'s runs, so a resume never mixes the two.

    Returns
    -------
    OptimizationResult
        ``.best`` (a Policy), ``.best_interval``, ``.runners_up``, ``.trials``, ``.plot()``.

    Examples
    --------
    >>> result = optimize({"discount": (0.0, 0.5)}, kpi="profit", trials=4, replications=2,
    ...                   weeks=13, n_customers=100, batch=2, progress=False, workers=1)
    >>> len(result.trials), 0.0 <= result.best.discount <= 0.5
    (4, True)
    """
    searched, kpi, trials, direction, budget, batch, sampler_seed, policy = _check_search(
        levers, kpi, trials, direction, budget, batch, sampler_seed, policy
    )
    confidence = checks.confidence(confidence)
    streams = check_mode(streams)
    replications, weeks, n_customers, seed, market, population, workers = _check_common(
        replications, weeks, n_customers, seed, progress, market, population, workers, scheduler
    )
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution
    from tqdm.auto import tqdm

    seeds = replication_seeds(seed, replications)
    distributions = {
        lever.name: IntDistribution(int(lever.low), int(lever.high))
        if lever.integer
        else FloatDistribution(lever.low, lever.high)
        for lever in searched
    }
    log = None
    if out_dir is not None:
        # only what makes a run's numbers: a search with other levers, KPI, budget or
        # trials reuses every run of the same policy and seed
        settings = {
            **run_settings(weeks, n_customers, seed, market, population, network, streams),
            "policy": _canonical(policy),
        }
        log = _RunLog(out_dir, settings, OPTIMIZE_MANIFEST)
    runs: dict[tuple[str, int], dict[str, float]] = dict(log.done) if log is not None else {}
    values: list[dict[str, Any]] = []  # lever values by trial number
    sign = 1.0 if direction == "maximize" else -1.0
    best_so_far = -math.inf

    def keep(task: _Task, kpis: dict[str, float]) -> None:
        point = values[task.point]
        runs[(_point_key(point), task.replication)] = kpis
        if log is not None:
            log.add(point, task.replication, task.seed, kpis)

    with _quiet_optuna():
        study = optuna.create_study(
            direction=direction, sampler=_sampler(trials, batch, sampler_seed)
        )
        bar = tqdm(
            total=trials * replications, unit="run", disable=not progress, leave=False, delay=1.0
        )
        try:
            while len(study.trials) < trials:
                asked = [
                    study.ask(distributions) for slot in range(min(batch, trials - len(values)))
                ]
                points = [{name: trial.params[name] for name in distributions} for trial in asked]
                values.extend(points)
                tasks, queued = [], set()
                for r, run_seed in enumerate(seeds):
                    for trial, point in zip(asked, points, strict=True):
                        key = (_point_key(point), r)
                        if key in runs:
                            bar.update()  # replayed from the run log
                        elif key not in queued:  # a candidate asked twice runs once
                            queued.add(key)
                            tasks.append(
                                _Task(trial.number, r, policy.replace(**point), market,
                                      population, network, n_customers, weeks, run_seed,
                                      streams)
                            )  # fmt: skip
                        else:
                            bar.update()

                _execute(
                    tasks, keep, workers=workers, scheduler=scheduler, progress=progress, bar=bar
                )
                # told in trial order, whatever order the runs ended in: a reproducible search
                for trial, point in zip(asked, points, strict=True):
                    key = _point_key(point)
                    kpis = [runs[(key, r)] for r in range(replications)]
                    outcome = np.array([k[kpi] for k in kpis], dtype=float)
                    spending = float(np.mean([k["lever_spending"] for k in kpis]))
                    if budget is not None:
                        # feasible at <= 0; TPE then models the feasible candidates apart
                        trial.set_constraint("budget", spending - budget)
                    if np.isnan(outcome).all():
                        study.tell(trial, state=optuna.trial.TrialState.FAIL)
                        continue
                    mean = float(np.nanmean(outcome))
                    study.tell(trial, mean)
                    if budget is None or spending <= budget:
                        best_so_far = max(best_so_far, sign * mean)
                if math.isfinite(best_so_far):
                    bar.set_postfix_str(f"best {kpi} {_format_value(kpi, sign * best_so_far)}")
        finally:
            bar.close()
            if log is not None:
                log.close()

    return _result(
        study, values, runs, searched, kpi, direction, budget, policy, seeds,
        weeks, n_customers, seed, confidence, streams,
    )  # fmt: skip


def _result(
    study: Any,
    values: list[dict[str, Any]],
    runs: dict[tuple[str, int], dict[str, float]],
    searched: list[_Lever],
    kpi: str,
    direction: str,
    budget: float | None,
    policy: Policy,
    seeds: list[int],
    weeks: int,
    n_customers: int,
    seed: int,
    confidence: float,
    streams: str,
) -> OptimizationResult:
    """Tables of the finished search: trials, tidy runs, the best and the runners-up."""
    names = [lever.name for lever in searched]
    replications = len(seeds)
    wide = pd.DataFrame.from_records(
        [
            {"trial": t, "replication": r, **runs[(_point_key(point), r)]}
            for t, point in enumerate(values)
            for r in range(replications)
        ]
    ).set_index(["trial", "replication"])
    rows = []
    for t, point in enumerate(values):
        stats_ = _interval(wide.loc[t, kpi], confidence)
        spending = float(wide.loc[t, "lever_spending"].mean())
        feasible = bool(stats_["n"] > 0 and (budget is None or spending <= budget))
        rows.append({"trial": t, **point, **stats_.to_dict(), "spending": spending,
                     "feasible": feasible})  # fmt: skip
    trials = pd.DataFrame(rows).set_index("trial").astype({"n": int})
    usable = trials[trials["feasible"]]
    if usable.empty:
        if budget is not None and trials["n"].gt(0).any():
            cheapest = trials.loc[trials["n"] > 0, "spending"].min()
            raise ValueError(
                f"budget: no candidate spent at most {budget:,.0f} on its levers "
                f"(the cheapest spent {cheapest:,.0f}); raise the budget or move the bounds"
            )
        raise ValueError(f"kpi {kpi!r} is undefined in every run (try longer runs)")
    sign = 1.0 if direction == "maximize" else -1.0
    # the best mean; on a tie the earlier trial
    best_trial = int((sign * usable["mean"]).idxmax())

    paired = wide.loc[usable.index, [kpi]].reindex(columns=list(KPIS))
    diffs = paired_differences(paired, "trial", best_trial, confidence)
    alpha = 1 - confidence
    rivals = [best_trial]
    if len(diffs):
        diffs = diffs.xs(kpi, level="kpi")
        # NaN: a candidate with the very same runs (an integer lever rounded alike)
        rivals += [int(t) for t, p in diffs["p_holm"].items() if not p < alpha]
    runners_up = trials.loc[rivals, [*names, "mean"]].copy()
    runners_up["difference"] = 0.0
    runners_up["diff_low"] = runners_up["diff_high"] = 0.0
    runners_up["p_holm"] = np.nan
    for t in rivals[1:]:
        row = diffs.loc[t]
        runners_up.loc[t, ["difference", "diff_low", "diff_high", "p_holm"]] = [
            row["mean"], row["ci_low"], row["ci_high"], row["p_holm"]
        ]  # fmt: skip
    runners_up = runners_up.sort_values("mean", ascending=sign < 0, kind="stable")

    tidy = wide.reset_index().melt(
        id_vars=["trial", "replication"], var_name="kpi", value_name="value"
    )
    tidy = tidy.merge(trials[names], left_on="trial", right_index=True)
    tidy = tidy.sort_values(["trial", "replication"], kind="stable").reset_index(drop=True)
    tidy = tidy[["trial", *names, "replication", "kpi", "value"]]
    best_values = {name: _plain(trials.loc[best_trial, name]) for name in names}
    return OptimizationResult(
        trials=trials,
        runs=tidy,
        best_trial=best_trial,
        best=policy.replace(**best_values),
        runners_up=runners_up,
        kpi=kpi,
        direction=direction,
        levers={lever.name: (lever.low, lever.high) for lever in searched},
        budget=budget,
        policy=policy,
        seeds=seeds,
        weeks=weeks,
        n_customers=n_customers,
        seed=seed,
        confidence=confidence,
        streams=streams,
        study=study,
    )


__all__ = ["LEVERS", "LOWER_IS_BETTER", "OptimizationResult", "check_search", "optimize"]
