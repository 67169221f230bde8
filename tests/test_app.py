"""The dashboard (crmsim.app) without a browser: the model behind the controls, and the page
rendered headless with Solara's test renderer (widgets in memory, clicked from Python)."""

from __future__ import annotations

import doctest
import functools
import inspect
import os
import subprocess
import sys
import threading
import time
from unittest import mock

import ipyvuetify as v
import ipywidgets
import pytest
import solara
from mesa.visualization.solara_viz import _check_model_params

from crmsim import app, plots, scenarios
from crmsim.app import assets
from crmsim.cli import main
from crmsim.levers import CHANNELS, Policy

SMALL = 300  # people: quick, and small enough for the network view


# --------------------------------------------------------------------------- the model
def test_without_levers_the_dashboard_model_runs_the_scenario_as_it_is():
    for name in scenarios.names():
        scenario = scenarios.load(name)
        model = app.DashboardModel(scenario_name=name, rng=1)
        expected: Policy = scenario.policy
        assert model.policy.service == expected.service, name
        for field in ("respect", "discount", "discount_target", "discount_weeks", "gift_value"):
            assert getattr(model.policy, field) == getattr(expected, field), (name, field)
        assert model.market == scenario.kwargs["market"]
        assert model.n_customers == scenario.kwargs.get("n_customers", 2_000)


def test_each_scalar_sets_its_policy_or_market_field():
    model = app.DashboardModel(
        n_customers=SMALL,
        scenario_name="customer_centric",
        respect=0.3,
        discount=0.2,
        discount_target="new",
        discount_start=4,
        discount_end=12,
        gift_value=3.5,
        gift_every=6,
        referral_reward=9.0,
        recovery=0.9,
        win_back=0.4,
        advertising=0.03,
        competitor_attractiveness=0.25,
        competitor_offer_rate=0.08,
        price=24.0,
        network="scale-free",
        rng=3,
    )
    policy, market = model.policy, model.market
    assert (policy.respect, policy.discount, policy.discount_target) == (0.3, 0.2, "new")
    assert policy.discount_weeks == (4, 12)
    assert (policy.gift_value, policy.gift_every, policy.referral_reward) == (3.5, 6, 9.0)
    assert (policy.recovery, policy.win_back, policy.advertising) == (0.9, 0.4, 0.03)
    assert (market.competitor_attractiveness, market.competitor_offer_rate) == (0.25, 0.08)
    assert market.price == 24.0
    assert (model.n_customers, model.network_kind, model.seed) == (SMALL, "scale-free", 3)


def test_service_quality_sets_all_but_spam_and_attribute_levels_come_on_top():
    model = app.DashboardModel(n_customers=SMALL, service_quality=0.9, reliability=0.4, rng=1)
    levels = {name: a.level for name, a in model.policy.service.items()}
    assert levels == {
        "reliability": 0.4,
        "speed": 0.9,
        "personal_touch": 0.9,
        "spam": 0.2,  # reverse: more is worse, so service quality leaves it alone
        "logo_colour": 0.9,
    }
    spam = app.DashboardModel(n_customers=SMALL, spam=0.7, rng=1).policy.service["spam"]
    assert (spam.category, spam.level) == ("reverse", 0.7)


def test_discount_targets_and_weeks_as_the_controls_name_them():
    def policy(**levers):
        return app.DashboardModel(n_customers=SMALL, rng=1, **levers).policy

    assert policy(discount_target="loyal+marketer").discount_target == {"loyal", "marketer"}
    assert policy(discount_target="kindred_spirits").discount_target == "kindred_spirits"
    assert policy(discount=0.1, discount_start=0, discount_end=0).discount_weeks is None
    late = policy(discount=0.1, discount_start=10, discount_end=app.NO_END)
    assert not late.discount_running(9) and late.discount_running(10_000)
    # the opening discount's (0, 8), moved by one end only
    moved = app.DashboardModel(scenario_name="opening_discount", discount_end=20, rng=1)
    assert moved.policy.discount_weeks == (0, 20)


def test_the_channels_menu_staffs_the_channels_it_names_and_refuses_others_by_name():
    def channels(label):
        return app.DashboardModel(n_customers=SMALL, rng=1, channels=label).policy.channels

    assert channels("all") == set(CHANNELS)
    assert channels("phone+face-to-face") == {"phone", "face-to-face"}
    assert channels("email") == {"email"}
    for label in app.CHANNEL_SETS:  # every entry of the menu is a set the model takes
        assert app.channels_label(channels(label)) == label
    for bad in ("fax", "phone+fax", ""):
        with pytest.raises(ValueError, match="channels"):
            app.DashboardModel(n_customers=SMALL, channels=bad)
    model = app.DashboardModel(n_customers=SMALL, rng=1, channels="phone+email")
    control = app.model_params(model)["channels"]
    assert (control["type"], control["value"]) == ("Select", "phone+email")
    assert app.lever_values(model.policy, model.market)["channels"] == "phone+email"


def test_a_seed_typed_as_text_gives_the_same_run_as_the_number():
    a = app.DashboardModel(n_customers=SMALL, rng="42")
    b = app.DashboardModel(n_customers=SMALL, rng=42)
    a.run(10, progress=False)
    b.run(10, progress=False)
    assert a.frame.equals(b.frame)
    assert not a.seed_drawn


def test_a_blank_seed_draws_one_that_repeats_the_run():
    drawn = app.DashboardModel(n_customers=SMALL, rng=" ", weeks=10)
    assert drawn.seed_drawn and 0 <= drawn.seed < app.SEED_RANGE
    again = app.DashboardModel(n_customers=SMALL, rng=str(drawn.seed), weeks=10)
    assert again.frame.equals(drawn.frame)
    seeds = {app.DashboardModel(n_customers=50, rng=None).seed for _ in range(5)}
    assert len(seeds) > 1  # a new one each time
    assert f"Seed {drawn.seed} (drawn" in app.settings_lines(drawn)[0]
    # the control stays blank, so that the next Reset draws a new one
    assert app.model_params(drawn)["rng"]["value"] == ""


def test_a_lever_changed_mid_run_applies_from_the_next_week_only():
    levers = {"n_customers": SMALL, "rng": 7}
    live = app.DashboardModel(**levers, weeks=20)
    plain = app.DashboardModel(**levers, weeks=20)
    assert live.set_levers(referral_reward=30.0, respect=0.0) == ["respect", "referral_reward"]
    assert (live.policy.respect, live.policy.referral_reward) == (0.0, 30.0)
    assert live.policy.discount == plain.policy.discount  # the others as they were
    assert live.week == 20 and live.frame.equals(plain.frame)  # the past is kept
    # as a notebook would do it: the same numbers
    plain.policy = plain.policy.replace(respect=0.0, referral_reward=30.0)
    live.run(10, progress=False)
    plain.run(10, progress=False)
    assert live.frame.equals(plain.frame)
    fresh = app.DashboardModel(**levers, weeks=30)
    assert not live.frame.iloc[20:].equals(fresh.frame.iloc[20:])
    assert live.changes == [(20, "respect", 0.5, 0.0), (20, "referral_reward", 0.0, 30.0)]
    lines = app.settings_lines(live)
    assert "Respect (0–1) 0 (scenario 0.5)" in lines[1]
    assert "from week 20 Respect (0–1) 0.5 → 0" in lines[2]


