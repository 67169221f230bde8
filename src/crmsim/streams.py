"""Where the weekly processes' random numbers come from: one generator, or keyed streams.

``streams="sequential"`` (the default) draws everything from the model's one
``numpy.random.Generator``, in the order the processes ask. It is fast and reproducible,
but the size of each draw depends on how many people take part, so two policies run on the
same seed fall out of step within weeks: after that they share the people and the network,
not the luck.

``streams="keyed"`` gives every draw about a customer its own number, a function of the run's
key, the week, the *site* (the named place in the rules that draws it, see :data:`SITES`),
the customer's row and, for draws that come several to a customer, a slot (a Kano attribute,
a contact). The function is SplitMix64's mixer (Steele, Lea & Flood 2014), a bijective
integer hash whose outputs for consecutive counters pass BigCrush, applied in vectorised
``uint64`` arithmetic. So the same customer meets the same luck in the same week at the same
site whatever the policy and however many others take part: common random numbers, which
let paired comparisons of policies see their difference rather than their luck.

The weekly rules never see this module: they ask :class:`crmsim.week.Week` for
``week.luck(site, rows)`` (uniforms), ``week.normal(site, rows, mean, sd)`` or
``week.draws(site, rows)`` (a source with the ``Generator`` methods the rule calls).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import ndtri

#: ``streams=`` values of :class:`crmsim.CRMModel` and the experiments.
STREAM_MODES = ("sequential", "keyed")

#: Every place in the weekly rules that draws random numbers about customers, and what it draws.
SITES: dict[str, str] = {
    "awareness": "an unaware person hears of the firm",
    "trial": "an aware prospect makes a first purchase",
    "settle": "a prospect who did not buy settles with the competitor",
    "purchase": "a customer buys this week (every row drawn)",
    "service": "service noise, one normal per Kano attribute (slot: the attribute)",
    "respect": "respect noise of an episode",
    "failure": "an episode fails",
    "complaint": "a failure is complained of",
    "resolution": "a complaint is put right",
    "breach": "an episode is felt as a breach of respect",
    "failure-exit": "a customer with an unresolved failure leaves",
    "disrespect-exit": "a disrespected marketer leaves",
    "offer-reach": "a competitor's offer reaches a customer",
    "offer-value": "how attractive that offer is",
    "drift": "a quiet lapse",
    "rival-offer": "a rival firm's offer reaches a customer (a market of several firms)",
    "referral-fade": "a pending referral is forgotten",
    "referral": "a loyal customer or marketer recommends the firm",
    "referral-contact": "which contact is recommended to",
    "negative-word": "an angry speaker reaches a contact (slot: the contact; in a well-mixed "
    "market also whom)",
    "win-back-offer": "a former customer gets a win-back offer",
    "win-back-accept": "the offer is accepted",
    "reconsider": "a calm former customer considers the firm again",
    "turnover": "a person leaves the category (every row drawn)",
    "mover-stays": "a moving customer keeps the firm (drawn only when Market.mover_loss < 1)",
    "newcomers": "the traits of this week's newcomers (a generator seeded by run and week)",
}

_MASK = (1 << 64) - 1
#: SplitMix64's increment (2**64 over the golden ratio) and a second odd constant for slots.
_GAMMA = 0x9E3779B97F4A7C15
_SLOT_GAMMA = 0xD1B54A32D192ED03
_TO_UNIT = 2.0**-53


def _site_code(site: str) -> int:
    # a hash of the name, not its position in SITES: adding a site leaves the others' numbers
    if site not in SITES:
        raise ValueError(f"unknown random stream site {site!r}; known sites: {sorted(SITES)}")
    return _SITE_CODES[site]


_SITE_CODES = {
    name: int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")
    for name in SITES
}


def mix64(z: int) -> int:
    """SplitMix64's finaliser on one Python integer (modulo 2**64)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def mix64_array(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on a ``uint64`` array, in place (wrapping arithmetic)."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def check_mode(streams: Any) -> str:
    """``streams`` if it is a known mode, else a one-line ``ValueError`` naming the field."""
    if not isinstance(streams, str) or streams not in STREAM_MODES:
        raise ValueError(f"streams must be 'sequential' or 'keyed', got {streams!r}")
    return streams


