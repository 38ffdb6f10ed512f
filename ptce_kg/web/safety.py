"""The endpoint's reach policy: a query may not make the server fetch anything.

SERVICE, and FROM / FROM NAMED naming a graph that is not in the store, are refused unless the IRI
is in the allow-list (``PTCE_SERVICE_ALLOWLIST``); a SERVICE on a variable always is. The clauses
are found in rdflib's parse tree by :func:`ptce_kg.sparql.reach.analyse_query` (IRIs resolved
against PREFIX / BASE and the request's base IRI, cached per query). Oxigraph would contact a
SERVICE endpoint as soon as the query is submitted, so this check runs before the engine sees
the query. Updates are checked by :func:`ptce_kg.pipeline.graph_writes.refuse_remote_access`
through the same parse-tree analysis (LOAD and SERVICE are never allowed in a write).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rdflib import URIRef
from starlette.concurrency import run_in_threadpool

from ptce_kg.errors import QueryRefused
from ptce_kg.sparql.reach import QueryReach, analyse_query
from ptce_kg.store import Store

__all__ = ["QueryReach", "analyse_query", "check_query_reach", "check_reach"]


def check_reach(
    reach: QueryReach, allowlist: Sequence[str], graph_exists: Callable[[str], bool]
) -> None:
    """Refuse a query that would reach outside the store.

    Raises:
        QueryRefused: for a SERVICE whose endpoint is not in ``allowlist`` (a variable endpoint is
            always refused), a LOAD, or a FROM / FROM NAMED graph neither in the store nor
            allow-listed.
    """
    allowed = set(allowlist)
    for service in reach.services:
        if service not in allowed:
            raise QueryRefused(
                f"SERVICE <{service}> refused: this endpoint makes no outbound request"
                if not service.startswith("?")
                else f"SERVICE {service} refused: a SERVICE endpoint must be a fixed, allowed IRI",
                hint="query the other endpoint yourself, or ask the operator to add it to "
                "PTCE_SERVICE_ALLOWLIST",
            )
    for source in reach.loads:
        raise QueryRefused(
            f"LOAD <{source}> refused: this endpoint makes no outbound request",
            hint="send the data itself (INSERT DATA, or PUT /store?graph=…)",
        )
    for keyword, graphs in (("FROM", reach.from_graphs), ("FROM NAMED", reach.from_named_graphs)):
        for graph in graphs:
            if graph not in allowed and not graph_exists(graph):
                raise QueryRefused(
                    f"{keyword} <{graph}> refused: no such graph in the store, and this endpoint "
                    "does not fetch graphs from the Web",
                    hint="name a graph of the store (see the service description at GET /sparql)",
                )


async def check_query_reach(
    store: Store, sparql: str, base_iri: str | None, allowlist: Sequence[str]
) -> QueryReach:
    """Analyse ``sparql`` and refuse it if it reaches outside ``store``; return what it names.

    Raises:
        QueryError: rdflib cannot parse a query naming SERVICE/FROM/LOAD.
        QueryRefused: see :func:`check_reach`.
    """
    reach = analyse_query(sparql, base_iri)
    if not (reach.from_graphs or reach.from_named_graphs):
        check_reach(reach, allowlist, lambda _: False)
        return reach

    def graph_exists(graph: str) -> bool:
        result = store.query("ASK { GRAPH ?g { ?s ?p ?o } }", bindings={"g": URIRef(graph)})
        return bool(result.boolean)

    await run_in_threadpool(check_reach, reach, allowlist, graph_exists)
    return reach
