"""The interactive dashboard: pull the firm's levers and watch customers, churn and profit.

A Mesa :class:`~mesa.visualization.SolaraViz` page. The sidebar has a scenario picker, Mesa's
Reset / ▶ / Step controls, a "Run 156 weeks" button and one control per lever of
:class:`~crmsim.Policy`, three of the :class:`~crmsim.Market` and the population size. The main
area shows the standard figures of :mod:`crmsim.plots` (stages, tiers, churn and acquisitions,
referrals and negative word of mouth, trust, profit) and, for markets of up to
:data:`NETWORK_LIMIT` people, the social network coloured by stage.

How to use it
-------------
Standalone, in a browser::

    crmsim app                      # serves http://127.0.0.1:8765 and prints the address
    crmsim app --port 9000

In a notebook cell (JupyterLab or Notebook, with the ``lab`` extra installed)::

    from crmsim.app import Page
    Page(scenario_name="opening_discount")

Pick a scenario to load its settings into the controls. Change a control, then press
**Reset**: the model is rebuilt from the controls and, with "Run 156 weeks after Reset"
ticked, runs three years at once. **Step** and **▶** continue week by week. A value the
model refuses (a discount that ends before it starts, a seed that is not a number) does
not break the page: the message is shown and the scenario's own settings are used until
the control is fixed.

Why a subclass
--------------
SolaraViz rebuilds the model as ``type(model)(**controls)``, so every control must be a
keyword argument of the model's constructor. :class:`DashboardModel` takes the levers as
plain numbers and strings and builds the ``Policy`` and ``Market`` from them, starting from
the chosen scenario; :class:`~crmsim.CRMModel` itself keeps its ``policy=`` / ``market=``
interface.

The keyword is ``scenario_name``, not ``scenario``: Mesa 3.5 reserves ``Model.scenario``
(and a ``scenario=`` argument) for its own experiment scenarios and would overwrite ours
when it rebuilds the model.

How it is built
---------------
* :mod:`crmsim.app.model`: :class:`DashboardModel` and the parsing of the controls' values;
* :mod:`crmsim.app.controls`: :func:`model_params`, the sidebar's sliders and menus;
* :mod:`crmsim.app.views`: the figures, their images (:class:`FigureCache`) and the components
  of the main area;
* :mod:`crmsim.app.dashboard`: :func:`Page` and ``page``, the element ``solara run`` serves.
"""

from __future__ import annotations

import solara

from crmsim.app import dashboard
from crmsim.app.controls import model_params
from crmsim.app.dashboard import Page, page, run_weeks
from crmsim.app.model import (
    ATTRIBUTES,
    DEFAULT_SCENARIO,
    NO_END,
    RUN_WEEKS,
    DashboardModel,
    parse_seed,
    target_label,
)
from crmsim.app.views import (
    FIGURE_DPI,
    FIGURE_SCALE,
    FIGURES,
    NETWORK_LIMIT,
    NOTES,
    TABS,
    FigureCache,
    FigureView,
    NetworkView,
    Overview,
    Views,
    draw_figure,
    network_figure,
    network_layout,
    render_png,
    summary_line,
    view_image,
)

#: What ``solara run crmsim.app:page`` (the ``crmsim app`` command) and ``solara run crmsim.app``
#: serve: the dashboard, as one page. Without it Solara would make a page of each module of this
#: package.
routes = [solara.Route("/", component=Page, module=dashboard, label="App")]

__all__ = [
    "ATTRIBUTES",
    "DEFAULT_SCENARIO",
    "FIGURES",
    "FIGURE_DPI",
    "FIGURE_SCALE",
    "NETWORK_LIMIT",
    "NOTES",
    "NO_END",
    "RUN_WEEKS",
    "TABS",
    "DashboardModel",
    "FigureCache",
    "FigureView",
    "NetworkView",
    "Overview",
    "Page",
    "Views",
    "draw_figure",
    "model_params",
    "network_figure",
    "network_layout",
    "page",
    "parse_seed",
    "render_png",
    "run_weeks",
    "summary_line",
    "target_label",
    "view_image",
]
