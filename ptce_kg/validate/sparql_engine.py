"""SHACL validation by SPARQL: each constraint of each shape becomes one SELECT run by Oxigraph.

A shape is evaluated against a *focus pattern*: a SPARQL group that binds ``?this`` to the focus
nodes (the shape's targets for a top-level shape, the value nodes of the enclosing shape for a shape
reached through ``sh:property``/``sh:node``/``sh:or``…). Every compiled query returns only the
violating ``?this``/``?value`` rows, so the Python side handles results, never the data. Logical
constraints (``sh:node``, ``sh:and``, ``sh:or``, ``sh:not``, ``sh:xone``) combine, in Python, the
sets of non-conforming nodes returned by the nested shapes' queries.

The data graph is the union of all graphs of the dataset; results whose focus node does not occur in
``focus_graphs`` are dropped (as :func:`ptce_kg.validate.validate_pyshacl` does). Unsupported SHACL
features raise :class:`~ptce_kg.validate._shapes.UnsupportedShapeError` (a ``NotImplementedError``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ptce_kg.namespaces import SH
from ptce_kg.validate import _regex, _sparql_text, _written
from ptce_kg.validate._results import PathExpr, Severity, ValidationResult
from ptce_kg.validate._shapes import (
    IGNORED_SH,
    RDF_TYPE,
    RDFS_SUBCLASS,
    Component,
    ShapeInfo,
    ShapesGraph,
    UnsupportedShapeError,
    pick_message,
    sparql_term,
    term_text,
)
from ptce_kg.validate._written import Written

__all__ = ["UnsupportedShapeError", "Written", "validate_sparql"]

_SH = str(SH)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_MAX_DEPTH = 32
_CHECK_DEPTH = 4  # from this nesting depth on, a shape with no focus node left is not compiled

# Datatypes whose well-formedness is checked. Oxigraph stores a valid numeric literal natively
# (derived integer types become xsd:integer), so a literal still typed with one of these and not
# numeric is ill-typed; for the others a cast to the datatype fails on ill-typed literals.
_NUMERIC = {
    _XSD + t
    for t in (
        *("integer", "decimal", "float", "double", "int", "long", "short", "byte"),
        *("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger"),
        *("unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"),
    )
}
_CASTABLE = {_XSD + t for t in ("boolean", "date", "dateTime", "time")}
_RDF_LANGSTRING = str(RDF.langString)
_RDFS_LITERAL = "http://www.w3.org/2000/01/rdf-schema#Literal"
_RDFS_DATATYPE = "http://www.w3.org/2000/01/rdf-schema#Datatype"

_NODE_KINDS = {
    "BlankNode": "isBlank(?value)",
    "IRI": "isIRI(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}
_RANGE = {
    SH.minInclusive: (">=", "MinInclusive"),
    SH.maxInclusive: ("<=", "MaxInclusive"),
    SH.minExclusive: (">", "MinExclusive"),
    SH.maxExclusive: ("<", "MaxExclusive"),
}


@dataclass(frozen=True)
class _Raw:
    """One result before the focus filter: Oxigraph terms plus the shape that produced it."""

    focus: Any
    value: Any
    path: str | None
    component: str
    shape: ShapeInfo
    message: str
    path_expr: PathExpr | None = None
    written: bool = False  # the value is already the literal as written


def validate_sparql(
    dataset: ox.Store,
    shapes: Graph,
    *,
    focus_graphs: Sequence[str],
    focus_nodes: Collection[str] = (),
    written: Written | None = None,
) -> list[ValidationResult]:
    """Validate the union of ``dataset``'s graphs against ``shapes``; report only the nodes of the
    focus graphs and ``focus_nodes`` (IRIs, ``_:id`` for blank nodes).

    ``written`` (from :meth:`Written.from_quads` on the parsed input) lets ``sh:datatype`` and the
    reported values see the literals as written where the store keeps them in canonical form.

    Raises:
        UnsupportedShapeError: if ``shapes`` uses a feature this engine does not implement.
    """
    engine = _Engine(dataset, ShapesGraph(shapes), written or Written())
    in_focus = _FocusFilter(dataset, focus_graphs, focus_nodes)
    results: list[ValidationResult] = []
    for shape in engine.shapes.top_level_shapes():
        pattern = engine.shapes.target_pattern(shape)
        for raw in engine.evaluate(shape, pattern, 0):
            if not in_focus(raw.focus):
                continue
            severity = raw.shape.severity
            path_expr = raw.path_expr if raw.path is None else None
            focus = engine.written.forms(None, None, raw.focus)[0]
            values = [None] if raw.value is None else engine.as_written(raw)
            results.extend(
                ValidationResult(
                    severity=Severity.from_iri(severity),
                    focus=_text(focus),
                    message=raw.message,
                    shape=raw.shape.name,
                    path=raw.path,
                    value=None if value is None else _text(value),
                    constraint=raw.component,
                    focus_node=_rdf(focus),
                    value_node=None if value is None else _rdf(value),
                    path_expr=path_expr,
                    severity_iri=None if severity in _SEVERITIES else URIRef(severity),
                )
                for value in values
            )
    return sorted(results, key=lambda r: (r.focus, r.shape, r.constraint or "", r.value or ""))


_SEVERITIES = {str(SH.Violation), str(SH.Warning), str(SH.Info)}


def _rdf(term: Any) -> Node:
    """The rdflib term of an Oxigraph term (literals keep their lexical form and datatype)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD + "string":  # a simple literal, as rdflib writes it
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"not an RDF term: {term!r}")