def test_a_refused_live_change_keeps_the_levers_and_names_the_slider():
    model = app.DashboardModel(n_customers=SMALL, rng=1, discount=0.1, discount_start=5)
    before = model.policy
    with pytest.raises(ValueError) as refused:
        model.set_levers(discount_end=3)
    assert model.policy == before and model.changes == []
    message = app.in_words(str(refused.value))
    assert "“Discount until week (0: never ends)” (3) must be after “Discount from week”" in (
        message
    )
    assert "discount_end" not in message


def test_every_control_has_a_group_a_unit_or_kind_and_a_one_line_explanation():
    model = app.DashboardModel(n_customers=SMALL, rng=1)
    for per_attribute in (False, True):
        params = app.model_params(model, per_attribute=per_attribute)
        controls = [n for n, p in params.items() if isinstance(p, dict)]
        for name in controls:
            lever = app.LEVERS[name]
            assert lever.group in app.GROUPS, name
            assert params[name]["label"] == lever.label, name
            assert lever.help.endswith(".") and "\n" not in lever.help, name
    assert [g.split(":")[0] for g in app.GROUPS][:6] == [
        "Service and Kano",
        "Price and discounts",
        "CEM",
        "CAM",
        "Recovery and win-back",
        "Market",
    ]


@pytest.mark.parametrize(
    ("levers", "message"),
    [
        ({"respect": 1.5}, "respect"),
        ({"reliability": -0.1}, "reliability"),
        ({"service_quality": "high"}, "service_quality"),
        ({"discount": 0.95}, "discount"),
        ({"discount_start": 10, "discount_end": 5}, "discount_end"),
        ({"discount_start": -1}, "discount_start"),
        ({"discount_target": "vip"}, "discount_target"),
        ({"gift_every": 0}, "gift_every"),
        ({"price": 5.0}, "unit_cost"),  # below the unit cost of 12
        ({"competitor_offer_rate": 2.0}, "competitor_offer_rate"),
        ({"n_customers": 0}, "n_customers"),
        ({"network": "grid"}, "network"),
        ({"rng": "abc"}, "rng"),
        ({"scenario_name": "nope"}, "unknown scenario"),
        ({"errors": "ignore"}, "errors"),
    ],
)
def test_a_bad_value_is_refused_with_a_value_error_naming_it(levers, message):
    with pytest.raises(ValueError, match=message):
        app.DashboardModel(**{"n_customers": SMALL, **levers})


def test_weeks_runs_the_model_at_once():
    model = app.DashboardModel(n_customers=SMALL, rng=1, weeks=12)
    assert model.week == 12 and len(model.frame) == 12


def test_with_errors_shown_a_bad_value_gives_a_message_and_the_scenarios_own_run():
    model = app.DashboardModel(
        scenario_name="customer_centric", respect=1.5, rng=1, errors="show", n_customers=SMALL
    )
    assert "respect" in model.error
    assert model.policy.respect == scenarios.load("customer_centric").policy.respect
    assert app.run_weeks(model, 4) is None and model.week == 4
    assert app.DashboardModel(n_customers=SMALL, rng=1, errors="show").error is None


def test_the_controls_are_keyword_arguments_and_rebuild_the_same_model():
    for name in scenarios.names():
        for per_attribute in (False, True):
            model = app.DashboardModel(scenario_name=name, n_customers=SMALL, rng=5)
            params = app.model_params(model, per_attribute=per_attribute, weeks=0)
            _check_model_params(model, params)  # what SolaraViz checks
            assert set(params) <= set(inspect.signature(app.DashboardModel).parameters)
            values = {
                k: p["value"] if isinstance(p, dict) and "type" in p else p
                for k, p in params.items()
            }
            again = app.DashboardModel(**values)
            assert again.error is None, (name, again.error)
            assert again.policy == model.policy.replace(service=model.policy.service), name
            assert again.market == model.market
            assert (again.n_customers, again.seed) == (SMALL, 5)


def test_every_slider_holds_its_starting_value_within_its_range():
    params = app.model_params(app.DashboardModel(scenario_name="opening_discount", rng=1))
    sliders = {k: p for k, p in params.items() if isinstance(p, dict) and "Slider" in p["type"]}
    assert len(sliders) == 16  # 13 levers, 2 service sliders and the population size
    for name, slider in sliders.items():
        assert slider["min"] <= slider["value"] <= slider["max"], name
    assert params["discount"]["value"] == 0.3 and params["discount_end"]["value"] == 8


def test_the_network_is_drawn_for_small_markets_only():
    model = app.DashboardModel(n_customers=120, rng=1)
    model.run(3, progress=False)
    figure = app.network_figure(model)
    assert figure.axes[0].get_title().endswith("(week 3)")
    with pytest.raises(ValueError, match="up to 400"):
        app.network_figure(app.DashboardModel(n_customers=app.NETWORK_LIMIT + 1, rng=1))


