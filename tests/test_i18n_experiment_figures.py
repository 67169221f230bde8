"""The strategist's figures (crmsim.experiments) in Persian: titles, axis labels and legends
translated, KPIs by their Persian names, numbers and tick labels in Persian digits, drawn in the
shipped typeface; the names an experiment was given (policies, levers, parameters) as written.
In English every figure reads exactly as before.

The experiments are tiny (60 customers, 13 or 26 weeks, 2 replications): the figures' words
are what is tested, not what the runs find.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
from catalogs import extracted, fields, persian_text, singular  # noqa: E402
from figure_text import texts as figure_texts  # noqa: E402
from figure_text import titles as figure_titles  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from crmsim import Policy, plots  # noqa: E402
from crmsim.experiments import (  # noqa: E402
    KPIS,
    compare,
    latin_hypercube,
    optimize,
    sensitivity,
    sweep,
)
from crmsim.experiments.formatting import _unit  # noqa: E402
from crmsim.i18n import language  # noqa: E402
from crmsim.typefaces import PERSIAN_FAMILY  # noqa: E402

SOURCE = Path(__file__).resolve().parents[1] / "src" / "crmsim" / "experiments"
PERSIAN_LETTER = re.compile("[\u0600-\u06ff]")
WESTERN_DIGIT = re.compile("[0-9]")
PERSIAN_DIGIT = re.compile("[۰-۹]")

SMALL = {"replications": 2, "weeks": 13, "n_customers": 60, "progress": False, "workers": 1}
#: A name with a full stop, a hyphen, digits and a per cent sign: kept as written in Persian.
ODD_NAME = "win-back 10%"
POLICIES = {
    "plain": Policy(),
    "kind": Policy(respect=0.9, service_quality=0.9),
    ODD_NAME: Policy(discount=0.1, win_back=0.2),
}
GRID = {"service_quality": [0.5, 0.9], "market.trial_rate": [0.08, 0.16]}
SCATTERED = {"respect": (0.2, 1.0), "discount": (0.0, 0.3)}
LEVERS = {"discount": (0.0, 0.4), "gift_every": (1, 8)}
ROLES = {"service_quality": (0.4, 0.95), "market.unit_cost": (8.0, 16.0)}
#: Names that are data, not messages: shown as they were given.
PARAMETERS = {*GRID, *SCATTERED, *LEVERS, *ROLES}


pytestmark = pytest.mark.usefixtures("english_afterwards")


@pytest.fixture(scope="module")
def results() -> dict:
    """One small experiment of each kind (about 4 s in all)."""
    longer = SMALL | {"weeks": 26}  # churn needs a quarter with customers at its start
    return {
        "comparison": compare(POLICIES, **SMALL),
        "grid": sweep(GRID, **SMALL),
        "scattered": sweep(latin_hypercube(SCATTERED, n=5, seed=1), **SMALL),
        "search": optimize(LEVERS, kpi="profit", trials=4, batch=2, **SMALL),
        "morris": sensitivity(ROLES, trajectories=2, **longer),
        "sobol": sensitivity(ROLES, method="sobol", samples=4, **longer),
    }


def _into_axes() -> Axes:
    return plots.make_figure().subplots()


#: Every figure the experiments draw, by a name for the test ids: (result, how to draw it).
FIGURES: dict[str, tuple[str, Callable]] = {
    "compare.plot": ("comparison", lambda r: r.plot("profit")),
    "compare.plot(ax)": ("comparison", lambda r: r.plot("churn", ax=_into_axes())),
    "compare.plot_kpis": ("comparison", lambda r: r.plot_kpis(["churn", "profit", "clv"])),
    "compare.plot_differences": ("comparison", lambda r: r.plot_differences()),
    "sweep.plot": ("grid", lambda r: r.plot("profit")),
    "sweep.plot(ax)": ("scattered", lambda r: r.plot("acquired", ax=_into_axes())),
    "sweep.plot_kpis": ("grid", lambda r: r.plot_kpis()),
    "sweep.plot_surface": ("grid", lambda r: r.plot_surface("profit")),
    "sweep.plot_surface(ax)": ("scattered", lambda r: r.plot_surface("acquired", ax=_into_axes())),
    "optimize.plot": ("search", lambda r: r.plot()),
    "sensitivity.plot(morris)": ("morris", lambda r: r.plot()),
    "sensitivity.plot(sobol)": ("sobol", lambda r: r.plot()),
}


def _draw(name: str, results: dict) -> tuple[Figure, list[Axes]]:
    """Draw a figure, rendered (every glyph must be in the typefaces: a missing one warns)."""
    kind, draw = FIGURES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drawn = draw(results[kind])
        fig = drawn if isinstance(drawn, Figure) else drawn.figure
        FigureCanvasAgg(fig).draw()
    if isinstance(drawn, Figure):
        return fig, [ax for ax in fig.axes if ax.get_visible()]
    # drawn into given axes: those axes, and a surface's colour bar beside them
    return fig, [ax for ax in fig.axes if ax is drawn or ax in _colour_bars(drawn)]


def _colour_bars(ax: Axes) -> list[Axes]:
    return [image.colorbar.ax for image in (*ax.images, *ax.collections) if image.colorbar]


def _is_data(text: str) -> bool:
    """A parameter's name, or a line's parameters and values (``market.trial_rate = 0.08``)."""
    return text in PARAMETERS or all(
        part.split(" = ")[0] in PARAMETERS and " = " in part for part in re.split("، |, ", text)
    )


#: A letter of any script (not a digit): tick labels with one are names.
LETTER = re.compile(r"[^\W\d_]")


def _names_axis(axis) -> bool:
    """Whether an axis's tick labels are names (policies, parameters, KPIs), not numbers."""
    return any(LETTER.search(label.get_text()) for label in axis.get_ticklabels())


