"""The pipeline's write functions (the HTTP adapter's library side): put_graph, update_dataset,
delete_graph, refuse_remote_access, add_protocol_dataset, and ingest's parse_rdf_bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Graph

from ptce_kg import pipeline
from ptce_kg.errors import DataRejected, NotFound, QueryError, QueryRefused, SourceError
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest import parse_rdf_file
from ptce_kg.ingest.rdf import parse_rdf_bytes
from ptce_kg.pipeline import graph_writes
from ptce_kg.store import Store, open_store

DATA = Path(__file__).resolve().parent / "data" / "writes"
EX = "http://example.org/writes#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
G1 = "https://w3id.org/ptce/graph/synthetic-one"
G2 = "https://w3id.org/ptce/graph/synthetic-two"
BAD = "https://w3id.org/ptce/graph/synthetic-bad"
PREFIXES = f"@prefix ex: <{EX}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"


def dump(store: Store) -> set[str]:
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.N_QUADS)
    return set(buf.getvalue().decode("utf-8").splitlines())


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return pipeline.read_shapes(DATA / "shapes")


@pytest.fixture
def store(shapes: Graph) -> Store:
    """The synthetic ontology; G1 with two things; BAD bulk-loaded with a pre-existing violation."""
    st = open_store(":memory:")
    pipeline.load_ontology(st, DATA / "ontology")
    body = PREFIXES + 'ex:a a ex:Special ; rdfs:label "A" .\nex:b a ex:Thing ; rdfs:label "B" .\n'
    graph_writes.put_graph(st, G1, body.encode(), RdfFormat.TURTLE, shapes)
    st.replace_graphs(
        {BAD: f"<{EX}bad> <{RDF_TYPE}> <{EX}Thing> .\n".encode()}
    )  # no label: unvalidated
    return st


def put_y_part_of_b(store: Store, shapes: Graph) -> None:
    """G2: ex:y, part of G1's ex:b (a node of another graph that relies on G1)."""
    graph_writes.put_graph(
        store,
        G2,
        (PREFIXES + 'ex:y a ex:Thing ; rdfs:label "Y" ; ex:partOf ex:b .').encode(),
        RdfFormat.TURTLE,
        shapes,
    )


# ------------------------------------------------------------------------------ parse_rdf_bytes
def test_parse_rdf_bytes_puts_the_triples_in_the_graph():
    parsed = parse_rdf_bytes(f"<{EX}s> <{EX}p> 1 .".encode(), RdfFormat.TURTLE, graph=G1)
    assert parsed.triples == 1 and parsed.graph == G1
    assert parsed.graph_ntriples().startswith(f"<{EX}s>".encode())


@pytest.mark.parametrize(
    ("data", "fmt", "match"),
    [
        (
            b"<http://e.org/s> <http://e.org/p> .",
            RdfFormat.TURTLE,
            r"^request body:1:\d+: not valid",
        ),
        (b"<s> <p> <o> .", RdfFormat.N_TRIPLES, r"^request body"),
        (b"", RdfFormat.TURTLE, "holds no triple"),
        (
            b"<http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 }",
            RdfFormat.TRIG,
            "named graphs",
        ),
        (b"\xff\xfe", RdfFormat.TURTLE, "request body"),
    ],
    ids=["syntax", "relative-iri", "empty", "named-graph", "not-utf8"],
)
def test_parse_rdf_bytes_refuses_what_parse_rdf_file_refuses(data, fmt, match, tmp_path: Path):
    with pytest.raises(SourceError, match=match):
        parse_rdf_bytes(data, fmt, graph=G1)
    path = tmp_path / "source.ttl"
    path.write_bytes(data)
    with pytest.raises(SourceError) as from_file:
        parse_rdf_file(path, fmt, graph=G1)
    assert from_file.value.message.startswith(str(path))
    assert from_file.value.hint is None or "Content-Type" not in from_file.value.hint


# ---------------------------------------------------------------------------------- put_graph
def test_put_graph_merge_keeps_the_current_triples(store: Store, shapes: Graph):
    body = PREFIXES + 'ex:c a ex:Thing ; rdfs:label "C" ; ex:partOf ex:a .\n'
    outcome = graph_writes.put_graph(store, G1, body.encode(), RdfFormat.TURTLE, shapes, merge=True)
    assert outcome.triples == 7 and not outcome.created
    assert f"<{EX}a> <{EX}hasPart> <{EX}c>".encode() in store.graph_triples(f"{G1}/inferred")


