"""Slider cells that leave a figure behind: :func:`interact`, for notebooks read as pages too.

:func:`ipywidgets.interact` draws its figure inside a widget. A running notebook shows it, but
every static view of the executed notebook (the course site, GitHub, nbviewer, an exported
HTML) has no widget manager and shows ``interactive(...)`` instead of a figure. This
:func:`interact` draws the figure at the controls' starting values as an ordinary output of
the cell, then shows the controls; the first time a learner moves one, the static figure
gives way to the live one under the controls, so a running notebook shows a single figure.

Examples
--------
::

    from ipywidgets import FloatSlider
    from crmsim.widgets import interact

    def show(quality=0.7):
        ...  # draw with matplotlib, end with plt.show()

    interact(show, quality=FloatSlider(value=0.7, min=0, max=1, step=0.05));
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

__all__ = ["interact"]


def _draw(function: Callable[..., Any], arguments: dict[str, Any]) -> None:
    """Call ``function`` and display the pyplot figures it left open.

    Under the inline backend ``plt.show()`` displays and closes a figure itself; under a
    non-interactive backend (Agg, as in tests and headless runs) it does nothing, so the
    figure is displayed here instead of being lost.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    before = set(plt.get_fignums())
    function(**arguments)
    for number in plt.get_fignums():
        if number not in before:
            figure = plt.figure(number)
            buffer = BytesIO()  # a PNG, which every front end and static page can show
            figure.savefig(buffer, format="png", bbox_inches="tight")
            display(Image(buffer.getvalue()))
            plt.close(figure)


def interact(function: Callable[..., Any], /, **controls: Any) -> Any:
    """Like :func:`ipywidgets.interact`, but the first figure is an ordinary cell output.

    Parameters
    ----------
    function : callable
        Draws one state of the figure (and may print); called with one keyword argument
        per control.
    **controls
        One widget (or an ``ipywidgets`` abbreviation such as ``(0.0, 1.0, 0.05)``) per
        argument of ``function``.

    Returns
    -------
    ipywidgets.interactive
        The controls, already displayed.

    Raises
    ------
    ImportError
        If ipywidgets or IPython is not installed (``pip install "crmsim[lab]"``).
    """
    try:
        import ipywidgets
        from IPython.display import display
        from IPython.utils.capture import capture_output
    except ImportError as err:  # pragma: no cover - depends on the installation
        raise ImportError('slider cells need ipywidgets: pip install "crmsim[lab]"') from err

    widgets = {
        name: control
        if isinstance(control, ipywidgets.ValueWidget)
        else ipywidgets.interactive.widget_from_abbrev(control)
        for name, control in controls.items()
    }
    with capture_output() as captured:
        _draw(function, {name: widget.value for name, widget in widgets.items()})
    # Shown again with display ids, so that the live figure can take their place later.
    handles = []
    if captured.stdout:
        handles.append(display({"text/plain": captured.stdout}, raw=True, display_id=True))
    for output in captured.outputs:
        handles.append(display(output.data, metadata=output.metadata, raw=True, display_id=True))

    first_call = [True]

    def live(**arguments: Any) -> None:
        if first_call[0]:  # ipywidgets draws once on creation: that figure is already shown
            first_call[0] = False
            return
        for handle in handles:
            if handle is not None:
                handle.update({"text/plain": ""}, raw=True)
        handles.clear()
        _draw(function, arguments)

    panel = ipywidgets.interactive(live, **widgets)
    display(panel)
    return panel
