"""The CRM game: configs, decision files, the budget, rivals, the scoreboard and saved rounds.

The tests that play rounds use small markets (1,500 people) and short rounds (2-4 weeks):
what they check (files, errors, replays, determinism) does not depend on a round's length.
"""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from crmsim import tomlfile
from crmsim.game import (
    MEASURES,
    STRATEGIES,
    Budget,
    Decision,
    DecisionError,
    Game,
    GameConfig,
    GameError,
    Rival,
    Scoring,
    Situation,
    example_config,
    load_config,
    rivals,
    scoreboard,
    storage,
)
from crmsim.game import decisions as decisions_module
from crmsim.game.decisions import file_name, gather, policy_to_dict
from crmsim.game.scoreboard import points
from crmsim.levers import Market, Policy, Population
from crmsim.model import CRMModel

TEAMS = ("Team A", "Team B")
RIVALS = ("Bargain Barn",)


def one_line(message: str) -> bool:
    return "\n" not in message.strip()


# ---------------------------------------------------------------------------- config
def test_the_example_has_four_teams_and_two_rivals_and_survives_a_trip_through_toml():
    config = example_config()
    assert len(config.teams) == 4 and len(config.rivals) == 2
    assert {r.strategy for r in config.rivals} <= set(STRATEGIES)
    again = load_config(tomllib.loads(tomlfile.dumps(config.to_dict())))
    assert again == config


def test_a_config_file_written_and_read_keeps_market_overrides_and_the_start(tmp_path):
    data = {
        "name": "Tiny",
        "teams": ["Only team"],
        "market": {"competitor_offer_rate": 0.07, "channel_unit_cost": {"email": 0.05}},
        "start": {"service_quality": 0.7, "discount_target": ["loyal"], "price": 19.0},
        "budget": {"max_service_cost": 3.5},
    }
    config = load_config(data)
    path = tmp_path / "config.toml"
    path.write_text(tomlfile.dumps(config.to_dict()), encoding="utf-8")
    again = load_config(path)
    assert again == config
    assert again.market.competitor_offer_rate == 0.07
    assert again.market.channel_unit_cost["email"] == 0.05
    assert again.start.price == 19.0 and again.start.policy.discount_target == {"loyal"}


