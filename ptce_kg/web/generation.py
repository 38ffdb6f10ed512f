"""Write generations, and values computed from the store once per generation.

The app bumps its :class:`WriteGeneration` after every write; a :class:`GenerationCache` keeps what
was computed from the store (labels, profiles, graph sizes…) until the generation changes. This is
the one "cache until the next write" of the web app.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class WriteGeneration:
    """A counter bumped after every write (thread-safe)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.value = 0

    def bump(self) -> None:
        """Start a new generation: what was computed from the store before is stale."""
        with self._lock:
            self.value = next(self._counter)


class GenerationCache(Generic[K, V]):
    """Values computed from the store once per write generation (and key).

    One computation at a time: concurrent first requests wait for the first one instead of all
    paying for it. A new generation drops every value of the old one.
    """

    def __init__(self, generation: Callable[[], int]) -> None:
        self._generation = generation
        self._lock = threading.Lock()
        self._seen: int | None = None
        self._values: dict[K, V] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value of ``key`` for the store as it is now (blocking: call off the event loop)."""
        generation = self._generation()
        with self._lock:
            if generation != self._seen:
                self._values.clear()
                self._seen = generation
            if key not in self._values:
                self._values[key] = compute()
            return self._values[key]
