"""Comparing policies: replications under common random numbers, KPIs and t intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import stats

from crmsim import CRMModel, Policy, experiments
from crmsim.experiments import KPIS, compare, replication_seeds, run_kpis

SMALL = {"weeks": 26, "n_customers": 300, "progress": False}


@pytest.fixture(scope="module")
def result() -> experiments.ComparisonResult:
    policies = {"poor": Policy(service_quality=0.3), "good": Policy(service_quality=0.9)}
    # long enough for churn to be told apart: the first customers take weeks to arrive
    return compare(policies, replications=4, **(SMALL | {"weeks": 39, "n_customers": 500}))


def test_runs_are_tidy_one_row_per_policy_replication_and_kpi(result):
    runs = result.runs
    assert list(runs.columns) == ["policy", "replication", "kpi", "value"]
    assert runs.shape == (2 * 4 * len(KPIS), 4)
    assert list(runs["policy"].unique()) == ["poor", "good"]
    assert sorted(runs["replication"].unique()) == [0, 1, 2, 3]
    assert list(runs["kpi"].unique()) == list(KPIS)
    assert runs.groupby(["policy", "replication", "kpi"]).size().eq(1).all()


def test_summary_gives_mean_std_and_a_t_interval_per_policy_and_kpi(result):
    summary = result.summary()
    assert list(summary.columns) == ["n", "mean", "std", "ci_low", "ci_high"]
    assert summary.index.names == ["policy", "kpi"]
    assert len(summary) == 2 * len(KPIS)
    values = result.runs.query("policy == 'good' and kpi == 'profit'")["value"]
    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / np.sqrt(4)
    row = summary.loc[("good", "profit")]
    assert row["n"] == 4
    assert row["mean"] == pytest.approx(values.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (values.mean() - half, values.mean() + half)
    )
    finite = summary.dropna()
    assert (finite["ci_low"] <= finite["mean"]).all() and (
        finite["mean"] <= finite["ci_high"]
    ).all()
    narrower = result.summary(confidence=0.5).loc[("good", "profit")]
    assert narrower["ci_high"] - narrower["ci_low"] < row["ci_high"] - row["ci_low"]


def test_better_service_keeps_customers_longer(result):
    means = result.summary()["mean"]
    assert means[("good", "churn")] < means[("poor", "churn")]
    assert means[("good", "final_active")] > means[("poor", "final_active")]
    paired = result.differences("poor").loc[("good", "churn")]
    assert paired["ci_high"] < 0  # the whole interval says: less churn


def test_kpis_are_read_off_the_run(result):
    # compare draws keyed streams by default; a lone model draws sequentially unless told
    assert result.streams == "keyed"
    model = CRMModel(
        n_customers=500, policy=Policy(service_quality=0.9), rng=result.seeds[2], streams="keyed"
    )
    model.run(39, progress=False)
    frame = model.frame
    kpis = run_kpis(model)
    assert kpis["profit"] == pytest.approx(frame["profit"].sum())
    assert kpis["final_marketers"] == frame["marketer"].iloc[-1]
    assert kpis["final_tenure"] == pytest.approx(
        model.state.tenure[model.state.active_mask()].mean()
    )
    # the recorded seed reproduces the comparison's run
    recorded = result.wide().loc[("good", 2)]
    pd.testing.assert_series_equal(
        recorded, pd.Series(kpis, name=("good", 2)).rename_axis("kpi"), check_dtype=False
    )


def test_common_random_numbers_give_the_same_policy_the_same_results():
    policy = Policy(service_quality=0.6)
    same = compare(
        {"A": policy, "B": policy}, replications=3, weeks=26, n_customers=150, progress=False
    )
    wide = same.wide()
    np.testing.assert_array_equal(wide.loc["A"].to_numpy(), wide.loc["B"].to_numpy())
    # ... while the replications themselves differ
    assert wide.loc["A"]["acquired"].nunique() > 1
    assert wide["churn"].notna().all()
    assert (same.differences()["mean"] == 0).all()


def test_the_same_seed_repeats_a_comparison_and_another_seed_does_not():
    policies = {"A": Policy(), "B": Policy(respect=0.9)}
    args = {"replications": 2, "weeks": 13, "n_customers": 150, "progress": False}
    first, again = compare(policies, seed=5, **args), compare(policies, seed=5, **args)
    pd.testing.assert_frame_equal(first.runs, again.runs)
    assert not compare(policies, seed=6, **args).runs["value"].equals(first.runs["value"])


def test_replication_seeds_are_distinct_and_reproducible():
    seeds = replication_seeds(0, 50)
    assert len(set(seeds)) == 50
    assert seeds == replication_seeds(0, 50)
    assert seeds[:10] == replication_seeds(0, 10)  # more replications extend, not reshuffle
    assert seeds != replication_seeds(1, 50)


def test_plot_shows_a_kpi_with_interval_bars(result):
    fig = result.plot("churn")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_ylabel() == KPIS["churn"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["poor", "good"]
    assert len(ax.containers) == 2  # one error bar per policy
    with pytest.raises(ValueError, match="kpi must be one of"):
        result.plot("happiness")


def test_plot_keeps_long_policy_names_apart_and_the_legend_compact():
    names = ["no discount", "targeted: new customers", "blanket: all", "loyal and marketer"]
    many = compare({n: Policy(discount=0.05 * i) for i, n in enumerate(names)}, **SMALL)
    fig = many.plot("profit")
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    boxes = [label.get_window_extent(renderer) for label in ax.get_xticklabels()]
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left.x1 < right.x0, "neighbouring policy names overlap"
    assert "\n" in ax.get_xticklabels()[1].get_text()  # the long name was wrapped, not cut
    legend = ax.get_legend().get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    assert legend.x1 <= axes_box.x1 + 1, "the legend sits beside the axes, taking their width"
    assert legend.y0 >= axes_box.y1 - 1, "the legend covers the data"
    title = ax.title.get_window_extent(renderer)
    assert not title.overlaps(legend)


def test_text_table_lists_every_kpi_under_every_policy(result):
    text = result.to_text()
    assert text.splitlines()[0].split() == ["KPI", "poor", "good"]
    for kpi in KPIS:
        assert any(line.startswith(kpi) for line in text.splitlines())


@pytest.mark.parametrize(
    ("policies", "kwargs", "message"),
    [
        ({}, {}, "policies must be a non-empty"),
        ({"A": {"discount": 0.1}}, {}, r"policies\['A'\] must be a crmsim.Policy"),
        ({"": Policy()}, {}, "non-empty names"),
        ({"A": Policy()}, {"replications": 1}, "replications must be an integer >= 2"),
        ({"A": Policy()}, {"weeks": 12}, "weeks must be an integer >= 13"),
        ({"A": Policy()}, {"n_customers": 0}, "n_customers must be an integer >= 1"),
        ({"A": Policy()}, {"seed": -1}, "seed must be an integer >= 0"),
        ({"A": Policy()}, {"market": {"price": -1}}, "Market.price"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_argument(policies, kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare(policies, **({"replications": 2, "weeks": 13, "n_customers": 50} | kwargs))


def test_holm_adjusts_p_values_step_down_and_keeps_their_order():
    from crmsim.experiments import holm

    p = np.array([0.01, 0.04, np.nan, 0.03, 0.5])
    adjusted = holm(p)
    # four tests: 0.01 x 4, then max(0.04, 0.03 x 3) = 0.09, then max(0.09, 0.04 x 2), 0.5 x 1
    np.testing.assert_allclose(adjusted, [0.04, 0.09, np.nan, 0.09, 0.5])
    assert (adjusted[~np.isnan(p)] >= p[~np.isnan(p)]).all()


def test_differences_give_relative_effects_and_corrected_p_values():
    result = compare(
        {"poor": Policy(service_quality=0.3), "good": Policy(service_quality=0.9)},
        replications=10,
        weeks=52,
        n_customers=400,
        progress=False,
        workers=1,
    )
    table = result.differences("poor")
    assert {"relative", "p_value", "p_holm"} <= set(table.columns)
    revenue = table.loc[("good", "revenue")]
    poor_revenue = result.wide().xs("poor", level="policy")["revenue"].mean()
    assert revenue["relative"] == pytest.approx(revenue["mean"] / poor_revenue)
    tested = table["p_value"].notna()
    assert (table.loc[tested, "p_holm"] >= table.loc[tested, "p_value"]).all()
    assert (
        table.loc[("good", "cost_win_back"), "p_value"]
        != table.loc[("good", "cost_win_back"), "p_value"]
    )  # no win-back in either: nothing to test (NaN)
    assert table.loc[("good", "revenue"), "p_holm"] < 0.05  # better service sells more


def test_differences_in_shares_are_shown_in_percentage_points():
    from crmsim.experiments import format_difference, format_interval

    assert format_difference("churn", 0.012, 0.004, 0.02) == "+1.2 pp [+0.4, +2.0]"
    assert format_difference("profit", 1200.0, 400.0, 2000.0) == format_interval(
        "profit", 1200.0, 400.0, 2000.0
    )


def test_the_differences_plot_shows_only_what_moved_sorted_with_a_zero_line(result):
    ax = result.plot_differences().axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    table = result.differences()
    moved = table[table["p_value"].notna() & table["relative"].notna()]
    assert sorted(labels) == sorted(moved.index.get_level_values("kpi"))
    assert "cost_win_back" not in labels  # no policy moves it
    shown = moved.sort_values("relative").index.get_level_values("kpi")
    assert labels == list(shown)  # sorted by the size of the effect
    assert any(line.get_xdata()[0] == 0 for line in ax.get_lines())  # the zero line
    same = compare({"a": Policy(), "b": Policy()}, replications=2, weeks=13, n_customers=100,
                   progress=False, workers=1)  # fmt: skip
    with pytest.raises(ValueError, match="no KPI differs"):
        same.plot_differences()


def test_a_comparison_resumes_from_its_run_log_with_the_same_numbers(tmp_path):
    policies = {"plain": Policy(), "kind": Policy(respect=0.9)}
    kwargs = {"weeks": 13, "n_customers": 80, "progress": False, "workers": 1}
    whole = compare(policies, replications=3, **kwargs)
    compare(policies, replications=2, out_dir=tmp_path, **kwargs)  # stopped after two
    resumed = compare(policies, replications=3, out_dir=tmp_path, **kwargs)
    pd.testing.assert_frame_equal(resumed.runs, whole.runs)
    assert (tmp_path / "runs.jsonl").read_text().count("\n") == 6  # each run once
    with pytest.raises(ValueError, match="holds runs of a different experiment"):
        compare({"plain": Policy(), "other": Policy(respect=0.1)}, replications=2,
                out_dir=tmp_path, **kwargs)  # fmt: skip


def test_lever_spending_adds_the_discounts_given_to_every_cost_but_the_goods():
    model = CRMModel(n_customers=200, policy=Policy(discount=0.2, gift_value=3.0), rng=1)
    model.run(26, progress=False)
    frame, kpis = model.frame, run_kpis(model)
    assert kpis["discount_given"] == pytest.approx(frame["discount_given"].sum())
    assert kpis["discount_given"] > 0 and kpis["cost_gifts"] > 0
    spent = frame["discount_given"].sum() + frame["cost"].sum() - frame["cost_goods"].sum()
    assert kpis["lever_spending"] == pytest.approx(spent)


def test_returns_are_the_paired_profit_gain_per_extra_unit_of_lever_spending():
    result = compare(
        {"plain": Policy(), "ads": Policy(advertising=0.05), "frugal": Policy(respect=0.1)},
        replications=4, weeks=26, n_customers=200, progress=False, workers=1,
    )  # fmt: skip
    table = result.returns()
    assert list(table.index) == ["ads", "frugal"]
    wide = result.wide()
    gain = (wide.loc["ads"]["profit"] - wide.loc["plain"]["profit"]).mean()
    spent = (wide.loc["ads"]["lever_spending"] - wide.loc["plain"]["lever_spending"]).mean()
    ads = table.loc["ads"]
    assert (ads["gain"], ads["extra_spending"]) == pytest.approx((gain, spent))
    assert ads["return"] == pytest.approx(gain / spent)
    assert ads["ci_low"] < ads["return"] < ads["ci_high"]
    # advertising to 200 people pays here; spending less (less respect) has no return to show
    assert ads["ci_low"] > 0
    assert table.loc["frugal", "extra_spending"] < 0 and np.isnan(table.loc["frugal", "return"])
    with pytest.raises(ValueError, match="kpi must be one of"):
        result.returns(kpi="happiness")
