"""Random streams: the sequential default unchanged, keyed streams reproducible, well
distributed, the same for a customer under any policy, and what pairing then buys."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from scipy import stats

import crmsim.episodes
import crmsim.week
from crmsim import CRMModel, Market, Policy, scenarios
from crmsim.experiments import compare
from crmsim.stages import LOYAL
from crmsim.streams import SITES, KeyedStream, Streams, check_mode

#: sha256 of the float64 bytes of a 60-week frame of 1,000 customers in sequential mode: the
#: default must not move unless a rule changes (the keyed streams must never move it).
#: Recomputed when every hazard of leaving came to scale with a proneness to leave, a complaint
#: to relieve the risk of leaving, the books to charge the channels, loyalty to need buying
#: past exploration and the frame to count former customers, and when the returns of former
#: customers (``reconsideration``) and the share of movers lost (``mover_loss``) got their
#: present defaults.
GOLDEN = {
    ("baseline", 2024, "small-world"): (
        "b0b4f65a01d7e879a0d65ae6594c40ba03c8221fd560a5db041f6e9d39b74585"
    ),
    ("customer_centric", 15, "scale-free"): (
        "2fc70411a2697b643874c06f0d8695fe05404a7e89d03f917814d1d9a7ad97f4"
    ),
}


def _frame_digest(name: str, seed: int, network: str, **extra: object) -> str:
    kwargs = scenarios.load(name).kwargs | {"n_customers": 1000}
    model = CRMModel(network=network, rng=seed, history=False, **kwargs, **extra)
    model.run(60, progress=False)
    frame = model.frame
    values = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    return hashlib.sha256(values.tobytes()).hexdigest()


@pytest.mark.parametrize("case", list(GOLDEN))
def test_the_sequential_default_is_unchanged_bit_for_bit(case):
    assert _frame_digest(*case) == GOLDEN[case]
    assert _frame_digest(*case, streams="sequential") == GOLDEN[case]


def test_keyed_runs_are_reproducible_and_differ_by_seed():
    def run(seed: int, streams: str = "keyed") -> CRMModel:
        model = CRMModel(n_customers=500, policy=Policy(win_back=0.2), rng=seed, streams=streams)
        model.run(40, progress=False)
        return model

    a, b = run(7), run(7)
    assert a.frame.equals(b.frame)
    for name in ("stage", "trust_calculus", "purchase_rate", "heard_negative"):
        assert np.array_equal(getattr(a.state, name), getattr(b.state, name))
    assert not a.frame.equals(run(8).frame)
    # the same market is built (the same people and network), but the weeks' luck differs
    sequential = run(7, "sequential")
    assert not a.frame.equals(sequential.frame)


class _NoDraws:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"a keyed run drew from the sequential generator ({name})")


@pytest.mark.parametrize("network", ["small-world", "scale-free", "well-mixed"])
def test_every_weekly_draw_of_a_keyed_run_is_keyed(network):
    policy = Policy(win_back=0.3, referral_reward=5.0, gift_value=3.0, service_variability=0.2)
    # a tenfold turnover, so that movers are lost and kept (the keep draw is keyed too)
    market = Market(category_turnover=0.0072)
    model = CRMModel(
        n_customers=400, policy=policy, market=market, network=network, rng=3, streams="keyed"
    )
    model.rng = _NoDraws()  # any draw from the one generator fails
    model.run(60, progress=False)
    frame = model.frame
    for outcome in ("failures", "referrals", "negative_wom", "won_back", "lost_moved"):
        assert frame[outcome].sum() > 0, outcome


@pytest.mark.parametrize("bad", ["Keyed", "", None, 1])
def test_a_bad_streams_value_names_the_field(bad):
    with pytest.raises(ValueError, match=r"^streams must be 'sequential' or 'keyed', got"):
        CRMModel(n_customers=10, streams=bad)
    with pytest.raises(ValueError, match="streams"):
        check_mode(bad)
    with pytest.raises(ValueError, match="streams"):
        compare({"a": Policy()}, replications=2, weeks=13, n_customers=10, streams=bad)


def test_an_unknown_site_is_refused():
    with pytest.raises(ValueError, match="unknown random stream site 'purchse'"):
        Streams(1).at(0, "purchse", np.arange(3))


# ---------------------------------------------------------------------------- distribution
def test_keyed_uniforms_are_uniform_and_unrelated():
    stream = Streams(12345).at(3, "purchase", np.arange(200_000))
    u = stream.random(200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    # mean 1/2 and variance 1/12 within 5 standard errors
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / len(u))
    assert abs(u.var() - 1 / 12) < 5 * np.sqrt(1 / 180 / len(u))
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # neighbouring rows, another week, another site, another slot: no correlation
    limit = 5 / np.sqrt(len(u))
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < limit
    others = [
        Streams(12345).at(4, "purchase", np.arange(200_000)).random(200_000),
        Streams(12345).at(3, "drift", np.arange(200_000)).random(200_000),
        Streams(12346).at(3, "purchase", np.arange(200_000)).random(200_000),
        stream.random((200_000, 2))[:, 1],
    ]
    for other in others:
        assert abs(np.corrcoef(u, other)[0, 1]) < limit
        assert not np.array_equal(u, other)


def test_keyed_normals_are_standard_normal():
    z = Streams(7).at(0, "respect", np.arange(50_000)).standard_normal((50_000, 2)).ravel()
    assert np.isfinite(z).all()
    assert abs(z.mean()) < 5 / np.sqrt(len(z))
    assert abs(z.std() - 1) < 0.01
    assert stats.kstest(z, "norm").pvalue > 1e-3


def test_keyed_integers_stay_in_range_and_cover_it():
    picks = Streams(2).at(5, "referral-contact", np.arange(50_000)).integers(0, 7, 50_000)
    assert picks.min() == 0 and picks.max() == 6
    counts = np.bincount(picks, minlength=7)
    assert stats.chisquare(counts).pvalue > 1e-3


def test_a_customers_number_does_not_depend_on_who_else_is_drawn():
    everyone = Streams(99).at(10, "drift", np.arange(1000)).random(1000)
    some = np.array([3, 500, 17, 999])
    assert np.array_equal(Streams(99).at(10, "drift", some).random(4), everyone[some])
    slots = Streams(99).at(10, "service", some).standard_normal((4, 5))
    alone = Streams(99).at(10, "service", some[2:3]).standard_normal((1, 5))
    assert np.array_equal(slots[2:3], alone)
    assert isinstance(Streams(99).at(0, "trial", some), KeyedStream)


def test_every_site_is_described():
    assert all(isinstance(text, str) and text for text in SITES.values())


# ---------------------------------------------------------------------------- common luck
def _record_luck(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Record every ``Week.luck`` call of the runs that follow, one log per model."""
    logs: dict[int, dict] = {}
    luck = crmsim.week.Week.luck

    def recording(self, site, rows):
        values = luck(self, site, rows)
        who = np.arange(rows) if isinstance(rows, int) else rows
        logs.setdefault(id(self.network), {})[(self.index, site)] = dict(
            zip(who.tolist(), values.tolist(), strict=True)
        )
        return values

    monkeypatch.setattr(crmsim.week.Week, "luck", recording)
    return logs


