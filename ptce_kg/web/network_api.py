"""The actor–PTCE network as a download: ``GET /api/network`` (docs/researchers.md).

``graph=bipartite|ptces|actors`` (actors and PTCEs; PTCEs linked by shared members; actors linked
by shared PTCEs), ``format=graphml|gexf|csv`` (default GraphML), ``lang=fr|en`` for labels (else
Accept-Language), ``as_of=YYYY-MM-DD`` to keep the memberships running on that day. The file
comes as an attachment named ``ptce-network-<graph>.<format>``. Errors: 400 for a bad parameter.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ptce_kg.network import FORMATS, GRAPHS, load_network
from ptce_kg.web.query_api import label_language
from ptce_kg.web.state import State

router = APIRouter(prefix="/api", tags=["networks"])


@router.get(
    "/network",
    summary="The actor–PTCE network and its projections (GraphML, GEXF, CSV edge list)",
    response_class=Response,
    responses={
        200: {"content": {media: {} for media in FORMATS.values()}},
        400: {"description": "An unknown graph, format or language, or a bad date"},
    },
)
async def get_network(
    request: Request,
    state: State,
    graph: Annotated[
        str, Query(description=f"One of {', '.join(GRAPHS)}", examples=["bipartite"])
    ] = "bipartite",
    format: Annotated[
        str, Query(description=f"One of {', '.join(FORMATS)}", examples=["gexf"])
    ] = "graphml",
    as_of: Annotated[
        date | None, Query(description="Keep the memberships running on this day")
    ] = None,
) -> Response:
    """Members (with roles, periods and categories as attributes) and PTCEs as a graph, or one
    of its projections, for Gephi, networkx or igraph."""
    lang = label_language(request)
    network = await run_in_threadpool(load_network, state.store, graph, lang=lang, as_of=as_of)
    body = network.serialize(format)
    charset = "; charset=utf-8"
    return Response(
        body.encode("utf-8"),
        headers={
            "content-type": FORMATS[format] + charset,
            "content-disposition": f'attachment; filename="ptce-network-{graph}.{format}"',
            "content-language": lang,
            "vary": "Accept-Language",
        },
    )
