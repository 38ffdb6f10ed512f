"""What the remote store does differently on Virtuoso (7.2, tested on Debian's 7.2.5).

:class:`~ptce_kg.store.remote.RemoteStore` recognises Virtuoso by its ``Server`` header and then:

- **leaves Virtuoso's own graphs out of** ``graph_sizes``, ``quad_count`` and dumps
  (:data:`SYSTEM_GRAPHS`: its RDF views metadata and two small graphs of a fresh database, about
  2,500 triples). Queries still see them: Virtuoso's default graph is the union of ALL its graphs,
  and its ``DEFINE input:default-graph-exclude`` pragma cannot hide them (with it, ``GRAPH <g>``
  patterns come back empty and ``*`` paths do not compile). A query that matches any triple
  (``?s ?p ?o``) gets theirs too; ptce_kg's named queries and pages match ptce_kg's vocabularies.
- **splits large inserts inside one request.** Virtuoso's SPARQL compiler refuses an ``INSERT DATA``
  of more than about 5,000 triples in one group ("memory exhausted") and any update whose generated
  SQL passes 10,000 lines. :func:`replace_update` writes ``DEFINE sql:big-data-const 1`` (the
  triples become one constant instead of SQL text) and one ``GRAPH`` block per :data:`BLOCK`
  triples; it stays one request, which Virtuoso runs as one transaction.
- **bulk loads** N-Triples, Turtle and RDF/XML into one graph through the graph store with a
  ``Content-Length`` (Virtuoso 7.2 misreads a chunked request body); other formats, and datasets
  (N-Quads, TriG), are parsed by ptce_kg and sent as ``INSERT DATA`` requests of :data:`BATCH`
  quads. A triple of the default graph cannot be loaded: Virtuoso's default graph is the union.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox

from ptce_kg.errors import StoreError
from ptce_kg.formats import RdfFormat
from ptce_kg.sparql.updates import drop_graphs_update, graph_block

#: Graphs a fresh Virtuoso 7 database holds on its own (never ptce_kg data).
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
#: Triples per ``GRAPH`` block of an ``INSERT DATA`` (Virtuoso's parser fails near 5,000).
BLOCK = 1000
#: What to do when Virtuoso refuses a write for want of rights.
PERMISSION_HINT = (
    "write through Virtuoso's authenticated endpoint (PTCE_STORE=http://host:8890/sparql-auth "
    "with PTCE_STORE_USER and PTCE_STORE_PASSWORD, HTTP digest) as a user granted SPARQL_UPDATE "
    "(docs/stores.md)"
)
#: Quads per ``INSERT DATA`` request of a bulk load that goes through SPARQL.
BATCH = 50_000
#: What Virtuoso's graph store (``/sparql-graph-crud``) reads; other formats are parsed by ptce_kg.
GSP_FORMATS = frozenset({RdfFormat.N_TRIPLES, RdfFormat.TURTLE, RdfFormat.RDF_XML})


def is_virtuoso(server_header: str) -> bool:
    """Tell from an HTTP ``Server`` header whether the server is Virtuoso."""
    return server_header.startswith("Virtuoso/")


#: A FILTER on ``?g`` that leaves :data:`SYSTEM_GRAPHS` out.
HIDE_SYSTEM_GRAPHS = "FILTER(?g NOT IN (" + ", ".join(f"<{g}>" for g in SYSTEM_GRAPHS) + "))"


def refused_for_rights(status: int, text: str) -> bool:
    """Tell whether Virtuoso refused a write for want of rights: ``SR186: SECURITY`` (500), or, for
    an account without ``SPARQL_UPDATE`` such as the anonymous one, ``SP031`` "not translated to an
    accurate SQL text" (400) on an insert the authenticated endpoint takes."""
    return (status == 500 and "SECURITY" in text) or (status == 400 and "accurate SQL text" in text)


def error_text(text: str) -> str:
    """Virtuoso's error message without the query text it repeats (pragmas included)."""
    return text.split("\n\nSPARQL query:", 1)[0].strip()


def _blocks(ntriples: bytes) -> Iterator[bytes]:
    """The triples of an N-Triples document in groups of at most :data:`BLOCK` lines."""
    lines = [line for line in ntriples.splitlines() if line.strip() and line.strip()[:1] != b"#"]
    for start in range(0, len(lines), BLOCK):
        yield b"\n".join(lines[start : start + BLOCK])


def insert_data(graphs: Iterable[tuple[str, bytes]]) -> bytes:
    """One ``INSERT DATA`` of the given (graph, N-Triples) pairs, in blocks Virtuoso accepts."""
    return (
        b"INSERT DATA {\n"
        + b"".join(
            graph_block(g, block.decode()).encode() for g, nt in graphs for block in _blocks(nt)
        )
        + b"}"
    )


_BLANK = re.compile(rb"(?<![<\"\w])_:[\w.-]*[\w-]")
#: Literals ``INSERT DATA`` with ``sql:big-data-const 1`` cannot translate (they go in templates).
_TEMPLATE_ONLY = re.compile(
    rb"\^\^<http://www\.w3\.org/2001/XMLSchema#(?:duration|yearMonthDuration)>"
)