def _shared_luck(monkeypatch: pytest.MonkeyPatch, streams: str) -> tuple[int, int]:
    """Draws about the same customer at the same site and week under two service levels:
    how many there were, and how many differed."""
    logs = _record_luck(monkeypatch)
    for quality in (0.70, 0.72):
        model = CRMModel(
            n_customers=600, policy=Policy(service_quality=quality), rng=4, streams=streams
        )
        model.run(30, progress=False)
    first, second = logs.values()
    shared = differ = 0
    for key in first.keys() & second.keys():
        a, b = first[key], second[key]
        for row in a.keys() & b.keys():
            shared += 1
            differ += a[row] != b[row]
    return shared, differ


def test_keyed_streams_give_a_customer_the_same_luck_under_another_policy(monkeypatch):
    shared, differ = _shared_luck(monkeypatch, "keyed")
    assert shared > 50_000 and differ == 0


def test_sequential_streams_do_not(monkeypatch):
    shared, differ = _shared_luck(monkeypatch, "sequential")
    # in step for the first weeks, then apart (measured: 47 % of the shared draws differ)
    assert differ > shared / 4


def test_customers_untouched_by_gifts_buy_and_fail_alike_under_both_policies():
    """Two runs alike for 40 weeks; then one gives gifts. Over the next week, customers
    whom the gift week left untouched (no goodwill, the same stage and tier in both) make
    the same purchases with the same outcomes: only those who got a gift are affected."""
    models = [CRMModel(n_customers=1500, rng=11, streams="keyed") for _ in range(2)]
    episodes: list[list] = [[], []]
    for model, seen in zip(models, episodes, strict=True):
        model.run(40, progress=False)
        model.subscribe(lambda report, seen=seen: seen.append(report.events))
    gifts = models[1].policy.replace(gift_value=5.0)
    models[1].policy = gifts
    assert models[1].week % gifts.gift_every == 0  # a gift week
    for model in models:
        model.run(2, progress=False)
    a, b = (m.state for m in models)
    assert (b.goodwill > 0).sum() > 20  # gifts were given
    assert (a.tier >= LOYAL).sum() > 20
    untouched = (b.goodwill == 0) & (a.stage == b.stage) & (a.tier == b.tier)

    def bought(seen: list, kind: str) -> np.ndarray:
        mask = np.zeros(1500, dtype=bool)
        for event in seen[-1]:  # the second week
            if event.kind == kind:
                mask[event.who] = True
        return mask

    for kind in ("episode", "failure"):
        first, second = bought(episodes[0], kind), bought(episodes[1], kind)
        assert np.array_equal(first[untouched], second[untouched]), kind
    assert bought(episodes[0], "episode")[untouched].sum() > 50


