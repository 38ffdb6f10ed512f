"""Nesting in every format, and parser crashes, through the library, the command line and HTTP.

Each format is generated just at the nesting limit (it loads) and one level over it (refused
before any parser sees it, with line and column, nothing stored); wide and deep lists and a
20,000-long chain of blank nodes (which N-Triples writes without nesting) load, and publish and
page afterwards. With the screen turned off, the issue's 20,000-deep JSON-LD crashes Oxigraph's
parser: in the parse child, never in the server, which answers 400 and keeps answering /health.
A property test feeds random nesting and widths to every parser path.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from hostile.conftest import PTCE_KG, TOKEN, Run, TemplateStore, dump_quads, quads_at, run_measured
from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.errors import QueryError, SourceError
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.isolation import check_update_isolated
from ptce_kg.ingest.rdf import ParseLimits, parse_rdf_bytes, screen_file
from ptce_kg.nesting import MAX_NESTING_DEPTH, find_too_deep
from ptce_kg.pipeline import graph_writes
from ptce_kg.sparql.reach import analyse_query, analyse_update
from ptce_kg.store import open_store
from ptce_kg.web import create_app

LIMIT = MAX_NESTING_DEPTH
ORG = "https://w3id.org/ptce/id/org/synthetic-deep"
BOTTOM = "https://w3id.org/ptce/id/org/synthetic-bottom"
SEE = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MAX_PROCESS_SECONDS = 15.0
MAX_RSS_GROWTH = 500 * 1024 * 1024
NESTED_MESSAGE = r"nested more than \d+ deep"
OPENERS = ("[", "(", "{", "<")


# ------------------------------------------------------------------------------------ documents
def turtle_blanks(depth: int, width: int = 1) -> str:
    """``[ … ]`` nested ``depth`` deep; ``width`` properties beside each nested one."""
    siblings = "".join(f'<{SEE}> "w{i}" ; ' for i in range(width - 1))
    return (
        f"<{ORG}> <{SEE}> "
        + f"[ {siblings}<{SEE}> " * depth
        + f"<{BOTTOM}>"
        + " ]" * depth
        + " .\n"
    )


def turtle_lists(depth: int, width: int = 1) -> str:
    """Collections ``( … )`` nested ``depth`` deep, ``width`` members each."""
    members = "".join(f'"m{i}" ' for i in range(width - 1))
    return f"<{ORG}> <{SEE}> " + f"( {members}" * depth + f"<{BOTTOM}>" + " )" * depth + " .\n"


def trig_blanks(depth: int, width: int = 1) -> str:
    """A default-graph block ``{ … }`` around blank nodes nested ``depth - 1`` deep."""
    return "{ " + turtle_blanks(depth - 1, width) + " }\n"


def ntriples_terms(depth: int, width: int = 1) -> str:
    """Triple terms ``<<( … )>>`` nested ``depth // 2`` deep (each counts 2: ``<<`` and ``(``)."""
    lines = [f'<{ORG}> <{SEE}> "w{i}" .\n' for i in range(width - 1)]
    levels = depth // 2
    term = f"<<( <{ORG}> <{SEE}> " * levels + f"<{BOTTOM}>" + " )>>" * levels
    return "".join(lines) + f"<{ORG}> <{SEE}> {term} .\n"


def nquads_terms(depth: int, width: int = 1) -> str:
    return ntriples_terms(depth, width)


def jsonld_objects(depth: int, width: int = 1) -> str:
    """Node objects nested ``depth`` deep (the outer one included), as in the issue."""
    siblings = "".join(f'"{COMMENT}{i}": "w", ' for i in range(width - 1))
    inner = f'{{"@id": "{BOTTOM}"}}'
    middle = max(depth - 2, 0)
    body = f'{{{siblings}"{SEE}": ' * middle + inner + "}" * middle
    if depth <= 1:
        return f'{{"@id": "{ORG}"}}'
    return f'{{"@id": "{ORG}", "{SEE}": {body}}}'


