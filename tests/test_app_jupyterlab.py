"""The dashboard in a notebook cell of a real JupyterLab, driven by Playwright in headless Chromium.

The test starts JupyterLab from this environment (``python -m jupyterlab``) on a free port of
127.0.0.1, with a token, no browser of its own and a temporary root directory holding one
notebook: the dashboard cell of ``notebooks/00_getting_started.ipynb``, as it is written there.
Chromium (Debian's ``/usr/bin/chromium``) opens the notebook, runs the cell and checks that the
whole dashboard is shown with working controls: the scenario picker, the levers and Reset / ▶ /
Step; a Step that moves the week on, a lever that reaches the running model, a Reset, a
scenario picked from the menu, and ▶ then ❚❚. The browser's console must not report ``[Vuetify]
Could not find injected layout``, the error that used to leave a cell without its controls (see
:mod:`crmsim.app.notebook`).

Everything stays on this computer: the browser may request nothing but the local server
(anything else is aborted and reported), JupyterLab's news and update checks are switched off,
and its settings, runtime files and Solara's home are kept in the temporary directory. The
server and its kernel are shut down at the end.

Tests at the end check the same without a browser, on the widgets Solara renders.

Skip and fail as in ``tests/test_app_browser.py``: without Playwright, Chromium or JupyterLab
the tests are skipped with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_app_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _missing

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_getting_started.ipynb"
#: JupyterLab's start and the first load of its page: slow on a busy machine.
START_TIMEOUT = 180
#: The kernel's start, the imports and the first run of 156 weeks with its figures.
RUN_TIMEOUT_MS = 60_000
#: A change on the page (a week, a lever, a scenario and its run).
CHANGE_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1600, "height": 1100}
TOKEN = "crmsim-test-token"
LAYOUT_ERROR = "Could not find injected layout"
#: Whether the notebook open in JupyterLab has its kernel connected and idle.
KERNEL_READY = """() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const session = widget && widget.sessionContext && widget.sessionContext.session;
    const kernel = session && session.kernel;
    return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""


def _dashboard_cell() -> str:
    """The code of notebook 00's cell that shows the dashboard."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found = [s for s in sources if "crmsim.app import" in s]
    assert len(found) == 1, f"{NOTEBOOK.name}: expected one dashboard cell, found {len(found)}"
    return found[0]


def _notebook(source: str) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "dashboard",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _request(url: str, method: str = "GET", timeout: float = 5.0) -> bytes:
    request = urllib.request.Request(
        url, method=method, headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _stop(process: subprocess.Popen, url: str) -> None:
    """Shut the kernels down through the server, then the server and its process group."""
    try:
        for kernel in json.loads(_request(f"{url}/api/kernels")):
            _request(f"{url}/api/kernels/{kernel['id']}", method="DELETE", timeout=20)
    except (OSError, ValueError):
        pass  # the server is gone already, or does not answer: stopped below all the same
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """The address of a freshly started JupyterLab whose root holds ``dashboard.ipynb``."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _missing("JupyterLab is not installed (the `lab` extra: pip install -e '.[lab]')")

    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    root.mkdir()
    (root / "dashboard.ipynb").write_text(json.dumps(_notebook(_dashboard_cell())))
    # JupyterLab's own settings: no pop-up asking to fetch the news.
    settings = base / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    # Solara's home, with its one-time "call home" check marked as done.
    solara_home = base / "solara"
    solara_home.mkdir()
    (solara_home / ".jupyter_checked").touch()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        # The user's Jupyter and IPython set-up stays out, and nothing is written into it.
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
        "SOLARA_HOME": str(solara_home),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    env.pop("JUPYTER_PATH", None)
    log = (base / "jupyterlab.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",  # as in a container; harmless otherwise
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            # Nothing fetched from the internet by the server: no news, no update check, no
            # extension manager looking packages up.
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # window.jupyterapp, through which the test runs the cell (as Galata does).
            "--LabApp.expose_app_in_browser=True",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with all its children
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited early:\n{(base / 'jupyterlab.log').read_text()}")
            try:
                _request(f"{url}/api/status")
                break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer on {url} within {START_TIMEOUT} s")
            time.sleep(0.5)
        yield url
    finally:
        _stop(process, url)
        log.close()


class Console:
    """What the page reported: console errors, script errors and requests beyond the server."""

    def __init__(self, tab, url: str) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        tab.on("console", lambda message: self._console(message))
        tab.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

        def route(route) -> None:
            if route.request.url.startswith(url + "/") or route.request.url == url:
                route.continue_()
            else:  # offline, as on a classroom network: never let it leave this machine
                self.outside.append(route.request.url)
                route.abort()

        tab.route("**/*", route)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def layout_errors(self) -> list[str]:
        return [e for e in self.errors if LAYOUT_ERROR in e]


@pytest.fixture(scope="module")
def notebook(lab: str, tmp_path_factory) -> Iterator[tuple[object, Console]]:
    """The notebook open in JupyterLab in headless Chromium, its cell run and the dashboard
    shown with its first run; and what the page reported so far."""
    from playwright.sync_api import sync_playwright

    screenshot = tmp_path_factory.mktemp("jupyterlab-page") / "failed.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport=VIEWPORT)
            tab.set_default_timeout(CHANGE_TIMEOUT_MS)
            console = Console(tab, lab)
            tab.goto(f"{lab}/lab/tree/dashboard.ipynb?token={TOKEN}")
            tab.wait_for_function(
                "() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')",
                timeout=START_TIMEOUT * 1000,
            )
            # Run the cell once its kernel is connected and idle (asked earlier, JupyterLab
            # would offer to pick a kernel), as Run → Run All Cells does.
            tab.wait_for_function(KERNEL_READY, timeout=START_TIMEOUT * 1000)
            # Not awaited: the command's promise ends with the cell's run, waited for below.
            tab.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            try:
                _output_area(tab).get_by_text(re.compile(r"^Week 156 ·")).wait_for(
                    timeout=RUN_TIMEOUT_MS
                )
            except Exception:
                tab.screenshot(path=str(screenshot))
                pytest.fail(
                    "the cell did not show the dashboard's first run; the cell's output reads "
                    f"{_output(tab)[:600]!r}; the console: {console.errors[:5]}; "
                    f"screenshot {screenshot}"
                )
            yield tab, console
        finally:
            browser.close()


def _output_area(tab):
    """The cell's output, where the dashboard is shown."""
    return tab.locator(".jp-Notebook .jp-Cell .jp-OutputArea").first


def _output(tab) -> str:
    """The text of the notebook's cell output (empty before the cell has run)."""
    return tab.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-OutputArea'))"
        ".map(e => e.innerText).join('\\n')"
    )


