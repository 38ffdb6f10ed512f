"""Route helpers shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

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