def rdfxml_elements(depth: int, width: int = 1) -> str:
    """Elements nested ``depth`` deep (rdf:RDF and the outer rdf:Description included)."""
    pairs, rest = divmod(max(depth - 2, 0), 2)
    siblings = "".join(f"<rdfs:comment>w{i}</rdfs:comment>" for i in range(width - 1))
    inner = f'<rdfs:seeAlso rdf:resource="{BOTTOM}"/>' if rest else ""
    return (
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        f'<rdf:Description rdf:about="{ORG}">'
        + f"{siblings}<rdfs:seeAlso><rdf:Description>" * pairs
        + inner
        + "</rdf:Description></rdfs:seeAlso>" * pairs
        + "</rdf:Description></rdf:RDF>\n"
    )


@dataclass(frozen=True)
class Kind:
    """A way to nest in a format: its generator (exact depth) and file suffix."""

    fmt: RdfFormat
    suffix: str
    make: Callable[..., str]
    #: what loading it at the limit gives: exit code (and a message for a refusal)
    at_limit: tuple[int, str | None] = (0, None)


KINDS = {
    "turtle-blank-nodes": Kind(RdfFormat.TURTLE, ".ttl", turtle_blanks),
    "turtle-lists": Kind(RdfFormat.TURTLE, ".ttl", turtle_lists),
    "trig-blank-nodes": Kind(RdfFormat.TRIG, ".trig", trig_blanks),
    "ntriples-triple-terms": Kind(
        RdfFormat.N_TRIPLES, ".nt", ntriples_terms, (2, "RDF 1.2 triple terms are not supported")
    ),
    "nquads-triple-terms": Kind(
        RdfFormat.N_QUADS, ".nq", nquads_terms, (2, "RDF 1.2 triple terms are not supported")
    ),
    "jsonld-objects": Kind(RdfFormat.JSON_LD, ".jsonld", jsonld_objects),
    "rdfxml-elements": Kind(RdfFormat.RDF_XML, ".rdf", rdfxml_elements),
}


def over(kind: Kind) -> int:
    """The smallest depth over the limit the generator can make (triple terms count 2 a level)."""
    return LIMIT + 2 if kind.make in (ntriples_terms, nquads_terms) else LIMIT + 1


def deepest_opener(text: str, line: int, column: int) -> str:
    return text.splitlines()[line - 1][column - 1]


def test_the_generators_nest_as_they_say() -> None:
    """The documents nest exactly as deep as asked (the screen's own count), so that "at the
    limit" and "one over" below mean what they say."""
    for name, kind in KINDS.items():
        if kind.fmt is RdfFormat.RDF_XML:
            continue  # elements: counted by expat in screen_rdf_xml (tested through loads)
        syntax = "json" if kind.fmt is RdfFormat.JSON_LD else "turtle"
        assert find_too_deep(kind.make(LIMIT), syntax, LIMIT) is None, name
        assert find_too_deep(kind.make(LIMIT), syntax, LIMIT - 1) is not None, name
        assert find_too_deep(kind.make(over(kind)), syntax, LIMIT) is not None, name


# ------------------------------------------------------------------------- library, in-process
@pytest.mark.parametrize("name", list(KINDS))
def test_one_level_over_the_limit_is_refused_with_its_position(name: str) -> None:
    kind = KINDS[name]
    text = kind.make(over(kind))
    with pytest.raises(SourceError, match=NESTED_MESSAGE) as caught:
        parse_rdf_bytes(text.encode(), kind.fmt, graph=f"{ORG}/graph")
    error = caught.value
    assert error.line is not None and error.column is not None
    assert deepest_opener(text, error.line, error.column) in OPENERS


@pytest.mark.parametrize("name", list(KINDS))
def test_at_the_limit_the_document_parses(name: str) -> None:
    kind = KINDS[name]
    code, message = kind.at_limit
    if code:
        with pytest.raises(SourceError, match=message or ""):
            parse_rdf_bytes(kind.make(LIMIT).encode(), kind.fmt, graph=f"{ORG}/graph")
        return
    parsed = parse_rdf_bytes(kind.make(LIMIT).encode(), kind.fmt, graph=f"{ORG}/graph")
    assert parsed.triples > LIMIT // 3  # one triple a level (two elements a level in RDF/XML)


