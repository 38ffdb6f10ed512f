"""Writes over HTTP (ptce_kg.web.writes): SPARQL Update and the Graph Store Protocol behind a token.

Every refusal is checked to leave the store's quads exactly as they were (full N-Quads dumps).
The app is create_app's (its typed state, the writes router and the one mapping of errors to
HTTP). A write is announced by the store's write listener (create_app's on_write), which
bumps the app's write generation: :func:`announced` counts the announcements.
"""

from __future__ import annotations

import hmac
import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.formats import RdfFormat
from ptce_kg.store import Store, open_store
from ptce_kg.web import create_app
from ptce_kg.web.writes import handle_update

DATA = Path(__file__).resolve().parent.parent / "data" / "writes"
TOKEN = "t0ken-for-tests-9f3b2c"
EX = "http://example.org/writes#"
G1 = "https://w3id.org/ptce/graph/synthetic-one"
G2 = "https://w3id.org/ptce/graph/synthetic-two"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PREFIXES = f"@prefix ex: <{EX}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
VALID = (
    PREFIXES + 'ex:a a ex:Special ; rdfs:label "A" .\nex:b a ex:Thing ; rdfs:label "B" .\n'
).encode()
NO_LABEL = (PREFIXES + "ex:c a ex:Thing .\n").encode()
MAX_BODY = 4096


def dump(store: Store) -> set[str]:
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.N_QUADS)
    return set(buf.getvalue().decode("utf-8").splitlines())


def graph_url(graph: str) -> str:
    return f"/store?graph={quote(graph, safe='')}"


def make_app(
    store: Store, *, token: str | None = TOKEN, shapes_dir: Path = DATA / "shapes"
) -> FastAPI:
    settings = Settings(
        store=":memory:",
        write_token=token,
        shapes_dir=shapes_dir,
        max_body_bytes=MAX_BODY,
    )
    return create_app(settings, store)


def announced(app: FastAPI) -> int:
    """How many writes the app has been told of: each bumps its write generation by one."""
    return app.state.generation.value


@pytest.fixture
def store() -> Store:
    st = open_store(":memory:")
    pipeline.load_ontology(st, DATA / "ontology")
    return st


