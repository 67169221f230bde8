"""The standard figures: titled, labelled, drawn from the frame they were given, backend-neutral."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle, StepPatch

from crmsim import CRMModel, Market, plots
from crmsim.stages import CHURN_CAUSES

WEEKS = 30  # two complete quarters, so the quarterly churn panel appears


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    model = CRMModel(n_customers=300, rng=4, history=False)
    model.run(WEEKS, progress=False)
    return model.frame


def _title(fig: Figure) -> str:
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return suptitle or " ".join(ax.get_title() for ax in fig.axes)


def _data_lines(fig: Figure) -> list[Line2D]:
    # Reference lines (axhline) have two points; data lines have one per week.
    return [line for ax in fig.axes for line in ax.get_lines() if len(line.get_xdata()) > 2]


def _line(ax, label: str) -> Line2D:
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return line


def _bar_series(ax) -> dict[str, StepPatch]:
    """The bar series of ``ax`` by label: each one artist holding all its bars."""
    return {p.get_label(): p for p in ax.patches if isinstance(p, StepPatch)}


def _bars(patch: StepPatch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Centres, widths, bottoms and heights of the bars of one series (gaps left out)."""
    data = patch.get_data()
    left, right = data.edges[0::2], data.edges[1::2]
    bottoms = data.baseline[0::2]
    assert np.isnan(data.values[1::2]).all(), "the gaps between bars are not empty"
    return (left + right) / 2, right - left, bottoms, data.values[0::2] - bottoms


def _pixels(fig: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)  # what saving as PNG renders with
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("name", list(plots.STANDARD_FIGURES))
def test_every_standard_figure_is_titled_labelled_and_has_a_legend(frame, name):
    fig = plots.STANDARD_FIGURES[name](frame)
    assert isinstance(fig, Figure)
    assert _title(fig).strip()
    assert fig.axes[-1].get_xlabel() == "week"
    for ax in fig.axes:
        assert ax.get_ylabel(), f"{name}: a panel without a y label"
        assert ax.get_legend() is not None, f"{name}: a panel without a legend"


@pytest.mark.parametrize("name", list(plots.STANDARD_FIGURES))
def test_every_data_line_has_one_point_per_week(frame, name):
    fig = plots.STANDARD_FIGURES[name](frame)
    for line in _data_lines(fig):
        assert len(line.get_xdata()) == len(frame)
        np.testing.assert_array_equal(line.get_xdata(), frame["week"])


@pytest.mark.parametrize("name", list(plots.STANDARD_FIGURES))
def test_with_ax_a_figure_function_draws_there_and_returns_the_axes(frame, name):
    fig = plots.make_figure()
    ax = fig.subplots()
    assert plots.STANDARD_FIGURES[name](frame, ax=ax) is ax
    assert ax.get_title() and ax.get_xlabel() == "week" and ax.get_ylabel()
    assert ax.has_data()


def test_stages_stack_every_stage_and_sum_to_the_market(frame):
    fig = plots.stages_over_time(frame)
    ax = fig.axes[0]
    stacks = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert [c.get_label() for c in stacks] == list(plots.STAGE_COLOURS)
    assert ax.get_ylim()[1] == pytest.approx(300)  # everyone in the market, in some stage
    assert ax.get_ylabel() == "people in the market"


def test_tier_lines_show_the_customers_and_a_stack_of_everyone_else(frame):
    fig = plots.tiers_over_time(frame)
    top, bottom = fig.axes
    for tier in ("actual", "loyal", "marketer"):
        np.testing.assert_array_equal(_line(top, tier).get_ydata(), frame[tier])
    total = frame[["actual", "loyal", "marketer"]].sum(axis=1)
    np.testing.assert_array_equal(_line(top, "all customers").get_ydata(), total)
    # the former customers, hatched by the highest tier they reached, then the prospects
    stacks = [c for c in bottom.collections if isinstance(c, PolyCollection)]
    labels = ["former actual", "former loyal", "former marketer", "prospect"]
    assert [c.get_label() for c in stacks] == labels
    assert all(c.get_hatch() for c in stacks[:3]) and not stacks[3].get_hatch()
    former = frame[["former_actual", "former_loyal", "former_marketer"]].sum(axis=1)
    assert former.iloc[-1] > 0
    # the stack's top is everyone who is not a customer
    top_of_stack = stacks[-1].get_paths()[0].vertices[:, 1].max()
    assert top_of_stack == pytest.approx((former + frame["prospect"]).max())
    assert (former + frame["prospect"] + total == 300).all()


def test_with_ax_the_tier_figure_keeps_the_former_customers_as_dashed_lines(frame):
    ax = plots.make_figure().subplots()
    plots.tiers_over_time(frame, ax=ax)
    for tier in ("actual", "loyal", "marketer"):
        line = _line(ax, f"former {tier}")
        np.testing.assert_array_equal(line.get_ydata(), frame[f"former_{tier}"])
        assert line.get_linestyle() == "--"


