"""The dashboard in the language in use: the names it shows for the values of its menus, and,
in Persian, a page written right to left in Vazirmatn.

Every text of the dashboard goes through :func:`~crmsim.i18n._` where it is shown, not where
it is defined: the language can change between two pages (``crmsim.set_language`` in a
notebook), and the tables of labels (:data:`~crmsim.app.LEVERS`, :data:`~crmsim.app.TABS`,
...) keep their English, which the page's code and the tests look them up by. A message kept
in such a table is marked with :func:`N_`, so that the extractor finds it.

The values of the menus (a scenario, ``"loyal+marketer"``, ``"small-world"``) are what the
model takes: the menus keep them as values and show them in the language in use
(:func:`choices`).

In Persian, :func:`Localized` (the page's layout, :func:`Layout`, uses it) puts the page in a
Vuetify locale written right to left (``dir="rtl"``: text, menus, tabs and the sidebar on the
right) and in Vazirmatn, the typeface shipped with crmsim, given to the browser by the page
itself (:func:`crmsim.app.assets.font_faces`): nothing is fetched from the internet. The
sliders write their values in Persian digits (:func:`Slider`), and Solara's own English line
at the foot of the page is hidden (:func:`page_style`). In English the page is exactly
Solara's.
"""

# Solara components are named like classes (Page, AppLayout), as Solara does.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any

import solara
import solara.util

from crmsim.i18n import N_, _, format_number, get_language, persian_signs, pgettext, right_to_left
from crmsim.levers import CHANNELS, TIER_NAMES

# The words of the menus that are not the course's terms (terms.po has those).
_WORDS = {
    ("discount target", "all"): N_("everyone"),
    ("discount target", "new"): N_("new customers only"),
    ("channels", "all"): N_("all channels"),
    ("network", "small-world"): N_("small-world"),
    ("network", "scale-free"): N_("scale-free"),
    ("network", "well-mixed"): N_("well-mixed"),
}


def _joined(label: str, context: str, known: Iterable[str]) -> str:
    """``"loyal+marketer"`` in the language in use: each known name through ``context``."""
    parts = label.split("+")
    return "+".join(pgettext(context, part) if part in known else part for part in parts)


def target_text(label: str) -> str:
    """A discount target as the menu shows it: ``"all"``, ``"new"``, tiers joined by ``+`` or
    a segment (a segment's name is the scenario's own, shown as it is).

    Examples
    --------
    >>> target_text("loyal+marketer"), target_text("all")
    ('loyal+marketer', 'all')
    """
    if label in ("all", "new"):
        return label if get_language() == "en" else _(_WORDS[("discount target", label)])
    return _joined(label, "tier", TIER_NAMES)


def channels_text(label: str) -> str:
    """The staffed channels as the menu shows them: ``"all"`` or ``"phone+email"``.

    Examples
    --------
    >>> channels_text("phone+email"), channels_text("all")
    ('phone+email', 'all')
    """
    if label == "all":
        return label if get_language() == "en" else _(_WORDS[("channels", "all")])
    return _joined(label, "channel", CHANNELS)


def network_text(kind: str) -> str:
    """A kind of social network (:data:`crmsim.network.NETWORK_KINDS`) in the language in use.

    Examples
    --------
    >>> network_text("small-world")
    'small-world'
    """
    word = _WORDS.get(("network", kind))
    return _(word) if word is not None else kind


def value_text(name: str, value: Any) -> str:
    """A value of menu ``name`` (a keyword of :class:`~crmsim.app.DashboardModel`) as shown."""
    if name == "discount_target":
        return target_text(str(value))
    if name == "channels":
        return channels_text(str(value))
    if name == "network":
        return network_text(str(value))
    return str(value)


def digits(number: str) -> str:
    """A number already written (``"12,346"``, ``"25.0%"``) in the digits and signs of the
    language in use, as :func:`~crmsim.i18n.format_number` would have written it.

    Examples
    --------
    >>> digits("-1,234.5%")
    '-1,234.5%'
    """
    return persian_signs(number) if right_to_left() else number


def choices(values: list[Any], shown: Iterable[str]) -> list[Any]:
    """The items of a menu: ``values`` as they are where each is shown as itself (English),
    else ``{"title": shown, "value": value}``, so that the menu shows ``shown`` and still
    hands over the value.

    Examples
    --------
    >>> choices(["a", "b"], ["a", "b"]), choices(["a"], ["الف"])
    (['a', 'b'], [{'title': 'الف', 'value': 'a'}])
    """
    shown = list(shown)
    if all(str(value) == text for value, text in zip(values, shown, strict=True)):
        return values
    return [{"title": text, "value": value} for value, text in zip(values, shown, strict=True)]


