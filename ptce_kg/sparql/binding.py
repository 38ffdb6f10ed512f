"""A query's form, parameters bound as ``VALUES``, and ``BASE``: SPARQL text a remote store sends.

The embedded store binds parameters through Oxigraph's own substitutions; a SPARQL 1.1 server
only takes text, so :func:`bind_values` puts the terms into the query, written by
:func:`ptce_kg.sparql.terms.sparql_term` (escaped: a value cannot change the query).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import URIRef
from rdflib.term import Node

from ptce_kg.errors import QueryError
from ptce_kg.sparql.lexer import group_end
from ptce_kg.sparql.lexer import tokens as sparql_tokens
from ptce_kg.sparql.terms import sparql_term as _term


def bound_term(term: Node) -> str:
    """``term`` as SPARQL text for a bound parameter.

    Raises:
        QueryError: for a blank node (VALUES cannot hold one) or an IRI SPARQL cannot write.
    """
    try:
        return _term(term)
    except ValueError as e:
        raise QueryError(f"cannot bind a parameter on a remote store: {e}") from e


_FORMS = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}


def _form(sparql: str) -> re.Match[str] | None:
    """The token of the query form keyword, before any group (``None``: no query form)."""
    for m in sparql_tokens(sparql):
        if m.lastgroup == "word" and m.group().lower() in _FORMS:
            return m
        if m.lastgroup == "open":
            break
    return None


def query_kind(sparql: str) -> str:
    """``"select"``, ``"ask"`` or ``"graph"`` from the query form keyword.

    Raises:
        QueryError: if no query form is found (an update, or not SPARQL).
    """
    form = _form(sparql)
    if form is None:
        raise QueryError(
            "not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE",
            hint="updates go through the update operation",
        )
    return _FORMS[form.group().lower()]


def bind_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """Insert ``VALUES (?a …) { (t …) }`` right after the opening brace of the WHERE group.

    The terms are joined first with the group's patterns, which for the queries ptce_kg runs is the
    same as substituting them; unlike a substitution, a variable is not bound inside a sub-SELECT.

    Raises:
        QueryError: a CONSTRUCT WHERE short form or a query without a WHERE group.
    """
    if not bindings:
        return sparql
    form = _form(sparql)
    if form is None:
        raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    after = form.end()
    if form.group().lower() == "construct":
        nxt = next(sparql_tokens(sparql, after), None)
        if nxt is not None and nxt.lastgroup == "word" and nxt.group().lower() == "where":
            raise QueryError(
                "bound parameters cannot be used with CONSTRUCT WHERE { … } on a remote store",
                hint="write CONSTRUCT { template } WHERE { patterns }",
            )
        if nxt is not None and nxt.lastgroup == "open":  # skip the template
            after = group_end(sparql, nxt.end()) + 1
    brace = next((m for m in sparql_tokens(sparql, after) if m.lastgroup == "open"), None)
    if brace is None:
        raise QueryError("bound parameters need a WHERE { … } group in the query")
    names = " ".join(f"?{name}" for name in bindings)
    row = " ".join(bound_term(term) for term in bindings.values())
    offset = brace.end()
    return f"{sparql[:offset]} VALUES ({names}) {{ ({row}) }} {sparql[offset:]}"


def with_base(sparql: str, base_iri: str | None) -> str:
    """``sparql`` with ``BASE <base_iri>`` in front (a BASE of its own, coming later, wins)."""
    if base_iri is None:
        return sparql
    return f"BASE {bound_term(URIRef(base_iri))}\n{sparql}"