# ---------------------------------------------------------------------------- the catalog
def test_every_message_of_the_experiments_has_its_persian_with_its_placeholders(capsys):
    marked = extracted(sorted(SOURCE.glob("*.py")))
    # babel warns on stderr of a message it cannot take as written (an f-string in _())
    assert capsys.readouterr().err == ""
    messages = {(m.context, form) for m in marked for form in _forms(m.message)}
    assert len(messages) > 40, "the extraction missed the figures' messages"
    for figure_word in ("policy", "best so far", "Search for the highest {kpi}", "Sobol indices"):
        assert (None, figure_word) in messages
    for context, message in sorted(messages, key=str):
        persian = persian_text(context, singular(message))
        assert persian, f"no Persian for {message!r}"
        assert fields(persian) == fields(message), f"{message!r}: placeholders differ"
        if re.search("[A-Za-z]{3}", re.sub(r"\{\w*\}", "", message)):
            assert PERSIAN_LETTER.search(persian), f"{message!r} is not translated"
        assert not WESTERN_DIGIT.search(re.sub(r"\{\w*\}|[A-Za-z]\w*", "", persian)), persian


def _forms(message: str | tuple[str, ...]) -> tuple[str, ...]:
    return (message,) if isinstance(message, str) else message


def test_every_kpi_has_a_persian_description_and_unit_for_its_axis():
    # looked up by a name held in a variable, which extraction cannot see
    for kpi, description in KPIS.items():
        persian = persian_text("kpi description", description)
        assert PERSIAN_LETTER.search(persian), f"{kpi}: no Persian for {description!r}"
        assert not WESTERN_DIGIT.search(persian), persian
        assert persian.endswith(f"({persian_text('unit', _unit(kpi))})"), persian
    units = {_unit(kpi) for kpi in KPIS}
    assert units == {"share", "customers", "people", "money", "weeks", "purchases"}
    assert all(PERSIAN_LETTER.search(persian_text("unit", unit)) for unit in units)


