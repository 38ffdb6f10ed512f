"""Application factory: the only place (with the CLI) that reads settings."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from ptce_kg.config import Settings
from ptce_kg.store import Store, open_store


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the service for ``settings`` (and an already open ``store``, for tests)."""
    st = store or open_store(settings.store)
    app = FastAPI(title="ptce_kg", summary="SPARQL endpoint and Linked Data of France's PTCE")
    app.state.settings = settings
    app.state.store = st

    @app.get("/health", summary="Liveness: the store answers")
    def health() -> dict[str, Any]:
        return {"status": "ok", "quads": st.quad_count()}

    return app