@pytest.mark.parametrize(
    "module",
    [
        app,
        app.model,
        app.levers,
        app.controls,
        app.views,
        app.dashboard,
        app.play,
        app.link,
        app.export,
        app.compare,
        assets,
    ],
    ids=lambda m: m.__name__,
)
def test_the_module_examples_run(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
    assert attempted > 0 or module is app  # the package only gathers its modules' names


# --------------------------------------------------------------------------- the page
def _strings(widget) -> list[str]:
    """Every text in a widget tree, depth first."""
    found = []
    for child in getattr(widget, "children", None) or []:
        found.extend([child] if isinstance(child, str) else _strings(child))
    return found


class Dashboard:
    """The page rendered headless, with helpers to read and press its widgets."""

    def __init__(self, path: str | None = None, **page_args) -> None:
        @solara.component
        def Served():  # the app layout `solara run` wraps around a page
            with solara.AppLayout():
                app.Page(**page_args)

        @solara.component
        def Routed():  # and the router, which gives the page its address
            with solara.RoutingProvider(routes=app.routes, pathname=path):
                Served()

        self.models: list[app.DashboardModel] = []
        init = app.DashboardModel.__init__

        @functools.wraps(init)  # Mesa's Reset reads the signature
        def recording(model, *args, **kwargs):
            init(model, *args, **kwargs)
            self.models.append(model)

        self._recording = mock.patch.object(app.DashboardModel, "__init__", recording)
        self._recording.start()
        self.box, self.rc = solara.render(
            Served() if path is None else Routed(), handle_error=False
        )

    def address(self) -> str:
        """The page's address, as the browser shows it (with a router only)."""
        return self.rc.find(solara.widgets.Navigator).widget.location

    def model(self) -> app.DashboardModel:
        """The run on the page: the model built last."""
        return self.models[-1]

    def images(self) -> list[bytes]:
        return [bytes(w.value) for w in self.rc.find(ipywidgets.Image).widgets]

    def texts(self) -> str:
        return " ".join(_strings(self.box))

    def alerts(self) -> str:
        return " ".join(s for w in self.rc.find(v.Alert).widgets for s in _strings(w))

    def slider(self, label: str):
        return self.rc.find(v.Slider, label=label).widget

    def press(self, label: str) -> None:
        self.rc.find(v.Btn, children=[label]).widget.click()

    def button(self, label: str):
        """The button reading ``label`` (beside an icon, for one in the app bar)."""
        found = [w for w in self.rc.find(v.Btn).widgets if label in _strings(w)]
        assert len(found) == 1, (label, len(found))
        return found[0]

    def choose(self, label: str, value: str) -> None:
        self.rc.find(v.Select, label=label).widget.v_model = value

    def tab(self, name: str) -> None:
        tabs = self.rc.find(v.Tabs).widget
        tabs.v_model = [t.children[0] for t in tabs.children].index(name)

    def close(self) -> None:
        self._recording.stop()
        self.rc.close()


@pytest.fixture
def dashboard():
    page = Dashboard(n_customers=SMALL)
    yield page
    page.close()


def test_the_page_opens_with_three_years_of_the_scenario_drawn(dashboard):
    assert "Baseline: an ordinary firm" in dashboard.texts()
    assert "Week 156" in dashboard.texts()
    images = dashboard.images()
    assert len(images) == 2 and all(i.startswith(b"\x89PNG") for i in images)
    labels = {w.label for w in dashboard.rc.find(v.Slider).widgets}
    for name in ("respect", "discount", "gift_value", "price", "n_customers"):
        assert app.LEVERS[name].label in labels
    texts = dashboard.texts()
    assert "Seed 0 · 300 people" in texts and "Levers: the scenario's own" in texts
    # each lever explained in its tooltip, under the course's headings
    tooltips = " ".join(s for w in dashboard.rc.find(v.Tooltip).widgets for s in _strings(w))
    shown = [n for n, p in app.model_params(dashboard.model()).items() if isinstance(p, dict)]
    for name in shown:
        assert app.LEVERS[name].help in tooltips, name
    for group in app.GROUPS:
        assert group in texts
    # Mesa's settings for developers folded away, not among the levers
    assert "Developer controls" in texts


def test_step_and_run_move_the_model_on_and_redraw_the_figures(dashboard):
    before = dashboard.images()
    dashboard.press("Step")
    after_step = dashboard.images()
    assert "Week 157" in dashboard.texts()
    assert all(a != b for a, b in zip(before, after_step, strict=True))
    dashboard.press("Run 156 weeks")
    assert "Week 313" in dashboard.texts()
    assert all(a != b for a, b in zip(after_step, dashboard.images(), strict=True))


RESPECT = app.LEVERS["respect"].label


def test_a_slider_acts_on_the_running_model_from_the_next_week(dashboard):
    model = dashboard.model()
    before = dashboard.images()
    dashboard.slider(RESPECT).v_model = 0.0
    assert dashboard.model() is model and model.policy.respect == 0.0  # the same run, live
    assert model.week == 156 and dashboard.images() == before  # nothing simulated yet
    assert f"{RESPECT} 0 (scenario 0.5)" in dashboard.texts()
    assert f"from week 156 {RESPECT} 0.5 → 0" in dashboard.texts()
    dashboard.press("Step")
    assert "Week 157" in dashboard.texts() and dashboard.model() is model
    assert model.policy.respect == 0.0


def test_a_slider_then_reset_rebuilds_the_model_and_runs_it_again(dashboard):
    before, first = dashboard.images(), dashboard.model()
    dashboard.press("Reset")  # same controls, same seed: the same run
    assert dashboard.model().snapshot().equals(first.snapshot())
    # The same figure, but for the tiers' previous run drawn behind (it is the same run here).
    assert dashboard.images()[0] == before[0]
    dashboard.slider(RESPECT).v_model = 0.0
    dashboard.press("Reset")
    assert "Week 156" in dashboard.texts()
    assert dashboard.model().changes == []  # a fresh run, with respect 0 from week 0
    assert dashboard.model().policy.respect == 0.0
    after = dashboard.images()
    assert len(after) == 2 and after != before


def test_a_refused_value_shows_a_message_in_the_sliders_words(dashboard):
    end = app.LEVERS["discount_end"].label
    dashboard.slider("Discount from week").v_model = 100
    dashboard.slider(end).v_model = 50
    in_words = f"“{end}” (50) must be after “Discount from week” (100)"
    assert f"Not applied: {in_words}" in dashboard.alerts()  # live: the run keeps its levers
    assert "discount_end" not in dashboard.alerts()
    dashboard.press("Reset")
    assert f"The controls were not applied: {in_words}" in dashboard.alerts()
    assert len(dashboard.images()) == 2  # the scenario's own run, still drawn
    dashboard.slider(end).v_model = 0
    dashboard.press("Reset")
    assert "must be after" not in dashboard.alerts()


def test_picking_a_scenario_loads_its_settings_into_the_controls(dashboard):
    dashboard.choose("Scenario", "customer_centric")
    assert "Customer-centric" in dashboard.texts()
    assert dashboard.slider(RESPECT).v_model == 0.8
    assert dashboard.slider("Referral reward (money)").v_model == 5.0
    assert dashboard.slider("Gift value (money)").v_model == 1.0


def test_one_slider_per_kano_attribute_on_request(dashboard):
    labels = lambda: {w.label for w in dashboard.rc.find(v.Slider).widgets}  # noqa: E731
    quality = app.LEVERS["service_quality"].label
    assert quality in labels()
    dashboard.rc.find(v.Checkbox, label="One slider per Kano attribute").widget.v_model = True
    assert quality not in labels()
    for label in ("Reliability (must-be, 0–1)", "Speed (performance, 0–1)"):
        assert label in labels()


def test_without_the_three_years_reset_waits_at_week_0_for_step(dashboard):
    dashboard.rc.find(v.Checkbox, label="Run 156 weeks after Reset").widget.v_model = False
    dashboard.press("Reset")
    assert "Week 0: nothing simulated yet" in dashboard.texts()
    assert dashboard.images() == []
    assert "press Step" in dashboard.alerts()
    dashboard.press("Step")
    assert "Week 1 ·" in dashboard.texts()
    assert len(dashboard.images()) == 2


def test_every_tab_draws_its_views(dashboard):
    for name, (keys, _) in app.TABS.items():
        dashboard.tab(name)
        figures = [k for k in keys if k in app.FIGURES or k == "network"]
        assert len(dashboard.images()) == len(figures), name


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """The keys of the figures drawn from now on, in order (each page starts with no images)."""
    keys: list[str] = []
    draw = app.draw_figure

    def counting(model, key, *args):
        keys.append(key)
        return draw(model, key, *args)

    monkeypatch.setattr(app.views, "draw_figure", counting)  # where view_image finds it
    return keys


def test_only_the_open_tab_is_drawn_and_a_tab_seen_again_is_not_redrawn(drawn):
    page = Dashboard(n_customers=SMALL)
    try:
        assert sorted(drawn) == ["stages", "tiers"]  # the first tab, nothing else
        customers = page.images()
        drawn.clear()
        page.tab("Churn")
        assert drawn == ["churn"]
        churn = page.images()
        drawn.clear()
        page.tab("Customers")
        assert page.images() == customers
        page.tab("Churn")
        assert page.images() == churn
        assert drawn == []  # the same run at the same week: shown from the cache
    finally:
        page.close()


def test_a_new_week_or_a_new_run_draws_the_open_tab_again(drawn):
    page = Dashboard(n_customers=SMALL)
    try:
        page.tab("Churn")
        page.press("Step")  # the run moves on: its images are out of date
        assert "Week 157" in page.texts()
        drawn.clear()
        page.tab("Customers")
        assert sorted(drawn) == ["stages", "tiers"]
        before = page.images()
        drawn.clear()
        page.slider(RESPECT).v_model = 0.0
        page.press("Reset")  # a new run, at week 156 again
        assert sorted(drawn) == ["stages", "tiers"]
        assert len(page.images()) == 2 and page.images() != before
        drawn.clear()
        page.tab("Churn")
        assert drawn == ["churn"]  # not the image of the old run at that week
    finally:
        page.close()


def test_the_network_layout_is_made_once_per_run(monkeypatch):
    layouts = []
    layout = app.network_layout

    def counting(graph):
        layouts.append(graph)
        return layout(graph)

    monkeypatch.setattr(app.views, "network_layout", counting)  # where FigureCache finds it
    page = Dashboard(n_customers=SMALL)
    try:
        assert layouts == []  # not on the tab in view
        page.tab("Network")
        first = page.images()
        page.tab("Customers")
        page.press("Step")
        page.tab("Network")
        assert len(page.images()) == 1 and page.images() != first  # the network at week 157
        assert len(layouts) == 1
    finally:
        page.close()


def test_the_figure_cache_keeps_the_latest_week_of_each_live_run():
    import gc

    cache = app.FigureCache()
    model = app.DashboardModel(n_customers=SMALL, rng=1, weeks=2)
    other = app.DashboardModel(n_customers=SMALL, rng=2, weeks=2)
    assert cache.image(model, "profit", lambda: b"a") == b"a"
    assert cache.image(model, "profit", lambda: b"b") == b"a"
    assert cache.image(other, "profit", lambda: b"c") == b"c"  # each run its own
    model.run(1, progress=False)
    assert cache.image(model, "profit", lambda: b"d") == b"d"
    assert cache.image(other, "profit", lambda: b"e") == b"c"
    del other
    gc.collect()
    assert len(cache._images) == 1  # a run's images go with it


def test_views_drawn_ahead_are_shown_while_playing_without_drawing_again(drawn):
    cache = app.FigureCache()
    model = app.DashboardModel(n_customers=SMALL, rng=1, weeks=5)
    week = app.draw_views(model, cache, 0)  # as the page does before it shows a new week
    assert week == 5 and sorted(drawn) == ["stages", "tiers"]
    ready = {key: app.view_image(model, key, cache) for key in ("stages", "tiers")}
    model.run(3, progress=False)  # while playing, the run has moved on meanwhile
    drawn.clear()
    for key, image in ready.items():
        assert app.view_image(model, key, cache, at_least=week) == image
    assert drawn == []
    assert app.view_image(model, "stages", cache) != ready["stages"]  # the week itself: drawn
    assert drawn == ["stages"]
    assert app.view_image(model, "tiers", cache, at_least=week) == ready["tiers"]


def test_the_weekly_table_is_built_once_a_week_and_follows_the_run():
    model = app.DashboardModel(n_customers=200, rng=3, weeks=5)
    first = model.snapshot()
    assert model.snapshot() is first  # the overview and each figure share one table
    assert len(first) == 5
    model.step()
    again = model.snapshot()
    assert again is not first and len(again) == 6
    assert again.iloc[:5].equals(first)


def test_the_network_tab_explains_itself_for_a_large_market():
    page = Dashboard(n_customers=app.NETWORK_LIMIT + 100)
    try:
        page.tab("Network")
        assert page.images() == []
        assert "up to 400 people" in page.alerts()
    finally:
        page.close()


def _journey_shown(page: Dashboard) -> tuple[str, list[str]]:
    """The journey panel's summary line and history lines, as the page shows them."""
    strings = _strings(page.box)
    summary = next(i for i, text in enumerate(strings) if text.startswith("Person "))
    history = [
        line
        for w in page.rc.find(v.Html, class_="crmsim-history-lines").widgets
        for text in _strings(w)
        for line in text.split("\n")
    ]
    return strings[summary], history


def _person_field(page: Dashboard):
    return next(
        w for w in page.rc.find(v.TextField).widgets if str(w.label).startswith("Person (0–")
    )


def test_following_a_person_shows_their_journey_and_rings_them_in_the_network(dashboard):
    dashboard.tab("Network")
    plain = dashboard.images()
    assert len(plain) == 1
    assert "type their number" in dashboard.texts()

    dashboard.press("Next customer")
    model = dashboard.model()
    person = app.next_customer(model)
    summary, history = _journey_shown(dashboard)
    assert summary == app.person_summary(model, person)
    # The journey as the model tells it, the latest week first.
    assert history == model.customer(person).history[::-1]
    assert history
    ringed = dashboard.images()
    assert len(ringed) == 1 and ringed != plain
    expected = app.render_png(
        app.network_figure(model, app.network_layout(model.network.to_networkx()), person)
    )
    assert ringed == [expected]

    # The next customer after this one, then a number typed: each shown at once.
    dashboard.press("Next customer")
    assert _journey_shown(dashboard)[0].startswith(f"Person {app.next_customer(model, person)}:")
    _person_field(dashboard).v_model = "5"
    summary, history = _journey_shown(dashboard)
    assert summary.startswith("Person 5:")
    assert history == model.customer(5).history[::-1]

    # The panel follows the run: a week on, its lines and where the person stands.
    dashboard.press("Step")
    summary, history = _journey_shown(dashboard)
    assert summary == app.person_summary(model, 5)
    assert history == model.customer(5).history[::-1]


def test_a_person_not_in_the_market_is_named_as_such(dashboard):
    dashboard.tab("Network")
    _person_field(dashboard).v_model = str(SMALL)
    assert f"There is no person {SMALL} in this market: 0 to {SMALL - 1}" in dashboard.alerts()
    assert "type their number" in dashboard.texts()


def test_a_click_on_a_persons_dot_follows_them_and_a_click_beside_every_dot_does_nothing(
    dashboard,
):
    dashboard.tab("Network")
    model = dashboard.model()
    spots = _spots(model)
    catcher = dashboard.rc.find(app.views._ClickCatcher).widget
    person = SMALL // 2
    # A little off the dot's centre, as a hand clicks.
    catcher.vue_pick({"x": spots[person, 0] + 0.002, "y": spots[person, 1] - 0.002})
    summary, history = _journey_shown(dashboard)
    assert summary == app.person_summary(model, person)
    assert history == model.customer(person).history[::-1]
    # The ringed image has its own places, and a click on it picks from them.
    ringed = _spots(model, person)
    other = next(i for i in range(SMALL) if i != person)
    dashboard.rc.find(app.views._ClickCatcher).widget.vue_pick(
        {"x": ringed[other, 0], "y": ringed[other, 1]}
    )
    assert _journey_shown(dashboard)[0] == app.person_summary(model, other)
    # The top-left corner, where the title is and no dot: the person followed stays.
    dashboard.rc.find(app.views._ClickCatcher).widget.vue_pick({"x": 0.0, "y": 0.0})
    assert _journey_shown(dashboard)[0] == app.person_summary(model, other)


def _spots(model: app.DashboardModel, person: int | None = None):
    """Where the people are in the network image as the page draws it, drawn afresh."""
    positions = app.network_layout(model.network.to_networkx())
    figure = app.network_figure(model, positions, person)
    app.render_png(figure)
    return app.places(figure, positions)


def test_without_history_the_journey_panel_says_how_to_get_it():
    people = app.views.CLASS_SIZE + 1
    page = Dashboard(n_customers=people)
    try:
        assert not page.model().history.enabled
        page.tab("Network")
        page.press("Next customer")
        summary, history = _journey_shown(page)
        assert summary.startswith("Person ") and history == []
        message = page.alerts()
        assert "Journeys need the run's history" in message
        assert f"“People in the market” to {app.views.CLASS_SIZE:,} or fewer" in message
        assert "history=True" in message
    finally:
        page.close()


def test_the_person_followed_is_drawn_ahead_while_playing():
    cache, model = app.FigureCache(), app.DashboardModel(n_customers=SMALL, rng=1, weeks=3)
    app.draw_views(model, cache, list(app.TABS).index("Network"), person=7)
    assert "network:person7" in cache._images[model]


# --------------------------------------------------------------------------- the address
def test_the_address_names_the_scenario_the_seed_and_only_what_differs():
    model = app.DashboardModel(n_customers=SMALL, rng=3)
    assert app.settings_query(model) == f"scenario=baseline&seed=3&n_customers={SMALL}"
    model = app.DashboardModel(scenario_name="customer_centric", rng=3, service_quality=0.9)
    query = app.settings_query(model)
    assert query.startswith("scenario=customer_centric&seed=3&service_quality=0.9")
    assert "reliability" not in query  # one slider set them all: written as that slider


@pytest.mark.parametrize("per_attribute", [False, True])
def test_the_settings_read_back_from_the_address_make_the_same_run(per_attribute):
    model = app.DashboardModel(
        n_customers=SMALL,
        scenario_name="opening_discount",
        reliability=0.35,
        speed=0.8,
        spam=0.6,
        respect=0.15,
        discount=0.25,
        discount_target="loyal+marketer",
        discount_start=3,
        discount_end=0,
        gift_value=2.5,
        gift_every=5,
        referral_reward=7.0,
        recovery=0.45,
        win_back=0.3,
        advertising=0.015,
        competitor_attractiveness=-0.2,
        competitor_offer_rate=0.04,
        price=23.5,
        network="scale-free",
        rng=11,
    )
    kwargs, kano = app.settings_from_query(app.settings_query(model, per_attribute))
    again = app.DashboardModel(**kwargs)
    assert kano == per_attribute and again.error is None
    assert again.policy == model.policy and again.market == model.market
    assert (again.n_customers, again.network_kind, again.seed) == (SMALL, "scale-free", 11)
    assert again.scenario_name == "opening_discount"


def test_an_address_with_bad_or_unknown_settings_still_opens_a_page():
    kwargs, kano = app.settings_from_query("scenario=nonesuch&respect=lots&colour=red")
    assert kwargs == {"scenario_name": app.DEFAULT_SCENARIO, "respect": "lots"} and not kano
    model = app.DashboardModel(**kwargs, errors="show")
    assert "Respect" in app.in_words(model.error)  # the page shows it in the slider's words


def test_the_page_opens_with_the_settings_in_its_address_and_keeps_them_there():
    page = Dashboard(path="/?scenario=customer_centric&seed=5&n_customers=300&respect=0.2&kano=1")
    try:
        model = page.model()
        assert (model.scenario_name, model.seed, model.n_customers) == ("customer_centric", 5, 300)
        assert model.policy.respect == 0.2 and page.slider(RESPECT).v_model == 0.2
        assert page.slider("Reliability (must-be, 0–1)")  # one slider per Kano attribute
        assert page.address() == "/?" + app.settings_query(model, per_attribute=True)
        page.slider(RESPECT).v_model = 0.65  # live: the address follows
        assert "respect=0.65" in page.address() and "respect=0.2" not in page.address()
        page.slider(app.LEVERS["n_customers"].label).v_model = 250
        assert "n_customers=300" in page.address()  # the run set-up: only once it is used
        page.press("Reset")
        assert "n_customers=250" in page.address() and "seed=5" in page.address()
        page.choose("Scenario", "baseline")
        assert page.address().startswith("/?scenario=baseline&seed=5")
    finally:
        page.close()


# --------------------------------------------------------------------------- presentation mode
def _titles_and_labels(figure):
    """Each title of ``figure`` and each axis' y label with its box, in pixels, as drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [figure._suptitle] + [t for ax in figure.axes for t in (ax.title, ax._left_title)]
    texts += [ax.yaxis.label for ax in figure.axes]
    return [(t, t.get_window_extent(renderer)) for t in texts if t is not None and t.get_text()]


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("key", list(app.FIGURES))
def test_every_title_fits_in_its_figure_as_the_page_draws_it(key, present):
    model = app.DashboardModel(n_customers=SMALL, rng=1, weeks=30)
    figure = app.draw_figure(model, key, present=present)
    dpi = app.PRESENT_DPI if present else app.FIGURE_DPI
    assert figure.dpi == dpi
    bounds = figure.bbox
    for text, box in _titles_and_labels(figure):
        assert box.x0 >= 0 and box.x1 <= bounds.x1, (key, text.get_text())
        assert box.y0 >= 0 and box.y1 <= bounds.y1, (key, text.get_text())
    # The y labels of panels one above the other do not run into each other.
    labels = sorted(
        (
            box
            for text, box in _titles_and_labels(figure)
            if text in [ax.yaxis.label for ax in figure.axes]
        ),
        key=lambda b: b.y0,
    )
    for lower, upper in zip(labels, labels[1:], strict=False):
        assert lower.y1 <= upper.y0 + 1, key


def test_the_trust_figure_keeps_its_whole_title_on_the_page():
    model = app.DashboardModel(n_customers=SMALL, rng=1, weeks=30)
    title = app.draw_figure(model, "trust").axes[0].get_title()
    assert " ".join(title.split()) == plots.TITLES["trust"]  # wrapped, not cut


def test_presentation_mode_from_the_address_shows_one_large_figure_and_the_buttons():
    page = Dashboard(path="/?scenario=baseline&seed=2&n_customers=300&present=1")
    try:
        assert len(page.images()) == 1
        for label in ("Reset", "▶", "Step", "Leave presentation"):
            assert page.button(label), label
        assert "present=1" in page.address()
        page.choose("Figure", "Churn")
        assert len(page.images()) == 1
        page.press("Step")
        assert "157" in page.texts()
        page.slider(RESPECT).v_model = 0.1  # the levers, folded away, still act
        assert page.model().policy.respect == 0.1
        page.button("Leave presentation").click()
        assert "present=1" not in page.address() and len(page.images()) == 2
        assert page.slider(RESPECT).v_model == 0.1  # the controls follow the run in use
    finally:
        page.close()


def test_the_present_button_switches_to_presentation_mode():
    page = Dashboard(path="/?n_customers=300&seed=2")
    try:
        page.button("Present").click()
        assert "present=1" in page.address() and len(page.images()) == 1
    finally:
        page.close()


# --------------------------------------------------------------------------- monitors and info
@pytest.mark.parametrize("weeks", [156, 160])  # a quarter's end, and weeks into the next
def test_the_monitors_show_the_runs_key_figures(weeks):
    model = app.DashboardModel(n_customers=SMALL, rng=2, weeks=weeks)
    frame, losses = model.snapshot(), model.losses
    last = frame.iloc[-1]
    start = 143 if weeks == 156 else 156  # the quarter under way, or the one just ended
    base = int(frame.loc[frame["week"] == start, "active_start"].iloc[0])
    lost = ((losses["week"] >= start) & (losses["spell_start"] < start)).sum()
    shown = app.monitors(model)
    assert shown == {
        "Active customers": f"{int(last['actual'] + last['loyal'] + last['marketer']):,}",
        "Marketers": f"{int(last['marketer']):,}",
        "Churn this quarter": f"{lost / base:.1%}",
        "Profit so far": f"{frame['profit'].sum():,.0f}",
    }
    if weeks == 156:  # at a quarter's end: the figure the overview line gives
        assert f"churn last quarter {shown['Churn this quarter']}" in app.summary_line(model)


def test_the_page_shows_the_monitors_and_they_follow_the_run(dashboard):
    shown = app.monitors(dashboard.model())
    texts = dashboard.texts()
    for name, value in shown.items():
        assert f"{name} {value}" in texts
    dashboard.press("Step")
    assert app.monitors(dashboard.model())["Profit so far"] in dashboard.texts()
    assert app.monitors(dashboard.model()) != shown


def test_the_info_tab_has_netlogos_sections_in_words_without_numbers(dashboard):
    assert list(app.INFO) == [
        "WHAT IS IT?",
        "HOW IT WORKS",
        "HOW TO USE IT",
        "THINGS TO NOTICE",
        "THINGS TO TRY",
    ]
    text = " ".join(p for paragraphs in app.INFO.values() for p in paragraphs)
    assert not any(c.isdigit() for c in text)  # the model is being recalibrated: no numbers
    dashboard.tab("Info")
    for title, paragraphs in app.INFO.items():
        assert title in dashboard.texts() and paragraphs[0] in dashboard.texts()
    assert dashboard.images() == []


# --------------------------------------------------------------------------- exports
def _played_model(**levers) -> app.DashboardModel:
    return app.DashboardModel(n_customers=SMALL, rng=6, weeks=20, **levers)


def test_the_weekly_table_exports_as_csv_with_every_week_and_measure():
    import io

    import pandas as pd

    model = _played_model()
    table = pd.read_csv(io.BytesIO(app.weekly_csv(model)))
    expected = model.snapshot()
    assert len(table) == model.week and list(table.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(table, expected.reset_index(drop=True), check_dtype=False)


def test_the_figures_of_the_open_tab_export_side_by_side_as_one_png():
    from io import BytesIO

    from PIL import Image

    model = _played_model()
    sheet = Image.open(BytesIO(app.figures_png(model, 0)))  # "Customers": two figures
    single = Image.open(BytesIO(app.figures_png(model, list(app.TABS).index("Churn"))))
    stages = app.FIGURES["stages"](model.snapshot())
    width, height = (stages.get_size_inches() * app.EXPORT_DPI).round()
    assert sheet.format == "PNG" and sheet.height >= height - 1
    assert sheet.width > 1.8 * width and single.width < sheet.width
    # a run not started says so rather than failing
    empty = app.DashboardModel(n_customers=SMALL, rng=6)
    assert app.figures_png(empty, 0).startswith(b"\x89PNG")


@pytest.mark.parametrize("scenario", ["baseline", "opening_discount", "customer_centric"])
def test_the_levers_export_as_a_policy_file_the_command_line_reads_back(tmp_path, scenario):
    from crmsim.cli import load_input

    model = _played_model(
        scenario_name=scenario,
        reliability=0.35,
        respect=0.15,
        discount=0.25,
        discount_target="new",
        discount_start=3,
        discount_end=0,
        gift_value=2.5,
        gift_every=5,
        referral_reward=7.0,
        win_back=0.3,
        price=23.5,
        competitor_offer_rate=0.04,
    )
    path = tmp_path / app.export.file_name(model, "toml")
    path.write_text(app.policy_toml(model), encoding="utf-8")
    loaded = load_input(str(path))
    assert loaded.policy == model.policy
    assert loaded.kwargs["market"] == model.market
    assert loaded.kwargs["population"] == model.population
    assert loaded.kwargs["n_customers"] == model.n_customers
    assert loaded.name == f"{scenario}_dashboard"


def test_crmsim_compare_runs_a_policy_file_from_the_dashboard(tmp_path, capsys):
    model = _played_model(respect=0.9, gift_value=3.0)  # the market as the scenario's
    path = tmp_path / app.export.file_name(model, "toml")
    path.write_text(app.policy_toml(model), encoding="utf-8")
    args = ["compare", "baseline", str(path), "--replications", "2", "--weeks", "13"]
    assert main([*args, "--customers", "100"]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("KPI"))
    assert header.split() == ["KPI", "baseline", "baseline_dashboard"]


def test_the_page_offers_the_three_downloads(dashboard):
    from solara.components.file_download import FileDownloadWidget

    downloads = {w.filename: w for w in dashboard.rc.find(FileDownloadWidget).widgets}
    assert set(downloads) == {"baseline_seed0.csv", "baseline_seed0.png", "baseline_dashboard.toml"}
    texts = dashboard.texts()
    for label in ("Weekly table (CSV)", "Figures of this tab (PNG)", "Levers as a policy (TOML)"):
        assert label in texts
    # pressing one makes the file from the run as it is then
    dashboard.slider(RESPECT).v_model = 0.25
    toml = downloads["baseline_dashboard.toml"]
    toml.request_download = True
    _until(lambda: toml.bytes is not None)
    assert b"respect = 0.25" in toml.bytes


# --------------------------------------------------------------------------- ▶
def _until(condition, timeout: float = 30.0) -> None:
    """Wait for ``condition()`` to hold; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name and t.is_alive()]


