"""Read SPARQL results (XML, JSON, TSV, CSV, the ``rs:`` RDF encoding) and RDF graphs, and compare
them as the W3C reference runners do.

- Solutions are unordered unless the query has a top-level ORDER BY.
- Blank nodes match by one isomorphism over the whole result (not row by row).
- Literals compare as terms (lexical form, datatype, language tag case-insensitively); numbers fall
  back to their value within the same datatype (``"1.0"^^xsd:decimal`` = ``"1.00"^^xsd:decimal``).
- ``mf:LaxCardinality``: the same distinct solutions, with any count between distinct and full.

The parsers here are written for the tests, independent of the engine under test: a serialiser bug
must not be hidden by the same engine's parser.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

XSD = "http://www.w3.org/2001/XMLSchema#"
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
_INTEGER_TYPES = {
    XSD + t
    for t in (
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
}
_DECIMAL_TYPES = {XSD + "decimal"} | _INTEGER_TYPES
_FLOAT_TYPES = {XSD + "double", XSD + "float"}
_STRING_TYPES = {XSD + "string", None}

#: Media types of SPARQL results and of RDF graphs, by short name.
RESULT_TYPES = {
    "xml": "application/sparql-results+xml",
    "json": "application/sparql-results+json",
    "tsv": "text/tab-separated-values",
    "csv": "text/csv",
}
GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
_GRAPH_EXTENSIONS = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}


class ResultsError(ValueError):
    """A result document that cannot be read."""


@dataclass
class Solutions:
    """A SELECT answer (``variables`` and ``rows``) or an ASK answer (``boolean``)."""

    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    #: Whether the document's row order is meaningful: always for the W3C result formats, only
    #: with ``rs:index`` for the ``rs:`` RDF encoding.
    ordered: bool = True

    def describe(self, limit: int = 20) -> str:
        """Return a readable dump for assertion messages."""
        if self.boolean is not None:
            return f"boolean {self.boolean}"
        lines = [" ".join(f"?{v}" for v in self.variables) + f"   ({len(self.rows)} rows)"]
        for row in self.rows[:limit]:
            lines.append("  " + "  ".join(_show(row.get(v)) for v in self.variables))
        if len(self.rows) > limit:
            lines.append(f"  … {len(self.rows) - limit} more")
        return "\n".join(lines)


def _show(term: Node | None) -> str:
    return "UNDEF" if term is None else term.n3()


def media_type(content_type: str | None) -> str:
    """Return the bare media type of a Content-Type header value, lower-cased."""
    return (content_type or "").split(";", 1)[0].strip().lower()


# ------------------------------------------------------------------------------------ terms


def make_literal(lexical: str, datatype: str | None = None, lang: str | None = None) -> Literal:
    """Build a literal that keeps its lexical form as written (no rdflib normalisation)."""
    if lang:
        return Literal(lexical, lang=lang, normalize=False)
    if datatype in _STRING_TYPES:
        return Literal(lexical, normalize=False)
    return Literal(lexical, datatype=URIRef(datatype), normalize=False)


def from_oxigraph(term: Any) -> Node:
    """Return the rdflib term for a pyoxigraph term, keeping lexical forms."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return make_literal(term.value, lang=term.language)
        return make_literal(term.value, term.datatype.value)
    raise ResultsError(f"unsupported term {term!r}")


def term_key(term: Node) -> tuple[Any, ...]:
    """Return a hashable key equal for terms that the comparison treats as the same."""
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        lang = term.language
        if lang:
            return ("lang", str(term), lang.lower())
        datatype = None if term.datatype is None else str(term.datatype)
        if datatype in _STRING_TYPES:
            return ("str", str(term))
        value = _numeric_value(str(term), datatype)
        if value is not None:
            return ("num", datatype, value)
        return ("lit", str(term), datatype)
    raise ResultsError(f"unsupported term {term!r}")


