"""The dashboard in a real browser: `crmsim app` served, driven by Playwright in headless Chromium.

The test starts ``crmsim app --port <free port>`` as a subprocess, opens the page in Debian's
Chromium (``/usr/bin/chromium``, never a browser Playwright downloads), moves a slider,
presses Reset and Step, and checks that the figures change. All traffic stays on 127.0.0.1:
Solara's front-end files come from the environment (``make venv`` installs them, see
:mod:`crmsim.app.assets`), and the server is pointed at a closed local port instead of the
public CDN, as on a classroom network without internet.

With Chromium present the test runs (it is part of ``make test``) and fails, never skips, when
the page cannot be shown: ``crmsim app`` refusing to start without the front-end files, or a
blank page. Without Playwright or Chromium it is skipped with the reason; in CI
(``CI=true``), where ``.ci/run`` installs Chromium, it fails instead, so a broken set-up cannot
pass unseen.

The README's screenshot is taken by ``tests/test_app_sidebyside.py``, with these fixtures: set
``CRMSIM_SCREENSHOT=docs/figures/dashboard.png`` when running it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Flags for Chromium as root in a container with a closed network (see .ci/run).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Starting the server imports Mesa, Solara and matplotlib: slow on a busy machine.
START_TIMEOUT = 180
#: A change (rebuild, 156 weeks, two figures) takes about a second; allow for slow machines.
CHANGE_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1600, "height": 1000}
FIGURE = ".crmsim-figure img"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run should have installed it)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


#: The process group of each server started, by address.
_SERVERS: dict[str, int] = {}


def _cpu_seconds(url: str) -> float:
    """CPU time used so far by the server at ``url`` and its children (its process group)."""
    out = subprocess.run(
        ["ps", "-o", "times=", "-g", str(_SERVERS[url])], capture_output=True, text=True
    ).stdout
    return float(sum(int(t) for t in out.split()))


def browser_available() -> None:
    """Skip (or, in CI, fail) the test when Playwright or Chromium is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")


@contextmanager
def serving(*options: str) -> Iterator[str]:
    """The address of ``crmsim app --port <free port> [options]``, started here and stopped
    on leaving the ``with`` block; the test fails if it does not start or its page would be
    blank."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        # Anything not in Solara's local cache would be fetched from a public CDN: send such
        # requests to a closed local port instead, so the test never leaves this machine.
        "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "crmsim", "app", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: stopped with all its children
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"crmsim app exited early:\n{process.stdout.read()}")
            try:
                if _get(url + "/") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"crmsim app did not answer on {url} within {START_TIMEOUT} s")
            time.sleep(0.5)
        # A fail, not a skip: with Chromium here, a page without its files is a broken set-up.
        if _get(f"{url}/_solara/cdn/requirejs@2.3.6/require.js", timeout=30) != 200:
            pytest.fail(
                "Solara's front-end files are not installed and the CDN is out of reach: "
                f"the page would be blank (install them with {sys.executable} -m "
                "crmsim.app.assets)"
            )
        _SERVERS[url] = process.pid
        yield url
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The address of a freshly started ``crmsim app``; the server is stopped afterwards."""
    browser_available()
    with serving() as url:
        yield url


class Problems:
    """What went wrong in the page: script errors and front-end files it could not load."""

    def __init__(self, tab) -> None:
        self.errors: list[str] = []
        self.failed: list[str] = []
        tab.on("pageerror", lambda error: self.errors.append(str(error)))
        tab.on("response", self._response)

    def _response(self, response) -> None:
        if "/_solara/cdn/" in response.url and response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def __bool__(self) -> bool:
        return bool(self.errors or self.failed)

    def __str__(self) -> str:
        return "\n".join([*self.failed, *self.errors])


