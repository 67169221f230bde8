"""The standard figures in Persian: every label translated, drawn in the shipped typeface,
tick labels in Persian digits; and in English exactly as before."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
from catalogs import catalog_file, extracted, fields  # noqa: E402
from figure_text import texts as figure_texts  # noqa: E402
from figure_text import titles as figure_titles  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from crmsim import CRMModel, analysis, i18n, plots  # noqa: E402
from crmsim.i18n import language, set_language  # noqa: E402
from crmsim.stages import CHURN_CAUSES  # noqa: E402
from crmsim.typefaces import PERSIAN_FAMILY  # noqa: E402

TERM_KINDS = {"stage", "tier", "cause", "trust", "kano", "channel"}
PERSIAN_LETTER = re.compile("[\u0600-\u06ff]")
LATIN_LETTER = re.compile("[A-Za-z]")
WESTERN_DIGIT = re.compile("[0-9]")
PERSIAN_DIGIT = re.compile("[۰-۹]")
# Stands for a name of terms.po (a stage, a tier, ...) that has no Persian entry yet, so that
# every label can be required to be Persian whether or not terms.po has landed.
FIGURES = [*plots.STANDARD_FIGURES, "time_to_tier"]


pytestmark = pytest.mark.usefixtures("english_afterwards")


@pytest.fixture(scope="module")
def model() -> CRMModel:
    # 30 weeks: two whole quarters, so the churn figure has its quarterly panel
    model = CRMModel(n_customers=300, rng=4)
    model.run(30, progress=False)
    return model


def _draw(name: str, model: CRMModel, into_axes: bool = False) -> Figure | Axes:
    ax = plots.make_figure().subplots() if into_axes else None
    if name == "time_to_tier":
        tiers = ("loyal",) if into_axes else ("loyal", "marketer")
        curves = {tier: analysis.time_to_tier(model, tier) for tier in tiers}
        return plots.time_to_tier(curves, ax=ax, min_at_risk=1)
    return plots.STANDARD_FIGURES[name](model.frame, ax=ax)


def _catalog(name: str) -> dict[str | tuple[str, str], str]:
    return {(m.context, m.id) if m.context else m.id: m.string for m in catalog_file(name)}


# ---------------------------------------------------------------------------- the catalog
def test_every_message_of_the_figures_has_a_persian_entry(capsys):
    marked = [(m.context, m.message) for m in extracted([plots.__file__])]
    # babel warns on stderr of a message it cannot take as written (an f-string in _())
    assert capsys.readouterr().err == ""
    own = {message for context, message in marked if context is None}
    assert len(own) > 50, "the extraction missed the figures' messages"
    figures, shared = _catalog("plots.po"), _catalog("core.po")
    missing = sorted(m for m in own if not (figures.get(m) or shared.get(m)))
    assert not missing, f"messages of plots.py without Persian in plots.po: {missing}"
    # every entry of plots.po is still in use, and none repeats a word core.po shares
    assert sorted(set(figures) - own) == []
    assert sorted(set(figures) & set(shared)) == []
    for message, persian in figures.items():
        assert fields(persian) == fields(message), f"{message!r}: placeholders differ"
    # names spelt out in plots.py are terms.po's, in its contexts
    assert {context for context, _message in marked if context} <= TERM_KINDS


def test_plots_never_uses_the_translation_function_as_a_throwaway_name():
    tree = ast.parse(Path(plots.__file__).read_text(encoding="utf-8"))
    rebound = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store))
        or (isinstance(node, ast.arg) and node.arg == "_")
    ]
    assert rebound == []


# ---------------------------------------------------------------------------- Persian
@pytest.fixture
def persian():
    with language("fa"):
        yield


@pytest.mark.parametrize("into_axes", [False, True], ids=["figure", "ax"])
@pytest.mark.parametrize("name", FIGURES)
def test_a_persian_figure_is_all_persian_in_its_typeface(model, persian, name, into_axes):
    with warnings.catch_warnings():
        # matplotlib warns of each glyph its typefaces lack (and draws a box for it)
        warnings.simplefilter("error")
        drawn = _draw(name, model, into_axes)
        fig = drawn if isinstance(drawn, Figure) else drawn.figure
        FigureCanvasAgg(fig).draw()
    axes = fig.axes if isinstance(drawn, Figure) else [drawn]
    texts = figure_texts(fig, axes)
    english = [text for text in texts if LATIN_LETTER.search(text)]
    assert not english, f"{name}: left in English: {english}"
    assert all(PERSIAN_LETTER.search(text) for text in figure_titles(fig, axes) if text)
    assert any(figure_titles(fig, axes))
    assert PERSIAN_LETTER.search(axes[-1].get_xlabel())
    for a in axes:
        if a.get_xlabel():
            assert PERSIAN_LETTER.search(a.get_xlabel())
        if a.get_ylabel():
            assert PERSIAN_LETTER.search(a.get_ylabel())
        # panel titles start on the right, where a Persian reader starts
        assert not a.get_title(loc="left")
        ticks = [t.get_text() for t in (*a.get_xticklabels(), *a.get_yticklabels())]
        assert not [t for t in ticks if WESTERN_DIGIT.search(t)], f"{name}: {ticks}"
        assert any(PERSIAN_DIGIT.search(t) for t in ticks)
        for text in (a.title, a.xaxis.label, a.yaxis.label, *a.get_yticklabels()):
            assert text.get_fontfamily()[0] == PERSIAN_FAMILY


def test_persian_numbers_in_labels_and_legends(model, persian):
    causes = plots.churn_causes(model.frame).axes[0]
    lost = {cause: int(model.frame[f"lost_{cause}"].sum()) for cause in CHURN_CAUSES}
    entries = [t.get_text() for t in causes.get_legend().get_texts()]
    assert sorted(entries) == sorted(
        f"{i18n.pgettext('cause', cause)} ({i18n.format_number(n, ',')})"
        for cause, n in lost.items()
        if cause != "moved"
    )
    trust = plots.trust_composition(model.frame).axes[0]
    assert trust.get_ylabel() == "میانگین اعتماد مشتریان فعال (از ۰ تا ۱)"
    churn = plots.churn_and_acquisition(model.frame).axes[2]
    quarters = analysis.period_churn(model.frame, 13)["churn"].dropna()
    assert [t.get_text() for t in churn.texts] == [i18n.format_number(v, ".0%") for v in quarters]
    long_run = pd.DataFrame({"week": range(520)} | {f"lost_{c}": 1 for c in CHURN_CAUSES})
    assert plots.churn_causes(long_run).axes[0].get_ylabel() == (
        "مشتریان ازدست\u200cرفته در هر ۱۳ هفته"
    )


def test_persian_standard_figures_carry_the_runs_label(model, persian):
    figures = plots.standard_figures(model.frame, label="اجرای نخست")
    assert figures["profit"].get_suptitle() == "درآمد، هزینه و سود — اجرای نخست"
    assert all("اجرای نخست" in " ".join(figure_titles(fig, fig.axes)) for fig in figures.values())


# ---------------------------------------------------------------------------- English
def test_english_figures_are_as_they_were(model):
    with language("fa"):
        plots.stages_over_time(model.frame)  # Persian first: nothing of it may linger
    stages = plots.stages_over_time(model.frame).axes[0]
    assert stages.get_title() == "Customers by relationship stage" == plots.TITLES["stages"]
    assert stages.get_ylabel() == "people in the market"
    assert stages.get_xlabel() == "week"
    assert [t.get_text() for t in stages.get_legend().get_texts()] == [
        *reversed(plots.STAGE_COLOURS)
    ]
    assert stages.title.get_fontfamily()[0] != PERSIAN_FAMILY
    assert type(stages.yaxis.get_major_formatter()).__name__ == "StrMethodFormatter"

    fig = plots.profit(model.frame)
    top, bottom = fig.axes
    assert fig.get_suptitle() == "Revenue, cost and profit"
    assert top.get_title(loc="left") == "Each week" and not top.get_title(loc="right")
    assert bottom.get_title(loc="left") == "Cumulative profit"
    assert (top.get_ylabel(), bottom.get_ylabel()) == ("money per week", "money since week 0")

    curve = analysis.time_to_tier(model, "loyal")
    ttt = plots.time_to_tier({"loyal": curve}, min_at_risk=1)
    assert ttt.get_suptitle() == "Time to a tier: every customer acquired, from the first purchase"
    customers = curve.attrs["customers"]
    assert ttt.axes[0].get_title(loc="left") == f"to loyal (of {customers:,} acquired)"
    assert ttt.axes[0].get_ylabel() == "share of customers acquired"


# ------------------------------------------------------------ a notebook's own pyplot figure
def _pyplot_figure() -> tuple[Figure, Axes]:
    """A figure as a notebook draws it: pyplot, its own formatter and labels, set after."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    fig, ax = plt.subplots()
    ax.bar(["first purchase", "weeks 1-4"], [0.52, 0.25])
    ax.yaxis.set_major_formatter(PercentFormatter(1))
    ax.text(0, 0.55, "1,234 شکست")
    ax.set_title("rng=3")
    ax.plot([0, 1], [0.1, 0.2], label="نیمی: 0.5")
    ax.legend()
    fig.canvas.draw()
    plt.close(fig)
    return fig, ax


