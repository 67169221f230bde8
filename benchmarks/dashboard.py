"""How long the dashboard takes from a lever change to its figures being ready.

Run from the repository root::

    .venv/bin/python benchmarks/dashboard.py            # about 45 s on a 2-core machine
    .venv/bin/python benchmarks/dashboard.py --quick    # one repeat, no headless page
    .venv/bin/python benchmarks/dashboard.py --profile  # also: cProfile of one change
    .venv/bin/python benchmarks/dashboard.py --compare customer_centric  # ▶ with B too

Issue 4 asks that "a run of the default size (2,000 customers, 156 weeks) responds to a
change within a second". A change in the dashboard (move a slider, press Reset) does:

1. ``DashboardModel(<controls>, weeks=156)``: build the model and run three years
   (``model_s``); a different lever value each repeat, so nothing is reused;
2. the overview line (:func:`crmsim.app.summary_line`, ``summary_s``);
3. for each figure on the open tab: draw it (:func:`crmsim.app.draw_figure`, ``draw_s``)
   and render it to the PNG the page shows (``png_s``): :func:`crmsim.app.render_png`, or,
   for the dashboard before it had one, what ``solara.FigureMatplotlib`` did,
   ``figure.savefig(BytesIO(), format="png", dpi=app.FIGURE_DPI)``. Each repeat draws a new
   figure and renders it once, as the page does. The SVG render, which the dashboard does
   not use, is timed once for comparison (``svg_s``).

Then the whole change, 1 + 2 + 3 in a row with a new lever value, is timed for each tab
(wall and CPU time of this process; CPU time suffers less from other work on the machine).
``seconds_change_to_figures`` is the change on the tab the page opens on (the first of
:data:`crmsim.app.TABS`), ``seconds_change_worst_tab`` on the slowest tab. Unless
``--quick``, the real page is also rendered headless with Solara's test renderer (as
``tests/test_app.py`` does) and timed end to end: a slider moved and Reset pressed
(``page_change_s`` on the first tab, ``page_change_churn_s`` on "Churn"), and switching to
a tab already seen, the model unchanged (``page_tab_back_s``). ▶ is timed on that page too
(weeks and redraws per second, how long ❚❚ takes); with ``--compare SCENARIO`` once more with
that scenario's policy running side by side as B (``play_b_*``), which doubles the simulation
per week.

Every time is the best of ``--repeats`` (default 3) with :func:`time.perf_counter`. The
output is a table and, as its **last line**, one line of JSON. Timings on a shared machine
vary with its load: the load average (``os.getloadavg()``) at start and end is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src"

#: Lever values the repeats cycle through (respect), so each repeat builds a new run.
RESPECT = (0.3, 0.6, 0.45, 0.75, 0.2)


def _import() -> Any:
    try:
        from crmsim import app
    except ImportError:
        sys.path.insert(0, str(SRC))
        from crmsim import app
    return app


def _best(fn: Callable[[int], Any], repeats: int) -> tuple[float, Any]:
    """Least wall time of ``fn(i)`` over ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for i in range(repeats):
        t0 = time.perf_counter()
        result = fn(i)
        best = min(best, time.perf_counter() - t0)
    return best, result


def _best_wall_cpu(fn: Callable[[int], Any], repeats: int) -> tuple[float, float]:
    """Least wall time and least CPU time (this process) of ``fn(i)`` over ``repeats`` calls."""
    wall, cpu = float("inf"), float("inf")
    for i in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(i)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def _png(app: Any, figure: Any) -> bytes:
    """The PNG the page shows (``solara.FigureMatplotlib``'s ``savefig`` before the cache)."""
    if hasattr(app, "render_png"):
        return app.render_png(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=app.FIGURE_DPI)
    return buffer.getvalue()


