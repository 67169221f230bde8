"""Who talks to whom: the social network that carries word of mouth and referrals.

Networks are held as a symmetric sparse adjacency matrix (CSR), generated with
NumPy so that a million customers fit in memory and build in seconds. networkx
is used only for what it is good at: small graphs, drawing, and graphs a user
brings. A well-mixed (mean-field) market has no adjacency at all: everyone is
everyone's contact, which is the setting of the Bass (1969) diffusion model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from crmsim import checks
from crmsim.arrays import rows_of
from crmsim.streams import KeyedStream

NETWORK_KINDS = ("small-world", "scale-free", "well-mixed")


class SocialNetwork:
    """Contacts between customers.

    Use :func:`build_network` rather than the constructor.

    Parameters
    ----------
    n : int
        Number of people.
    adjacency : scipy.sparse.csr_array or None
        Symmetric 0/1 adjacency without self-loops; ``None`` for a well-mixed market.
    kind : str
        A label for reports.
    mean_degree : float
        Contacts per person; for a well-mixed market, how many people one talker reaches.
    """

    def __init__(
        self, n: int, adjacency: sp.csr_array | None, kind: str, mean_degree: float
    ) -> None:
        self.n = n
        self.adjacency = adjacency
        self.kind = kind
        if adjacency is not None:
            self.degree = np.diff(adjacency.indptr).astype(np.int64)
            self.mean_degree = float(self.degree.mean()) if n else 0.0
            # 1 / degree, and 0 for people without contacts: shares become one multiplication
            self.inverse_degree = np.divide(
                1.0, self.degree, out=np.zeros(n), where=self.degree > 0
            )
        else:
            self.degree = None
            self.inverse_degree = None
            self.mean_degree = float(mean_degree)

    @property
    def well_mixed(self) -> bool:
        return self.adjacency is None

    def share_of_contacts(self, mask: np.ndarray) -> np.ndarray:
        """For each person, the share of their contacts for whom ``mask`` is true."""
        if self.adjacency is None:
            total = mask.sum()
            others = max(self.n - 1, 1)
            return (total - mask) / others
        counts = self.adjacency @ mask.astype(np.float64)
        return np.divide(counts, self.degree, out=np.zeros(self.n), where=self.degree > 0)

    def count_contacts(self, mask: np.ndarray) -> np.ndarray:
        """For each person, how many of their contacts ``mask`` marks (a sparse product)."""
        if self.adjacency is None:
            raise ValueError("a well-mixed market has no contact lists; use share_of_contacts")
        return self.adjacency @ mask.astype(np.float64)

    def _contact_lists(self, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each person's number of contacts, and all their contacts one list after another."""
        deg = self.degree[people]
        # the position of each contact in the CSR index array: the person's row start plus
        # a counter that restarts at 0 for every person
        # (array methods: NumPy's module-level wrappers cost more than the work at class size)
        starts = (self.adjacency.indptr[people] - deg.cumsum() + deg).repeat(deg)
        return deg, self.adjacency.indices[starts + np.arange(deg.sum())]

    def update_contact_counts(
        self, counts: np.ndarray, changed: np.ndarray, now_marked: np.ndarray
    ) -> None:
        """Update ``counts`` (from :meth:`count_contacts`) in place after the people ``changed``
        flipped their mark; ``now_marked`` says which way each of them flipped.

        Touches only the changed people's contacts, so a week in which few customers start
        or stop buying costs little even in a market of millions.
        """
        deg, neighbours = self._contact_lists(changed)
        delta = np.where(now_marked, 1.0, -1.0).repeat(deg)
        np.add.at(counts, neighbours, delta)

    def update_group_contact_counts(
        self, counts: np.ndarray, changed: np.ndarray, before: np.ndarray, now: np.ndarray
    ) -> None:
        """Update ``counts`` (one row per person, one column per group: each person's contacts
        in each group) in place after the people ``changed`` moved from group ``before`` to
        group ``now`` (-1: in none).

        Each changed person's contacts lose one member of the group the person left and gain
        one of the group they joined; like :meth:`update_contact_counts`, only their contacts
        are touched.
        """
        n_groups = counts.shape[1]
        flat = counts.reshape(-1)  # a view: counts is C-ordered
        for group, step in ((before, -1.0), (now, 1.0)):
            movers = rows_of(group >= 0)
            deg, neighbours = self._contact_lists(changed[movers])
            np.add.at(flat, neighbours * n_groups + group[movers].astype(np.intp).repeat(deg), step)

    def random_contact(
        self, people: np.ndarray, rng: np.random.Generator | KeyedStream
    ) -> np.ndarray:
        """One contact of each person chosen uniformly; -1 for someone with no contacts.

        ``rng`` is a generator, or a keyed stream about ``people`` (:mod:`crmsim.streams`).
        """
        if len(people) == 0:
            return np.empty(0, dtype=np.int64)
        if self.adjacency is None:
            if self.n < 2:
                return np.full(len(people), -1, dtype=np.int64)
            # uniform over everyone else: draw from n-1 and skip oneself
            pick = rng.integers(0, self.n - 1, size=len(people))
            return pick + (pick >= people)
        deg = self.degree[people]
        offset = np.floor(rng.random(len(people)) * deg).astype(np.int64)
        start = self.adjacency.indptr[people]
        contact = self.adjacency.indices[
            np.minimum(start + offset, len(self.adjacency.indices) - 1)
        ]
        return np.where(deg > 0, contact, -1).astype(np.int64)

    def contacts_reached(
        self, talkers: np.ndarray, p_talk: np.ndarray, rng: np.random.Generator | KeyedStream
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each talker reaches each of their contacts with probability ``p_talk`` (per talker).

        ``rng`` is a generator, or a keyed stream about ``talkers`` (:mod:`crmsim.streams`):
        then each talker's chance with each contact is keyed by the talker and the contact's
        slot, so a talker reaches the same contacts whoever else talks.

        Returns
        -------
        sources, targets : numpy.ndarray
            One entry per contact reached.
        """
        if len(talkers) == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        if isinstance(rng, KeyedStream):
            return self._contacts_reached_keyed(talkers, p_talk, rng)
        if self.adjacency is None:
            reach = rng.binomial(int(round(self.mean_degree)), p_talk)
            sources = np.repeat(talkers, reach)
            targets = self.random_contact(sources, rng)
            return sources, targets
        deg, targets = self._contact_lists(talkers)
        sources = talkers.repeat(deg)
        targets = targets.astype(np.int64)
        keep = rng.random(len(targets)) < p_talk.repeat(deg)
        return sources[keep], targets[keep]

    def _contacts_reached_keyed(
        self, talkers: np.ndarray, p_talk: np.ndarray, stream: KeyedStream
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`contacts_reached` with keyed uniforms: one per talker and contact slot."""
        if self.adjacency is None:
            # slot j < m: whether the talker's j-th conversation happens (a binomial, one
            # Bernoulli trial per slot); slot m + j: whom it reaches
            m = int(round(self.mean_degree))
            if m == 0 or self.n < 2:
                empty = np.empty(0, dtype=np.int64)
                return empty, empty
            sources = talkers.repeat(m)
            slots = np.tile(np.arange(m, dtype=np.int64), len(talkers))
            keep = stream.uniform(sources, slots) < p_talk.repeat(m)
            sources, slots = sources[keep], slots[keep]
            pick = np.floor(stream.uniform(sources, slots + m) * (self.n - 1)).astype(np.int64)
            np.minimum(pick, self.n - 2, out=pick)
            return sources, pick + (pick >= sources)
        deg, targets = self._contact_lists(talkers)
        sources = talkers.repeat(deg)
        # each contact's slot: its place in the talker's contact list
        slots = np.arange(len(sources)) - (deg.cumsum() - deg).repeat(deg)
        keep = stream.uniform(sources, slots) < p_talk.repeat(deg)
        return sources[keep], targets.astype(np.int64)[keep]

    def to_networkx(self) -> Any:
        """The network as a ``networkx.Graph`` (for drawing small markets)."""
        import networkx as nx

        if self.adjacency is None:
            if self.n > 2_000:
                raise ValueError(
                    f"a well-mixed market of {self.n} people is a complete graph; "
                    "too large to draw (limit 2,000)"
                )
            return nx.complete_graph(self.n)
        graph = nx.from_scipy_sparse_array(self.adjacency)
        return graph


def _symmetric_csr(n: int, rows: np.ndarray, cols: np.ndarray) -> sp.csr_array:
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    both_rows = np.concatenate([rows, cols])
    both_cols = np.concatenate([cols, rows])
    matrix = sp.csr_array(
        (np.ones(len(both_rows), dtype=np.float64), (both_rows, both_cols)), shape=(n, n)
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0  # duplicate edges collapse to one contact
    matrix.sort_indices()
    return matrix


def small_world(
    n: int, mean_degree: int, rewiring: float, rng: np.random.Generator
) -> sp.csr_array:
    """Watts–Strogatz small world: a ring where each links to its ``mean_degree`` nearest,
    then each link is rewired to a random person with probability ``rewiring``."""
    half = max(1, mean_degree // 2)
    if n <= 1:
        return sp.csr_array((n, n))
    half = min(half, (n - 1) // 2) or 1
    rows = np.repeat(np.arange(n, dtype=np.int64), half)
    cols = (rows + np.tile(np.arange(1, half + 1), n)) % n
    rewire = rng.random(len(cols)) < rewiring
    cols[rewire] = rng.integers(0, n, size=int(rewire.sum()))
    return _symmetric_csr(n, rows, cols)


def scale_free(
    n: int, mean_degree: int, rng: np.random.Generator, exponent: float = 2.5
) -> sp.csr_array:
    """Scale-free network (Chung–Lu): expected degrees follow a power law with ``exponent``.

    Endpoints of ``n * mean_degree / 2`` links are drawn in proportion to each person's
    weight, which gives the heavy-tailed degrees of preferential attachment without its
    sequential growth, so it scales to millions.
    """
    if n <= 1:
        return sp.csr_array((n, n))
    ranks = np.arange(1, n + 1, dtype=np.float64)
    weights = ranks ** (-1.0 / (exponent - 1.0))
    weights /= weights.sum()
    n_links = int(n * mean_degree / 2)
    cumulative = np.cumsum(weights)
    rows = np.searchsorted(cumulative, rng.random(n_links) * cumulative[-1])
    cols = np.searchsorted(cumulative, rng.random(n_links) * cumulative[-1])
    rows = np.minimum(rows, n - 1)
    cols = np.minimum(cols, n - 1)
    perm = rng.permutation(n)  # hubs spread over ids, not all at the start
    return _symmetric_csr(n, perm[rows], perm[cols])


def from_networkx(graph: Any) -> sp.csr_array:
    """Adjacency of a user's ``networkx.Graph``; customers are its nodes, in node order."""
    import networkx as nx

    if graph.is_directed():
        graph = graph.to_undirected()
    matrix = nx.to_scipy_sparse_array(graph, format="coo", dtype=np.float64)
    return _symmetric_csr(
        graph.number_of_nodes(), matrix.row.astype(np.int64), matrix.col.astype(np.int64)
    )


def build_network(
    spec: str | Any,
    n: int,
    rng: np.random.Generator,
    mean_degree: int = 10,
    rewiring: float = 0.1,
) -> SocialNetwork:
    """Make the social network for ``n`` people.

    Parameters
    ----------
    spec : {"small-world", "scale-free", "well-mixed"} or networkx.Graph
        The kind of network, or a user's own graph with exactly ``n`` nodes.
    n : int
        Number of people.
    rng : numpy.random.Generator
        Source of randomness.
    mean_degree : int
        Average number of contacts.
    rewiring : float
        Small-world rewiring probability, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> net = build_network("small-world", 100, np.random.default_rng(0), mean_degree=6)
    >>> round(net.mean_degree)
    6
    """
    mean_degree = checks.integer("mean_degree", mean_degree, low=1)
    rewiring = checks.number("rewiring", rewiring, 0.0, 1.0)
    if isinstance(spec, str):
        if spec == "small-world":
            return SocialNetwork(n, small_world(n, mean_degree, rewiring, rng), spec, mean_degree)
        if spec == "scale-free":
            return SocialNetwork(n, scale_free(n, mean_degree, rng), spec, mean_degree)
        if spec == "well-mixed":
            return SocialNetwork(n, None, spec, mean_degree)
        raise ValueError(
            f"network must be one of {NETWORK_KINDS} or a networkx.Graph, got {spec!r}"
        )
    if hasattr(spec, "number_of_nodes") and hasattr(spec, "edges"):
        if spec.number_of_nodes() != n:
            raise ValueError(
                f"the network graph has {spec.number_of_nodes()} nodes but n_customers is {n}; "
                "they must match (one node per customer)"
            )
        return SocialNetwork(n, from_networkx(spec), "user graph", mean_degree)
    raise ValueError(f"network must be one of {NETWORK_KINDS} or a networkx.Graph, got {spec!r}")