def test_play_redraws_a_bounded_number_of_times_however_fast_the_weeks():
    weeks, redraws = [], []
    player = app.Player(
        lambda: weeks.append(1) or True,
        redraws.append,
        interval=0.0,  # as fast as the weeks go: many per redraw
        text_period=0.05,
        figure_period=0.2,
    )
    started = time.monotonic()
    assert player.play() and player.playing
    assert not player.play()  # one play at a time
    _until(lambda: len(weeks) >= 2_000 and redraws.count(True) >= 2)
    player.pause()
    elapsed = time.monotonic() - started
    assert not player.playing and player.wait(timeout=5)
    assert len(redraws) <= elapsed / 0.05 + 2
    assert redraws.count(True) <= elapsed / 0.2 + 2  # the figures less often than the text
    assert len(redraws) < len(weeks) / 10
    simulated = len(weeks)
    time.sleep(0.1)
    assert len(weeks) == simulated  # paused: not a week more


def test_pause_does_not_wait_for_a_redraw_in_progress():
    weeks = []
    drawing, release = threading.Event(), threading.Event()

    def slow_show(figures):
        drawing.set()
        release.wait(30)  # a figure that takes long to draw

    player = app.Player(lambda: weeks.append(1) or True, slow_show, interval=0.001)
    player.play()
    assert drawing.wait(30)
    player.pause()  # returns while the painter is still drawing
    stepper = player._threads[0]
    assert not stepper.is_alive() and not player.playing
    simulated = len(weeks)
    time.sleep(0.05)
    assert len(weeks) == simulated
    release.set()
    assert player.wait(timeout=5)


