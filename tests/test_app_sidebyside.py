"""Two policies side by side on the same seed: B (``crmsim.app.pair``) beside the run in use, A.

First the model (B's seed, size, market and policy; B following A), then the page rendered
headless as in ``test_app.py`` ("Compare with", Step, ▶, Run 156 weeks, Reset, the address,
presentation mode), then the page in headless Chromium as in ``test_app_browser.py``, with its
fixtures (same offline set-up, same skip and fail policy).
"""

from __future__ import annotations

import io
import os
import threading
import time

import numpy as np
import pytest
from test_app import SMALL, Dashboard, _until
from test_app_browser import (  # noqa: F401 - the fixtures, used by their names
    FIGURE,
    _wait_for_new_figure,
    browser_page,
    fresh_tab,
    server,
)

from crmsim import CRMModel, app, scenarios
from crmsim.app.dashboard import _step_week

MENU = "Compare with (B, same seed)"
TABS0 = next(iter(app.TABS.values()))[0]  # the views of the tab the page opens on


def _labels(figure, key: str) -> list[str]:
    axis_number, _ = app.TRACES[key]
    return figure.axes[axis_number].get_legend_handles_labels()[1]


# --------------------------------------------------------------------------- the model
def test_b_has_the_seed_size_network_and_market_of_a_and_the_chosen_policy():
    a = app.DashboardModel(
        n_customers=SMALL, rng=5, price=22.0, network="scale-free", respect=0.1, weeks=0
    )
    b = app.pair(a, "customer_centric")
    assert app.comparison(a).other is b and app.comparison(a).choice == "customer_centric"
    assert (b.seed, b.n_customers, b.network_kind, b.week) == (5, SMALL, "scale-free", 0)
    assert b.market == a.market and b.population == a.population
    assert b.policy == scenarios.load("customer_centric").policy != a.policy
    # The same people and the same contacts: only the policy differs.
    assert np.array_equal(b.state.segment, a.state.segment)
    assert sorted(b.network.to_networkx().edges) == sorted(a.network.to_networkx().edges)
    assert app.run_weeks(a, 30) is None and b.week == 30
    # B is the run CRMModel makes of that policy on that seed and market, week for week.
    reference = CRMModel(
        n_customers=SMALL,
        policy=b.policy,
        market=a.market,
        population=a.population,
        network="scale-free",
        rng=5,
    )
    reference.run(30, progress=False)
    assert b.frame.equals(reference.datacollector.get_model_vars_dataframe())
    assert not b.frame["profit"].equals(a.frame["profit"])


def test_with_the_same_policy_b_is_the_very_same_run_as_a():
    a = app.DashboardModel(n_customers=SMALL, rng=8, weeks=40)
    b = app.pair(a, "baseline")  # A's own scenario, its levers unchanged
    assert b.frame.equals(a.frame)
    for _ in range(5):
        _step_week(a)
    assert b.week == a.week == 45 and b.frame.equals(a.frame)


def test_a_market_lever_moved_in_a_reaches_b_in_the_same_week_and_a_policy_lever_does_not():
    a = app.DashboardModel(n_customers=SMALL, rng=9, weeks=10)
    b = app.pair(a, "baseline")
    a.set_levers(price=27.0)  # from week 10
    for _ in range(4):
        _step_week(a)
    a.set_levers(competitor_attractiveness=0.3)  # from week 14
    app.run_weeks(a, 6)
    assert b.week == a.week == 20
    assert b.market == a.market and b.market.price == 27.0
    assert b.frame.equals(a.frame)  # the market changed in the same weeks in both
    a.set_levers(respect=0.05)  # the policy: A's alone
    _step_week(a)
    assert b.policy.respect == 0.5 and a.policy.respect == 0.05
    # B picked later, after the changes: its market starts as A's did, then follows it.
    late = app.pair(a, "baseline")
    assert late.week == 21 and late.market == a.market
    assert late.frame.iloc[:20].equals(a.frame.iloc[:20])