def test_pairing_narrows_the_difference_of_two_close_policies():
    policies = {"0.70": Policy(service_quality=0.70), "0.72": Policy(service_quality=0.72)}
    spread = {}
    for streams in ("sequential", "keyed"):
        result = compare(
            policies,
            replications=6,
            weeks=52,
            n_customers=600,
            progress=False,
            workers=1,
            streams=streams,
        )
        assert result.streams == streams
        wide = result.wide()
        spread[streams] = (wide.loc["0.72"]["profit"] - wide.loc["0.70"]["profit"]).std()
    assert spread["keyed"] < spread["sequential"] / 3


# ---------------------------------------------------------------------------- experiments
def test_a_resume_never_mixes_sequential_and_keyed_runs(tmp_path):
    policies = {"a": Policy(), "b": Policy(respect=0.9)}
    settings = dict(replications=2, weeks=13, n_customers=100, progress=False, workers=1)
    first = compare(policies, out_dir=tmp_path, streams="keyed", **settings)
    again = compare(policies, out_dir=tmp_path, **settings)  # keyed is the default
    assert first.runs.equals(again.runs)
    with pytest.raises(ValueError, match=r"settings differ in \['streams'\]"):
        compare(policies, out_dir=tmp_path, streams="sequential", **settings)


def test_the_command_line_runs_keyed_comparisons_and_sweeps(tmp_path, capsys):
    from crmsim.cli import main

    (tmp_path / "low.toml").write_text("service_quality = 0.3\n", encoding="utf-8")
    (tmp_path / "high.toml").write_text("service_quality = 0.9\n", encoding="utf-8")
    (tmp_path / "design.toml").write_text("[grid]\nrespect = [0.3, 0.9]\n", encoding="utf-8")
    small = ["--replications", "2", "--weeks", "13", "--customers", "100", "--workers", "1"]
    low, high = str(tmp_path / "low.toml"), str(tmp_path / "high.toml")
    assert main(["compare", low, high, *small, "--streams", "keyed"]) == 0
    assert "keyed streams" in capsys.readouterr().out
    out = str(tmp_path / "sweep")
    assert (
        main(["sweep", str(tmp_path / "design.toml"), *small, "--out", out, "--streams", "keyed"])
        == 0
    )
    assert "keyed streams" in capsys.readouterr().out
    assert main(["compare", low, high, *small, "--streams", "Keyed"]) == 2
    assert "argument --streams: invalid choice: 'Keyed'" in capsys.readouterr().err