def _template_groups(triples: list[tuple[str, bytes]]) -> list[list[tuple[str, bytes]]]:
    """Triples for templates (blank nodes, durations), grouped so that no blank node label spans
    two groups, each group at most :data:`BLOCK` triples (more linked blank nodes are refused)."""
    parent: dict[bytes, bytes] = {}

    def root(label: bytes) -> bytes:
        while parent.setdefault(label, label) != label:
            label = parent[label]
        return label

    labelled = []
    for n, (graph, line) in enumerate(triples):
        # a label is scoped to the graph's document: the same label in two graphs is two nodes
        labels = [graph.encode() + b" " + m.group() for m in _BLANK.finditer(line)] or [b"%d" % n]
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
        labelled.append((labels[0], graph, line))
    components: dict[bytes, list[tuple[str, bytes]]] = {}
    for label, graph, line in labelled:
        components.setdefault(root(label), []).append((graph, line))
    groups: list[list[tuple[str, bytes]]] = [[]]
    for component in components.values():
        if len(component) > BLOCK:
            raise StoreError(
                f"{len(component)} triples linked by blank nodes are more than Virtuoso takes in "
                f"one update ({BLOCK}); nothing was written",
                hint="give the nodes IRIs, or load the file with Virtuoso's bulk loader",
            )
        if len(groups[-1]) + len(component) > BLOCK:
            groups.append([])
        groups[-1].extend(component)
    return [g for g in groups if g]


def _template(triples: list[tuple[str, bytes]]) -> bytes:
    """``INSERT { GRAPH … } WHERE {}``: the form of an insert Virtuoso takes blank nodes in."""
    by_graph: dict[str, list[bytes]] = {}
    for graph, line in triples:
        by_graph.setdefault(graph, []).append(line)
    blocks = b"".join(
        graph_block(g, b"\n".join(lines).decode()).encode() for g, lines in by_graph.items()
    )
    return b"INSERT {\n" + blocks + b"} WHERE {}"


def _lines(ntriples: bytes) -> list[bytes]:
    """One N-Triples line per triple, written again: Virtuoso's SPARQL parser refuses ``\\u``
    escapes in IRIs, which its own N-Triples output (read back for entailments) is full of."""
    try:
        triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
        return [str(t).encode() + b" ." for t in triples]
    except SyntaxError as e:
        raise StoreError(f"unreadable N-Triples for Virtuoso: {e}; nothing was written") from e


def inserts(graphs: Mapping[str, bytes]) -> list[bytes]:
    """The update operations that add each graph's N-Triples, in forms and sizes Virtuoso takes.

    Triples without blank nodes go in ``INSERT DATA`` blocks; Virtuoso refuses blank nodes there,
    so the others go in ``INSERT { … } WHERE {}`` operations, one per group of triples linked by
    blank nodes (a label means one node within one operation only), with the ``xsd:duration`` and
    ``xsd:yearMonthDuration`` literals ``INSERT DATA`` fails to translate.

    Raises:
        StoreError: more than :data:`BLOCK` triples linked by blank nodes.
    """
    ground: list[tuple[str, bytes]] = []
    blank: list[tuple[str, bytes]] = []
    for graph, nt in graphs.items():
        lines = _lines(nt)
        plain: list[bytes] = []
        for line in lines:
            special = _BLANK.search(line) or _TEMPLATE_ONLY.search(line)
            (blank.append((graph, line)) if special else plain.append(line))
        ground.append((graph, b"\n".join(plain)))
    operations = []
    if any(nt for _g, nt in ground):
        operations.append(insert_data((g, nt) for g, nt in ground if nt))
    return operations + ([_template(group) for group in _template_groups(blank)] if blank else [])


def update_request(operations: list[bytes]) -> bytes:
    """One update request of ``operations``: Virtuoso runs it as one transaction."""
    return b"DEFINE sql:big-data-const 1\n" + b";\n".join(operations)


def replace_update(graphs: Mapping[str, bytes]) -> bytes:
    """The one update request that replaces each graph by its N-Triples, on Virtuoso: the drops
    and graph blocks of :mod:`ptce_kg.sparql.updates`, in the forms and sizes of :func:`inserts`.

    Raises:
        StoreError: more than :data:`BLOCK` triples linked by blank nodes.
    """
    drops = drop_graphs_update(graphs).encode()
    return update_request([drops, *inserts(graphs)])


_XSD = "http://www.w3.org/2001/XMLSchema#"
_MONTHS = frozenset({f"{_XSD}duration", f"{_XSD}yearMonthDuration"})


def lexical_form(datatype: str | None, text: str) -> str:
    """A literal's lexical form as written, where Virtuoso 7.2 rewrote it when storing it.

    It stores an ``xsd:duration`` or ``xsd:yearMonthDuration`` of years and months as its number of
    months (``"P1Y"`` comes back as ``"12"``) and an ``xsd:boolean`` as ``1``/``0``: these come
    back here as ``"P1Y"`` and ``"true"`` (a duration with days or times keeps its form).
    """
    if datatype in _MONTHS and re.fullmatch(r"-?\d+", text):
        months = int(text)
        years, rest = divmod(abs(months), 12)
        body = (f"{years}Y" if years else "") + (f"{rest}M" if rest or not years else "")
        return ("-" if months < 0 else "") + "P" + body
    if datatype == f"{_XSD}boolean" and text in ("0", "1"):
        return "true" if text == "1" else "false"
    return text


def read_binding(value: dict[str, str]) -> dict[str, str]:
    """A SPARQL JSON results term with :func:`lexical_form` applied."""
    if value.get("type") in ("literal", "typed-literal") and "datatype" in value:
        return {**value, "value": lexical_form(value["datatype"], value["value"])}
    return value


def read_literal(term: ox.Literal) -> ox.Literal:
    """A pyoxigraph literal with :func:`lexical_form` applied."""
    text = lexical_form(term.datatype.value, term.value)
    return term if text == term.value else ox.Literal(text, datatype=term.datatype)
