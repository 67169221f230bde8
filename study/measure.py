"""Before/after measurements for the promise study: lesson 03's promise run and the defaults."""
from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from crmsim import CRMModel, scenarios
from crmsim.calibration.retention import simulate_cohort
from crmsim.exercises import lesson_03 as ex


def promise_run(args):
    promise, seed, weeks = args
    m = CRMModel(n_customers=2000, policy=ex.promise_policy(promise), rng=seed, streams="keyed")
    m.run(weeks, progress=False)
    f = m.frame
    act = f["active_start"].sum()
    return {
        "sat": f["satisfaction"].mean(), "tk": f["trust_knowledge"].mean(),
        "tc": f["trust_calculus"].mean(),
        "churn%": 100 * f["lost"].sum() / act,  # the notebook's weekly churn
        "active": f["active"].iloc[-1], "acq": f["acquired"].sum(),
        "comp": 1e4 * f["lost_competitor"].sum() / act, "drift": 1e4 * f["lost_drift"].sum() / act,
        "fail": 1e4 * f["lost_failure"].sum() / act,
    }


def default_run(args):
    name, seed = args
    pol = None if name == "defaults" else scenarios.load(name).policy
    m = CRMModel(n_customers=2000, policy=pol, rng=seed)
    m.run(156, progress=False)
    f = m.frame
    return {"churn%": 100 * f["lost"].sum() / f["active_start"].sum(), "active156": f["active"].iloc[-1],
            "profit": f["profit"].sum()}


def cohort(args):
    name, seed = args
    pol = None if name == "defaults" else scenarios.load(name).policy
    s = simulate_cohort(6, 52, n_customers=3000, policy=pol, rng=seed)
    r = s[1:] / s[:-1]
    return {"ret_y1": r[0], "ret_y2": r[1], "ret_y5": r[4]}


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    with ProcessPoolExecutor(2) as pool:
        rows = []
        for weeks in (104, 156):
            for label, p in ex.PROMISES.items():
                rs = list(pool.map(promise_run, [(p, s, weeks) for s in (1, 2, 3)]))
                rows.append({"weeks": weeks, "promise": label,
                             **{k: np.mean([r[k] for r in rs]) for k in rs[0]}})
        print(pd.DataFrame(rows).round(3).to_string(index=False))
        if "--defaults" in sys.argv:
            rows = []
            for name in ("defaults", "baseline", "customer_centric"):
                rs = list(pool.map(default_run, [(name, s) for s in (1, 2, 3)]))
                cs = list(pool.map(cohort, [(name, s) for s in (1, 2, 3)]))
                rows.append({"policy": name, **{k: np.mean([r[k] for r in rs]) for k in rs[0]},
                             **{k: np.mean([r[k] for r in cs]) for k in cs[0]}})
            print(pd.DataFrame(rows).round(4).to_string(index=False))