# --------------------------------------------------------------------------------- command line
def issue_jsonld(depth: int = 20_000) -> str:
    """The issue's file: ~140 KB nesting 20,000 objects."""
    return (
        '{"@context": {"p": {"@id": "http://example.org/p"}}, "@id": "http://example.org/x", '
        '"p": ' + '{"p": ' * depth + '"y"' + "}" * depth + "}\n"
    )


def blank_chain(length: int) -> str:
    """A chain of blank nodes in N-Triples: no nesting in the syntax, any length in the graph."""
    lines = [f"<{ORG}-chain> <{SEE}> _:b0 ."]
    lines += [f"_:b{i} <{SEE}> _:b{i + 1} ." for i in range(length)]
    lines.append(f'_:b{length} <http://www.w3.org/2000/01/rdf-schema#comment> "end" .')
    return "\n".join(lines) + "\n"


def wide_list(members: int) -> str:
    return f"<{ORG}-wide> <{SEE}> ( " + " ".join(f'"m{i}"' for i in range(members)) + " ) .\n"


#: (file name, content, expected exit code, message regex or None)
CLI_CASES: dict[str, tuple[str, str, int, str | None]] = {}
for _name, _kind in KINDS.items():
    _code, _message = _kind.at_limit
    CLI_CASES[f"{_name}-at-limit"] = (
        f"{_name}-at{_kind.suffix}",
        _kind.make(LIMIT),
        _code,
        _message,
    )
    CLI_CASES[f"{_name}-over-limit"] = (
        f"{_name}-over{_kind.suffix}",
        _kind.make(over(_kind)),
        2,
        NESTED_MESSAGE if _kind.fmt is not RdfFormat.RDF_XML else "elements nested more than",
    )
CLI_CASES["issue-jsonld-20000"] = ("issue.jsonld", issue_jsonld(), 2, NESTED_MESSAGE)
CLI_CASES["turtle-deep-lists-20000"] = ("lists.ttl", turtle_lists(20_000), 2, NESTED_MESSAGE)
CLI_CASES["wide-list-20000"] = ("wide.ttl", wide_list(20_000), 0, None)
CLI_CASES["blank-chain-20000"] = ("chain.nt", blank_chain(20_000), 0, None)


@dataclass(frozen=True)
class Loaded:
    source: Path
    store: Path
    run: Run


@pytest.fixture(scope="module")
def cli_loads(
    tmp_path_factory: pytest.TempPathFactory, template_store: TemplateStore
) -> dict[str, Loaded]:
    """Every case loaded by `ptce-kg load` into a copy of the ontology store, two at a time."""

    def load(name: str) -> Loaded:
        file_name, content, _code, _message = CLI_CASES[name]
        folder = tmp_path_factory.mktemp(name)
        source = folder / file_name
        source.write_text(content, encoding="utf-8")
        store = template_store.copy(folder / "store")
        return Loaded(
            source, store, run_measured([PTCE_KG, "load", str(source), "--store", str(store)])
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CLI_CASES, pool.map(load, CLI_CASES), strict=True))


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_command_line(
    name: str, cli_loads: dict[str, Loaded], template_store: TemplateStore
) -> None:
    _file, _content, code, message = CLI_CASES[name]
    loaded = cli_loads[name]
    run = loaded.run
    assert run.code == code, run.output
    assert run.seconds < MAX_PROCESS_SECONDS, f"took {run.seconds:.1f} s"
    growth = run.peak_rss - template_store.baseline_rss
    assert growth < MAX_RSS_GROWTH, f"peak RSS {run.peak_rss >> 20} MB, +{growth >> 20} MB"
    after = quads_at(loaded.store)
    if code == 0:
        assert len(after) > len(template_store.quads)
    else:
        assert after == template_store.quads, "a refused input changed the store"
        assert message is not None and re.search(message, run.output), run.output
        if re.search(NESTED_MESSAGE, message):  # where: file:line:column
            assert re.search(re.escape(loaded.source.name) + r":\d+:\d+:", run.output), run.output