def _wait_for_the_first_figures(tab, problems: Problems) -> None:
    """Wait for the first run's figures; fail at once on a blank page, with its errors."""
    deadline = time.monotonic() + START_TIMEOUT
    while tab.locator(FIGURE).count() == 0:
        # A page whose front-end files did not load stays blank for good: no need to wait.
        if problems.failed or time.monotonic() > deadline:
            body = tab.evaluate("document.body ? document.body.innerText.trim() : ''")
            pytest.fail(
                "the dashboard's page is blank (no figures"
                + (f", text {body[:200]!r}" if body else ", no text")
                + f"):\n{problems}"
            )
        tab.wait_for_timeout(250)


@contextmanager
def fresh_tab(
    page, server: str, query: str = "", viewport: dict | None = None
) -> Iterator[tuple[object, Problems]]:
    """A new tab in a browser context of its own (nothing shared with ``page``'s), open at
    ``server/query`` with its first figures shown, and what goes wrong in it; closed on
    leaving the ``with`` block."""
    context = page.context.browser.new_context(viewport=viewport or VIEWPORT)
    tab = context.new_page()
    problems = Problems(tab)
    try:
        tab.set_default_timeout(CHANGE_TIMEOUT_MS)
        tab.goto(f"{server}/{query}")
        _wait_for_the_first_figures(tab, problems)
        yield tab, problems
    finally:
        context.close()


@contextmanager
def dashboard_in_chromium(server: str) -> Iterator[tuple[object, Problems]]:
    """The dashboard at ``server`` open in a headless Chromium of its own, its first figures
    shown, and what goes wrong in it; the browser closed on leaving the ``with`` block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport=VIEWPORT)
            tab.set_default_timeout(CHANGE_TIMEOUT_MS)
            problems = Problems(tab)
            tab.goto(server + "/")
            _wait_for_the_first_figures(tab, problems)
            yield tab, problems
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser_page(server: str) -> Iterator[tuple[object, Problems]]:
    """The dashboard open in headless Chromium with the first run's figures shown, and what
    went wrong in it so far."""
    with dashboard_in_chromium(server) as (tab, problems):
        tab.get_by_text("Week 156").wait_for()
        yield tab, problems


@pytest.fixture(scope="module")
def page(browser_page) -> object:
    """The dashboard open in headless Chromium, with the first run's figures shown."""
    return browser_page[0]


def _slider(page, label: str):
    """The thumb of the slider whose label reads exactly ``label``."""
    text = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.locator(".v-slider").filter(has=page.locator("label", has_text=text))
    return box.locator("[role=slider]")


def _figure_source(page) -> str:
    return page.locator(FIGURE).first.get_attribute("src")


def _wait_for_new_figure(page, old_source: str) -> None:
    page.wait_for_function(
        "old => { const img = document.querySelector('.crmsim-figure img');"
        " return img !== null && img.src !== old; }",
        arg=old_source,
    )


def test_the_page_loads_offline_without_errors(browser_page):
    page, problems = browser_page
    assert not problems, str(problems)
    # Served by this computer alone: every front-end file from the environment, none missing.
    assert page.evaluate("typeof solara") != "undefined"


def test_the_page_opens_with_the_baseline_run_and_every_control(page):
    assert page.get_by_text("Baseline: an ordinary firm").is_visible()
    assert page.locator(FIGURE).count() == 2  # the "Customers" tab: stages and tiers
    for label in (
        "Respect (0–1)",
        "Discount (share off the price)",
        "Price (money per purchase)",
        "People in the market",
        "Complaint recovery (share resolved well)",
    ):
        assert _slider(page, label).count() == 1, label
    assert page.get_by_text("Seed 0 · 2,000 people").is_visible()
    # Each lever explains itself when pointed at.
    _slider(page, "Respect (0–1)").hover()
    page.get_by_text("Special respect and personal treatment").wait_for()
    page.mouse.move(0, 0)
    for button in ("Reset", "Step", "Run 156 weeks"):
        assert page.get_by_role("button", name=button).count() >= 1, button


