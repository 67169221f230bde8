"""The main area of the dashboard: the figures and notes on each tab, drawn as PNG images and
kept per run and week in a :class:`FigureCache`, the overview line and the Solara components
that show them.
"""

# Solara components are named like classes (Page, SolaraViz), as Solara and Mesa do.
# ruff: noqa: N802

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from io import BytesIO
from typing import Any

import ipyvuetify as v
import numpy as np
import pandas as pd
import solara
import solara.lab
import traitlets
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from crmsim import analysis, plots, scenarios
from crmsim.app.compare import NOTHING, TRACES, comparison, overlay
from crmsim.app.language import choices, network_text
from crmsim.app.levers import differences, in_words, lever_label, lever_values, shown_value
from crmsim.app.model import RUN_WEEKS, DashboardModel
from crmsim.i18n import N_, _, format_number, ngettext, pgettext
from crmsim.model import CLASS_SIZE, CRMModel
from crmsim.stages import ACTIVE_STAGES, Stage, Tier

#: The network is drawn only for markets up to this size; beyond it the drawing is a hairball.
NETWORK_LIMIT = 400
#: Resolution of the PNG images of the figures: 750 pixels wide, about what a figure beside
#: another gets on a laptop's screen. Their cost is in the drawing (layout, ticks, text), not
#: the pixels: 72 dpi would save little.
FIGURE_DPI = 100
#: The standard figures are sized for a projector; two side by side read better a bit smaller
#: (the same type on a smaller page is larger in proportion).
FIGURE_SCALE = 0.75
#: Presentation mode's one figure, in inches and dots per inch: 1,250 by 538 pixels, the width
#: of a 1280×720 projector's page with room above for the buttons. The type scales with the
#: dpi: the figures' 11-point tick labels come out about 19 pixels high, against about 8 when
#: two standard figures share that screen.
PRESENT_SIZE = (10.0, 4.3)
PRESENT_DPI = 125
#: The views presentation mode offers, by key, with the name its menu shows.
PRESENT_VIEWS: dict[str, str] = {
    "stages": N_("Stages"),
    "tiers": N_("Tiers"),
    "churn": N_("Churn"),
    "referrals": N_("Word of mouth"),
    "churn_causes": N_("Why customers left"),
    "trust": N_("Trust"),
    "profit": N_("Profit"),
    "network": N_("Network"),
}


#: The figures of the dashboard, by key: each a :mod:`crmsim.plots` function of the weekly frame.
FIGURES: dict[str, Callable[[pd.DataFrame], Figure]] = {
    "stages": plots.stages_over_time,
    "tiers": plots.tiers_over_time,
    "churn": plots.churn_and_acquisition,
    "referrals": plots.referrals_and_word_of_mouth,
    "churn_causes": plots.churn_causes,
    "trust": plots.trust_composition,
    "profit": plots.profit,
}
#: Short texts shown beside a figure: what it means and what to look for.
NOTES: dict[str, tuple[str, ...]] = {
    "churn_note": (
        N_(
            "Churn, the course's way: of the customers there at the start of a period, the share "
            "lost during it. Customers won during the period do not count in its churn; they are "
            "part of the next period's base."
        ),
        N_(
            "The top panel shows the customers won (up) and lost (down) each week; the middle "
            "one the weekly churn; the bottom one churn per quarter of 13 weeks."
        ),
        N_(
            "Try: an opening discount (scenario opening_discount) wins many customers at once; "
            "watch what churn does when it ends in week 8."
        ),
    ),
    "network_note": (
        N_(
            "Each dot is a person in the market, each line two people who talk. Colours are "
            "relationship stages: grey people have not heard of the firm, blue ones are "
            "committed, vermillion ones have left. Larger dots are loyal customers and marketers."
        ),
        N_(
            "Word of mouth travels along the lines: awareness spreads from customers to their "
            "contacts, and a marketer's friends are likelier to try the firm. Angry former "
            "customers speak against it to theirs."
        ),
        N_(
            "Click a person's dot, type their number or press “Next customer” to follow one "
            "person: they are ringed in the drawing, their contacts' lines drawn dark, and their "
            "journey listed beside it, the latest week first."
        ),
        N_(
            "To watch it happen, untick “Run 156 weeks after Reset”, press Reset and step week "
            "by week (or press ▶)."
        ),
    ),
}
#: The Info tab, in NetLogo's sections: what the model is and how to use the dashboard.
INFO: dict[str, tuple[str, ...]] = {
    N_("WHAT IS IT?"): (
        N_(
            "A simulated market of people and one firm, built to watch the ideas of a CRM course "
            "happen. Each person goes through the stages of a relationship with the firm (unaware, "
            "aware, exploring, expanding, committed, and in the end perhaps leaving) and, as a "
            "customer, climbs from first purchase to loyal customer to marketer, who recommends "
            "the firm to friends. A competitor is always there to take customers away."
        ),
    ),
    N_("HOW IT WORKS"): (
        N_(
            "Every simulated week, people who have not heard of the firm may learn of it from its "
            "advertising or from the people they talk to. Those who know it may try it; customers "
            "buy, meet the service (which goes well or fails), complain and are looked after, or "
            "not; those who cannot reach the firm on the channel they prefer complain less, and "
            "those who complain stay more often than those who say nothing. Good experiences "
            "and respectful treatment build trust and commitment; failures, "
            "disrespect and better offers from the competitor wear them down, and customers leave "
            "for the competitor or simply drift away."
        ),
        N_(
            "Word of mouth travels along a social network: satisfied customers and marketers bring "
            "friends, angry former customers warn theirs. The firm earns the margin on what it "
            "sells and pays for its service, respect, contact channels, gifts, rewards, recovery, "
            "win-back and advertising: profit is what is left."
        ),
    ),
    N_("HOW TO USE IT"): (
        N_(
            "Pick a scenario to start from; the page opens with three years of it simulated. The "
            "levers in the sidebar are grouped as the course groups them; point at one to read "
            "what it does. A lever moved acts on the run from the next week: press Step for one "
            "week or ▶ to play, ❚❚ to pause. Reset starts a fresh run from all the controls, the "
            "number of people, the network and the seed included."
        ),
        N_(
            "The same seed gives the same people and the same chance events, so two runs with one "
            "seed differ only by their levers. The header shows the seed, the settings that differ "
            "from the scenario and the levers changed during the run; the address of the page "
            "keeps them, to reload or share. The Export card downloads the weekly table, the "
            "figures and the levers as a policy file for crmsim compare."
        ),
        N_(
            "To weigh two policies, pick a scenario under Compare with: its policy runs beside "
            "yours on the same seed, people and market, and moves on with it. The figures draw "
            "it dash-dotted as B, yours being A, and the monitors show both and the difference."
        ),
    ),
    N_("THINGS TO NOTICE"): (
        N_(
            "How churn per quarter moves when an opening discount ends, and who leaves: the "
            "customers it attracted or the ones who were there before."
        ),
        N_("Which tiers grow when the firm shows respect and gives gifts, and what that costs."),
        N_("That more customers do not always mean more profit."),
        N_(
            "In a small market, how awareness and word of mouth spread through the network from "
            "the first customers."
        ),
    ),
    N_("THINGS TO TRY"): (
        N_("Play a run and, halfway, set respect to its lowest: watch the marketers."),
        N_(
            "Run the same seed with and without a referral reward, and compare the marketers and "
            "the profit; or compare with customer_centric and play: where do the lines part?"
        ),
        N_(
            "Lower the service quality and raise complaint recovery: can recovery make up for "
            "failures?"
        ),
        N_(
            "Staff only e-mail, then only the phone: what happens to the complaints and to the "
            "customers lost after failures?"
        ),
        N_(
            "Switch the social network between small-world, scale-free and well-mixed, press Reset "
            "and see how fast the firm becomes known."
        ),
        N_("Raise the price step by step while playing: when do customers start to leave?"),
    ),
}