def _svg(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --------------------------------------------------------------------------- measurements
def pieces(app: Any, repeats: int, seed: int) -> dict[str, Any]:
    """Model, overview and every figure, each timed on its own; then a whole change per tab."""

    def build(i: int) -> Any:
        return app.DashboardModel(
            rng=seed, respect=RESPECT[i % len(RESPECT)], weeks=app.RUN_WEEKS, errors="show"
        )

    app.DashboardModel(n_customers=200, rng=seed, weeks=13)  # imports and caches warmed
    model_s, model = _best(build, repeats)
    summary_s, _ = _best(lambda _: app.summary_line(model), repeats)
    figures: dict[str, dict[str, Any]] = {}
    for key in app.FIGURES:
        _png(app, app.draw_figure(model, key))  # warm-up: fonts, tick machinery
        draw_s = png_s = float("inf")
        for _ in range(repeats):  # a new figure each time, rendered once, as on the page
            t0 = time.perf_counter()
            figure = app.draw_figure(model, key)
            t1 = time.perf_counter()
            png = _png(app, figure)
            t2 = time.perf_counter()
            draw_s, png_s = min(draw_s, t1 - t0), min(png_s, t2 - t1)
        t0 = time.perf_counter()
        _svg(app.draw_figure(model, key))
        svg_s = time.perf_counter() - t0
        width, height = figure.get_size_inches() * app.FIGURE_DPI
        figures[key] = {
            "draw_s": draw_s,
            "png_s": png_s,
            "svg_s": svg_s,
            "png_kb": len(png) / 1024,
            "pixels": f"{width:.0f}x{height:.0f}",
        }
    tabs = {}
    counter = iter(range(10_000))
    for name, (keys, _) in app.TABS.items():
        shown = [k for k in keys if k in figures]

        def change(_: int, shown: list[str] = shown) -> None:
            changed = build(next(counter))
            app.summary_line(changed)
            for key in shown:
                _png(app, app.draw_figure(changed, key))

        wall, cpu = _best_wall_cpu(change, repeats)
        tabs[name] = {
            "figures_s": sum(figures[k]["draw_s"] + figures[k]["png_s"] for k in shown),
            "change_s": wall,
            "change_cpu_s": cpu,
        }
    return {"model_s": model_s, "summary_s": summary_s, "figures": figures, "tabs": tabs}


class _Page:
    """The dashboard page rendered headless, as in tests/test_app.py."""

    def __init__(self, app: Any, seed: int, compare: str | None = None) -> None:
        import solara

        @solara.component
        def Served() -> None:  # noqa: N802 - a Solara component
            with solara.AppLayout():
                app.Page(rng=seed, **({"compare_with": compare} if compare else {}))

        self.app = app
        self.box, self.rc = solara.render(Served(), handle_error=False)

    def press(self, label: str) -> None:
        import ipyvuetify as v

        self.rc.find(v.Btn, children=[label]).widget.click()

    def change(self, respect: float) -> None:
        import ipyvuetify as v

        self.rc.find(v.Slider, label=self.app.LEVERS["respect"].label).widget.v_model = respect
        self.rc.find(v.Btn, children=["Reset"]).widget.click()

    def tab(self, name: str) -> None:
        import ipyvuetify as v

        tabs = self.rc.find(v.Tabs).widget
        tabs.v_model = [t.children[0] for t in tabs.children].index(name)

    def images(self) -> int:
        import ipywidgets

        return len(self.rc.find(ipywidgets.Image).widgets)


def page(app: Any, repeats: int, seed: int) -> dict[str, float]:
    """End to end on the headless page: a change on two tabs, and switching back to a tab."""
    first, churn = list(app.TABS)[0], "Churn"
    quiet = contextlib.redirect_stdout(io.StringIO())  # Solara's AppLayout prints its parts
    quiet.__enter__()
    dashboard = _Page(app, seed)
    try:
        counter = iter(range(10_000))

        def change(_: int) -> None:
            dashboard.change(RESPECT[next(counter) % len(RESPECT)])

        change_first, _ = _best(change, repeats)
        dashboard.tab(churn)
        change_churn, _ = _best(change, repeats)

        def back_and_forth(i: int) -> None:
            dashboard.tab(first if i % 2 == 0 else churn)

        back_and_forth(1)  # both tabs seen with this model
        tab_back, _ = _best(back_and_forth, max(repeats, 2))
        assert dashboard.images() > 0
    finally:
        dashboard.rc.close()
        quiet.__exit__(None, None, None)
    return {
        "page_change_s": change_first,
        "page_change_churn_s": change_churn,
        "page_tab_back_s": tab_back,
    }


def play(app: Any, seed: int, seconds: float, compare: str | None = None) -> dict[str, float]:
    """▶ on the headless page at 2,000 customers, at the default play interval and at 1 ms:
    weeks simulated and redraws made per second, and how long ❚❚ takes to stop the run. With
    ``compare``, that scenario's policy runs beside the run as B."""
    import ipyvuetify as v

    players: list[Any] = []

    class Recording(app.Player):  # the page's player, to read its redraw counts
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            players.append(self)

    quiet = contextlib.redirect_stdout(io.StringIO())
    quiet.__enter__()
    original, app.dashboard.Player = app.dashboard.Player, Recording
    dashboard = _Page(app, seed, compare)
    results: dict[str, float] = {}
    try:
        model = dashboard.rc.find(v.Btn, children=["Step"])  # the page is up
        assert model and players
        player = players[-1]
        for label, interval in (("default", None), ("1ms", 1)):
            if interval is not None:
                dashboard.rc.find(v.Slider, label="Play interval (ms)").widget.v_model = interval
            weeks_before = dict(player.redraws)
            week = _week(dashboard)
            t0 = time.perf_counter()
            dashboard.press("▶")
            time.sleep(seconds)
            t1 = time.perf_counter()
            dashboard.press("❚❚")
            pause_s = time.perf_counter() - t1
            elapsed = t1 - t0
            stopped = _week(dashboard)
            time.sleep(0.5)
            assert _week(dashboard) == stopped, "weeks simulated after the pause"
            player.wait(timeout=30)
            results[f"play_{label}_weeks_per_s"] = (stopped - week) / elapsed
            for kind in ("text", "figures"):
                made = player.redraws[kind] - weeks_before[kind]
                results[f"play_{label}_{kind}_redraws_per_s"] = made / elapsed
            results[f"play_{label}_pause_s"] = pause_s
    finally:
        app.dashboard.Player = original
        dashboard.rc.close()
        quiet.__exit__(None, None, None)
    return results


def _week(dashboard: _Page) -> int:
    """The week the headless page shows (its overview line)."""

    def strings(widget: Any) -> Any:
        for child in getattr(widget, "children", None) or []:
            if isinstance(child, str):
                yield child
            else:
                yield from strings(child)

    for text in strings(dashboard.box):
        if text.startswith("Week "):
            return int(text.split()[1].rstrip(":"))
    raise LookupError("no week shown")


def profile(app: Any, seed: int, tab: str) -> str:
    """cProfile of one change on ``tab``: model, overview, figures drawn and rendered."""
    keys = [k for k in app.TABS[tab][0] if k in app.FIGURES]
    profiler = cProfile.Profile()
    profiler.enable()
    model = app.DashboardModel(rng=seed, respect=0.55, weeks=app.RUN_WEEKS, errors="show")
    app.summary_line(model)
    for key in keys:
        _png(app, app.draw_figure(model, key))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


# --------------------------------------------------------------------------- report
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="one repeat, no headless page")
    parser.add_argument("--profile", action="store_true", help="cProfile of one change")
    parser.add_argument("--profile-tab", default="Churn")
    parser.add_argument("--play-seconds", type=float, default=5.0, help="▶ for this long")
    parser.add_argument(
        "--compare", metavar="SCENARIO", help="also time ▶ with this policy side by side"
    )
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats

    load_start = _load()
    print(f"load average at start: {load_start}  (cores: {os.cpu_count()})")
    t_import = time.perf_counter()
    app = _import()
    import_s = time.perf_counter() - t_import

    result = pieces(app, repeats, args.seed)
    pages = {} if args.quick else page(app, repeats, args.seed)
    plays = {} if args.quick else play(app, args.seed, args.play_seconds)
    if args.compare and not args.quick:
        with_b = play(app, args.seed, args.play_seconds, args.compare)
        plays |= {key.replace("play_", "play_b_", 1): value for key, value in with_b.items()}
    load_end = _load()

    print(f"\nDefault dashboard run: 2,000 customers x {app.RUN_WEEKS} weeks, best of {repeats}")
    print(f"{'model built + run':34s} {result['model_s']:8.3f} s")
    print(f"{'overview line':34s} {result['summary_s']:8.3f} s")
    print(f"\n{'figure':14s} {'draw s':>8s} {'png s':>8s} {'svg s':>8s} {'png kB':>8s}  pixels")
    for key, f in result["figures"].items():
        print(
            f"{key:14s} {f['draw_s']:8.3f} {f['png_s']:8.3f} {f['svg_s']:8.3f} "
            f"{f['png_kb']:8.0f}  {f['pixels']}"
        )
    tabs = result["tabs"]
    print(f"\n{'tab':18s} {'figures s':>10s} {'change s':>10s} {'change CPU s':>13s}")
    for name, t in tabs.items():
        print(f"{name:18s} {t['figures_s']:10.3f} {t['change_s']:10.3f} {t['change_cpu_s']:13.3f}")
    first = list(app.TABS)[0]
    worst = max(tabs, key=lambda name: tabs[name]["change_s"])
    change_first, change_worst = tabs[first]["change_s"], tabs[worst]["change_s"]
    print(f"\nchange -> figures of the first tab ({first}): {change_first:.3f} s")
    print(f"change -> figures of the slowest tab ({worst}): {change_worst:.3f} s")
    for label, key in (
        ("headless page: slider + Reset, first tab", "page_change_s"),
        ("headless page: slider + Reset, Churn tab", "page_change_churn_s"),
        ("headless page: back to a tab already drawn", "page_tab_back_s"),
    ):
        if key in pages:
            print(f"{label:44s} {pages[key]:8.3f} s")
    for prefix, b in (("play", ""), ("play_b", f", B ({args.compare}) beside it")):
        for label in ("default", "1ms"):
            if f"{prefix}_{label}_weeks_per_s" in plays:
                interval = "default play interval" if label == "default" else "play interval 1 ms"
                print(
                    f"▶ at the {interval}{b}: "
                    f"{plays[f'{prefix}_{label}_weeks_per_s']:.0f} weeks/s, "
                    f"{plays[f'{prefix}_{label}_text_redraws_per_s']:.1f} text and "
                    f"{plays[f'{prefix}_{label}_figures_redraws_per_s']:.1f} figure redraws/s, "
                    f"❚❚ in {plays[f'{prefix}_{label}_pause_s']:.3f} s"
                )
    print(f"load average at end: {load_end}")

    if args.profile:
        print(f"\ncProfile of one change on the {args.profile_tab} tab:")
        print(profile(app, args.seed, args.profile_tab))

    figures = result["figures"]
    summary = {
        "seconds_change_to_figures": change_first,
        "seconds_change_worst_tab": change_worst,
        "worst_tab": worst,
        "model_s": result["model_s"],
        "summary_s": result["summary_s"],
        "draw_s": {k: f["draw_s"] for k, f in figures.items()},
        "png_s": {k: f["png_s"] for k, f in figures.items()},
        "svg_s": {k: f["svg_s"] for k, f in figures.items()},
        "change_cpu_s": tabs[first]["change_cpu_s"],
        "tab_change_s": {name: t["change_s"] for name, t in tabs.items()},
        "tab_change_cpu_s": {name: t["change_cpu_s"] for name, t in tabs.items()},
        "page_change_s": pages.get("page_change_s"),
        "page_change_churn_s": pages.get("page_change_churn_s"),
        "page_tab_back_s": pages.get("page_tab_back_s"),
        **plays,
        "figure_dpi": app.FIGURE_DPI,
        "import_s": import_s,
        "repeats": repeats,
        "load_start": load_start,
        "load_end": load_end,
        "cores": os.cpu_count(),
    }
    print(json.dumps({k: _round(v) for k, v in summary.items()}))
    return 0


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


if __name__ == "__main__":
    sys.exit(main())