def test_the_price_range_follows_the_market_price_unless_set():
    config = load_config({"teams": ["A"], "market": {"price": 30.0, "unit_cost": 15.0}})
    assert config.budget.price_range == pytest.approx((24.0, 36.0))
    assert config.start.price == 30.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rounds": 0}, "rounds"),
        ({"customers": "many"}, "customers"),
        ({"weeks_per_round": 2.5}, "weeks_per_round"),
        ({"teams": "Team A"}, "teams"),
        ({"teams": ["Team A", "team a"]}, "teams"),
        ({"teams": [], "rivals": []}, "teams"),
        ({"teams": [f"Team {n}" for n in range(9)], "rivals": []}, "at most"),
        ({"rivals": [{"name": "X", "strategy": "pirate"}]}, "rivals.strategy"),
        ({"rivals": [{"name": "X"}]}, "rivals"),
        ({"budget": {"max_discount": 2.0}}, "budget.max_discount"),
        ({"budget": {"price_range": [25.0, 15.0]}}, "budget.price_range"),
        ({"budget": {"max_coupons": 1}}, "budget.max_coupons"),
        ({"scoring": {"weights": {"luck": 1}}}, "scoring.weights.luck"),
        ({"scoring": {"weights": {"profit": -1}}}, "scoring.weights.profit"),
        ({"scoring": {"bases": {"profit": "best"}}}, "scoring.bases.profit"),
        ({"market": {"price": -1.0}}, "Market.price"),
        ({"market": {"prize": 1.0}}, "prize"),
        ({"start": {"discount": 0.5}}, "discount"),
        ({"start": {"price": 99.0}}, "price"),
        ({"players": 4}, "players"),
    ],
)
def test_a_bad_config_is_refused_in_one_line_naming_the_field(tmp_path, change, field):
    data = example_config().to_dict() | change
    path = tmp_path / "config.toml"
    path.write_text(tomlfile.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(str(path)) and field in message and one_line(message)


def test_a_config_file_that_is_not_toml_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("teams = [\n", encoding="utf-8")
    with pytest.raises(ValueError, match="config.toml: not valid TOML"):
        load_config(path)


# ---------------------------------------------------------------------------- decisions
def current() -> dict[str, Decision]:
    return {team: Decision(Policy(service_quality=0.6, discount=0.05), 20.0) for team in TEAMS}


def gather_from(folder, budget: Budget | None = None, now=None):
    return gather(
        folder,
        now or current(),
        teams=TEAMS,
        rivals=RIVALS,
        budget=budget or Budget(),
        market=Market(),
        population=Population(),
    )


def hand_in(folder, name: str, text: str):
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_decision_file_changes_the_levers_it_names_and_keeps_the_others(tmp_path):
    folder = tmp_path / "decisions"
    hand_in(folder, "team_a.toml", "respect = 0.8\nprice = 21.5\n")
    decisions, files = gather_from(folder)
    team_a = decisions["Team A"]
    assert team_a.policy.respect == 0.8 and team_a.price == 21.5
    # not named in the file: as played before
    assert team_a.policy.discount == 0.05
    assert team_a.policy.service == current()["Team A"].policy.service
    assert files == {"Team A": folder / "team_a.toml"}


def test_a_team_that_hands_in_nothing_keeps_its_last_decisions(tmp_path):
    folder = tmp_path / "decisions"
    hand_in(folder, "team_a.toml", "respect = 0.8\n")
    before = current()
    decisions, _ = gather_from(folder, now=before)
    assert decisions["Team B"] == before["Team B"]
    assert decisions["Team A"] != before["Team A"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("discont = 0.1\n", "discont"),  # unknown lever
        ('discount = "lots"\n', "discount"),  # wrong type
        ("gift_every = 2.5\n", "gift_every"),  # wrong type
        ("respect = 1.5\n", "respect"),  # out of range
        ("price = -3.0\n", "price"),  # out of range
        ("discount = 0.4\n", "discount"),  # over the budget
        ("advertising = 0.2\n", "advertising"),  # over the budget
        ("price = 30.0\n", "price"),  # outside the budget's price range
        ("service_quality = 1.0\nrespect = 1.0\n", "max_service_cost"),  # service too dear
        ('discount_target = "students"\n', "discount_target"),  # no such segment
        ("discount_weeks = [5, 2]\n", "discount_weeks"),
        ("discount = \n", "not valid TOML"),
    ],
)
def test_a_bad_decision_file_is_refused_naming_the_file_and_the_field(tmp_path, text, field):
    folder = tmp_path / "decisions"
    hand_in(folder, "team_a.toml", text)
    with pytest.raises(DecisionError) as err:
        gather_from(folder, budget=Budget(max_service_cost=3.0))
    message = str(err.value)
    assert "team_a.toml" in message and field in message and one_line(message)


def test_an_unknown_lever_is_answered_with_the_closest_one(tmp_path):
    folder = tmp_path / "decisions"
    hand_in(folder, "team_a.toml", "discont = 0.1\n")
    with pytest.raises(DecisionError, match="did you mean 'discount'"):
        gather_from(folder)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("team_z.toml", "no team of this game"),
        ("bargain_barn.toml", "computer rival"),
        ("team_a.txt", "not a decision file"),
    ],
)
def test_a_file_for_no_team_is_refused(tmp_path, name, why):
    folder = tmp_path / "decisions"
    hand_in(folder, name, "respect = 0.8\n")
    with pytest.raises(DecisionError) as err:
        gather_from(folder)
    assert name in str(err.value) and why in str(err.value) and one_line(str(err.value))


def test_every_file_is_checked_before_any_is_used_and_every_bad_one_is_named(tmp_path):
    folder = tmp_path / "decisions"
    hand_in(folder, "team_a.toml", "respect = 2.0\n")
    hand_in(folder, "team_b.toml", "discount = 0.9\n")
    with pytest.raises(DecisionError) as err:
        gather_from(folder)
    message = str(err.value)
    assert "2 decisions were refused" in message
    assert "team_a.toml" in message and "team_b.toml" in message and one_line(message)


