"""Application factory: the only place (with the CLI) that reads settings.

``create_app`` wires the store, the query runner (worker processes for an on-disk store, threads
otherwise; see :mod:`ptce_kg.execution`), CORS, metrics, the error handlers and the routers.
Metrics and CORS are plain ASGI layers outside FastAPI's own, and SPARQL queries are answered by
:class:`ptce_kg.web.sparql.SparqlFront` before FastAPI's routing (per-request overhead matters on
cheap queries; see the Endpoint section of ``bench/README.md``).
Handlers share one :class:`ptce_kg.web.state.AppState` (FastAPI's ``Depends``). The app registers a
write listener on its store: every write (through the app or not) bumps the write generation, so
query workers reopen their read-only view and generation-keyed caches refresh.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ptce_kg.config import Settings
from ptce_kg.errors import StoreError
from ptce_kg.execution import ProcessQueryRunner, open_query_runner
from ptce_kg.store import EmbeddedStore, Store, open_store
from ptce_kg.web import (
    compare_api,
    network_api,
    ontology_modules,
    pages,
    publish_api,
    query_api,
    sparql,
    validate_api,
    writes,
)
from ptce_kg.web.errors import install_error_handlers
from ptce_kg.web.generation import WriteGeneration
from ptce_kg.web.memory import AfterWrites
from ptce_kg.web.metrics import Metrics, MetricsMiddleware, metrics_router
from ptce_kg.web.publication import PublicationCache
from ptce_kg.web.routing import HeadAsGet
from ptce_kg.web.service_description import DescriptionCache
from ptce_kg.web.sparql import SparqlFront
from ptce_kg.web.state import AppState, install_state

log = logging.getLogger(__name__)


class PtceApp(FastAPI):
    """FastAPI with plain-ASGI layers in front of its own middleware stack (``front``)."""

    front: Callable[[ASGIApp], ASGIApp] | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return self.front(stack) if self.front is not None else stack


class Cors:
    """CORS as Starlette's ``CORSMiddleware`` does it, cheaper for requests without ``Origin``.

    Requests with an ``Origin`` header (the ones CORS is about) go through Starlette's middleware
    unchanged; the others only get ``Origin`` added to ``Vary``, as that middleware would do.
    """

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.full = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"origin" for name, _ in scope["headers"]):
            await self.full(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"vary"]
                varies = [v for k, v in message.get("headers", ()) if k.lower() == b"vary"]
                headers.append((b"vary", b", ".join([*varies, b"Origin"])))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_vary)


def _optimize(store: Store) -> None:
    """Compact an on-disk embedded store before serving it.

    Loads, entailments and the territory files each add small files to the store: a store made by
    ``ptce-kg load`` answered property-path queries 2x slower than the same quads loaded at once
    (10.4 vs 4.7 ms on ``path_within`` at 100k triples); compacted, as fast (0.3 s at 100k).
    """
    if not isinstance(store, EmbeddedStore) or store.location == ":memory:":
        return
    started = time.monotonic()
    try:
        store.optimize()
    except StoreError as e:  # not worth refusing to serve
        log.warning("%s", e)
        return
    log.info("store compacted in %.1f s", time.monotonic() - started)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the service for ``settings`` (and an already open ``store``, for tests)."""
    st = store or open_store(
        settings.store,
        user=settings.store_user,
        password=settings.store_password.get_secret_value() if settings.store_password else None,
    )
    runner = open_query_runner(st, settings.query_timeout, settings.query_workers)
    generation = WriteGeneration()

    after_writes = AfterWrites(st)

    def on_write() -> None:
        """The store's write listener: the one announcement of every write, the write routes'
        included (a write through the store is announced once, by the store)."""
        try:
            generation.bump()
            runner.note_write()
            after_writes()  # flush the write buffers now and then, give freed memory back
        except Exception:  # the write is done: report, do not turn it into a failure
            log.exception("the write listener failed after a write")

    st.add_write_listener(on_write)
    description_cache = DescriptionCache(st, lambda: generation.value)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.optimize_on_start and isinstance(runner, ProcessQueryRunner):
            await run_in_threadpool(_optimize, st)  # before the workers open their views
        await run_in_threadpool(runner.start)
        try:
            yield
        finally:
            st.remove_write_listener(on_write)
            await run_in_threadpool(runner.close)
            await run_in_threadpool(writes.close_writes, state)

    app = PtceApp(
        title="ptce_kg",
        summary="SPARQL endpoint and Linked Data of France's PTCE",
        lifespan=lifespan,
    )
    state = AppState(
        settings=settings,
        store=st,
        query_runner=runner,
        generation=generation,
        on_write=on_write,  # the store's write listener, registered above
        description_cache=description_cache,
        publication=PublicationCache(settings, st, description_cache),
    )
    install_state(app, state)

    install_error_handlers(app)
    metrics = Metrics()

    @app.get("/health", summary="Liveness: the store answers", tags=["operations"])
    def health() -> dict[str, Any]:
        return {"status": "ok", "quads": description_cache.quads()}

    app.include_router(publish_api.router)  # before sparql: it serves /.well-known/void
    app.include_router(sparql.router)
    app.include_router(compare_api.router)
    app.include_router(validate_api.router)
    app.include_router(network_api.router)
    app.include_router(query_api.build_router(settings.queries_dir))
    app.include_router(metrics_router(metrics, description_cache.quads))
    app.include_router(ontology_modules.router)  # /ontology/<version>, /ontology/<module>
    pages.install_pages(app)  # Linked-Data pages, UI, /static (last: /id/… catch-alls)
    # the write routes are always there: without a token they answer 403 "writes are disabled"
    app.include_router(writes.router)

    def front(stack: ASGIApp) -> ASGIApp:
        """Metrics, then CORS (so error responses carry it too), then HEAD answered as GET
        without its body, then the /sparql front."""
        layer: ASGIApp = HeadAsGet(SparqlFront(stack))
        if settings.cors_origins:
            layer = Cors(layer, settings.cors_origins)
        return MetricsMiddleware(layer, metrics=metrics)

    app.front = front
    return app
