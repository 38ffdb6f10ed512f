"""The embedded store: Oxigraph (RocksDB) on disk, or in memory.

Every source lives in its own named graph; the SPARQL default graph of a query is the union of all
graphs (the named graphs and the store's own default graph, which holds what clients write to the
Graph Store's ``?default``). Writes are single Oxigraph transactions: ``Store.load`` when every
target graph is new, otherwise one SPARQL update ``DROP SILENT GRAPH …; INSERT DATA { GRAPH … }``
— so a reader sees the old or the new graph, never a mix, and a process killed mid-write leaves
the previous data intact.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from ptce_kg.errors import FormatMismatch, QueryError, StaleStoreView, StoreError
from ptce_kg.formats import RdfFormat, ResultsFormat, oxigraph_format, oxigraph_results_format
from ptce_kg.sparql.syntax import explain_syntax_error
from ptce_kg.sparql.updates import drop_graphs_update, replace_graphs_update
from ptce_kg.store.base import QueryResult, WriteListeners, notifies_writes

if TYPE_CHECKING:
    from rdflib.term import Node

log = logging.getLogger(__name__)

_OX_RESULT_FORMATS = {fmt.media_type: oxigraph_results_format(fmt) for fmt in ResultsFormat}
_OX_GRAPH_FORMATS = {fmt.media_type: oxigraph_format(fmt) for fmt in RdfFormat}
#: Graphs whose bulk write has started and not finished (see EmbeddedStore._bulk_write_new).
_PENDING = "urn:x-ptce-kg:pending-writes"
#: New graphs at least this large (N-Triples bytes) go through the bulk loader when exclusive.
_BULK_WRITE_BYTES = 8 * 1024 * 1024
#: Quads handed to the bulk loader at a time.
_BULK_CHUNK_QUADS = 200_000


def open_embedded_store(
    path: str | Path | None, *, read_only: bool = False, exclusive: bool = False
) -> EmbeddedStore:
    """Open (or create) the embedded store at ``path``; ``None`` for a store in memory.

    ``exclusive`` says that no one else reads the store while this process writes it (the CLI,
    which holds the store's lock): new graphs are then written through Oxigraph's bulk loader,
    made crash-safe by a pending marker (see :meth:`EmbeddedStore.replace_graphs`). Opening a
    store read-write finishes the clean-up of a bulk write that was interrupted.

    Raises:
        StoreError: if the directory is locked by another process, unreadable or corrupted.
    """
    try:
        if path is None:
            return EmbeddedStore(ox.Store(), ":memory:")
        target = Path(path)
        if read_only:
            if not target.exists():
                raise StoreError(
                    f"no store at {target.absolute()}",
                    hint="load data first (ptce-kg load FILE --store DIR), or point --store or "
                    "PTCE_STORE at an existing store",
                )
            return EmbeddedStore(ox.Store.read_only(str(target)), str(target), read_only=True)
        if target.exists() and not target.is_dir():
            raise StoreError(f"{target} exists and is not a store directory")
        if not target.exists():
            _check_parent(target)
        store = EmbeddedStore(ox.Store(str(target)), str(target), exclusive=exclusive)
        store.remove_interrupted_writes()
        return store
    except RuntimeError as e:  # RocksDB reports corruption as a runtime error
        raise StoreError(
            f"cannot open the store at {path}: {e}",
            hint="the directory is damaged; restore a backup (ptce-kg restore) or load into a "
            "new --store; nothing was removed",
        ) from e
    except OSError as e:
        raise StoreError(f"cannot open the store at {path}: {e}", hint=_open_hint(str(e))) from e


def _check_parent(target: Path) -> None:
    """Refuse to create a store in a directory that does not exist (RocksDB creates one level).

    Raises:
        StoreError: the parent of ``target`` is missing or is not a directory.
    """
    parent = target.absolute().parent
    if not parent.exists():
        raise StoreError(
            f"cannot create a store at {target}: the directory {parent} does not exist",
            hint=f"create it first (mkdir -p {parent}), or give --store a path inside an "
            "existing directory",
        )
    if not parent.is_dir():
        raise StoreError(
            f"cannot create a store at {target}: {parent} is not a directory",
            hint="give --store a path inside a directory",
        )


def _open_hint(message: str) -> str:
    """A hint for an I/O error from RocksDB when opening a store, after what it says."""
    lowered = message.lower()
    if "lock" in lowered:
        return "another ptce-kg process is using it: stop it, or use --store elsewhere"
    if any(w in lowered for w in ("permission denied", "not permitted", "read-only file system")):
        return "the directory is not writable by this user: fix its permissions or use --store"
    return (
        "is another ptce-kg process using it (stop it, or use --store elsewhere)? "
        "is the directory writable and not corrupted?"
    )


class EmbeddedStore(WriteListeners):
    """A ptce_kg store backed by pyoxigraph (see the module docstring for the write rules)."""

    def __init__(
        self, store: Any, location: str, *, read_only: bool = False, exclusive: bool = False
    ) -> None:
        self._store = store
        self.location = location
        self.read_only = read_only
        self.exclusive = exclusive and location != ":memory:"
        self._write_lock = threading.Lock()

    @property
    def engine(self) -> Any:
        """The underlying pyoxigraph Store (for the web adapter's native serialisation)."""
        return self._store

    # ---------------------------------------------------------------- reads
    def _run(
        self,
        sparql: str,
        default_graph: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        bindings: Mapping[str, Node] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if base_iri is not None:
            kwargs["base_iri"] = base_iri
        if default_graph is not None:
            kwargs["default_graph"] = [
                ox.DefaultGraph() if g == "" else ox.NamedNode(g) for g in default_graph
            ]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            from ptce_kg.store.terms import to_oxigraph  # rdflib: not in a worker (serialises)

            try:
                kwargs["substitutions"] = {
                    ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()
                }
            except ValueError as e:  # e.g. an IRI that is not one
                raise QueryError(f"invalid parameter: {e}") from e
        original = sparql
        try:
            star = _select_star(sparql)
            if star is not None:
                sparql = self._project_in_order(sparql, star, kwargs)
            return self._store.query(sparql, **kwargs)
        except SyntaxError as e:
            raise explain_syntax_error(original, str(e)) from e
        except (OSError, RuntimeError, ValueError) as e:
            raise _query_failed(e) from e

    def _project_in_order(self, sparql: str, star: int, kwargs: dict[str, Any]) -> str:
        """``SELECT *`` with its variables listed in the order they first appear in the query.

        Oxigraph projects ``*`` in alphabetical order (``?o ?p ?s``); the SPARQL spec, and every
        other engine, keep the query's order. The engine gives the set (the in-scope variables);
        the text gives the order.
        """
        probe = self._store.query(sparql, **kwargs)
        try:
            names = (
                [v.value for v in probe.variables] if isinstance(probe, ox.QuerySolutions) else []
            )
        finally:
            del probe
        if not names:
            return sparql
        body = sparql[star + 1 :]

        def first_use(name: str) -> int:
            found = re.search(
                rf"[?$]{re.escape(name)}(?![\w\u00b7\u0300-\u036f\u203f-\u2040])", body
            )
            return found.start() if found else len(body)

        ordered = sorted(names, key=first_use)
        return sparql[:star] + " ".join(f"?{name}" for name in ordered) + body

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
        result = self._run(sparql, default_graph, named_graphs, bindings, base_iri)
        # pyoxigraph results must be dropped on the thread that made them: never let one outlive
        # this frame through an exception's traceback
        try:
            if isinstance(result, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(result))
            from ptce_kg.store.terms import rdflib_converter  # rdflib: not in a worker

            convert = rdflib_converter()
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                rows = [
                    tuple(None if t is None else convert(t) for t in solution)
                    for solution in result
                ]
                return QueryResult("select", variables=variables, rows=rows)
            triples = [
                (convert(t.subject), convert(t.predicate), convert(t.object)) for t in result
            ]
            return QueryResult("graph", triples=triples)
        except (OSError, RuntimeError, ValueError) as e:
            raise _query_failed(e) from e
        finally:
            del result

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
        """Run a query and let Oxigraph serialise the answer in ``media_type``.

        Oxigraph parses the query when it is submitted and evaluates it lazily while serialising:
        a ``media_type`` function of the kind is called in between, before any evaluation. With
        ``output``, the body streams there (an exception from ``output.write`` stops the
        evaluation and propagates unchanged) and ``b""`` is returned.

        Raises:
            QueryError: on a syntax or evaluation error, or a media type that does not fit the
                query form (results formats for SELECT/ASK, RDF formats for CONSTRUCT/DESCRIBE).
        """
        result = self._run(sparql, default_graph, named_graphs, base_iri=base_iri)
        # the result is deleted on every way out: pyoxigraph results must be dropped on the thread
        # that made them, and an exception's traceback would otherwise carry this frame (and the
        # result) to the event loop's thread
        try:
            kind = (
                "ask"
                if isinstance(result, ox.QueryBoolean)
                else "select"
                if isinstance(result, ox.QuerySolutions)
                else "graph"
            )
            chosen = media_type if isinstance(media_type, str) else media_type(kind)
            table = _OX_GRAPH_FORMATS if kind == "graph" else _OX_RESULT_FORMATS
            if chosen not in table:
                raise FormatMismatch(f"a {kind} result cannot be written as {chosen}")
            try:
                if output is not None:
                    result.serialize(output, format=table[chosen])
                    return kind, b""
                body = result.serialize(format=table[chosen])
            except (OSError, RuntimeError, ValueError) as e:
                raise _query_failed(e) from e
            return kind, bytes(body or b"")
        finally:
            del result

    def graph_sizes(self) -> dict[str, int]:
        """Return the number of triples in each named graph (and ``""`` for the default graph)."""
        sizes = {
            s["g"].value: int(s["n"].value)
            for s in self._solutions(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
        }
        (count,) = self._solutions(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.DefaultGraph()
        )
        n_default = int(count["n"].value)
        if n_default:
            sizes[""] = n_default
        return sizes

    def _solutions(self, sparql: str, **kwargs: Any) -> list[Any]:
        """The solutions of a SELECT, read at once: the pyoxigraph iterator (which must be dropped
        on the thread that made it) never outlives this call, even on an exception."""
        result = self._store.query(sparql, **kwargs)
        try:
            return list(result)
        finally:
            del result

    def quad_count(self) -> int:
        """Return the number of quads in the store."""
        return len(self._store)

    def graph_triples(self, graph: str) -> bytes:
        """Return the triples of ``graph`` as N-Triples."""
        return bytes(
            self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        )

    def graphs_quads(self, exclude: Sequence[str] = (), *, suffixes: Sequence[str] = ()) -> bytes:
        """Return the named graphs as N-Quads, but those in ``exclude`` or ending with a suffix."""
        out = []
        for graph in self.graph_sizes():
            if not graph or graph in exclude or graph.endswith(tuple(suffixes)):
                continue
            suffix = f" <{graph}> .".encode()
            for line in self.graph_triples(graph).splitlines():
                if line.strip():
                    out.append(line.rstrip()[:-1].rstrip() + suffix)
        return b"\n".join(out) + b"\n"

    def dump(self, output: IO[bytes], fmt: RdfFormat, *, graph: str | None = None) -> None:
        """Write the dataset (TriG/N-Quads/JSON-LD) or one graph (any format) to ``output``."""
        if graph is None and not fmt.has_graphs:
            raise StoreError(f"{fmt.name} cannot hold several graphs", hint="use trig or n-quads")
        kwargs: dict[str, Any] = {"format": oxigraph_format(fmt)}
        if graph is not None:
            kwargs["from_graph"] = ox.NamedNode(graph)
        try:
            self._store.dump(output, **kwargs)
        except OSError as e:
            raise StoreError(f"cannot dump the store: {e}") from e

    # --------------------------------------------------------------- writes
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only", hint="open it without --read-only")

    @notifies_writes
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as one transaction (``base_iri`` resolves relative IRIs)."""
        self._check_writable()
        with self._write_lock:
            try:
                self._store.update(sparql, base_iri=base_iri)
            except SyntaxError as e:
                raise explain_syntax_error(sparql, str(e)) from e
            except OSError as e:
                raise StoreError(f"update failed: {e}") from e

    @notifies_writes
    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph by the given N-Triples, all in one transaction."""
        self._check_writable()
        with self._write_lock:
            try:
                if any(self._store.contains_named_graph(ox.NamedNode(g)) for g in graphs):
                    self._store.update(replace_graphs_update(graphs))
                elif self.exclusive and sum(map(len, graphs.values())) >= _BULK_WRITE_BYTES:
                    self._bulk_write_new(graphs)
                else:
                    self._store.load(_as_nquads(graphs), format=ox.RdfFormat.N_QUADS)
                self._store.flush()
            except (OSError, SyntaxError) as e:
                raise StoreError(f"cannot write graphs {', '.join(graphs)}: {e}") from e

    def _bulk_write_new(self, graphs: Mapping[str, bytes]) -> None:
        """Write new graphs through the bulk loader, between a pending marker and its removal.

        The bulk loader is several times faster than one big transaction on disk and holds less
        in memory, but it is not atomic: the graphs are first listed as pending (one
        transaction); a process killed during the load leaves them listed, and the next
        read-write open removes them (:meth:`remove_interrupted_writes`), so the store holds
        the previous data or the whole new graphs, never a part. Only used when the store is
        open ``exclusive``: no reader can see the graphs before they are complete.
        """
        marker = " ".join(f"<{g}> <{_PENDING}> true ." for g in graphs)
        self._store.update(f"INSERT DATA {{ GRAPH <{_PENDING}> {{ {marker} }} }}")
        self._store.flush()
        quads = (
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
            for graph, triples in graphs.items()
            for t in ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)
        )
        while chunk := list(itertools.islice(quads, _BULK_CHUNK_QUADS)):
            self._store.bulk_extend(chunk)  # in chunks: the loader's memory stays bounded
        self._store.flush()
        self._store.update(f"DROP SILENT GRAPH <{_PENDING}>")

    def remove_interrupted_writes(self) -> list[str]:
        """Drop the graphs of a bulk write that did not finish; return their names."""
        pending = ox.NamedNode(_PENDING)
        if self.read_only or not self._store.contains_named_graph(pending):
            return []
        graphs = sorted(
            q.subject.value for q in self._store.quads_for_pattern(None, None, None, pending)
        )
        self._store.update(drop_graphs_update([*graphs, _PENDING]))
        self._store.flush()
        if graphs:
            log.warning("removed the graphs of an interrupted load: %s", ", ".join(graphs))
        return graphs

    @notifies_writes
    def drop_graphs(self, graphs: Sequence[str]) -> None:
        """Remove the named graphs in one transaction (missing ones are ignored)."""
        self._check_writable()
        if not graphs:
            return
        with self._write_lock:
            try:
                self._store.update(drop_graphs_update(graphs))
                self._store.flush()
            except OSError as e:
                raise StoreError(f"cannot drop graphs: {e}") from e

    @notifies_writes
    def bulk_load(self, path: Path, fmt: RdfFormat, graph: str | None) -> None:
        """Load a large trusted file through Oxigraph's bulk loader (fast, NOT atomic)."""
        self._check_writable()
        with self._write_lock:
            kwargs: dict[str, Any] = {"format": oxigraph_format(fmt), "path": str(path)}
            if graph is not None and not fmt.has_graphs:
                kwargs["to_graph"] = ox.NamedNode(graph)
            try:
                self._store.bulk_load(**kwargs)
                self._store.flush()
            except SyntaxError as e:
                raise StoreError(f"{path}: {e} (bulk load stopped; part may be loaded)") from e
            except OSError as e:
                raise StoreError(f"bulk load of {path} failed: {e}") from e

    def backup(self, target: Path) -> None:
        """Write a consistent copy of an on-disk store to the new directory ``target``."""
        try:
            self._store.backup(str(target))
        except OSError as e:
            raise StoreError(f"cannot back up to {target}: {e}") from e

    def optimize(self) -> None:
        """Compact the store (RocksDB merges its files; the data is unchanged).

        A store written by many loads keeps many small files: property paths ran 2x slower on one
        than on the same quads loaded at once (bench/README.md, Endpoint).
        """
        try:
            self._store.optimize()
        except OSError as e:
            raise StoreError(f"cannot compact the store: {e}") from e

    def flush(self) -> None:
        """Write the buffered writes (RocksDB's memtables) to disk and free their memory.

        Each committed write stays in memory (~85 KB for a 60-triple graph replaced with its
        companions) until RocksDB flushes it: a server taking writes grows until then.
        """
        try:
            self._store.flush()
        except OSError as e:
            raise StoreError(f"cannot flush the store: {e}") from e

    def close(self) -> None:
        """Flush pending writes and let go of the database, so that its lock is released now.

        RocksDB's lock lives as long as the pyoxigraph Store object; a traceback holding this
        wrapper must not keep the directory locked for the next command of the same process.
        Using the store after ``close`` raises ``StoreError``.
        """
        store, self._store = self._store, _ClosedStore(self.location)
        if not self.read_only and not isinstance(store, _ClosedStore):
            try:
                store.flush()
            except OSError as e:
                raise StoreError(f"cannot flush the store: {e}") from e
        del store


def _query_failed(error: Exception) -> QueryError:
    """The error of a query the engine could not evaluate; RocksDB names a file a read-only view
    needed and a compaction removed ("Corruption", "No such file") only in its message."""
    message = f"query failed: {error}"
    if "Corruption" in message or "No such file" in message:
        return StaleStoreView(message, hint="open the store again and rerun the query")
    return QueryError(message)


class _ClosedStore:
    """Stands in for the database after :meth:`EmbeddedStore.close`."""

    def __init__(self, location: str) -> None:
        self.location = location

    def __getattr__(self, name: str) -> Any:
        raise StoreError(f"the store at {self.location} is closed", hint="open it again")


# The first SELECT of a query (the outer one: subqueries come after it) and what follows it, with
# comments and IRIs (of the prologue) skipped whole.
_SELECT_TOKEN = re.compile(
    r"(?P<skip>#[^\n]*|<[^<>\"{}|^`\\\x00-\x20]*>)|(?P<select>\bSELECT\b)", re.IGNORECASE
)
_STAR = re.compile(r"SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?(\*)", re.IGNORECASE)


def _select_star(sparql: str) -> int | None:
    """The position of the ``*`` of the query's outer ``SELECT *``, or ``None``."""
    for m in _SELECT_TOKEN.finditer(sparql):
        if m["select"]:
            star = _STAR.match(sparql, m.start())
            return star.start(1) if star else None
    return None


def _as_nquads(graphs: Mapping[str, bytes]) -> bytes:
    """Turn per-graph N-Triples into one N-Quads document (terminating dots become graph names)."""
    out: list[bytes] = []
    for graph, triples in graphs.items():
        suffix = f" <{graph}> .".encode()
        for line in triples.splitlines():
            stripped = line.rstrip()
            if stripped and not stripped.startswith(b"#"):
                out.append(stripped[:-1].rstrip() + suffix)
    return b"\n".join(out) + b"\n"