def test_play_ends_by_itself_when_the_run_cannot_go_on_or_a_week_fails():
    ends = []
    weeks = []
    player = app.Player(
        lambda: weeks.append(1) or len(weeks) < 3, lambda f: None, ends.append, interval=0.0
    )
    player.play()
    assert player.wait(timeout=10)
    assert len(weeks) == 3 and ends == [None]

    def failing():
        raise ValueError("week 4 failed")

    player = app.Player(failing, lambda f: None, ends.append, interval=0.0)
    player.play()
    assert player.wait(timeout=10)
    assert ends[-1] == "ValueError: week 4 failed" and player.error == ends[-1]

    def failing_show(figures):
        raise RuntimeError("cannot draw")

    player = app.Player(lambda: True, failing_show, ends.append, interval=0.001)
    player.play()
    assert player.wait(timeout=10) and not player.playing
    assert ends[-1] == "RuntimeError: cannot draw"
    paused = app.Player(lambda: True, lambda f: None, ends.append, interval=0.0)
    paused.play()
    paused.pause()
    assert paused.wait(timeout=10) and len(ends) == 3  # paused: not an end of its own


def test_play_ends_when_nobody_watches_any_more():
    ends, weeks = [], []
    watched = threading.Event()
    watched.set()
    player = app.Player(
        lambda: weeks.append(1) or True,
        lambda f: None,
        ends.append,
        alive=watched.is_set,
        interval=0.001,
    )
    player.play()
    _until(lambda: len(weeks) >= 5)
    watched.clear()  # the browser tab went away
    assert player.wait(timeout=10) and ends == [None]
    simulated = len(weeks)
    time.sleep(0.05)
    assert len(weeks) == simulated