def test_a_store_at_the_limit_publishes(cli_loads: dict[str, Loaded], tmp_path: Path) -> None:
    """Blank nodes nested at the limit and a 20,000-long chain: `ptce-kg publish` writes every
    dump (it raised RecursionError at ~250 levels)."""
    store = tmp_path / "store"
    shutil.copytree(cli_loads["turtle-blank-nodes-at-limit"].store, store)
    chain = cli_loads["blank-chain-20000"].source
    loaded = run_measured([PTCE_KG, "load", str(chain), "--store", str(store)])
    assert loaded.code == 0, loaded.output
    published = run_measured([PTCE_KG, "publish", str(tmp_path / "pub"), "--store", str(store)])
    assert published.code == 0, published.output
    assert (tmp_path / "pub" / "dumps" / "examples.ttl").stat().st_size > 0
    assert (tmp_path / "pub" / "dumps" / "examples.jsonld").stat().st_size > 0


# ------------------------------------------------------------------------------------------ HTTP
@pytest.fixture(scope="module")
def write_client() -> Iterator[TestClient]:
    """The service with writes enabled over an in-memory store with the ontology (bodies are
    parsed in child processes, as in production)."""
    store = open_store(":memory:")
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    app = create_app(Settings(store=":memory:", write_token=SecretStr(TOKEN)), store)
    with TestClient(app) as client:
        yield client


def put(client: TestClient, graph: str, body: str, media_type: str) -> httpx.Response:
    return client.put(
        "/store",
        params={"graph": graph},
        content=body.encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": media_type},
    )


@pytest.mark.parametrize("name", list(KINDS))
def test_graph_store_put_over_the_limit_is_400(name: str, write_client: TestClient) -> None:
    kind = KINDS[name]
    store = write_client.app.state.store  # type: ignore[attr-defined]
    before = dump_quads(store)
    text = kind.make(over(kind))
    response = put(write_client, f"{ORG}/graph/{name}", text, kind.fmt.media_type)
    assert response.status_code == 400, response.text[:300]
    error = response.json()
    expected = NESTED_MESSAGE if kind.fmt is not RdfFormat.RDF_XML else "elements nested"
    assert re.search(expected, error["message"]), error
    assert error["line"] is not None and error["column"] is not None
    if kind.fmt is not RdfFormat.RDF_XML:
        assert deepest_opener(text, error["line"], error["column"]) in OPENERS
    assert dump_quads(store) == before


def test_the_issue_jsonld_is_a_400_and_the_server_answers(write_client: TestClient) -> None:
    """In-process, this request killed the server (SIGSEGV) before: here the test process
    itself would die."""
    store = write_client.app.state.store  # type: ignore[attr-defined]
    before = dump_quads(store)
    response = put(write_client, f"{ORG}/graph/issue", issue_jsonld(), "application/ld+json")
    assert response.status_code == 400
    assert re.search(NESTED_MESSAGE, response.json()["message"])
    assert dump_quads(store) == before
    assert write_client.get("/health").status_code == 200


def test_graphs_at_the_limit_publish_and_page_over_http(write_client: TestClient) -> None:
    """The issue's third case: after such PUTs, /catalog and /dumps/ answered 500."""
    bodies = {
        "at-limit": (turtle_blanks(LIMIT), "text/turtle"),
        "chain": (blank_chain(20_000), "application/n-triples"),
        "wide": (wide_list(20_000), "text/turtle"),
        "lists": (turtle_lists(LIMIT), "text/turtle"),
    }
    for key, (body, media_type) in bodies.items():
        response = put(
            write_client, f"https://w3id.org/ptce/graph/synthetic-{key}", body, media_type
        )
        assert response.status_code in (200, 201), response.text[:300]
    for path in ("/catalog", "/dumps/", "/dumps/examples.ttl", "/dumps/examples.jsonld"):
        assert write_client.get(path).status_code == 200, path
    for accept in ("text/html", "text/turtle", "application/ld+json"):
        page = write_client.get("/id/org/synthetic-deep", headers={"Accept": accept})
        assert page.status_code == 200, (accept, page.text[:300])


# ------------------------------------------------------------------------- crashes, isolated
def issue_jsonld_file(tmp_path: Path) -> Path:
    path = tmp_path / "issue.jsonld"
    path.write_text(issue_jsonld(), encoding="utf-8")
    return path


