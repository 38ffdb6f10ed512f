"""The app's current publication (``ptce-kg publish``'s documents) and VoID description.

Built on the first request into a temporary directory owned by the cache and kept while the store
does not change: the key is the store's quad count and graph sizes (counted once per write
generation by the app's :class:`DescriptionCache`) and the public base URL. A write makes the next
request build a new one and drop the old; the directory goes when the cache does.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

from rdflib import Graph

from ptce_kg.config import Settings
from ptce_kg.publish import (
    Publication,
    PublishOptions,
    build_void,
    publish,
    remove_publication,
)
from ptce_kg.store import Store
from ptce_kg.web.service_description import DescriptionCache


class PublicationCache:
    """The app's current publication and VoID description, rebuilt when the store changes."""

    def __init__(self, settings: Settings, store: Store, sizes: DescriptionCache) -> None:
        self._settings = settings
        self._store = store
        self._sizes = sizes
        self._lock = threading.Lock()
        self._directory: Path | None = None
        self._publication: tuple[str, Publication] | None = None
        self._void: tuple[str, Graph] | None = None

    @property
    def directory(self) -> Path:
        """The temporary directory the publications are built in (made on first use, removed
        with the cache)."""
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="ptce-publish-"))
            weakref.finalize(self, shutil.rmtree, self._directory, True)
        return self._directory

    def _options(self, base_url: str) -> PublishOptions:
        return PublishOptions(
            base_iri=self._settings.base_iri,
            base_url=base_url,
            ontology_dir=self._settings.ontology_dir,
            shapes_dir=self._settings.shapes_dir,
            contact_email=self._settings.contact_email,
        )

    def _key(self, base_url: str) -> str:
        sizes, quads = self._sizes.sizes()
        text = json.dumps([quads, sorted(sizes.items()), base_url])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def publication(self, base_url: str) -> Publication:
        """The publication of the store as it is now (blocking: call off the loop)."""
        key = self._key(base_url)
        with self._lock:
            if self._publication is None or self._publication[0] != key:
                old = self._publication[1].directory if self._publication else None
                built = publish(self._store, self.directory / key, self._options(base_url))
                self._publication = (key, built)
                if old is not None and old != built.directory:
                    remove_publication(old)
            return self._publication[1]

    def void(self, base_url: str) -> Graph:
        """The VoID description of the store as it is now (blocking: call off the loop)."""
        key = self._key(base_url)
        with self._lock:
            if self._void is None or self._void[0] != key:
                graph, _stats = build_void(self._store, self._options(base_url))
                self._void = (key, graph)
            return self._void[1]
