"""The page: the scenario card, Reset / ▶ / Step and the levers, grouped, in the sidebar; the
views beside them; and the element ``solara run crmsim.app:page`` serves.

The page is laid out here rather than by Mesa's ``SolaraViz``, which would rebuild the model
for every change: a lever moved here applies to the running model from the next week on
(:meth:`~crmsim.app.DashboardModel.set_levers`), and Reset starts a fresh run from the controls.
Reset / ▶ / Step are the page's own rather than Mesa's ``ModelController``, which redraws
every figure after every week: ▶ here simulates in one thread and redraws from another, a few
times a second (:class:`~crmsim.app.play.Player`).
"""

# Solara components are named like classes (Page, SolaraViz), as Solara and Mesa do.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from crmsim import scenarios
from crmsim.app import export
from crmsim.app.compare import REPLICATIONS, comparison, follow, pair, replicate
from crmsim.app.controls import model_params
from crmsim.app.language import Slider, choices, value_text
from crmsim.app.levers import GROUPS, LEVERS, LIVE, group_title, in_words, lever_help
from crmsim.app.link import comparing, presenting, settings_from_query, settings_query
from crmsim.app.model import DEFAULT_SCENARIO, RUN_WEEKS, DashboardModel
from crmsim.app.play import INTERVAL, Player
from crmsim.app.views import PRESENT_VIEWS, CompareMenu, FigureCache, Views, draw_views
from crmsim.i18n import _, format_number


def run_weeks(model: DashboardModel, weeks: int = RUN_WEEKS) -> str | None:
    """Simulate ``weeks`` more weeks (and as many of the run side by side, if any); return an
    error message instead of raising.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=1)
    >>> run_weeks(model, 3), model.week
    (None, 3)
    """
    try:
        with model.lock:
            model.run(weeks, progress=False)
        follow(model)
    except ValueError as err:
        return str(err)
    return None