def _text(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return _literal_text(term)
    return str(term.value)


_DATE_LIKE = re.compile(r"^-?\d{4,}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")
_NORMALIZED = {_XSD + t for t in ("double", "float", "decimal", "date", "dateTime")}


def _literal_text(term: Any) -> str:
    """Lexical form as rdflib (hence pySHACL reports) writes it: ``"1000"^^xsd:double`` → 1000.0.

    Only well-formed values are normalised (ill-typed ones keep their lexical form, as in rdflib).
    """
    lexical = str(term.value)
    datatype = term.datatype.value if term.datatype is not None else None
    if datatype not in _NORMALIZED:
        return lexical
    try:
        if datatype.endswith(("double", "float")):
            float(lexical)
        elif datatype.endswith("decimal"):
            Decimal(lexical)
        elif not _DATE_LIKE.match(lexical):
            return lexical
        return str(Literal(lexical, datatype=URIRef(datatype)))
    except (ValueError, ArithmeticError):
        return lexical


class _FocusFilter:
    """Is a focus node one the caller asked about? (checked per reported node, cached)

    A node is reported when it is a subject or object of a focus graph (literals included: a
    ``sh:targetObjectsOf`` target may be a literal), one of ``nodes`` or a literal value of one of
    them, or when it occurs nowhere
    in the dataset: such a node can only come from ``sh:targetNode``, it is nobody else's node,
    and dropping it would let a shape be silently skipped.
    """

    def __init__(self, store: ox.Store, graphs: Sequence[str], nodes: Collection[str] = ()) -> None:
        self._store = store
        self._graphs = [ox.NamedNode(g) for g in graphs]
        self._nodes = frozenset(nodes)
        self._cache: dict[Any, bool] = {}

    def __call__(self, term: Any) -> bool:
        known = self._cache.get(term)
        if known is None:
            known = self._cache[term] = self._check(term)
        return known

    def _check(self, term: Any) -> bool:
        resource = isinstance(term, ox.NamedNode | ox.BlankNode)
        if not resource and not isinstance(term, ox.Literal):
            return False
        if self._nodes and resource and _text(term) in self._nodes:
            return True
        if self._nodes and not resource:  # a literal of a node the caller asked about
            for quad in self._store.quads_for_pattern(None, None, term, None):
                if _text(quad.subject) in self._nodes:
                    return True
        if any(self._occurs(term, resource, g) for g in self._graphs):
            return True
        return not self._occurs(term, resource, None)

    def _occurs(self, term: Any, resource: bool, graph: Any) -> bool:
        store = self._store
        if resource and next(iter(store.quads_for_pattern(term, None, None, graph)), None):
            return True
        return next(iter(store.quads_for_pattern(None, None, term, graph)), None) is not None


_Handler = Callable[["_Engine", ShapeInfo, Node, str, int], list[_Raw]]


class _Engine:
    """Compiles shapes to SPARQL on the fly and runs the queries on one store."""

    def __init__(self, store: ox.Store, shapes: ShapesGraph, written: Written) -> None:
        self.store = store
        self.shapes = shapes
        self.written = written
        self.regexes: dict[str, bool] = {}  # REGEX arguments → does Oxigraph compile them?

    def as_written(self, raw: _Raw) -> list[Any]:
        """The value of a result as written (one per written form of a stored literal)."""
        if raw.written or not self.written:
            return [raw.value]
        focus = raw.focus if raw.path is not None else None
        return self.written.forms(focus, raw.path, raw.value)

    # --- running -------------------------------------------------------------------------------

    def select(self, query: str, info: ShapeInfo, component: str) -> list[Any]:
        """Run a SELECT on the union graph; name shape and component when Oxigraph refuses it."""
        solutions: Any = None
        try:
            solutions = self.store.query(query, use_default_graph_as_union=True)
            return list(solutions)
        except (SyntaxError, ValueError, OSError, RuntimeError) as e:
            raise UnsupportedShapeError(
                f"shape {info.name}, {component}: query failed ({e}): {query}"
            ) from e
        finally:
            # pyoxigraph results must be dropped on the thread that made them: never let one
            # ride on an exception's traceback (the web adapter re-raises on the event loop)
            del solutions

    def evaluate(self, shape: Node, focus: str, depth: int) -> list[_Raw]:
        """All results of ``shape`` for the focus nodes bound by the ``focus`` pattern."""
        if depth >= _CHECK_DEPTH and not self.ask(
            f"ASK {{ {focus} }}", self.shapes.info(shape), "focus"
        ):
            return []  # a recursive shape ends where no node is left to validate
        if depth > _MAX_DEPTH:
            raise UnsupportedShapeError(
                f"shape {term_text(shape)}: shapes nested too deep (a recursive shape over "
                f"cyclic data, or more than {_MAX_DEPTH} levels)"
            )
        info = self.shapes.info(shape)
        if info.deactivated:
            return []
        results: list[_Raw] = []
        parameters = {p.path for c in self.shapes.components for p in c.parameters}
        for pred, obj in self.shapes.constraint_triples(shape):
            handler = _HANDLERS.get(pred)
            if handler is not None:
                results.extend(handler(self, info, obj, focus, depth))
            elif pred in IGNORED_SH or pred in parameters or not str(pred).startswith(_SH):
                continue
            else:
                raise UnsupportedShapeError(f"shape {info.name}: {pred} is not supported")
        for component in self.shapes.components:
            results.extend(_component(self, info, component, focus))
        return results

    def ask(self, query: str, info: ShapeInfo, component: str) -> bool:
        """Run an ASK on the union graph; name shape and component when Oxigraph refuses it."""
        try:
            return bool(self.store.query(query, use_default_graph_as_union=True))
        except (SyntaxError, ValueError, OSError, RuntimeError) as e:
            raise UnsupportedShapeError(
                f"shape {info.name}, {component}: query failed ({e}): {query}"
            ) from None

    # --- building blocks -----------------------------------------------------------------------

    @staticmethod
    def values(info: ShapeInfo, var: str = "value") -> str:
        """Pattern binding ``?var`` to the value nodes of ``?this``."""
        if info.path is None:
            return f"BIND(?this AS ?{var})"
        return f"?this {info.path} ?{var} ."

    def value_focus(self, info: ShapeInfo, focus: str, depth: int) -> str:
        """A focus pattern for the value nodes of ``info`` (for nested shapes)."""
        if info.path is None:
            return focus
        outer = f"?_f{depth}"
        return (
            f"{{ SELECT DISTINCT ?this WHERE {{ "
            f"{{ SELECT (?this AS {outer}) WHERE {{ {focus} }} }} {outer} {info.path} ?this }} }}"
        )

    def rows(
        self, info: ShapeInfo, component: str, default_message: str, query: str, *, value: bool
    ) -> list[_Raw]:
        """Run ``query`` (binding ?this and, when ``value``, ?value) into results."""
        message = _message(info.messages, default_message)
        comp = _SH + component + "ConstraintComponent"
        return [
            _Raw(
                focus=row["this"],
                value=row["value"] if value else None,
                path=info.result_path,
                component=comp,
                shape=info,
                message=message,
                path_expr=info.path_expr,
            )
            for row in self.select(query, info, comp)
        ]

    def value_rows(
        self, info: ShapeInfo, component: str, message: str, focus: str, condition: str
    ) -> list[_Raw]:
        """Results for each value node where ``condition`` (a FILTER expression) holds."""
        query = (
            f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {self.values(info)} "
            f"FILTER({condition}) }}"
        )
        return self.rows(info, component, message, query, value=True)

    def pairs(self, info: ShapeInfo, focus: str) -> list[tuple[Any, Any]]:
        """All (focus node, value node) pairs of ``info``."""
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {self.values(info)} }}"
        return [(r["this"], r["value"]) for r in self.select(query, info, "value nodes")]

    def failing(self, shape: Node, focus: str, depth: int) -> set[Any]:
        """The nodes bound by ``focus`` that do not conform to ``shape`` (any severity)."""
        return {r.focus for r in self.evaluate(shape, focus, depth + 1)}

    def logical(
        self,
        info: ShapeInfo,
        component: str,
        message: str,
        focus: str,
        bad: Callable[[Any], bool],
    ) -> list[_Raw]:
        comp = _SH + component + "ConstraintComponent"
        text = _message(info.messages, message)
        return [
            _Raw(this, v, info.result_path, comp, info, text, info.path_expr)
            for this, v in self.pairs(info, focus)
            if bad(v)
        ]


