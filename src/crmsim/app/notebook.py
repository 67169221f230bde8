"""The dashboard in a notebook cell: :func:`NotebookPage`, the whole page laid out for JupyterLab.

Why a page of its own
---------------------
:func:`~crmsim.app.Page` puts its controls in Solara's sidebar (``solara.Sidebar``) and its
title in the app bar (``solara.AppBar``). Neither is drawn by the page itself: the layout
around it collects them and places them. Under ``solara run`` (``crmsim app``) that layout is
Solara's ``AppLayout``, with a navigation drawer for the sidebar. In a notebook, Solara wraps
every element it shows in the same ``AppLayout`` in its "embedded" form, which puts the sidebar
in a menu that opens from an app bar. With ipyvuetify 3 (Vuetify 3, which Solara brings into
this environment) an app bar must sit inside a Vuetify *layout* (``v-app`` or ``v-layout``),
which the Solara server's page provides and a notebook's output does not. The app bar then
fails to mount (the browser's console says ``[Vuetify] Could not find injected layout``) and
takes the sidebar with it: the cell shows the text, the tabs and the figures, but no scenario
picker, no levers and no Reset / ▶ / Step.

:func:`NotebookLayout` collects the sidebar and the title itself, nearer to the page than
Solara's wrapper, and lays them out with plain boxes that need no Vuetify layout: the title on
top, the controls in a column of their own (:data:`SIDEBAR_WIDTH` wide, scrolling within
:data:`SIDEBAR_HEIGHT`), the views beside them. Solara's wrapper is then left with nothing to
put in an app bar and draws none. The server's page is unchanged.

In a notebook::

    from crmsim.app import NotebookPage
    NotebookPage()                          # the baseline scenario, seed 0
    NotebookPage(scenario_name="opening_discount", n_customers=500)
"""

# Solara components are named like classes (Page, AppLayout), as Solara does.
# ruff: noqa: N802

from __future__ import annotations

from typing import Any

import solara
from solara.components.applayout import appbar_portal, apptitle_portal, sidebar_portal

from crmsim.app.dashboard import Page
from crmsim.app.language import localized
from crmsim.app.model import DEFAULT_SCENARIO

#: Width of the controls' column in a notebook cell.
SIDEBAR_WIDTH = "340px"
#: The controls' column scrolls within this height, so that the figures stay beside the levers
#: rather than far above the end of a long column.
SIDEBAR_HEIGHT = "85vh"


@solara.component
def NotebookLayout(children: list[Any] = []) -> solara.Element:  # noqa: B006 (Solara's way)
    """Lay out ``children`` with what they put in Solara's sidebar and app bar, without a
    Vuetify layout: the app bar's title as a heading, the sidebar as a column on the left,
    ``children`` on the right.

    Any page written for Solara's ``AppLayout`` (``solara.Sidebar``, ``solara.AppBar``,
    ``solara.AppBarTitle``) can be shown in it: what it sends to the sidebar and the app bar
    is collected here, before Solara's own notebook wrapper would try to place it.
    """
    sidebar = sidebar_portal.use_portal()
    appbar = appbar_portal.use_portal()
    title = apptitle_portal.use_portal()
    with solara.Column(gap="8px", classes=["crmsim-notebook"]) as main:
        # What the page puts in the app bar, rendered out of sight: its AppBarTitle sends the
        # title on, to the heading below.
        solara.Div(children=appbar, style={"display": "none"})
        if title:
            solara.Div(
                children=title,
                classes=["crmsim-notebook-title"],
                style={"font-size": "1.25rem", "font-weight": "500"},
            )
        with solara.Row(gap="16px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
            if sidebar:
                solara.Column(
                    children=sidebar,
                    classes=["crmsim-notebook-sidebar"],
                    style={
                        "flex": f"0 0 {SIDEBAR_WIDTH}",
                        "width": SIDEBAR_WIDTH,
                        "max-height": SIDEBAR_HEIGHT,
                        "overflow-y": "auto",
                    },
                )
            solara.Column(
                children=children,
                classes=["crmsim-notebook-main"],
                style={"flex": "1 1 auto", "min-width": "0"},
            )
    return main


@solara.component
def NotebookPage(
    scenario_name: str = DEFAULT_SCENARIO, n_customers: int | None = None, rng: Any = 0
) -> None:
    """The dashboard for a notebook cell: :func:`~crmsim.app.Page` in :func:`NotebookLayout`,
    the scenario picker, Reset / ▶ / Step and the levers in a column beside the figures.

    Parameters
    ----------
    scenario_name : str
        The scenario the page opens with.
    n_customers : int, optional
        People in the first run's market; the scenario's by default.
    rng : int, str or None
        Seed of the first run.

    Examples
    --------
    >>> element = NotebookPage(n_customers=100)  # the last line of a cell shows it
    >>> element.component.name
    'NotebookPage'
    """
    with localized(), NotebookLayout():
        Page(scenario_name=scenario_name, n_customers=n_customers, rng=rng)
