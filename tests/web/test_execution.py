"""Query execution: the hard time limit in worker processes, parallelism, freshness, caps."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest

from ptce_kg.errors import QueryError, QueryTimeout, ResultTooLarge
from ptce_kg.execution import (
    ProcessQueryRunner,
    QueryAnswer,
    QueryJob,
    ThreadQueryRunner,
    count_result_rows,
    run_job,
)
from ptce_kg.store import Store, open_store

from .conftest import G1, MakeClient, fill, synthetic_triples

MEDIA = {
    "select": "application/sparql-results+json",
    "ask": "application/sparql-results+json",
    "graph": "text/turtle",
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Pure CPU, pairs of subjects compared as strings: ~0.4 s on 300 triples on disk, 600 in memory.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?a) < STR(?d)) }"


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of ``pid`` from /proc, or ``None`` when the process is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    return int(fields[11]) + int(fields[12])


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return cpu_ticks(pid) is not None


@pytest.fixture
def big_disk_store(tmp_path: Path) -> Store:
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: synthetic_triples(0, 1000)})  # 2,000 triples
    return store


@pytest.fixture
def runner(big_disk_store: Store):
    pool = ProcessQueryRunner(big_disk_store.location, timeout=1.0, workers=2)
    pool.wait_ready()
    yield pool
    pool.close()


def test_a_runaway_query_is_stopped_and_its_worker_killed(runner: ProcessQueryRunner):
    busy = set(runner.worker_pids)
    assert len(busy) == 2
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="was stopped"):
        asyncio.run(runner.run(QueryJob(RUNAWAY, MEDIA)))
    assert time.monotonic() - started < 5  # 1 s limit; generous margin for a loaded machine
    killed = busy - set(runner.worker_pids)
    assert len(killed) == 1
    (pid,) = killed
    assert not is_alive(pid)
    # the CPU is free: no worker (the replacement included) keeps burning time
    runner.wait_ready()
    before = {p: cpu_ticks(p) for p in runner.worker_pids}
    time.sleep(0.5)
    after = {p: cpu_ticks(p) for p in before}
    assert all(after[p] is not None and after[p] - before[p] <= 5 for p in before), (before, after)
    # and the pool still answers
    answer = asyncio.run(runner.run(QueryJob("ASK { ?s ?p ?o }", MEDIA)))
    assert answer.body == b'{"head":{},"boolean":true}'


def test_the_endpoint_returns_503_for_a_runaway_query(make_client: MakeClient, big_disk_store):
    client = make_client(big_disk_store, query_timeout=1.0)
    client.app.state.query_runner.wait_ready()
    pids = set(client.app.state.query_runner.worker_pids)
    response = client.get("/sparql", params={"query": RUNAWAY})
    assert response.status_code == 503
    assert response.json()["error"] == "query_timeout"
    assert [p for p in pids if not is_alive(p)]


def _overlap(a: QueryAnswer, b: QueryAnswer) -> bool:
    return max(a.started, b.started) < min(a.finished, b.finished)


def test_two_queries_run_in_parallel_worker_processes(tmp_path: Path):
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: synthetic_triples(0, 150)})
    pool = ProcessQueryRunner(store.location, timeout=60.0, workers=2)
    pool.wait_ready()

    async def both() -> list[QueryAnswer]:
        return list(await asyncio.gather(*(pool.run(QueryJob(SLOW, MEDIA)) for _ in range(2))))

    try:
        first, second = asyncio.run(both())
    finally:
        pool.close()
    assert first.worker != second.worker
    assert _overlap(first, second)


def test_two_queries_run_in_parallel_threads_on_a_memory_store():
    store = open_store(":memory:")
    store.replace_graphs({G1: synthetic_triples(0, 300)})
    pool = ThreadQueryRunner(store, timeout=60.0)

    async def both() -> list[QueryAnswer]:
        return list(await asyncio.gather(*(pool.run(QueryJob(SLOW, MEDIA)) for _ in range(2))))

    try:
        first, second = asyncio.run(both())
    finally:
        pool.close()
    assert _overlap(first, second)


def test_the_memory_store_deadline_answers_timeout():
    store = open_store(":memory:")
    store.replace_graphs({G1: synthetic_triples(0, 300)})
    pool = ThreadQueryRunner(store, timeout=0.2)
    try:
        with pytest.raises(QueryTimeout, match="abandoned"):
            asyncio.run(pool.run(QueryJob(RUNAWAY, MEDIA)))
    finally:
        pool.close()


def test_workers_see_writes_after_the_generation_changes(disk_store: Store):
    pool = ProcessQueryRunner(disk_store.location, timeout=30.0, workers=1)
    count = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"select": "text/csv"})
    try:
        pool.wait_ready()
        assert asyncio.run(pool.run(count)).body == b"n\r\n10\r\n"
        disk_store.replace_graphs({f"{G1}-new": synthetic_triples(50, 1)})
        pool.note_write()
        assert asyncio.run(pool.run(count)).body == b"n\r\n12\r\n"
    finally:
        pool.close()


def test_worker_errors_come_back_as_the_same_error(disk_store: Store):
    pool = ProcessQueryRunner(disk_store.location, timeout=30.0, workers=1)
    try:
        pool.wait_ready()
        with pytest.raises(QueryError, match=r"error at 1:\d+"):
            asyncio.run(pool.run(QueryJob("SELECT * WHERE { ?s ?p }", MEDIA)))
        with pytest.raises(ResultTooLarge):
            asyncio.run(pool.run(QueryJob("SELECT * { ?s ?p ?o }", MEDIA, max_rows=3)))
    finally:
        pool.close()


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
@pytest.mark.parametrize(
    ("values", "rows"),
    [
        ("", 0),
        ("(1)", 1),
        ('(UNDEF) (UNDEF) ("},{\\"<result>\\n,\\r\\n")', 3),
        ('("a\\nb") ("c,d") ("e\\"f")', 3),
    ],
)
def test_rows_are_counted_in_every_results_format(media_type, values, rows):
    store = open_store(":memory:")
    _, body = store.query_serialized(f"SELECT ?x {{ VALUES (?x) {{ {values} }} }}", media_type)
    assert count_result_rows(body, media_type) == rows


def test_row_cap_is_an_error_never_a_truncation():
    store = fill(open_store(":memory:"))
    job = QueryJob("SELECT * { ?s ?p ?o }", MEDIA, max_rows=9)
    with pytest.raises(ResultTooLarge, match="10 rows, over the 9"):
        run_job(store, job)
    assert run_job(store, QueryJob("SELECT * { ?s ?p ?o }", MEDIA, max_rows=10)).kind == "select"


def test_byte_cap_stops_the_serialisation():
    store = fill(open_store(":memory:"))
    with pytest.raises(ResultTooLarge, match="100 bytes"):
        run_job(store, QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", MEDIA, max_bytes=100))


def test_the_kind_decides_the_format_before_evaluation():
    store = fill(open_store(":memory:"))
    answer = run_job(store, QueryJob("ASK { ?s ?p ?o }", {"select": "text/csv", "graph": None}))
    assert answer.media_type is None and answer.kind == "ask"
    answer = run_job(store, QueryJob("DESCRIBE <urn:x>", {"graph": "application/n-triples"}))
    assert (answer.kind, answer.media_type) == ("graph", "application/n-triples")


def test_idle_workers_go_to_the_oldest_waiting_query_first() -> None:
    """A returned worker is handed to the query that has waited longest, never barged."""
    from ptce_kg.execution.runners import _FairPool

    async def scenario() -> list[str]:
        pool = _FairPool()
        order: list[str] = []

        async def wait(name: str) -> None:
            await pool.get(5.0)
            order.append(name)

        tasks = []
        for name in ("first", "second", "third"):
            tasks.append(asyncio.create_task(wait(name)))
            while len(pool._waiters) < len(tasks):  # queue up one at a time
                await asyncio.sleep(0.001)
        for worker in ("w1", "w2"):
            pool.put(worker)  # type: ignore[arg-type]
        # a newcomer arriving while "third" waits does not barge ahead of it
        late = asyncio.create_task(wait("late"))
        await asyncio.sleep(0.01)
        pool.put("w3")  # type: ignore[arg-type]
        await asyncio.gather(*tasks)
        assert not late.done()
        late.cancel()
        with pytest.raises(TimeoutError):
            await pool.get(timeout=0.01)
        assert not pool._waiters  # a timed-out (or cancelled) waiter leaves the line
        # a worker given back from another thread reaches a waiter of this loop
        waiter = asyncio.create_task(wait("threaded"))
        await asyncio.sleep(0.01)
        thread = threading.Thread(target=pool.put, args=("w4",))
        thread.start()
        await asyncio.wait_for(waiter, 5.0)
        thread.join()
        return order

    assert asyncio.run(scenario()) == ["first", "second", "third", "threaded"]


def test_a_large_answer_comes_back_whole_from_a_worker(tmp_path: Path):
    """An answer much larger than one socket read arrives byte for byte as the engine wrote it."""
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: synthetic_triples(0, 5000)})  # 10,000 triples, ~1 MB of N-Triples
    job = QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", {"graph": "application/n-triples"})
    expected = run_job(store, job).body
    pool = ProcessQueryRunner(store.location, timeout=60.0, workers=1)
    pool.wait_ready()
    try:
        answer = asyncio.run(pool.run(job))
    finally:
        pool.close()
    assert len(expected) > 1_000_000
    assert answer.body == expected and answer.worker is not None


def test_a_cancelled_query_kills_its_worker_and_the_pool_recovers(runner: ProcessQueryRunner):
    workers = set(runner.worker_pids)

    async def cancel_midway() -> None:
        task = asyncio.create_task(runner.run(QueryJob(RUNAWAY, MEDIA)))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_midway())
    killed = workers - set(runner.worker_pids)
    assert len(killed) == 1 and not is_alive(killed.pop())
    runner.wait_ready()
    answer = asyncio.run(runner.run(QueryJob("ASK { ?s ?p ?o }", MEDIA)))
    assert answer.body == b'{"head":{},"boolean":true}'