def test_a_slider_and_reset_change_the_run_and_step_moves_it_on(page):
    figure = page.locator(FIGURE).first
    before = figure.screenshot()
    source = _figure_source(page)

    # Respect 0.5 -> 0: customers feel disrespected, marketers leave. The seed stays the
    # same, so any change in the figures comes from the slider.
    thumb = _slider(page, "Respect (0–1)")
    thumb.focus()
    thumb.press("Home")
    assert thumb.get_attribute("aria-valuenow") == "0"
    # Live: the running model takes the lever from the next week, and the header says so.
    page.get_by_text("from week 156 Respect (0–1) 0.5 → 0").wait_for()
    started = time.perf_counter()
    page.get_by_role("button", name="Reset").click()
    _wait_for_new_figure(page, source)
    seconds = time.perf_counter() - started
    page.get_by_text("Week 156").wait_for()
    after_reset = figure.screenshot()
    assert after_reset != before
    print(f"\nReset with a new value to new figures in the browser: {seconds:.2f} s")

    source = _figure_source(page)
    page.get_by_role("button", name="Step").click()
    page.get_by_text("Week 157").wait_for()
    _wait_for_new_figure(page, source)
    assert figure.screenshot() != after_reset


def test_a_refused_value_shows_a_message_and_the_page_keeps_working(page):
    from playwright.sync_api import expect

    start = _slider(page, "Discount from week")
    start.focus()
    start.press("End")  # week 155
    end = _slider(page, "Discount until week (0: never ends)")
    end.focus()
    end.press("Home")
    end.press("ArrowRight")  # week 1: before the start
    # Live, the running model refuses it and the sidebar says so in the sliders' words.
    alerts = page.locator(".v-alert").filter(has_text="must be after “Discount from week”")
    alerts.filter(has_text="Not applied").wait_for()
    page.get_by_role("button", name="Reset").click()
    alerts.filter(has_text="The controls were not applied").wait_for()
    page.get_by_text("Week 156").wait_for()  # the scenario's own run, shown all the same
    assert page.locator(FIGURE).count() == 2

    # Fix the control: the messages go away.
    end.focus()
    end.press("End")
    page.get_by_role("button", name="Reset").click()
    expect(alerts).to_have_count(0)


def test_picking_a_scenario_loads_its_settings_into_the_sliders(page):
    from playwright.sync_api import expect

    page.locator(".v-select").filter(has_text="Scenario").first.click()
    page.get_by_role("option", name="customer_centric").click()
    page.get_by_text("Customer-centric").first.wait_for()
    expect(_slider(page, "Respect (0–1)")).to_have_attribute("aria-valuenow", "0.8")
    expect(_slider(page, "Referral reward (money)")).to_have_attribute("aria-valuenow", "5")


def _week_shown(page) -> int:
    """The week the overview line shows."""
    text = page.evaluate("document.body.innerText")
    match = re.search(r"Week (\d+) ·", text)
    assert match, text[:300]
    return int(match.group(1))


