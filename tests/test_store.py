"""The stores: atomic graph replacement, drops, dumps, sizes, persistence, locking.

The behaviour every backend shares runs on all three: the embedded store and remote stores on a real
Oxigraph server and a real Virtuoso started by the tests (``store`` fixture); on-disk specifics run
on the embedded one.
"""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from store.oxigraph import oxigraph_serving

from ptce_kg.errors import QueryError, StoreError
from ptce_kg.formats import RdfFormat
from ptce_kg.store import open_store
from ptce_kg.store.embedded import _PENDING as PENDING
from ptce_kg.store.embedded import open_embedded_store

G1 = "https://w3id.org/ptce/graph/test-one"
G2 = "https://w3id.org/ptce/graph/test-two"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"


def nt(*pairs: tuple[str, str]) -> bytes:
    return "".join(
        f"<https://w3id.org/ptce/id/org/synthetic-{s}> "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "{o}" .\n'
        for s, o in pairs
    ).encode()


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty store: embedded in memory, or remote on a fresh Oxigraph server, or remote on the
    session's Virtuoso (emptied)."""
    if request.param == "embedded":
        st = open_store(":memory:")
        yield st
        st.close()
        return
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        st = open_store(server.url, user=server.user, password=server.password)
        yield st
        st.close()
        return
    with oxigraph_serving(tmp_path / "oxigraph") as server:
        st = open_store(server.url)
        yield st
        st.close()


def quads(store) -> set[str]:
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.N_QUADS)
    return set(buf.getvalue().decode().splitlines())


def test_replace_graphs_creates_then_replaces_only_the_named_graph(store):
    store.replace_graphs({G1: nt(("a", "A")), G2: nt(("b", "B"))})
    store.replace_graphs({G1: nt(("c", "C"), ("d", "D"))})
    assert store.graph_sizes() == {G1: 2, G2: 1}
    # ?p bound to rdfs:label: Virtuoso's default graph also holds its own graphs (docs/stores.md)
    labels = {str(r[0]) for r in store.query(f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l }}").rows}
    assert labels == {"B", "C", "D"}


def test_replace_graphs_with_a_syntax_error_changes_nothing(store):
    store.replace_graphs({G1: nt(("a", "A"))})
    before = quads(store)
    with pytest.raises(StoreError):
        store.replace_graphs({G1: nt(("b", "B")), G2: b"<broken> .\n"})
    assert quads(store) == before


def test_drop_graphs_removes_them_and_ignores_missing_ones(store):
    store.replace_graphs({G1: nt(("a", "A")), G2: nt(("b", "B"))})
    store.drop_graphs([G1, "https://w3id.org/ptce/graph/missing"])
    assert store.graph_sizes() == {G2: 1}


def test_query_default_graph_is_the_union_and_can_be_narrowed(store):
    store.replace_graphs({G1: nt(("a", "A")), G2: nt(("b", "B"))})
    labels = f"SELECT * WHERE {{ ?s <{LABEL}> ?o }}"  # not ?p: Virtuoso's own graphs
    assert len(store.query(labels).rows) == 2
    assert len(store.query("SELECT * WHERE { ?s ?p ?o }", default_graph=[G1]).rows) == 1
    bound = store.query(
        "SELECT ?s ?l WHERE { ?s ?p ?l }",
        bindings={"s": URIRef("https://w3id.org/ptce/id/org/synthetic-b")},
    )
    assert [str(r[1]) for r in bound.rows] == ["B"]


def test_syntax_error_in_query_is_a_query_error_with_position(store):
    # Virtuoso names the line only
    position = r"line 1\b" if getattr(store, "virtuoso", False) else r"1:\d+"
    with pytest.raises(QueryError, match=position):
        store.query("SELECT * WHERE { ?s ?p }")


def test_query_serialized_uses_the_engine_serialisers(store):
    store.replace_graphs({G1: nt(("a", "A"))})
    kind, body = store.query_serialized(
        f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l }}", "application/sparql-results+json"
    )
    assert kind == "select" and b'"A"' in body
    kind, body = store.query_serialized(
        f"CONSTRUCT WHERE {{ ?s <{LABEL}> ?o }}", "application/n-triples"
    )
    assert kind == "graph" and body.count(b"\n") == 1
    with pytest.raises(QueryError):
        store.query_serialized("ASK { ?s ?p ?o }", "text/turtle")