def test_put_graph_rejects_and_changes_nothing(store: Store, shapes: Graph):
    before = dump(store)
    with pytest.raises(DataRejected) as e:
        graph_writes.put_graph(
            store, G2, (PREFIXES + "ex:z a ex:Special .").encode(), RdfFormat.TURTLE, shapes
        )
    assert [r.focus for r in e.value.report.violations] == [
        f"{EX}z"
    ]  # found through the inferred type
    assert dump(store) == before


@pytest.mark.parametrize(
    "graph", [f"{G1}/inferred", f"{G1}/provenance", "https://w3id.org/ptce/graph/ontology-closure"]
)
def test_managed_graphs_are_not_writable(store: Store, shapes: Graph, graph: str):
    with pytest.raises(QueryRefused, match="managed by ptce_kg"):
        graph_writes.put_graph(
            store, graph, f"<{EX}s> <{EX}p> 1 .".encode(), RdfFormat.TURTLE, shapes
        )


# ------------------------------------------------------------------------------- update_dataset
def test_update_runs_with_its_companion_refresh_in_one_store_update(
    store: Store, shapes: Graph, monkeypatch: pytest.MonkeyPatch
):
    calls: list[str] = []
    real = store.update
    monkeypatch.setattr(store, "update", lambda text: (calls.append(text), real(text))[1])
    outcome = graph_writes.update_dataset(
        store,
        f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}c> a <{EX}Special> ; <{LABEL}> "C" }} }} ;',
        shapes,
    )
    assert outcome.graphs == [G1]
    assert len(calls) == 1
    inferred = store.graph_triples(f"{G1}/inferred").decode()
    assert f"<{EX}c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Thing>" in inferred


def test_update_ending_in_a_comment_falls_back_to_two_transactions(
    store: Store, shapes: Graph, monkeypatch: pytest.MonkeyPatch
):
    calls: list[str] = []
    real = store.update

    def spy(text: str) -> None:
        calls.append(text)
        real(text)

    monkeypatch.setattr(store, "update", spy)
    update = (
        f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}c> a <{EX}Special> ; <{LABEL}> "C" }} }} ; # done'
    )
    graph_writes.update_dataset(store, update, shapes)
    assert (
        len(calls) == 3
    )  # the combined one (refused by the parser), then the update, then the refresh
    assert f"<{EX}c>".encode() in store.graph_triples(f"{G1}/inferred")


def test_update_validates_only_around_the_touched_nodes(store: Store, shapes: Graph):
    """BAD's old violation does not block an unrelated update, but blocks one that touches it."""
    graph_writes.update_dataset(
        store, f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}note> "n" }} }}', shapes
    )
    before = dump(store)
    with pytest.raises(DataRejected) as e:
        graph_writes.update_dataset(
            store, f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}partOf> <{EX}bad> }} }}", shapes
        )
    assert {r.focus for r in e.value.report.violations} == {f"{EX}bad"}
    assert dump(store) == before


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_update_checks_nodes_that_point_at_a_touched_node(store: Store, shapes: Graph, engine: str):
    put_y_part_of_b(store, shapes)
    before = dump(store)
    with pytest.raises(DataRejected) as e:
        graph_writes.update_dataset(
            store,
            f"DELETE DATA {{ GRAPH <{G1}> {{ <{EX}b> a <{EX}Thing> }} }}",
            shapes,
            engine=engine,
        )
    assert {r.focus for r in e.value.report.violations} == {f"{EX}y"}
    assert dump(store) == before


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_put_checks_the_nodes_of_other_graphs_that_relied_on_the_replaced_graph(
    store: Store, shapes: Graph, engine: str
):
    put_y_part_of_b(store, shapes)
    before = dump(store)
    only_a = (PREFIXES + 'ex:a a ex:Special ; rdfs:label "A" .').encode()
    with pytest.raises(DataRejected) as e:  # ex:b, which ex:y is part of, would disappear
        graph_writes.put_graph(store, G1, only_a, RdfFormat.TURTLE, shapes, engine=engine)
    assert {r.focus for r in e.value.report.violations} == {f"{EX}y"}
    assert dump(store) == before
    graph_writes.put_graph(store, G1, only_a, RdfFormat.TURTLE, shapes, merge=True, engine=engine)


