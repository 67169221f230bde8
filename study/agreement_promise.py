"""One-week agreement of the two engines with a promise set (the new branch), and a break check."""
import sys
sys.path.insert(0, "tests")
import test_agreement as ta
from crmsim import reference

ta.POLICY = ta.POLICY.replace(promise=0.7)
start = ta.busy_market("busy")
vec = ta.weeks("vectorized", start)
ref = ta.weeks("reference", start)
r = ta.disagreement(vec, ref)
print("promise 0.7, unbroken: max ratio", round(r["ratio"].max(), 2), r["ratio"].idxmax())
# break: the reference forgets the promise
orig = reference.ReferenceCustomer.firm_value
def forgetful(self, discount):
    p = self.model.policy
    self.model.policy = p.replace(promise=None)
    try:
        return orig(self, discount)
    finally:
        self.model.policy = p
reference.ReferenceCustomer.firm_value = forgetful
ref2 = ta.weeks("reference", start)
r2 = ta.disagreement(vec, ref2)
print("reference ignores the promise: max ratio", round(r2["ratio"].max(), 2), r2["ratio"].idxmax())
print(r2.sort_values("ratio").tail(4))
