"""The store interface every backend implements, and the values it exchanges."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar, cast, runtime_checkable

from ptce_kg.formats import RdfFormat

if TYPE_CHECKING:  # rdflib is imported by what converts terms: a query worker never needs it
    from rdflib.term import Node


@dataclass(frozen=True)
class GraphInfo:
    """A named graph with its size and, for a source graph, the file it came from."""

    name: str
    triples: int
    source: str | None = None
    loaded_at: str | None = None


@dataclass
class QueryResult:
    """A query's answer, whatever the backend.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT/DESCRIBE). For SELECT,
    ``variables`` and ``rows`` (tuples of rdflib terms, ``None`` for unbound); for ASK, ``boolean``;
    for graph results, ``triples``.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Node, Node, Node]] = field(default_factory=list)

    def bindings(self) -> Iterator[dict[str, Node]]:
        """Yield each SELECT row as a dict of its bound variables."""
        for row in self.rows:
            yield {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}


WriteListener = Callable[[], object]
"""Called with no argument after each write to a store (see :class:`WriteListeners`)."""


class WriteListeners:
    """The write listeners of a store backend: called after each write, committed or failed.

    A server's readers (query worker processes, caches keyed by a write generation) learn from
    them that the data changed. A listener runs in the writing thread, after the write has
    returned or raised; what it raises propagates to the writer.
    """

    _write_listeners: tuple[WriteListener, ...] = ()

    def add_write_listener(self, listener: WriteListener) -> None:
        """Call ``listener()`` after each write to this store."""
        self._write_listeners = (*self._write_listeners, listener)

    def remove_write_listener(self, listener: WriteListener) -> None:
        """Stop calling ``listener`` (a listener not registered is ignored)."""
        self._write_listeners = tuple(w for w in self._write_listeners if w is not listener)

    def _wrote(self) -> None:
        for listener in self._write_listeners:
            listener()


_Method = TypeVar("_Method", bound=Callable[..., Any])


def notifies_writes(method: _Method) -> _Method:
    """Mark a write method of a :class:`WriteListeners` store: its listeners run after each call."""

    @functools.wraps(method)
    def write(self: WriteListeners, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            self._wrote()

    return cast(_Method, write)


def companion_graphs(graph: str) -> tuple[str, str]:
    """Return the graphs that travel with a source graph: its entailments and its provenance."""
    return f"{graph}/inferred", f"{graph}/provenance"


def is_companion_graph(graph: str) -> bool:
    """Tell whether ``graph`` is the entailment or provenance companion of a source graph."""
    return graph.endswith(("/inferred", "/provenance"))


@runtime_checkable
class Store(Protocol):
    """What every store backend offers. Every write is one transaction: all of it or nothing.

    The default graph of a query is the union of all graphs (the named graphs and the store's own
    default graph) unless ``default_graph`` is given; there ``""`` names the store's own default
    graph. ``base_iri`` (optional, keyword-only, added after the first version of this interface)
    resolves the relative IRIs of a query or update without BASE; callers pass it only when set.
    """

    location: str

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Node] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of all graphs unless given.

        Raises:
            QueryError: on a syntax error or an evaluation error.
        """
        ...

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
        """Run a query and return ``(kind, body)`` serialised by the engine in ``media_type``.

        ``media_type`` may be a function of the query's kind (``"select"``, ``"ask"``,
        ``"graph"``), called once the query is parsed and before it is evaluated, so the format
        can depend on the query form; whatever it raises propagates. With ``output``, the body is
        written there as it is produced (an exception raised by ``output.write`` stops the
        evaluation and propagates) and the returned body is empty.
        """
        ...

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as one transaction."""
        ...

    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph by the N-Triples in ``graphs``, all in one transaction."""
        ...

    def drop_graphs(self, graphs: Sequence[str]) -> None:
        """Remove the named graphs, in one transaction (missing graphs are ignored)."""
        ...

    def bulk_load(self, path: Path, fmt: RdfFormat, graph: str | None) -> None:
        """Load a large trusted file by the fastest path; not atomic (documented)."""
        ...

    def dump(self, output: IO[bytes], fmt: RdfFormat, *, graph: str | None = None) -> None:
        """Write the dataset (or one graph) to ``output``."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Return the number of triples in each named graph."""
        ...

    def quad_count(self) -> int:
        """Return the number of quads in the store."""
        ...

    def graph_triples(self, graph: str) -> bytes:
        """Return the triples of a named graph as N-Triples."""
        ...

    def graphs_quads(self, exclude: Sequence[str] = (), *, suffixes: Sequence[str] = ()) -> bytes:
        """Return the triples of every named graph as N-Quads, but the graphs named in ``exclude``
        or whose name ends with one of ``suffixes`` (the store's own default graph is left out).

        What a validation reads as its context: a remote store answers it in one request.
        """
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...

    def add_write_listener(self, listener: WriteListener) -> None:
        """Call ``listener()`` after each write (``update``, ``replace_graphs``,
        ``drop_graphs``, ``bulk_load``), committed or failed."""
        ...

    def remove_write_listener(self, listener: WriteListener) -> None:
        """Stop calling ``listener``."""
        ...