def _message(messages: tuple[Literal, ...], default: str) -> str:
    chosen = pick_message(messages)
    return default if chosen is None else str(chosen)


def _int(obj: Node, info: ShapeInfo, name: str) -> int:
    if isinstance(obj, Literal) and isinstance(obj.value, int) and not isinstance(obj.value, bool):
        return obj.value
    raise UnsupportedShapeError(f"shape {info.name}: {name} {obj!r} is not an integer")


def _const(obj: Node, info: ShapeInfo) -> str:
    return sparql_term(obj, where=f"shape {info.name}")


def _str_literal(text: str) -> str:
    return Literal(text).n3()


# --- core constraint components ------------------------------------------------------------------


def _class(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    query = (
        f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {e.values(info)} "
        f"MINUS {{ ?value <{RDF_TYPE}>/<{RDFS_SUBCLASS}>* {_const(obj, info)} }} }}"
    )
    return e.rows(info, "Class", f"Value is not an instance of {obj}", query, value=True)


def _datatype(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    dt = str(obj)
    if dt == _RDFS_LITERAL:
        ok = "isLiteral(?value)"
    elif dt == _RDFS_DATATYPE:
        ok = "(isLiteral(?value) && DATATYPE(?value) != <" + _RDF_LANGSTRING + ">)"
    elif dt == _RDF_LANGSTRING:
        ok = "(isLiteral(?value) && LANG(?value) != '')"
    else:
        ok = f"(isLiteral(?value) && DATATYPE(?value) = {_const(obj, info)}"
        if dt in _NUMERIC:
            ok += " && isNumeric(?value)"
        elif dt in _CASTABLE:
            ok += f" && isLiteral(<{dt}>(?value))"
        ok += ")"
    message = f"Value is not a literal of datatype {dt}"
    rows = e.value_rows(info, "Datatype", message, focus, f"!COALESCE({ok}, false)")
    if not e.written or dt in {_RDFS_LITERAL, _RDFS_DATATYPE, _RDF_LANGSTRING}:
        return rows
    # Literals the store keeps in another form are decided on the data as written.
    stored = " ".join(str(v) for v in e.written.by_literal)
    query = (
        f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {e.values(info)} "
        f"VALUES ?value {{ {stored} }} }}"
    )
    lossy = {(r["this"], r["value"]) for r in e.select(query, info, "sh:datatype")}
    kept = [r for r in rows if (r.focus, r.value) not in lossy]
    text = _message(info.messages, message)
    comp = _SH + "DatatypeConstraintComponent"
    for this, value in sorted(lossy, key=str):
        node = this if info.path is not None else None
        for form in e.written.forms(node, info.result_path, value):
            if not _written.has_datatype(form, dt):
                kept.append(
                    _Raw(this, form, info.result_path, comp, info, text, info.path_expr, True)
                )
    return kept


def _node_kind(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    kind = str(obj).removeprefix(_SH)
    if kind not in _NODE_KINDS:
        raise UnsupportedShapeError(f"shape {info.name}: sh:nodeKind {obj}")
    return e.value_rows(
        info, "NodeKind", f"Value is not of node kind sh:{kind}", focus, f"!{_NODE_KINDS[kind]}"
    )


def _min_count(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    n = _int(obj, info, "sh:minCount")
    if n <= 0:
        return []
    if info.path is None:
        raise UnsupportedShapeError(f"shape {info.name}: sh:minCount on a node shape")
    if n == 1:
        query = f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ ?this {info.path} ?_v }} }}"
    else:
        query = (
            f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {info.path} ?_v }} }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {n})"
        )
    return e.rows(info, "MinCount", f"Less than {n} values", query, value=False)


