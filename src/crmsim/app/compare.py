"""Compare while you play: the previous run drawn faintly behind the current one, and a band
from a few replications of the current settings on other seeds.

Both are kept on the run they are compared with (:func:`comparison`), so that every figure of
that run, on every tab, draws them; the figures' images are kept per comparison
(:attr:`Comparison.token`), so a band that arrives redraws them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from crmsim.app.model import SEED_RANGE, DashboardModel

#: Replications run by the "Band" button: other seeds, the settings of the run in use.
REPLICATIONS = 5


def _customers(frame: pd.DataFrame) -> np.ndarray:
    return frame[["actual", "loyal", "marketer"]].sum(axis=1).to_numpy(dtype=float)


def _churn(frame: pd.DataFrame) -> np.ndarray:
    return frame["churn_rate"].astype(float).rolling(13, min_periods=1).mean().to_numpy()


def _trust(frame: pd.DataFrame) -> np.ndarray:
    return frame["trust"].to_numpy(dtype=float)


def _profit(frame: pd.DataFrame) -> np.ndarray:
    return frame["profit"].cumsum().to_numpy(dtype=float)


def _referrals(frame: pd.DataFrame) -> np.ndarray:
    return frame["referrals"].cumsum().to_numpy(dtype=float)


#: The series compared, by figure: the panel (axes number) and the series drawn there.
TRACES: dict[str, tuple[int, Callable[[pd.DataFrame], np.ndarray]]] = {
    "tiers": (0, _customers),
    "churn": (1, _churn),
    "trust": (0, _trust),
    "profit": (1, _profit),
    "referrals": (1, _referrals),
}


@dataclass
class Comparison:
    """What a run is compared with: the previous run, and replications on other seeds.

    Attributes
    ----------
    previous : pandas.DataFrame or None
        The weekly frame of the run before this one (at its last week).
    runs : list of pandas.DataFrame
        The replications finished so far.
    wanted : int
        Replications asked for (0: none).
    token : int
        Changes whenever what is drawn changes: part of the figures' keys in the cache.
    """

    previous: pd.DataFrame | None = None
    runs: list[pd.DataFrame] = field(default_factory=list)
    wanted: int = 0
    token: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def progress(self) -> str:
        """The replications' progress in words, or ``""`` if none were asked for."""
        if not self.wanted:
            return ""
        if len(self.runs) < self.wanted:
            return f"Band: {len(self.runs)} of {self.wanted} other seeds run…"
        return f"Band: the {self.wanted} other seeds' lowest to highest"


def comparison(model: DashboardModel) -> Comparison:
    """The :class:`Comparison` kept on ``model`` (made empty the first time)."""
    found = getattr(model, "_comparison", None)
    if found is None:
        found = Comparison()
        model._comparison = found
    return found


def overlay(figure: Figure, key: str, model: DashboardModel) -> None:
    """Draw ``model``'s comparison on figure ``key``: the previous run faint and dashed, the
    replications as a band, behind the current run's lines."""
    if key not in TRACES:
        return
    found = comparison(model)
    axis_number, series = TRACES[key]
    if axis_number >= len(figure.axes):
        return
    ax = figure.axes[axis_number]
    weeks = model.snapshot()["week"].to_numpy()
    added = False
    if found.runs and len(found.runs) >= found.wanted:
        values = [series(run)[: len(weeks)] for run in found.runs]
        n = min(len(v) for v in values)
        stack = np.vstack([v[:n] for v in values])
        ax.fill_between(
            weeks[:n],
            np.nanmin(stack, axis=0),
            np.nanmax(stack, axis=0),
            color="#888888",
            alpha=0.25,
            linewidth=0,
            zorder=0,
            label=f"{len(values)} other seeds",
        )
        added = True
    if found.previous is not None and len(found.previous):
        previous = found.previous
        ax.plot(
            previous["week"].to_numpy(),
            series(previous),
            color="#777777",
            linestyle=":",
            linewidth=2.0,
            alpha=0.8,
            zorder=1,
            label="previous run",
        )
        added = True
    if added:
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def replicate(
    model: DashboardModel,
    n: int = REPLICATIONS,
    on_progress: Callable[[], None] | None = None,
) -> threading.Thread:
    """Run ``n`` replications of ``model``'s settings on other seeds, in a background thread.

    Each runs as many weeks as ``model`` has, with the levers in use now; they are added to
    ``model``'s :class:`Comparison` one by one, and ``on_progress()`` is called after each (and
    the page redraws). Asking again, or a new run, cancels replications under way.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=1, weeks=5)
    >>> replicate(model, 2).join()
    >>> comparison(model).progress
    "Band: the 2 other seeds' lowest to highest"
    """
    from crmsim.app.link import settings_from_query, settings_query

    found = comparison(model)
    found.cancel.set()  # replications of an earlier request stop
    cancel = threading.Event()
    found.cancel, found.runs, found.wanted = cancel, [], n
    found.token += 1
    kwargs, _ = settings_from_query(settings_query(model), model.scenario_name)
    weeks = model.week
    seed = model.seed or 0

    def run() -> None:
        for k in range(1, n + 1):
            if cancel.is_set():
                return
            other = DashboardModel(**{**kwargs, "rng": (seed + k) % SEED_RANGE})
            for _ in range(weeks):
                if cancel.is_set():
                    return
                other.step()
            found.runs.append(other.frame)
            found.token += 1
            if on_progress is not None:
                on_progress()

    thread = threading.Thread(target=run, name="crmsim-replications", daemon=True)
    thread.start()
    return thread