def _slider(scope, label: str):
    """The thumb of the slider whose label reads exactly ``label``."""
    text = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = scope.locator(".v-slider").filter(has=scope.page.locator("label", has_text=text))
    return box.locator("[role=slider]")


def _week(tab) -> int:
    text = _output_area(tab).inner_text()
    match = re.search(r"Week (\d+) ·", text)
    assert match, text[:300]
    return int(match.group(1))


def test_the_cell_shows_the_whole_dashboard_with_its_controls(notebook):
    tab, console = notebook
    # The error that took the controls with it (the app bar Solara draws in a notebook).
    assert not console.layout_errors(), console.layout_errors()[0]
    dashboard = _output_area(tab)
    scenario = dashboard.locator(".v-select").filter(has_text="Scenario").first
    assert scenario.count() == 1 and scenario.is_visible(), "no scenario picker in the cell"
    for label in ("Respect (0–1)", "Price (money per purchase)", "People in the market"):
        assert _slider(dashboard, label).count() == 1, label
    assert _slider(dashboard, "Respect (0–1)").is_visible()
    for button in ("Reset", "▶", "Step", "Run 156 weeks"):
        assert dashboard.get_by_role("button", name=button, exact=True).is_visible(), button
    # The views beside them: the overview and the first tab's two figures.
    assert dashboard.get_by_text("Baseline: an ordinary firm").is_visible()
    assert dashboard.locator(".crmsim-figure img").count() == 2
    assert not console.outside, console.outside


def test_step_moves_the_run_on_by_a_week(notebook):
    tab, console = notebook
    dashboard = _output_area(tab)
    week = _week(tab)
    dashboard.get_by_role("button", name="Step", exact=True).click()
    dashboard.get_by_text(re.compile(rf"^Week {week + 1} ·")).wait_for()
    assert _week(tab) == week + 1


def test_a_lever_reaches_the_running_model_and_reset_starts_a_fresh_run(notebook):
    tab, _ = notebook
    dashboard = _output_area(tab)
    week = _week(tab)
    thumb = _slider(dashboard, "Respect (0–1)")
    thumb.focus()
    thumb.press("Home")
    assert thumb.get_attribute("aria-valuenow") == "0"
    # The header lists the levers changed during the run, with the week they changed at.
    dashboard.get_by_text(re.compile(rf"from week {week} Respect \(0–1\) 0\.5 → 0")).wait_for()
    dashboard.get_by_role("button", name="Reset", exact=True).click()
    # A fresh run of 156 weeks from the controls, the lever moved included.
    dashboard.get_by_text(re.compile(r"^Week 156 ·")).wait_for()
    assert _week(tab) == 156 < week


