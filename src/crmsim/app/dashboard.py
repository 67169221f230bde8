"""The page: the scenario card and Mesa's SolaraViz controls in the sidebar, the views beside
them, and the element ``solara run crmsim.app:page`` serves.
"""

# Solara components are named like classes (Page, SolaraViz), as Solara and Mesa do.
# ruff: noqa: N802

from __future__ import annotations

from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update

from crmsim import scenarios
from crmsim.app.controls import model_params
from crmsim.app.model import DEFAULT_SCENARIO, RUN_WEEKS, DashboardModel
from crmsim.app.views import FigureCache, Views


def run_weeks(model: DashboardModel, weeks: int = RUN_WEEKS) -> str | None:
    """Simulate ``weeks`` more weeks; return an error message instead of raising.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=1)
    >>> run_weeks(model, 3), model.week
    (None, 3)
    """
    try:
        with model.lock:
            model.run(weeks, progress=False)
    except ValueError as err:
        return str(err)
    return None


@solara.component
def Page(
    scenario_name: str = DEFAULT_SCENARIO, n_customers: int | None = None, rng: Any = 0
) -> None:
    """The dashboard: scenario card, Mesa's controls and levers, and the views.

    Parameters
    ----------
    scenario_name : str
        The scenario the page opens with.
    n_customers : int, optional
        People in the first run's market; the scenario's by default.
    rng : int, str or None
        Seed of the first run.
    """
    first = solara.use_memo(
        lambda: DashboardModel(
            scenario_name=scenario_name,
            n_customers=n_customers,
            rng=rng,
            weeks=RUN_WEEKS,
            errors="show",
        ),
        [],
    )
    model = solara.use_reactive(first)
    # The images of the views, kept as long as the page is open (each run's only while
    # the run exists): a tab opened again is not drawn again.
    figures = solara.use_memo(FigureCache, [])
    per_attribute = solara.use_reactive(False)
    auto_run = solara.use_reactive(True)
    message = solara.use_reactive(None)
    # SolaraViz reads its controls' starting values once; a new key remounts it, so that the
    # sliders show a newly picked scenario's settings (or the other service sliders).
    generation = solara.use_reactive(0)
    params = solara.use_memo(
        lambda: model_params(
            model.value, per_attribute.value, weeks=RUN_WEEKS if auto_run.value else 0
        ),
        [generation.value],
    )

    def remount() -> None:
        generation.set(generation.value + 1)

    def pick_scenario(name: str) -> None:
        weeks = RUN_WEEKS if auto_run.value else 0
        model.set(
            DashboardModel(scenario_name=name, rng=model.value.seed, weeks=weeks, errors="show")
        )
        remount()

    def pick_service_controls(value: bool) -> None:
        per_attribute.set(value)
        remount()

    def pick_auto_run(value: bool) -> None:
        auto_run.set(value)
        remount()

    def run_button() -> None:
        message.set(run_weeks(model.value))
        force_update()

    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select(
            "Scenario",
            value=model.value.scenario_name,
            values=scenarios.names(),
            on_value=pick_scenario,
        )
        solara.Checkbox(
            label="One slider per Kano attribute",
            value=per_attribute.value,
            on_value=pick_service_controls,
        )
        solara.Checkbox(
            label=f"Run {RUN_WEEKS} weeks after Reset",
            value=auto_run.value,
            on_value=pick_auto_run,
        )
        solara.Button(f"Run {RUN_WEEKS} weeks", color="primary", on_click=run_button)
        if message.value:
            solara.Error(message.value)

    SolaraViz(
        model,
        components=[],
        model_params=params,
        name="crmsim: watch a CRM course happen",
    ).key(f"viz-{generation.value}")
    Views(model.value, figures)


#: The element ``solara run crmsim.app:page`` serves.
page = Page()
