"""Parse an RDF file into an in-memory scratch dataset, with file:line:column on every syntax error.

Parsing uses Oxigraph's parsers: they never fetch anything (no remote JSON-LD contexts, no external
XML entities), and report positions. Relative IRIs are an error: a source must say what it talks
about.

Oxigraph's RDF/XML parser does expand internal entities (``<!ENTITY a "&b;&b;">``) without a bound
and slows down quadratically with element depth, so RDF/XML is screened first
(:func:`screen_rdf_xml`): no external DTD, no external or parameter entities, no entity defined
through another one, at most :data:`MAX_ENTITY_EXPANSION` characters from entity references, at
most :data:`MAX_XML_DEPTH` nested elements. A billion-laughs file is refused in milliseconds.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox

from ptce_kg.errors import SourceError
from ptce_kg.formats import RdfFormat, oxigraph_format
from ptce_kg.ingest.isolation import parse_isolated
from ptce_kg.nesting import BRACKETS, MAX_NESTING_DEPTH, Syntax, find_too_deep

log = logging.getLogger(__name__)

#: Characters that entity references of an RDF/XML document may expand to, in all.
MAX_ENTITY_EXPANSION = 4 * 1024 * 1024
#: Element depth of an RDF/XML document by default (real RDF/XML nests a few levels; Oxigraph's
#: parser slows down quadratically with depth): the nesting limit of every other format.
MAX_XML_DEPTH = MAX_NESTING_DEPTH
_PREDEFINED_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


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
    #: The triples whose literal the dataset may keep in another form than the document wrote
    #: (an XSD datatype other than the string types), as parsed: validation sees the data as
    #: written from them (``ptce_kg.validate.Written``); the blank nodes are the dataset's own.
    as_written: list[Any] = field(default_factory=list, repr=False)

    def release(self) -> None:
        """Free the scratch dataset (its memory) once what is needed of it has been taken."""
        self.dataset = ox.Store()

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
        try:
            return bytes(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"")
        finally:  # pyoxigraph's result must be dropped in this thread, even on an exception
            del result


class _EndOfDoctype(Exception):
    pass


def _refuse_xml(message: str, where: str, parser: Any, hint: str) -> SourceError:
    return SourceError(
        message,
        path=where,
        line=parser.CurrentLineNumber,
        column=parser.CurrentColumnNumber + 1,
        hint=hint,
    )


def screen_rdf_xml(data: bytes, where: str, *, max_depth: int = MAX_XML_DEPTH) -> None:
    """Refuse RDF/XML that would make the parser fetch, blow up or crawl (see the module doc).

    Malformed XML is left to Oxigraph's parser, which reports it with its position.

    Raises:
        SourceError: an external DTD, an external or parameter entity, an entity defined through
            another one, more than :data:`MAX_ENTITY_EXPANSION` characters of entity expansion, or
            elements nested deeper than ``max_depth``.
    """
    if data.find(b"<!") < 0 and data.count(b"<") <= max_depth:
        return
    entities: dict[str, int] = {}
    doctype_end = 0
    parser = expat.ParserCreate()

    def declared(
        name: str,
        is_parameter: int,
        value: str | None,
        _base: str | None,
        system_id: str | None,
        public_id: str | None,
        _notation: str | None,
    ) -> None:
        hint = "declare no entities (or only plain-text ones) in the file's DOCTYPE"
        if system_id is not None or public_id is not None:
            raise _refuse_xml(
                f"external XML entity {name!r} ({system_id or public_id}) refused: ptce_kg "
                "never fetches what a file points to",
                where,
                parser,
                hint,
            )
        if is_parameter:
            raise _refuse_xml(f"XML parameter entity %{name} refused", where, parser, hint)
        refs = set(re.findall(r"&([^;#\s]+);", value or "")) - _PREDEFINED_ENTITIES
        if refs:
            raise _refuse_xml(
                f"XML entity {name!r} is defined through other entities ({', '.join(sorted(refs))})"
                ": nested entities are refused (they can expand without bound)",
                where,
                parser,
                hint,
            )
        entities[name] = len(value or "")

    def start_doctype(
        name: str, system_id: str | None, public_id: str | None, _internal: int
    ) -> None:
        if system_id is not None or public_id is not None:
            raise _refuse_xml(
                f"external XML DTD of {name!r} ({system_id or public_id}) refused: ptce_kg "
                "never fetches what a file points to",
                where,
                parser,
                "remove the DOCTYPE's SYSTEM/PUBLIC identifier (RDF/XML needs no DTD)",
            )

    def end_doctype() -> None:
        nonlocal doctype_end
        doctype_end = parser.CurrentByteIndex
        raise _EndOfDoctype

    parser.StartDoctypeDeclHandler = start_doctype
    parser.EntityDeclHandler = declared
    parser.EndDoctypeDeclHandler = end_doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    with contextlib.suppress(_EndOfDoctype, expat.ExpatError):
        parser.Parse(data, True)
    if entities:
        text = data[doctype_end:].decode("utf-8", errors="replace")
        expansion = sum(
            size * text.count(f"&{name};") for name, size in entities.items() if size > 0
        )
        if expansion > MAX_ENTITY_EXPANSION:
            raise SourceError(
                f"XML entity references would expand to {expansion} characters, over the "
                f"{MAX_ENTITY_EXPANSION} allowed",
                path=where,
                hint="write the text out instead of repeating entities",
            )
    depth = 0
    scanner = expat.ParserCreate()

    def start(_name: str, _attributes: Any) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _refuse_xml(
                f"elements nested more than {max_depth} deep",
                where,
                scanner,
                "flatten the document: give nested nodes an rdf:about or rdf:nodeID",
            )

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    scanner.StartElementHandler = start
    scanner.EndElementHandler = end
    scanner.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    with contextlib.suppress(expat.ExpatError):
        scanner.Parse(data, True)


def screen_nesting(data: bytes | mmap.mmap, fmt: RdfFormat, where: str, max_depth: int) -> None:
    """Refuse a document that nests deeper than ``max_depth`` (see :mod:`ptce_kg.nesting`).

    RDF/XML is screened by :func:`screen_rdf_xml` instead.

    Raises:
        SourceError: with the line and column of the bracket that went over.
    """
    syntax: Syntax = "json" if fmt is RdfFormat.JSON_LD else "turtle"
    too_deep = find_too_deep(data, syntax, max_depth)
    if too_deep is not None:
        raise SourceError(
            f"{BRACKETS[syntax]} nested more than {max_depth} deep: refused before parsing",
            path=where,
            line=too_deep.line,
            column=too_deep.column,
            hint="flatten it: give nested nodes an IRI or a blank node label (_:b1) and "
            "describe them on their own",
        )


def _screen(data: bytes, fmt: RdfFormat, where: str, max_depth: int) -> None:
    if fmt is RdfFormat.RDF_XML:
        screen_rdf_xml(data, where, max_depth=max_depth)
    else:
        screen_nesting(data, fmt, where, max_depth)


def _read(path: Path, where: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror or e}", path=where) from e


def screen_file(path: Path, fmt: RdfFormat, *, max_depth: int = MAX_NESTING_DEPTH) -> None:
    """Screen the file at ``path`` as the parsers would be (nesting, XML entities), without
    reading it into memory (a memory map: the bulk loader's dumps may be large).

    Raises:
        SourceError: see :func:`screen_nesting` and :func:`screen_rdf_xml`.
    """
    where = str(path)
    if fmt is RdfFormat.RDF_XML:
        screen_rdf_xml(_read(path, where), where, max_depth=max_depth)
        return
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                screen_nesting(data, fmt, where, max_depth)
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror or e}", path=where) from e


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    if error.lineno is not None:
        return error.lineno, error.offset
    return None, None


@contextlib.contextmanager
def _parse_errors(fmt: RdfFormat, where: str, syntax_hint: str) -> Iterator[None]:
    """Turn the parser's exceptions into located :class:`SourceError`\\ s."""
    try:
        yield
    except SyntaxError as e:
        line, column = _position(e)
        message = str(e.args[0]) if e.args else str(e)
        if "LoadDocumentCallback" in message:
            message = "a remote JSON-LD @context is never fetched; inline the context"
        raise SourceError(
            f"not valid {fmt.name.lower().replace('_', '-')}: {message}",
            path=where,
            line=line,
            column=column if column is not None else (1 if line is not None else None),
            hint=syntax_hint,
        ) from e
    except MemoryError as e:  # Oxigraph's parser refuses a single token over its buffer size
        if "buffer maximal size" not in str(e):
            raise
        raise SourceError(
            f"a single term (literal or IRI) is too large to parse: {e}",
            path=where,
            hint="split the text, or keep large documents outside the knowledge base and link them",
        ) from e
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise SourceError(f"cannot read: {e}", path=where) from e


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on parsing one document that comes from outside.

    ``max_depth``: how deep brackets (or RDF/XML elements) may nest (screened before parsing).
    With ``isolated``, the document is parsed in a child process of its own, whose address space
    is capped at ``memory_bytes`` (plus the size of the file it reads) and which is killed after
    ``seconds``: a crash, a stack overflow or runaway memory in the native parser ends that
    process only, and is reported as a :class:`SourceError`. Without it, the parser runs here
    (the default for library calls on data ptce_kg made or trusts). ``children`` (a
    :class:`~ptce_kg.ingest.isolation.ParseChildren`) keeps a child started ahead (the server).
    """

    max_depth: int = MAX_NESTING_DEPTH
    isolated: bool = False
    memory_bytes: int = 2 * 1024**3
    seconds: float = 120.0
    children: Any = field(default=None, compare=False, repr=False)


#: Nesting screened, parsed in this process.
IN_PROCESS = ParseLimits()


def parse_rdf_file(
    path: Path, fmt: RdfFormat, *, graph: str, limits: ParseLimits = IN_PROCESS
) -> ParsedSource:
    """Parse ``path`` as ``fmt`` into the named graph ``graph`` of a new scratch dataset.

    Files whose format holds graphs (TriG, N-Quads, JSON-LD) must keep their triples in the default
    graph: one file is one source graph.

    Raises:
        SourceError: if the file is missing, unreadable, not UTF-8, nested deeper than
            ``limits.max_depth``, or not valid ``fmt`` (with file:line:column when the parser
            gives it), if it names graphs of its own, or if the isolated parser crashed or
            went over its bounds.
    """
    if not path.is_file():
        raise SourceError("no such file", path=str(path), hint="check the path")
    return _parse_source(
        _Input(path=path),
        fmt,
        graph=graph,
        path=path,
        where=str(path),
        syntax_hint="fix the syntax at that position, or give the right --format",
        graphs_hint="split it per graph, or restore a dump with --no-validate",
        limits=limits,
        rename=True,
    )


def parse_rdf_bytes(
    data: bytes,
    fmt: RdfFormat,
    *,
    graph: str,
    source: str = "request body",
    limits: ParseLimits = IN_PROCESS,
    fresh_blank_nodes: bool = True,
) -> ParsedSource:
    """Parse ``data`` as ``fmt`` into the named graph ``graph`` of a new scratch dataset.

    The same rules as :func:`parse_rdf_file` (no named graphs of its own, at least one triple, no
    relative IRIs, nesting bounded); errors name ``source`` instead of a file. Blank nodes get
    fresh identifiers (documents parsed apart stay apart) unless ``fresh_blank_nodes`` is false
    (N-Triples that ptce_kg wrote itself, whose blank nodes are already its own).

    Raises:
        SourceError: if ``data`` is not UTF-8 or not valid ``fmt`` (with line:column when the parser
            gives it), nests too deep, holds no triple, or names graphs of its own.
    """
    return _parse_source(
        _Input(data=data),
        fmt,
        graph=graph,
        path=Path(source),
        where=source,
        syntax_hint="fix the syntax at that position, or send the right Content-Type",
        graphs_hint="send one graph per request, its triples in the default graph",
        limits=limits,
        rename=fresh_blank_nodes,
    )


@dataclass(frozen=True)
class _Input:
    """A document to parse: its bytes, or the file that holds them."""

    data: bytes | None = None
    path: Path | None = None


#: XSD datatypes whose literals Oxigraph's store keeps exactly as written.
_KEPT_AS_WRITTEN = frozenset(
    "http://www.w3.org/2001/XMLSchema#" + name
    for name in ("string", "anyURI", "normalizedString", "token")
)


def fill_dataset(dataset: Any, quads: Iterable[Any], target: Any) -> list[Any]:
    """Add parsed ``quads`` to ``dataset``, the default graph's into graph ``target``.

    Returns the quads whose literal the store may keep in another form than parsed (Oxigraph
    stores ``"5"^^xsd:int`` as ``"5"^^xsd:integer``, ``"4.0"`` as ``"4"``): the data as written,
    for validation. The quads keep the parser's blank nodes, so the two match.
    """
    typed: list[Any] = []
    keep = typed.append
    default = ox.DefaultGraph()

    def placed() -> Iterator[Any]:
        for quad in quads:
            o = quad.object
            if (
                isinstance(o, ox.Literal)
                and o.datatype.value.startswith("http://www.w3.org/2001/XMLSchema#")
                and o.datatype.value not in _KEPT_AS_WRITTEN
            ):
                keep(quad)
            if quad.graph_name == default:
                yield ox.Quad(quad.subject, quad.predicate, o, target)
            else:
                yield quad

    dataset.extend(placed())
    return typed


def _parse_here(
    source: _Input,
    fmt: RdfFormat,
    dataset: Any,
    target: Any,
    where: str,
    hint: str,
    depth: int,
    rename: bool,
) -> list[Any]:
    """Screen and parse ``source`` in this process, into graph ``target`` of ``dataset``; return
    the quads as written (:func:`fill_dataset`)."""
    data = _read(source.path, where) if source.path is not None else source.data or b""
    _screen(data, fmt, where, depth)
    with _parse_errors(fmt, where, hint):
        quads = ox.parse(data, format=oxigraph_format(fmt), rename_blank_nodes=rename)
        return fill_dataset(dataset, quads, target)


_TRIPLE_TERM = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o FILTER(isTRIPLE(?o)) } } LIMIT 1"


def _refuse_triple_terms(dataset: Any, where: str) -> None:
    """Refuse RDF 1.2 triple terms (``<<( … )>>``, and the reifiers ``<< … >>`` stands for):
    the rest of ptce_kg (rdflib's parsers and writers in publishing and validation) cannot read
    them, so a graph holding one could be stored but never published."""
    for row in dataset.query(_TRIPLE_TERM):
        raise SourceError(
            f"RDF 1.2 triple terms are not supported (the first is an object of {row['s']})",
            path=where,
            hint="state the facts as plain triples, or describe the statement with a node of its "
            "own (as docs/decisions/0006-per-fact-provenance.md does)",
        )


def _parse_source(
    source: _Input,
    fmt: RdfFormat,
    *,
    graph: str,
    path: Path,
    where: str,
    syntax_hint: str,
    graphs_hint: str,
    limits: ParseLimits,
    rename: bool,
) -> ParsedSource:
    """Parse ``source`` into a new scratch dataset (here, or in a child process); ``rename``
    gives its blank nodes fresh identifiers."""
    dataset = ox.Store()
    target = ox.NamedNode(graph)
    if limits.isolated:
        nquads = parse_isolated(source.data, source.path, fmt, where, syntax_hint, limits)
        try:  # the child wrote the quads as parsed: N-Quads, read here without recursion
            as_written = fill_dataset(
                dataset,
                ox.parse(nquads, format=ox.RdfFormat.N_QUADS, rename_blank_nodes=rename),
                target,
            )
        finally:
            nquads.close()
    else:
        as_written = _parse_here(
            source, fmt, dataset, target, where, syntax_hint, limits.max_depth, rename
        )
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
    _refuse_triple_terms(dataset, where)
    log.debug("parsed %s: %d triples", where, n)
    return ParsedSource(
        path=path, fmt=fmt, graph=graph, dataset=dataset, triples=n, as_written=as_written
    )
