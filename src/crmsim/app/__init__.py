"""The interactive dashboard: pull the firm's levers and watch customers, churn and profit.

A Solara page on a Mesa model. The sidebar has a scenario picker, a "Run 156 weeks" button,
Reset / ▶ / Step and one control per lever of :class:`~crmsim.Policy`, four of the
:class:`~crmsim.Market` and the run's set-up (people, network, seed), grouped as the course
groups them (:data:`GROUPS`), each with its unit and a one-line explanation as tooltip
(:data:`LEVERS`); Export buttons, and the settings for developers folded away below them. The
main area shows the run in one line, monitors of the key figures (:func:`monitors`), the
standard figures of :mod:`crmsim.plots` (stages, tiers, churn and acquisitions, referrals and
negative word of mouth, trust, profit), for markets of up to :data:`NETWORK_LIMIT` people the
social network coloured by stage, beside it one person's journey (:class:`JourneyView`: click
a person's dot, or pick them by number or "Next customer"; they are ringed in the network), and
an Info tab in NetLogo's sections (:data:`INFO`).

How to use it
-------------
Standalone, in a browser::

    crmsim app                      # serves http://127.0.0.1:8765 and prints the address
    crmsim app --port 9000

In a notebook cell (JupyterLab 4, with the ``lab`` extra installed)::

    from crmsim.app import NotebookPage
    NotebookPage(scenario_name="opening_discount")

:func:`NotebookPage` is the same page with its sidebar laid out in the cell: the scenario card,
Reset / ▶ / Step and the levers in a column on the left, the views on the right
(:mod:`crmsim.app.notebook`). :func:`Page` is the page ``crmsim app`` serves; shown in a
notebook, its controls would go missing (Solara puts them in an app bar that Vuetify 3 draws
only inside a page-wide layout, which a notebook's output lacks).

Pick a scenario to load its settings into the controls. A lever moved applies to the run from
the next week on, as ``model.policy = model.policy.replace(...)`` does in a notebook: press
**Step** or **▶** to see what it does. While playing, the run goes on at the play interval
(50 weeks a second at most by default) and the page is redrawn a few times a second: the text
about five times, the figures about once (:class:`Player`); ❚❚ stops it at once. **Reset**
starts a fresh run from the controls (the run set-up included) and, with "Run 156 weeks after
Reset" ticked, runs three years at once. The header shows the settings in use: the seed (a
blank seed draws one, shown there), where the levers differ from the scenario and which
changed during the run. A value the model refuses (a discount that ends before it starts, a
seed that is not a number) does not break the page: the message, in the controls' own words,
is shown and the run keeps its settings (at Reset: the scenario's own) until the control is
fixed. The settings in use are kept in the page's address (:func:`settings_query`): a reload
or a shared link opens the same run.

For a projector, **Present** (or ``present=1`` in the address) switches to presentation mode:
one figure at a time, picked from a menu and drawn large (:data:`PRESENT_SIZE`,
:data:`PRESENT_DPI`), with Reset / ▶ / Step and the monitors above it and the levers folded
away, all of it on a 1280×720 screen. After Reset the previous run is drawn dotted behind the
new one, and **Band: 5 other seeds** shades the lowest to highest values of replications of
the settings in use (:mod:`crmsim.app.compare`). **Compare with** (or ``compare=<scenario>``
in the address) runs a second policy side by side, as B: that scenario's policy on the same
seed, people and market, moving on week for week with the run (A) at Step, ▶ and "Run 156
weeks", and started afresh beside each new run at Reset. The customers, churn, trust, profit
and referral figures draw B dash-dotted over A, the monitors show B's value and A − B, and the
header says where B's policy differs from A's levers (:func:`~crmsim.app.compare.pair`).

A game's market
---------------
A saved CRM game (:mod:`crmsim.game`) has a page of its own, for the instructor to project
while the class plays (:mod:`crmsim.app.game`)::

    crmsim app --game spring/       # serves the game in spring/ instead of the dashboard

or in a notebook cell::

    from crmsim.app import GamePage
    GamePage("spring/")

It shows the game's name and the rounds played, each firm's share and customers, and four
tabs: the firms' market shares week by week with the rounds marked, customers and profit per
firm and round, the scoreboard (ranked, each measure with its points) and who took customers
from whom. A menu shows the market as it was at the end of an earlier round; **Reload** reads
the folder again, so that rounds played from the command line since the page opened appear.
Each firm keeps its colour throughout, the one the debriefs give it. The page only reads the
folder: it can be reloaded while ``crmsim game round`` writes the next round.

Why a subclass
--------------
Reset rebuilds the model as ``type(model)(**controls)``, as Mesa's own Reset does, so every
control must be a keyword argument of the model's constructor. :class:`DashboardModel` takes
the levers as plain numbers and strings and builds the ``Policy`` and ``Market`` from them,
starting from the chosen scenario; :class:`~crmsim.CRMModel` itself keeps its ``policy=`` /
``market=`` interface.

The keyword is ``scenario_name``, not ``scenario``: Mesa 3.5 reserves ``Model.scenario``
(and a ``scenario=`` argument) for its own experiment scenarios and would overwrite ours
when it rebuilds the model.

How it is built
---------------
* :mod:`crmsim.app.model`: :class:`DashboardModel` and the parsing of the controls' values;
* :mod:`crmsim.app.levers`: the levers' labels, units, explanations and groups, their values
  in a run and error messages in their words;
* :mod:`crmsim.app.controls`: :func:`model_params`, the sidebar's sliders and menus;
* :mod:`crmsim.app.views`: the figures, their images (:class:`FigureCache`) and the components
  of the main area;
* :mod:`crmsim.app.export`: the weekly table, figures and levers as files to download;
* :mod:`crmsim.app.compare`: the previous run and replications on other seeds, drawn behind
  the run in use, and a second policy run side by side with it on the same seed;
* :mod:`crmsim.app.link`: the settings in use kept in the page's address;
* :mod:`crmsim.app.play`: :class:`Player`, which plays a run (▶) and redraws a few times a
  second;
* :mod:`crmsim.app.dashboard`: :func:`Page` and ``page``, the element ``solara run`` serves;
* :mod:`crmsim.app.notebook`: :func:`NotebookPage`, the page laid out for a notebook cell;
* :mod:`crmsim.app.game`: :func:`GamePage`, a saved game's market;
* :mod:`crmsim.app.assets`: Solara's front-end files, installed for a page that works offline,
  and the Persian page's typeface;
* :mod:`crmsim.app.language`: the page in the language in use (``CRMSIM_LANG``,
  :func:`crmsim.set_language`; ``crmsim --lang fa app``): in Persian every text and every
  slider's value, right to left, in Vazirmatn.
"""

