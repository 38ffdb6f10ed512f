"""Application factory: the only place (with the CLI) that reads settings.

``create_app`` wires the store, the query runner (worker processes for an on-disk store, threads
otherwise; see :mod:`ptce_kg.web.execution`), CORS, metrics, the error handlers and the routers.
Writes reach the store through ``app.state.store``, a wrapper that bumps the write generation so
query workers reopen their read-only view.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware

from ptce_kg.config import Settings
from ptce_kg.store import Store, open_store
from ptce_kg.web import compare_api, pages, publish_api, query_api, sparql, writes
from ptce_kg.web.errors import install_error_handlers
from ptce_kg.web.execution import WriteNotifyingStore, open_query_runner
from ptce_kg.web.metrics import Metrics, MetricsMiddleware, metrics_router
from ptce_kg.web.service_description import DescriptionCache


class WriteGeneration:
    """A counter bumped after every write (thread-safe)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.value = 0

    def bump(self) -> None:
        with self._lock:
            self.value = next(self._counter)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the service for ``settings`` (and an already open ``store``, for tests)."""
    raw_store = store or open_store(
        settings.store,
        user=settings.store_user,
        password=settings.store_password.get_secret_value() if settings.store_password else None,
    )
    runner = open_query_runner(raw_store, settings.query_timeout, settings.query_workers)
    generation = WriteGeneration()

    def on_write() -> None:
        generation.bump()
        runner.note_write()

    st = WriteNotifyingStore(raw_store, on_write)
    description_cache = DescriptionCache(st, lambda: generation.value)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(runner.start)
        try:
            yield
        finally:
            await run_in_threadpool(runner.close)

    app = FastAPI(
        title="ptce_kg",
        summary="SPARQL endpoint and Linked Data of France's PTCE",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = st
    app.state.query_runner = runner
    app.state.write_generation = generation
    app.state.on_write = on_write  # called by ptce_kg.web.writes after each committed write
    app.state.description_cache = description_cache

    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            max_age=600,
        )
    metrics = Metrics()
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.state.metrics = metrics

    @app.get("/health", summary="Liveness: the store answers", tags=["operations"])
    def health() -> dict[str, Any]:
        return {"status": "ok", "quads": description_cache.quads()}

    app.include_router(publish_api.router)  # before sparql: it serves /.well-known/void
    app.include_router(sparql.router)
    app.include_router(compare_api.router)
    app.include_router(query_api.build_router(settings.queries_dir))
    app.include_router(metrics_router(metrics, description_cache.quads))
    pages.install_pages(app)  # Linked-Data pages, UI, /static (last: /id/… catch-alls)
    # the write routes are always there: without a token they answer 403 "writes are disabled"
    app.include_router(writes.router)
    return app