# ---------------------------------------------------------------------------- Persian
@pytest.mark.parametrize("name", FIGURES)
def test_a_persian_experiment_figure_is_all_persian_in_its_typeface(results, name):
    with language("fa"):
        fig, axes = _draw(name, results)
    texts = figure_texts(fig, axes)
    assert any(figure_titles(fig, axes))
    words = [text for text in texts if not _is_data(text)]
    assert words
    english = [t for t in words if not PERSIAN_LETTER.search(t) and not PERSIAN_DIGIT.search(t)]
    assert not english, f"{name}: left in English: {english}"
    # numbers are Persian; only a name that is data may keep its Latin letters
    western = [t for t in texts if WESTERN_DIGIT.search(t)]
    assert not western, f"{name}: Western digits in {western}"
    for text in figure_titles(fig, axes):
        assert not text or PERSIAN_LETTER.search(text), f"{name}: title {text!r}"
    for a in axes:
        for label in (a.get_xlabel(), a.get_ylabel()):
            assert not label or _is_data(label) or PERSIAN_LETTER.search(label), label
        for axis in (a.xaxis, a.yaxis):
            ticks = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
            if _names_axis(axis):
                continue  # names: see test_names_on_an_axis_are_shown_as_they_were_given
            assert not [t for t in ticks if WESTERN_DIGIT.search(t)], f"{name}: {ticks}"
        numbers = [
            t.get_text() for axis in (a.xaxis, a.yaxis) if not _names_axis(axis)
            for t in axis.get_ticklabels()
        ]  # fmt: skip
        if a.get_visible() and any(numbers):
            assert any(PERSIAN_DIGIT.search(t) for t in numbers), f"{name}: {numbers}"
        for text in (a.title, a.xaxis.label, a.yaxis.label, *a.get_yticklabels()):
            assert text.get_fontfamily()[0] == PERSIAN_FAMILY, f"{name}: {text}"


def test_persian_figures_name_kpis_and_settings_in_persian(results):
    comparison, search = results["comparison"], results["search"]
    with language("fa"):
        ax = comparison.plot("profit").axes[0]
        assert ax.get_title() == "سود: ۲ تکرار ۱۳ هفته\u200cای، ۶۰ مشتری"
        assert ax.get_ylabel() == "سود در طول اجرا (واحد پول)"
        assert ax.get_xlabel() == "سیاست"
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["تکرارها", "میانگین، بازهٔ اطمینان ۹۵٪"]
        narrower = comparison.plot("churn", confidence=0.9).axes[0].get_legend()
        assert narrower.get_texts()[1].get_text() == "میانگین، بازهٔ اطمینان ۹۰٪"
        top = search.plot().axes[0]
        assert top.figure.get_suptitle() == "جستجوی بیشترین سود"
        assert top.get_xlabel() == "آزمایش"
        assert "بهترین تا اینجا" in [t.get_text() for t in top.get_legend().get_texts()]
        surface = results["grid"].plot_surface("acquired", ax=_into_axes())
        bar = _colour_bars(surface)[0]
        assert bar.get_ylabel() == "مشتریان جدید (مشتری)"
        assert all(PERSIAN_DIGIT.search(t.get_text()) for t in bar.get_yticklabels())


def test_names_on_an_axis_are_shown_as_they_were_given(results):
    with language("fa"):
        fig = results["comparison"].plot("profit")
        FigureCanvasAgg(fig).draw()
        policies = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        fig = results["morris"].plot()
        FigureCanvasAgg(fig).draw()
        parameters = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        fig = results["comparison"].plot_differences()
        FigureCanvasAgg(fig).draw()
        effects = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # not "win−back ۱۰٪" nor "market٫unit_cost": a name is no number
    assert policies == ["plain", "kind", "win-back 10%"]
    assert sorted(parameters) == ["market.unit_cost", "service_quality"]
    # a KPI's Persian name beside its policy's: a Persian text, in Persian digits
    assert any(label.endswith("(kind)") and PERSIAN_LETTER.search(label) for label in effects)
    assert all(PERSIAN_LETTER.search(label) for label in effects)
    assert not any(WESTERN_DIGIT.search(label) for label in effects)