def test_update_with_blank_nodes_is_validated(store: Store, shapes: Graph):
    before = dump(store)
    with pytest.raises(DataRejected):
        graph_writes.update_dataset(
            store, f"INSERT DATA {{ GRAPH <{G1}> {{ _:n a <{EX}Thing> }} }}", shapes
        )
    assert dump(store) == before
    graph_writes.update_dataset(
        store, f'INSERT DATA {{ GRAPH <{G1}> {{ _:n a <{EX}Thing> ; <{LABEL}> "N" }} }}', shapes
    )
    assert len(dump(store)) > len(before)


def test_an_update_that_changes_nothing_writes_nothing(store: Store, shapes: Graph, monkeypatch):
    monkeypatch.setattr(store, "update", lambda text: pytest.fail("the store was written"))
    outcome = graph_writes.update_dataset(
        store, f"DELETE DATA {{ GRAPH <{G1}> {{ <{EX}q> <{EX}p> 1 }} }}", shapes
    )
    assert outcome.graphs == []


def test_update_syntax_error_is_a_query_error(store: Store, shapes: Graph):
    before = dump(store)
    with pytest.raises(QueryError):
        graph_writes.update_dataset(store, "INSERT DATA { GRAPH <urn:g> { ?x } }", shapes)
    assert dump(store) == before


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://example.org/x>",
        "load <http://example.org/x> INTO GRAPH <urn:g>",
        "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { SERVICE <http://e.org/q> { ?s ?p ?o } }",
        "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } }",
    ],
)
def test_remote_access_is_refused(update: str):
    with pytest.raises(QueryRefused):
        graph_writes.refuse_remote_access(update)


@pytest.mark.parametrize(
    "update",
    [
        'INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> "LOAD the SERVICE" } }',
        "INSERT DATA { GRAPH <urn:g> { <http://e.org/LOAD> <urn:service> <urn:o> } }",
        "# LOAD <http://e.org/x>\nINSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 } }",
        "PREFIX load: <urn:l:> PREFIX ex: <urn:e:>\n"
        "INSERT { GRAPH <urn:g> { ?service load:x ex:load } } WHERE { }",
    ],
)
def test_the_words_alone_are_not_refused(update: str):
    graph_writes.refuse_remote_access(update)


@pytest.mark.parametrize(
    "update",
    [
        "PREFIX e: <http://e.org/> INSERT { GRAPH <urn:g> { ?s ?p ?o } } "
        "WHERE { SERVICE e:q { ?s ?p ?o } }",
        "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { ?s ?p ?o FILTER EXISTS { "
        "SERVICE <http://e.org/q> { ?s ?p ?o } } }",
        'INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> "\\u0053ERVICE" } } ; '
        "LOAD <http://e.org/\\u0078>",
    ],
    ids=["prefixed", "in-exists", "after-an-escape"],
)
def test_remote_access_is_found_in_the_parse_tree(update: str):
    with pytest.raises(QueryRefused):
        graph_writes.refuse_remote_access(update)


# ------------------------------------------------------------------------- add_protocol_dataset
USING = "USING <urn:d> USING NAMED <urn:n>"
PATTERN = "{ GRAPH <urn:g> { ?s ?p ?o } }"
WORDS = (
    'PREFIX where: <urn:where#> # WHERE\nINSERT { GRAPH <urn:WHERE> { ?where where:x "WHERE" } }'
)


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (
            "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
            f"INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} {USING} WHERE {{ ?s ?p ?o }}",
        ),
        (
            f"DELETE WHERE {PATTERN}",
            f"DELETE {PATTERN} {USING} WHERE {PATTERN}",
        ),
        (  # words inside strings, IRIs, variables, comments and prefixed names are not keywords
            f"{WORDS} WHERE {{ }}",
            f"{WORDS} {USING} WHERE {{ }}",
        ),
        ("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 } }", None),
    ],
    ids=["modify", "delete-where", "not-keywords", "no-where"],
)
def test_protocol_dataset_becomes_using_clauses(update: str, expected: str | None):
    assert graph_writes.add_protocol_dataset(update, ["urn:d"], ["urn:n"]) == (expected or update)
    assert graph_writes.add_protocol_dataset(update, [], []) == update


