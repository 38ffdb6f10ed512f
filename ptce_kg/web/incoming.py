"""What the HTTP handlers read from a request: its IRI, and its body within a cap.

Shared by the SPARQL endpoint (:mod:`ptce_kg.web.sparql`), the Graph Store and update handlers
(:mod:`ptce_kg.web.writes`) and the validation API; a module of its own so that those import it,
not each other.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import Request
from starlette.datastructures import URL

from ptce_kg.errors import BodyTooLargeError, QueryError
from ptce_kg.web.state import app_state


def request_iri(request: Request) -> str:
    """The IRI of the request without its query string: ``PTCE_PUBLIC_URL`` + path when set.

    It is the base IRI of queries and updates sent there, and the graph IRI of a Graph Store
    request by direct identification.
    """
    settings = app_state(request).settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + request.url.path
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    if host is not None and len(host) > 256:  # not worth caching
        return str(request.url.replace(query="", fragment=""))
    server = scope.get("server")
    server = None if server is None else (server[0], server[1])  # a list in some servers
    return _iri_of(scope.get("scheme", "http"), server, scope["path"], host)


@lru_cache(maxsize=256)
def _iri_of(scheme: str, server: tuple[str, int] | None, path: str, host: bytes | None) -> str:
    """Starlette's URL of a request without its query string, from what it depends on."""
    headers = [] if host is None else [(b"host", host)]
    scope = {"type": "http", "scheme": scheme, "server": server, "path": path, "headers": headers}
    return str(URL(scope=scope).replace(query="", fragment=""))


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing it past ``limit`` bytes (declared or counted).

    Raises:
        BodyTooLargeError: over the cap; QueryError: a malformed Content-Length.
    """
    declared = request.headers.get("content-length")
    hint = "send a shorter query, or ask the operator to raise PTCE_MAX_BODY_BYTES"
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise QueryError(f"invalid Content-Length {declared!r}") from None
        if size > limit:
            raise BodyTooLargeError(
                f"the request body ({size} bytes) is over {limit} bytes", hint=hint
            )
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise BodyTooLargeError(f"the request body is over {limit} bytes", hint=hint)
        chunks.append(chunk)
    return b"".join(chunks)