def test_picking_a_scenario_loads_it(notebook):
    from playwright.sync_api import expect

    tab, console = notebook
    dashboard = _output_area(tab)
    dashboard.locator(".v-select").filter(has_text="Scenario").first.click()
    # The menu opens in an overlay outside the cell's output.
    tab.get_by_role("option", name="customer_centric").click()
    dashboard.get_by_text("Customer-centric").first.wait_for()
    expect(_slider(dashboard, "Respect (0–1)")).to_have_attribute("aria-valuenow", "0.8")
    dashboard.get_by_text(re.compile(r"^Week 156 ·")).wait_for()
    assert not console.layout_errors(), console.layout_errors()
    assert not console.outside, console.outside


def test_play_goes_on_week_after_week_and_pause_stops_it(notebook):
    tab, _ = notebook
    dashboard = _output_area(tab)
    week = _week(tab)
    dashboard.get_by_role("button", name="▶", exact=True).click()
    dashboard.get_by_role("button", name="❚❚", exact=True).wait_for()
    # Played in the kernel's threads, redrawn a few times a second.
    tab.wait_for_function(
        "([area, week]) => { const m = /Week (\\d+) ·/.exec(area.innerText);"
        " return m !== null && Number(m[1]) >= week + 10; }",
        arg=[dashboard.element_handle(), week],
    )
    dashboard.get_by_role("button", name="❚❚", exact=True).click()
    dashboard.get_by_role("button", name="▶", exact=True).wait_for()
    tab.wait_for_timeout(500)  # the week under way, and its redraw
    stopped = _week(tab)
    tab.wait_for_timeout(1_500)
    assert _week(tab) == stopped > week + 10


# --------------------------------------------------------------------------- without a browser
def _as_a_notebook_shows_it(element):
    """``element`` wrapped as a notebook cell shows it: in what Solara puts around every element
    displayed in Jupyter (its ``AppLayout`` in embedded form)."""
    import reacton.core

    for decorator in reacton.core.jupyter_decorator_components:
        element = decorator(children=[element])
    return element


def _texts(widget) -> list[str]:
    found = []
    for child in getattr(widget, "children", None) or []:
        found.extend([child] if isinstance(child, str) else _texts(child))
    return found


def test_the_notebook_module_examples_run():
    import doctest

    from crmsim.app import notebook

    failures, attempted = doctest.testmod(notebook, optionflags=doctest.ELLIPSIS)
    assert failures == 0 and attempted > 0


def test_in_a_notebook_page_hides_its_controls_in_an_app_bar():
    """The cause: in a notebook Solara places the page's sidebar in a menu of an app bar, which
    Vuetify 3 cannot draw outside a layout of its own (the browser test sees it fail). Should
    Solara change how it wraps a notebook's output, this test says so, and
    :mod:`crmsim.app.notebook` may be worth a second look."""
    import ipyvuetify as v
    import solara

    from crmsim.app import Page

    _, rc = solara.render(_as_a_notebook_shows_it(Page(n_customers=100, rng=1)))
    try:
        (app_bar,) = rc.find(v.AppBar).widgets
        assert "Levers" in _texts(app_bar)  # the levers' card, inside the app bar's menu
    finally:
        rc.close()


def test_in_a_notebook_notebook_page_shows_its_controls_without_an_app_bar():
    import ipyvuetify as v
    import solara

    from crmsim.app import NotebookPage

    box, rc = solara.render(
        _as_a_notebook_shows_it(NotebookPage(n_customers=100, rng=1)), handle_error=False
    )
    try:
        assert not rc.find(v.AppBar).widgets
        assert not rc.find(v.NavigationDrawer).widgets
        texts = " ".join(_texts(box))
        # The app bar's title, as a heading (Solara passes it on character by character).
        assert "crmsim: watch a CRM course happen" in "".join(_texts(box))
        assert rc.find(v.Select, label="Scenario").widgets
        for label in ("Respect (0–1)", "People in the market"):
            assert rc.find(v.Slider, label=label).widgets, label
        assert "Week 156 ·" in texts
        # The controls work: Step moves the run on.
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert "Week 157 ·" in " ".join(_texts(box))
    finally:
        rc.close()