# ---------------------------------------------------------------------------- English
@pytest.mark.parametrize("name", FIGURES)
def test_an_english_experiment_figure_has_no_persian(results, name):
    with language("fa"):
        _draw(name, results)  # Persian first: nothing of it may linger
    fig, axes = _draw(name, results)
    texts = figure_texts(fig, axes)
    texts += [t.get_text() for a in axes for t in (*a.get_xticklabels(), *a.get_yticklabels())]
    assert not [t for t in texts if PERSIAN_LETTER.search(t) or PERSIAN_DIGIT.search(t)]
    for a in axes:
        assert a.title.get_fontfamily()[0] != PERSIAN_FAMILY
        for axis in (a.xaxis, a.yaxis):
            assert "Persian" not in type(axis.get_major_formatter()).__name__


def test_english_experiment_figures_read_as_they_did(results):
    comparison = results["comparison"]
    ax = comparison.plot("profit").axes[0]
    assert ax.get_title() == "profit: 2 replications of 13 weeks, 60 customers"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("policy", "profit over the run (money)")
    assert ax.get_ylabel() == KPIS["profit"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "replications",
        "mean, 95% confidence interval",
    ]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["plain", "kind", "win-back 10%"]
    kpis = comparison.plot_kpis(["churn", "profit"])
    assert kpis.get_suptitle() == (
        "2 replications of 13 weeks, 60 customers: each dot one run, black the mean with its "
        "95% confidence interval"
    )
    assert [(a.get_title(), a.get_ylabel()) for a in kpis.axes[:2]] == [
        ("churn", "share"),
        ("profit", "money"),
    ]
    effects = comparison.plot_differences()
    assert effects.get_suptitle() == "Paired effects: 2 replications of 13 weeks, 60 customers"
    assert effects.axes[0].get_xlabel() == "difference from plain, relative (95% interval)"
    assert [t.get_text() for t in effects.axes[0].get_legend().get_texts()][-1] == "not credible"

    grid = results["grid"]
    assert grid.plot("churn").axes[0].get_title() == (
        "churn: mean and 95% interval of 2 replications"
    )
    assert grid.plot_kpis().get_suptitle() == (
        "2 replications per point of 13 weeks, 60 customers (common random numbers)"
    )
    surface = grid.plot_surface("profit")
    assert surface.axes[0].get_title() == "profit: mean of 2 replications"
    assert surface.axes[1].get_ylabel() == "profit (money)"

    top, lever, _other = results["search"].plot().axes
    assert top.figure.get_suptitle() == "Search for the highest profit"
    assert top.get_title() == (
        "4 trials x 2 replications of 13 weeks, 60 customers, the same seeds for every trial"
    )
    assert (top.get_xlabel(), lever.get_xlabel(), lever.get_ylabel()) == (
        "trial",
        "discount",
        "profit",
    )
    assert {"best", "best so far"} <= {t.get_text() for t in top.get_legend().get_texts()}

    morris = results["morris"].plot()
    assert morris.get_suptitle() == (
        "Morris screening: 6 points × 2 replications of 26 weeks, 60 customers"
    )
    churn = morris.axes[0]
    assert churn.get_title() == "churn"
    assert churn.get_xlabel() == "effect on churn (share)\nof moving a parameter across its range"
    assert sorted(t.get_text() for t in churn.get_legend().get_texts()) == [
        "μ* (mean |effect|)",
        "σ (interactions, non-linearity)",
    ]
    sobol = results["sobol"].plot()
    assert sobol.get_suptitle().startswith("Sobol indices: 16 points × 2 replications")
    assert sobol.axes[1].get_xlabel() == "share of the variance of profit"
