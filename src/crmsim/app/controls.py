"""The sidebar's controls: SolaraViz's ``model_params``, one slider or menu per lever, set to a
run's values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crmsim.app.levers import lever_label
from crmsim.app.model import (
    _FOREVER,
    ATTRIBUTES,
    NO_END,
    RUN_WEEKS,
    DashboardModel,
    channels_label,
    target_label,
)
from crmsim.network import NETWORK_KINDS

#: The sets of staffed channels the menu offers: every one, then closing the rarely preferred
#: ones first, down to the phone or e-mail alone (a run's own set is added if it is not here).
CHANNEL_SETS = (
    "all",
    "phone+face-to-face+email",
    "phone+face-to-face",
    "phone+email",
    "phone",
    "email",
)


def _slider(name: str, value: float, low: float, high: float, step: float) -> dict[str, Any]:
    # A scenario may hold a value beyond the usual range: widen the slider rather than clip it.
    return {
        "type": "SliderFloat",
        "label": lever_label(name),
        "value": value,
        "min": min(low, value),
        "max": max(high, value),
        "step": step,
    }


def _int_slider(name: str, value: int, low: int, high: int, step: int = 1) -> dict[str, Any]:
    return {
        "type": "SliderInt",
        "label": lever_label(name),
        "value": value,
        "min": min(low, value),
        "max": max(high, value),
        "step": step,
    }


def model_params(
    model: DashboardModel, per_attribute: bool = False, weeks: int = RUN_WEEKS
) -> dict[str, Any]:
    """SolaraViz's ``model_params``: one control per lever, set to ``model``'s values.

    Parameters
    ----------
    model : DashboardModel
        The run whose settings the controls start from.
    per_attribute : bool
        One slider per Kano attribute instead of a single service-quality slider (and one
        for spam, the reverse attribute, which service quality does not set).
    weeks : int
        Weeks each rebuilt model simulates at once (0: it waits at week 0 for Step or ▶).

    Returns
    -------
    dict
        Keys are keyword arguments of :class:`DashboardModel`; a dict value is a control,
        anything else is passed as it is.

    Examples
    --------
    >>> params = model_params(DashboardModel(n_customers=100, rng=1))
    >>> params["respect"]["value"], params["scenario_name"]
    (0.5, 'baseline')
    """
    policy, market = model.policy, model.market
    levels = {name: policy.service[name].level for name in ATTRIBUTES if name in policy.service}
    params: dict[str, Any] = {
        "scenario_name": model.scenario_name,
        "errors": "show",
        "weeks": weeks,
        "n_customers": _int_slider("n_customers", model.n_customers, 50, 5_000, 50),
    }
    if not per_attribute:
        others = [v for n, v in levels.items() if policy.service[n].category != "reverse"]
        quality = round(float(np.mean(others)) if others else 0.7, 2)
        params["service_quality"] = _slider("service_quality", quality, 0, 1, 0.05)
        params.update({name: None for name in ATTRIBUTES if name != "spam"})
    else:
        params["service_quality"] = None
        for name in ATTRIBUTES:
            params[name] = _slider(name, levels.get(name, 0.5), 0, 1, 0.05)
    if not per_attribute:
        params["spam"] = _slider("spam", levels.get("spam", 0.2), 0, 1, 0.05)

    targets = ["all", "new", "loyal+marketer", *model.population.segment_names]
    current = target_label(policy.discount_target)
    if current not in targets:
        targets.append(current)
    start, end = policy.discount_weeks or (0, NO_END)
    if end == _FOREVER:
        end = NO_END
    channels = channels_label(policy.channels)
    channel_sets = [*CHANNEL_SETS, *([] if channels in CHANNEL_SETS else [channels])]
    params.update(
        {
            "respect": _slider("respect", policy.respect, 0, 1, 0.05),
            "discount": _slider("discount", policy.discount, 0, 0.9, 0.05),
            "discount_target": {
                "type": "Select",
                "label": lever_label("discount_target"),
                "value": current,
                "values": targets,
            },
            "discount_start": _int_slider("discount_start", start, 0, RUN_WEEKS - 1),
            "discount_end": _int_slider("discount_end", end, 0, RUN_WEEKS),
            "gift_value": _slider("gift_value", policy.gift_value, 0, 20, 0.5),
            "gift_every": _int_slider("gift_every", policy.gift_every, 1, 52),
            "referral_reward": _slider("referral_reward", policy.referral_reward, 0, 40, 1),
            "recovery": _slider("recovery", policy.recovery, 0, 1, 0.05),
            "channels": {
                "type": "Select",
                "label": lever_label("channels"),
                "value": channels,
                "values": channel_sets,
            },
            "win_back": _slider("win_back", policy.win_back, 0, 1, 0.05),
            "advertising": _slider("advertising", policy.advertising, 0, 0.2, 0.005),
            "competitor_attractiveness": _slider(
                "competitor_attractiveness", market.competitor_attractiveness, -1, 1, 0.05
            ),
            "competitor_offer_rate": _slider(
                "competitor_offer_rate", market.competitor_offer_rate, 0, 0.25, 0.005
            ),
            # Market refuses a price below the unit cost, so the slider starts there.
            "price": _slider(
                "price", market.price, market.unit_cost, 2 * market.competitor_price, 0.5
            ),
            "network": {
                "type": "Select",
                "label": lever_label("network"),
                "value": model.network_kind,
                "values": list(NETWORK_KINDS),
            },
            "rng": {
                "type": "InputText",
                "label": lever_label("rng"),
                # A drawn seed is shown on the page but left out here: the next Reset draws anew.
                "value": "" if model.seed_drawn or model.seed is None else str(model.seed),
            },
        }
    )
    return params
