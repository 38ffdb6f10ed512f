"""Dumps of the store's source graphs: which graphs make which part, and their files.

A *part* is a group of named graphs published together: the PTCE data, the reference territories,
the synthetic examples (when loaded), the provenance of every source graph and, on request, their
entailments. Each part is written in Turtle and JSON-LD (the union of its graphs) and in N-Quads
(graph names kept), each also gzipped. Output is deterministic: sorted N-Quads lines, rdflib's
sorted Turtle, JSON-LD with sorted nodes and values, gzip without a time stamp.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.plugins.shared.jsonld.context import Context

from ptce_kg.errors import PtceError
from ptce_kg.formats import RdfFormat
from ptce_kg.namespaces import PREFIXES, PTCE
from ptce_kg.pipeline import source_graphs
from ptce_kg.store import Store, companion_graphs

#: Parts made of source graphs, in publication order.
SOURCE_PARTS = ("ptce", "territories", "examples")
#: Parts made of companion graphs.
PROVENANCE_PART, INFERRED_PART = "provenance", "inferred"
#: The serialisations of every part: (file extension, format).
DUMP_FORMATS: tuple[tuple[str, RdfFormat], ...] = (
    ("ttl", RdfFormat.TURTLE),
    ("nq", RdfFormat.N_QUADS),
    ("jsonld", RdfFormat.JSON_LD),
)
GZIP_MEDIA_TYPE = "application/gzip"

_TERRITORY_CLASSES = (PTCE.Territory, PTCE.Region, PTCE.Departement, PTCE.Commune, PTCE.EPCI)
_HAS_TERRITORY = (
    "ASK { ?s a ?c . FILTER(?c IN ("
    + ", ".join(f"<{c}>" for c in _TERRITORY_CLASSES)  # constants of namespaces.py, not input
    + ")) }"
)
_HAS_PTCE = f"ASK {{ ?s a <{PTCE.PTCE}> }}"
_HAS_SYNTHETIC = 'ASK { ?s ?p ?o . FILTER(CONTAINS(STR(?s), "/synthetic-")) }'


@dataclass(frozen=True)
class Part:
    """A group of named graphs published as one set of dump files."""

    key: str
    graphs: tuple[str, ...]

    def file_names(self) -> list[str]:
        """The dump files of this part (each plain and gzipped)."""
        return [f"{self.key}.{ext}{gz}" for ext, _fmt in DUMP_FORMATS for gz in ("", ".gz")]


@dataclass(frozen=True)
class PublishedFile:
    """One file of a publication, under ``dumps/`` (or the publication's root for documents)."""

    name: str
    part: str
    media_type: str
    size: int
    sha256: str
    compressed: bool = False

    def to_json(self, download_url: str) -> dict[str, Any]:
        """The entry of this file in ``dumps/index.json``."""
        return {
            "name": self.name,
            "dataset": self.part,
            "url": download_url,
            "mediaType": self.media_type,
            "compressFormat": GZIP_MEDIA_TYPE if self.compressed else None,
            "byteSize": self.size,
            "sha256": self.sha256,
        }


def classify_graph(store: Store, graph: str) -> str:
    """Return the part a source graph belongs to: ``examples``, ``territories`` or ``ptce``.

    Synthetic data lives under ``…/synthetic-…`` keys (IRI policy); a graph with territories and
    no PTCE is reference data; everything else is PTCE data.
    """
    if store.query(_HAS_SYNTHETIC, default_graph=[graph]).boolean:
        return "examples"
    has_ptce = store.query(_HAS_PTCE, default_graph=[graph]).boolean
    if not has_ptce and store.query(_HAS_TERRITORY, default_graph=[graph]).boolean:
        return "territories"
    return "ptce"


def plan_parts(store: Store, *, with_inferred: bool = False) -> list[Part]:
    """Group the store's source graphs (and their companions) into parts, in a stable order."""
    groups: dict[str, list[str]] = {key: [] for key in SOURCE_PARTS}
    sources = source_graphs(store)
    for graph in sources:
        groups[classify_graph(store, graph)].append(graph)
    parts = [Part(key, tuple(graphs)) for key, graphs in groups.items() if graphs]
    existing = set(store.graph_sizes())
    provenance = tuple(p for g in sources if (p := companion_graphs(g)[1]) in existing)
    if provenance:
        parts.append(Part(PROVENANCE_PART, provenance))
    if with_inferred:
        inferred = tuple(i for g in sources if (i := companion_graphs(g)[0]) in existing)
        if inferred:
            parts.append(Part(INFERRED_PART, inferred))
    return parts


def graph_nquads(store: Store, graphs: Iterable[str]) -> bytes:
    """The quads of ``graphs`` as sorted N-Quads lines."""
    lines: list[bytes] = []
    for graph in graphs:
        suffix = f" <{graph}> .".encode()
        for line in store.graph_triples(graph).splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith(b"#"):
                lines.append(stripped[:-1].rstrip() + suffix)
    return b"".join(line + b"\n" for line in sorted(set(lines)))


def union_graph(store: Store, graphs: Iterable[str]) -> Graph:
    """The RDF merge of ``graphs`` as an rdflib graph with the project's prefixes bound."""
    g = new_graph()
    for graph in graphs:
        g.parse(data=store.graph_triples(graph), format="nt")
    return g


def new_graph() -> Graph:
    """An empty rdflib graph with the project's prefixes (and only them) bound."""
    g = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(PREFIXES.items()):
        g.bind(prefix, namespace)
    return g


def _node_key(node: Any) -> tuple[str, str]:
    return type(node).__name__, str(node)


class _SubjectOrderedGraph(Graph):
    """A graph whose subjects come out sorted (rdflib's RDF/XML writer follows that order)."""

    def subjects(self, predicate: Any = None, object: Any = None, unique: bool = False) -> Any:
        yield from sorted(set(super().subjects(predicate, object, unique=True)), key=_node_key)


def rdfxml_bytes(graph: Graph) -> bytes:
    """``graph`` in RDF/XML, stable: blank nodes relabelled canonically, subjects sorted."""
    ordered = _SubjectOrderedGraph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        ordered.bind(prefix, namespace)
    for triple in sorted(to_canonical_graph(graph)):
        ordered.add(triple)
    return ordered.serialize(format="xml", encoding="utf-8")


#: How deep a dump (Turtle, JSON-LD) nests blank nodes and lists in one another (``[ … [ … ] ]``);
#: deeper ones are written with their label (``_:…``) and described on their own. rdflib's writers
#: recurse a few Python frames per level: unbounded, a chain of blank nodes a few hundred long
#: (which N-Triples can hold at any length) raised RecursionError.
MAX_DUMP_NESTING = 64


class _FaithfulTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle writer, but a literal keeps its lexical form (``"40"^^xsd:decimal``
    is not rewritten ``40.0``): numbers are written bare only when that reads back the same;
    and blank nodes nest at most :data:`MAX_DUMP_NESTING` deep (no recursion without bound)."""

    _nesting = 0

    def p_squared(self, node: Any, position: int, newline: bool = False) -> bool:
        if self._nesting >= MAX_DUMP_NESTING:
            return False
        self._nesting += 1
        try:
            return bool(super().p_squared(node, position, newline))
        finally:
            self._nesting -= 1

    def label(self, node: Any, position: int) -> str:
        if isinstance(node, Literal) and node.datatype is not None:
            plain = node._literal_n3(use_plain=True)
            if plain != str(node) and not plain.startswith('"'):
                return node._literal_n3(
                    use_plain=False,
                    qname_callback=lambda dt: self.get_pname(dt, False),
                )
        return str(super().label(node, position))


def turtle_bytes(graph: Graph) -> bytes:
    """``graph`` in Turtle, stable (rdflib sorts subjects and predicates), lexical forms kept."""
    buffer = io.BytesIO()
    _FaithfulTurtleSerializer(graph).serialize(buffer, encoding="utf-8")
    return buffer.getvalue()


def _sort_values(node: Any, *, ordered: bool = False) -> Any:
    """Sort the values of every property (never the members of an ``@list``)."""
    if isinstance(node, dict):
        return {k: _sort_values(v, ordered=k == "@list") for k, v in node.items()}
    if isinstance(node, list):
        items = [_sort_values(v) for v in node]
        if ordered:
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return node


class _FlatConverter(Converter):
    """rdflib's RDF → JSON-LD converter without recursion over the data.

    rdflib converts the blank node a value points to while converting that value (a chain of
    blank nodes a few hundred long raised RecursionError), though it writes it as a node of its
    own: here such nodes wait in a work list. Lists nest in one another at most
    :data:`MAX_DUMP_NESTING` deep; a deeper one is a node of its own (``rdf:first`` /
    ``rdf:rest``).
    """

    def __init__(self, context: Context) -> None:
        super().__init__(context, use_native_types=False, use_rdf_type=False)  # type: ignore[no-untyped-call]
        self._pending: list[Any] = []
        self._lists = 0

    def from_graph(self, graph: Graph) -> list[Any]:
        nodemap: dict[Any, Any] = {}
        subjects = sorted(set(graph.subjects()), key=_node_key)
        for s in subjects:  # as rdflib: IRIs and unreferenced blank nodes, the rest from them
            if isinstance(s, URIRef) or (isinstance(s, BNode) and not any(graph.subjects(None, s))):
                self._process(graph, s, nodemap)
        return list(nodemap.values())

    def _process(self, graph: Graph, subject: Any, nodemap: dict[Any, Any]) -> None:
        self._pending.append(subject)
        while self._pending:
            self.process_subject(graph, self._pending.pop(), nodemap)  # type: ignore[no-untyped-call]

    def to_raw_value(self, graph: Graph, s: Any, o: Any, nodemap: dict[str, Any]) -> Any:
        if not isinstance(o, BNode):
            return super().to_raw_value(graph, s, o, nodemap)  # type: ignore[no-untyped-call]
        if self._lists >= MAX_DUMP_NESTING or self.to_collection(graph, o) is None:  # type: ignore[no-untyped-call]
            self._pending.append(o)
            return {self.context.id_key: o.n3()}
        self._lists += 1
        try:
            return super().to_raw_value(graph, s, o, nodemap)  # type: ignore[no-untyped-call]
        finally:
            self._lists -= 1


def compact_jsonld(graph: Graph, context: Mapping[str, Any], context_ref: str | None) -> bytes:
    """``graph`` as compact JSON-LD with ``context`` (its ``@context`` object).

    With ``context_ref``, the document points to the published context file by that URL instead
    of embedding it. Nodes are sorted by ``@id`` and multiple values by their JSON text.
    """
    converted = _FlatConverter(Context(dict(context))).convert(graph)  # type: ignore[no-untyped-call]
    if isinstance(converted, list):  # as rdflib's from_rdf, with an active context
        converted = {"@graph": converted}
    converted["@context"] = dict(context)
    compacted = cast("dict[str, Any] | list[Any]", converted)
    if isinstance(compacted, list):
        nodes: list[Any] = compacted
    elif "@graph" in compacted:
        nodes = list(compacted["@graph"])
    else:
        nodes = (
            [{k: v for k, v in compacted.items() if k != "@context"}] if len(compacted) > 1 else []
        )
    nodes = [_sort_values(n) for n in nodes]
    nodes.sort(key=lambda n: (str(n.get("@id", "")), json.dumps(n, sort_keys=True)))
    document = {"@context": context_ref if context_ref else dict(context), "@graph": nodes}
    return json_bytes(document)


def json_bytes(document: Any) -> bytes:
    """Stable, readable JSON (sorted keys, two-space indent, UTF-8, final newline)."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def dump_part(
    store: Store, part: Part, context: Mapping[str, Any], context_url: str
) -> dict[str, tuple[bytes, str]]:
    """The uncompressed dump files of ``part``: file name → (content, media type)."""
    union = union_graph(store, part.graphs)
    contents = {
        RdfFormat.TURTLE: turtle_bytes(union),
        RdfFormat.N_QUADS: graph_nquads(store, part.graphs),
        RdfFormat.JSON_LD: compact_jsonld(union, context, context_url),
    }
    return {f"{part.key}.{ext}": (contents[fmt], fmt.media_type) for ext, fmt in DUMP_FORMATS}