from __future__ import annotations

import solara

from crmsim.app import dashboard
from crmsim.app.compare import (
    B_STYLE,
    MARKET_LEVERS,
    NOTHING,
    OWN_LINES,
    REPLICATIONS,
    TRACES,
    Comparison,
    comparison,
    follow,
    pair,
    replicate,
)
from crmsim.app.controls import CHANNEL_SETS, model_params
from crmsim.app.dashboard import (
    Controls,
    Exports,
    LeverControl,
    Page,
    PlayButtons,
    page,
    run_weeks,
)
from crmsim.app.export import EXPORT_DPI, figures_png, policy_toml, weekly_csv
from crmsim.app.game import GAME_TABS, GAME_VARIABLE, GamePage, Standing, open_game, standing
from crmsim.app.language import Layout, Localized
from crmsim.app.levers import (
    GROUPS,
    LEVERS,
    LIVE,
    Lever,
    differences,
    in_words,
    lever_values,
)
from crmsim.app.link import comparing, presenting, settings_from_query, settings_query
from crmsim.app.model import (
    ATTRIBUTES,
    DEFAULT_SCENARIO,
    NO_END,
    RUN_WEEKS,
    SEED_RANGE,
    DashboardModel,
    channels_label,
    parse_seed,
    target_label,
)
from crmsim.app.notebook import NotebookLayout, NotebookPage
from crmsim.app.play import FIGURE_PERIOD, INTERVAL, TEXT_PERIOD, Player
from crmsim.app.views import (
    FIGURE_DPI,
    FIGURE_SCALE,
    FIGURES,
    INFO,
    MONITORS,
    NETWORK_LIMIT,
    NO_HISTORY,
    NOTES,
    PICK_RADIUS,
    PRESENT_DPI,
    PRESENT_SIZE,
    PRESENT_VIEWS,
    TABS,
    CompareMenu,
    FigureCache,
    FigureView,
    Info,
    JourneyView,
    Monitors,
    NetworkView,
    Overview,
    PresentView,
    Views,
    chosen,
    compared_monitors,
    draw_figure,
    draw_views,
    fit_titles,
    journey,
    monitors,
    network_figure,
    network_key,
    network_layout,
    next_customer,
    person_at,
    person_summary,
    places,
    render_png,
    settings_lines,
    side_by_side_lines,
    summary_line,
    view_image,
)

