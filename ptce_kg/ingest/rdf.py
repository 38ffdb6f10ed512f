"""Parse an RDF file into an in-memory scratch dataset, with file:line:column on every syntax error.

Parsing uses Oxigraph's parsers: they never fetch anything (no remote JSON-LD contexts, no external
XML entities), and report positions. Relative IRIs are an error: a source must say what it talks
about.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ptce_kg.errors import SourceError
from ptce_kg.formats import RdfFormat

log = logging.getLogger(__name__)

_OX = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.RDF_XML: ox.RdfFormat.RDF_XML,
    RdfFormat.JSON_LD: ox.RdfFormat.JSON_LD,
}


@dataclass
class ParsedSource:
    """A parsed source: its triples sit in ``graph`` of the in-memory ``dataset``.

    The dataset is a scratch space: the pipeline adds the store's context (ontology, reference data)
    and the source's entailments to it before validation, and nothing in it is the store.
    """

    path: Path
    fmt: RdfFormat
    graph: str
    dataset: Any = field(repr=False)
    triples: int = 0

    def graph_ntriples(self, graph: str | None = None) -> bytes:
        """Return the triples of ``graph`` (default: the source graph) as N-Triples."""
        name = ox.NamedNode(graph or self.graph)
        return bytes(self.dataset.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name) or b"")

    def add_quads(self, nquads: bytes) -> None:
        """Add context quads (N-Quads) to the scratch dataset."""
        if nquads:
            self.dataset.load(nquads, format=ox.RdfFormat.N_QUADS)

    def add_triples(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples into ``graph`` of the scratch dataset."""
        if ntriples:
            self.dataset.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))

    def construct(self, sparql: str) -> bytes:
        """Run a CONSTRUCT on the scratch dataset (union default graph); return N-Triples."""
        result = self.dataset.query(sparql, use_default_graph_as_union=True)
        return bytes(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"")


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    if error.lineno is not None:
        return error.lineno, error.offset
    return None, None


def parse_rdf_file(path: Path, fmt: RdfFormat, *, graph: str) -> ParsedSource:
    """Parse ``path`` as ``fmt`` into the named graph ``graph`` of a new scratch dataset.

    Files whose format holds graphs (TriG, N-Quads, JSON-LD) must keep their triples in the default
    graph: one file is one source graph.

    Raises:
        SourceError: if the file is missing, unreadable, not UTF-8, or not valid ``fmt`` (with
            file:line:column when the parser gives it), or if it names graphs of its own.
    """
    if not path.is_file():
        raise SourceError("no such file", path=str(path), hint="check the path")
    return _parse_source(
        {"path": str(path)},
        fmt,
        graph=graph,
        path=path,
        where=str(path),
        syntax_hint="fix the syntax at that position, or give the right --format",
        graphs_hint="split it per graph, or restore a dump with --no-validate",
    )


def parse_rdf_bytes(
    data: bytes, fmt: RdfFormat, *, graph: str, source: str = "request body"
) -> ParsedSource:
    """Parse ``data`` as ``fmt`` into the named graph ``graph`` of a new scratch dataset.

    The same rules as :func:`parse_rdf_file` (no named graphs of its own, at least one triple, no
    relative IRIs); errors name ``source`` instead of a file.

    Raises:
        SourceError: if ``data`` is not UTF-8 or not valid ``fmt`` (with line:column when the parser
            gives it), holds no triple, or names graphs of its own.
    """
    return _parse_source(
        {"input": data},
        fmt,
        graph=graph,
        path=Path(source),
        where=source,
        syntax_hint="fix the syntax at that position, or send the right Content-Type",
        graphs_hint="send one graph per request, its triples in the default graph",
    )


def _parse_source(
    load_from: dict[str, Any],
    fmt: RdfFormat,
    *,
    graph: str,
    path: Path,
    where: str,
    syntax_hint: str,
    graphs_hint: str,
) -> ParsedSource:
    """Load ``load_from`` (Oxigraph's ``path=`` or ``input=``) into a new scratch dataset."""
    dataset = ox.Store()
    target = ox.NamedNode(graph)
    try:
        dataset.load(format=_OX[fmt], to_graph=target, **load_from)
    except SyntaxError as e:
        line, column = _position(e)
        message = str(e.args[0]) if e.args else str(e)
        raise SourceError(
            f"not valid {fmt.name.lower().replace('_', '-')}: {message}",
            path=where,
            line=line,
            column=column if column is not None else (1 if line is not None else None),
            hint=syntax_hint,
        ) from e
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise SourceError(f"cannot read: {e}", path=where) from e
    others = [g for g in dataset.named_graphs() if g != target]
    if others:
        raise SourceError(
            f"the file holds named graphs of its own ({others[0].value}, …); one file is one "
            "source graph",
            path=where,
            hint=graphs_hint,
        )
    n = len(dataset)
    if n == 0:
        raise SourceError("the file holds no triple", path=where, hint="is it empty?")
    log.debug("parsed %s: %d triples", where, n)
    return ParsedSource(path=path, fmt=fmt, graph=graph, dataset=dataset, triples=n)
