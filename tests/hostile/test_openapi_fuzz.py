"""schemathesis against the service's own OpenAPI schema, in process through ASGI, over the
bundled dataset: no generated request may get a 5xx or a response the schema does not allow.

schemathesis' ASGI client runs the app's lifespan around every request; the service's lifespan
starts and stops its query runner once, as uvicorn does, so the app is wrapped to ignore those
repeated lifespan events. Needs ``schemathesis>=4.3,<5`` (a test dependency); skipped without it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.formats import RdfFormat
from ptce_kg.store import open_store
from ptce_kg.web import create_app

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

FIXTURE = PROJECT_ROOT / "tests" / "data" / "dataset"  # the frozen test dataset
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class WithoutLifespan:
    """An ASGI app that answers lifespan events itself and passes everything else on."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def bundled_app() -> WithoutLifespan:
    """The service over the bundled dataset (ontology, territories, PTCE sources) in memory."""
    store = open_store(":memory:")
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    files: list[Path] = sorted((FIXTURE / "territories").glob("*.ttl")) + sorted(
        (FIXTURE / "ptce").glob("*.ttl")
    )
    for path in files:  # trusted, already validated data: the bulk path keeps this fast
        store.bulk_load(path, RdfFormat.TURTLE, f"https://w3id.org/ptce/graph/{path.stem}")
    return WithoutLifespan(create_app(Settings(store=":memory:", query_timeout=5.0), store))


schema = schemathesis.openapi.from_asgi("/openapi.json", bundled_app())


@schema.parametrize()  # type: ignore[untyped-decorator]
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_response_outside_the_schema(case: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


APP = bundled_app()


@pytest.mark.parametrize("url", ["/id/%22", "/graph/%22", "/resource?iri=", "/resource?iri=x"])
def test_an_invalid_iri_in_a_page_url_is_a_client_error(url: str) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(APP, raise_server_exceptions=False)
    response = client.get(url, headers={"Accept": "application/json"})
    assert 400 <= response.status_code < 500, response.status_code