#: What ``solara run crmsim.app:page`` (the ``crmsim app`` command) and ``solara run crmsim.app``
#: serve: the dashboard, as one page. Without it Solara would make a page of each module of this
#: package.
#: Its layout is Solara's, in Persian written right to left in Vazirmatn (:mod:`.language`).
routes = [solara.Route("/", component=Page, module=dashboard, label="App", layout=Layout)]

__all__ = [
    "ATTRIBUTES",
    "GROUPS",
    "LEVERS",
    "LIVE",
    "SEED_RANGE",
    "Controls",
    "Lever",
    "LeverControl",
    "differences",
    "in_words",
    "lever_values",
    "settings_from_query",
    "settings_lines",
    "settings_query",
    "DEFAULT_SCENARIO",
    "FIGURES",
    "FIGURE_DPI",
    "FIGURE_SCALE",
    "REPLICATIONS",
    "TRACES",
    "Comparison",
    "comparison",
    "replicate",
    "B_STYLE",
    "MARKET_LEVERS",
    "NOTHING",
    "OWN_LINES",
    "CompareMenu",
    "compared_monitors",
    "comparing",
    "follow",
    "pair",
    "side_by_side_lines",
    "MONITORS",
    "PRESENT_DPI",
    "PRESENT_SIZE",
    "PRESENT_VIEWS",
    "PresentView",
    "fit_titles",
    "presenting",
    "NETWORK_LIMIT",
    "NOTES",
    "NO_END",
    "RUN_WEEKS",
    "TABS",
    "DashboardModel",
    "EXPORT_DPI",
    "Exports",
    "figures_png",
    "policy_toml",
    "weekly_csv",
    "FIGURE_PERIOD",
    "INTERVAL",
    "TEXT_PERIOD",
    "Player",
    "FigureCache",
    "FigureView",
    "INFO",
    "Info",
    "Monitors",
    "monitors",
    "NetworkView",
    "JourneyView",
    "NO_HISTORY",
    "chosen",
    "journey",
    "next_customer",
    "person_summary",
    "PICK_RADIUS",
    "network_key",
    "person_at",
    "places",
    "Overview",
    "Page",
    "NotebookLayout",
    "NotebookPage",
    "Layout",
    "Localized",
    "GAME_TABS",
    "GAME_VARIABLE",
    "GamePage",
    "Standing",
    "open_game",
    "standing",
    "PlayButtons",
    "Views",
    "draw_figure",
    "draw_views",
    "model_params",
    "CHANNEL_SETS",
    "channels_label",
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
