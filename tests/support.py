"""Helpers shared by the tests: small models, a hand-made week, replicated runs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmsim import CRMModel, Market, Policy
from crmsim.stages import Stage, Tier
from crmsim.week import Week


def make_model(n: int = 300, rng: int = 0, **kwargs) -> CRMModel:
    return CRMModel(n_customers=n, rng=rng, **kwargs)


def week_of(model: CRMModel, index: int = 0) -> Week:
    """A fresh week context for calling one process by hand."""
    return Week(index, model.rng, model.policy, model.market, model.population, model.network)


def make_customers(model: CRMModel, who, stage=Stage.EXPLORATION, tier=Tier.ACTUAL) -> np.ndarray:
    """Turn the people ``who`` into active customers at ``stage`` and ``tier``."""
    who = np.atleast_1d(np.asarray(who))
    s = model.state
    s.stage[who] = stage
    s.tier[who] = tier
    s.highest_tier[who] = tier
    s.spell_start[who] = -1
    s.first_purchase_week[who] = -1
    return who


def replicated_frames(seeds, weeks: int, n: int = 1_500, **kwargs) -> list[pd.DataFrame]:
    frames = []
    for seed in seeds:
        model = CRMModel(n_customers=n, rng=seed, history=False, **kwargs)
        model.run(weeks, progress=False)
        frames.append(model.datacollector.get_model_vars_dataframe())
    return frames


def weekly_churn(frames: list[pd.DataFrame]) -> float:
    """Pooled weekly churn: losses of customers present at week start over customer-weeks."""
    lost = sum(f["lost_from_start"].sum() for f in frames)
    exposed = sum(f["active_start"].sum() for f in frames)
    return lost / exposed


__all__ = ["Market", "Policy", "make_customers", "make_model", "replicated_frames", "week_of"]