def test_fast_play_keeps_the_page_and_the_server_responsive_and_pause_is_obeyed(page, server):
    """The sequence that froze the server: play, play interval down to 1 ms, pause."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Week 156").wait_for()
    page.get_by_role("button", name="▶").click()
    page.get_by_role("button", name="❚❚").wait_for()
    started, first = time.perf_counter(), _week_shown(page)
    time.sleep(3)
    rate = (_week_shown(page) - first) / (time.perf_counter() - started)
    print(f"\nWeeks shown per second while playing at the default interval: {rate:.0f}")
    assert rate > 5  # generous: a busy machine; benchmarks/dashboard.py measures the pace

    # Developer controls: the play interval down to 1 ms, while playing.
    page.get_by_text("Developer controls").click()
    interval = _slider(page, "Play interval (ms)")
    interval.focus()
    interval.press("Home")
    expect(interval).to_have_attribute("aria-valuenow", "1")
    time.sleep(3)
    assert _week_shown(page) > first + 3 * 5

    # Pause is obeyed within half a second: the counter stops where the run stopped.
    page.get_by_role("button", name="❚❚").click()
    time.sleep(0.5)
    stopped = _week_shown(page)
    time.sleep(1.5)
    assert _week_shown(page) == stopped
    page.get_by_role("button", name="▶").wait_for()

    # The server answers at once, and the page still works.
    answered = time.perf_counter()
    assert _get(server + "/", timeout=5) == 200
    assert time.perf_counter() - answered < 2
    source = _figure_source(page)
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"Week {stopped + 1} ·").wait_for()
    _wait_for_new_figure(page, source)


def test_the_settings_are_kept_in_the_address_and_a_reload_restores_them(page, server):
    from playwright.sync_api import expect

    problems = Problems(page)
    page.goto(server + "/?scenario=customer_centric&seed=9&respect=0.3")
    _wait_for_the_first_figures(page, problems)
    page.get_by_text("Customer-centric").first.wait_for()
    page.get_by_text("Seed 9 ·").wait_for()
    respect = _slider(page, "Respect (0–1)")
    expect(respect).to_have_attribute("aria-valuenow", "0.3")

    respect.focus()
    respect.press("Home")  # live: the address follows
    page.wait_for_function("() => window.location.search.includes('respect=0.0')")
    page.reload()
    _wait_for_the_first_figures(page, problems)
    page.get_by_text("Seed 9 ·").wait_for()
    expect(_slider(page, "Respect (0–1)")).to_have_attribute("aria-valuenow", "0")
    assert page.get_by_text("Customer-centric").first.is_visible()
    assert not problems, str(problems)


def test_the_exports_download_the_table_the_figures_and_a_policy_compare_reads(page, tmp_path):
    from crmsim.cli import load_input

    files = {}
    for label in ("Weekly table (CSV)", "Figures of this tab (PNG)", "Levers as a policy (TOML)"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        files[path.suffix] = path
    assert files[".csv"].read_text(encoding="utf-8").startswith("week,")
    assert files[".png"].read_bytes().startswith(b"\x89PNG")
    policy = load_input(str(files[".toml"])).policy
    respect = _slider(page, "Respect (0–1)").get_attribute("aria-valuenow")
    assert policy.respect == float(respect)


def test_a_tab_closed_while_playing_leaves_nothing_running_on_the_server(page, server):
    with fresh_tab(page, server, "?n_customers=300") as (tab, problems):
        tab.get_by_text("Developer controls").click()
        interval = _slider(tab, "Play interval (ms)")
        interval.focus()
        interval.press("Home")
        tab.get_by_role("button", name="▶").click()
        tab.get_by_role("button", name="❚❚").wait_for()
        busy = _cpu_seconds(server)
        time.sleep(3)
        busy = _cpu_seconds(server) - busy
    time.sleep(2)  # the page's close reaches the server
    idle = _cpu_seconds(server)
    time.sleep(4)
    idle = _cpu_seconds(server) - idle
    print(f"\nServer CPU while a tab plays: {busy / 3:.0%}; after it closed: {idle / 4:.0%}")
    assert busy >= 1  # it was playing
    assert idle <= 1  # and stopped with its page (ps counts whole seconds)


PROJECTOR = {"width": 1280, "height": 720}


def _inside(box: dict, viewport: dict) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"] + 0.5
        and box["y"] + box["height"] <= viewport["height"] + 0.5
    )


@pytest.mark.parametrize("view", ["Stages", "Churn", "Trust"])
def test_presentation_mode_fits_a_projector_with_large_type(page, server, view):
    """At 1280×720, presentation mode shows one figure, the buttons and the menu above the
    fold, with tick labels drawn large enough to read from the back of a lecture hall."""
    from crmsim import plots
    from crmsim.app.views import PRESENT_DPI

    with fresh_tab(page, server, "?seed=3&present=1", viewport=PROJECTOR) as (tab, problems):
        if view != "Stages":
            tab.locator(".v-select").filter(has_text="Figure").first.click()
            source = tab.locator(FIGURE).first.get_attribute("src")
            tab.get_by_role("option", name=view, exact=True).click()
            _wait_for_new_figure(tab, source)
        figures = tab.locator(FIGURE)
        assert figures.count() == 1  # one large figure
        figure = figures.first
        figure.evaluate("img => img.decode()")
        box = figure.bounding_box()
        assert _inside(box, PROJECTOR), box
        assert box["width"] >= 0.75 * PROJECTOR["width"] or box["height"] >= 0.65 * 720, box
        for button in ("Reset", "▶", "Step", "Leave presentation"):
            control = tab.get_by_role("button", name=button)
            assert _inside(control.bounding_box(), PROJECTOR), button
        # The sidebar's levers are folded away, not on the screen.
        assert (
            _slider(tab, "Respect (0–1)").count() == 0
            or not _slider(tab, "Respect (0–1)").first.is_visible()
        )
        # Tick labels as shown: their size in points, at the figure's dpi, scaled as shown.
        natural = figure.evaluate("img => img.naturalWidth")
        tick_px = plots._STYLE["xtick.labelsize"] * PRESENT_DPI / 72 * box["width"] / natural
        print(f"\n{view}: figure {box['width']:.0f}×{box['height']:.0f} px, ticks {tick_px:.1f} px")
        assert tick_px >= 14
        assert not problems, str(problems)


def test_the_present_button_switches_to_presentation_mode_and_back(page):
    page.get_by_role("button", name="Present").click()
    page.get_by_role("button", name="Leave presentation").wait_for()
    page.wait_for_function("() => window.location.search.includes('present=1')")
    assert page.locator(FIGURE).count() == 1
    page.get_by_role("button", name="Leave presentation").click()
    page.get_by_role("button", name="Present").wait_for()
    page.wait_for_function("() => !window.location.search.includes('present=1')")
    _slider(page, "Respect (0–1)").first.wait_for()  # the sidebar and its levers are back


def test_following_a_person_on_the_network_tab_shows_their_journey(page):
    page.get_by_role("tab", name="Network").click()
    page.get_by_text("Follow a person").wait_for()
    page.get_by_role("button", name="Next customer").click()
    page.get_by_text(re.compile(r"^Person \d+: stage ")).wait_for()
    lines = page.locator(".crmsim-history-lines")
    lines.wait_for()
    # The latest week first, every line a week of this person's history, one line each.
    weeks = [
        int(re.match(r"week (\d+):", text).group(1))
        for text in lines.inner_text().strip().split("\n")
    ]
    assert len(weeks) > 1
    assert weeks == sorted(weeks, reverse=True)
    assert page.locator(".crmsim-history").is_visible()
    page.get_by_role("tab", name="Customers").click()  # as the other tests expect the page


def test_a_click_on_a_persons_dot_in_the_network_follows_them(page, server):
    """In a market small enough for the network, a click on a dot shows that person."""
    from crmsim.app import DashboardModel, network_figure, network_layout, places, render_png

    # The same run as the page's (same settings, same seed): where its people are drawn.
    model = DashboardModel(n_customers=300, rng=3, weeks=156)
    positions = network_layout(model.network.to_networkx())
    figure = network_figure(model, positions)
    render_png(figure)
    spots = places(figure, positions)
    person = 123

    with fresh_tab(page, server, "?seed=3&n_customers=300") as (tab, problems):
        tab.get_by_role("tab", name="Network").click()
        catcher = tab.locator(".crmsim-click-catcher")
        catcher.wait_for()
        tab.wait_for_timeout(500)  # the image laid out at its size
        box = catcher.bounding_box()
        catcher.click(
            position={"x": spots[person, 0] * box["width"], "y": spots[person, 1] * box["height"]}
        )
        tab.get_by_text(re.compile(rf"^Person {person}: stage ")).wait_for()
        assert tab.locator(".crmsim-history-lines").inner_text().startswith("week ")
        assert not problems, str(problems)