def _numeric_value(lexical: str, datatype: str | None) -> Any:
    text = lexical.strip()
    try:
        if datatype in _DECIMAL_TYPES:
            return Decimal(text).normalize()
        if datatype in _FLOAT_TYPES:
            number = float({"INF": "inf", "-INF": "-inf", "+INF": "inf"}.get(text, text))
            return "NaN" if math.isnan(number) else number
    except (InvalidOperation, ValueError):
        return None
    return None


# ------------------------------------------------------------------------------------ parsers


def parse_results(body: bytes, content_type: str) -> Solutions:
    """Read a SPARQL results document in the format ``content_type`` names."""
    kind = media_type(content_type)
    if kind in ("application/sparql-results+xml", "application/xml"):
        return parse_xml(body)
    if kind in ("application/sparql-results+json", "application/json"):
        return parse_json(body)
    if kind == "text/tab-separated-values":
        return parse_tsv(body)
    if kind == "text/csv":
        return parse_csv(body)
    raise ResultsError(f"not a SPARQL results media type: {content_type!r}")


def parse_xml(body: bytes) -> Solutions:
    """Read SPARQL Query Results XML."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as e:
        raise ResultsError(f"bad SPARQL XML results: {e}") from e
    if root.tag != SRX + "sparql":
        raise ResultsError(f"bad SPARQL XML results: root element {root.tag}")
    head = root.find(SRX + "head")
    variables = [] if head is None else [v.attrib["name"] for v in head.iter(SRX + "variable")]
    boolean = root.find(SRX + "boolean")
    if boolean is not None:
        text = (boolean.text or "").strip()
        if text not in ("true", "false"):
            raise ResultsError(f"bad boolean {text!r}")
        return Solutions(variables, boolean=text == "true")
    results = root.find(SRX + "results")
    if results is None:
        raise ResultsError("SPARQL XML results without <results> or <boolean>")
    rows = []
    for result in results.findall(SRX + "result"):
        row: dict[str, Node] = {}
        for binding in result.findall(SRX + "binding"):
            term = list(binding)
            if len(term) != 1:
                raise ResultsError(
                    f"binding of {binding.attrib.get('name')} holds {len(term)} terms"
                )
            row[binding.attrib["name"]] = _xml_term(term[0])
        rows.append(row)
    return Solutions(variables, rows)


def _xml_term(element: ElementTree.Element) -> Node:
    tag = element.tag.removeprefix(SRX)
    text = element.text or ""
    if tag == "uri":
        return URIRef(text.strip())
    if tag == "bnode":
        return BNode(text.strip())
    if tag == "literal":
        lang = element.attrib.get("{http://www.w3.org/XML/1998/namespace}lang")
        return make_literal(text, element.attrib.get("datatype"), lang)
    raise ResultsError(f"unknown term element <{tag}>")


def parse_json(body: bytes) -> Solutions:
    """Read SPARQL 1.1 Query Results JSON."""
    try:
        doc = json.loads(body.decode("utf-8"))
        variables = list(doc["head"].get("vars", []))
        if "boolean" in doc:
            if not isinstance(doc["boolean"], bool):
                raise ResultsError(f"boolean is {doc['boolean']!r}, not true or false")
            return Solutions(variables, boolean=doc["boolean"])
        rows = [
            {name: _json_term(value) for name, value in binding.items()}
            for binding in doc["results"]["bindings"]
        ]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
        raise ResultsError(f"bad SPARQL JSON results: {e!r}") from e
    return Solutions(variables, rows)


def _json_term(value: Mapping[str, str]) -> Node:
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        return make_literal(value["value"], value.get("datatype"), value.get("xml:lang"))
    raise ResultsError(f"unknown JSON term type {kind!r}")


_TSV_TERM = re.compile(
    r"""^(?:<(?P<iri>[^>]*)>
        |_:(?P<bnode>\S+)
        |"(?P<string>(?:[^"\\]|\\.)*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^<(?P<datatype>[^>]*)>)?
        |(?P<double>[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+)
        |(?P<decimal>[+-]?[0-9]*\.[0-9]+)
        |(?P<integer>[+-]?[0-9]+)
        |(?P<boolean>true|false))$""",
    re.VERBOSE,
)
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    def replace(m: re.Match[str]) -> str:
        code = m.group(0)
        if code[1] in "uU":
            return chr(int(code[2:], 16))
        return _ESCAPES[code[1]]

    return re.sub(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf\"'\\])", replace, text)


def parse_tsv_term(cell: str) -> Node | None:
    """Read one TSV cell (Turtle term syntax; empty for unbound)."""
    if cell == "":
        return None
    m = _TSV_TERM.match(cell)
    if m is None:
        raise ResultsError(f"bad TSV term {cell!r}")
    if m["iri"] is not None:
        return URIRef(_unescape(m["iri"]))
    if m["bnode"] is not None:
        return BNode(m["bnode"])
    if m["string"] is not None:
        return make_literal(_unescape(m["string"]), m["datatype"], m["lang"])
    for kind in ("double", "decimal", "integer", "boolean"):
        if m[kind] is not None:
            return make_literal(m[kind], XSD + kind)
    raise ResultsError(f"bad TSV term {cell!r}")


def parse_tsv(body: bytes) -> Solutions:
    """Read SPARQL 1.1 Query Results TSV."""
    lines = body.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ResultsError("empty TSV results (no header line)")
    header = [h.strip() for h in lines[0].rstrip("\r").split("\t")]
    if header == [""]:
        header = []
    if any(not h.startswith(("?", "$")) for h in header):
        raise ResultsError(f"bad TSV header {lines[0]!r}")
    variables = [h[1:] for h in header]
    rows = []
    for line in lines[1:]:
        cells = line.rstrip("\r").split("\t")
        if len(cells) != len(variables) and not (variables == [] and cells == [""]):
            raise ResultsError(f"TSV row {line!r} has {len(cells)} cells for {len(variables)}")
        row = {}
        for name, cell in zip(variables, cells, strict=False):
            term = parse_tsv_term(cell.strip())
            if term is not None:
                row[name] = term
        rows.append(row)
    return Solutions(variables, rows)


def parse_csv(body: bytes) -> Solutions:
    """Read SPARQL 1.1 Query Results CSV: every value a string, ``_:x`` a blank node."""
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    table = list(reader)
    if not table:
        raise ResultsError("empty CSV results (no header line)")
    variables = table[0]
    rows = []
    for cells in table[1:]:
        if len(cells) != len(variables):
            raise ResultsError(f"CSV row {cells!r} has {len(cells)} cells for {len(variables)}")
        rows.append(
            {
                name: BNode(cell[2:]) if cell.startswith("_:") else make_literal(cell)
                for name, cell in zip(variables, cells, strict=True)
                if cell != ""
            }
        )
    return Solutions(variables, rows)


def parse_graph(body: bytes, content_type: str, base: str | None = None) -> Graph:
    """Read an RDF document into an rdflib graph, keeping literals' lexical forms."""
    kind = media_type(content_type)
    if kind not in GRAPH_TYPES:
        raise ResultsError(f"not an RDF media type: {content_type!r}")
    try:
        quads = ox.parse(body, format=GRAPH_TYPES[kind], base_iri=base)
        graph = Graph()
        for q in quads:
            graph.add(
                (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
            )
    except (SyntaxError, ValueError) as e:
        raise ResultsError(f"bad {kind} document: {e}") from e
    return graph


def read_graph_file(path: Path) -> Graph:
    """Read an RDF file (by extension), resolving relative IRIs against its ``file:`` URL."""
    return parse_graph(path.read_bytes(), _GRAPH_EXTENSIONS[path.suffix], path.resolve().as_uri())


def read_expected(path: Path) -> Solutions | Graph:
    """Read an expected result file: solutions (``.srx .srj .tsv .csv``, ``rs:`` RDF) or a graph."""
    suffix = path.suffix
    if suffix == ".srx":
        return parse_xml(path.read_bytes())
    if suffix == ".srj":
        return parse_json(path.read_bytes())
    if suffix == ".tsv":
        return parse_tsv(path.read_bytes())
    if suffix == ".csv":
        return parse_csv(path.read_bytes())
    graph = read_graph_file(path)
    result_set = next(iter(graph.subjects(RDF.type, RS.ResultSet)), None)
    return graph if result_set is None else _rs_solutions(graph, result_set)


def _rs_solutions(graph: Graph, result_set: Node) -> Solutions:
    """Read the DAWG ``rs:`` RDF encoding of a result set (``rs:index`` makes it ordered)."""
    boolean = graph.value(result_set, RS.boolean)
    variables = sorted(str(v) for v in graph.objects(result_set, RS.resultVariable))
    if boolean is not None:
        return Solutions(variables, boolean=str(boolean) == "true")
    indexed: list[tuple[int, dict[str, Node]]] = []
    for solution in graph.objects(result_set, RS.solution):
        row = {
            str(graph.value(b, RS.variable)): graph.value(b, RS.value)
            for b in graph.objects(solution, RS.binding)
        }
        index = graph.value(solution, RS.index)
        indexed.append((int(str(index)) if index is not None else 0, row))
    ordered = any(
        graph.value(s, RS.index) is not None for s in graph.objects(result_set, RS.solution)
    )
    indexed.sort(key=lambda pair: pair[0])
    return Solutions(variables, [row for _, row in indexed], ordered=ordered)


# --------------------------------------------------------------------------------- comparison


def compare_solutions(
    expected: Solutions, actual: Solutions, *, ordered: bool = False, lax: bool = False
) -> str | None:
    """Return ``None`` when ``actual`` matches ``expected``, else what differs."""
    if expected.boolean is not None or actual.boolean is not None:
        if expected.boolean != actual.boolean:
            return f"expected {expected.describe()}, got {actual.describe()}"
        return None
    if set(expected.variables) != set(actual.variables):
        return f"variables differ: expected {expected.variables}, got {actual.variables}"
    exp_rows, act_rows = expected.rows, actual.rows
    if lax:
        exp_rows, act_rows = _distinct(exp_rows), _distinct(act_rows)
        if not len(exp_rows) <= len(actual.rows) <= len(expected.rows):
            bounds = f"{len(exp_rows)}..{len(expected.rows)}"
            return f"LaxCardinality: {len(actual.rows)} rows, expected {bounds}"
    if len(exp_rows) != len(act_rows):
        return _mismatch(f"{len(act_rows)} rows, expected {len(exp_rows)}", expected, actual)
    matched = (
        _match_ordered(exp_rows, act_rows) if ordered else _match_unordered(exp_rows, act_rows)
    )
    if not matched:
        return _mismatch("solutions differ" + (" (ordered)" if ordered else ""), expected, actual)
    return None


def _mismatch(what: str, expected: Solutions, actual: Solutions) -> str:
    return f"{what}\nexpected:\n{expected.describe()}\nactual:\n{actual.describe()}"


def _row_key(row: Mapping[str, Node]) -> frozenset[tuple[str, tuple[Any, ...]]]:
    return frozenset((name, term_key(term)) for name, term in row.items())


def _distinct(rows: Sequence[dict[str, Node]]) -> list[dict[str, Node]]:
    seen: set[frozenset[tuple[str, Any]]] = set()
    out = []
    for row in rows:
        key = frozenset(
            (n, term_key(t) if not isinstance(t, BNode) else str(t)) for n, t in row.items()
        )
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _has_bnode(row: Mapping[str, Node]) -> bool:
    return any(isinstance(t, BNode) for t in row.values())


def _unify(
    exp: Mapping[str, Node], act: Mapping[str, Node], mapping: dict[str, str], used: set[str]
) -> list[tuple[str, str]] | None:
    """Extend ``mapping`` (expected bnode -> actual bnode) so that ``exp`` equals ``act``.

    Return the pairs added, or ``None`` (and leave ``mapping`` unchanged) if they cannot match.
    """
    if exp.keys() != act.keys():
        return None
    added: list[tuple[str, str]] = []
    for name, e in exp.items():
        a = act[name]
        if isinstance(e, BNode) and isinstance(a, BNode):
            known = mapping.get(str(e))
            if known is None and str(a) not in used:
                mapping[str(e)] = str(a)
                used.add(str(a))
                added.append((str(e), str(a)))
                continue
            if known == str(a):
                continue
        elif term_key(e) == term_key(a):
            continue
        for k, v in added:
            del mapping[k]
            used.discard(v)
        return None
    return added


def _match_ordered(expected: Sequence[dict[str, Node]], actual: Sequence[dict[str, Node]]) -> bool:
    mapping: dict[str, str] = {}
    used: set[str] = set()
    return all(
        _unify(e, a, mapping, used) is not None for e, a in zip(expected, actual, strict=True)
    )


def _match_unordered(
    expected: Sequence[dict[str, Node]], actual: Sequence[dict[str, Node]]
) -> bool:
    """Match rows as multisets, blank nodes by one bijection found by backtracking."""
    plain_exp = Counter(_row_key(r) for r in expected if not _has_bnode(r))
    plain_act = Counter(_row_key(r) for r in actual if not _has_bnode(r))
    if plain_exp != plain_act:
        return False
    exp_b = [r for r in expected if _has_bnode(r)]
    act_b = [r for r in actual if _has_bnode(r)]
    if Counter(_row_key(r) for r in exp_b) != Counter(_row_key(r) for r in act_b):
        return False
    # Most constrained first: rows sharing many bnodes with others pin the mapping early.
    exp_b.sort(key=lambda r: -sum(isinstance(t, BNode) for t in r.values()))
    taken = [False] * len(act_b)
    mapping: dict[str, str] = {}
    used: set[str] = set()

    def search(i: int) -> bool:
        if i == len(exp_b):
            return True
        key = _row_key(exp_b[i])
        for j, row in enumerate(act_b):
            if taken[j] or _row_key(row) != key:
                continue
            added = _unify(exp_b[i], row, mapping, used)
            if added is None:
                continue
            taken[j] = True
            if search(i + 1):
                return True
            taken[j] = False
            for k, v in added:
                del mapping[k]
                used.discard(v)
        return False

    return search(0)


def _normalise_numbers(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(tuple(_canonical(t) for t in triple))  # type: ignore[arg-type]
    return out


def _canonical(term: Node) -> Node:
    if isinstance(term, Literal) and term.datatype is not None and not term.language:
        value = _numeric_value(str(term), str(term.datatype))
        if value is not None:
            return make_literal(str(value), str(term.datatype))
    if isinstance(term, Literal) and term.language:
        return make_literal(str(term), lang=term.language.lower())
    return term


def compare_graphs(expected: Graph, actual: Graph) -> str | None:
    """Return ``None`` when the graphs are isomorphic (numbers by value), else a diff summary."""
    exp, act = _normalise_numbers(expected), _normalise_numbers(actual)
    if isomorphic(exp, act):
        return None
    return (
        f"graphs are not isomorphic ({len(exp)} triples expected, {len(act)} got)\n"
        f"expected:\n{_dump(exp)}\nactual:\n{_dump(act)}"
    )


def _dump(graph: Graph, limit: int = 30) -> str:
    lines = sorted(" ".join(t.n3() for t in triple) for triple in graph)
    more = [f"… {len(lines) - limit} more"] if len(lines) > limit else []
    return "\n".join(["  " + line for line in lines[:limit]] + more)