def test_decisions_can_be_handed_in_as_a_mapping_a_policy_or_a_file(tmp_path):
    path = hand_in(tmp_path, "anything.toml", "price = 18.0\n")
    decisions, files = gather_from({"Team A": {"discount": 0.2}, "Team B": path})
    assert decisions["Team A"].policy.discount == 0.2 and decisions["Team B"].price == 18.0
    assert files == {"Team B": path}
    decisions, _ = gather_from({"Team A": Policy(respect=0.9)})
    assert decisions["Team A"] == Decision(Policy(respect=0.9), 20.0)  # the price kept
    with pytest.raises(DecisionError, match="no team is called 'Team Q'"):
        gather_from({"Team Q": {}})


def test_the_decision_file_name_is_the_team_name_in_lower_case():
    assert file_name("Team A") == "team_a.toml"
    assert file_name("Ça va & Co.") == "a_va_co.toml"


def test_discount_weeks_count_from_the_rounds_first_week():
    decision = Decision(Policy(discount=0.1, discount_weeks=(0, 4)), 20.0)
    assert decision.for_round(26).discount_weeks == (26, 30)
    assert Decision(Policy(discount=0.1), 20.0).for_round(26).discount_weeks is None


def test_a_decision_written_as_toml_reads_back_equal():
    policy = Policy(
        service={"reliability": 0.9, "speed": 0.7},
        discount=0.1,
        discount_target=frozenset({"loyal", "marketer"}),
        discount_weeks=(0, 6),
        win_back_target=frozenset({"drift"}),
        channels=frozenset({"email", "phone"}),
        promise=0.3,
    )
    decision = Decision(policy, 21.25)
    data = tomllib.loads(tomlfile.dumps(decision.to_dict()))
    assert Decision(Policy(), 20.0).changed(data) == decision
    assert Policy.from_dict(policy_to_dict(policy)) == policy


@pytest.mark.parametrize(
    "budget",
    [
        Budget(),
        Budget(max_discount=0.0, max_advertising=0.0, max_gift_value=0.0, max_win_back=0.0),
        Budget(max_referral_reward=1.0, price_range=(19.0, 19.5), max_service_cost=1.0),
    ],
)
def test_fitting_into_the_budget_gives_a_decision_the_budget_accepts(budget):
    lavish = Decision(
        Policy(
            service_quality=1.0,
            respect=1.0,
            discount=0.9,
            advertising=1.0,
            gift_value=50.0,
            referral_reward=50.0,
            win_back=1.0,
        ),
        40.0,
    )
    fitted = budget.fit(lavish, Market())
    budget.check(fitted, Market())
    assert decisions_module.service_cost(fitted.policy, Market()) <= (
        budget.max_service_cost or math.inf
    )


