"""The actor–PTCE network: GraphML, GEXF and CSV that networkx and pandas read back with the
same nodes, edges and weights; projections that agree with networkx's; as_of; route and command."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from networkx.algorithms import bipartite
from test_researchers_guide import real_site  # noqa: F401 - the bundled real data, served
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.errors import QueryError
from ptce_kg.formats import RdfFormat
from ptce_kg.network import Network, load_network
from ptce_kg.store import Store, open_store

ID = "https://w3id.org/ptce/id/"
# Juratri carried Clus'Ter Jura from 2014 to 2016 and is its founder (no end)
JURATRI = (f"{ID}org/juratri", f"{ID}ptce/cluster-jura")
# a founder of Eco-Pertica until 2010, its one membership
CHANVRE = (f"{ID}org/chaux-chanvre-et-compagnie", f"{ID}ptce/eco-pertica")


@pytest.fixture(scope="module")
def store(real_site: TestClient) -> Store:  # noqa: F811
    st: Store = real_site.app.state.store  # type: ignore[attr-defined]
    return st


@pytest.fixture(scope="module")
def actors_ptces(store: Store) -> Network:
    return load_network(store, "bipartite", lang="en")


def read(network: Network, fmt: str) -> nx.Graph:
    text = network.serialize(fmt)
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    return reader(io.BytesIO(text.encode("utf-8")))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_networkx_reads_back_every_node_edge_and_attribute(actors_ptces: Network, fmt: str):
    graph = read(actors_ptces, fmt)
    assert graph.number_of_nodes() == len(actors_ptces.nodes) > 500
    assert graph.number_of_edges() == len(actors_ptces.edges) > 500
    kinds = nx.get_node_attributes(graph, "kind")
    assert set(kinds.values()) == {"actor", "ptce"}
    assert all(kinds[a] == "actor" and kinds[p] == "ptce" for a, p in graph.edges() if a in kinds)
    damier = graph.nodes[f"{ID}ptce/le-damier"]
    assert damier["label"] == "Le Damier"
    metropole = graph.nodes[f"{ID}org/clermont-auvergne-metropole"]
    assert metropole["category"] == "InterMunicipalAuthority"
    edge = graph.edges[f"{ID}org/clermont-auvergne-metropole", f"{ID}ptce/le-damier"]
    assert edge["roles"] == "partner" and int(edge["weight"]) == 1


def test_the_csv_edge_list_is_the_same_graph(actors_ptces: Network):
    edges = pd.read_csv(io.StringIO(actors_ptces.to_csv()), keep_default_na=False)
    assert list(edges.columns[:3]) == ["Source", "Target", "Weight"]
    assert len(edges) == len(actors_ptces.edges)
    assert set(edges["source_kind"]) == {"actor"} and set(edges["target_kind"]) == {"ptce"}
    juratri = edges[(edges.Source == JURATRI[0]) & (edges.Target == JURATRI[1])]
    assert juratri[["roles", "start", "end", "Weight"]].values.tolist() == [
        ["carrier | founder", "2014", "", 2]
    ]
    chanvre = edges[(edges.Source == CHANVRE[0]) & (edges.Target == CHANVRE[1])]
    assert chanvre[["roles", "end"]].values.tolist() == [["founder", "2010"]]


@pytest.mark.parametrize(("name", "kind"), [("ptces", "ptce"), ("actors", "actor")])
def test_projections_agree_with_networkx(
    store: Store, actors_ptces: Network, name: str, kind: str
) -> None:
    full = read(actors_ptces, "graphml")
    side = {n for n, k in full.nodes(data="kind") if k == kind}
    expected = bipartite.weighted_projected_graph(full, side)
    expected.remove_nodes_from([n for n in list(expected) if expected.degree(n) == 0])
    projected = read(load_network(store, name), "gexf")
    got = {(min(a, b), max(a, b)): int(w) for a, b, w in projected.edges(data="weight")}
    want = {(min(a, b), max(a, b)): w for a, b, w in expected.edges(data="weight")}
    assert got == want and got


def test_as_of_keeps_the_memberships_running_that_day(store: Store):
    def edge(pair: tuple[str, str], day: date | None) -> dict[str, str] | None:
        network = load_network(store, "bipartite", as_of=day)
        return next((e.attributes for e in network.edges if (e.source, e.target) == pair), None)

    assert (edge(JURATRI, date(2015, 6, 30)) or {})["roles"] == "carrier | founder"
    assert (edge(JURATRI, date(2016, 12, 31)) or {})["roles"] == "carrier | founder"
    assert (edge(JURATRI, date(2020, 1, 1)) or {})["roles"] == "founder"
    assert edge(CHANVRE, date(2010, 5, 1)) is not None and edge(CHANVRE, None) is not None
    assert edge(CHANVRE, date(2011, 1, 1)) is None


def test_bad_parameters_are_query_errors(store: Store, actors_ptces: Network):
    with pytest.raises(QueryError, match="'graph'"):
        load_network(store, "members")
    with pytest.raises(QueryError, match="'format'"):
        actors_ptces.serialize("pajek")


def test_the_route_serves_files_networkx_reads(real_site: TestClient):  # noqa: F811
    r = real_site.get("/api/network", params={"graph": "ptces", "format": "gexf"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/gexf+xml")
    assert 'filename="ptce-network-ptces.gexf"' in r.headers["content-disposition"]
    assert nx.read_gexf(io.BytesIO(r.content)).number_of_edges() > 0
    english = real_site.get("/api/network", params={"format": "csv", "lang": "en"})
    assert english.status_code == 200 and english.headers["content-language"] == "en"
    for bad in ({"graph": "x"}, {"format": "x"}, {"as_of": "2020-13-01"}, {"lang": "de"}):
        assert real_site.get("/api/network", params=bad).status_code == 400, bad


def test_the_command_writes_a_file(store: Store, tmp_path: Path):
    dump = tmp_path / "real.nq"
    with dump.open("wb") as f:
        store.dump(f, RdfFormat.N_QUADS)
    on_disk = open_store(str(tmp_path / "store"))
    on_disk.bulk_load(dump, RdfFormat.N_QUADS, None)
    on_disk.close()
    del on_disk
    target = tmp_path / "net.graphml"
    runner = CliRunner()
    args = ["network", "--store", str(tmp_path / "store"), "-g", "actors", "--file", str(target)]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.stderr
    assert nx.read_graphml(target).number_of_edges() > 0
    bad = runner.invoke(cli.app, ["network", "--store", str(tmp_path / "store"), "-f", "dot"])
    assert bad.exit_code == 2 and "not a network format" in bad.stderr