class KeyedStream:
    """Counter-based random numbers for one site in one week, about the customers ``rows``.

    Offers the ``numpy.random.Generator`` methods the weekly rules call (``random``,
    ``standard_normal``, ``integers``), so a helper written for a generator (a contact
    picked at random, service noise) runs unchanged on it: a draw of ``size`` ``len(rows)``
    gives each row its number, one of ``(len(rows), k)`` gives each row ``k`` numbers (slots
    ``0 .. k-1``).

    Parameters
    ----------
    base : int
        The stream's 64-bit key for this run, week and site (from :meth:`Streams.base`).
    rows : numpy.ndarray
        The customers' rows, in the order their numbers are wanted.
    """

    def __init__(self, base: int, rows: np.ndarray) -> None:
        self.base = base
        self.rows = rows

    def bits(self, rows: np.ndarray, slots: np.ndarray | None = None) -> np.ndarray:
        """64 random bits for each of ``rows`` (and its slot, if ``slots`` is given)."""
        z = rows.astype(np.uint64)
        z *= np.uint64(_GAMMA)
        z += np.uint64(self.base)
        mix64_array(z)
        if slots is not None:
            # one more round for the slot: a customer's slots are as unrelated as two customers
            extra = slots.astype(np.uint64) + np.uint64(1)
            extra *= np.uint64(_SLOT_GAMMA)
            z += extra
            mix64_array(z)
        return z

    def uniform(self, rows: np.ndarray, slots: np.ndarray | None = None) -> np.ndarray:
        """A uniform in [0, 1) for each of ``rows`` (and slot): the top 53 bits, as a double."""
        z = self.bits(rows, slots)
        z >>= np.uint64(11)
        return z * _TO_UNIT

    def standard_normal_at(self, rows: np.ndarray, slots: np.ndarray | None = None) -> np.ndarray:
        """A standard normal for each of ``rows`` (and slot), by the inverse normal CDF."""
        z = self.bits(rows, slots)
        z >>= np.uint64(11)
        # the middle of each of the 2**53 cells: never 0 or 1, whose inverse is infinite
        u = z.astype(np.float64)
        u += 0.5
        u *= _TO_UNIT
        return ndtri(u)

    def _rows_and_slots(self, size: int | Sequence[int]) -> tuple[np.ndarray, np.ndarray | None]:
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        n = len(self.rows)
        if shape == (n,):
            return self.rows, None
        if len(shape) == 2 and shape[0] == n:
            k = shape[1]
            return self.rows.repeat(k), np.tile(np.arange(k, dtype=np.uint64), n)
        raise ValueError(f"a keyed stream about {n} customers cannot draw size {size!r}")

    def random(self, size: int | Sequence[int]) -> np.ndarray:
        """Uniforms in [0, 1), like ``Generator.random(size)``, keyed by row (and column)."""
        rows, slots = self._rows_and_slots(size)
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        return self.uniform(rows, slots).reshape(shape)

    def standard_normal(self, size: int | Sequence[int]) -> np.ndarray:
        """Standard normals, like ``Generator.standard_normal(size)``, keyed by row (and column)."""
        rows, slots = self._rows_and_slots(size)
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        return self.standard_normal_at(rows, slots).reshape(shape)

    def integers(self, low: int, high: int, size: int) -> np.ndarray:
        """Integers in [low, high), like ``Generator.integers(low, high, size)``, keyed by row."""
        picks = np.floor(self.random(size) * (high - low)).astype(np.int64)
        # rounding can reach high when the uniform is within 2**-53 of 1
        np.minimum(picks, high - low - 1, out=picks)
        picks += low
        return picks


class Streams:
    """The keyed random streams of one run.

    Parameters
    ----------
    key : int
        The run's 64-bit key (a keyed :class:`crmsim.CRMModel` draws it from its seed).
    """

    def __init__(self, key: int) -> None:
        self.key = key & _MASK

    def base(self, week: int, site: str) -> int:
        """The 64-bit key of ``site``'s stream in ``week``."""
        return mix64(mix64(self.key ^ _site_code(site)) + (week + 1) * _GAMMA)

    def at(self, week: int, site: str, rows: np.ndarray) -> KeyedStream:
        """``site``'s stream in ``week``, about the customers ``rows``."""
        return KeyedStream(self.base(week, site), rows)

    def generator(self, week: int, site: str) -> np.random.Generator:
        """A NumPy generator seeded by run, week and site (for draws that are not per row)."""
        return np.random.default_rng([self.key, week, _site_code(site)])
