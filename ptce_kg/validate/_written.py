"""The data as written, where Oxigraph's store keeps it otherwise.

Oxigraph stores XSD literals in canonical form: ``"4.0"^^xsd:decimal`` as ``"4"``, ``"05"`` as
``"5"``, and the types derived from ``xsd:integer`` (``xsd:int``, ``xsd:byte``, the
(non)negative, positive and unsigned integers…) as ``xsd:integer``, ``xsd:dateTimeStamp`` as
``xsd:dateTime``. SHACL validates the data graph as written: ``sh:datatype xsd:int`` accepts
``"5"^^xsd:int`` and ``sh:datatype xsd:integer`` does not, ``"300"^^xsd:byte`` is ill-typed, and
``sh:value`` is the literal of the data. :class:`Written` keeps, for the triples whose literal the
store changed, the literal as the parser read it, so that the engine can decide ``sh:datatype`` and
report values on the data as written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

_XSD = "http://www.w3.org/2001/XMLSchema#"
_KEPT = {_XSD + "string", _XSD + "anyURI", _XSD + "normalizedString", _XSD + "token"}
_DATE_TIME_STAMP = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


class Written:
    """The literals of the data as written, keyed by the triple as the store keeps it."""

    def __init__(self) -> None:
        self.by_triple: dict[tuple[Any, Any, Any], list[Any]] = {}
        self.by_literal: dict[Any, set[Any]] = {}

    @classmethod
    def from_quads(cls, quads: Iterable[Any]) -> Written:
        """Record the literals of ``quads`` (as parsed, e.g. by ``pyoxigraph.parse``) that the
        store would keep in another form."""
        written = cls()
        triples = [
            (q.subject, q.predicate, q.object)
            for q in quads
            if isinstance(q.object, ox.Literal)
            and q.object.datatype is not None
            and q.object.datatype.value.startswith(_XSD)
            and q.object.datatype.value not in _KEPT
        ]
        if not triples:
            return written
        scratch = ox.Store()
        predicate = ox.NamedNode("urn:x-ptce-written:p")
        scratch.extend(
            ox.Quad(ox.NamedNode(f"urn:x-ptce-written:{i}"), predicate, o)
            for i, (_s, _p, o) in enumerate(triples)
        )
        for quad in scratch:
            i = int(quad.subject.value.rsplit(":", 1)[1])
            s, p, o = triples[i]
            if quad.object != o:
                written.by_triple.setdefault((s, p, quad.object), []).append(o)
                written.by_literal.setdefault(quad.object, set()).add(o)
        return written

    def __bool__(self) -> bool:
        return bool(self.by_literal)

    def forms(self, focus: Any, path: str | None, value: Any) -> list[Any]:
        """The literals as written behind the stored ``value`` of ``focus`` through ``path``
        (a predicate IRI, or None); ``[value]`` when the store kept it as written."""
        if not isinstance(value, ox.Literal) or value not in self.by_literal:
            return [value]
        if path is not None:
            found = self.by_triple.get((focus, ox.NamedNode(path), value))
            if found:
                return found
        candidates = self.by_literal[value]
        return sorted(candidates, key=str) if len(candidates) == 1 else [value]


def has_datatype(literal: Any, datatype: str) -> bool:
    """True when the literal as written is a well-formed literal of ``datatype``."""
    if not isinstance(literal, ox.Literal) or literal.datatype is None:
        return False
    if literal.datatype.value != datatype:
        return False
    if datatype == _XSD + "dateTimeStamp":
        return _DATE_TIME_STAMP.match(literal.value) is not None
    rdflib_log = logging.getLogger("rdflib.term")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.CRITICAL)  # rdflib logs every lexical form it cannot convert
    try:
        ill_typed = Literal(literal.value, datatype=URIRef(datatype)).ill_typed
    finally:
        rdflib_log.setLevel(level)
    return ill_typed is not True
