"""Social networks: shape of each kind, sparse storage, user graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from crmsim import CRMModel
from crmsim.network import build_network


def test_small_world_has_the_asked_mean_degree_and_no_self_loops():
    net = build_network("small-world", 5_000, np.random.default_rng(0), mean_degree=10)
    a = net.adjacency
    assert net.mean_degree == pytest.approx(10, rel=0.05)
    assert a.diagonal().sum() == 0
    assert (a != a.T).nnz == 0  # symmetric: talking is mutual


def test_scale_free_has_hubs_and_small_world_does_not():
    rng = np.random.default_rng(1)
    sf = build_network("scale-free", 20_000, rng, mean_degree=10)
    sw = build_network("small-world", 20_000, rng, mean_degree=10)
    assert sf.degree.max() > 10 * sf.mean_degree
    assert sw.degree.max() < 3 * sw.mean_degree


def test_share_of_contacts_counts_neighbours():
    graph = nx.star_graph(4)  # centre 0 with four leaves
    net = build_network(graph, 5, np.random.default_rng(0))
    mask = np.array([False, True, True, False, False])
    share = net.share_of_contacts(mask)
    assert share[0] == pytest.approx(0.5)
    assert share[1] == 0.0 and share[3] == 0.0


def test_well_mixed_share_is_the_share_of_everyone_else():
    net = build_network("well-mixed", 10, np.random.default_rng(0))
    mask = np.zeros(10, bool)
    mask[:3] = True
    share = net.share_of_contacts(mask)
    assert share[0] == pytest.approx(2 / 9)
    assert share[5] == pytest.approx(3 / 9)


def test_contacts_reached_are_real_neighbours():
    net = build_network("small-world", 300, np.random.default_rng(2), mean_degree=6)
    talkers = np.array([0, 5, 17])
    src, dst = net.contacts_reached(talkers, np.ones(3), np.random.default_rng(3))
    assert len(src) == net.degree[talkers].sum()
    assert all(net.adjacency[s, d] == 1 for s, d in zip(src, dst, strict=True))
    one = net.random_contact(np.array([5] * 50), np.random.default_rng(4))
    assert all(net.adjacency[5, d] == 1 for d in one)


def test_a_users_graph_is_accepted_when_its_size_matches():
    graph = nx.karate_club_graph()
    model = CRMModel(n_customers=34, network=graph, rng=0)
    assert model.network.adjacency.nnz == 2 * graph.number_of_edges()
    with pytest.raises(ValueError, match="34 nodes but n_customers is 40"):
        CRMModel(n_customers=40, network=graph)


def test_large_networks_are_built_without_networkx(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "networkx", None)  # importing it would now fail
    net = build_network("scale-free", 200_000, np.random.default_rng(0))
    assert net.adjacency.shape == (200_000, 200_000)


@pytest.mark.parametrize("network", ["small-world", "scale-free"])
def test_incremental_contact_counts_equal_a_fresh_count_every_week(network):
    model = CRMModel(n_customers=3_000, network=network, rng=8)
    model.policy = model.policy.replace(win_back=0.3, advertising=0.05)
    for _ in range(40):
        model.step()
        s = model.state
        fresh = model.network.count_contacts(s.counted_active)
        np.testing.assert_array_equal(s.active_contacts, fresh)