def test_a_stopped_player_does_not_play_again():
    player = app.Player(lambda: True, lambda f: None, interval=0.0)
    player.play()
    player.stop()
    assert not player.playing and player.wait(timeout=5)
    assert not player.play()


TABS0 = next(iter(app.TABS.values()))[0]  # the views of the tab the page opens on


def test_play_on_the_page_moves_the_run_on_and_pause_stops_it_where_shown(dashboard):
    model = dashboard.model()
    before = dashboard.images()
    dashboard.press("▶")
    assert dashboard.rc.find(v.Btn, children=["❚❚"]).widget  # the button pauses now
    assert dashboard.rc.find(v.Btn, children=["Step"]).widget.disabled
    _until(lambda: model.week >= 170 and f"Week {model.week - 1}" not in dashboard.texts())
    dashboard.press("❚❚")
    week = model.week
    time.sleep(0.3)
    assert model.week == week and dashboard.model() is model
    assert f"Week {week} ·" in dashboard.texts()  # the page shows where the run stopped
    # and its figures at that week, drawn by the player once paused
    _until(lambda: not _threads("crmsim-painter"))
    assert len(dashboard.images()) == 2
    assert dashboard.images() == [app.view_image(model, k, app.FigureCache()) for k in TABS0]
    assert all(a != b for a, b in zip(before, dashboard.images(), strict=True))
    assert not _threads("crmsim-stepper")
    dashboard.press("Step")  # Step works again, one week on
    assert model.week == week + 1 and f"Week {week + 1} ·" in dashboard.texts()