#: The screen off and the parse child's memory small: Oxigraph's JSON-LD parser then dies on the
#: issue's file (SIGABRT at the memory cap, or SIGSEGV) within a second.
UNSCREENED = {"PTCE_MAX_NESTING_DEPTH": "1000000", "PTCE_PARSE_MEMORY_MB": "256"}
CRASH_MESSAGE = r"the parser stopped on this document \(killed by SIG[A-Z]+"


def test_a_crashing_parse_is_exit_2_and_leaves_the_store(
    tmp_path: Path, template_store: TemplateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in UNSCREENED.items():
        monkeypatch.setenv(name, value)
    store = template_store.copy(tmp_path / "store")
    run = run_measured([PTCE_KG, "load", str(issue_jsonld_file(tmp_path)), "--store", str(store)])
    assert run.code == 2, run.output
    assert re.search(CRASH_MESSAGE, run.output), run.output
    assert quads_at(store) == template_store.quads


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def unscreened_server(tmp_path: Path, template_store: TemplateStore) -> Iterator[tuple[str, int]]:
    """`ptce-kg serve` on a copy of the ontology store, writes on, the nesting screen off."""
    store = template_store.copy(tmp_path / "store")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env |= UNSCREENED | {"PTCE_WRITE_TOKEN": TOKEN, "PTCE_OPTIMIZE_ON_START": "false"}
    server = subprocess.Popen(
        [PTCE_KG, "serve", "--store", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield url, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_crashing_parse_is_a_400_and_the_server_goes_on(
    unscreened_server: tuple[str, int], tmp_path: Path
) -> None:
    url, pid = unscreened_server
    graph = "https://w3id.org/ptce/graph/synthetic-crash"
    with httpx.Client(base_url=url, timeout=60) as client:
        response = client.put(
            "/store",
            params={"graph": graph},
            content=issue_jsonld().encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/ld+json"},
        )
        assert response.status_code == 400, response.text[:300]
        assert re.search(CRASH_MESSAGE, response.json()["message"]), response.json()
        assert client.get("/health").status_code == 200
        assert client.get("/store", params={"graph": graph}).status_code == 404
        again = client.put(
            "/store",
            params={"graph": graph},
            content=wide_list(10).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
        )
        assert again.status_code == 201, again.text[:300]
    os.kill(pid, 0)  # the server process is alive


# ---------------------------------------------------------------------------- property-based
SMALL_LIMIT = 40
GENERATED = st.sampled_from(sorted(KINDS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=GENERATED, depth=st.integers(4, SMALL_LIMIT + 20), width=st.integers(1, 4))
def test_any_nesting_is_parsed_or_refused_never_more(name: str, depth: int, width: int) -> None:
    """Every parser path, in-process: within the limit the document parses (or is refused for
    what it holds), over it the refusal names the nesting; nothing else is raised."""
    kind = KINDS[name]
    text = kind.make(depth, width)
    limits = ParseLimits(max_depth=SMALL_LIMIT)
    actual = depth - depth % 2 if kind.make in (ntriples_terms, nquads_terms) else depth
    try:
        parse_rdf_bytes(text.encode(), kind.fmt, graph=f"{ORG}/graph", limits=limits)
    except SourceError as e:
        if actual > SMALL_LIMIT:
            assert re.search(r"nested more than 40 deep", str(e)), str(e)
        else:
            assert kind.at_limit[1] is not None and kind.at_limit[1] in str(e), str(e)
    else:
        assert actual <= SMALL_LIMIT


@settings(max_examples=8, deadline=None)
@given(name=GENERATED, depth=st.integers(SMALL_LIMIT - 2, SMALL_LIMIT + 2))
def test_any_nesting_in_a_parse_child(name: str, depth: int) -> None:
    """The same through the child process (its errors come back whole)."""
    kind = KINDS[name]
    limits = ParseLimits(max_depth=SMALL_LIMIT, isolated=True)
    actual = depth - depth % 2 if kind.make in (ntriples_terms, nquads_terms) else depth
    try:
        parse_rdf_bytes(kind.make(depth).encode(), kind.fmt, graph=f"{ORG}/graph", limits=limits)
    except SourceError as e:
        assert actual > SMALL_LIMIT or kind.at_limit[0], str(e)
        if actual > SMALL_LIMIT:
            assert e.line is not None, str(e)
    else:
        assert actual <= SMALL_LIMIT


@settings(max_examples=40, deadline=None)
@given(
    opener=st.sampled_from(["{", "(", "["]),
    depth=st.integers(LIMIT - 4, LIMIT + 3),
    update=st.booleans(),
)
def test_any_nesting_in_sparql_is_refused_before_the_parsers(
    opener: str, depth: int, update: bool
) -> None:
    """Queries and updates (Oxigraph's SPARQL parser overflowed its stack at ~5,000): each form
    below nests at least ``depth`` and at most ``depth + 2`` deep."""
    if opener == "{":
        inner = "{ " * depth + "?s ?p ?o " + "} " * depth
    elif opener == "(":
        inner = "{ ?s ?p ?o FILTER(" + "( " * (depth - 2) + "?o" + " )" * (depth - 2) + ") }"
    else:
        inner = "{ ?s ?p " + "[ ?p " * (depth - 1) + "?o" + " ]" * (depth - 1) + " }"
    text = ("INSERT { ?s ?p ?o } WHERE " if update else "SELECT * WHERE ") + inner
    analyse = analyse_update if update else analyse_query
    if depth > LIMIT:
        with pytest.raises(QueryError, match=r"more than 1000 deep \(line 1, column \d+\)"):
            analyse(text)
    elif depth + 2 <= LIMIT:
        analyse(text)


def test_a_crashing_update_parse_ends_its_child_only() -> None:
    """Oxigraph's SPARQL parser overflowed its stack on a ~5,000-deep update (the server, for
    SPARQL Update). Past the screen (called directly here), the check runs it in a child."""
    deep = 20_000
    update = "INSERT DATA { <" + ORG + "> <" + SEE + "> " + f"[ <{SEE}> " * deep + "1" + " ]" * deep
    limits = ParseLimits(isolated=True, memory_bytes=256 * 1024 * 1024)
    with pytest.raises(QueryError, match=r"the SPARQL parser stopped on this update \(killed by"):
        check_update_isolated(update + " }", limits)
    check_update_isolated(f"INSERT DATA {{ <{ORG}> <{SEE}> [ <{SEE}> 1 ] }}", limits)
    check_update_isolated("INSERT DATA { this is not SPARQL", limits)  # the real run says why


def test_an_update_over_http_is_checked_in_a_child(
    write_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []

    def spy(update: str, limits: ParseLimits, base_iri: str | None = None) -> None:
        assert limits.isolated
        checked.append(update)
        check_update_isolated(update, limits, base_iri)

    monkeypatch.setattr(graph_writes, "check_update_isolated", spy)
    response = write_client.post(
        "/sparql/update",
        content=f'INSERT DATA {{ GRAPH <{ORG}/graph/update> {{ <{ORG}> <{COMMENT}> "x" }} }}',
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/sparql-update",
        },
    )
    assert response.status_code == 200, response.text[:300]
    assert len(checked) == 1 and "INSERT DATA" in checked[0]
    bad = write_client.post(
        "/sparql/update",
        content="INSERT DATA { <a> }",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/sparql-update",
        },
    )
    assert bad.status_code == 400
    assert "stopped" not in bad.json()["message"]


@pytest.mark.parametrize("name", [n for n, k in KINDS.items() if k.fmt is not RdfFormat.RDF_XML])
def test_a_file_is_screened_through_a_memory_map_alike(name: str, tmp_path: Path) -> None:
    """`load --no-validate` screens big dumps without reading them into memory."""
    kind = KINDS[name]
    text = kind.make(over(kind))
    path = tmp_path / f"doc{kind.suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as mapped:
        screen_file(path, kind.fmt)
    with pytest.raises(SourceError) as in_memory:
        parse_rdf_bytes(text.encode(), kind.fmt, graph=f"{ORG}/graph")
    assert (mapped.value.line, mapped.value.column) == (
        in_memory.value.line,
        in_memory.value.column,
    )
    path.write_text(kind.make(LIMIT), encoding="utf-8")
    screen_file(path, kind.fmt)  # at the limit: passes
