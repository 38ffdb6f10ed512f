"""The remote store: a SPARQL 1.1 server, through the SPARQL Protocol and the Graph Store Protocol.

Three URLs: the **query** endpoint (SPARQL 1.1 Protocol, POST form), the **update** endpoint (POST
``application/sparql-update``) and the **graph store** (GSP: ``GET/POST ?graph=``).
:func:`remote_endpoints` derives them from the one URL in ``PTCE_STORE`` (docs/stores.md lists the
layouts it knows: Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever); :class:`RemoteStore` also
takes all three explicitly.

Rules that keep it equivalent to the embedded store:

- **Default graph = union of the named graphs.** Oxigraph server is recognised by its ``Server``
  header and gets its ``union-default-graph`` parameter on every query without an explicit dataset.
  Any other server must be configured so (docs/stores.md); :func:`open_remote_store` checks it with
  a probe (a triple of a named graph must be visible in the default graph) and refuses otherwise. An
  empty store cannot be probed: the check then runs after the first write.
- **Writes are single requests.** ``replace_graphs`` sends ONE update request
  ``DROP SILENT GRAPH <g>; …; INSERT DATA { GRAPH <g> { … } … }``, which Oxigraph, Fuseki (TDB2) and
  GraphDB apply as one transaction. ``bulk_load`` is a streamed GSP POST (not atomic, as embedded).
- **Bound parameters** (``bindings``) become a ``VALUES`` block at the start of the query's WHERE
  group, each term serialised here (never the caller's string formatting).
- **Retries**: reads (queries, GETs) are retried with exponential backoff on connection errors and
  on 502/503/504; idempotent writes (``replace_graphs``, ``drop_graphs``) likewise; other writes
  only when the connection could not be made (the request was not sent). A 500 is not retried: the
  servers use it for evaluation errors, which a retry would only repeat.

Credentials (HTTP basic auth) never appear in messages or in ``location``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ptce_kg.errors import FormatMismatch, PtceError, QueryError, QueryTimeout, StoreError
from ptce_kg.formats import RESULTS_MEDIA_TYPES, RdfFormat, ResultsFormat
from ptce_kg.sparql.binding import bind_values, bound_term, query_kind, with_base
from ptce_kg.sparql.updates import drop_graphs_update, replace_graphs_update
from ptce_kg.store import virtuoso
from ptce_kg.store.base import QueryResult, WriteListeners, notifies_writes
from ptce_kg.store.terms import to_rdflib

log = logging.getLogger(__name__)

RESULT_TYPES = RESULTS_MEDIA_TYPES
GRAPH_TYPES = tuple(fmt.media_type for fmt in RdfFormat)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RETRY_STATUSES = frozenset({502, 503, 504})
#: The default graph of a Protocol dataset that names only named graphs (it must be empty).
EMPTY_GRAPH = "urn:x-ptce:empty-default-graph"
_UNION_HINT = (
    "ptce_kg queries the union of the named graphs as the default graph. Oxigraph server: "
    "--union-default-graph (or ?union-default-graph on the query URL); Fuseki: "
    "tdb2:unionDefaultGraph true; GraphDB, Virtuoso, QLever: see docs/stores.md"
)


# ------------------------------------------------------------------------------------ endpoints
@dataclass(frozen=True)
class RemoteEndpoints:
    """The URLs of a remote store; ``graph_store`` is ``None`` when the server has no GSP."""

    query: str
    update: str
    graph_store: str | None


def remote_endpoints(url: str) -> RemoteEndpoints:
    """Derive the query, update and graph-store URLs from a store URL (docs/stores.md).

    ``…/query`` (Oxigraph server) → ``…/update``, ``…/store``; ``…/<dataset>/sparql`` or
    ``…/<dataset>/query`` (Fuseki) → ``…/update``, ``…/data``; ``…/repositories/<id>`` (GraphDB) →
    ``…/statements``, ``…/rdf-graphs/service``; ``/sparql`` at the root (Virtuoso) → the same
    URL, ``/sparql-graph-crud`` (``/sparql-auth`` → the same URL, ``/sparql-graph-crud-auth``, both
    with HTTP digest auth); anything else (Fuseki dataset URL, QLever) → the same URL for all.
    A query string on the URL is kept on the query endpoint only.
    """
    parsed = httpx.URL(url)
    bare = parsed.copy_with(query=None)
    path = bare.path.rstrip("/")

    def at(new_path: str) -> str:
        return str(bare.copy_with(path=new_path))

    segments = [s for s in path.split("/") if s]
    if segments[-2:-1] == ["repositories"]:
        return RemoteEndpoints(url, at(f"{path}/statements"), at(f"{path}/rdf-graphs/service"))
    if path == "/sparql":
        return RemoteEndpoints(url, at(path), at("/sparql-graph-crud"))
    if path == "/sparql-auth":
        return RemoteEndpoints(url, at(path), at("/sparql-graph-crud-auth"))
    if path.endswith(("/query", "/sparql")):
        root = path.rsplit("/", 1)[0]
        if len(segments) == 1 and segments[0] == "query":  # Oxigraph server
            return RemoteEndpoints(url, at("/update"), at("/store"))
        return RemoteEndpoints(url, at(f"{root}/update"), at(f"{root}/data"))
    return RemoteEndpoints(url, str(bare), str(bare))


def redact_url(url: str) -> str:
    """``url`` without user name and password."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "<invalid URL>"
    return str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else url