def test_time_to_tier_stacks_the_shares_under_the_survival_curve():
    from crmsim import analysis

    model = CRMModel(n_customers=400, rng=2)
    model.run(60, progress=False)
    curves = {tier: analysis.time_to_tier(model, tier) for tier in ("loyal", "marketer")}
    fig = plots.time_to_tier(curves, min_at_risk=1)
    assert len(fig.axes) == 2 and _title(fig).strip()
    for ax, (tier, curve) in zip(fig.axes, curves.items(), strict=True):
        assert ax.get_title(loc="left").startswith(f"to {tier}")
        assert ax.get_xlabel() == "weeks since first purchase"
        line = _line(ax, "not there yet (survival curve)")
        np.testing.assert_array_equal(line.get_ydata(), curve["share_not_yet"])
        stacks = [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert [c.get_label() for c in stacks] == [
            "left before reaching it",
            "still a customer, not there yet",
            "reached it",
        ]
    assert fig.axes[-1].get_legend() is not None
    # weeks followed by too few customers are left out
    few = plots.time_to_tier(curves["loyal"], min_at_risk=50)
    kept = curves["loyal"][curves["loyal"]["at_risk"] >= 50]
    assert len(_line(few.axes[0], "not there yet (survival curve)").get_xdata()) == len(kept)
    ax = plots.make_figure().subplots()
    assert plots.time_to_tier(curves["loyal"], ax=ax) is ax
    with pytest.raises(ValueError, match="ax= takes one curve"):
        plots.time_to_tier(curves, ax=ax)


def test_churn_figure_shows_weekly_churn_and_the_quarters_of_the_course_definition(frame):
    fig = plots.churn_and_acquisition(frame)
    bars, weekly, quarterly = fig.axes
    np.testing.assert_array_equal(_line(weekly, "weekly").get_ydata(), frame["churn_rate"])
    assert len([p for p in quarterly.patches if isinstance(p, Rectangle)]) == WEEKS // 13


def test_churn_figure_bars_are_one_artist_per_series_holding_each_weeks_count(frame):
    bars = plots.churn_and_acquisition(frame).axes[0]
    series = _bar_series(bars)
    won_back = frame["won_back"].to_numpy()
    returned = frame["returned"].to_numpy()
    labels = [
        "new customers",
        *(["won back"] if won_back.any() else []),
        *(["came back on their own"] if returned.any() else []),
        "lost (shown below 0)",
    ]
    assert list(series) == labels
    assert len(bars.patches) == len(labels)  # not one rectangle per week
    assert [t.get_text() for t in bars.get_legend().get_texts()] == labels
    acquired = frame["acquired"].to_numpy()
    expected = {
        "new customers": (0, acquired, plots.OKABE_ITO["blue"]),
        "won back": (acquired, won_back, plots.OKABE_ITO["sky_blue"]),
        "came back on their own": (
            acquired + won_back,
            returned,
            plots.OKABE_ITO["bluish_green"],
        ),
        "lost (shown below 0)": (0, -frame["lost"].to_numpy(), plots.OKABE_ITO["vermillion"]),
    }
    for label in labels:
        centres, widths, bottoms, heights = _bars(series[label])
        bottom, height, colour = expected[label]
        np.testing.assert_array_equal(centres, frame["week"])
        np.testing.assert_allclose(widths, 0.9)
        np.testing.assert_array_equal(bottoms, np.broadcast_to(bottom, len(frame)))
        np.testing.assert_array_equal(heights, height)
        assert matplotlib.colors.same_color(series[label].get_facecolor(), colour), label
    assert -_bars(series["lost (shown below 0)"])[3].sum() == frame["lost"].sum()


def test_one_artist_bars_look_exactly_like_matplotlib_bars():
    rng = np.random.default_rng(1)
    x = np.arange(240)  # over 1,024 points per series: matplotlib would not snap them
    low, high = rng.integers(0, 30, len(x)), rng.integers(0, 20, len(x))
    drawn, limits = [], []
    for one_artist in (False, True):
        fig = plots.make_figure(figsize=(8, 3), dpi=100)
        ax = fig.subplots()
        for bottom, height, colour in ((0, low, "C0"), (low, high, "C1"), (0, -high, "C3")):
            if one_artist:
                plots._bars(ax, x, height, width=0.9, bottom=bottom, color=colour, label=colour)
            else:
                ax.bar(x, height, width=0.9, bottom=bottom, color=colour, label=colour)
        limits.append((ax.get_xlim(), ax.get_ylim()))  # autoscaled to the bars
        ax.set_xlim(-0.5, len(x) - 0.5)
        ax.legend()
        drawn.append(_pixels(fig))
    np.testing.assert_allclose(limits[0], limits[1])
    np.testing.assert_array_equal(drawn[0], drawn[1])


def test_a_frame_read_from_csv_has_no_loss_log_so_quarterly_churn_needs_it_passed(frame, tmp_path):
    frame.to_csv(tmp_path / "weekly.csv", index=False)
    from_csv = pd.read_csv(tmp_path / "weekly.csv")
    assert len(plots.churn_and_acquisition(from_csv).axes) == 2
    with_log = plots.churn_and_acquisition(from_csv, losses=frame.attrs["losses"])
    assert len(with_log.axes) == 3


def test_trust_lines_are_the_frame_means_and_blank_while_nobody_is_active(frame):
    ax = plots.trust_composition(frame).axes[0]
    calculus = _line(ax, "calculus-based").get_ydata()
    active = frame["active"].to_numpy() > 0
    np.testing.assert_allclose(calculus[active], frame["trust_calculus"][active])
    assert np.isnan(calculus[~active]).all()
    assert ax.get_ylim() == (0, 1)


def test_profit_figure_accumulates_profit(frame):
    top, bottom = plots.profit(frame).axes
    for column in ("revenue", "cost", "profit"):
        np.testing.assert_allclose(_line(top, column).get_ydata(), frame[column])
    cumulative = _line(bottom, "cumulative profit").get_ydata()
    np.testing.assert_allclose(cumulative, frame["profit"].cumsum())


def test_referrals_against_negative_word_of_mouth(frame):
    top, bottom = plots.referrals_and_word_of_mouth(frame).axes
    np.testing.assert_array_equal(_line(top, "referrals").get_ydata(), frame["referrals"])
    np.testing.assert_array_equal(
        _line(bottom, "negative word of mouth").get_ydata(), frame["negative_wom"].cumsum()
    )


def test_churn_cause_bars_add_up_to_the_losses_of_each_cause(frame):
    ax = plots.churn_causes(frame).axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    # a closed market shows no "moved" (nobody can leave the category)
    assert frame["lost_moved"].sum() == 0
    shown = [cause for cause in CHURN_CAUSES if cause != "moved"]
    assert sorted(labels) == sorted(f"{c} ({int(frame[f'lost_{c}'].sum()):,})" for c in shown)
    series = list(_bar_series(ax).values())
    assert len(series) == len(ax.patches) == len(shown)
    top = np.zeros(len(frame))
    for cause, patch in zip(shown, series, strict=True):
        centres, _, bottoms, heights = _bars(patch)
        np.testing.assert_array_equal(centres, frame["week"])  # 30 weeks: one bar a week
        np.testing.assert_array_equal(bottoms, top)  # stacked on the causes before
        np.testing.assert_array_equal(heights, frame[f"lost_{cause}"])
        top = top + heights
    np.testing.assert_array_equal(top, frame["lost"])


def test_long_runs_are_binned_into_readable_bars():
    assert plots._bin_width(52) == 1
    assert plots._bin_width(156) == 4
    assert plots._bin_width(520) == 13
    weeks = 520
    frame = pd.DataFrame({"week": np.arange(weeks)} | {f"lost_{c}": 1 for c in CHURN_CAUSES})
    ax = plots.churn_causes(frame).axes[0]
    assert len(ax.patches) == len(CHURN_CAUSES)
    for patch in ax.patches:
        centres, widths, _, heights = _bars(patch)
        assert len(heights) == weeks // 13
        np.testing.assert_array_equal(heights, 13)  # one lost per week and cause
        np.testing.assert_array_equal(centres, np.arange(0, weeks, 13) + 6)
        np.testing.assert_allclose(widths, 0.9 * 13)
    assert ax.get_ylabel() == "customers lost per 13 weeks"


def test_standard_figures_carry_a_label_and_save_as_png(frame, tmp_path):
    figures = plots.standard_figures(frame, label="my run")
    assert set(figures) == set(plots.STANDARD_FIGURES)
    assert all("my run" in _title(fig) for fig in figures.values())
    paths = plots.save_standard_figures(frame, tmp_path / "figs", dpi=40)
    assert [p.name for p in paths] == [f"{key}.png" for key in plots.STANDARD_FIGURES]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plotting_leaves_the_backend_and_pyplot_alone(frame):
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    open_before = plt.get_fignums()
    fig = plots.profit(frame)
    assert matplotlib.get_backend() == backend
    assert plt.get_fignums() == open_before
    # A notebook shows the returned figure through its PNG representation.
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_frames_are_rejected_with_the_reason(frame):
    with pytest.raises(ValueError, match="no rows"):
        plots.profit(frame.iloc[:0])
    with pytest.raises(ValueError, match="lacks the column.*'profit'"):
        plots.profit(frame.drop(columns="profit"))
    with pytest.raises(ValueError, match="DataFrame"):
        plots.stages_over_time([1, 2, 3])


def test_an_open_market_shows_the_customers_who_left_the_category():
    model = CRMModel(n_customers=500, market=Market(category_turnover=0.02), rng=3)
    model.run(weeks=30, progress=False)
    frame = model.frame
    ax = plots.churn_causes(frame).axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert f"moved ({int(frame['lost_moved'].sum()):,})" in labels
    assert len(_bar_series(ax)) == len(CHURN_CAUSES)
