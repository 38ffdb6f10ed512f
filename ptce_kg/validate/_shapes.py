"""Read a SHACL shapes graph (rdflib) into what the SPARQL engine needs: shapes, paths, messages.

Nothing here touches data: it turns shape nodes into SPARQL fragments (terms, property paths,
target patterns) and answers questions about the shapes graph (severity, messages, prefixes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ptce_kg.namespaces import SH
from ptce_kg.sparql.terms import sparql_term as write_term
from ptce_kg.validate._results import PathExpr

RDF_TYPE = str(RDF.type)
RDFS_SUBCLASS = str(RDFS.subClassOf)

# Shapes-graph predicates that validate nothing: documentation, form hints, parameters read with
# the constraint they belong to (sh:flags with sh:pattern, sh:ignoredProperties with sh:closed).
IGNORED_SH = {
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.path,
    SH.flags,
    SH.ignoredProperties,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.prefixes,
    SH.qualifiedMinCount,  # read with sh:qualifiedValueShape
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.select,  # read with sh:sparql (a shape can be its own sh:SPARQLConstraint)
}


class UnsupportedShapeError(NotImplementedError):
    """A shape uses a SHACL feature that the SPARQL engine does not implement."""


def term_text(term: Node) -> str:
    """Text of an rdflib term as results carry it (``_:id`` for blank nodes)."""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def sparql_term(term: Node, *, where: str) -> str:
    """Return ``term`` as a SPARQL constant (:func:`ptce_kg.sparql.terms.sparql_term`); blank
    nodes and IRIs SPARQL cannot write make the shape unsupported."""
    try:
        return write_term(term)
    except ValueError as e:
        raise UnsupportedShapeError(f"{where}: {e}") from e


_UNARY_PATHS = {
    SH.inversePath: "inverse",
    SH.zeroOrMorePath: "zeroOrMore",
    SH.oneOrMorePath: "oneOrMore",
    SH.zeroOrOnePath: "zeroOrOne",
}


def path_expr(graph: Graph, node: Node) -> PathExpr:
    """A SHACL path node of ``graph`` as data (:data:`~ptce_kg.validate.PathExpr`).

    Raises:
        UnsupportedShapeError: if ``node`` is not a well-formed SHACL path.
    """
    if isinstance(node, URIRef):
        return node
    if not isinstance(node, BNode):
        raise UnsupportedShapeError(f"sh:path {node!r} is not a path")
    if graph.value(node, RDF.first) is not None:
        return ("sequence", tuple(path_expr(graph, p) for p in Collection(graph, node)))
    for pred, name in _UNARY_PATHS.items():
        inner = graph.value(node, pred)
        if inner is not None:
            return (name, path_expr(graph, inner))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", tuple(path_expr(graph, p) for p in Collection(graph, alternatives)))
    raise UnsupportedShapeError(f"sh:path {node!r}: unsupported path form")


@dataclass(frozen=True)
class Parameter:
    """A parameter of a constraint component: its path and the variable it binds."""

    path: URIRef
    name: str
    optional: bool


@dataclass(frozen=True)
class Component:
    """A SPARQL-based constraint component (SHACL 6)."""

    node: URIRef
    parameters: tuple[Parameter, ...]
    validator: Node | None  # sh:validator (ASK), for node and property shapes
    node_validator: Node | None
    property_validator: Node | None


_VALIDATORS = (SH.validator, SH.nodeValidator, SH.propertyValidator)


@dataclass(frozen=True)
class ShapeInfo:
    """What the engine needs to know about one shape node."""

    node: Node
    name: str
    path: str | None  # SPARQL property path, None for a node shape
    result_path: str | None  # the path IRI when the path is a predicate, else None
    path_expr: PathExpr | None  # the SHACL path as data (sh:resultPath), None for a node shape
    severity: str
    messages: tuple[Literal, ...]
    deactivated: bool


class ShapesGraph:
    """Queries over the shapes graph, with per-shape caching."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._info: dict[Node, ShapeInfo] = {}
        self._class_classes = {RDFS.Class, OWL.Class, *graph.subjects(RDFS.subClassOf, RDFS.Class)}
        self.components = self._components()

    def _components(self) -> list[Component]:
        """The SPARQL-based constraint components declared in the shapes graph (SHACL 6).

        A component is an instance of ``sh:ConstraintComponent`` or of one of its subclasses; its
        parameters are named by the local names of their ``sh:path``.
        """
        g = self.graph
        classes: set[Node] = {SH.ConstraintComponent}
        todo: list[Node] = [SH.ConstraintComponent]
        while todo:
            for sub in g.subjects(RDFS.subClassOf, todo.pop()):
                if sub not in classes:
                    classes.add(sub)
                    todo.append(sub)
        nodes = {c for cls in classes for c in g.subjects(RDF.type, cls)}
        nodes |= {c for p in _VALIDATORS for c in g.subjects(p, None)}
        components = []
        for node in sorted(nodes, key=term_text):
            where = f"constraint component {term_text(node)}"
            if not isinstance(node, URIRef):
                raise UnsupportedShapeError(f"{where}: a component must be an IRI")
            params = []
            for param in g.objects(node, SH.parameter):
                path = g.value(param, SH.path)
                if not isinstance(path, URIRef):
                    raise UnsupportedShapeError(f"{where}: a parameter's sh:path must be an IRI")
                name = re.split(r"[#/:]", str(path))[-1]
                if not re.fullmatch(r"[A-Za-z_]\w*", name):
                    raise UnsupportedShapeError(f"{where}: parameter name {name!r}")
                optional = any(
                    isinstance(o, Literal) and o.value is True
                    for o in g.objects(param, SH.optional)
                )
                params.append(Parameter(path, name, optional))
            if not params:
                raise UnsupportedShapeError(f"{where}: no sh:parameter")
            validators = {p: g.value(node, p) for p in _VALIDATORS}
            components.append(
                Component(
                    node,
                    tuple(sorted(params, key=lambda p: p.name)),
                    validators.get(SH.validator),
                    validators.get(SH.nodeValidator),
                    validators.get(SH.propertyValidator),
                )
            )
        return components

    def info(self, shape: Node) -> ShapeInfo:
        """Return (and cache) the shape's path, severity, messages and status."""
        cached = self._info.get(shape)
        if cached is not None:
            return cached
        g = self.graph
        name = term_text(shape)
        path_node = g.value(shape, SH.path)
        path = None if path_node is None else self.path(path_node, where=name)
        severity = g.value(shape, SH.severity)
        deactivated = any(
            isinstance(d, Literal) and d.value is True for d in g.objects(shape, SH.deactivated)
        )
        info = ShapeInfo(
            node=shape,
            name=name,
            path=path,
            result_path=str(path_node) if isinstance(path_node, URIRef) else None,
            path_expr=None if path_node is None else path_expr(g, path_node),
            severity=str(severity) if severity is not None else str(SH.Violation),
            messages=tuple(m for m in g.objects(shape, SH.message) if isinstance(m, Literal)),
            deactivated=deactivated,
        )
        self._info[shape] = info
        return info

    def path(self, node: Node, *, where: str) -> str:
        """Translate a SHACL path into a SPARQL 1.1 property path."""
        g = self.graph
        if isinstance(node, URIRef):
            return sparql_term(node, where=where)
        if not isinstance(node, BNode):
            raise UnsupportedShapeError(f"{where}: sh:path {node!r} is not a path")
        if g.value(node, RDF.first) is not None:
            items = [self.path(p, where=where) for p in Collection(g, node)]
            if len(items) < 2:
                raise UnsupportedShapeError(f"{where}: sequence path with fewer than 2 members")
            return "(" + " / ".join(items) + ")"
        unary = {
            SH.inversePath: "^({})",
            SH.zeroOrMorePath: "({})*",
            SH.oneOrMorePath: "({})+",
            SH.zeroOrOnePath: "({})?",
        }
        for pred, template in unary.items():
            inner = g.value(node, pred)
            if inner is not None:
                return template.format(self.path(inner, where=where))
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            items = [self.path(p, where=where) for p in Collection(g, alternatives)]
            return "(" + " | ".join(items) + ")"
        raise UnsupportedShapeError(f"{where}: unsupported sh:path form")

    def items(self, node: Node) -> list[Node]:
        """Members of an RDF list."""
        return list(Collection(self.graph, node))

    def top_level_shapes(self) -> list[Node]:
        """Shapes with at least one target (explicit or implicit class target), sorted."""
        g = self.graph
        shapes: set[Node] = set()
        for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes.update(g.subjects(pred, None))
        for shape_type in (SH.NodeShape, SH.PropertyShape):
            for s in g.subjects(RDF.type, shape_type):
                if self.is_class(s):
                    shapes.add(s)
        for s in g.subjects(SH.target, None):
            raise UnsupportedShapeError(f"{term_text(s)}: SPARQL-based targets (sh:target)")
        for s in g.subjects(SH.rule, None):
            raise UnsupportedShapeError(f"{term_text(s)}: SHACL rules (sh:rule)")
        return sorted(shapes, key=term_text)

    def is_class(self, shape: Node) -> bool:
        """True when the shape is also a class (implicit class target)."""
        return any(t in self._class_classes for t in self.graph.objects(shape, RDF.type))

    def target_pattern(self, shape: Node) -> str:
        """A SPARQL group binding ``?this`` to every focus node of ``shape`` (distinct)."""
        g = self.graph
        where = term_text(shape)
        parts: list[str] = []
        classes = list(g.objects(shape, SH.targetClass))
        if isinstance(shape, URIRef) and self.is_class(shape):
            classes.append(shape)
        for c in classes:
            parts.append(
                f"{{ ?this <{RDF_TYPE}>/<{RDFS_SUBCLASS}>* {sparql_term(c, where=where)} }}"
            )
        nodes = [sparql_term(n, where=where) for n in g.objects(shape, SH.targetNode)]
        if nodes:
            parts.append("{ VALUES ?this { " + " ".join(nodes) + " } }")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {sparql_term(p, where=where)} ?_tgo }}")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ ?_tgs {sparql_term(p, where=where)} ?this }}")
        if not parts:
            return "{ FILTER(false) }"
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def constraint_triples(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        """The (predicate, object) pairs of ``shape`` in a stable order."""
        pairs = [(p, o) for p, o in self.graph.predicate_objects(shape) if isinstance(p, URIRef)]
        yield from sorted(pairs, key=lambda po: (str(po[0]), term_text(po[1])))

    def prefixes(self, node: Node) -> dict[str, str]:
        """Prefix declarations reachable through ``sh:prefixes`` (and local ``owl:imports``)."""
        g = self.graph
        found: dict[str, str] = {}
        seen: set[Node] = set()
        todo = list(g.objects(node, SH.prefixes))
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(g.objects(current, OWL.imports))
            for decl in g.objects(current, SH.declare):
                prefix = g.value(decl, SH.prefix)
                namespace = g.value(decl, SH.namespace)
                if prefix is not None and namespace is not None:
                    found[str(prefix)] = str(namespace)
        return found


# Language preference when a constraint has several sh:message literals (pySHACL keeps them all
# in a set, so its choice varies between runs; ours does not).
MESSAGE_LANGS = ("en", "", "fr")


def pick_message(messages: tuple[Literal, ...] | list[Literal]) -> Literal | None:
    """Choose one message deterministically: English, then untagged, then French, then any."""
    if not messages:
        return None

    def rank(m: Literal) -> tuple[int, str]:
        lang = (m.language or "").lower()
        order = MESSAGE_LANGS.index(lang) if lang in MESSAGE_LANGS else len(MESSAGE_LANGS)
        return order, str(m)

    return min(messages, key=rank)
