"""Sensitivity analysis with SALib: Morris elementary effects or Sobol indices of KPIs, computed
from a sweep over the sample points (:func:`sensitivity`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.experiments.designs import latin_hypercube
from crmsim.experiments.formatting import _SHARE_KPIS, _format_axis, _text_table, _unit_label
from crmsim.experiments.kpis import _check_kpi, kpi_label
from crmsim.experiments.sweeps import SweepResult, sweep
from crmsim.i18n import _, format_number, right_to_left
from crmsim.levers import Market, Policy, Population

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
        # parameters and indices (mu_star, S1, ...) keep their code names: they are what
        # sensitivity() is given and the columns of self.indices
        header = [_("output"), _("parameter"), *self.indices.columns]
        rows = []
        for output in self.outputs:
            table = self.indices.loc[output].sort_values(measure, ascending=False)
            for parameter, values in table.iterrows():
                cells = [kpi_label(output), parameter]
                for value in values:
                    cells.append(
                        format_number(value, ".3g")
                        if abs(value) < 1 or output in _SHARE_KPIS
                        else format_number(value, ",.0f")
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
                        color=plots.OKABE_ITO["blue"], capsize=4, label=_("μ* (mean |effect|)"),
                    )  # fmt: skip
                    ax.scatter(
                        table["sigma"], y, marker="D", s=40, zorder=3,
                        color=plots.OKABE_ITO["orange"],
                        label=_("σ (interactions, non-linearity)"),
                    )  # fmt: skip
                    ax.set_xlabel(
                        _(
                            "effect on {output} ({unit})\nof moving a parameter across its range"
                        ).format(output=kpi_label(output), unit=_unit_label(output))
                    )
                    _format_axis(ax.xaxis, output)
                else:
                    table = table.sort_values("ST")
                    y = np.arange(len(table))
                    ax.barh(
                        y + 0.2, table["ST"], xerr=table["ST_conf"], height=0.4, capsize=3,
                        color=plots.OKABE_ITO["blue"], label=_("total effect ST"),
                    )  # fmt: skip
                    ax.barh(
                        y - 0.2, table["S1"], xerr=table["S1_conf"], height=0.4, capsize=3,
                        color=plots.OKABE_ITO["orange"], label=_("first-order S1"),
                    )  # fmt: skip
                    ax.set_xlabel(
                        _("share of the variance of {output}").format(output=kpi_label(output))
                    )
                # the parameters keep their code names: they are what sensitivity() is given
                ax.set_yticks(y, list(table.index))
                ax.set_title(kpi_label(output))
                ax.grid(axis="y", visible=False)
                ax.legend(loc="lower right", markerfirst=not right_to_left())
            method = _("Morris screening") if self.method == "morris" else _("Sobol indices")
            sweep_ = self.runs
            fig.suptitle(
                _(
                    "{method}: {points} points × {replications} replications of {weeks} weeks, "
                    "{customers} customers"
                ).format(
                    method=method,
                    points=format_number(len(sweep_.design)),
                    replications=format_number(sweep_.replications),
                    weeks=format_number(sweep_.weeks),
                    customers=format_number(sweep_.n_customers, ","),
                )
            )
            plots.localize(fig)
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
    seed = checks.integer("seed", seed, low=0)
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError as err:  # pragma: no cover - SALib is in the dev and scale extras
        raise ImportError("sensitivity analysis needs SALib: pip install 'crmsim[scale]'") from err
    if method == "morris":
        trajectories = checks.integer("trajectories", trajectories, low=2)
        levels = checks.integer("levels", levels, low=2)
        if levels % 2:
            raise ValueError(f"levels must be even (Morris's design needs it), got {levels}")
        sample = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    else:
        samples = checks.integer("samples", samples, low=2)
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