@pytest.mark.parametrize(
    "update",
    [
        "WITH <urn:g> INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "INSERT { GRAPH <urn:g> { ?s ?p ?o } } USING <urn:x> WHERE { ?s ?p ?o }",
    ],
    ids=["with", "using"],
)
def test_protocol_dataset_and_the_updates_own_are_a_conflict(update: str):
    with pytest.raises(QueryError, match="give its dataset once"):
        graph_writes.add_protocol_dataset(update, [], ["urn:n"])


def test_protocol_dataset_iris_cannot_inject_text():
    with pytest.raises(QueryError, match="not an IRI"):
        graph_writes.add_protocol_dataset("DELETE WHERE { ?s ?p ?o }", ["urn:x> } ; DROP ALL"], [])


def test_protocol_dataset_narrows_what_where_reads(store: Store, shapes: Graph):
    """Without it, WHERE reads the store's (empty) default graph; with G1, G1 only (not BAD)."""
    update = f"INSERT {{ GRAPH <{G2}> {{ ?s <{EX}seen> true }} }} WHERE {{ ?s a ?t }}"
    assert graph_writes.update_dataset(store, update, shapes).graphs == []
    with_dataset = graph_writes.add_protocol_dataset(update, [G1], [])
    assert graph_writes.update_dataset(store, with_dataset, shapes).graphs == [G2]
    seen = store.graph_triples(G2).decode()
    assert f"<{EX}a>" in seen and f"<{EX}b>" in seen and f"<{EX}bad>" not in seen


# ---------------------------------------------------------------------------- the default graph
def test_the_default_graph_is_written_and_validated_without_companions(store: Store, shapes: Graph):
    outcome = graph_writes.update_dataset(
        store, f'INSERT DATA {{ <{EX}d> a <{EX}Thing> ; <{LABEL}> "D" }}', shapes
    )
    assert outcome.graphs == [graph_writes.DEFAULT_GRAPH]
    assert store.graph_sizes()[""] == 2
    assert not {"/inferred", "/provenance"} & set(store.graph_sizes())
    before = dump(store)
    with pytest.raises(DataRejected):
        graph_writes.update_dataset(store, f"INSERT DATA {{ <{EX}e> a <{EX}Thing> }}", shapes)
    assert dump(store) == before


def test_put_graph_replaces_or_merges_the_default_graph(store: Store, shapes: Graph):
    one = f'<{EX}d> a <{EX}Thing> ; <{LABEL}> "D" .'.encode()
    two = f'<{EX}e> a <{EX}Thing> ; <{LABEL}> "E" .'.encode()
    graph_writes.put_graph(store, "", one, RdfFormat.TURTLE, shapes)
    graph_writes.put_graph(store, "", two, RdfFormat.TURTLE, shapes, merge=True)
    assert store.graph_sizes()[""] == 4
    graph_writes.put_graph(store, "", two, RdfFormat.TURTLE, shapes)
    assert store.graph_sizes()[""] == 2
    graph_writes.delete_graph(store, "", shapes)
    assert "" not in store.graph_sizes()


def test_put_graph_parts_keep_their_blank_nodes_apart(store: Store, shapes: Graph):
    part = f'_:x a <{EX}Thing> ; <{LABEL}> "X" .'.encode()
    graph_writes.put_graph(
        store, G2, part, RdfFormat.TURTLE, shapes, more=[(part, RdfFormat.TURTLE)]
    )
    assert len(Graph().parse(data=store.graph_triples(G2), format="nt")) == 4  # two nodes


def test_update_resolves_relative_iris_against_the_base(store: Store, shapes: Graph):
    graph_writes.update_dataset(
        store,
        f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}note> <rel> }} }}",
        shapes,
        base_iri="http://www.example/sparql",
    )
    assert b"<http://www.example/rel>" in store.graph_triples(G1)


# --------------------------------------------------------------------------------- delete_graph
def test_delete_graph(store: Store, shapes: Graph):
    with pytest.raises(NotFound):
        graph_writes.delete_graph(store, G2, shapes)
    graph_writes.delete_graph(store, G1, shapes)
    assert not {G1, f"{G1}/inferred", f"{G1}/provenance"} & set(store.graph_sizes())