def _max_count(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    n = _int(obj, info, "sh:maxCount")
    if info.path is None:
        raise UnsupportedShapeError(f"shape {info.name}: sh:maxCount on a node shape")
    query = (
        f"SELECT ?this WHERE {{ {focus} ?this {info.path} ?_v }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {n})"
    )
    return e.rows(info, "MaxCount", f"More than {n} values", query, value=False)


def _pattern(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    flags = e.shapes.graph.value(info.node, SH.flags)
    where = f"shape {info.name}"
    pattern, rust_flags = _regex.translate(
        str(obj), "" if flags is None else str(flags), where=where
    )
    args = f"{_str_literal(pattern)}, {_str_literal(rust_flags)}"
    compiles = e.regexes.get(args)
    if compiles is None:
        query = f"SELECT ?ok WHERE {{ BIND(REGEX('', {args}) AS ?ok) }}"
        probe = e.select(query, info, "sh:pattern")
        compiles = e.regexes[args] = bool(probe) and probe[0]["ok"] is not None
    if not compiles:
        raise UnsupportedShapeError(f"{where}: sh:pattern {str(obj)!r} cannot be evaluated")
    return e.value_rows(
        info,
        "Pattern",
        f"Value does not match pattern {str(obj)!r}",
        focus,
        f"isBlank(?value) || !REGEX(STR(?value), {args})",
    )


def _in(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    members = [_const(m, info) for m in e.shapes.items(obj)]
    query = (
        f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {e.values(info)} "
        f"MINUS {{ VALUES ?value {{ {' '.join(members)} }} }} }}"
    )
    return e.rows(info, "In", "Value is not one of the allowed values", query, value=True)


def _has_value(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    const = _const(obj, info)
    if info.path is None:
        query = f"SELECT ?this WHERE {{ {focus} FILTER(!sameTerm(?this, {const})) }}"
    else:
        query = f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ ?this {info.path} {const} }} }}"
    return e.rows(info, "HasValue", f"Missing expected value {obj}", query, value=False)


