"""The server's malloc arena cap and trim (glibc on Linux, as on the machines this runs on)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ptce_kg.store import open_store
from ptce_kg.web import memory


def test_the_arena_cap_is_set_on_glibc_unless_the_operator_chose(monkeypatch: pytest.MonkeyPatch):
    assert sys.platform.startswith("linux") and memory._libc() is not None
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert memory.cap_malloc_arenas(8) is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert memory.cap_malloc_arenas() is False


def test_each_write_gives_freed_memory_back(monkeypatch: pytest.MonkeyPatch):
    from ptce_kg.config import Settings
    from ptce_kg.web import app as app_module

    calls: list[bool] = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: bool(calls.append(True)))
    application = app_module.create_app(Settings(store=":memory:"))
    application.state.on_write()
    application.state.on_write()
    assert calls == [True, True]


def test_an_on_disk_store_is_flushed_every_few_writes(tmp_path: Path):
    store = open_store(str(tmp_path / "store"))
    try:
        after = memory.AfterWrites(store, flush_every=3)
        flushed: list[int] = []
        real_flush = store.flush
        store.flush = lambda: flushed.append(1) or real_flush()  # type: ignore[method-assign]
        for _ in range(7):
            after()
        assert len(flushed) == 2 and after.flushes == 2
    finally:
        store.close()


def test_an_in_memory_store_is_never_flushed():
    after = memory.AfterWrites(open_store(":memory:"), flush_every=1)
    after()
    assert after.flushes == 0


def test_the_store_is_compacted_before_serving_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from ptce_kg.store.embedded import EmbeddedStore
    from ptce_kg.web import app as app_module

    store = open_store(str(tmp_path / "store"))
    try:
        for i in range(3):  # three writes: three small files
            store.replace_graphs(
                {f"http://example.org/g{i}": b"<http://a> <http://b> <http://c> .\n"}
            )
        before = store.quad_count()
        calls: list[int] = []
        real = EmbeddedStore.optimize
        monkeypatch.setattr(EmbeddedStore, "optimize", lambda self: calls.append(1) or real(self))
        app_module._optimize(store)
        assert calls == [1] and store.quad_count() == before
        app_module._optimize(open_store(":memory:"))  # nothing to compact: no call, no error
        assert calls == [1]
    finally:
        store.close()