def test_b_follows_a_from_two_threads_without_a_week_twice():
    a = app.DashboardModel(n_customers=SMALL, rng=1, weeks=0)
    b = app.pair(a, "customer_centric")
    a.run(60, progress=False)
    threads = [threading.Thread(target=app.follow, args=(a,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert b.week == 60 and len(b.frame) == 60


def test_nothing_removes_b_and_an_unknown_policy_is_refused():
    a = app.DashboardModel(n_customers=SMALL, rng=1, weeks=5)
    app.pair(a, "customer_centric")
    assert app.pair(a, app.NOTHING) is None and app.comparison(a).other is None
    app.follow(a)  # nothing to follow: no error
    with pytest.raises(ValueError, match="nonesuch"):
        app.pair(a, "nonesuch")


@pytest.mark.parametrize("key", list(app.TRACES))
def test_each_compared_figure_draws_a_and_b_named_in_its_legend(key):
    a = app.DashboardModel(n_customers=SMALL, rng=2, weeks=26)
    before = _labels(app.draw_figure(a, key), key)
    assert not any(label.startswith(("A: ", "B: ")) for label in before)
    app.pair(a, "customer_centric")
    labels = _labels(app.draw_figure(a, key), key)
    assert f"A: {app.OWN_LINES[key]}" in labels and "B: customer_centric" in labels
    # B's line is the series of B's own run, whole, and inside the panel's limits.
    axis_number, series = app.TRACES[key]
    figure = app.draw_figure(a, key)
    (line,) = [x for x in figure.axes[axis_number].get_lines() if x.get_label().startswith("B")]
    expected = series(app.comparison(a).other.snapshot())
    assert np.allclose(line.get_ydata(), expected, equal_nan=True)
    low, high = figure.axes[axis_number].get_ylim()
    assert low <= np.nanmin(expected) and np.nanmax(expected) <= high


def test_the_monitors_and_the_header_give_b_and_the_difference():
    a = app.DashboardModel(n_customers=SMALL, rng=2, weeks=26)
    assert app.compared_monitors(a) == {} and app.side_by_side_lines(a) == []
    b = app.pair(a, "customer_centric")
    shown = app.compared_monitors(a)
    assert list(shown) == list(app.MONITORS)
    profit_a, profit_b = a.frame["profit"].sum(), b.frame["profit"].sum()
    assert shown["Profit so far"] == (
        f"B {profit_b:,.0f} · A − B {profit_a - profit_b:+,.0f}".replace("-", "−")
    )
    assert shown["Churn this quarter"].endswith(" points")
    header = " ".join(app.settings_lines(a))
    assert "B runs customer_centric's policy on the same seed 2, 300 people and market" in header
    assert "B differs from A in: Respect (0–1) 0.8 (A 0.5)" in header


def test_the_address_keeps_the_comparison():
    a = app.DashboardModel(n_customers=SMALL, rng=3)
    query = app.settings_query(a, present=True, compare="opening_discount")
    assert query.endswith("&compare=opening_discount&present=1")
    assert app.comparing(query) == "opening_discount"
    assert app.settings_from_query(query)[0] == app.settings_from_query(app.settings_query(a))[0]
    assert app.comparing("compare=nonesuch") is None and app.comparing(None) is None


# --------------------------------------------------------------------------- the page
def _runs(shown: Dashboard) -> tuple[app.DashboardModel, app.DashboardModel | None]:
    """A (the run on the page) and B (beside it, or ``None``): B is built after A."""
    for model in reversed(shown.models):
        if app.comparison(model).other is not None:
            return model, app.comparison(model).other
    return shown.model(), None


@pytest.fixture
def compared():
    """The page with customer_centric's policy picked as B."""
    shown = Dashboard(path=f"/?seed=4&n_customers={SMALL}")
    shown.choose(MENU, "customer_centric")
    yield shown
    shown.close()


def test_picking_a_policy_runs_it_beside_the_run_and_the_figures_show_both():
    shown = Dashboard(path=f"/?seed=4&n_customers={SMALL}")
    try:
        a = shown.model()
        before = shown.images()
        started = time.perf_counter()
        shown.choose(MENU, "customer_centric")
        print(f"\nB picked, run up to week 156 and drawn: {time.perf_counter() - started:.2f} s")
        again, b = _runs(shown)
        assert again is a and b is not None  # the run in use goes on; B is new beside it
        assert (b.seed, b.n_customers, b.week) == (4, SMALL, 156)
        stages, tiers = shown.images()
        assert stages == before[0] and tiers != before[1]  # tiers compares, stages does not
        assert shown.images() == [app.view_image(a, k, app.FigureCache()) for k in TABS0]
        texts = shown.texts()
        assert "Side by side: A is this run; B runs customer_centric's policy" in texts
        for value in app.compared_monitors(a).values():
            assert value in texts
        assert "compare=customer_centric" in shown.address()
        shown.choose(MENU, app.NOTHING)  # and off again
        assert app.comparison(a).other is None and "compare=" not in shown.address()
        assert "Side by side" not in shown.texts() and shown.images() == before
    finally:
        shown.close()


def test_step_and_run_move_b_on_with_a(compared):
    a, b = _runs(compared)
    compared.press("Step")
    compared.press("Step")
    assert a.week == b.week == 158 and "Week 158" in compared.texts()
    assert app.compared_monitors(a)["Profit so far"] in compared.texts()
    compared.press("Run 156 weeks")
    assert a.week == b.week == 314
    assert _runs(compared) == (a, b)


def test_play_moves_b_on_with_a_and_pause_stops_both(compared):
    a, b = _runs(compared)
    compared.press("▶")
    _until(lambda: a.week >= 175)
    compared.press("❚❚")
    _until(lambda: b.week == a.week, timeout=10)
    week = a.week
    time.sleep(0.3)
    assert a.week == b.week == week
    _until(lambda: f"Week {week} ·" in compared.texts() and "A − B" in compared.texts())


def test_picking_b_while_playing_catches_up_and_keeps_in_step():
    shown = Dashboard(path=f"/?seed=6&n_customers={SMALL}")
    try:
        a = shown.model()
        shown.press("▶")
        _until(lambda: a.week >= 165)
        shown.choose(MENU, "opening_discount")
        _until(lambda: a.week >= 180)
        shown.press("❚❚")
        b = app.comparison(a).other
        _until(lambda: b.week == a.week, timeout=10)
        assert b.frame.equals(app.pair(a, "opening_discount").frame)  # no week lost or twice
    finally:
        shown.close()


def test_reset_starts_b_afresh_beside_the_new_run_with_its_seed_and_size(compared):
    old_a, old_b = _runs(compared)
    compared.slider(app.LEVERS["n_customers"].label).v_model = 250
    compared.slider(app.LEVERS["respect"].label).v_model = 0.2
    compared.press("Reset")
    a, b = _runs(compared)
    assert a is not old_a and b is not old_b
    assert (a.n_customers, b.n_customers, a.seed, b.seed) == (250, 250, 4, 4)
    assert a.week == b.week == 156 and b.policy.respect == 0.8 and a.policy.respect == 0.2
    assert old_b.week == 156  # the old B stays where it was
    assert "compare=customer_centric" in compared.address()
    # A new scenario is a new run too: B comes along.
    compared.choose("Scenario", "opening_discount")
    a2, b2 = _runs(compared)
    assert a2 is not a and b2 is not b and a2.scenario_name == "opening_discount"
    assert b2.policy == scenarios.load("customer_centric").policy and b2.week == a2.week


def test_the_page_opens_with_b_from_its_address_and_in_presentation_mode():
    shown = Dashboard(path=f"/?seed=2&n_customers={SMALL}&compare=opening_discount&present=1")
    try:
        a, b = _runs(shown)
        assert b is not None and b.seed == 2 and b.week == a.week == 156
        assert "A − B" in shown.texts() and len(shown.images()) == 1
        assert shown.address().endswith("compare=opening_discount&present=1")
        shown.press("Step")
        assert a.week == b.week == 157
        shown.choose(MENU, "customer_centric")  # the menu is there in presentation mode too
        assert app.comparison(a).choice == "customer_centric"
    finally:
        shown.close()


def test_page_in_a_notebook_takes_the_comparison_as_an_argument():
    shown = Dashboard(n_customers=SMALL, compare_with="customer_centric")
    try:
        a, b = _runs(shown)
        assert b is not None and b.week == a.week == 156
        assert "B: customer_centric" in _labels(app.draw_figure(a, "tiers"), "tiers")
    finally:
        shown.close()


# --------------------------------------------------------------------------- in Chromium
def _sky_blue_pixels(png: bytes) -> int:
    """Pixels of B's colour in a screenshot: how much of B's line is drawn."""
    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")[..., :3]
    colour = np.array([0x56, 0xB4, 0xE9]) / 255
    return int((np.abs(pixels - colour).max(axis=-1) < 0.08).sum())


def test_in_the_browser_b_is_picked_steps_with_the_run_and_is_drawn(browser_page, server):  # noqa: F811
    from playwright.sync_api import expect

    with fresh_tab(browser_page[0], server, "?seed=3") as (tab, problems):
        tab.get_by_text("Week 156").wait_for()
        tiers = tab.locator(FIGURE).nth(1)  # the Customers tab: stages, then tiers
        assert _sky_blue_pixels(tiers.screenshot()) < 50

        source = tiers.get_attribute("src")
        tab.locator(".v-select").filter(has_text=MENU).first.click()
        tab.get_by_role("option", name="customer_centric").click()
        tab.get_by_text("Side by side: A is this run; B runs customer_centric's policy").wait_for()
        tab.get_by_text("B differs from A in:").wait_for()
        # The tiers figure compares, the stages figure beside it does not.
        tab.wait_for_function(
            "old => { const img = document.querySelectorAll('.crmsim-figure img')[1];"
            " return img !== undefined && img.src !== old; }",
            arg=source,
        )
        tab.wait_for_function("() => window.location.search.includes('compare=customer_centric')")
        monitors = tab.locator(".crmsim-monitor-b")
        expect(monitors).to_have_count(len(app.MONITORS))
        expect(monitors.first).to_contain_text("A − B")

        for week in (157, 158, 159):
            source = tab.locator(FIGURE).first.get_attribute("src")
            tab.get_by_role("button", name="Step").click()
            tab.get_by_text(f"Week {week} ·").wait_for()
            _wait_for_new_figure(tab, source)
        tiers = tab.locator(FIGURE).nth(1)
        tiers.evaluate("img => img.decode()")
        assert _sky_blue_pixels(tiers.screenshot()) > 300  # B's line, drawn
        # The monitors compare the two runs at week 159, as the model does.
        a = app.DashboardModel(rng=3, weeks=156)
        app.pair(a, "customer_centric")
        for _ in range(3):
            _step_week(a)
        expected = app.compared_monitors(a)["Profit so far"]
        expect(monitors.nth(app.MONITORS.index("Profit so far"))).to_have_text(expected)
        assert not problems, str(problems)

        screenshot = os.environ.get("CRMSIM_SCREENSHOT")
        if screenshot:  # the README's: the two runs side by side on "Trust and profit"
            source = tab.locator(FIGURE).first.get_attribute("src")
            tab.get_by_role("tab", name="Trust and profit").click()
            _wait_for_new_figure(tab, source)
            for image in tab.locator(FIGURE).all():
                image.evaluate("img => img.decode()")
            tab.evaluate("document.activeElement && document.activeElement.blur()")
            tab.mouse.move(0, 0)
            time.sleep(1)  # let the menus' animations end
            tab.screenshot(path=screenshot)


def test_presentation_mode_with_b_fits_a_projector(browser_page, server):  # noqa: F811
    """At 1280×720, presentation mode with B shows the menus, the monitors with B's values, the
    buttons and the one figure above the fold."""
    from test_app_browser import PROJECTOR, _inside

    with fresh_tab(
        browser_page[0], server, "?seed=3&present=1&compare=customer_centric", viewport=PROJECTOR
    ) as (tab, problems):
        tab.locator(".crmsim-monitor-b").first.wait_for()
        figure = tab.locator(FIGURE).first
        figure.evaluate("img => img.decode()")
        assert _inside(figure.bounding_box(), PROJECTOR), figure.bounding_box()
        for button in ("Reset", "▶", "Step", "Leave presentation"):
            assert _inside(tab.get_by_role("button", name=button).bounding_box(), PROJECTOR)
        menu = tab.locator(".v-select").filter(has_text=MENU).first
        assert _inside(menu.bounding_box(), PROJECTOR)
        for monitor in tab.locator(".crmsim-monitor-b").all():
            assert _inside(monitor.bounding_box(), PROJECTOR)
        assert not problems, str(problems)