def _language_in(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    langs = [str(m) for m in e.shapes.items(obj)]
    tests = " || ".join(f"langMatches(LANG(?value), {_str_literal(t)})" for t in langs) or "false"
    return e.value_rows(
        info,
        "LanguageIn",
        f"Language tag not in {', '.join(langs)}",
        focus,
        f"!(isLiteral(?value) && ({tests}))",
    )


def _unique_lang(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    if not (isinstance(obj, Literal) and obj.value is True):
        return []
    if info.path is None:
        raise UnsupportedShapeError(f"shape {info.name}: sh:uniqueLang on a node shape")
    query = (
        f"SELECT ?this ?lang WHERE {{ {focus} ?this {info.path} ?_v "
        f"FILTER(isLiteral(?_v) && LANG(?_v) != '') }} "
        f"GROUP BY ?this (LCASE(LANG(?_v)) AS ?lang) HAVING (COUNT(DISTINCT ?_v) > 1)"
    )
    return e.rows(
        info, "UniqueLang", "More than one value shares a language tag", query, value=False
    )


def _length(component: str, op: str) -> _Handler:
    def handler(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
        n = _int(obj, info, f"sh:{component[0].lower()}{component[1:]}")
        if component == "MinLength" and n == 0:
            return []
        return e.value_rows(
            info,
            component,
            f"Value length is not {op} {n}",
            focus,
            f"isBlank(?value) || !(STRLEN(STR(?value)) {op} {n})",
        )

    return handler


def _range(
    e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int, pred: URIRef
) -> list[_Raw]:
    op, component = _RANGE[pred]
    const = _const(obj, info)
    return e.value_rows(
        info, component, f"Value is not {op} {obj}", focus, f"!COALESCE(?value {op} {const}, false)"
    )


def _range_handler(pred: URIRef) -> _Handler:
    def handler(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
        return _range(e, info, obj, focus, depth, pred)

    return handler


def _less_than(component: str, op: str) -> _Handler:
    def handler(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
        query = (
            f"SELECT DISTINCT ?this ?value ?_o WHERE {{ {focus} {e.values(info)} "
            f"?this {_const(obj, info)} ?_o FILTER(!COALESCE(?value {op} ?_o, false)) }}"
        )
        message = f"Value is not {op} the values of {obj}"
        return e.rows(info, component, message, query, value=True)

    return handler


def _equals(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    other = _const(obj, info)
    if info.path is None:
        missing = f"{focus} BIND(?this AS ?value) MINUS {{ ?value {other} ?value }}"
        extra = f"{focus} ?this {other} ?value FILTER(!sameTerm(?this, ?value))"
    else:
        missing = f"{focus} {e.values(info)} MINUS {{ ?this {other} ?value }}"
        extra = f"{focus} ?this {other} ?value MINUS {{ ?this {info.path} ?value }}"
    query = f"SELECT DISTINCT ?this ?value WHERE {{ {{ {missing} }} UNION {{ {extra} }} }}"
    return e.rows(info, "Equals", f"Values differ from the values of {obj}", query, value=True)


def _disjoint(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    query = (
        f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {e.values(info)} "
        f"?this {_const(obj, info)} ?value }}"
    )
    return e.rows(info, "Disjoint", f"Value is also a value of {obj}", query, value=True)


def _closed(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    if not (isinstance(obj, Literal) and obj.value is True):
        return []
    if info.path is not None:
        raise UnsupportedShapeError(f"shape {info.name}: sh:closed on a property shape")
    g = e.shapes.graph
    allowed: set[Node] = set()
    for prop in g.objects(info.node, SH.property):
        path = g.value(prop, SH.path)
        if isinstance(path, URIRef):
            allowed.add(path)
    ignored = g.value(info.node, SH.ignoredProperties)
    if ignored is not None:
        allowed.update(e.shapes.items(ignored))
    names = ", ".join(_const(p, info) for p in sorted(allowed, key=str))
    condition = f"FILTER(?_p NOT IN ({names}))" if names else ""
    query = f"SELECT DISTINCT ?this ?_p ?value WHERE {{ {focus} ?this ?_p ?value {condition} }}"
    comp = _SH + "ClosedConstraintComponent"
    message = _message(info.messages, "Predicate is not allowed (closed shape)")
    return [
        _Raw(row["this"], row["value"], row["_p"].value, comp, info, message)
        for row in e.select(query, info, comp)
    ]


def _property(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    results = e.evaluate(obj, e.value_focus(info, focus, depth), depth + 1)
    if not results or info.path is None:
        return results
    # The nested shape is validated once per (focus node, value node) pair: a value node reached
    # from two focus nodes gets its results twice, as the SHACL report has them.
    outer = f"?_f{depth}"
    query = (
        f"SELECT ?this (COUNT(DISTINCT {outer}) AS ?n) WHERE {{ "
        f"{{ SELECT (?this AS {outer}) WHERE {{ {focus} }} }} {outer} {info.path} ?this }} "
        f"GROUP BY ?this"
    )
    counts = {row["this"]: int(row["n"].value) for row in e.select(query, info, "sh:property")}
    return [r for r in results for _ in range(counts.get(r.focus, 1))]


def _node(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    failing = e.failing(obj, e.value_focus(info, focus, depth), depth)
    if not failing:
        return []
    return e.logical(
        info,
        "Node",
        f"Value does not conform to shape {term_text(obj)}",
        focus,
        failing.__contains__,
    )


def _qualified(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    """sh:qualifiedValueShape with sh:qualifiedMinCount/MaxCount (and ValueShapesDisjoint)."""
    g = e.shapes.graph
    bounds = {
        name: _int(given, info, f"sh:{name}")
        for name in ("qualifiedMinCount", "qualifiedMaxCount")
        if (given := g.value(info.node, SH[name])) is not None
    }
    if not bounds:
        return []
    inner = e.value_focus(info, focus, depth)
    failing = e.failing(obj, inner, depth)
    disjoint = g.value(info.node, SH.qualifiedValueShapesDisjoint)
    siblings: list[set[Any]] = []
    if isinstance(disjoint, Literal) and disjoint.value is True:
        for parent in g.subjects(SH.property, info.node):
            for sibling in g.objects(parent, SH.property):
                for shape in g.objects(sibling, SH.qualifiedValueShape):
                    if sibling != info.node and shape != obj:
                        siblings.append(e.failing(shape, inner, depth))
    counts: dict[Any, int] = {}
    for this, value in e.pairs(info, focus):
        ok = value not in failing and all(value in bad for bad in siblings)
        counts[this] = counts.get(this, 0) + ok
    query = f"SELECT DISTINCT ?this WHERE {{ {focus} }}"
    results = []
    for name, bound in bounds.items():
        component = "Q" + name[1:] + "ConstraintComponent"
        comp = _SH + component
        text = _message(info.messages, f"{name} {bound} of shape {term_text(obj)} not met")
        for row in e.select(query, info, comp):
            n = counts.get(row["this"], 0)
            if (n < bound) if name == "qualifiedMinCount" else (n > bound):
                results.append(
                    _Raw(row["this"], None, info.result_path, comp, info, text, info.path_expr)
                )
    return results


def _and(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    inner = e.value_focus(info, focus, depth)
    failing: set[Any] = set()
    for member in e.shapes.items(obj):
        failing |= e.failing(member, inner, depth)
    if not failing:
        return []
    message = "Value does not conform to all shapes in sh:and"
    return e.logical(info, "And", message, focus, failing.__contains__)


def _or(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    inner = e.value_focus(info, focus, depth)
    failing: set[Any] | None = None
    for member in e.shapes.items(obj):
        member_failing = e.failing(member, inner, depth)
        failing = member_failing if failing is None else failing & member_failing
        if not failing:
            return []
    if failing is None:  # empty sh:or list: nothing conforms
        return e.logical(info, "Or", "Empty sh:or", focus, lambda v: True)
    return e.logical(
        info, "Or", "Value does not conform to any shape in sh:or", focus, failing.__contains__
    )


def _not(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    failing = e.failing(obj, e.value_focus(info, focus, depth), depth)
    message = f"Value conforms to shape {term_text(obj)} (sh:not)"
    return e.logical(info, "Not", message, focus, lambda v: v not in failing)


def _xone(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    inner = e.value_focus(info, focus, depth)
    failing = [e.failing(member, inner, depth) for member in e.shapes.items(obj)]
    message = "Value does not conform to exactly one shape in sh:xone"
    return e.logical(info, "Xone", message, focus, lambda v: sum(v not in f for f in failing) != 1)


# --- SHACL-SPARQL ---------------------------------------------------------------------------------

_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+([\w.-]*):\s*<([^>]*)>|BASE\s+<[^>]*>)\s*)*", re.I)
_PROJECTION = re.compile(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?(.*?)(?=\bWHERE\b|\{)", re.I | re.S)


def _sparql(e: _Engine, info: ShapeInfo, obj: Node, focus: str, depth: int) -> list[_Raw]:
    g = e.shapes.graph
    where = f"shape {info.name}, sh:sparql {term_text(obj)}"
    if any(isinstance(d, Literal) and d.value is True for d in g.objects(obj, SH.deactivated)):
        return []
    select = g.value(obj, SH.select)
    if select is None:
        raise UnsupportedShapeError(f"{where}: only sh:select is supported")
    toks, prefixes = _read_query(e, info, obj, str(select), where)
    if _sparql_text.head_join_safe(toks):
        text = "".join(t.text if not t.is_var("this") else "?this" for t in toks)
        rows = _head_join_rows(e, info, where, text, focus, prefixes)
    else:
        rows = _substituted_rows(e, info, where, toks, focus, prefixes)
    comp = _SH + "SPARQLConstraintComponent"
    messages = [m for m in g.objects(obj, SH.message) if isinstance(m, Literal)]
    template = pick_message(messages) or pick_message(info.messages)
    results: list[_Raw] = []
    for this, row in rows:
        value = row["value"] if "value" in _vars(row) else None
        if value is None and info.path is None:
            value = this
        path_term = row["path"] if "path" in _vars(row) else None
        path = path_term.value if isinstance(path_term, ox.NamedNode) else info.result_path
        message = (
            _format(str(template), row) if template is not None else "SPARQL constraint violated"
        )
        results.append(_Raw(this, value, path, comp, info, message, info.path_expr))
    return results


def _read_query(
    e: _Engine,
    info: ShapeInfo,
    node: Node,
    text: str,
    where: str,
    pre_bound: frozenset[str] = frozenset(),
) -> tuple[list[_sparql_text.Token], dict[str, str]]:
    """The tokens of a SHACL-SPARQL query with ``$currentShape`` and ``$PATH`` replaced, and its
    prefixes (``sh:prefixes`` of ``node`` and its own PREFIX prologue), once checked.

    Raises:
        UnsupportedShapeError: for what SHACL forbids or this engine does not pre-bind.
    """
    prefixes = e.shapes.prefixes(node)
    prologue = _PROLOGUE.match(text)
    if prologue:
        for m in re.finditer(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", prologue.group(0), re.I):
            prefixes[m.group(1)] = m.group(2)
        text = text[prologue.end() :]
    for prefix, namespace in prefixes.items():
        if not re.fullmatch(r"[\w.-]*", prefix) or not _IRI_TEXT.fullmatch(namespace):
            raise UnsupportedShapeError(f"{where}: prefix {prefix!r}: <{namespace}> is not valid")
    toks = _sparql_text.tokens(text)
    _sparql_text.check(toks, where, pre_bound)
    parts = []
    for t in toks:
        if t.kind != "var":
            parts.append(t.text)
        elif t.text[1:] == "shapesGraph":
            raise UnsupportedShapeError(f"{where}: $shapesGraph is not supported")
        elif t.text[1:] == "currentShape":
            parts.append(sparql_term(info.node, where=where))
        elif t.text == "$PATH":
            if info.path is None:
                raise UnsupportedShapeError(f"{where}: $PATH in a node shape")
            parts.append(info.path)
        else:
            parts.append(t.text)
    return _sparql_text.tokens("".join(parts)), prefixes


# --- SPARQL-based constraint components (SHACL 6) ---------------------------------------------


def _component(e: _Engine, info: ShapeInfo, component: Component, focus: str) -> list[_Raw]:
    """The results of a custom component on ``info``, if the shape has its mandatory parameters."""
    g = e.shapes.graph
    where = f"shape {info.name}, component {component.node}"
    values: dict[str, Node] = {}
    for param in component.parameters:
        found = list(g.objects(info.node, param.path))
        if len(found) > 1:
            raise UnsupportedShapeError(f"{where}: several values for parameter {param.path}")
        if found:
            values[param.name] = found[0]
        elif not param.optional:
            return []
    if not values:
        return []
    validator = (
        component.property_validator if info.path is not None else component.node_validator
    ) or component.validator
    if validator is None:  # no validator for this kind of shape: the component does not apply
        return []
    constants = {name: sparql_term(v, where=where) for name, v in values.items()}
    messages = [m for m in g.objects(validator, SH.message) if isinstance(m, Literal)]
    messages += [m for m in g.objects(component.node, SH.message) if isinstance(m, Literal)]
    template = pick_message(messages) or pick_message(info.messages)
    params_text = {name: str(v) for name, v in values.items()}

    def message(row: Any = None) -> str:
        if template is None:
            return f"Value does not satisfy {component.node}"
        text = re.sub(
            r"\{[?$](\w+)\}",
            lambda m: params_text.get(m.group(1), m.group(0)),
            str(template),
        )
        return text if row is None else _format(text, row)

    comp = str(component.node)
    ask, select = g.value(validator, SH.ask), g.value(validator, SH.select)
    results: list[_Raw] = []
    if select is not None:
        toks, prefixes = _read_query(e, info, validator, str(select), where, frozenset(values))
        header = _header(prefixes)
        query = f"SELECT DISTINCT ?this WHERE {{ {focus} }}"
        for node in [r["this"] for r in e.select(query, info, comp)]:
            text = _sparql_text.substitute(toks, {**constants, "this": _constant(node, where)})
            for row in e.select(header + text, info, comp):
                value = row["value"] if "value" in _vars(row) else None
                if value is None and info.path is None:
                    value = node
                path_term = row["path"] if "path" in _vars(row) else None
                path = path_term.value if isinstance(path_term, ox.NamedNode) else info.result_path
                results.append(_Raw(node, value, path, comp, info, message(row), info.path_expr))
    elif ask is not None:
        pre_bound = frozenset(values) | {"value"}
        toks, prefixes = _read_query(e, info, validator, str(ask), where, pre_bound)
        header = _header(prefixes)
        for this, value in e.pairs(info, focus):
            bound = {**constants, "this": _constant(this, where), "value": _constant(value, where)}
            if not e.ask(header + _sparql_text.substitute(toks, bound), info, comp):
                results.append(
                    _Raw(this, value, info.result_path, comp, info, message(), info.path_expr)
                )
    else:
        raise UnsupportedShapeError(f"{where}: a validator needs sh:ask or sh:select")
    return results


def _constant(term: Any, where: str) -> str:
    """An Oxigraph term as a SPARQL constant; blank nodes cannot be pre-bound by substitution."""
    if isinstance(term, ox.BlankNode):
        raise UnsupportedShapeError(
            f"{where}: the blank node {_text(term)} cannot be pre-bound in a SPARQL query"
        )
    return str(term)


_IRI_TEXT = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')


def _header(prefixes: dict[str, str]) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))


def _head_join_rows(
    e: _Engine, info: ShapeInfo, where: str, text: str, focus: str, prefixes: dict[str, str]
) -> list[tuple[Any, Any]]:
    """Pre-binding by a head join: one query for all focus nodes."""
    projection = _PROJECTION.search(text)
    if projection is None:
        raise UnsupportedShapeError(f"{where}: not a SELECT query")
    # The focus pattern opens the outer WHERE group, so ?this is bound before anything else
    # (FILTER NOT EXISTS { $this … } included), and the query returns every ?this.
    brace = text.find("{", projection.end(2))
    if brace < 0:
        raise UnsupportedShapeError(f"{where}: no WHERE clause")
    text = f"{text[: brace + 1]} {focus} {_not_exists_as_minus(text[brace + 1 :])}"
    variables = projection.group(2)
    if variables.strip() != "*" and not re.search(r"\?this\b(?!\s*\))", variables):
        text = text[: projection.start(2)] + "?this " + text[projection.start(2) :]
    comp = _SH + "SPARQLConstraintComponent"
    return [(row["this"], row) for row in e.select(_header(prefixes) + text, info, comp)]


def _substituted_rows(
    e: _Engine,
    info: ShapeInfo,
    where: str,
    toks: list[_sparql_text.Token],
    focus: str,
    prefixes: dict[str, str],
) -> list[tuple[Any, Any]]:
    """Pre-binding by substitution: ``$this`` replaced by each focus node, one query each."""
    comp = _SH + "SPARQLConstraintComponent"
    nodes = [r["this"] for r in e.select(f"SELECT DISTINCT ?this WHERE {{ {focus} }}", info, comp)]
    header = _header(prefixes)
    rows: list[tuple[Any, Any]] = []
    for node in nodes:
        if isinstance(node, ox.BlankNode):
            raise UnsupportedShapeError(
                f"{where}: $this is used in nested groups, sub-selects, UNION or GRAPH, where it "
                f"is pre-bound by substitution, and the focus node {_text(node)} is a blank node"
            )
        query = header + _sparql_text.substitute(toks, {"this": str(node)})
        rows.extend((node, row) for row in e.select(query, info, comp))
    return rows


_ONLY_NOT_EXISTS = re.compile(r"^\s*FILTER\s+NOT\s+EXISTS\s*(\{.*\})\s*\}(\s*)$", re.I | re.S)


def _not_exists_as_minus(body: str) -> str:
    """``{ FILTER NOT EXISTS { B } }`` → ``{ MINUS { B } }`` when that means the same thing.

    When the WHERE group holds nothing but the filter, the only outer variable is ``?this``; if B
    binds ``?this`` in a triple pattern, NOT EXISTS and MINUS agree, and Oxigraph evaluates MINUS
    once (hash anti-join) instead of once per focus node.
    """
    m = _ONLY_NOT_EXISTS.match(body)
    if m is None or not _balanced(m.group(1)):
        return body
    inner = m.group(1)
    if not re.search(r"(^|[\s{.;])\?this\s+[<\w^(a]|[\s,]\?this\s*[.;}]", inner):
        return body
    return f" MINUS {inner} }}{m.group(2)}"


def _balanced(group: str) -> bool:
    """True when ``group`` is one ``{…}`` block (its first brace closes at its end)."""
    depth = 0
    for i, ch in enumerate(group):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return i == len(group) - 1
    return False


def _vars(row: Any) -> set[str]:
    names: set[str] = set()
    for name in ("value", "path"):
        try:
            if row[name] is not None:
                names.add(name)
        except (KeyError, IndexError):
            continue
    return names


def _format(template: str, row: Any) -> str:
    def substitute(m: re.Match[str]) -> str:
        try:
            term = row[m.group(1)]
        except (KeyError, IndexError):
            return m.group(0)
        return m.group(0) if term is None else _text(term)

    return re.sub(r"\{[?$](\w+)\}", substitute, template)


_HANDLERS: dict[URIRef, _Handler] = {
    SH["class"]: _class,
    SH.datatype: _datatype,
    SH.nodeKind: _node_kind,
    SH.minCount: _min_count,
    SH.maxCount: _max_count,
    SH.pattern: _pattern,
    SH["in"]: _in,
    SH.hasValue: _has_value,
    SH.languageIn: _language_in,
    SH.uniqueLang: _unique_lang,
    SH.minLength: _length("MinLength", ">="),
    SH.maxLength: _length("MaxLength", "<="),
    SH.minInclusive: _range_handler(SH.minInclusive),
    SH.maxInclusive: _range_handler(SH.maxInclusive),
    SH.minExclusive: _range_handler(SH.minExclusive),
    SH.maxExclusive: _range_handler(SH.maxExclusive),
    SH.lessThan: _less_than("LessThan", "<"),
    SH.lessThanOrEquals: _less_than("LessThanOrEquals", "<="),
    SH.equals: _equals,
    SH.disjoint: _disjoint,
    SH.closed: _closed,
    SH.property: _property,
    SH.node: _node,
    SH["and"]: _and,
    SH["or"]: _or,
    SH["not"]: _not,
    SH.xone: _xone,
    SH.qualifiedValueShape: _qualified,
    SH.sparql: _sparql,
}
