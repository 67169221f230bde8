"""Running many runs: the seeds of the replications (common random numbers), one task per run,
and their execution in this process, in local worker processes or on a Dask cluster.
"""

from __future__ import annotations

import ast
import contextlib
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crmsim import checks
from crmsim.experiments.kpis import run_kpis
from crmsim.levers import Market, Policy, Population
from crmsim.model import CRMModel

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
    streams: str = "sequential"


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
        streams=task.streams,
    )
    model.run(task.weeks, progress=False)
    return run_kpis(model)


def _check_workers(workers: Any) -> int:
    if workers is None:
        count = os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()
        return max(1, count or 1)
    return checks.integer("workers", workers, low=1)


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


def _end_with(parent: int) -> None:
    """Make this worker end soon after the process that asked for it dies.

    A killed run (``kill -9``, a closed terminal) cannot shut its pool down, and the
    workers would go on running the sweep for nobody; the fork server they come from stays
    alive as long as they do. A thread checks once a second that ``parent`` still exists.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if not _exists(parent):
                os._exit(1)

    threading.Thread(target=watch, name="crmsim-parent-watch", daemon=True).start()


def _exists(pid: int) -> bool:
    """Whether process ``pid`` is still running (a zombie, killed but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def _workers_can_start() -> bool:
    """Whether worker processes can start, warning (and running in this process) if not.

    A worker process imports the script that started the run, as ``__mp_main__``: a script
    whose top level calls ``compare`` or ``sweep`` without an ``if __name__ == "__main__":``
    guard would start the run again in every worker, and the pool would break. Notebooks,
    the command line and guarded scripts are fine.
    """
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    name = getattr(getattr(main, "__spec__", None), "name", "") or ""
    # workers never run a package's __main__.py (``python -m crmsim``), nor IPython's launcher
    if script is None or name.endswith("__main__") or _has_main_guard(script):
        return True
    warnings.warn(
        f"running in one process: {script} calls crmsim.experiments at its top level without "
        'an `if __name__ == "__main__":` guard, which worker processes need (they import the '
        "script); put the calls under such a guard to use several processes",
        RuntimeWarning,
        stacklevel=4,
    )
    return False


def _has_main_guard(path: str) -> bool:
    """Whether the Python file at ``path`` has a top-level ``if __name__ == "__main__":``."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return True  # not a script we can read (a frozen app, a console entry point)
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = {
                getattr(part, "id", getattr(part, "value", None))
                for part in (node.test.left, *node.test.comparators)
            }
            if {"__name__", "__main__"} <= names:
                return True
    return False


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

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_process_context(),
        initializer=_end_with,
        initargs=(os.getpid(),),
    )
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
    bar: Any = None,
) -> None:
    """Run ``tasks``, calling ``finished(task, kpis)`` in this process as each run ends.

    Runs end in any order; callers key results by ``(task.point, task.replication)``.
    ``bar``, a tqdm bar, counts the runs instead of a bar of their own (an optimisation runs
    batch after batch under one bar).
    """
    from tqdm.auto import tqdm

    own = bar is None
    if own:
        bar = tqdm(
            total=len(tasks) + done,
            initial=done,
            unit="run",
            disable=not progress,
            leave=False,
            delay=1.0,
        )
    with bar if own else contextlib.nullcontext():

        def tick(task: _Task, kpis: dict[str, float]) -> None:
            finished(task, kpis)
            bar.update()

        if not tasks:
            return
        if scheduler is not None:
            _run_on_dask(tasks, scheduler, tick)
        elif workers == 1 or len(tasks) == 1 or not _workers_can_start():
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
    replications = checks.integer("replications", replications, low=2)
    weeks = checks.integer("weeks", weeks, low=MIN_WEEKS)
    n_customers = checks.integer("n_customers", n_customers, low=1)
    seed = checks.integer("seed", seed, low=0)
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    # Checked once here, so a bad market fails before the first of many runs.
    market = market if isinstance(market, Market) or market is None else Market.from_dict(market)
    if population is not None and not isinstance(population, Population):
        population = Population.from_dict(population)
    workers = _check_workers(workers)
    _check_scheduler(scheduler)
    return replications, weeks, n_customers, seed, market, population, workers
