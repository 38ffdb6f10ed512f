"""Route helpers shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Endpoint = Callable[..., Any]


def add_get_and_head(router: APIRouter, path: str, endpoint: Endpoint, **kwargs: Any) -> None:
    """Serve ``endpoint`` for GET (documented in OpenAPI) and HEAD (same answer, no body).

    One route for both methods would appear twice in the OpenAPI schema under one operation id;
    the HEAD twin is registered apart and hidden from the schema.
    """
    router.add_api_route(path, endpoint, methods=["GET"], **kwargs)
    head = {k: v for k, v in kwargs.items() if k not in ("name", "operation_id")}
    head["include_in_schema"] = False
    router.add_api_route(path, endpoint, methods=["HEAD"], **head)


def get_and_head(router: APIRouter, path: str, **kwargs: Any) -> Callable[[Endpoint], Endpoint]:
    """Decorator form of :func:`add_get_and_head`."""

    def register(endpoint: Endpoint) -> Endpoint:
        add_get_and_head(router, path, endpoint, **kwargs)
        return endpoint

    return register


class HeadAsGet:
    """ASGI layer: answer HEAD wherever GET is answered (RFC 9110: the same status and headers,
    no body).

    A HEAD request goes in as GET and its answer's body is dropped on the way out, so no route
    needs a HEAD twin of its own (FastAPI routes answered HEAD with 405 unless they had one).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
