"""What a SPARQL request would make the engine reach outside the store, read from its parse tree.

Oxigraph contacts a SERVICE endpoint, or fetches a LOAD source, as soon as it runs the request, so
the request is read first by rdflib's parser (never by the engine under guard): SERVICE clauses
(in subqueries, EXISTS, OPTIONAL… too), LOAD operations and FROM / FROM NAMED (USING / USING NAMED
in updates) are collected, their IRIs resolved against PREFIX / BASE and the request's base IRI as
the engine will resolve them. The policy (what is allowed) is the caller's: the endpoint's
:mod:`ptce_kg.web.safety` for queries, :func:`ptce_kg.pipeline.graph_writes.refuse_remote_access`
for updates.

Before anything parses it, a request is screened for nesting (:func:`screen_sparql`): Oxigraph's
SPARQL parser overflowed its stack on ~5,000 nested groups or parentheses, and rdflib's recurses.

Keywords cannot be escaped, so a request whose text holds none of ``service``, ``from``, ``load``
(and no ``\\u`` escape, which may spell an IRI) skips the parse. Results are cached per text.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseResults
from pyparsing.exceptions import ParseBaseException
from rdflib import Literal, URIRef
from rdflib.plugins.sparql.algebra import (
    translatePName,
    translatePrologue,
    translateUpdate,
    traverse,
)
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from ptce_kg.errors import QueryError
from ptce_kg.nesting import BRACKETS, MAX_NESTING_DEPTH, find_too_deep
from ptce_kg.sparql.syntax import prefix_hint, syntax_error_at

log = logging.getLogger(__name__)

_MAY_REACH_OUT = re.compile(r"service|from|load|\\u|\\U", re.IGNORECASE)


@dataclass(frozen=True)
class QueryReach:
    """What a request names outside its own patterns.

    ``services``: SERVICE endpoints (a SERVICE on a variable is recorded as ``"?name"``);
    ``from_graphs`` / ``from_named_graphs``: FROM / FROM NAMED (or USING / USING NAMED) graphs;
    ``loads``: the sources of LOAD operations (updates only).
    """

    services: tuple[str, ...] = ()
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()


def _walk(node: object, found: dict[str, list[str]]) -> None:
    """Collect SERVICE, LOAD and dataset clauses anywhere in rdflib's parse tree."""
    if isinstance(node, CompValue):
        fields = dict(node)  # CompValue.get returns the key itself for a missing key
        if node.name == "ServiceGraphPattern":
            term = fields.get("term")
            found["services"].append(str(term) if isinstance(term, URIRef) else f"?{term}")
        elif node.name in ("DatasetClause", "UsingClause"):
            if fields.get("default") is not None:
                found["from"].append(str(fields["default"]))
            if fields.get("named") is not None:
                found["named"].append(str(fields["named"]))
        elif node.name == "Load":
            found["loads"].append(str(fields.get("iri")))
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list | tuple | ParseResults):
        for item in node:
            _walk(item, found)


def _syntax_error(e: ParseBaseException, what: str) -> QueryError:
    # found by the safety check, which reads the requests naming SERVICE, FROM or LOAD
    return syntax_error_at(str(e.pstr), e.lineno, e.col, e.msg)


def _resolve(prologue_tree: Any, body: Any, base_iri: str | None, previous: Any = None) -> Any:
    """Resolve prefixed names and relative IRIs of ``body`` (returns the prologue and the body)."""
    try:
        prologue = translatePrologue(prologue_tree, base_iri, None, previous)
        return prologue, traverse(body, functools.partial(translatePName, prologue=prologue))
    except Exception as e:  # rdflib raises a bare Exception for an unknown prefix
        raise QueryError(f"SPARQL error: {e}", hint="declare every prefix with PREFIX") from e


def _reach(found: dict[str, list[str]]) -> QueryReach:
    return QueryReach(
        tuple(found["services"]), tuple(found["from"]), tuple(found["named"]), tuple(found["loads"])
    )


