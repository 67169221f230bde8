"""Slider cells leave a static figure (crmsim.widgets.interact) and draw it only once."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")
ipywidgets = pytest.importorskip("ipywidgets")
pytest.importorskip("IPython")

import matplotlib.pyplot as plt  # noqa: E402
from IPython.core.displaypub import CapturingDisplayPublisher  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from crmsim.widgets import interact  # noqa: E402


class _Publisher(CapturingDisplayPublisher):
    # In a kernel, the clearing that ipywidgets does before each drawing goes to the widget's
    # own output area; without a kernel it would wipe everything captured so far.
    def clear_output(self, wait=False):
        pass


@pytest.fixture
def shown(monkeypatch):
    """What the cell displays (interact captures its own first drawing, so no capture_output)."""
    shell = InteractiveShell.instance()
    publisher = _Publisher()
    monkeypatch.setattr(shell, "display_pub", publisher)
    return publisher.outputs


def test_the_first_figure_is_a_plain_output_drawn_once_then_the_sliders_take_over(shown):
    calls = []

    def show(level=0.0, label="x"):
        calls.append((level, label))
        print(f"level {level}")
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, level])
        plt.show()

    panel = interact(show, level=ipywidgets.FloatSlider(value=0.3), label=["x", "y"])
    assert calls == [(0.3, "x")], "the starting state must be drawn exactly once"
    kinds = [set(output["data"]) for output in shown]
    assert any("image/png" in kind for kind in kinds), "no static figure among the outputs"
    assert any(o["data"].get("text/plain", "").startswith("level 0.3") for o in shown)
    assert any("application/vnd.jupyter.widget-view+json" in kind for kind in kinds)
    assert not plt.get_fignums(), "figures left open would pile up"

    panel.children[0].value = 0.8
    assert calls[-1] == (0.8, "x")
    assert len(calls) == 2
    replaced = [o for o in shown if o.get("update")]
    assert replaced, "the static figure must give way to the live one"