def _all_texts(fig: Figure) -> list[str]:
    return [text.get_text() for text in fig.findobj(matplotlib.text.Text) if text.get_text()]


def test_a_notebooks_pyplot_figure_writes_its_numbers_in_persian_digits():
    set_language("fa")
    try:
        fig, ax = _pyplot_figure()
    finally:
        set_language(None)
    ticks = [label.get_text() for label in ax.get_yticklabels()]
    assert ticks and all(PERSIAN_DIGIT.search(t) and not WESTERN_DIGIT.search(t) for t in ticks)
    assert "۵۰٪" in ticks
    texts = _all_texts(fig)
    assert "۱٬۲۳۴ شکست" in texts and "نیمی: ۰٫۵" in texts
    assert "rng=3" in texts  # Latin text, such as code, keeps its digits
    assert ax.title.get_fontfamily()[0] == PERSIAN_FAMILY


def test_back_in_english_a_pyplot_figure_is_matplotlibs_own():
    set_language("fa")
    set_language("fa")  # chosen twice, the hook is listed once
    assert matplotlib.rcParams["figure.hooks"].count("crmsim.plots:localize_when_drawn") == 1
    set_language(None)
    assert "crmsim.plots:localize_when_drawn" not in matplotlib.rcParams["figure.hooks"]
    fig, ax = _pyplot_figure()
    assert "1,234 شکست" in _all_texts(fig) and "نیمی: 0.5" in _all_texts(fig)
    assert [label.get_text() for label in ax.get_yticklabels()][-1].endswith("%")