def _values(params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments a set of controls stands for: each control's value, or the value."""
    return {k: p["value"] if isinstance(p, dict) and "type" in p else p for k, p in params.items()}


@solara.component
def LeverControl(name: str, spec: dict[str, Any], value: Any, on_value: Any) -> None:
    """One lever: its slider, menu or text field, with its one-line explanation as tooltip.

    A slider's thumb label shows its value in the page's digits (:func:`~.language.Slider`).
    """
    kind = spec["type"]
    with solara.Tooltip(lever_help(name)), solara.Div(classes=["crmsim-lever"]):
        if kind in ("SliderFloat", "SliderInt"):
            Slider(
                spec["label"],
                value=value,
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=on_value,
                whole=kind == "SliderInt",
            )
        elif kind == "Select":
            shown = [value_text(name, item) for item in spec["values"]]
            solara.Select(
                spec["label"],
                value=value,
                values=choices(spec["values"], shown),
                on_value=on_value,
            )
        else:
            solara.InputText(spec["label"], value=value, on_value=on_value)


@solara.component
def PlayButtons(
    model: solara.Reactive[DashboardModel],
    settings: solara.Reactive[dict[str, Any]],
    player: Player,
    playing: solara.Reactive[bool],
    on_week: Any,
) -> None:
    """Reset (a fresh run from ``settings``), ▶ / ❚❚ (``player``) and Step (one week).

    ``on_week(figures=True)`` redraws the page: after Step, and (text only) at a pause; while
    playing, ``player`` redraws.
    """

    def reset() -> None:
        player.pause()  # before the run it steps is replaced
        playing.set(False)
        model.set(with_previous(type(model.value)(**settings.value), model.value))

    def play_pause() -> None:
        if playing.value:
            player.pause()
            playing.set(False)
            # The week it stopped at, at once; the player then draws its figures.
            on_week(False)
        else:
            # Before play starts: a play that ends at once sets it back, not the other way round.
            playing.set(True)
            if not player.play():
                playing.set(False)

    def step() -> None:
        _step_week(model.value)
        on_week()

    with solara.Row(justify="space-between"):
        solara.Button(_("Reset"), color="primary", on_click=reset)
        solara.Button(
            "❚❚" if playing.value else "▶",
            color="primary",
            on_click=play_pause,
            disabled=not model.value.running,
        )
        solara.Button(
            _("Step"),
            color="primary",
            on_click=step,
            disabled=playing.value or not model.value.running,
        )


@solara.component
def Controls(
    model: solara.Reactive[DashboardModel],
    params: dict[str, Any],
    on_levers: Any,
    player: Player,
    playing: solara.Reactive[bool],
    on_week: Any,
    compact: bool = False,
) -> None:
    """Reset / ▶ / Step and the levers in the course's groups.

    A lever of the policy or the market applies to the running model from the next week on
    (while playing too); Reset builds a fresh run from every control, the run set-up included.
    ``compact`` (presentation mode) folds the levers away below the buttons.
    """
    # What Reset rebuilds the model from: the controls' values, kept up to date here.
    settings = solara.use_reactive(_values(params))
    error = solara.use_reactive(None)

    def change(name: str, value: Any) -> None:
        settings.value = {**settings.value, name: value}
        if name not in LIVE:
            return
        try:
            model.value.set_levers(**{name: value})
        except ValueError as err:
            error.set(_("Not applied: {reason}").format(reason=in_words(str(err))))
        else:
            error.set(None)
        on_levers()

    if compact:
        with solara.Row(style={"align-items": "center"}):
            with solara.Div(style={"width": "18rem"}):
                PlayButtons(model, settings, player, playing, on_week)
            with solara.Details(_("Levers")):
                _levers(params, settings, change)
    else:
        PlayButtons(model, settings, player, playing, on_week)
    if error.value:
        solara.Error(error.value)
    if not compact:
        _levers(params, settings, change)


def _levers(params: dict[str, Any], settings: solara.Reactive[dict[str, Any]], change: Any) -> None:
    """The levers' controls under their groups' headings."""
    for group in GROUPS:
        names = [n for n, p in params.items() if isinstance(p, dict) and LEVERS[n].group == group]
        if not names:
            continue
        with solara.Column(gap="0px", classes=["crmsim-group"]):
            solara.Text(group_title(group), classes=["crmsim-group-title"])
            for name in names:
                LeverControl(
                    name,
                    params[name],
                    settings.value[name],
                    lambda value, name=name: change(name, value),
                )


@solara.component
def Exports(model: solara.Reactive[DashboardModel], tab: solara.Reactive[int]) -> None:
    """Download buttons: the weekly table (CSV), the open tab's figures (PNG) and the levers as
    a policy file for ``crmsim compare`` (TOML). Each is made when its button is pressed, from
    the run as it is then."""
    # Made once: a new function at every render would cancel a download under way.
    makers = solara.use_memo(
        lambda: {
            "csv": lambda: export.weekly_csv(model.value),
            "png": lambda: export.figures_png(model.value, tab.value),
            "toml": lambda: export.policy_toml(model.value).encode("utf-8"),
        },
        [],
    )
    labels = {
        "csv": (_("Weekly table (CSV)"), "text/csv"),
        "png": (_("Figures of this tab (PNG)"), "image/png"),
        "toml": (_("Levers as a policy (TOML)"), "application/toml"),
    }
    with solara.Column(gap="4px"):
        for suffix, (label, mime) in labels.items():
            solara.FileDownload(
                makers[suffix],
                filename=export.file_name(model.value, suffix),
                label=label,
                mime_type=mime,
            )
        solara.Text(
            _(
                "The policy file runs with crmsim compare (for example: crmsim compare baseline "
                "{file})."
            ).format(file=export.file_name(model.value, "toml")),
            classes=["crmsim-description"],
        )


def _watched() -> Callable[[], bool] | None:
    """Whether the page is still open in a browser, for the Solara server's page; ``None``
    elsewhere (a notebook, a test), where nothing tells."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # not under the Solara server
        return None

    def watched() -> bool:
        # A tab closed or its connection lost: no page of this session is connected. The
        # session itself lives on for a while (a reconnect may follow), but the run stops.
        statuses = list(context.page_status.values())
        connected = kernel_context.PageStatus.CONNECTED
        return not context.closed_event.is_set() and (not statuses or connected in statuses)

    return watched


def with_previous(new: DashboardModel, old: DashboardModel) -> DashboardModel:
    """``new``, with ``old`` (if it ran) to be drawn faintly behind it, and beside it a fresh
    run of the policy ``old`` was compared with, if any (:func:`~crmsim.app.compare.pair`);
    replications under way for ``old`` stop."""
    comparison(old).cancel.set()
    if old.week:
        comparison(new).previous = old.snapshot()
    choice = comparison(old).choice
    if choice is not None:
        pair(new, choice)
    return new


def _step_week(model: DashboardModel) -> bool:
    """One week of ``model`` and of the run beside it, if any (Step, ▶): whether the run can
    go on."""
    model.step()
    follow(model)
    return bool(model.running)


@solara.component
def Page(
    scenario_name: str = DEFAULT_SCENARIO,
    n_customers: int | None = None,
    rng: Any = 0,
    compare_with: str | None = None,
) -> None:
    """The dashboard: scenario card, Reset / ▶ / Step and the levers, and the views.

    Parameters
    ----------
    scenario_name : str
        The scenario the page opens with.
    n_customers : int, optional
        People in the first run's market; the scenario's by default.
    rng : int, str or None
        Seed of the first run.
    compare_with : str, optional
        A scenario whose policy runs side by side with the run from the start, as B
        (:func:`~crmsim.app.compare.pair`).
    """
    router = solara.use_router()
    # The settings in the address (a reload, a shared link) over the page's arguments.
    from_link, kano = settings_from_query(router.search, scenario_name)
    # The policy run side by side (B), if any: kept with the run, and over Reset.
    compare = solara.use_reactive(comparing(router.search) or compare_with)

    def first_run() -> DashboardModel:
        run = DashboardModel(
            **{"n_customers": n_customers, "rng": rng, **from_link},
            weeks=RUN_WEEKS,
            errors="show",
        )
        if compare.value is not None:
            pair(run, compare.value)
        return run

    first = solara.use_memo(first_run, [])
    model = solara.use_reactive(first)
    # The images of the views, kept as long as the page is open (each run's only while
    # the run exists): a tab opened again is not drawn again.
    cache = solara.use_memo(FigureCache, [])
    per_attribute = solara.use_reactive(kano)
    auto_run = solara.use_reactive(True)
    message = solara.use_reactive(None)
    # Bumped when a lever changes the running model: the header shows the settings in use.
    revision = solara.use_reactive(0)
    # Read by the views only, so that the sidebar is not redrawn while playing: (redraws,
    # week of the figures), bumped after each week or, while playing, a few times a second.
    clock = solara.use_reactive((0, first.week))
    tab = solara.use_reactive(0)
    # Presentation mode (for a projector): one view drawn large, the levers folded away.
    present = solara.use_reactive(presenting(router.search))
    shown = solara.use_reactive(next(iter(PRESENT_VIEWS)))
    # The person followed on the Network tab: the page's, so that ▶ draws them picked out.
    person = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    play_interval = solara.use_reactive(round(INTERVAL * 1000))
    # The controls read their starting values once; a new key remounts them, so that they
    # show a newly picked scenario's settings (or the other service sliders).
    generation = solara.use_reactive(0)
    params = solara.use_memo(
        lambda: model_params(
            model.value, per_attribute.value, weeks=RUN_WEEKS if auto_run.value else 0
        ),
        [generation.value],
    )

    def redraw(figures: bool = True) -> None:
        # The figures are drawn before the page is asked to show them, outside its render:
        # the week counter is not held up by matplotlib, and a pause is shown at once.
        redraws, week = clock.value
        if figures:
            week = draw_views(
                model.value,
                cache,
                tab.value,
                shown.value if present.value else None,
                person.value,
            )
        clock.set((redraws + 1, week))

    def ended(error: str | None) -> None:
        playing.set(False)
        if error:
            message.set(_("▶ stopped: {reason}").format(reason=error))

    player = solara.use_memo(
        lambda: Player(
            lambda: _step_week(model.value),
            redraw,
            ended,
            alive=_watched(),
            interval=lambda: play_interval.value / 1000,
        ),
        [],
    )
    # The page's threads end with the page: a closed tab leaves nothing stepping.
    solara.use_effect(lambda: player.stop, [])

    def replace(new: DashboardModel) -> None:
        player.pause()
        playing.set(False)
        model.set(with_previous(new, model.value))

    def band() -> None:
        # In a thread of its own, as ▶ steps: the page stays responsive, and redraws (its
        # progress, then the band) as each replication ends.
        replicate(model.value, REPLICATIONS, on_progress=lambda: redraw(True))
        redraw(False)

    def pick_compare(choice: str | None) -> None:
        # Built and run up to the week of the run in use at once, playing or not; while
        # playing, the player draws it with the next week (the figures are its to draw).
        try:
            pair(model.value, choice)
        except ValueError as err:  # a policy this run's population cannot take
            message.set(_("Not compared: {reason}").format(reason=in_words(str(err))))
            pair(model.value, None)
            choice = None
        else:
            message.set(None)
        compare.set(choice)
        redraw(not playing.value)

    def remount() -> None:
        generation.set(generation.value + 1)

    def pick_scenario(name: str) -> None:
        weeks = RUN_WEEKS if auto_run.value else 0
        seed = None if model.value.seed_drawn else model.value.seed
        replace(DashboardModel(scenario_name=name, rng=seed, weeks=weeks, errors="show"))
        remount()

    def pick_service_controls(value: bool) -> None:
        per_attribute.set(value)
        remount()

    def pick_auto_run(value: bool) -> None:
        auto_run.set(value)
        remount()

    def toggle_present() -> None:
        present.set(not present.value)
        # The controls move (sidebar or folded away) and start anew: from the run in use,
        # which holds every lever moved since they were last set up.
        remount()

    def run_button() -> None:
        message.set(run_weeks(model.value))
        redraw()

    # The settings in use kept in the address, so that a reload or a shared link restores
    # them (without a router, as in a notebook, there is no address to keep them in).
    query = settings_query(model.value, per_attribute.value, present.value, compare.value)

    def keep_in_address() -> None:
        if router.set_path is not None and (router.search or "") != query:
            router.push(f"{router.path or '/'}?{query}")

    solara.use_effect(keep_in_address, [query])

    with solara.AppBar():
        if present.value:
            scenario = scenarios.load(model.value.scenario_name)
            solara.AppBarTitle(_("crmsim · {title}").format(title=scenario.title))
        else:
            solara.AppBarTitle(_("crmsim: watch a CRM course happen"))

    def controls() -> None:
        Controls(
            model,
            params,
            lambda: revision.set(revision.value + 1),
            player,
            playing,
            redraw,
            compact=present.value,
        ).key(f"controls-{generation.value}")

    if present.value:
        # No sidebar: the buttons above the one large figure, the levers folded away. The
        # switch is on the page, not in the app bar, which a notebook does not show.
        with solara.Row(style={"align-items": "center"}):
            with solara.Div(style={"flex": "1"}):
                controls()
            solara.Button(
                _("Leave presentation"),
                icon_name="mdi-fullscreen-exit",
                outlined=True,
                on_click=toggle_present,
            )
        # The "Compare with" menu in the bar beside the "Figure" menu: the same height.
        Views(model.value, cache, revision.value, clock, tab, shown, person, pick_compare)
        return
    with solara.Sidebar(), solara.Column():
        with solara.Card(_("Scenario")):
            solara.Select(
                _("Scenario"),
                value=model.value.scenario_name,
                values=scenarios.names(),
                on_value=pick_scenario,
            )
            solara.Checkbox(
                label=_("One slider per Kano attribute"),
                value=per_attribute.value,
                on_value=pick_service_controls,
            )
            weeks = format_number(RUN_WEEKS)
            solara.Checkbox(
                label=_("Run {weeks} weeks after Reset").format(weeks=weeks),
                value=auto_run.value,
                on_value=pick_auto_run,
            )
            solara.Button(
                _("Run {weeks} weeks").format(weeks=weeks), color="primary", on_click=run_button
            )
            solara.Button(
                _("Present"),
                icon_name="mdi-projector-screen",
                outlined=True,
                on_click=toggle_present,
                style={"margin-left": "8px"},
            )
            if message.value:
                solara.Error(message.value)
        with solara.Card(_("Compare")):
            CompareMenu(compare.value, pick_compare)
            solara.Text(
                _(
                    "B runs the chosen scenario's policy on this run's seed, people and market, "
                    "week for week beside it: the figures draw it dash-dotted, the monitors show "
                    "A − B. Pick this run's own scenario to compare your levers with its own."
                ),
                classes=["crmsim-description"],
            )
            solara.Button(
                _("Band: {count} other seeds").format(count=format_number(REPLICATIONS)),
                outlined=True,
                on_click=band,
                style={"margin-top": "8px"},
            )
        with solara.Card(_("Levers")):
            controls()
        with solara.Card(_("Export")):
            Exports(model, tab)
        # Settings for developers, out of the way of the levers.
        with solara.Details(_("Developer controls")):
            Slider(_("Play interval (ms)"), value=play_interval, min=1, max=500, step=1, whole=True)
            Slider(
                _("Figures redrawn while playing: every ... s"),
                value=player.figure_period,
                min=0.25,
                max=5.0,
                step=0.25,
                on_value=lambda value: setattr(player, "figure_period", value),
            )

    Views(model.value, cache, revision.value, clock, tab, person=person)


#: The element ``solara run crmsim.app:page`` serves.
page = Page()