def term_from_json(value: Mapping[str, str]) -> Node:
    """The rdflib term of one SPARQL JSON results binding (plain literals stay untyped)."""
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return Literal(value["value"], lang=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype is None or datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return Literal(value["value"])
        return Literal(value["value"], datatype=URIRef(datatype))
    raise QueryError(f"unsupported term in the remote store's answer: {value}")


def replace_update(graphs: Mapping[str, bytes]) -> bytes:
    """The one update request that replaces each graph by its N-Triples."""
    return replace_graphs_update(graphs).encode()


# ------------------------------------------------------------------------------------ the store
def open_remote_store(
    url: str,
    *,
    read_only: bool = False,
    user: str | None = None,
    password: str | None = None,
    endpoints: RemoteEndpoints | None = None,
    **options: Any,
) -> RemoteStore:
    """Connect to the SPARQL server at ``url`` and check it answers as ptce_kg needs.

    Raises:
        StoreError: the server does not answer, refuses the credentials, is no SPARQL endpoint,
            or does not use the union of its named graphs as the default graph.
    """
    store = RemoteStore(
        endpoints or remote_endpoints(url),
        user=user,
        password=password,
        read_only=read_only,
        **options,
    )
    try:
        store.probe()
    except BaseException:
        store.close()
        raise
    return store


class ResultCut(StoreError):
    """The server cut a result at its row limit (Virtuoso's ``X-SPARQL-MaxRows``)."""


class RemoteStore(WriteListeners):
    """A ptce_kg store on a SPARQL 1.1 server (see the module docstring)."""

    def __init__(
        self,
        endpoints: RemoteEndpoints,
        *,
        user: str | None = None,
        password: str | None = None,
        read_only: bool = False,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.25,
        union_param: bool | None = None,
        digest: bool | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.location = redact_url(endpoints.query)
        self.read_only = read_only
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        query_url = httpx.URL(endpoints.query)
        #: Oxigraph's per-request ``union-default-graph``; ``None`` until the server is known.
        self.union_param = union_param
        if "union-default-graph" in query_url.params:
            self.union_param = True
        self._query_url = query_url.copy_remove_param("union-default-graph")
        self._union_checked = False
        #: Virtuoso (recognised by its ``Server`` header at the probe): see ptce_kg.store.virtuoso.
        self.virtuoso = False
        if digest is None:  # Virtuoso's authenticated endpoints (/sparql-auth) speak digest only
            digest = query_url.path.rstrip("/").endswith("-auth")
        if user is None and query_url.username:  # http://user:password@host/…
            user, password = query_url.username, query_url.password
        auth: httpx.Auth | None = None
        if user:
            auth = (httpx.DigestAuth if digest else httpx.BasicAuth)(user, password or "")
        self._client = httpx.Client(
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            headers={"User-Agent": "ptce_kg (remote store)"},
            follow_redirects=False,
        )
        # A caller that forgets close() must not leave sockets to the garbage collector.
        self._finalizer = weakref.finalize(self, self._client.close)

    # ------------------------------------------------------------------------------- HTTP
    def _where(self, url: str | httpx.URL) -> str:
        return redact_url(str(url))

    def _unreachable(self, url: str | httpx.URL, error: Exception) -> StoreError:
        return StoreError(
            f"cannot reach the remote store at {self._where(url)}: {type(error).__name__}: "
            f"{error or 'no answer'}",
            hint="is the SPARQL server running and listening at that address? check the URL "
            "(PTCE_STORE / --store), the network, and any HTTP proxy",
        )

    def _status_error(self, response: httpx.Response, doing: str) -> StoreError:
        where = self._where(response.request.url)
        text = response.text.strip()[:500]
        if response.status_code in (401, 403):
            return StoreError(
                f"the remote store at {where} refused the credentials for {doing} "
                f"(HTTP {response.status_code})",
                hint="check PTCE_STORE_USER and PTCE_STORE_PASSWORD, and that the user may "
                "read (and, for writes, update) the store",
            )
        if response.status_code in (404, 405):
            return StoreError(
                f"no SPARQL service for {doing} at {where} (HTTP {response.status_code})",
                hint="check the store URL: Oxigraph server http://host:7878/query, Fuseki "
                "http://host:3030/<dataset>/sparql, GraphDB http://host:7200/repositories/<id> "
                "(docs/stores.md)",
            )
        if response.status_code == 413:
            return StoreError(
                f"the remote store at {where} refused a request too large for {doing} (HTTP 413)",
                hint="raise the server's request size limit",
            )
        return StoreError(
            f"the remote store at {where} failed {doing} (HTTP {response.status_code}): {text}"
        )

    def _retry_wait(self, attempt: int) -> bool:
        """Sleep before the next attempt; ``False`` when no attempt is left."""
        if attempt >= self.retries:
            return False
        time.sleep(self.backoff * 2**attempt)
        return True

    @contextlib.contextmanager
    def _request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        idempotent: bool,
        content: Callable[[], Any] | None = None,
        **kwargs: Any,
    ) -> Iterator[httpx.Response]:
        """Send a request with retries; yield the streamed response (status not checked)."""
        attempt = 0
        answered = False  # once the response is handed over, nothing is retried
        while True:
            try:
                body = {"content": content()} if content is not None else {}
                with self._client.stream(method, url, **body, **kwargs) as response:
                    if (
                        response.status_code in _RETRY_STATUSES
                        and idempotent
                        and self._retry_wait(attempt)
                    ):
                        attempt += 1
                        continue
                    answered = True
                    yield response
                    return
            except (httpx.ConnectError, httpx.ConnectTimeout) as e:
                if answered or not self._retry_wait(attempt):
                    raise self._unreachable(url, e) from e
            except (httpx.ReadTimeout, httpx.WriteTimeout) as e:
                raise QueryTimeout(
                    f"the remote store at {self._where(url)} did not answer within "
                    f"{self.timeout:g} s",
                    hint="narrow the query, or raise the client and server time limits",
                ) from e
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as e:
                if answered or not idempotent or not self._retry_wait(attempt):
                    raise self._unreachable(url, e) from e
            attempt += 1

    def _query_params(
        self, default_graph: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> list[tuple[str, str | int | float | bool | None]]:
        if default_graph is None and named_graphs is None:
            return [("union-default-graph", "")] if self.union_param else []
        graphs = [g for g in default_graph or () if g] or [EMPTY_GRAPH]
        params: list[tuple[str, str | int | float | bool | None]]
        params = [("default-graph-uri", g) for g in graphs]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        return params

    @contextlib.contextmanager
    def _query_response(
        self,
        sparql: str,
        accept: str,
        default_graph: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> Iterator[httpx.Response]:
        url = self._query_url.copy_merge_params(self._query_params(default_graph, named_graphs))
        with self._request(
            "POST", url, idempotent=True, data={"query": sparql}, headers={"Accept": accept}
        ) as response:
            if response.status_code in (400, 500):
                response.read()
                text = response.text.strip()
                raise QueryError(
                    f"the remote store could not run the query (HTTP {response.status_code}): "
                    f"{(virtuoso.error_text(text) if self.virtuoso else text)[:1000]}"
                )
            if response.status_code == 406:
                raise QueryError(f"the remote store cannot write this result as {accept}")
            if response.status_code != 200:
                response.read()
                raise self._status_error(response, "a query")
            if "x-sparql-maxrows" in response.headers:
                raise ResultCut(
                    f"the remote store at {self.location} cut the result at "
                    f"{response.headers['x-sparql-maxrows']} rows",
                    hint="raise the server's result limit (Virtuoso: ResultSetMaxRows in the "
                    "[SPARQL] section of virtuoso.ini), or narrow the query (docs/stores.md)",
                )
            yield response

    # ----------------------------------------------------------------------------- probe
    def probe(self) -> None:
        """Check the server answers a query; recognise Oxigraph; check the default graph.

        Raises:
            StoreError: down, wrong URL, refused credentials, or no union default graph.
        """
        try:
            with self._query_response(
                "ASK {}", "application/sparql-results+json", None, None
            ) as response:
                response.read()
                server = response.headers.get("server", "")
        except StoreError as e:
            raise StoreError(f"cannot open the remote store: {e.message}", hint=e.hint) from e
        self.virtuoso = virtuoso.is_virtuoso(server)
        if self.union_param is None:
            self.union_param = server.startswith("Oxigraph")
        if not self.union_param:
            self._check_union()

    def _check_union(self) -> None:
        """Refuse a server whose default graph misses a triple of a named graph."""
        sample = self.query(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o "
            "FILTER(!isBlank(?s) && !isBlank(?o)) } } LIMIT 1"
        )
        if not sample.rows:
            return  # nothing to check yet: checked again after the first write
        s, p, o = sample.rows[0]
        assert s is not None and p is not None and o is not None
        seen = self.query(f"ASK {{ {bound_term(s)} {bound_term(p)} {bound_term(o)} }}")
        if not seen.boolean:
            raise StoreError(
                f"cannot open the remote store at {self.location}: its default graph is not the "
                "union of its named graphs, so ptce_kg's queries would miss data",
                hint=_UNION_HINT,
            )
        self._union_checked = True

    def _after_write(self) -> None:
        if not self.union_param and not self._union_checked:
            self._check_union()

    # ----------------------------------------------------------------------------- reads
    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Node] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (default graph: union of all graphs) and return rdflib terms."""
        text = with_base(bind_values(sparql, bindings) if bindings else sparql, base_iri)
        kind = query_kind(text)
        accept = "application/n-triples" if kind == "graph" else RESULT_TYPES[0]
        with self._query_response(text, accept, default_graph, named_graphs) as response:
            body = response.read()
        if kind == "graph":
            try:
                triples = [
                    (
                        to_rdflib(t.subject),
                        to_rdflib(t.predicate),
                        to_rdflib(
                            virtuoso.read_literal(t.object)
                            if self.virtuoso and isinstance(t.object, ox.Literal)
                            else t.object
                        ),
                    )
                    for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                ]
            except SyntaxError as e:
                raise StoreError(f"the remote store sent unreadable N-Triples: {e}") from e
            return QueryResult("graph", triples=triples)
        try:
            data = json.loads(body)
        except ValueError as e:
            raise StoreError(f"the remote store sent unreadable JSON results: {e}") from e
        if "boolean" in data:
            return QueryResult("ask", boolean=bool(data["boolean"]))
        variables = list(data["head"].get("vars", []))
        read = virtuoso.read_binding if self.virtuoso else dict
        rows = [
            tuple(term_from_json(read(b[v])) if v in b else None for v in variables)
            for b in data["results"]["bindings"]
        ]
        return QueryResult("select", variables=variables, rows=rows)

    def query_serialized(
        self,
        sparql: str,
        media_type: str | Callable[[str], str],
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        output: IO[bytes] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        """Run a query and pass on the server's serialisation in ``media_type``.

        The kind is read from the query form before anything is sent, so a ``media_type``
        function is called before evaluation; with ``output`` the body streams there and ``b""``
        is returned (an exception from ``output.write`` closes the response and propagates).

        Raises:
            QueryError: syntax or evaluation error, or a media type that does not fit the form.
        """
        kind = query_kind(sparql)
        sparql = with_base(sparql, base_iri)
        chosen = media_type if isinstance(media_type, str) else media_type(kind)
        if chosen not in (GRAPH_TYPES if kind == "graph" else RESULT_TYPES):
            raise FormatMismatch(f"a {kind} result cannot be written as {chosen}")
        with self._query_response(sparql, chosen, default_graph, named_graphs) as response:
            if output is None:
                return kind, response.read()
            for chunk in response.iter_bytes():
                output.write(chunk)
        return kind, b""

    def graph_sizes(self) -> dict[str, int]:
        """Return the number of triples in each named graph (the default graph is not listed)."""
        hidden = virtuoso.HIDE_SYSTEM_GRAPHS if self.virtuoso else ""
        result = self.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {hidden} }} GROUP BY ?g"
        )
        return {str(g): int(str(n)) for g, n in result.rows if g is not None and n is not None}

    def quad_count(self) -> int:
        """Return the number of quads in the named graphs."""
        hidden = virtuoso.HIDE_SYSTEM_GRAPHS if self.virtuoso else ""
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {hidden} }}")
        return int(str(result.rows[0][0])) if result.rows else 0

    def _write_graph(self, graph: str, media_type: str, write: Callable[[bytes], Any]) -> None:
        """Stream one graph in ``media_type`` to ``write`` (GSP GET, else CONSTRUCT)."""
        if self.endpoints.graph_store is None:
            _kind, body = self.query_serialized(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {bound_term(URIRef(graph))} "
                "{ ?s ?p ?o } }",
                media_type,
            )
            write(body)
            return
        with self._request(
            "GET",
            self.endpoints.graph_store,
            idempotent=True,
            params={"graph": graph},
            headers={"Accept": media_type},
        ) as response:
            if response.status_code == 404:
                return  # no such graph: empty, as in the embedded store
            if response.status_code != 200:
                response.read()
                raise self._status_error(response, f"reading graph <{graph}>")
            for chunk in response.iter_bytes():
                write(chunk)

    def graph_triples(self, graph: str) -> bytes:
        """Return the triples of ``graph`` as N-Triples."""
        buffer = io.BytesIO()
        self._write_graph(graph, RdfFormat.N_TRIPLES.media_type, buffer.write)
        return buffer.getvalue()

    def graphs_quads(self, exclude: Sequence[str] = (), *, suffixes: Sequence[str] = ()) -> bytes:
        """Return the named graphs as N-Quads, but those in ``exclude`` or ending with a suffix:
        ONE query (a graph-store ``GET`` per graph took ~30 ms each, 244 for the bundled data)."""
        left_out = [*exclude, *(virtuoso.SYSTEM_GRAPHS if self.virtuoso else ())]
        filters = [f"FILTER(!STRENDS(STR(?g), {json.dumps(s)}))" for s in suffixes]
        if left_out:
            names = ", ".join(bound_term(URIRef(g)) for g in left_out)
            filters.append(f"FILTER(?g NOT IN ({names}))")
        sparql = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {' '.join(filters)} }}"
        # SPARQL XML results, read by Oxigraph's parser: Virtuoso writes its JSON results several
        # times slower (4.5 s against 0.9 s for the bundled data)
        try:
            with self._query_response(sparql, ResultsFormat.XML.media_type, None, None) as response:
                body = response.read()
        except ResultCut:  # a row limit below the store's size: one read per graph, as dumps do
            out = io.BytesIO()
            for name in self.graph_sizes():
                if name not in left_out and not name.endswith(tuple(suffixes)):
                    writer = _QuadWriter(out, name)
                    self._write_graph(name, RdfFormat.N_TRIPLES.media_type, writer.write)
                    writer.flush()
            return out.getvalue()
        if self.virtuoso:  # its blank nodes, nodeID://b1, are not valid labels
            body = body.replace(b"<bnode>nodeID://", b"<bnode>")

        def read(term: Any) -> Any:  # Virtuoso's rewritten literals, as written (as in query())
            return virtuoso.read_literal(term) if isinstance(term, ox.Literal) else term

        try:
            solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
            if not isinstance(solutions, ox.QuerySolutions):
                raise TypeError("an ASK answer")
            quads = [
                ox.Quad(row["s"], row["p"], read(row["o"]) if self.virtuoso else row["o"], row["g"])
                for row in solutions
            ]
        except (SyntaxError, ValueError, TypeError, KeyError) as e:
            raise StoreError(f"the remote store sent unreadable XML results: {e}") from e
        return bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")

    def dump(self, output: IO[bytes], fmt: RdfFormat, *, graph: str | None = None) -> None:
        """Write the named graphs (TriG/N-Quads/JSON-LD) or one graph (any format) to ``output``."""
        if graph is not None:
            self._write_graph(graph, fmt.media_type, output.write)
            return
        if not fmt.has_graphs:
            raise StoreError(f"{fmt.name} cannot hold several graphs", hint="use trig or n-quads")
        collected = io.BytesIO()  # N-Quads to convert, for TriG and JSON-LD
        target: IO[bytes] = output if fmt is RdfFormat.N_QUADS else collected
        for name in sorted(self.graph_sizes()):
            writer = _QuadWriter(target, name)
            self._write_graph(name, RdfFormat.N_TRIPLES.media_type, writer.write)
            writer.flush()
        if fmt is not RdfFormat.N_QUADS:
            quads = ox.parse(collected.getvalue(), format=ox.RdfFormat.N_QUADS)
            ox_format = ox.RdfFormat.TRIG if fmt is RdfFormat.TRIG else ox.RdfFormat.JSON_LD
            ox.serialize(quads, output, format=ox_format)

    # ---------------------------------------------------------------------------- writes
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only", hint="open it without --read-only")

    def _post_update(
        self,
        body: bytes,
        *,
        idempotent: bool,
        doing: str,
        refused: type[PtceError] = StoreError,
    ) -> None:
        """POST an update request; a 400 (the server refused its text) raises ``refused``: a
        :class:`QueryError` for a caller's update, a :class:`StoreError` for the updates ptce_kg
        writes itself. A refusal for want of rights on Virtuoso is a :class:`StoreError` that
        says what to grant."""
        with self._request(
            "POST",
            self.endpoints.update,
            idempotent=idempotent,
            content=lambda: body,
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        ) as response:
            response.read()
            text = response.text.strip()
            if self.virtuoso:
                text = virtuoso.error_text(text)
                if virtuoso.refused_for_rights(response.status_code, text):
                    raise StoreError(
                        f"the remote store at {self.location} refused {doing}: {text[:500]}",
                        hint=virtuoso.PERMISSION_HINT,
                    )
            if response.status_code == 400:
                raise refused(
                    f"the remote store refused {doing}: {text[:1000]}",
                    hint="nothing was written (the server applies one update request as one "
                    "transaction)",
                )
            if not 200 <= response.status_code < 300:
                raise self._status_error(response, doing)

    @notifies_writes
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as one request (one transaction on the servers of docs/stores.md)."""
        self._check_writable()
        body = with_base(sparql, base_iri).encode("utf-8")
        self._post_update(body, idempotent=False, doing="the update", refused=QueryError)
        self._after_write()

    @notifies_writes
    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph by the given N-Triples, in ONE update request."""
        self._check_writable()
        if not graphs:
            return
        self._post_update(
            virtuoso.replace_update(graphs) if self.virtuoso else replace_update(graphs),
            idempotent=True,
            doing=f"writing graphs {', '.join(graphs)}",
        )
        self._after_write()

    @notifies_writes
    def drop_graphs(self, graphs: Sequence[str]) -> None:
        """Remove the named graphs in one update request (missing ones are ignored)."""
        self._check_writable()
        if graphs:
            body = drop_graphs_update(graphs).encode()
            self._post_update(body, idempotent=True, doing="dropping graphs")

    @notifies_writes
    def bulk_load(self, path: Path, fmt: RdfFormat, graph: str | None) -> None:
        """Stream a file to the graph store (GSP POST): fast, NOT atomic."""
        self._check_writable()
        if self.endpoints.graph_store is None:
            raise StoreError(
                f"the remote store at {self.location} has no graph store endpoint for bulk loads",
                hint="load with validation (ptce-kg load without --no-validate)",
            )
        if self.virtuoso and (fmt.has_graphs or fmt not in virtuoso.GSP_FORMATS):
            self._insert_parsed(path, fmt, graph)
            return
        if self.virtuoso and graph is None:
            raise StoreError(
                f"cannot bulk load {path} into the default graph of the Virtuoso store at "
                f"{self.location}: its default graph is the union of the named graphs",
                hint="load the file into a named graph",
            )
        params: dict[str, str] = {}
        if not fmt.has_graphs:
            params = {"graph": graph} if graph is not None else {"default": ""}
        try:
            # A file object, not a generator: the request gets a Content-Length (Virtuoso ignores
            # a chunked request body) and is still read in blocks.
            with (
                path.open("rb") as f,
                self._request(
                    "POST",
                    self.endpoints.graph_store,
                    idempotent=False,
                    content=lambda: f,
                    params=params,
                    headers={"Content-Type": fmt.media_type},
                ) as response,
            ):
                response.read()
                if response.status_code in (400, 500):  # Virtuoso answers 500 for a syntax error
                    raise StoreError(
                        f"{path}: {response.text.strip()[:1000]} "
                        "(bulk load stopped; part may be loaded)"
                    )
                if not 200 <= response.status_code < 300:
                    raise self._status_error(response, f"the bulk load of {path}")
        except OSError as e:
            raise StoreError(f"cannot read {path}: {e}") from e
        self._after_write()

    def _insert_parsed(self, path: Path, fmt: RdfFormat, graph: str | None) -> None:
        """Bulk load on Virtuoso, whose graph store takes one graph in N-Triples, Turtle or
        RDF/XML only: parse here, send ``INSERT DATA`` requests of ``virtuoso.BATCH`` quads (NOT
        atomic; a blank node label does not join two requests)."""
        ox_format = ox.RdfFormat.from_media_type(fmt.media_type)
        assert ox_format is not None
        batch: dict[str, list[bytes]] = {}
        count = 0

        def send() -> None:
            body = virtuoso.inserts({g: b"\n".join(lines) for g, lines in batch.items()})
            self._post_update(
                virtuoso.update_request(body),
                idempotent=False,
                doing=f"the bulk load of {path} (stopped; part may be loaded)",
            )
            batch.clear()

        try:
            for quad in ox.parse(path=path, format=ox_format):
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    if graph is None:
                        raise StoreError(
                            f"{path}: a triple in the default graph cannot be bulk loaded into "
                            f"the Virtuoso store at {self.location} (its default graph is the "
                            "union of the named graphs); nothing after it was loaded",
                            hint="give the file's triples a graph",
                        )
                    name = graph
                else:
                    name = quad.graph_name.value
                triple = ox.Triple(quad.subject, quad.predicate, quad.object)
                batch.setdefault(name, []).append(str(triple).encode() + b" .")
                count += 1
                if count % virtuoso.BATCH == 0:
                    send()
        except SyntaxError as e:
            raise StoreError(f"{path}: {e} (bulk load stopped; part may be loaded)") from e
        except OSError as e:
            raise StoreError(f"cannot read {path}: {e}") from e
        if batch:
            send()
        self._after_write()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._finalizer()


class _QuadWriter:
    """Turns streamed N-Triples into N-Quads of ``graph`` (split lines are carried over)."""

    def __init__(self, target: IO[bytes], graph: str) -> None:
        self._target = target
        self._suffix = f" <{graph}> .\n".encode()
        self._rest = b""

    def write(self, data: bytes) -> int:
        lines = (self._rest + bytes(data)).split(b"\n")
        self._rest = lines.pop()
        out = [
            line.rstrip()[:-1].rstrip() + self._suffix
            for line in lines
            if line.strip() and not line.lstrip().startswith(b"#")
        ]
        if out:
            self._target.write(b"".join(out))
        return len(data)

    def flush(self) -> None:
        """Write a last line that had no newline."""
        rest, self._rest = self._rest, b""
        if rest.strip():
            self.write(rest + b"\n")
