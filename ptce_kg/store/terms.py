"""Conversions between pyoxigraph terms and rdflib terms (the interface speaks rdflib)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term: Any) -> Node:
    """Return the rdflib term for a pyoxigraph term (plain literals stay untyped)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def rdflib_converter() -> Callable[[Any], Node]:
    """:func:`to_rdflib` remembering what it converted, for the terms of one answer.

    An answer repeats the same terms on many rows (a PTCE's IRI on each of its rows): converting
    each once took a 24,528-row answer from 0.97 to 0.61 s (bench/research_queries.py).
    """
    seen: dict[Any, Node] = {}

    def convert(term: Any) -> Node:
        node = seen.get(term)
        if node is None:
            node = seen[term] = to_rdflib(term)
        return node

    return convert


def to_oxigraph(term: Node) -> Any:
    """Return the pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")