def test_a_lever_moved_while_playing_acts_on_the_run(dashboard):
    model = dashboard.model()
    dashboard.press("▶")
    _until(lambda: model.week >= 160)
    dashboard.slider(RESPECT).v_model = 0.0
    _until(lambda: model.week >= 165)
    dashboard.press("❚❚")
    assert model.policy.respect == 0.0 and model.changes[0][1:] == ("respect", 0.5, 0.0)
    assert model.changes[0][0] > 156


def test_reset_while_playing_stops_the_old_run(dashboard):
    old = dashboard.model()
    dashboard.press("▶")
    _until(lambda: old.week >= 160)
    dashboard.press("Reset")
    week = old.week
    assert dashboard.model() is not old and dashboard.model().week == 156
    time.sleep(0.1)
    assert old.week == week  # the old run no longer steps
    assert dashboard.rc.find(v.Btn, children=["▶"]).widget


def test_a_week_that_fails_while_playing_stops_play_with_a_message(dashboard, monkeypatch):
    model = dashboard.model()

    def failing():
        raise ValueError("this week cannot be simulated")

    monkeypatch.setattr(model, "step", failing)
    dashboard.press("▶")
    _until(lambda: "▶ stopped: ValueError: this week cannot be simulated" in dashboard.alerts())
    assert dashboard.rc.find(v.Btn, children=["▶"]).widget  # ready to play again


def test_the_play_threads_end_with_the_page():
    page = Dashboard(n_customers=SMALL)
    try:
        page.press("▶")
        _until(lambda: page.model().week >= 160)
        assert _threads("crmsim-stepper")
    finally:
        page.close()  # as Solara does when the tab is closed
    _until(lambda: not _threads("crmsim-stepper") and not _threads("crmsim-painter"), 10)
    week = page.model().week
    time.sleep(0.1)
    assert page.model().week == week


# --------------------------------------------------------------------------- the command
class FakeServer:
    """Stands in for the Solara server process: records the command, exits at once."""

    calls: list[list[str]] = []

    def __init__(self, command, env):
        FakeServer.calls.append(command)
        self.env = env

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def installed_assets(monkeypatch):
    """The front-end files taken as installed, whatever this environment holds."""
    monkeypatch.setattr(assets, "missing", lambda cache=None: [])


