"""The service's state: one typed object per app, handed to handlers by FastAPI's ``Depends``.

:func:`ptce_kg.web.app.create_app` builds one :class:`AppState` and installs it as the app's
``state``; a handler asks for it with a parameter typed :data:`State` (or, outside FastAPI's
routing, calls :func:`app_state`). What is computed from the store and kept until the next write
is kept in a :class:`GenerationCache` keyed by the :class:`WriteGeneration`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from rdflib import Graph, Literal

from ptce_kg.compare import PTCEProfile
from ptce_kg.config import Settings
from ptce_kg.execution import QueryRunner
from ptce_kg.ingest.isolation import ParseChildren
from ptce_kg.publish.dumps import Part, plan_parts
from ptce_kg.store import Store
from ptce_kg.web.generation import GenerationCache, WriteGeneration
from ptce_kg.web.publication import PublicationCache
from ptce_kg.web.service_description import DescriptionCache


@dataclass(repr=False)
class StoreIndex:
    """Labels of every IRI (skos:prefLabel, rdfs:label, dcterms:title) and the IRIs described."""

    labels: dict[str, list[Literal]]
    described: set[str]


@dataclass(eq=False)
class WriteState:
    """The writers' lock, the shapes writes are validated against (read once), and the parse
    child started ahead for the next request body."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    shapes: Graph | None = None
    parse_children: ParseChildren = field(default_factory=ParseChildren)


@dataclass(eq=False)
class AppState:
    """Everything the handlers of one app share.

    ``on_write`` is ``store``'s write listener: the store calls it after each write through it,
    the write routes' included, which announce nothing themselves.
    """

    settings: Settings
    store: Store
    query_runner: QueryRunner
    generation: WriteGeneration
    on_write: Callable[[], object]
    description_cache: DescriptionCache
    publication: PublicationCache
    writer: WriteState = field(default_factory=WriteState)
    #: Labels of every IRI and the IRIs the store describes (one key: ``None``).
    index: GenerationCache[None, StoreIndex] = field(init=False)
    #: Every PTCE's profile, by language and day.
    profiles: GenerationCache[tuple[str, date], list[PTCEProfile]] = field(init=False)
    #: The store's source graphs grouped as the publication's parts (one key: ``None``).
    parts: GenerationCache[None, list[Part]] = field(init=False)

    def __post_init__(self) -> None:
        self.index = GenerationCache(self._generation)
        self.profiles = GenerationCache(self._generation)
        self.parts = GenerationCache(self._generation)

    def source_parts(self) -> list[Part]:
        """The store's parts as they are now (blocking: planned again after each write)."""
        return self.parts.get(None, lambda: plan_parts(self.store))

    def _generation(self) -> int:
        return self.generation.value


def install_state(app: FastAPI, state: AppState) -> None:
    """Make ``state`` the app's state (Starlette's untyped ``State`` is not used)."""
    app.state = state  # type: ignore[assignment]


def app_state(request: Request) -> AppState:
    """The state of the app serving ``request`` (a FastAPI dependency)."""
    state = request.app.state
    if not isinstance(state, AppState):
        raise TypeError("this app was not built by ptce_kg.web.create_app: it has no AppState")
    return state


#: A handler parameter typed ``State`` receives the app's :class:`AppState`.
State = Annotated[AppState, Depends(app_state)]
