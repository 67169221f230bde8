"""Decompose why over-promising lowers churn in lesson 03's promise run (study, not shipped)."""
from __future__ import annotations

import contextlib
import sys

import numpy as np

import crmsim.competition as competition
import crmsim.episodes as episodes
import crmsim.offer as offer
import crmsim.trials as trials
import crmsim.trust as trust
from crmsim import CRMModel
from crmsim.exercises import lesson_03 as ex
from crmsim.stages import COMMITMENT, EXPANSION, EXPLORATION

ORIG_FV = offer.firm_value
HONEST = 0.4  # what the service is worth, whatever was promised


def fv_fixed_for(which):
    """firm_value whose quality term is HONEST (promise-free) for the rows `which` selects."""
    def fv(state, week, discount, rows=None):
        v = ORIG_FV(state, week, discount, rows)
        r = slice(None) if rows is None else rows
        st = state.stage[r]
        mask = which(st)
        q = state.quality_sensitivity[r]
        return np.where(mask, v + q * (HONEST - state.expectation[r]), v)
    return fv


def is_active(st):
    return np.isin(st, (EXPLORATION, EXPANSION, COMMITMENT))


@contextlib.contextmanager
def variant(name):
    saved = []

    def patch(mod, attr, value):
        saved.append((mod, attr, getattr(mod, attr)))
        setattr(mod, attr, value)

    if name in ("fv_active", "fv_all"):
        fv = fv_fixed_for(is_active if name == "fv_active" else (lambda st: np.ones(len(st), bool)))
        patch(offer, "firm_value", fv)  # value_advantage (trials, calculus) looks it up here
        patch(competition, "firm_value", fv)
    elif name == "fv_calc_only":  # only calculus trust of actives promise-free
        fv = fv_fixed_for(is_active)
        orig_va = offer.value_advantage
        def va(state, week, discount, rows=None):
            return fv(state, week, discount, rows) - week.market.competitor_attractiveness
        patch(trust, "value_advantage", va)
    elif name == "fv_switch_only":
        patch(competition, "firm_value", fv_fixed_for(is_active))
    elif name == "fv_trial_only":  # trials (and the calculus trust they start with) promise-free
        fv = fv_fixed_for(lambda st: ~is_active(st))
        def va(state, week, discount, rows=None):
            return fv(state, week, discount, rows) - week.market.competitor_attractiveness
        patch(trials, "value_advantage", va)
    elif name == "no_pos_loss":  # knowledge trust lost only on disappointments
        orig = episodes.serve_customers
        def serve(state, week):
            orig(state, week)
            e = week.episodes
            signed = e.experienced - state.expectation[e.who]
            e.surprise[:] = np.maximum(signed, 0) * 0 + np.maximum(-signed, 0)
        patch(episodes, "serve_customers", serve)
    elif name.startswith("espeed"):
        patch(trust, "EXPECTATION_SPEED", float(name[6:]))
    elif name == "no_disc":
        patch(episodes, "DISCONFIRMATION", 0.0)
    elif name.startswith("broken"):  # loss-averse quality against the firm's promise
        lam = float(name[6:] or 2.25)
        def fv(state, week, discount, rows=None):
            v = ORIG_FV(state, week, discount, rows)
            promise = week.policy.promise
            if promise is None:
                return v
            r = slice(None) if rows is None else rows
            short = np.minimum(0.0, state.expectation[r] - promise)
            return v + state.quality_sensitivity[r] * (lam - 1.0) * short
        patch(offer, "firm_value", fv)
        patch(competition, "firm_value", fv)
    elif name.startswith("ref"):  # reference-dependent quality vs the promise: gains x1, losses x lam
        lam = float(name[3:] or 2.25)
        def fv(state, week, discount, rows=None):
            v = ORIG_FV(state, week, discount, rows)
            promise = week.policy.promise
            if promise is None:
                return v
            r = slice(None) if rows is None else rows
            change = state.expectation[r] - promise
            felt = np.where(change < 0, lam * change, change)
            return v + state.quality_sensitivity[r] * felt
        patch(offer, "firm_value", fv)
        patch(competition, "firm_value", fv)
    elif name != "base":
        raise ValueError(name)
    try:
        yield
    finally:
        for mod, attr, value in reversed(saved):
            setattr(mod, attr, value)


def run(promise, seed, weeks=104, n=2000):
    import crmsim.model as model_mod
    # WEEKLY_PROCESSES holds function objects: rebuild from module attributes
    procs = list(model_mod.WEEKLY_PROCESSES)
    names = [(p.__module__, p.__name__) for p in procs]
    mods = {m: sys.modules[m] for m, _ in names}
    saved = model_mod.WEEKLY_PROCESSES
    model_mod.WEEKLY_PROCESSES = tuple(getattr(mods[m], f) for m, f in names)
    try:
        m = CRMModel(n_customers=n, policy=ex.promise_policy(promise), rng=seed, streams="keyed")
        m.run(weeks, progress=False)
    finally:
        model_mod.WEEKLY_PROCESSES = saved
    f = m.frame
    act = f["active_start"].sum()
    out = {
        "sat": f["satisfaction"].mean(), "tk": f["trust_knowledge"].mean(),
        "tc": f["trust_calculus"].mean(), "churn%": 100 * f["churn_rate"].mean(),
        "active": f["active"].iloc[-1], "acq": f["acquired"].sum(),
        "expl%": 100 * (f["exploration"] / f["active"].clip(lower=1)).mean(),
    }
    for c in ("failure", "drift", "competitor", "moved"):
        out[c[:4]] = 1e4 * f[f"lost_{c}"].sum() / act  # per 10,000 customer-weeks
    return out


if __name__ == "__main__":
    import pandas as pd
    variants = sys.argv[1:] or ["base"]
    rows = []
    for v in variants:
        for label, p in ex.PROMISES.items():
            with variant(v):
                rs = [run(p, s) for s in (1, 2, 3)]
            row = {k: np.mean([r[k] for r in rs]) for k in rs[0]}
            rows.append({"variant": v, "promise": label, **row})
    pd.set_option("display.width", 200)
    print(pd.DataFrame(rows).round(3).to_string(index=False))
