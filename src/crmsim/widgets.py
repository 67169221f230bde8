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

In Persian (:mod:`crmsim.i18n`) a control without a label of its own is labelled with its
argument's Persian name (``service_quality``: کیفیت خدمات, from ``widgets.po``) instead of the
argument itself, and a list of choices shows each choice's Persian name while still handing
the function the value it was given. In English the controls are as ipywidgets makes them.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from crmsim.i18n import N_, _, right_to_left

__all__ = ["interact"]

#: The names of the arguments the course's notebooks give sliders and lists, as words: a
#: control's label in the language in use. Other arguments are labelled by their name with
#: spaces for ``_``, translated when the catalog has it.
CONTROL_LABELS = {
    "service_quality": N_("service quality"),
    "service_variability": N_("service variability"),
    "advertising": N_("advertising"),
    "discount": N_("discount"),
    "target": N_("target"),
    "weeks": N_("weeks"),
    "respect": N_("respect"),
    "recovery": N_("recovery"),
    "gift_value": N_("gift value"),
    "referral_reward": N_("referral reward"),
    "word_of_mouth": N_("word of mouth"),
    "cut_to": N_("cut to"),
    "crisis_weeks": N_("crisis weeks"),
    "respect_after": N_("respect after"),
    "win_back_after": N_("win-back after"),
    "reliability": N_("reliability"),
    "speed": N_("speed"),
    "personal_touch": N_("personal touch"),
    "spam": N_("spam"),
    "logo_colour": N_("logo colour"),
}
#: The choices the notebooks offer in lists, shown translated (the function still gets these).
CHOICE_LABELS = (
    N_("everyone"),
    N_("new customers"),
    N_("bargain hunters"),
    N_("quality seekers"),
    N_("kindred spirits"),
    N_("loyal and marketer"),
    N_("new"),
    N_("all"),
    N_("loyal & marketer"),
    N_("bargain hunters (a segment)"),
)


def control_label(name: str) -> str:
    """The label of the control for argument ``name`` in the language in use."""
    return _(CONTROL_LABELS.get(name, name.replace("_", " ")))


def _localize(widgets: dict[str, Any]) -> None:
    """Label the controls in the language in use (right-to-left ones only: English keeps
    ipywidgets' own labels, the argument names)."""
    import ipywidgets

    if not right_to_left():
        return
    for name, widget in widgets.items():
        if not widget.description:
            widget.description = control_label(name)
            widget.style.description_width = "initial"  # a Persian label is not cut short
        if isinstance(widget, ipywidgets.widgets.widget_selection._Selection):
            options = list(widget.options)
            if options and all(isinstance(option, str) for option in options):
                value = widget.value
                widget.options = [(_(option), option) for option in options]
                widget.value = value


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
    _localize(widgets)
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