def test_a_categorical_axis_shows_the_names_the_catalog_knows_in_persian():
    import matplotlib.pyplot as plt

    names = ["first purchase", "weeks 1-4", "a name of no catalog 7"]
    set_language("fa")
    try:
        fig, ax = plt.subplots()
        ax.bar(names, [3, 2, 1])
        fig.canvas.draw()
        plt.close(fig)
        shown = [label.get_text() for label in ax.get_xticklabels()]
    finally:
        set_language(None)
    assert shown == ["نخستین خرید", "هفته‌های ۱ تا ۴", "a name of no catalog 7"]


def test_a_legend_of_names_from_the_data_shows_the_courses_terms_in_persian():
    import matplotlib.pyplot as plt

    names = ["exploration", "identification", "phone", "opening_discount"]
    set_language("fa")
    try:
        fig, ax = plt.subplots()
        for offset, name in enumerate(names):
            ax.plot([0, 1], [offset, offset], label=name)
        ax.legend()
        fig.canvas.draw()
        plt.close(fig)
    finally:
        set_language(None)
    shown = [text.get_text() for text in ax.get_legend().get_texts()]
    with language("fa"):
        kinds = ("stage", "trust", "channel")
        terms = [plots.terms.term(k, n) for k, n in zip(kinds, names[:3], strict=True)]
    assert shown == [*terms, "opening_discount"]  # a scenario's name is typed as it is
    assert all(PERSIAN_LETTER.search(text) for text in terms)