@pytest.fixture
def app(store: Store) -> FastAPI:
    return make_app(store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def loaded(client: TestClient, store: Store) -> Store:
    """G1 holds two valid things."""
    r = client.put(graph_url(G1), content=VALID, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201, r.text
    return store


def as_graph(data: bytes, media: str) -> Graph:
    """Parse with Oxigraph (rdflib's JSON-LD parser warns, and warnings fail the run)."""
    triples = ox.parse(data, format=ox.RdfFormat.from_media_type(media))
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def triples_of(store: Store, graph: str) -> Graph:
    return Graph().parse(data=store.graph_triples(graph), format="nt")


# ------------------------------------------------------------------------------- GSP: successes
def test_put_creates_then_replaces_a_graph_with_its_companions(client: TestClient, store: Store):
    r = client.put(graph_url(G1), content=VALID, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201
    assert r.headers["location"] == G1
    assert r.json()["triples"] == 4
    assert r.json()["report"]["warnings"] == 2  # sh:Warning is reported, not blocking
    inferred = triples_of(store, f"{G1}/inferred")
    assert (URIRef(EX + "a"), RDF.type, URIRef(EX + "Thing")) in inferred
    assert store.graph_sizes()[f"{G1}/provenance"] > 0

    body = (PREFIXES + 'ex:d a ex:Thing ; rdfs:label "D" .\n').encode()
    r = client.put(graph_url(G1), content=body, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 200 and r.json()["created"] is False
    assert len(triples_of(store, G1)) == 2
    assert len(triples_of(store, f"{G1}/inferred")) == 0  # ex:a's entailment went with it


@pytest.mark.parametrize(
    ("media", "fmt"),
    [
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("application/trig", "turtle"),  # Turtle is TriG with everything in the default graph
        ("application/n-quads", "nt"),  # as N-Triples is N-Quads
    ],
)
def test_put_reads_every_body_format(client: TestClient, store: Store, media: str, fmt: str):
    body = Graph().parse(data=VALID, format="turtle").serialize(format=fmt, encoding="utf-8")
    r = client.put(graph_url(G2), content=body, headers={**AUTH, "Content-Type": media})
    assert r.status_code == 201, r.text
    assert len(triples_of(store, G2)) == 4


def test_post_adds_to_a_graph(client: TestClient, loaded: Store):
    body = (PREFIXES + 'ex:e a ex:Thing ; rdfs:label "E" ; ex:partOf ex:a .\n').encode()
    r = client.post(graph_url(G1), content=body, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 200, r.text
    assert len(triples_of(loaded, G1)) == 7
    inferred = triples_of(loaded, f"{G1}/inferred")
    assert (URIRef(EX + "a"), URIRef(EX + "hasPart"), URIRef(EX + "e")) in inferred


def test_post_to_the_store_creates_a_new_graph(client: TestClient, store: Store):
    r = client.post("/store", content=VALID, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201
    location = r.headers["location"]
    assert location.startswith("https://w3id.org/ptce/graph/http-")
    assert r.json()["graph"] == location
    assert client.get(graph_url(location)).status_code == 200


def test_delete_removes_the_graph_and_its_companions(client: TestClient, loaded: Store, app):
    writes_before = announced(app)
    r = client.delete(graph_url(G1), headers=AUTH)
    assert r.status_code == 204
    assert not {G1, f"{G1}/inferred", f"{G1}/provenance"} & set(loaded.graph_sizes())
    assert client.get(graph_url(G1)).status_code == 404
    assert announced(app) == writes_before + 1


# ---------------------------------------------------------------------------------- GSP: reads
@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/ld+json;q=0.5, text/turtle;q=0.1", "application/ld+json"),
    ],
)
def test_get_negotiates_the_format(client: TestClient, loaded: Store, accept, media):
    headers = {"Accept": accept} if accept else {}
    r = client.get(graph_url(G1), headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert as_graph(r.content, media).isomorphic(triples_of(loaded, G1))


def test_get_refuses_unknown_formats_and_missing_graphs(client: TestClient, loaded: Store):
    assert client.get(graph_url(G1), headers={"Accept": "image/png"}).status_code == 406
    assert client.get(graph_url(G2)).status_code == 404
    assert client.head(graph_url(G2)).status_code == 404
    assert client.get("/store").status_code == 400
    assert client.get(graph_url("not an iri")).status_code == 400


def test_head_answers_headers_only(client: TestClient, loaded: Store):
    r = client.head(graph_url(G1))
    assert r.status_code == 200 and r.content == b""
    assert int(r.headers["content-length"]) == len(client.get(graph_url(G1)).content)


def test_default_graph_is_the_stores_own(client: TestClient, loaded: Store):
    """?default is the store's own default graph: written and read as is (queries see the union)."""
    body = (PREFIXES + 'ex:d a ex:Thing ; rdfs:label "D" .\n').encode()
    r = client.put("/store?default", content=body, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 200, r.text
    assert r.json()["graph"] is None and r.json()["triples"] == 2
    r = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert as_graph(r.content, "application/n-triples").isomorphic(
        Graph().parse(data=body, format="turtle")
    )  # not the union: G1 is not in it
    assert not {"/inferred", "/provenance"} & set(loaded.graph_sizes())  # no companions
    more = (PREFIXES + 'ex:e a ex:Thing ; rdfs:label "E" .\n').encode()
    r = client.post("/store?default", content=more, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 200 and loaded.graph_sizes()[""] == 4
    assert client.delete("/store?default", headers=AUTH).status_code == 204
    assert "" not in loaded.graph_sizes() and G1 in loaded.graph_sizes()


def test_direct_identification_names_the_graph_by_the_request_url(client: TestClient, store):
    url = "/store/people/1.ttl"
    graph = "http://testserver/store/people/1.ttl"
    r = client.put(url, content=VALID, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201, r.text
    assert r.headers["location"] == graph and store.graph_sizes()[graph] == 4
    direct = client.get(url, headers={"Accept": "application/n-triples"})
    assert direct.status_code == 200
    assert (
        direct.content
        == client.get(graph_url(graph), headers={"Accept": "application/n-triples"}).content
    )
    assert client.head(url).status_code == 200
    assert client.get(f"{url}?default").status_code == 400  # a graph's own URL names no other
    assert client.delete(url, headers=AUTH).status_code == 204
    assert client.get(url).status_code == 404


def test_direct_identification_follows_the_public_url(store: Store):
    app = make_app(store)
    app.state.settings = app.state.settings.model_copy(
        update={"public_url": "https://ptce.example.org/kg/"}
    )
    with TestClient(app) as c:
        r = c.put("/store/g", content=VALID, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201, r.text
    assert "https://ptce.example.org/kg/store/g" in store.graph_sizes()


def test_multipart_post_merges_every_part(client: TestClient, loaded: Store):
    boundary = "b0undary"
    parts = [
        ("text/turtle", (PREFIXES + 'ex:a rdfs:comment "one" .').encode()),
        (
            "application/n-triples",
            f'<{EX}b> <http://www.w3.org/2000/01/rdf-schema#comment> "two" .'.encode(),
        ),
    ]
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="p{n}"; filename="p{n}"\r\n'
            f"Content-Type: {media}\r\n\r\n".encode()
            + data
            + b"\r\n"
            for n, (media, data) in enumerate(parts)
        )
        + f"--{boundary}--\r\n".encode()
    )
    r = client.post(
        graph_url(G1),
        content=body,
        headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 200, r.text
    assert len(triples_of(loaded, G1)) == 6


def test_update_takes_the_protocol_dataset(client: TestClient, loaded: Store):
    update = f"INSERT {{ GRAPH <{G2}> {{ ?s <{EX}seen> true }} }} WHERE {{ ?s a ?t }}"
    r = client.post("/sparql/update", data={"update": update}, headers=AUTH)
    assert r.status_code == 200 and r.json()["changed"] == []  # the real default graph is empty
    r = client.post("/sparql/update", data={"update": update, "using-graph-uri": G1}, headers=AUTH)
    assert r.status_code == 200 and r.json()["changed"] == [G2], r.text
    assert len(triples_of(loaded, G2)) == 2


def test_update_resolves_relative_iris_against_the_endpoint(client: TestClient, loaded: Store):
    update = f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}note> <note-1> }} }}"
    r = client.post("/sparql/update", data={"update": update}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert b"<http://testserver/sparql/note-1>" in loaded.graph_triples(G1)


def test_an_update_of_the_default_graph_reports_it_as_null(client: TestClient, loaded: Store):
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    update = f'INSERT DATA {{ <{EX}q> a <{EX}Thing> ; <{label}> "Q" }}'
    r = client.post("/sparql/update", data={"update": update}, headers=AUTH)
    assert r.status_code == 200 and r.json()["changed"] == [None], r.text


# ------------------------------------------------------------------------------- SPARQL Update
UPDATE_OK = (
    f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    f'INSERT DATA {{ GRAPH <{G1}> {{ ex:f a ex:Special ; rdfs:label "F" ; ex:partOf ex:b }} }}'
)


def test_update_by_form_applies_and_refreshes_entailments(client: TestClient, loaded: Store, app):
    before = announced(app)
    r = client.post("/sparql/update", data={"update": UPDATE_OK}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["changed"] == [G1]
    inferred = triples_of(loaded, f"{G1}/inferred")
    assert (URIRef(EX + "f"), RDF.type, URIRef(EX + "Thing")) in inferred
    assert (URIRef(EX + "b"), URIRef(EX + "hasPart"), URIRef(EX + "f")) in inferred
    prov = loaded.graph_triples(f"{G1}/provenance").decode()
    assert '"SPARQL Update"' in prov and '"7"' in prov
    assert announced(app) == before + 1


def test_update_by_body_applies(client: TestClient, loaded: Store):
    r = client.post(
        "/sparql/update",
        content=UPDATE_OK.encode(),
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert r.status_code == 200, r.text
    assert (URIRef(EX + "f"), RDF.type, URIRef(EX + "Special")) in triples_of(loaded, G1)


def test_update_that_deletes_a_graph_drops_its_companions(client: TestClient, loaded: Store):
    r = client.post("/sparql/update", data={"update": f"DROP GRAPH <{G1}>"}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert not {G1, f"{G1}/inferred", f"{G1}/provenance"} & set(loaded.graph_sizes())


def test_handle_update_is_what_the_read_side_calls(app: FastAPI, loaded: Store):
    """The read side's POST /sparql hands updates to handle_update; it checks the token itself."""

    @app.post("/sparql-dispatch")
    def dispatch(request_update: str, request: Request) -> Response:
        return handle_update(request, request_update, [], [])

    with TestClient(app) as c:
        before = dump(loaded)
        r = c.post("/sparql-dispatch", params={"request_update": UPDATE_OK})
        assert r.status_code == 401 and dump(loaded) == before
        r = c.post("/sparql-dispatch", params={"request_update": UPDATE_OK}, headers=AUTH)
        assert r.status_code == 200, r.text
    assert (URIRef(EX + "f"), RDF.type, URIRef(EX + "Special")) in triples_of(loaded, G1)


# ------------------------------------------------------------------------------------ refusals
def _put(body: bytes = VALID, media: str = "text/turtle", graph: str = G1, **headers: str):
    return lambda c: c.put(
        graph_url(graph), content=body, headers={"Content-Type": media, **headers}
    )


def _update(text: str, **headers: str):
    return lambda c: c.post("/sparql/update", data={"update": text}, headers=headers)


def _chunks() -> Iterator[bytes]:
    for _ in range(10):
        yield b"# " + b"x" * 1000 + b"\n"


REFUSALS: list[tuple[str, Callable[[TestClient], object], int]] = [
    ("put-no-token", _put(), 401),
    ("put-basic-auth", _put(Authorization="Basic dXNlcjpwdw=="), 401),
    ("put-wrong-token", _put(Authorization="Bearer wrong"), 403),
    (
        "post-wrong-token",
        lambda c: c.post(
            graph_url(G1),
            content=VALID,
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}x"},
        ),
        403,
    ),
    ("delete-no-token", lambda c: c.delete(graph_url(G1)), 401),
    ("update-no-token", _update(UPDATE_OK), 401),
    ("update-wrong-token", _update(UPDATE_OK, Authorization="Bearer nope"), 403),
    ("put-violation", _put(NO_LABEL, **AUTH), 422),
    (
        "post-violation",
        lambda c: c.post(
            graph_url(G1), content=NO_LABEL, headers={"Content-Type": "text/turtle", **AUTH}
        ),
        422,
    ),
    (
        "put-class-violation",
        _put(
            PREFIXES.encode() + b'ex:z a ex:Thing ; rdfs:label "Z" ; ex:partOf ex:nowhere .', **AUTH
        ),
        422,
    ),
    (
        "update-violation",
        _update(
            f"DELETE WHERE {{ GRAPH <{G1}> {{ <{EX}a> "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?l } }",
            **AUTH,
        ),
        422,
    ),
    (
        "update-breaks-a-reference-elsewhere",
        _update(f"DELETE WHERE {{ GRAPH <{G1}> {{ <{EX}b> a ?t }} }}", **AUTH),
        422,
    ),
    ("delete-breaks-a-reference", lambda c: c.delete(graph_url(G1), headers=AUTH), 422),
    ("put-too-large-declared", _put(b"#" * (MAX_BODY + 1), **AUTH), 413),
    (
        "put-too-large-streamed",
        lambda c: c.put(
            graph_url(G1), content=_chunks(), headers={"Content-Type": "text/turtle", **AUTH}
        ),
        413,
    ),
    ("update-too-large", _update("#" * (MAX_BODY + 1), **AUTH), 413),
    ("put-unsupported-type", _put(b"<p>hi</p>", "text/html", **AUTH), 415),
    ("put-no-type", lambda c: c.put(graph_url(G1), content=VALID, headers=AUTH), 415),
    (
        "update-unsupported-type",
        lambda c: c.post(
            "/sparql/update", content=b"{}", headers={"Content-Type": "application/json", **AUTH}
        ),
        415,
    ),
    ("put-syntax-error", _put(b"<http://example.org/x> <http://example.org/p> .", **AUTH), 400),
    ("put-relative-iri", _put(b"<x> <y> <z> .", **AUTH), 400),
    ("put-empty", _put(b"", **AUTH), 400),
    (
        "put-trig-with-named-graph",
        _put(
            b"<http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 }",
            "application/trig",
            **AUTH,
        ),
        400,
    ),
    ("put-companion-graph", _put(graph=f"{G1}/inferred", **AUTH), 400),
    ("put-ontology-graph", _put(graph="https://w3id.org/ptce/graph/ontology", **AUTH), 400),
    ("put-not-an-iri", _put(graph="not an iri", **AUTH), 400),
    (
        "put-default-graph-violation",
        lambda c: c.put(
            "/store?default", content=NO_LABEL, headers={"Content-Type": "text/turtle", **AUTH}
        ),
        422,
    ),
    (
        "put-direct-and-indirect",
        lambda c: c.put(
            f"/store/x?graph={quote(G2, safe='')}",
            content=VALID,
            headers={"Content-Type": "text/turtle", **AUTH},
        ),
        400,
    ),
    ("delete-direct-no-token", lambda c: c.delete("/store/x"), 401),
    (
        "post-multipart-unsupported-part",
        lambda c: c.post(
            graph_url(G1),
            content=b"--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=b", **AUTH},
        ),
        415,
    ),
    ("delete-missing", lambda c: c.delete(graph_url(G2), headers=AUTH), 404),
    ("update-syntax-error", _update("INSERT DATA { GRAPH <urn:g> { ?x } }", **AUTH), 400),
    ("update-load", _update(f"LOAD <http://example.org/data.ttl> INTO GRAPH <{G2}>", **AUTH), 400),
    (
        "update-service",
        _update(
            f"INSERT {{ GRAPH <{G2}> {{ ?s ?p ?o }} }} "
            "WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            **AUTH,
        ),
        400,
    ),
    (
        "update-default-graph-violation",
        _update(f"INSERT DATA {{ <{EX}q> a <{EX}Thing> }}", **AUTH),
        422,
    ),
    (
        "update-companion",
        _update(f'INSERT DATA {{ GRAPH <{G1}/inferred> {{ <{EX}q> <{EX}p> "x" }} }}', **AUTH),
        400,
    ),
    ("update-ontology", _update("CLEAR ALL", **AUTH), 400),
    ("update-empty", _update("  ", **AUTH), 400),
    (
        "update-using-graph-uri-and-using",
        lambda c: c.post(
            "/sparql/update",
            data={
                "update": f"INSERT {{ GRAPH <{G2}> {{ ?s ?p ?o }} }} USING <{G1}> "
                "WHERE { ?s ?p ?o }",
                "using-graph-uri": G1,
            },
            headers=AUTH,
        ),
        400,
    ),
    (
        "update-using-named-graph-uri-and-with",
        lambda c: c.post(
            f"/sparql/update?using-named-graph-uri={quote(G1, safe='')}",
            content=f"WITH <{G2}> INSERT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}".encode(),
            headers={"Content-Type": "application/sparql-update", **AUTH},
        ),
        400,
    ),
    (
        "update-using-graph-uri-not-an-iri",
        lambda c: c.post(
            "/sparql/update",
            data={"update": "DELETE WHERE { ?s ?p ?o }", "using-graph-uri": "x> } ; DROP ALL ; #"},
            headers=AUTH,
        ),
        400,
    ),
    (
        "update-two-update-fields",
        lambda c: c.post(
            "/sparql/update",
            content=b"update=a&update=b",
            headers={"Content-Type": "application/x-www-form-urlencoded", **AUTH},
        ),
        400,
    ),
]


@pytest.mark.parametrize(
    ("request_", "status"), [(r, s) for _, r, s in REFUSALS], ids=[n for n, _, _ in REFUSALS]
)
def test_every_refusal_changes_nothing(
    client: TestClient, loaded: Store, app: FastAPI, request_, status: int
):
    # a third graph refers to ex:b of G1: removing ex:b's type, or G1, would break it
    body = (PREFIXES + 'ex:y a ex:Thing ; rdfs:label "Y" ; ex:partOf ex:b .\n').encode()
    other = "https://w3id.org/ptce/graph/synthetic-three"
    assert (
        client.put(
            graph_url(other), content=body, headers={**AUTH, "Content-Type": "text/turtle"}
        ).status_code
        == 201
    )
    before = dump(loaded)
    writes = announced(app)
    r = request_(client)
    assert r.status_code == status, r.text
    assert dump(loaded) == before
    assert announced(app) == writes
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")
    if status == 422:
        report = r.json()["report"]
        assert report["conforms"] is False and report["violations"] >= 1
    assert r.json()["error"] and r.json()["message"] and r.json()["status"] == status


def test_writes_disabled_when_no_token_is_configured(store: Store):
    app = make_app(store, token=None)
    with TestClient(app) as c:
        before = dump(store)
        for r in (
            c.put(graph_url(G1), content=VALID, headers={**AUTH, "Content-Type": "text/turtle"}),
            c.post("/sparql/update", data={"update": UPDATE_OK}, headers=AUTH),
            c.delete(graph_url(G1), headers=AUTH),
        ):
            assert r.status_code == 403
            assert r.json()["message"] == "writes are disabled on this server"
        assert dump(store) == before
        assert c.get("/store?default").status_code == 200  # reads stay open


def test_missing_shapes_refuse_writes_with_503(store: Store, tmp_path: Path):
    app = make_app(store, shapes_dir=tmp_path)
    with TestClient(app) as c:
        r = c.put(graph_url(G1), content=VALID, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 503
    assert G1 not in store.graph_sizes()


# ------------------------------------------------------------------------------- the token
def test_token_is_compared_in_constant_time(client: TestClient, monkeypatch: pytest.MonkeyPatch):
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert (
        client.put(
            graph_url(G1),
            content=VALID,
            headers={"Authorization": "Bearer wrong", "Content-Type": "text/turtle"},
        ).status_code
        == 403
    )
    assert (
        client.put(
            graph_url(G1), content=VALID, headers={**AUTH, "Content-Type": "text/turtle"}
        ).status_code
        == 201
    )
    assert calls == [(b"wrong", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_token_never_reaches_logs_or_bodies(client: TestClient, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    responses = [
        client.put(graph_url(G1), content=VALID, headers={**AUTH, "Content-Type": "text/turtle"}),
        client.put(
            graph_url(G1), content=NO_LABEL, headers={**AUTH, "Content-Type": "text/turtle"}
        ),
        client.put(
            graph_url(G1),
            content=VALID,
            headers={"Authorization": f"Bearer {TOKEN}-almost", "Content-Type": "text/turtle"},
        ),
        client.post("/sparql/update", data={"update": "INSERT DATA {"}, headers=AUTH),
        client.post("/sparql/update", data={"update": UPDATE_OK}, headers=AUTH),
        client.delete(graph_url(G2), headers=AUTH),
    ]
    assert [r.status_code for r in responses] == [201, 422, 403, 400, 200, 404]
    assert caplog.records  # the writes were logged…
    assert TOKEN not in caplog.text  # …without the token
    for r in responses:
        assert TOKEN not in r.text
        assert TOKEN not in json.dumps(dict(r.headers))


# ------------------------------------------------------------------------ the project's shapes
CORE_SHAPES = PROJECT_ROOT / "shapes" / "ptce-core.ttl"


@pytest.mark.skipif(not CORE_SHAPES.is_file(), reason="shapes/ptce-core.ttl is not written yet")
def test_real_shapes_accept_a_real_source_and_reject_an_invalid_one():
    store = open_store(":memory:")
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    app = make_app(store, shapes_dir=PROJECT_ROOT / "shapes")
    source = sorted((PROJECT_ROOT / "tests" / "data" / "dataset" / "ptce").glob("*.ttl"))[0]
    invalid = (  # a PTCE with nothing but its type: no label, no territory, no source
        b"<https://w3id.org/ptce/id/ptce/synthetic-invalid> "
        b"a <https://w3id.org/ptce/ontology#PTCE> ."
    )
    graph = f"https://w3id.org/ptce/graph/{source.stem}"
    with TestClient(app) as c:
        r = c.put(
            graph_url(graph),
            content=source.read_bytes(),
            headers={**AUTH, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 201, r.text
        before = dump(store)
        r = c.put(
            graph_url(graph),
            content=invalid,
            headers={**AUTH, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 422, r.text
        assert dump(store) == before
        assert r.json()["report"]["violations"] >= 1


def test_create_app_serves_the_writes_and_hands_sparql_updates_over(store: Store):
    settings = Settings(store=":memory:", write_token=TOKEN, shapes_dir=DATA / "shapes")
    with TestClient(create_app(settings, store)) as c:
        r = c.put(graph_url(G1), content=VALID, headers={**AUTH, "Content-Type": "text/turtle"})
        assert r.status_code == 201, r.text
        before = dump(store)
        assert c.post("/sparql", data={"update": UPDATE_OK}).status_code == 401
        assert dump(store) == before
        r = c.post("/sparql", data={"update": UPDATE_OK}, headers=AUTH)
        assert r.status_code == 200, r.text
    assert (URIRef(EX + "f"), RDF.type, URIRef(EX + "Thing")) in triples_of(store, f"{G1}/inferred")