def _found() -> dict[str, list[str]]:
    return {"services": [], "from": [], "named": [], "loads": []}


def screen_sparql(sparql: str, what: str = "query", max_depth: int = MAX_NESTING_DEPTH) -> None:
    """Refuse a query or update whose brackets nest deeper than ``max_depth``.

    Raises:
        QueryError: with the line and column of the bracket that went over.
    """
    too_deep = find_too_deep(sparql, "sparql", max_depth)
    if too_deep is not None:
        raise QueryError(
            f"SPARQL error: the {what} nests {BRACKETS['sparql']} more than {max_depth} deep "
            f"(line {too_deep.line}, column {too_deep.column}); refused before parsing",
            hint="write it flatter (fewer nested groups, parentheses or blank nodes)",
        )


@functools.lru_cache(maxsize=2048)
def analyse_query(sparql: str, base_iri: str | None = None) -> QueryReach:
    """Return what the query ``sparql`` reaches outside the store (cached per text and base).

    Raises:
        QueryError: the query nests too deep (:func:`screen_sparql`), or mentions
            SERVICE/FROM/LOAD (or escapes) and rdflib cannot parse it; the message carries the
            line and column.
    """
    screen_sparql(sparql, "query")
    if not _MAY_REACH_OUT.search(sparql):
        return QueryReach()
    try:
        tree = parseQuery(sparql)
    except ParseBaseException as e:
        raise _syntax_error(e, "queries") from e
    try:
        _, tree[1] = _resolve(tree[0], tree[1], base_iri)
    except QueryError as e:
        raise QueryError(e.message, hint=prefix_hint(sparql) or e.hint) from e
    found = _found()
    _walk(tree, found)
    return _reach(found)


@functools.lru_cache(maxsize=512)
def analyse_update(sparql: str, base_iri: str | None = None) -> QueryReach:
    """Return what the update ``sparql`` reaches outside the store (cached per text and base).

    Raises:
        QueryError: the update nests too deep (:func:`screen_sparql`), or mentions
            SERVICE/FROM/LOAD (or escapes) and rdflib cannot parse it.
    """
    screen_sparql(sparql, "update")
    if not _MAY_REACH_OUT.search(sparql):
        return QueryReach()
    try:
        tree = parseUpdate(sparql)
    except ParseBaseException as e:
        raise _syntax_error(e, "updates") from e
    found = _found()
    prologue = None
    fields = dict(tree)  # CompValue.get returns the key itself for a missing key
    for prologue_tree, request in zip(
        fields.get("prologue") or [], fields.get("request") or [], strict=False
    ):
        prologue, resolved = _resolve(prologue_tree, request, base_iri, prologue)
        _walk(resolved, found)
    return _reach(found)


def inserted_typed_literals(sparql: str, base_iri: str | None = None) -> list[tuple[Any, ...]]:
    """The triples an update's ``INSERT DATA`` and ``INSERT`` templates write whose object is a
    typed literal, as the update writes it (``"5"^^xsd:int``, which a store may keep as
    ``xsd:integer``): validation decides ``sh:datatype`` on them. Subjects and predicates may be
    variables. ``[]`` when the update holds no ``^^`` or rdflib cannot read it (the store's form
    is validated then).
    """
    if "^^" not in sparql:
        return []
    try:
        update = translateUpdate(parseUpdate(sparql), base=base_iri)
    except Exception:
        log.debug("update not read by rdflib: literals validated in the store's form")
        return []
    found: list[tuple[Any, ...]] = []
    for operation in update.algebra:
        fields = dict(operation)  # CompValue.get returns the key itself for a missing key
        part = fields if operation.name == "InsertData" else None
        if operation.name == "Modify" and isinstance(fields.get("insert"), CompValue):
            part = dict(fields["insert"])
        if part is None:
            continue
        groups = [part.get("triples") or [], *(dict(part.get("quads") or {}).values())]
        for triples in groups:
            found.extend(
                t for t in triples if isinstance(t[2], Literal) and t[2].datatype is not None
            )
    return found