def test_graphs_quads_reads_every_graph_but_the_excluded_ones_in_one_request(store):
    """The validation context: all named graphs as N-Quads but the excluded ones and those with an
    excluded suffix, terms as stored (a blank node shared by two triples stays one node); a remote
    store reads it in ONE request, not one per graph."""
    g3 = G1 + "/provenance"
    store.replace_graphs(
        {
            G1: nt(("a", "A")) + b'_:x <http://ex.org/p> "vrai"@fr .\n_:x <http://ex.org/q> '
            b'"true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n',
            G2: nt(("b", "B")),
            g3: nt(("c", "C")),
        }
    )
    sent = []
    request = getattr(store, "_request", None)
    if request is not None:
        store._request = lambda *args, **kwargs: sent.append(args) or request(*args, **kwargs)
    body = store.graphs_quads([G2], suffixes=["/provenance"])
    assert len(sent) == (0 if request is None else 1)
    got = list(ox.parse(body, format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in got} == {G1}
    assert {(q.predicate.value, q.object) for q in got} == {
        (LABEL, ox.Literal("A")),
        ("http://ex.org/p", ox.Literal("vrai", language="fr")),
        ("http://ex.org/q", ox.Literal("true", datatype=ox.NamedNode(f"{XSD}boolean"))),
    }
    blank = {q.subject for q in got if isinstance(q.subject, ox.BlankNode)}
    assert len(blank) == 1
    every = ox.parse(store.graphs_quads(), format=ox.RdfFormat.N_QUADS)
    assert {q.graph_name.value for q in every} == {G1, G2, g3}


def test_dump_round_trips_as_an_isomorphic_dataset(store):
    store.replace_graphs({G1: nt(("a", "A")), G2: nt(("b", "B"))})
    for fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        buf = io.BytesIO()
        store.dump(buf, fmt)
        ox_format = ox.RdfFormat.N_QUADS if fmt is RdfFormat.N_QUADS else ox.RdfFormat.TRIG
        parsed = {
            (q.subject.value, q.graph_name.value)
            for q in ox.parse(buf.getvalue(), format=ox_format)
        }
        assert parsed == {
            ("https://w3id.org/ptce/id/org/synthetic-a", G1),
            ("https://w3id.org/ptce/id/org/synthetic-b", G2),
        }
    with pytest.raises(StoreError):
        store.dump(io.BytesIO(), RdfFormat.TURTLE)
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.TURTLE, graph=G1)
    assert b"synthetic-a" in buf.getvalue()


def test_on_disk_store_survives_a_restart(tmp_path: Path):
    path = tmp_path / "store"
    store = open_store(str(path))
    store.replace_graphs({G1: nt(("a", "A"))})
    store.close()
    del store
    # a fresh interpreter sees the data: nothing lived only in this process
    code = (
        "from ptce_kg.store import open_store; "
        f"print(open_store({str(path)!r}, read_only=True).graph_sizes())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert G1 in out.stdout


def test_a_locked_store_gives_a_clear_error(tmp_path: Path):
    path = tmp_path / "store"
    holder = open_store(str(path))
    code = f"from ptce_kg.store import open_store; open_store({str(path)!r})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0 and "cannot open the store" in out.stderr
    holder.close()


def test_a_file_where_the_store_should_be_is_refused(tmp_path: Path):
    path = tmp_path / "store"
    path.write_text("not a store")
    with pytest.raises(StoreError, match="not a store directory"):
        open_store(str(path))


def test_a_store_in_a_missing_directory_says_so(tmp_path: Path):
    missing = tmp_path / "no-such-dir" / "store"
    with pytest.raises(StoreError, match=r"the directory .*no-such-dir does not exist") as caught:
        open_store(str(missing))
    assert "mkdir -p" in (caught.value.hint or "") and "another ptce-kg" not in str(caught.value)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StoreError, match="a-file is not a directory"):
        open_store(str(tmp_path / "a-file" / "store"))
    assert not (tmp_path / "no-such-dir").exists()


