"""What validation produces: severities, results and the report, with SHACL paths as data.

Both engines (:mod:`ptce_kg.validate.sparql_engine`, and pySHACL in :mod:`ptce_kg.validate`) build
these values; :mod:`ptce_kg.validate` re-exports them. A module of its own so that the engines and
the shapes reader import it, not the package that imports them.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ptce_kg.errors import SourceError
from ptce_kg.namespaces import SH


class Severity(enum.IntEnum):
    """SHACL severities, ordered so that ``>=`` means "at least as serious"."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @classmethod
    def from_iri(cls, iri: str) -> Severity:
        """Return the severity of ``sh:Violation``, ``sh:Warning`` or ``sh:Info``."""
        return {str(SH.Info): cls.INFO, str(SH.Warning): cls.WARNING}.get(iri, cls.VIOLATION)

    @classmethod
    def from_name(cls, name: str) -> Severity:
        """Return the severity named ``violation``, ``warning`` or ``info``."""
        try:
            return cls[name.strip().upper()]
        except KeyError as e:
            raise SourceError(f"unknown severity {name!r}: use violation, warning or info") from e

    @property
    def iri(self) -> URIRef:
        """The SHACL IRI of this severity."""
        return {
            Severity.INFO: SH.Info,
            Severity.WARNING: SH.Warning,
            Severity.VIOLATION: SH.Violation,
        }[self]


# A SHACL path as data: an IRI, or ``(operator, operand)`` with operator one of "sequence" and
# "alternative" (operand: a tuple of paths), "inverse", "zeroOrMore", "oneOrMore", "zeroOrOne".
PathExpr = URIRef | tuple[str, Any]


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: what, where and which shape said so.

    ``focus``, ``value`` and ``path`` are text (IRIs, ``_:id``, lexical forms) for display;
    ``focus_node`` and ``value_node`` keep the RDF terms, so that results differing only by a
    language tag or a datatype ("Berg" and "Berg"@de, 4 and 4.0) stay distinct, and
    ``path_expr`` keeps the SHACL path when it is not a single predicate. ``severity_iri`` is the
    declared ``sh:severity`` when it is none of the three SHACL severities (which then count as
    ``sh:Violation``).
    """

    severity: Severity
    focus: str
    message: str
    shape: str
    path: str | None = None
    value: str | None = None
    constraint: str | None = None
    focus_node: Node | None = None
    value_node: Node | None = None
    path_expr: PathExpr | None = None
    severity_iri: URIRef | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return {
            "severity": self.severity.name.lower(),
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "shape": self.shape,
            "constraint": self.constraint,
        }


@dataclass
class ValidationReport:
    """The outcome of validating one source: ``conforms`` is False when any violation exists."""

    results: list[ValidationResult] = field(default_factory=list)
    source: str | None = None

    @property
    def conforms(self) -> bool:
        """True when there is no ``sh:Violation``."""
        return not any(r.severity is Severity.VIOLATION for r in self.results)

    def at_least(self, severity: Severity) -> list[ValidationResult]:
        """Return the results of ``severity`` or more serious."""
        return [r for r in self.results if r.severity >= severity]

    @property
    def violations(self) -> list[ValidationResult]:
        """The results that reject a source."""
        return [r for r in self.results if r.severity is Severity.VIOLATION]

    @property
    def warnings(self) -> list[ValidationResult]:
        """The results that are reported and do not block."""
        return [r for r in self.results if r.severity is Severity.WARNING]

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "source": self.source,
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [r.as_dict() for r in self.results],
        }

    def to_json(self) -> str:
        """Return the report as JSON."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def to_graph(self) -> Graph:
        """Return the report as a SHACL ``sh:ValidationReport`` graph."""
        graph = Graph()
        graph.bind("sh", SH)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, r.severity_iri or r.severity.iri))
            focus = r.focus_node if r.focus_node is not None else _node(r.focus)
            graph.add((node, SH.focusNode, focus))
            graph.add((node, SH.resultMessage, Literal(r.message)))
            graph.add((node, SH.sourceShape, _node(r.shape)))
            if r.path_expr is not None:
                graph.add((node, SH.resultPath, add_path(graph, r.path_expr)))
            elif r.path:
                graph.add((node, SH.resultPath, URIRef(r.path)))
            if r.value_node is not None:
                graph.add((node, SH.value, r.value_node))
            elif r.value is not None:
                graph.add((node, SH.value, Literal(r.value)))
            if r.constraint:
                graph.add((node, SH.sourceConstraintComponent, URIRef(r.constraint)))
        return graph

    def to_text(self) -> str:
        """Return the report as readable lines (one per result, violations first)."""
        lines = []
        for r in sorted(self.results, key=lambda r: (-r.severity, r.focus, r.path or "")):
            where = f" path {r.path}" if r.path else ""
            value = f" value {r.value!r}" if r.value is not None else ""
            lines.append(
                f"{r.severity.name.lower()}: {r.focus}{where}{value}: {r.message} [{r.shape}]"
            )
        return "\n".join(lines)


_PATH_PREDICATES = {
    "inverse": SH.inversePath,
    "zeroOrMore": SH.zeroOrMorePath,
    "oneOrMore": SH.oneOrMorePath,
    "zeroOrOne": SH.zeroOrOnePath,
    "alternative": SH.alternativePath,
}


def add_path(graph: Graph, path: PathExpr) -> Node:
    """Write a SHACL path (see :data:`PathExpr`) into ``graph``; return its node."""
    if isinstance(path, URIRef):
        return path
    operator, operand = path
    if operator == "sequence":
        return _add_list(graph, [add_path(graph, p) for p in operand])
    node = BNode()
    if operator == "alternative":
        graph.add(
            (node, SH.alternativePath, _add_list(graph, [add_path(graph, p) for p in operand]))
        )
    else:
        graph.add((node, _PATH_PREDICATES[operator], add_path(graph, operand)))
    return node


def _add_list(graph: Graph, items: list[Node]) -> Node:
    head: Node = RDF.nil
    for item in reversed(items):
        cell = BNode()
        graph.add((cell, RDF.first, item))
        graph.add((cell, RDF.rest, head))
        head = cell
    return head


def _node(text: str) -> Node:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)
