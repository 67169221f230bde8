"""Policy experiments the way a strategist should run them: replications, common random numbers.

One run of an agent-based model is one story among many; two policies compared on one run
each may differ by luck alone. Everything here runs each setting many times and, in
replication ``r``, gives every setting the same seed (common random numbers): the same market,
the same people with the same traits, the same network. Differences between settings then owe
less to luck. By default (``streams="keyed"``) each customer also meets the same luck in every
week under every setting (:mod:`crmsim.streams`), and paired intervals are several times narrower.

* :func:`compare` runs named policies and reports every KPI of :data:`KPIS` with a 95 %
  confidence interval; :meth:`ComparisonResult.differences` pairs the runs replication by
  replication for tighter intervals.
* :func:`sweep` runs a *design* — a grid (:func:`grid`) or a Latin hypercube
  (:func:`latin_hypercube`) over Policy fields and ``market.`` fields — writes every finished run
  to ``out_dir`` as it goes, and resumes an interrupted sweep without redoing finished runs.
  :func:`read_design` reads a design from a TOML file (the ``crmsim sweep`` command).
* :func:`optimize` searches chosen levers within bounds (and a budget) for the policy with
  the best mean KPI, with Optuna, every candidate run on the same seeds; it returns the best
  policy with its interval and the runners-up it could not tell apart
  (:class:`OptimizationResult`), and resumes from ``out_dir`` like a sweep.
* :func:`sensitivity` measures how much churn and profit depend on each parameter (Morris
  elementary effects or Sobol indices, with SALib).

Runs are spread over local processes (all cores by default) or over a Dask distributed cluster
(``scheduler=`` an address or a ``distributed.Client``); every run depends on its seed alone, so
the results are the same, number for number, however they were computed. In a script, call these
functions under ``if __name__ == "__main__":``: worker processes import the main module.

The code is split along its seams:

* :mod:`~crmsim.experiments.kpis`: the KPIs of one run (:data:`KPIS`, :func:`run_kpis`);
* :mod:`~crmsim.experiments.runner`: seeds of the replications, tasks, local processes, Dask;
* :mod:`~crmsim.experiments.comparison`: :func:`compare` and :class:`ComparisonResult`;
* :mod:`~crmsim.experiments.designs`: :func:`grid`, :func:`latin_hypercube`, :func:`read_design`;
* :mod:`~crmsim.experiments.runlog`: the run log in ``out_dir`` that lets a sweep resume;
* :mod:`~crmsim.experiments.sweeps`: :func:`sweep` and :class:`SweepResult`;
* :mod:`~crmsim.experiments.optimization`: :func:`optimize` and :class:`OptimizationResult`;
* :mod:`~crmsim.experiments.sensitivity_analysis`: :func:`sensitivity` and
  :class:`SensitivityResult`;
* :mod:`~crmsim.experiments.formatting`: the number formats and tables they share (their
  arguments are checked by :mod:`crmsim.checks`);
* :mod:`~crmsim.experiments.figures`: what their figures share, loaded only when one is drawn.

Tables and figures speak the language in use (:func:`crmsim.set_language`): in Persian their
words are those of ``locale/fa/LC_MESSAGES/experiments.po``, KPIs go by their Persian names
(:func:`kpi_label`), numbers are written in Persian digits and figures are set in Vazirmatn;
names the experiment was given (policies, levers, parameters) stay as written.

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

from crmsim.experiments.comparison import ComparisonResult, compare, holm
from crmsim.experiments.designs import grid, latin_hypercube, read_design
from crmsim.experiments.formatting import _format_difference as format_difference
from crmsim.experiments.formatting import _format_interval as format_interval
from crmsim.experiments.kpis import KPIS, kpi_label, run_kpis
from crmsim.experiments.optimization import OptimizationResult, optimize
from crmsim.experiments.runner import MIN_WEEKS as MIN_WEEKS
from crmsim.experiments.runner import replication_seeds
from crmsim.experiments.sensitivity_analysis import SENSITIVITY_OUTPUTS as SENSITIVITY_OUTPUTS
from crmsim.experiments.sensitivity_analysis import SensitivityResult, sensitivity
from crmsim.experiments.sweeps import SweepResult, sweep

__all__ = [
    "KPIS",
    "ComparisonResult",
    "OptimizationResult",
    "SensitivityResult",
    "SweepResult",
    "compare",
    "format_difference",
    "format_interval",
    "grid",
    "holm",
    "kpi_label",
    "latin_hypercube",
    "optimize",
    "read_design",
    "replication_seeds",
    "run_kpis",
    "sensitivity",
    "sweep",
]