def test_the_cli_says_when_the_store_directory_is_missing(tmp_path: Path):
    from typer.testing import CliRunner

    from ptce_kg import cli

    missing = tmp_path / "nonexistent" / "dir" / "store"
    result = CliRunner().invoke(cli.app, ["load-ontology", "--store", str(missing)])
    said = " ".join(result.output.split())  # the console may wrap long lines
    assert result.exit_code == 2, said
    assert f"the directory {missing.parent} does not exist" in said
    assert "another ptce-kg process" not in said
    assert not missing.parent.exists()
    # a read command never creates a store: it says there is none
    result = CliRunner().invoke(cli.app, ["stats", "--store", str(missing)])
    said = " ".join(result.output.split())
    assert result.exit_code == 2, said
    assert f"no store at {missing}" in said
    assert not missing.parent.exists()


def test_read_only_store_refuses_writes(tmp_path: Path):
    path = tmp_path / "store"
    open_store(str(path)).close()
    store = open_store(str(path), read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graphs({G1: nt(("a", "A"))})
    with pytest.raises(StoreError, match="no store"):
        open_store(str(tmp_path / "missing"), read_only=True)


def test_bulk_load_into_a_graph(tmp_path: Path):
    src = tmp_path / "big.nt"
    src.write_bytes(nt(*[(str(i), f"L{i}") for i in range(100)]))
    store = open_store(str(tmp_path / "store"))
    store.bulk_load(src, RdfFormat.N_TRIPLES, G1)
    assert store.graph_sizes() == {G1: 100}


def _big_graph(n: int) -> bytes:
    return "".join(
        f'<https://w3id.org/ptce/id/org/synthetic-{i}> <{LABEL}> "Organisation {i} (synthetic)" .\n'
        for i in range(n)
    ).encode()


def test_an_exclusive_store_bulk_writes_new_graphs_whole(tmp_path: Path):
    store = open_embedded_store(tmp_path / "store", exclusive=True)
    big = _big_graph(120_000)  # over the bulk threshold
    store.replace_graphs({G1: big, G2: nt(("b", "B"))})
    assert store.graph_sizes() == {G1: 120_000, G2: 1}
    store.replace_graphs({G1: nt(("a", "A"))})  # an existing graph: the transactional path
    assert store.graph_sizes() == {G1: 1, G2: 1}


def test_an_interrupted_bulk_write_is_removed_at_the_next_open(tmp_path: Path):
    path = tmp_path / "store"
    store = open_embedded_store(path, exclusive=True)
    store.replace_graphs({G2: nt(("b", "B"))})
    # what a process killed in the middle of a bulk write leaves: the marker and part of the graph
    store.engine.update(
        f"INSERT DATA {{ GRAPH <{PENDING}> {{ <{G1}> <{PENDING}> true }} "
        f'GRAPH <{G1}> {{ <https://w3id.org/ptce/id/org/synthetic-x> <{LABEL}> "half" }} }}'
    )
    store.close()
    del store
    reopened = open_embedded_store(path)
    assert reopened.graph_sizes() == {G2: 1}


KILL_SCRIPT = """
import sys
from ptce_kg.store.embedded import open_embedded_store
store = open_embedded_store(sys.argv[1], exclusive=True)
print("ready", flush=True)
store.replace_graphs({sys.argv[2]: open(sys.argv[3], "rb").read()})
print("done", flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.5, 1.0, 2.0, 5.0])
def test_a_bulk_write_killed_at_any_moment_leaves_nothing_or_everything(
    tmp_path: Path, delay: float
):
    path = tmp_path / "store"
    source = tmp_path / "big.nt"
    source.write_bytes(_big_graph(300_000))
    seed = open_embedded_store(path)
    seed.replace_graphs({G2: nt(("b", "B"))})
    seed.close()
    del seed
    with subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(path), G1, str(source)],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
    sizes = open_embedded_store(path).graph_sizes()
    assert sizes in ({G2: 1}, {G1: 300_000, G2: 1}), sizes
