"""RDF terms written as SPARQL text: the one place a constant is put into a query.

Every caller that builds SPARQL from data (a remote store binding parameters, the SHACL-SPARQL
engine writing a shape's constants, the link finder listing keys) writes its terms here, escaped so
that a value can never change the query around it.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: What an IRI cannot hold in SPARQL's ``<…>`` (IRIREF), whitespace and controls included.
_NOT_IN_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20\s]')
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"))


def sparql_term(term: Node) -> str:
    """The SPARQL text of an IRI or a literal: ``<iri>``, ``"text"@lang``, ``"text"^^<type>``.

    >>> sparql_term(URIRef("https://w3id.org/ptce/id/ptce/le-damier"))
    '<https://w3id.org/ptce/id/ptce/le-damier>'
    >>> sparql_term(Literal('say "hi"', lang="en"))
    '"say \\\\"hi\\\\""@en'

    Raises:
        ValueError: for a blank node (a query cannot name one) or an IRI with a character SPARQL
            does not allow in ``<…>``.
    """
    if isinstance(term, URIRef):
        if _NOT_IN_IRI.search(str(term)):
            raise ValueError(f"invalid IRI {str(term)!r}: SPARQL cannot write it between < and >")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = str(term)
        for raw, escaped in _ESCAPES:
            text = text.replace(raw, escaped)
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f'"{text}"^^{sparql_term(URIRef(term.datatype))}'
        return f'"{text}"'
    raise ValueError(f"blank node {term} cannot be written in SPARQL: only an IRI or a literal can")