#: Tabs of the main area: the views on each and their relative widths. Only the open tab is
#: drawn, which keeps a change quick (drawing a figure costs more than simulating a year), and
#: its images are kept (the page's :class:`FigureCache`), so going back to a tab does not draw
#: it again.
TABS: dict[str, tuple[tuple[str, ...], list[int]]] = {
    N_("Customers"): (("stages", "tiers"), [1, 1]),
    N_("Churn"): (("churn", "churn_note"), [3, 2]),
    N_("Word of mouth"): (("referrals", "churn_causes"), [1, 1]),
    N_("Trust and profit"): (("trust", "profit"), [1, 1]),
    N_("Network"): (("network", "journey"), [3, 2]),
    N_("Info"): (("info",), [1]),
}


def network_figure(
    model: CRMModel, positions: Mapping[int, Any] | None = None, person: int | None = None
) -> Figure:
    """The social network, each person coloured by relationship stage and sized by tier.

    Parameters
    ----------
    model : CRMModel
        A model of at most :data:`NETWORK_LIMIT` people.
    positions : mapping, optional
        Node positions (``networkx`` layout); computed with a spring layout if missing.
    person : int, optional
        A person to pick out (a row of the model, as for :meth:`CRMModel.customer`): ringed
        and named, with the lines to their contacts drawn dark.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = network_figure(CRMModel(n_customers=60, rng=1))
    >>> fig.axes[0].get_title()
    'Who talks to whom, by relationship stage (week 0)'
    >>> picked = network_figure(CRMModel(n_customers=60, rng=1), person=7)
    >>> [text.get_text() for text in picked.axes[0].texts]
    ['person 7']
    """
    import networkx as nx
    from matplotlib.patches import Patch

    if model.n_customers > NETWORK_LIMIT:
        raise ValueError(
            f"the network is drawn for up to {NETWORK_LIMIT} people, this market has "
            f"{model.n_customers:,}"
        )
    graph = model.network.to_networkx()
    if positions is None:
        positions = network_layout(graph)
    # A copy taken between two weeks: while playing, the model moves on as the figure is drawn.
    with getattr(model, "lock", nullcontext()):
        stage = model.state.stage.copy()
        tier = model.state.tier.copy()
        week = model.week
    colours = [plots.STAGE_COLOURS[Stage(s).name.lower()] for s in stage]
    # Loyal customers and marketers drawn larger: the people a firm most wants to keep.
    sizes = np.array([18, 30, 55, 80])[tier]
    with plots.figure_style():
        fig = plots.make_figure(figsize=(8.0, 6.0))
        ax = fig.subplots()
        nx.draw_networkx_edges(graph, positions, ax=ax, width=0.4, alpha=0.25, edge_color="#777")
        nx.draw_networkx_nodes(
            graph,
            positions,
            ax=ax,
            node_color=colours,
            node_size=sizes,
            linewidths=0.4,
            edgecolors="#333",
        )
        if person is not None:
            # The ring and the dark lines are what the eye finds among hundreds of dots.
            nx.draw_networkx_edges(
                graph,
                positions,
                edgelist=list(graph.edges(person)),
                ax=ax,
                width=1.6,
                edge_color="#111",
            )
            x, y = positions[person]
            ax.scatter([x], [y], s=420, facecolors="none", edgecolors="#000", linewidths=2.5)
            ax.annotate(
                _("person {number}").format(number=format_number(person)),
                (x, y),
                xytext=(12, 12),
                textcoords="offset points",
                fontsize=12,
                fontweight="bold",
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85},
            )
        ax.set_axis_off()
        ax.set_title(
            _("Who talks to whom, by relationship stage (week {week})").format(
                week=format_number(week)
            )
        )
        handles = [
            Patch(facecolor=colour, edgecolor="#333", label=pgettext("stage", name))
            for name, colour in plots.STAGE_COLOURS.items()
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.text(
            0.99,
            0.01,
            _("larger dots: loyal customers and marketers"),
            ha="right",
            va="bottom",
            fontsize=10,
        )
        plots.localize(fig)
    return fig


def network_layout(graph: Any) -> dict[int, Any]:
    """Positions for drawing ``graph``: a spring layout, the same for the same graph."""
    import networkx as nx

    return nx.spring_layout(graph, seed=1, iterations=60)


def chosen(model: CRMModel, person: int | None) -> int | None:
    """``person`` if it is a row of ``model``, else ``None``: a person followed in one run may
    not exist in the next, smaller one.

    Examples
    --------
    >>> model = CRMModel(n_customers=60, rng=1)
    >>> chosen(model, 59), chosen(model, 60), chosen(model, None)
    (59, None, None)
    """
    if person is None or not 0 <= person < model.n_customers:
        return None
    return int(person)


def next_customer(model: CRMModel, after: int | None = None) -> int | None:
    """The first person after row ``after`` (from the start, and round again) who is a
    customer now: in a stage of the relationship or on the tiers' ladder. ``None`` if there
    is none yet.

    The order is the rows', not a draw: the same run gives the same people, and the model's
    random numbers are left alone.

    Examples
    --------
    >>> model = CRMModel(n_customers=100, rng=1)
    >>> next_customer(model) is None  # week 0: nobody has bought yet
    True
    >>> model.run(20, progress=False)
    >>> first = next_customer(model)
    >>> next_customer(model, first) != first
    True
    """
    with getattr(model, "lock", nullcontext()):
        customers = np.isin(model.state.stage, [int(s) for s in ACTIVE_STAGES]) | (
            model.state.tier > int(Tier.PROSPECT)
        )
    rows = np.flatnonzero(customers)
    if len(rows) == 0:
        return None
    start = -1 if after is None else after
    later = rows[rows > start]
    return int(later[0] if len(later) else rows[0])


def person_summary(model: CRMModel, person: int) -> str:
    """Where ``person`` (a row of ``model``) stands now: stage, tier, trust and tenure.

    Examples
    --------
    >>> person_summary(CRMModel(n_customers=60, rng=1), 3)  # doctest: +ELLIPSIS
    'Person 3: stage unaware · tier prospect · trust ... · 0 weeks a customer'
    """
    with getattr(model, "lock", nullcontext()):
        customer = model.customer(person)
        stage, tier, trust = customer.stage, customer.tier, customer.trust
        tenure = int(model.state.tenure[person])
    weeks = ngettext("{count} week", "{count} weeks", tenure).format(count=format_number(tenure))
    summary = _("Person {number}: stage {stage} · tier {tier} · trust {trust} · {weeks} a customer")
    return summary.format(
        number=format_number(person),
        stage=pgettext("stage", stage.name.lower()),
        tier=pgettext("tier", tier.name.lower()),
        trust=format_number(trust, ".2f"),
        weeks=weeks,
    )


def journey(model: CRMModel, person: int) -> list[str] | None:
    """``model.customer(person).history``, the latest week first; ``None`` if the run keeps no
    history (markets of more than :data:`~crmsim.model.CLASS_SIZE` people).

    Examples
    --------
    >>> model = CRMModel(n_customers=60, rng=1)
    >>> model.run(30, progress=False)
    >>> lines = journey(model, next_customer(model))
    >>> lines[0].startswith("week ") and lines == model.customer(next_customer(model)).history[::-1]
    True
    >>> journey(CRMModel(n_customers=60, rng=1, history=False), 0) is None
    True
    """
    if not model.history.enabled:
        return None
    # Under the lock: while playing, the next week would be added as the lines are read.
    with getattr(model, "lock", nullcontext()):
        return model.customer(person).history[::-1]


#: What the journey panel says when the run keeps no history (``limit`` and ``people`` are
#: numbers as the page writes them, :func:`~crmsim.i18n.format_number`).
NO_HISTORY = N_(
    "Journeys need the run's history, which markets of up to {limit} people keep; this one "
    "has {people}. Set “People in the market” to {limit} or fewer and press Reset (in a "
    "notebook: CRMModel(..., history=True))."
)


def places(figure: Figure, positions: Mapping[int, Any]) -> np.ndarray:
    """Where each person of a drawn network lands in its image: one row per person, the
    distance from the left edge and from the top as fractions of the image's width and height.

    The page shows the image scaled to its column: fractions are what a click, measured in
    the browser, can be compared with. Call it after the figure is drawn (saved as PNG), when
    its layout is final.

    Examples
    --------
    >>> model = CRMModel(n_customers=60, rng=1)
    >>> figure = network_figure(model)
    >>> spots = places(figure, network_layout(model.network.to_networkx()))
    >>> spots.shape, bool(((spots > 0) & (spots < 1)).all())
    ((60, 2), True)
    """
    points = figure.axes[0].transData.transform(
        np.array([positions[i] for i in range(len(positions))])
    )
    return np.column_stack(
        [points[:, 0] / figure.bbox.width, 1.0 - points[:, 1] / figure.bbox.height]
    )


#: How far from a dot a click may land and still pick its person, as a share of the image's
#: width: about two dots' widths on a laptop's screen, so that a click need not be exact.
PICK_RADIUS = 0.025


def person_at(spots: np.ndarray, x: float, y: float, aspect: float = 0.75) -> int | None:
    """The person whose dot is nearest to ``(x, y)`` in an image with people at ``spots``
    (:func:`places`), or ``None`` if no dot is within :data:`PICK_RADIUS`.

    ``aspect`` is the image's height over its width: fractions of height count for less.

    Examples
    --------
    >>> spots = np.array([[0.2, 0.2], [0.5, 0.5]])
    >>> person_at(spots, 0.51, 0.49), person_at(spots, 0.9, 0.9)
    (1, None)
    """
    distance = np.hypot(spots[:, 0] - x, (spots[:, 1] - y) * aspect)
    nearest = int(np.argmin(distance))
    return nearest if distance[nearest] <= PICK_RADIUS else None


def fit_titles(figure: Figure, dpi: float = FIGURE_DPI) -> Figure:
    """Wrap the titles that do not fit in ``figure``, and the axis labels longer than their
    panel is high, onto more lines; return ``figure``.

    A figure's title is centred above its axes, which a legend beside them pushes to the left:
    in a figure drawn smaller than :mod:`crmsim.plots` sizes it, a long title then runs off the
    figure's edge. Wrapped, constrained layout makes room for its second line.

    Examples
    --------
    >>> figure = plots.make_figure(figsize=(3, 2))
    >>> figure.subplots().set_title("A title far too long for a figure three inches wide")
    Text(...)
    >>> "\\n" in fit_titles(figure).axes[0].get_title()
    True
    """
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    figure.set_dpi(dpi)
    texts = [figure._suptitle] + [
        t for ax in figure.axes for t in (ax.title, ax._left_title, ax._right_title)
    ]
    for _attempt in range(3):  # each wrap moves the layout a little: look again
        canvas.draw()
        renderer = canvas.get_renderer()
        width = figure.bbox.width
        wrapped = False
        for text in texts:
            if text is None or not text.get_text():
                continue
            box = text.get_window_extent(renderer)
            # Room for a centred title: twice the distance from its centre to the nearer edge.
            centre = (box.x0 + box.x1) / 2
            if text.get_ha() == "center":
                room = 2 * min(centre, width - centre) - 4
            elif text.get_ha() == "right":  # a panel's title in Persian: from the right edge
                room = box.x1 - 4
            else:
                room = width - box.x0 - 4
            if box.width <= room:
                continue
            line = " ".join(text.get_text().split())
            characters = max(10, int(len(line) * room / box.width))
            text.set_text(textwrap.fill(line, characters))
            wrapped = True
        for ax in figure.axes:
            # A panel of a figure drawn shorter (presentation mode) can be lower than its
            # label is long: the labels of two panels would run into each other.
            label = ax.yaxis.label
            height = ax.get_window_extent(renderer).height
            box = label.get_window_extent(renderer)
            if label.get_text() and box.height > height:
                line = " ".join(label.get_text().split())
                characters = max(8, int(len(line) * height / box.height))
                label.set_text(textwrap.fill(line, characters))
                wrapped = True
        if not wrapped:
            break
    return figure


def draw_figure(model: DashboardModel, key: str, present: bool = False) -> Figure:
    """The figure ``key`` of :data:`FIGURES` for the run so far, sized for the dashboard.

    With ``present``, sized for presentation mode (:data:`PRESENT_SIZE`); either way with
    titles that fit (:func:`fit_titles`).

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=1)
    >>> model.run(5, progress=False)
    >>> draw_figure(model, "profit").get_size_inches().round(2).tolist()
    [7.5, 5.25]
    >>> draw_figure(model, "profit", present=True).get_size_inches().round(2).tolist()
    [10.0, 4.3]
    """
    figure = FIGURES[key](model.snapshot())
    overlay(figure, key, model)
    plots.localize(figure)  # the comparison's legend, made after the figure, in its typeface
    if present:
        figure.set_size_inches(PRESENT_SIZE)
    else:
        figure.set_size_inches(figure.get_size_inches() * FIGURE_SCALE)
    return fit_titles(figure, PRESENT_DPI if present else FIGURE_DPI)


def render_png(figure: Figure, dpi: float = FIGURE_DPI) -> bytes:
    """``figure`` as the PNG image the page shows, at :data:`FIGURE_DPI` by default.

    Examples
    --------
    >>> render_png(plots.make_figure(figsize=(2, 1)))[:4]
    b'\\x89PNG'
    """
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class FigureCache:
    """The images of the views, kept per run and week so that each is drawn only once.

    A view asks for its image with :meth:`image`; the image is drawn the first time and kept
    until the run moves on (Step, ▶, "Run 156 weeks") or is replaced (Reset, a new scenario).
    Opening a tab again therefore shows its figures at once, and a change redraws only the
    tab in view: the other tabs draw theirs when they are opened.

    The runs are held weakly: a run's images go when the run itself goes. Only the latest
    image of each view of a run is kept. Each page (:func:`~crmsim.app.Page`) has its own,
    shared by its views for as long as the page is open.

    Examples
    --------
    >>> cache = FigureCache()
    >>> model = DashboardModel(n_customers=100, rng=1, weeks=3)
    >>> cache.image(model, "profit", lambda: b"png") == cache.image(model, "profit", bytes)
    True
    >>> model.run(1, progress=False)
    >>> cache.image(model, "profit", lambda: b"new")
    b'new'
    """

    def __init__(self) -> None:
        # For each run, each view's latest image: (week drawn at, PNG).
        self._images: weakref.WeakKeyDictionary[CRMModel, dict[str, tuple[int, bytes]]] = (
            weakref.WeakKeyDictionary()
        )
        self._layouts: weakref.WeakKeyDictionary[CRMModel, dict[int, Any]] = (
            weakref.WeakKeyDictionary()
        )
        # For each run, where the people are in each network image kept: (aspect, places).
        self._places: weakref.WeakKeyDictionary[CRMModel, dict[str, tuple[float, np.ndarray]]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def image(
        self,
        model: CRMModel,
        key: str,
        draw: Callable[[], bytes],
        at_least: int | None = None,
    ) -> bytes:
        """The image ``key`` of ``model`` at its current week; ``draw()`` makes it if missing.

        With ``at_least``, an image kept from any week since ``at_least`` will do: while
        playing, the page shows the figures drawn last rather than drawing every week.
        """
        week = model.week
        wanted = week if at_least is None else min(at_least, week)
        with self._lock:
            drawn_week, image = self._images.get(model, {}).get(key, (-1, b""))
            if drawn_week >= wanted:
                return image
        image = draw()  # outside the lock: sessions do not wait for each other's figures
        with self._lock:
            images = self._images.setdefault(model, {})
            # A newer week may have been stored in the meantime (while playing).
            if images.get(key, (-1, b""))[0] <= week:
                images[key] = (week, image)
        return image

    def layout(self, model: CRMModel) -> dict[int, Any]:
        """Positions of the people for drawing ``model``'s network: one layout per run."""
        with self._lock:
            positions = self._layouts.get(model)
        if positions is None:
            positions = network_layout(model.network.to_networkx())
            with self._lock:
                positions = self._layouts.setdefault(model, positions)
        return positions

    def keep_places(self, model: CRMModel, key: str, aspect: float, spots: np.ndarray) -> None:
        """Keep where the people are in the image ``key`` of ``model``'s network (:func:`places`),
        and the image's height over its width."""
        with self._lock:
            self._places.setdefault(model, {})[key] = (aspect, spots)

    def places(self, model: CRMModel, key: str) -> tuple[float, np.ndarray] | None:
        """What :meth:`keep_places` kept for the image ``key`` of ``model``, if anything."""
        with self._lock:
            return self._places.get(model, {}).get(key)

    def clear(self) -> None:
        """Forget every image and layout."""
        with self._lock:
            self._images.clear()
            self._layouts.clear()
            self._places.clear()


def view_image(
    model: DashboardModel,
    key: str,
    cache: FigureCache,
    at_least: int | None = None,
    present: bool = False,
    person: int | None = None,
) -> bytes:
    """The PNG of view ``key`` (a key of :data:`FIGURES`, or ``"network"``), drawn once a week.

    Served from ``cache`` (the page's :class:`FigureCache`) when this run was drawn at this
    week before (or, with ``at_least``, at any week since that one). With ``present``, the
    view as presentation mode shows it (:data:`PRESENT_SIZE`, :data:`PRESENT_DPI`). The
    network picks out ``person`` (:func:`network_figure`).
    """
    dpi = PRESENT_DPI if present else FIGURE_DPI
    name = f"{key}:present" if present else key
    if key in TRACES:  # drawn again when the comparison changes (a band arriving)
        name = f"{name}:{comparison(model).token}"
    if key == "network":
        name = network_key(model, person, present)

        def draw() -> bytes:
            positions = cache.layout(model)
            figure = network_figure(model, positions, chosen(model, person))
            if present:
                figure.set_size_inches(PRESENT_SIZE)
            image = render_png(figure, dpi)
            # Kept beside the image, for a click on it to find its person.
            width, height = figure.get_size_inches()
            cache.keep_places(model, name, height / width, places(figure, positions))
            return image

        return cache.image(model, name, draw, at_least)
    return cache.image(
        model, name, lambda: render_png(draw_figure(model, key, present), dpi), at_least
    )


def network_key(model: CRMModel, person: int | None, present: bool = False) -> str:
    """The name :func:`view_image` keeps the network's image under, in ``cache``, with
    ``person`` picked out (and, with ``present``, as presentation mode draws it).

    Examples
    --------
    >>> model = CRMModel(n_customers=60, rng=1)
    >>> network_key(model, 7), network_key(model, None, present=True), network_key(model, 60)
    ('network:person7', 'network:present', 'network')
    """
    name = "network:present" if present else "network"
    person = chosen(model, person)
    return name if person is None else f"{name}:person{person}"


def draw_views(
    model: DashboardModel,
    cache: FigureCache,
    tab: int,
    present: str | None = None,
    person: int | None = None,
) -> int:
    """Draw the views of tab number ``tab`` of :data:`TABS` into ``cache``; return the week.

    In presentation mode (``present`` the key of the view shown), that view only. The network
    picks out ``person``, the person followed on the page.

    The page does this before it asks its views to show a new week, so that they find their
    images ready and the page's text is not held up while matplotlib draws.

    Examples
    --------
    >>> cache, model = FigureCache(), DashboardModel(n_customers=100, rng=1, weeks=3)
    >>> draw_views(model, cache, 0), len(cache._images[model])
    (3, 2)
    """
    week = model.week
    if week == 0:
        return week
    if present:
        if present != "network" or model.n_customers <= NETWORK_LIMIT:
            view_image(model, present, cache, at_least=week, present=True, person=person)
        return week
    for key in TABS[list(TABS)[tab]][0]:
        if key in FIGURES or (key == "network" and model.n_customers <= NETWORK_LIMIT):
            # While playing the run moves on between two views: ``at_least`` keeps the first
            # view's image when the second is drawn a week later.
            view_image(model, key, cache, at_least=week, person=person)
    return week


_STYLE = """
.crmsim-figure img { width: 100%; height: auto; }
.crmsim-description { font-size: 0.9rem; opacity: 0.85; }
.crmsim-settings { font-size: 0.85rem; }
.crmsim-group { margin-top: 12px; }
.crmsim-monitor { border: 1px solid #bbb; border-radius: 4px; padding: 2px 10px; min-width: 9rem; }
.crmsim-monitor-name { font-size: 0.8rem; opacity: 0.8; }
.crmsim-monitor-value { font-size: 1.3rem; font-weight: 600; }
.crmsim-monitor-b { font-size: 0.8rem; color: #1f6f9f; white-space: nowrap; }
.crmsim-click-catcher { position: absolute; inset: 0; cursor: pointer; }
.crmsim-history { max-height: 22rem; overflow-y: auto; font-size: 0.85rem;
  border: 1px solid #ddd; border-radius: 4px; padding: 4px 8px; }
.crmsim-history-lines { white-space: pre-line; }
.crmsim-info { max-width: 60rem; padding-top: 1rem; }
.crmsim-info-title { font-weight: 700; margin-top: 0.8rem; }
.crmsim-group-title { font-weight: 600; font-size: 0.9rem; }
/* Each slider's label on its own line and its value always shown above the thumb, not only
   while dragged: a learner reads the levers, and the tracks line up. */
.v-slider.v-input--horizontal { display: flex; flex-direction: column; align-items: stretch; }
.v-slider .v-input__prepend { margin-inline-end: 0; margin-bottom: 24px; }
.v-slider-thumb__label-container { display: block !important; }
/* Presentation mode: the one figure as large as the screen allows below the bar above it,
   never taller, so that it stays above the fold. */
.crmsim-present img { display: block; margin: 0 auto; max-width: 100%; width: auto;
  height: auto; max-height: calc(100vh - 240px); }
.crmsim-present-bar .crmsim-monitor { min-width: 7rem; padding: 0 8px; }
.crmsim-present-bar .crmsim-monitor-value { font-size: 1.15rem; }
.crmsim-present-bar .crmsim-monitor-b { font-size: 0.75rem; }
.crmsim-present-b img { max-height: calc(100vh - 262px); }
"""


def _placeholder(model: CRMModel) -> None:
    solara.Info(
        _("Nothing to show yet: press Step, ▶ or “Run {weeks} weeks” to simulate.").format(
            weeks=format_number(RUN_WEEKS)
        )
        if model.week == 0
        else _("Nothing to show.")
    )


@solara.component
def FigureView(
    model: DashboardModel,
    key: str,
    cache: FigureCache,
    week: int | None = None,
    compared: int = 0,
) -> None:
    """One figure of :data:`FIGURES` for the run so far, its image kept in ``cache``.

    ``week`` is the week the page asks for: the figure is drawn again when it changes (while
    playing, the page asks a few times a second, not every week). By default, and as a
    SolaraViz component (given a key and a :class:`FigureCache`), the model's week.
    ``compared`` is the run's comparison's token (:class:`~crmsim.app.compare.Comparison`): a
    band or a B arriving redraws the figure at the same week.
    """
    update_counter.get()  # Mesa bumps this after each step: redraw
    if week is None:
        week = model.week
    image = solara.use_memo(
        lambda: view_image(model, key, cache, week) if model.week else None,
        [model, week, key, cache, compared],
    )
    with solara.Column(classes=["crmsim-figure"]):
        if image is None:
            _placeholder(model)
        else:
            solara.Image(image, format="png")


@solara.component
def PresentView(
    model: DashboardModel,
    key: str,
    cache: FigureCache,
    week: int,
    person: int | None = None,
    compared: int = 0,
) -> None:
    """Presentation mode's one view, ``key`` of :data:`PRESENT_VIEWS`, drawn large; the
    network picks out ``person``; ``compared`` as for :func:`FigureView`."""
    small = key != "network" or model.n_customers <= NETWORK_LIMIT
    image = solara.use_memo(
        lambda: (
            view_image(model, key, cache, week, present=True, person=person)
            if model.week and small
            else None
        ),
        [model, week, key, cache, person, compared],
    )
    # With B, the monitors above it have a line more: the figure gives up the room.
    side_by_side = ["crmsim-present-b"] if comparison(model).other is not None else []
    with solara.Column(classes=["crmsim-figure", "crmsim-present", *side_by_side]):
        if image is None:
            _placeholder(model)
        else:
            solara.Image(image, format="png")


class _ClickCatcher(v.VuetifyTemplate):
    """A transparent layer over an image that reports where it was clicked, as fractions of
    its width and height (``on_click_at``, a Python callable, is called with ``{"x", "y"}``).

    A Vue template, which ipyvue ships with the page: no other front-end files are needed.
    """

    template = traitlets.Unicode(
        """<template>
  <div class="crmsim-click-catcher" :title="hint"
    @click="pick({x: $event.offsetX / $event.currentTarget.clientWidth,
                  y: $event.offsetY / $event.currentTarget.clientHeight})"></div>
</template>"""
    ).tag(sync=True)
    on_click_at = traitlets.Any(None)  # not sent to the browser: the page's callback
    #: The tooltip over the image, in the page's language.
    hint = traitlets.Unicode("Click a person to follow them").tag(sync=True)

    def vue_pick(self, data: dict[str, float]) -> None:
        """Called by the browser with the click's place."""
        if self.on_click_at is not None:
            self.on_click_at(data)


@solara.component
def NetworkView(
    model: DashboardModel,
    cache: FigureCache,
    week: int | None = None,
    person: int | None = None,
    on_person: Callable[[int], None] | None = None,
) -> None:
    """The social network coloured by stage, for markets of up to :data:`NETWORK_LIMIT`, with
    ``person`` (the person followed, if any) picked out; a click on a person's dot calls
    ``on_person`` with their number.

    Its image and the run's layout are kept in ``cache``; ``week`` as for :func:`FigureView`.
    """
    update_counter.get()
    small = model.n_customers <= NETWORK_LIMIT
    if week is None:
        week = model.week
    # The layout, the slow part, is made once per run (the network does not change in a run).
    image = solara.use_memo(
        lambda: view_image(model, "network", cache, week, person=person) if small else None,
        [model, week, cache, person],
    )

    def clicked(where: dict[str, float]) -> None:
        kept = cache.places(model, network_key(model, person))
        if kept is None or on_person is None:
            return
        aspect, spots = kept
        found = person_at(spots, float(where["x"]), float(where["y"]), aspect)
        if found is not None:
            on_person(found)

    with solara.Column(classes=["crmsim-figure"]):
        if image is None:
            solara.Info(
                _(
                    "The network is drawn for markets of up to {limit} people; this one has "
                    "{people}. Set “People in the market” to {limit} or fewer and press Reset."
                ).format(
                    limit=format_number(NETWORK_LIMIT),
                    people=format_number(model.n_customers, ","),
                )
            )
        else:
            with solara.Div(style={"position": "relative"}):
                solara.Image(image, format="png")
                if on_person is not None:
                    _ClickCatcher.element(
                        on_click_at=clicked, hint=_("Click a person to follow them")
                    )


@solara.component
def JourneyView(
    model: DashboardModel, person: solara.Reactive[int | None], redraws: int = 0
) -> None:
    """The person followed: a number field and “Next customer” to pick them (or a click in
    :func:`NetworkView`), where they stand
    (:func:`person_summary`) and their journey (:func:`journey`), the latest week first.

    ``redraws`` changes as the run moves on: the panel follows the run, while playing too.
    """
    update_counter.get()
    n = model.n_customers
    followed = chosen(model, person.value)
    with solara.Column(gap="4px", classes=["crmsim-journey"]):
        solara.Text(_("Follow a person"), classes=["crmsim-group-title"])
        with solara.Row(style={"align-items": "center"}):
            with solara.Div(style={"width": "11rem"}):
                solara.InputInt(
                    _("Person ({first}–{last})").format(
                        first=format_number(0), last=format_number(n - 1, ",")
                    ),
                    value=followed,
                    on_value=person.set,
                    optional=True,
                    # Each digit typed shows its person: no Enter to find.
                    continuous_update=True,
                )
            solara.Button(
                _("Next customer"),
                outlined=True,
                on_click=lambda: person.set(next_customer(model, followed)),
            )
        if person.value is not None and followed is None:
            solara.Warning(
                _("There is no person {number} in this market: {first} to {last}.").format(
                    number=format_number(person.value),
                    first=format_number(0),
                    last=format_number(n - 1, ","),
                )
            )
        if followed is None:
            solara.Text(
                _(
                    "Click a person in the network, type their number or press “Next customer” "
                    "to see their journey."
                ),
                classes=["crmsim-description"],
            )
            return
        solara.Text(person_summary(model, followed), style={"font-weight": "500"})
        lines = journey(model, followed)
        if lines is None:
            solara.Info(
                _(NO_HISTORY).format(
                    limit=format_number(CLASS_SIZE, ","), people=format_number(n, ",")
                )
            )
        elif not lines:
            solara.Text(
                _("Nothing has happened to this person yet."), classes=["crmsim-description"]
            )
        else:
            # One text, a line per event: a long journey redrawn a few times a second while
            # playing is one widget to update, not hundreds.
            with solara.Div(classes=["crmsim-history"]):
                solara.Text("\n".join(lines), classes=["crmsim-history-lines"])


def summary_line(model: DashboardModel) -> str:
    """One line on the run so far: week, customers by tier, last quarter's churn, profit.

    Examples
    --------
    >>> summary_line(DashboardModel(n_customers=100, rng=1))
    'Week 0: nothing simulated yet'
    """
    # The week of the table, not model.week: while playing, the run may be a week further on.
    frame = model.snapshot()
    if len(frame) == 0:
        return _("Week {week}: nothing simulated yet").format(week=format_number(0))
    last = frame.iloc[-1]
    customers = int(last["actual"] + last["loyal"] + last["marketer"])
    parts = [
        _("Week {week}").format(week=format_number(len(frame))),
        _("{customers} customers ({loyal} loyal, {marketers} marketers) of {people} people").format(
            customers=format_number(customers, ","),
            loyal=format_number(int(last["loyal"]), ","),
            marketers=format_number(int(last["marketer"]), ","),
            people=format_number(model.n_customers, ","),
        ),
    ]
    quarters = len(frame) // 13
    if quarters:
        # Only the last complete quarter: the line is redrawn several times a second while
        # playing, and the table of every quarter grows with the run.
        last_quarter = frame.iloc[(quarters - 1) * 13 : quarters * 13]
        churn = analysis.period_churn(last_quarter, 13)["churn"].dropna()
        if len(churn):
            parts.append(
                _("churn last quarter {churn}").format(churn=format_number(churn.iloc[-1], ".1%"))
            )
    parts.append(
        _("profit so far {profit}").format(profit=format_number(frame["profit"].sum(), ",.0f"))
    )
    return " · ".join(parts)


#: The monitors above the figures, in order (the page shows each name in the language in use).
MONITORS = (N_("Active customers"), N_("Marketers"), N_("Churn this quarter"), N_("Profit so far"))


def _monitor_values(frame: pd.DataFrame) -> tuple[float, ...]:
    """The monitors' numbers for a weekly frame of at least one week (churn ``nan`` if none)."""
    last = frame.iloc[-1]
    customers = int(last["actual"] + last["loyal"] + last["marketer"])
    start = (len(frame) - 1) // 13 * 13  # the first week of the quarter under way
    quarter = frame.iloc[start:]
    churn = analysis.period_churn(quarter, len(quarter))["churn"]
    return (
        customers,
        int(last["marketer"]),
        float("nan") if churn.isna().all() else float(churn.iloc[-1]),
        float(frame["profit"].sum()),
    )


def _monitor_text(name: str, value: float) -> str:
    if name == "Churn this quarter":
        return "–" if np.isnan(value) else format_number(value, ".1%")
    return format_number(value, ",.0f")


def monitors(model: DashboardModel) -> dict[str, str]:
    """The key figures of the run so far, as the monitors above the figures show them.

    ``Churn this quarter`` is the course's churn over the quarter (13 weeks) under way: of the
    customers there at its start, the share lost since; at a quarter's end, over all of it.

    Examples
    --------
    >>> list(monitors(DashboardModel(n_customers=100, rng=1)).values())
    ['0', '0', '–', '0']
    """
    frame = model.snapshot()
    if len(frame) == 0:
        nothing = format_number(0)
        return dict(zip(MONITORS, (nothing, nothing, "–", nothing), strict=True))
    values = _monitor_values(frame)
    return {name: _monitor_text(name, value) for name, value in zip(MONITORS, values, strict=True)}


def _difference(name: str, a: float, b: float) -> str:
    if name == "Churn this quarter":
        if np.isnan(a) or np.isnan(b):
            return "–"
        text = _("{difference} points").format(difference=format_number((a - b) * 100, "+.1f"))
    else:
        text = format_number(a - b, "+,.0f")
    return text.replace("-", "−")  # a minus sign, as wide as the plus


def compared_monitors(model: DashboardModel) -> dict[str, str]:
    """What the monitors add under each value when B runs beside the run (:func:`pair`): B's
    value and A minus B, both at the same week; empty without B.

    Examples
    --------
    >>> from crmsim.app.compare import pair
    >>> model = DashboardModel(n_customers=300, rng=2, weeks=20)
    >>> compared_monitors(model)
    {}
    >>> b = pair(model, "customer_centric")
    >>> compared_monitors(model)["Profit so far"]  # doctest: +ELLIPSIS
    'B ... · A − B ...'
    """
    other = comparison(model).other
    if other is None:
        return {}
    mine, theirs = model.snapshot(), other.snapshot()
    weeks = min(len(mine), len(theirs))  # while playing, B may be a week behind for a moment
    if weeks == 0:
        return {name: "B –" for name in MONITORS}
    a = _monitor_values(mine.iloc[:weeks])
    b = _monitor_values(theirs.iloc[:weeks])
    return {
        name: _("B {b} · A − B {difference}").format(
            b=_monitor_text(name, vb), difference=_difference(name, va, vb)
        )
        for name, va, vb in zip(MONITORS, a, b, strict=True)
    }


@solara.component
def Monitors(model: DashboardModel, redraws: int = 0) -> None:
    """The key figures in boxes, as NetLogo's monitors; ``redraws`` changes as the run moves on.

    With B beside the run (:func:`~crmsim.app.compare.pair`), each box also shows B's value and
    the difference (:func:`compared_monitors`)."""
    against = compared_monitors(model)
    with solara.Row(gap="8px", classes=["crmsim-monitors"]):
        for name, value in monitors(model).items():
            with solara.Column(gap="0px", classes=["crmsim-monitor"]):
                solara.Text(_(name), classes=["crmsim-monitor-name"])
                solara.Text(value, classes=["crmsim-monitor-value"])
                if name in against:
                    solara.Text(against[name], classes=["crmsim-monitor-b"])


@solara.component
def Info() -> None:
    """The Info tab: :data:`INFO`, section by section."""
    with solara.Column(gap="4px", classes=["crmsim-info"]):
        for title, paragraphs in INFO.items():
            solara.Text(_(title), classes=["crmsim-info-title"])
            for paragraph in paragraphs:
                solara.Text(_(paragraph), classes=["crmsim-description"])


def settings_lines(model: DashboardModel) -> list[str]:
    """The settings in use, as the header shows them: the seed and set-up, the levers that
    differ from the scenario's, and the levers changed during the run.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, respect=0.9, rng=4, weeks=2)
    >>> for line in settings_lines(model):
    ...     print(line)
    Seed 4 · 100 people · small-world network
    Differs from the scenario: Respect (0–1) 0.9 (scenario 0.5)
    """
    scenario = scenarios.load(model.scenario_name)
    # The seed in the page's own digits: it is typed back as it is read (parse_seed reads
    # Persian digits too).
    seed = _("none") if model.seed is None else format_number(model.seed)
    if model.seed_drawn:
        seed = _("{seed} (drawn: type it as the seed to repeat this run)").format(seed=seed)
    lines = [
        _("Seed {seed} · {people} people · {network} network").format(
            seed=seed,
            people=format_number(model.n_customers, ","),
            network=network_text(model.network_kind),
        )
    ]
    values = lever_values(model.policy, model.market)
    reference = lever_values(scenario.kwargs["policy"], scenario.kwargs["market"])
    changed = [
        _("{lever} {value} (scenario {other})").format(
            lever=lever_label(name), value=shown_value(name, value), other=shown_value(name, other)
        )
        for name, value, other in differences(values, reference)
    ]
    lines.append(
        _("Differs from the scenario: {levers}").format(levers=_("; ").join(changed))
        if changed
        else _("Levers: the scenario's own")
    )
    if model.changes:
        lines.append(
            _("Changed during the run: {changes}").format(
                changes=_("; ").join(
                    _("from week {week} {lever} {old} → {new}").format(
                        week=format_number(week),
                        lever=lever_label(name),
                        old=shown_value(name, old),
                        new=shown_value(name, new),
                    )
                    for week, name, old, new in model.changes
                )
            )
        )
    return lines + side_by_side_lines(model)


def side_by_side_lines(model: DashboardModel) -> list[str]:
    """What the header says of B, the run side by side (:func:`~crmsim.app.compare.pair`):
    what B is, and where its policy differs from the levers of the run in use (A). Empty
    without B.

    Examples
    --------
    >>> from crmsim.app.compare import pair
    >>> model = DashboardModel(n_customers=100, rng=4, weeks=2)
    >>> b = pair(model, "opening_discount")
    >>> first, second = side_by_side_lines(model)
    >>> print(first)  # doctest: +ELLIPSIS
    Side by side: A is this run; B runs opening_discount's policy on the same seed 4, 100 people...
    >>> print(second)  # doctest: +ELLIPSIS
    B differs from A in: Discount (share off the price) 0.3 (A 0); Discount until week ...
    """
    found = comparison(model)
    other = found.other
    if other is None or found.choice is None:
        return []
    lines = [
        _(
            "Side by side: A is this run; B runs {scenario}'s policy on the same seed "
            "{seed}, {people} people and market"
        ).format(
            scenario=found.choice,
            seed=str(model.seed) if model.seed is None else format_number(model.seed),
            people=format_number(model.n_customers, ","),
        )
    ]
    with model.lock:
        mine = lever_values(model.policy, model.market)
    with other.lock:
        theirs = lever_values(other.policy, other.market)
    changed = [
        _("{lever} {value} (A {other})").format(
            lever=lever_label(name),
            value=shown_value(name, value),
            other=shown_value(name, other_value),
        )
        for name, value, other_value in differences(theirs, mine)
    ]
    lines.append(
        _("B differs from A in: {levers}").format(levers=_("; ").join(changed))
        if changed
        else _("B's policy is A's levers as they are now: the two lines lie on each other")
    )
    return lines


@solara.component
def Overview(model: DashboardModel, revision: int = 0, redraws: int = 0) -> None:
    """The scenario and what to watch for, the run in one line, the settings in use and any
    refused control. ``revision`` changes when a lever changes the running model, ``redraws``
    when the run moves on."""
    update_counter.get()
    scenario = scenarios.load(model.scenario_name)
    with solara.Column(gap="4px"):
        solara.Text(
            scenario.title,
            style={"font-weight": "bold", "font-size": "1.1rem"},
            classes=["crmsim-scenario"],
        )
        # The descriptions are written in Markdown; shown as plain text, without its backticks
        # (solara.Markdown would fetch a diagram library from the internet).
        solara.Text(
            scenario.description.replace("`", ""),
            classes=["crmsim-description", "crmsim-scenario"],
        )
        solara.Text(summary_line(model), style={"font-weight": "500"})
        if comparison(model).progress:
            solara.Text(comparison(model).progress, classes=["crmsim-settings"])
        Monitors(model, redraws)
        for line in settings_lines(model):
            solara.Text(line, classes=["crmsim-settings"])
        if model.error:
            solara.Error(
                _(
                    "The controls were not applied: {reason}. Showing the scenario's own "
                    "settings; fix the control and press Reset."
                ).format(reason=in_words(model.error))
            )


@solara.component
def CompareMenu(
    choice: str | None, on_choice: Callable[[str | None], None], dense: bool = False
) -> None:
    """The "Compare with" menu: nothing, or a scenario whose policy runs beside the run as B
    (:func:`~crmsim.app.compare.pair`); ``on_choice`` gets the scenario's name or ``None``."""
    names = [NOTHING, *scenarios.names()]
    solara.Select(
        _("Compare with (B, same seed)"),
        value=choice or NOTHING,
        values=choices(names, [_(NOTHING), *names[1:]]),
        on_value=lambda name: on_choice(None if name == NOTHING else name),
        dense=dense,
    )


@solara.component
def Views(
    model: DashboardModel,
    cache: FigureCache,
    revision: int = 0,
    clock: solara.Reactive[tuple[int, int]] | None = None,
    tab: solara.Reactive[int] | None = None,
    present: solara.Reactive[str] | None = None,
    person: solara.Reactive[int | None] | None = None,
    on_compare: Callable[[str | None], None] | None = None,
) -> None:
    """The main area: the overview and the figures, one tab at a time.

    With ``present`` (the key of a view of :data:`PRESENT_VIEWS`), presentation mode: a menu
    of the views and the monitors in one row, and that view alone, drawn large; with
    ``on_compare``, the "Compare with" menu too (:func:`CompareMenu`).

    ``revision`` changes when a lever changes the running model (the overview shows it).
    ``clock`` holds ``(redraws, week)``, set by the page after each week or, while playing, a
    few times a second: the text follows ``redraws``, the figures ``week`` (the week their
    images were last drawn at, :func:`draw_views`). Without it, both follow the model's week.
    ``tab`` is the open tab's number (the page's, so that it can draw its views ahead).
    ``person`` is the person followed on the Network tab (the page's, for the same reason).

    ``cache`` keeps the images drawn (the page's :class:`FigureCache`): a tab opened again, at
    the same week of the same run, is shown without drawing.
    """
    tab = solara.use_reactive(0 if tab is None else tab)
    person = solara.use_reactive(person)
    redraws, figure_week = clock.value if clock is not None else (0, model.week)
    # A new run may be younger than the last week drawn of the old one.
    week = min(figure_week, model.week)
    solara.Style(_STYLE)
    if present is not None:
        with solara.Row(
            gap="16px", classes=["crmsim-present-bar"], style={"align-items": "center"}
        ):
            with solara.Div(style={"width": "15rem"}):
                # The menu's values are the views' English names, as the address and the
                # tests know them; it shows them in the language in use.
                solara.Select(
                    _("Figure"),
                    value=PRESENT_VIEWS[present.value],
                    values=choices(
                        list(PRESENT_VIEWS.values()), [_(n) for n in PRESENT_VIEWS.values()]
                    ),
                    on_value=lambda name: present.set(
                        {v: k for k, v in PRESENT_VIEWS.items()}[name]
                    ),
                )
            if on_compare is not None:
                with solara.Div(style={"width": "15rem"}):
                    CompareMenu(comparison(model).choice, on_compare)
            with solara.Column(gap="0px", classes=["crmsim-monitor"]):
                solara.Text(_("Week"), classes=["crmsim-monitor-name"])
                solara.Text(format_number(len(model.snapshot())), classes=["crmsim-monitor-value"])
            Monitors(model, redraws)
            solara.Text(comparison(model).progress, classes=["crmsim-settings"])
        PresentView(
            model,
            present.value,
            cache,
            week,
            chosen(model, person.value),
            comparison(model).token,
        )
        return
    Overview(model, revision, redraws)
    with solara.lab.Tabs(value=tab.value, on_value=tab.set):
        for name in TABS:
            solara.lab.Tab(_(name))
    keys, widths = list(TABS.values())[tab.value]
    with solara.Columns(widths):
        for key in keys:
            if key == "network":
                NetworkView(model, cache, week, chosen(model, person.value), person.set)
            elif key == "journey":
                with solara.Column(style={"padding-top": "1rem"}):
                    JourneyView(model, person, redraws)
                    for paragraph in NOTES["network_note"]:
                        solara.Text(_(paragraph), classes=["crmsim-description"])
            elif key == "info":
                Info()
            elif key in NOTES:
                with solara.Column(style={"padding-top": "2rem"}):
                    for paragraph in NOTES[key]:
                        solara.Text(_(paragraph), classes=["crmsim-description"])
            else:
                FigureView(model, key, cache, week, comparison(model).token)