# ---------------------------------------------------------------------------- rivals
def rival_frame(
    shares: dict[str, list[float]], weeks_per_round: int = 2, profit: float = 100.0
) -> pd.DataFrame:
    """A firm frame of ``len(shares[firm])`` rounds: each firm's share, constant in a round."""
    rows = []
    rounds = len(next(iter(shares.values())))
    for week in range(rounds * weeks_per_round):
        for firm, values in shares.items():
            share = values[week // weeks_per_round]
            rows.append(
                {"week": week, "firm": firm, "share": share, "churn_rate": 0.01, "profit": profit}
            )
    return pd.DataFrame(rows)


def situation(firm: str, frame: pd.DataFrame, decisions=None, budget=None) -> Situation:
    start = Decision(Policy(service_quality=0.6), 20.0)
    return Situation(
        firm=firm,
        firm_frame=frame,
        decisions=decisions or {},
        start=start,
        budget=budget or Budget(),
        market=Market(),
        weeks_per_round=2,
    )


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
@pytest.mark.parametrize(
    "budget",
    [
        Budget(),
        Budget(max_discount=0.02, max_advertising=0.0, max_gift_value=1.0, max_service_cost=1.5),
        Budget(max_referral_reward=0.0, max_win_back=0.1, price_range=(20.0, 20.0)),
    ],
)
def test_every_strategy_plays_valid_decisions_within_the_budget(strategy, budget):
    frame = rival_frame({"Team A": [0.5, 0.6, 0.7], "Rival": [0.5, 0.4, 0.3]})
    played = {"Team A": budget.fit(Decision(Policy(discount=0.1), 21.0), Market())}
    for number, history in ((1, frame.iloc[0:0]), (4, frame)):
        decision = rivals.decide(strategy, number, situation("Rival", history, played, budget))
        assert isinstance(decision.policy, Policy)
        budget.check(decision, Market())


def test_the_three_own_strategies_differ_in_the_levers_they_lean_on():
    empty = rival_frame({"Rival": [0.5]}).iloc[0:0]
    played = {name: rivals.decide(name, 1, situation("Rival", empty)) for name in STRATEGIES}
    discounter, leader, builder = (
        played["discounter"],
        played["service_leader"],
        played["relationship_builder"],
    )
    assert discounter.price < builder.price < leader.price
    assert discounter.policy.discount > builder.policy.discount > leader.policy.discount
    assert (
        leader.policy.service["reliability"].level
        > builder.policy.service["reliability"].level
        > discounter.policy.service["reliability"].level
    )
    assert builder.policy.respect > max(leader.policy.respect, discounter.policy.respect)
    assert builder.policy.gift_value > 0 and builder.policy.referral_reward > 0
    assert discounter.policy.advertising > builder.policy.advertising


def test_the_discounter_deepens_its_discount_when_it_loses_share():
    own = {"Rival": Decision(Policy(discount=0.1), 18.0)}
    holding = rival_frame({"Rival": [0.3, 0.3], "Team A": [0.7, 0.7]})
    losing = rival_frame({"Rival": [0.3, 0.2], "Team A": [0.7, 0.8]})
    steady = rivals.decide("discounter", 3, situation("Rival", holding, own))
    deeper = rivals.decide("discounter", 3, situation("Rival", losing, own))
    assert steady.policy.discount == 0.1
    assert deeper.policy.discount == pytest.approx(0.1 + rivals.DISCOUNT_STEP)


def test_the_discounter_eases_its_discount_when_it_gains_share_at_a_loss():
    own = {"Rival": Decision(Policy(discount=0.2), 18.0)}
    gaining = {"Rival": [0.3, 0.4], "Team A": [0.7, 0.6]}
    at_a_loss = rival_frame(gaining, profit=-10.0)
    at_a_profit = rival_frame(gaining, profit=10.0)
    eased = rivals.decide("discounter", 3, situation("Rival", at_a_loss, own))
    kept = rivals.decide("discounter", 3, situation("Rival", at_a_profit, own))
    assert eased.policy.discount < kept.policy.discount == 0.2


def test_the_service_leader_halves_its_premium_when_it_loses_share():
    own = {"Rival": Decision(Policy(), 22.0)}  # 10 % over the market price of 20
    holding = rival_frame({"Rival": [0.3, 0.3], "Team A": [0.7, 0.7]})
    losing = rival_frame({"Rival": [0.3, 0.2], "Team A": [0.7, 0.8]})
    assert rivals.decide("service_leader", 3, situation("Rival", holding, own)).price == 22.0
    cut = rivals.decide("service_leader", 3, situation("Rival", losing, own)).price
    assert cut == pytest.approx(21.0)


def test_the_relationship_builder_steps_up_recovery_when_churn_rises():
    own = {"Rival": Decision(Policy(recovery=0.6), 20.0)}
    frame = rival_frame({"Rival": [0.3, 0.3], "Team A": [0.7, 0.7]})
    steady = rivals.decide("relationship_builder", 3, situation("Rival", frame, own))
    frame.loc[(frame["firm"] == "Rival") & (frame["week"] >= 2), "churn_rate"] = 0.02
    rising = rivals.decide("relationship_builder", 3, situation("Rival", frame, own))
    assert steady.policy.recovery == 0.6
    assert rising.policy.recovery == pytest.approx(0.7)


def test_the_follower_copies_last_rounds_share_leader_other_than_itself():
    frame = rival_frame({"Team A": [0.2, 0.5], "Team B": [0.3, 0.1], "Copycat": [0.5, 0.4]})
    played = {
        "Team A": Decision(Policy(discount=0.15), 18.0),
        "Team B": Decision(Policy(respect=0.9), 22.0),
        "Copycat": Decision(Policy(), 20.0),
    }
    # round 3 follows the leader of round 2 (Team A), not of round 1 (itself)
    assert rivals.decide("follower", 3, situation("Copycat", frame, played)) == played["Team A"]
    first = rivals.decide("follower", 1, situation("Copycat", frame.iloc[0:0], played))
    assert first == Decision(Policy(service_quality=0.6), 20.0)


# ---------------------------------------------------------------------------- scoreboard
def measures_table(values: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """``{firm: {measure: [value per round]}}``; measures not given are equal for all."""
    rows = []
    rounds = len(next(iter(next(iter(values.values())).values())))
    for number in range(1, rounds + 1):
        for firm, measures in values.items():
            row = {"round": number, "firm": firm}
            for measure in MEASURES:
                row[measure] = measures.get(measure, [1.0] * rounds)[number - 1]
            rows.append(row)
    return pd.DataFrame(rows)


def test_a_firm_better_on_every_measure_ranks_first_with_full_marks():
    rng = np.random.default_rng(3)
    values = {firm: {m: list(rng.uniform(0, 1, 2)) for m in MEASURES} for firm in "ABC"}
    values["Best"] = {m: [2.0, 2.0] for m in MEASURES}
    board = scoreboard(measures_table(values))
    assert board.iloc[0]["firm"] == "Best" and board.iloc[0]["score"] == 100.0
    assert board.iloc[0]["rank"] == 1 and (board["rank"].iloc[1:] > 1).all()


def test_weights_change_the_order_when_measures_disagree():
    table = measures_table(
        {
            "Profiteer": {"profit": [100.0], "share": [0.2]},
            "Grower": {"profit": [50.0], "share": [0.4]},
        }
    )
    on_profit = Scoring(weights={m: 0.0 for m in MEASURES} | {"profit": 3.0, "share": 1.0})
    on_share = Scoring(weights={m: 0.0 for m in MEASURES} | {"profit": 1.0, "share": 3.0})
    assert scoreboard(table, on_profit)["firm"].tolist() == ["Profiteer", "Grower"]
    assert scoreboard(table, on_share)["firm"].tolist() == ["Grower", "Profiteer"]
    # the weighted mean of the points: 3 * 100 / 4
    assert scoreboard(table, on_profit)["score"].tolist() == [75.0, 25.0]


def test_the_basis_decides_whether_an_early_or_a_late_lead_counts():
    table = measures_table(
        {"Early": {"profit": [90.0, 10.0, 10.0]}, "Late": {"profit": [0.0, 0.0, 40.0]}}
    )
    only_profit = {m: 0.0 for m in MEASURES} | {"profit": 1.0}
    cumulative = Scoring(weights=only_profit, bases={"profit": "cumulative"})
    ending = Scoring(weights=only_profit, bases={"profit": "ending"})
    average = Scoring(weights=only_profit, bases={"profit": "average"})
    assert scoreboard(table, cumulative)["firm"].iloc[0] == "Early"
    assert scoreboard(table, average)["firm"].iloc[0] == "Early"
    assert scoreboard(table, ending)["firm"].iloc[0] == "Late"
    board = scoreboard(table, cumulative).set_index("firm")
    assert board.loc["Early", "profit"] == 110.0 and board.loc["Late", "profit"] == 40.0
    board = scoreboard(table, average).set_index("firm")
    assert board.loc["Early", "profit"] == pytest.approx(110.0 / 3)


def test_points_run_from_worst_0_to_best_100_and_treat_missing_values_as_worst():
    assert points(pd.Series([-50.0, 0.0, 50.0])).tolist() == [0.0, 50.0, 100.0]
    assert points(pd.Series([7.0, 7.0])).tolist() == [100.0, 100.0]
    assert points(pd.Series([1.0, np.nan, 3.0])).tolist() == [0.0, 0.0, 100.0]
    assert points(pd.Series([np.nan, np.nan])).isna().all()


def test_a_measure_nobody_has_yet_is_left_out_of_the_score():
    table = measures_table({"A": {"profit": [10.0]}, "B": {"profit": [5.0]}})
    table["retention"] = np.nan  # the first round: nobody had customers at its start
    board = scoreboard(table, Scoring(weights={"retention": 5.0})).set_index("firm")
    # profit alone separates them; retention's weight does not drag both down
    weights = Scoring().weights
    counted = sum(w for m, w in weights.items() if m != "retention")
    assert board.loc["A", "score"] == pytest.approx(100.0)
    assert board.loc["B", "score"] == pytest.approx(100.0 * (counted - weights["profit"]) / counted)


# ---------------------------------------------------------------------------- playing rounds
def small_config(**changes) -> GameConfig:
    """The example class in a small market with short rounds (the tests are about files,
    errors and replays, which do not depend on a round's length)."""
    return example_config(**({"customers": 1_500, "weeks_per_round": 3, "rounds": 4} | changes))


def snapshot(directory) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def rows_of_round(frame: pd.DataFrame, number: int, weeks: int) -> pd.DataFrame:
    mine = frame[(frame["week"] >= (number - 1) * weeks) & (frame["week"] < number * weeks)]
    return mine.reset_index(drop=True)


def test_a_round_saves_the_market_the_decisions_and_the_tables(tmp_path):
    config = small_config()
    game = Game.new(config, tmp_path / "game")
    board = game.play_round({"Team A": {"discount": 0.1, "price": 19.0}})
    assert game.round == 1
    assert sorted(board["firm"]) == sorted(config.firms)
    frame = game.firm_frame
    assert len(frame) == config.weeks_per_round * len(config.firms)
    assert list(dict.fromkeys(frame["firm"])) == list(config.firms)

    played = game.decisions(1)
    assert played["Team A"].policy.discount == 0.1 and played["Team A"].price == 19.0
    assert played["Team B"] == config.start
    for rival in config.rivals:
        config.budget.check(played[rival.name], config.market)

    folder = tmp_path / "game"
    for name in ("config.toml", "game.json", *storage.TABLES):
        assert (folder / name).is_file(), name
    written = tomllib.loads((folder / "rounds/01/decisions/team_a.toml").read_text("utf-8"))
    assert config.start.changed(written) == played["Team A"]
    assert len(pd.read_csv(folder / "scoreboard.csv")) == len(config.firms)

    reopened = Game.open(folder)
    assert reopened.round == 1 and reopened.decisions(1) == played
    pd.testing.assert_frame_equal(reopened.firm_frame, frame)
    pd.testing.assert_frame_equal(reopened.scoreboard(), board)


def test_a_team_that_hands_in_nothing_plays_its_last_decisions_again(tmp_path):
    game = Game.new(small_config(), tmp_path / "game")
    game.play_round({"Team A": {"respect": 0.9}, "Team B": {"price": 22.0}})
    game.play_round({"Team B": {"price": 18.0}})
    assert game.decisions(2)["Team A"] == game.decisions(1)["Team A"]
    assert game.decisions(2)["Team A"].policy.respect == 0.9
    assert game.decisions(2)["Team B"].price == 18.0


def test_a_refused_decision_plays_nothing_and_changes_nothing(tmp_path):
    folder = tmp_path / "game"
    game = Game.new(small_config(), folder)
    game.play_round()
    before = snapshot(folder)
    with pytest.raises(DecisionError, match="max_discount"):
        game.play_round({"Team A": {"respect": 0.9}, "Team B": {"discount": 0.5}})
    assert game.round == 1 and snapshot(folder) == before


def test_an_interrupted_round_leaves_the_game_as_it_was_and_can_be_played_again(
    tmp_path, monkeypatch
):
    folder = tmp_path / "game"
    game = Game.new(small_config(), folder)
    game.play_round()
    before = snapshot(folder)
    run = CRMModel.run

    def interrupted_run(model, weeks, progress=None):
        run(model, 1, progress=False)  # a week done, then Ctrl-C in the middle of the round
        raise KeyboardInterrupt

    monkeypatch.setattr(CRMModel, "run", interrupted_run)
    with pytest.raises(KeyboardInterrupt):
        game.play_round({"Team A": {"discount": 0.2}})
    assert game.round == 1 and snapshot(folder) == before
    monkeypatch.setattr(CRMModel, "run", run)

    game.play_round({"Team A": {"discount": 0.2}})
    straight = Game.new(small_config(), tmp_path / "straight")
    straight.play_round()
    straight.play_round({"Team A": {"discount": 0.2}})
    pd.testing.assert_frame_equal(game.firm_frame, straight.firm_frame, check_exact=True)


def test_a_round_interrupted_while_being_saved_leaves_the_game_as_it_was(tmp_path, monkeypatch):
    folder = tmp_path / "game"
    game = Game.new(small_config(), folder)
    game.play_round()
    before = snapshot(folder)
    write = storage.write_atomically

    def interrupted_at_commit(path, content):
        if path.name == storage.GAME_FILE:
            raise KeyboardInterrupt
        write(path, content)

    monkeypatch.setattr(storage, "write_atomically", interrupted_at_commit)
    with pytest.raises(KeyboardInterrupt):
        game.play_round({"Team A": {"discount": 0.2}})
    monkeypatch.setattr(storage, "write_atomically", write)
    assert game.round == 1 and snapshot(folder) == before
    assert Game.open(folder).round == 1


def test_opening_a_game_removes_what_an_interrupted_save_left_and_mends_stale_tables(tmp_path):
    folder = tmp_path / "game"
    game = Game.new(small_config(), folder)
    game.play_round()
    before = snapshot(folder)
    # a round moved into place but never counted, a staging folder, tables a round ahead
    (folder / "rounds/02").mkdir()
    (folder / "rounds/.03.tmp").mkdir()
    (folder / "scoreboard.csv").write_text("rank,firm\n", encoding="utf-8")
    (folder / storage.TABLES_ROUND).write_text('{"round": 2}', encoding="utf-8")
    assert Game.open(folder).round == 1
    assert snapshot(folder) == before


def test_a_round_replayed_from_the_saved_state_gives_the_same_frame_bit_for_bit(tmp_path):
    config = small_config()
    game = Game.new(config, tmp_path / "game")
    game.play_round({"Team A": {"discount": 0.1}, "Team C": {"service_quality": 0.85}})
    game.play_round({"Team B": {"price": 17.0, "advertising": 0.04}})
    reopened = Game.open(tmp_path / "game")
    for number in (1, 2):
        replayed = reopened.replay_round(number)
        saved = rows_of_round(game.firm_frame, number, config.weeks_per_round)
        pd.testing.assert_frame_equal(replayed, saved, check_exact=True)


def test_a_game_reopened_between_rounds_plays_on_as_one_played_straight_through(tmp_path):
    straight = Game.new(small_config(), tmp_path / "straight")
    straight.play_round({"Team A": {"discount": 0.1}})
    straight.play_round({"Team D": {"gift_value": 4.0}})
    paused = Game.new(small_config(), tmp_path / "paused")
    paused.play_round({"Team A": {"discount": 0.1}})
    Game.open(tmp_path / "paused").play_round({"Team D": {"gift_value": 4.0}})
    resumed = Game.open(tmp_path / "paused")
    pd.testing.assert_frame_equal(resumed.firm_frame, straight.firm_frame, check_exact=True)
    pd.testing.assert_frame_equal(resumed.scoreboard(), straight.scoreboard(), check_exact=True)


PLAY_IN_ANOTHER_PROCESS = """
import sys
from crmsim.game import Game, example_config
config = example_config(customers=1_500, weeks_per_round=3, rounds=4)
game = Game.new(config, sys.argv[1])
game.play_round({"Team A": {"discount": 0.1}})
game.firm_frame.to_pickle(sys.argv[2])
"""


def test_the_same_game_played_in_another_process_gives_the_same_frame(tmp_path):
    import os
    import subprocess
    import sys

    env = os.environ | {"PYTHONHASHSEED": "123"}  # not this process's: sets and dicts may differ
    out = tmp_path / "frame.pkl"
    subprocess.run(
        [sys.executable, "-c", PLAY_IN_ANOTHER_PROCESS, str(tmp_path / "there"), str(out)],
        check=True,
        env=env,
    )
    here = Game.new(small_config(), tmp_path / "here")
    here.play_round({"Team A": {"discount": 0.1}})
    pd.testing.assert_frame_equal(pd.read_pickle(out), here.firm_frame, check_exact=True)


def test_what_if_replays_the_last_round_with_one_teams_decision_changed(tmp_path):
    config = small_config()
    game = Game.new(config, tmp_path / "game")
    game.play_round()
    game.play_round({"Team A": {"discount": 0.1}})
    unchanged = game.what_if("Team A", {})
    played = unchanged[unchanged["case"] == "played"].drop(columns="case").reset_index(drop=True)
    again = unchanged[unchanged["case"] == "what_if"].drop(columns="case").reset_index(drop=True)
    # the same random numbers: no change, no difference at all
    pd.testing.assert_frame_equal(again, played, check_exact=True)
    saved = rows_of_round(game.firm_frame, 2, config.weeks_per_round)
    pd.testing.assert_frame_equal(
        played, saved[saved["firm"] == "Team A"].reset_index(drop=True), check_exact=True
    )
    assert len(played) == config.weeks_per_round

    dearer = game.what_if("Team A", {"price": 24.0, "discount": 0.0})
    totals = dearer.groupby("case")[["revenue", "episodes"]].sum()
    paid = totals["revenue"] / totals["episodes"]
    # what a purchase brought in: 20 less the discount of 10 % as played, the new price after
    assert paid["played"] == pytest.approx(18.0) and paid["what_if"] == pytest.approx(24.0)
    assert game.round == 2  # a what if is not played
    with pytest.raises(DecisionError, match="discount"):
        game.what_if("Team A", {"discount": 0.6})


def test_the_game_ends_after_its_rounds(tmp_path):
    game = Game.new(small_config(rounds=2, weeks_per_round=2), tmp_path / "game")
    game.play_round()
    game.play_round()
    assert game.over
    with pytest.raises(GameError, match="the game is over"):
        game.play_round()


def test_rivals_keep_within_the_budget_as_the_game_goes_on(tmp_path):
    config = small_config(
        rivals=(Rival("Cheap", "discounter"), Rival("Copy", "follower")),
        budget=Budget(max_discount=0.15, max_advertising=0.02, max_service_cost=3.0),
    )
    game = Game.new(config, tmp_path / "game")
    for _ in range(3):
        game.play_round({"Team A": {"discount": 0.15, "price": 17.0}})
    for number in (1, 2, 3):
        for rival in config.rivals:
            config.budget.check(game.decisions(number)[rival.name], config.market)


def test_the_report_hands_the_game_to_the_debriefs(tmp_path, monkeypatch):
    import sys
    import types

    calls = []

    def write_debriefs(
        firm_frame, losses, *, round_weeks, teams, out, what_if=None, scoreboard=None
    ):
        calls.append(locals())
        return [out / "class.html"]

    monkeypatch.setitem(
        sys.modules,
        "crmsim.game.debrief",
        types.SimpleNamespace(write_debriefs=write_debriefs),
    )
    config = small_config(weeks_per_round=2)
    game = Game.new(config, tmp_path / "game")
    game.play_round()
    what_if = {"Team A": game.what_if("Team A", {"respect": 0.9})}
    assert game.report(what_if=what_if) == [tmp_path / "game/report/class.html"]
    (call,) = calls
    assert call["round_weeks"] == 2 and list(call["teams"]) == list(config.teams)
    pd.testing.assert_frame_equal(call["firm_frame"], game.firm_frame)
    pd.testing.assert_frame_equal(call["scoreboard"], game.scoreboard())
    assert call["what_if"] is what_if and call["out"].is_dir()


def test_without_the_debrief_module_the_report_says_so_in_one_line(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "crmsim.game.debrief", None)  # import fails
    game = Game.new(small_config(weeks_per_round=2), tmp_path / "game")
    game.play_round()
    with pytest.raises(GameError, match="debriefs cannot be written"):
        game.report()