def _decimals(number: float) -> int:
    """The decimals ``number`` is written with (``0.05``: 2, ``8.0``: 0), as JavaScript's
    ``String(number)`` writes it."""
    exponent = Decimal(repr(float(number))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def slider_text(value: float, low: float, step: float) -> str:
    """A slider's value as its thumb label shows it: with as many decimals as Vuetify's own
    label (those of ``step`` or of the lowest value ``low``, whichever has more), in the
    digits of the language in use.

    Examples
    --------
    >>> slider_text(0.7, 0, 0.05), slider_text(20, 8.0, 0.5), slider_text(2000, 50, 50)
    ('0.70', '20.0', '2000')
    """
    decimals = max(_decimals(step), _decimals(low)) if step > 0 else 1
    return format_number(value, f".{decimals}f")


@solara.component
def Slider(
    label: str,
    value: float | solara.Reactive[float] = 0,
    min: float = 0,  # Solara's names for them
    max: float = 10,
    step: float = 0.1,
    on_value: Callable[[float], None] | None = None,
    whole: bool = False,
) -> solara.Element:
    """Solara's ``SliderFloat`` (``SliderInt`` for a ``whole`` number), whose thumb label shows
    the value in the digits of the language in use: in English the slider is exactly Solara's
    (Vuetify writes the label), in Persian the label is written here (``۰٫۷۰``).

    Solara's sliders take no formatter: in Persian the slider is Solara's own widget with
    the same settings, its label given in Vuetify's ``thumb-label`` slot.
    """
    reactive = solara.use_reactive(value, on_value)
    if not right_to_left():
        slider = solara.SliderInt if whole else solara.SliderFloat
        return slider(label, value=reactive, min=min, max=max, step=step)

    def set_value(new: float) -> None:
        reactive.set(int(new) if whole else float(new))

    shown = solara.v.Html(tag="span", children=[slider_text(reactive.value, min, step)])
    look = (
        {"density": "default", "show_ticks": False, "ticks": []}
        if solara.util.IPYVUETIFY_V3
        else {"dense": False}
    )
    return solara.v.Slider(
        v_model=reactive.value,
        on_v_model=set_value,
        label=label,
        min=min,
        max=max,
        step=step,
        thumb_label=True,
        hide_details=True,
        v_slots=[{"name": "thumb-label", "children": [shown]}],
        **look,
    )


def page_style() -> str:
    """The CSS the page adds in the language in use: none in English; in Persian, Vazirmatn
    (shipped, as ``@font-face`` rules) for every text, the tables and captions set from the
    right, and Solara's own English banner at the foot of the page ("This website runs on
    Solara", which would also sit over the sidebar, on the right) hidden."""
    if not right_to_left():
        return ""
    from crmsim.app.assets import font_faces

    # Every element, inputs and menus included (Vuetify sets its own typeface on many); the
    # icons keep theirs: they are drawn by the ::before of their element, which sets its own.
    return font_faces() + (
        """
.crmsim-rtl, .crmsim-rtl *, .v-overlay-container * {
  font-family: Vazirmatn, Roboto, sans-serif !important; }
.crmsim-rtl .crmsim-table caption { text-align: right; }
.crmsim-rtl .crmsim-table th[scope=row] { text-align: right; }
.crmsim-rtl .crmsim-table td { text-align: left; }
.crmsim-rtl .crmsim-swatch { margin-right: 0; margin-left: 0.35em; }
.crmsim-rtl .crmsim-firm-box { border-left-width: 1px; border-right-width: 6px;
  border-right-style: solid; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""
    )


@solara.component
def Localized(children: list[Any] = []) -> solara.Element:  # noqa: B006 (Solara's way)
    """``children`` inside a Vuetify locale in the language in use: in Persian written right to
    left (``dir="rtl"``, ``lang="fa"``, Vuetify's own right-to-left layout) in Vazirmatn."""
    rtl = right_to_left()
    # The typeface's rules go with the page's content: a component shows what it returns.
    style = [solara.Style(page_style())] if rtl else []
    return solara.v.LocaleProvider(
        rtl=rtl,
        locale=get_language(),
        class_="crmsim-rtl" if rtl else "",
        attributes={"dir": "rtl" if rtl else "ltr", "lang": get_language()},
        children=[*style, *children],
    )


def localized() -> AbstractContextManager[Any]:
    """``with localized():`` puts what is made inside it in :func:`Localized` in a language
    written right to left, and leaves it as it is (no element around it) otherwise."""
    return Localized() if right_to_left() else nullcontext()


@solara.component
def Layout(children: list[Any] = []) -> solara.Element:  # noqa: B006 (Solara's way)
    """The layout of the served dashboard: Solara's ``AppLayout``, in Persian inside
    :func:`Localized`, the sidebar and the app bar included."""
    if not right_to_left():
        return solara.AppLayout(children=children)
    return Localized(children=[solara.AppLayout(children=children)])