def write_file(
    directory: Path,
    name: str,
    content: bytes,
    *,
    part: str,
    media_type: str,
    gzipped: bool = False,
) -> list[PublishedFile]:
    """Write ``name`` (and ``name.gz`` when ``gzipped``) into ``directory``; return their records.

    Raises:
        PtceError: the file cannot be written.
    """
    files = [(name, content, False)]
    if gzipped:
        files.append((f"{name}.gz", gzip.compress(content, compresslevel=9, mtime=0), True))
    records = []
    for file_name, data, compressed in files:
        try:
            (directory / file_name).write_bytes(data)
        except OSError as e:
            raise PtceError(
                f"cannot write {directory / file_name}: {e.strerror or e}",
                hint="check the free space and permissions of the output directory",
            ) from e
        records.append(
            PublishedFile(
                name=file_name,
                part=part,
                media_type=media_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                compressed=compressed,
            )
        )
    return records


def checksum_lines(files: Sequence[PublishedFile]) -> bytes:
    """``SHA256SUMS`` content, checkable with ``sha256sum -c``."""
    return "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files, key=lambda f: f.name)).encode()


__all__ = [
    "DUMP_FORMATS",
    "GZIP_MEDIA_TYPE",
    "INFERRED_PART",
    "PROVENANCE_PART",
    "SOURCE_PARTS",
    "Part",
    "PublishedFile",
    "checksum_lines",
    "classify_graph",
    "compact_jsonld",
    "dump_part",
    "graph_nquads",
    "json_bytes",
    "new_graph",
    "plan_parts",
    "rdfxml_bytes",
    "source_graphs",
    "turtle_bytes",
    "union_graph",
    "write_file",
]
