"""Policy, Market and Population: defaults, shorthands, TOML, a clear error for each bad value."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from crmsim import CRMModel, KanoAttribute, Market, Policy, Population, Segment, scenarios
from crmsim.levers import CHANNELS


def test_service_quality_sets_every_non_reverse_attribute_and_leaves_reverse_alone():
    policy = Policy(service_quality=0.9)
    for name, attr in policy.service.items():
        if attr.category == "reverse":
            assert attr.level == Policy().service[name].level
        else:
            assert attr.level == 0.9


def test_bare_levels_for_known_attributes_keep_their_kano_category():
    policy = Policy(service={"reliability": 0.95, "speed": 0.2})
    assert policy.service["reliability"] == KanoAttribute("must-be", 0.95)
    assert policy.service["speed"].category == "performance"


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("discount", 0.95, "[0.0, 0.9]"),
        ("discount", -0.1, "[0.0, 0.9]"),
        ("respect", 1.5, "[0.0, 1.0]"),
        ("recovery", float("nan"), "[0.0, 1.0]"),
        ("win_back", 2, "[0.0, 1.0]"),
        ("advertising", -0.01, "[0.0, 1.0]"),
        ("service_quality", 1.2, "[0.0, 1.0]"),
        ("service_variability", 0.8, "[0.0, 0.5]"),
        ("gift_value", -1.0, ">= 0.0"),
        ("referral_reward", -5, ">= 0.0"),
        ("promise", 3.0, "[-1.0, 1.0]"),
    ],
)
def test_out_of_range_levers_name_field_value_and_range(field, value, allowed):
    with pytest.raises(ValueError) as err:
        Policy(**{field: value})
    message = str(err.value)
    assert f"Policy.{field}" in message
    assert allowed in message
    assert repr(value) in message


@pytest.mark.parametrize(
    "kwargs",
    [
        {"discount": "ten"},
        {"respect": True},
        {"gift_every": 0},
        {"gift_every": 2.5},
        {"discount_weeks": (8, 2)},
        {"discount_weeks": (0,)},
        {"discount_target": {"vip"}},
        {"discount_target": 3},
        {"service": {}},
        {"service": {"wifi": 0.5}},
        {"service": {"speed": {"category": "performance", "level": 0.5}}},
        {"service": {"reliability": {"category": "essential", "level": 0.5}}},
    ],
)
def test_malformed_policies_are_rejected(kwargs):
    with pytest.raises(ValueError, match="Policy|KanoAttribute"):
        Policy(**kwargs)


def test_unknown_policy_keys_are_rejected_with_the_allowed_names():
    with pytest.raises(ValueError, match="unknown Policy field.*'discuont'"):
        Policy.from_dict({"discuont": 0.1})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", 0.0),
        ("unit_cost", 25.0),
        ("complaint_propensity", 1.4),
        ("word_of_mouth", -0.2),
        ("trial_rate", 2.0),
        ("anger_weeks", -1),
        ("referral_boost", 0.5),
        ("deepening", 1.5),
        ("deepening", "full"),
        ("mover_loss", 1.2),
        ("mover_loss", -0.5),
        ("mover_loss", "half"),
    ],
)
def test_bad_market_values_name_the_field(field, value):
    with pytest.raises(ValueError, match=f"Market.{field}"):
        Market(**{field: value})


def test_population_shares_must_add_up_and_names_be_unique():
    with pytest.raises(ValueError, match="add up to 1"):
        Population(segments=(Segment("a", 0.5), Segment("b", 0.4)))
    with pytest.raises(ValueError, match="unique"):
        Population(segments=(Segment("a", 0.5), Segment("a", 0.5)))
    with pytest.raises(ValueError, match="Segment.values_fit"):
        Segment("a", 1.0, values_fit=1.5)
    with pytest.raises(ValueError, match="channel"):
        Population(channel_shares={"pigeon": 1.0})
    for bad in (-0.5, 25.0, float("nan"), "high"):
        with pytest.raises(ValueError, match="Population.churn_heterogeneity"):
            Population(churn_heterogeneity=bad)


def test_default_channel_shares_are_the_survey_figures():
    assert Population().channel_shares == {
        "phone": 0.43,
        "face-to-face": 0.37,
        "email": 0.18,
        "letter": 0.02,
    }


def test_every_channel_is_staffed_unless_the_policy_says_otherwise():
    assert Policy().channels == frozenset(CHANNELS) == Policy(channels="all").channels
    assert Policy(channels="email").channels == {"email"}
    assert Policy(channels=["phone", "face-to-face"]).channels == {"phone", "face-to-face"}
    assert Policy(channels=("phone",)) == Policy(channels={"phone"})


@pytest.mark.parametrize(
    "channels",
    [[], set(), "fax", ["phone", "fax"], 3, ["phone", 2], {"phone": 1}, None],
    ids=[
        "empty list",
        "empty set",
        "unknown",
        "one unknown",
        "number",
        "not a name",
        "dict",
        "none",
    ],
)
def test_staffed_channels_must_name_at_least_one_known_channel(channels):
    with pytest.raises(ValueError) as error:
        Policy(channels=channels)
    message = str(error.value)
    assert message.startswith("Policy.channels must be") and "\n" not in message
    assert "'phone', 'face-to-face', 'email', 'letter'" in message


def test_channel_costs_default_per_channel_and_a_partial_mapping_keeps_the_rest():
    costs = Market().channel_unit_cost
    assert list(costs) == list(CHANNELS) and all(cost > 0 for cost in costs.values())
    # face to face and letters dearer than the phone, e-mail cheaper (docs/ODD.md 2.3)
    assert costs["face-to-face"] > costs["phone"] > costs["email"]
    assert costs["letter"] > costs["phone"]
    changed = Market(channel_unit_cost={"phone": 0.3}).channel_unit_cost
    assert changed == {**costs, "phone": 0.3}
    assert hash(Market()) == hash(Market()) and Market() != Market(channel_unit_cost={"email": 0})


@pytest.mark.parametrize(
    ("costs", "match"),
    [
        ({"pigeon": 1.0}, r"Market.channel_unit_cost has unknown channel\(s\) \['pigeon'\]"),
        ({"phone": -0.1}, r"Market.channel_unit_cost\['phone'\] must be >= 0.0"),
        ({"email": "cheap"}, r"Market.channel_unit_cost\['email'\] must be"),
        (0.1, "Market.channel_unit_cost must be a mapping"),
    ],
)
def test_bad_channel_costs_name_the_field_and_the_channel(costs, match):
    with pytest.raises(ValueError, match=match):
        Market(channel_unit_cost=costs)


def test_channels_and_their_costs_load_from_toml(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[policy]\nchannels = ["phone", "email"]\n[market]\nchannel_unit_cost = { letter = 0.5 }\n'
    )
    scenario = scenarios.from_dict("s", tomllib.loads(path.read_text()))
    assert scenario.policy.channels == {"phone", "email"}
    assert scenario.kwargs["market"].channel_unit_cost["letter"] == 0.5
    assert Policy.from_dict({"channels": "email"}).channels == {"email"}


def test_policy_loads_from_toml(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        "[policy]\ndiscount = 0.2\ndiscount_weeks = [0, 8]\n"
        'discount_target = ["loyal", "marketer"]\nrespect = 0.8\n'
        "[policy.service]\nreliability = 0.95\n"
    )
    policy = Policy.from_toml(path)
    assert policy.discount == 0.2
    assert policy.discount_weeks == (0, 8)
    assert policy.discount_target == frozenset({"loyal", "marketer"})
    assert policy.service["reliability"].level == 0.95


def test_toml_errors_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        Policy.from_toml(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("discount = = 1")
    with pytest.raises(ValueError, match="not valid TOML"):
        Policy.from_toml(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("discount = 2.0")
    with pytest.raises(ValueError, match="Policy.discount"):
        Policy.from_toml(wrong)


def test_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_customers"):
        CRMModel(n_customers=0)
    with pytest.raises(ValueError, match="n_customers"):
        CRMModel(n_customers=10.5)
    with pytest.raises(ValueError, match="network must be one of"):
        CRMModel(n_customers=10, network="ring")
    with pytest.raises(ValueError, match="mean_degree"):
        CRMModel(n_customers=10, mean_degree=0)
    with pytest.raises(ValueError, match="discount_target 'students'"):
        CRMModel(n_customers=10, policy=Policy(discount=0.1, discount_target="students"))
    with pytest.raises(ValueError, match="policy must be a Policy"):
        CRMModel(n_customers=10, policy=0.5)
    with pytest.raises(ValueError, match="history"):
        CRMModel(n_customers=10, history="sometimes")
    model = CRMModel(n_customers=10, rng=0)
    with pytest.raises(ValueError, match="weeks"):
        model.run(weeks=-1)
    with pytest.raises(ValueError, match="customer index"):
        model.customer(10)


def test_model_accepts_plain_dicts_for_its_inputs():
    model = CRMModel(n_customers=20, policy={"discount": 0.1}, market={"price": 25.0}, rng=0)
    assert model.policy.discount == 0.1
    assert model.market.price == 25.0


def test_a_policy_file_with_market_tables_is_not_silently_half_read(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text("[policy]\ndiscount = 0.1\n[market]\nprice = 30.0\n")
    with pytest.raises(ValueError, match=r"\[market\].*scenarios.from_dict"):
        Policy.from_toml(path)


def test_a_policy_set_by_service_quality_equals_its_own_copy_and_the_same_levels():
    policy = Policy(service_quality=0.8)
    assert policy.replace() == policy
    assert policy.replace().service_quality == 0.8
    assert Policy(service=policy.service) == policy  # the same service, however it was set
    assert policy.replace(service_quality=0.5) != policy
    assert policy.replace(service_quality=0.5).service["speed"].level == 0.5


def test_numpy_integers_are_integers_for_the_levers():
    policy = Policy(
        gift_every=np.int64(3),
        new_customer_weeks=np.int32(5),
        discount=0.1,
        discount_weeks=(np.int64(2), np.int16(9)),
    )
    assert (policy.gift_every, policy.new_customer_weeks, policy.discount_weeks) == (3, 5, (2, 9))
    assert type(policy.gift_every) is int