def test_crmsim_app_serves_the_page_on_loopback_and_prints_the_address(
    monkeypatch, capsys, installed_assets
):
    FakeServer.calls.clear()
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    assert main(["app", "--port", "9123"]) == 0
    (command,) = FakeServer.calls
    assert command[1:5] == ["-m", "solara", "run", "crmsim.app:page"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "9123"
    assert "http://127.0.0.1:9123/" in capsys.readouterr().out


@pytest.mark.parametrize("target", ["crmsim.app:page", "crmsim.app"])
def test_solara_finds_one_page_in_the_app_package(target):
    """What ``solara run`` loads (``crmsim app`` runs ``crmsim.app:page``) is the dashboard alone,
    not a page per module of the package. In a fresh process: Solara's loader freezes the GC."""
    code = (
        "from solara.server.app import AppScript\n"
        "from crmsim import app\n"
        f"script = AppScript({target!r})\n"
        "script.init()\n"
        "print([(r.path, r.component in (app.page, app.Page)) for r in script.routes])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[('/', True)]"


@pytest.mark.parametrize(
    "argv", [["--host", "0.0.0.0"], ["--host", "example.org"], ["--port", "70000"]]
)
def test_crmsim_app_refuses_to_serve_beyond_this_computer(argv, capsys, installed_assets):
    assert main(["app", *argv]) == 2
    assert "crmsim: error:" in capsys.readouterr().err


# --------------------------------------------------------------------------- front-end files
def test_crmsim_app_offline_without_front_end_files_says_what_to_run(monkeypatch, capsys):
    FakeServer.calls.clear()
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    monkeypatch.setattr(assets, "missing", lambda cache=None: ["requirejs@2.3.6"])
    monkeypatch.setattr(assets, "cdn_reachable", lambda timeout=3.0: False)
    assert main(["app"]) == 1
    assert FakeServer.calls == []  # no blank page served
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith(f"install them with: {sys.executable} -m crmsim.app.assets")


def test_crmsim_app_online_without_front_end_files_serves_and_says_how_to_go_offline(
    monkeypatch, capsys
):
    FakeServer.calls.clear()
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    monkeypatch.setattr(assets, "missing", lambda cache=None: ["requirejs@2.3.6"])
    monkeypatch.setattr(assets, "cdn_reachable", lambda timeout=3.0: True)
    assert main(["app"]) == 0
    assert len(FakeServer.calls) == 1
    assert "-m crmsim.app.assets" in capsys.readouterr().err


def test_crmsim_app_refuses_in_a_fresh_process_with_an_empty_cache_and_no_cdn(tmp_path):
    env = os.environ | {
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(tmp_path),
        "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",  # a closed port: the CDN out of reach
    }
    result = subprocess.run(
        [sys.executable, "-m", "crmsim", "app", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "-m crmsim.app.assets" in result.stderr.splitlines()[-1]
    assert "crmsim dashboard: http" not in result.stdout  # the server never started


def test_the_files_wanted_are_the_installed_solaras_and_found_by_package_json(tmp_path):
    wanted = assets.packages()
    assert any(p.startswith("requirejs@") for p in wanted)
    assert any("solara-vuetify" in p for p in wanted)
    assert assets.missing(tmp_path) == wanted
    (tmp_path / wanted[0]).mkdir(parents=True)
    assert assets.missing(tmp_path) == wanted  # a folder without its package.json: not there
    (tmp_path / wanted[0] / "package.json").write_text("{}")
    assert assets.missing(tmp_path) == wanted[1:]


FAKE_NPM = """#!{python}
import sys, tarfile, io, pathlib
name, destination = sys.argv[2], sys.argv[4]
if name.startswith("nope@"):
    sys.exit("404 Not Found - " + name)
archive = pathlib.Path(destination) / (name.replace("/", "-").lstrip("@") + ".tgz")
with tarfile.open(archive, "w:gz") as tar:
    for path, text in [("package/package.json", "{{}}"), ("package/dist/main.js", name)]:
        data = text.encode()
        info = tarfile.TarInfo(path)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
print(archive.name)
"""


@pytest.fixture
def fake_npm(tmp_path):
    """An ``npm`` that packs a tiny package offline, and fails for names starting ``nope@``."""
    npm = tmp_path / "npm"
    npm.write_text(FAKE_NPM.format(python=sys.executable))
    npm.chmod(0o755)
    return str(npm)


def test_install_unpacks_each_package_where_the_server_looks(tmp_path, fake_npm, capsys):
    cache = tmp_path / "cdn"
    wanted = ["@widgetti/solara-vuetify3-app@5.2.0", "requirejs@2.3.6"]
    assert assets.install(wanted, cache, npm=fake_npm) == 0
    script = cache / "@widgetti/solara-vuetify3-app@5.2.0/dist/main.js"
    assert script.read_text() == "@widgetti/solara-vuetify3-app@5.2.0"
    assert (cache / "requirejs@2.3.6/package.json").exists()
    assert "requirejs@2.3.6 ->" in capsys.readouterr().out


def test_install_reports_a_package_npm_cannot_fetch_and_a_missing_npm(
    tmp_path, fake_npm, capsys, monkeypatch
):
    assert assets.install(["nope@1.0.0"], tmp_path, npm=fake_npm) == 1
    assert "npm pack nope@1.0.0 failed" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert assets.install(["requirejs@2.3.6"], tmp_path) == 1
    assert "install Node.js" in capsys.readouterr().err


def test_the_cdn_probe_tells_a_closed_port_from_a_server_with_the_file(tmp_path, monkeypatch):
    import functools
    import http.server
    import threading

    monkeypatch.setattr(assets, "cdn_url", lambda: "http://127.0.0.1:9/")  # a closed port
    assert not assets.cdn_reachable(timeout=2)

    (tmp_path / assets.PROBE).parent.mkdir(parents=True)
    (tmp_path / assets.PROBE).write_text("// require.js")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as cdn:
        threading.Thread(target=cdn.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{cdn.server_address[1]}/"
            monkeypatch.setattr(assets, "cdn_url", lambda: url)
            assert assets.cdn_reachable(timeout=5)
        finally:
            cdn.shutdown()


# --------------------------------------------------------------------------- compare
def _labels(figure, key: str) -> list[str]:
    axis_number, _ = app.TRACES[key]
    return figure.axes[axis_number].get_legend_handles_labels()[1]


def test_after_reset_the_previous_run_is_drawn_behind_the_new_one(dashboard):
    old = dashboard.model()
    dashboard.slider(RESPECT).v_model = 0.0
    dashboard.press("Reset")
    new = dashboard.model()
    assert new is not old
    previous = app.comparison(new).previous
    assert previous is not None and previous.equals(old.snapshot())
    for key in app.TRACES:
        assert "previous run" in _labels(app.draw_figure(new, key), key), key
    assert app.comparison(old).previous is None  # the first run has nothing before it


def test_replications_add_a_band_and_the_figures_are_drawn_again():
    model = app.DashboardModel(n_customers=SMALL, rng=4, weeks=20)
    cache = app.FigureCache()
    before = app.view_image(model, "profit", cache)
    progress = []
    app.replicate(model, 3, on_progress=lambda: progress.append(1)).join(timeout=120)
    assert len(progress) == 3 and len(app.comparison(model).runs) == 3
    runs = app.comparison(model).runs
    assert all(len(run) == 20 for run in runs)
    # Other seeds, the same settings: the runs differ from each other.
    assert not runs[0]["profit"].equals(runs[1]["profit"])
    assert "3 other seeds" in _labels(app.draw_figure(model, "profit"), "profit")
    assert app.view_image(model, "profit", cache) != before


def test_a_new_request_or_a_new_run_stops_replications_under_way():
    model = app.DashboardModel(n_customers=SMALL, rng=4, weeks=20)
    first = app.replicate(model, 50)
    second = app.replicate(model, 1)
    first.join(timeout=60)
    second.join(timeout=60)
    assert not first.is_alive()
    assert len(app.comparison(model).runs) == 1


def test_the_band_button_runs_replications_without_blocking_the_page(dashboard):
    model = dashboard.model()  # before: the replications are models too
    dashboard.press(f"Band: {app.REPLICATIONS} other seeds")
    _until(lambda: len(app.comparison(model).runs) == app.REPLICATIONS, timeout=300)
    _until(lambda: "other seeds' lowest to highest" in dashboard.texts(), timeout=30)
