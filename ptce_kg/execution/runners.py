"""Query runners: each job runs off the event loop, within a time limit.

With an on-disk store, :class:`ProcessQueryRunner` runs each query in one of a pool of worker
processes (:mod:`ptce_kg.execution.worker`) that open the store read-only; a query past its limit
has its worker killed (SIGKILL: the CPU is freed at once) and replaced. The event loop itself talks
to the workers (non-blocking socketpairs, :mod:`ptce_kg.execution.wire`): no thread and no
pickling per query, and the kill is a timer of the loop set at the limit. A worker reopens its
read-only view when the write generation (bumped by :meth:`QueryRunner.note_write`, which the
server registers as a write listener of its store) has changed. An in-memory store cannot be
shared between processes: :class:`ThreadQueryRunner` runs the query in a thread (pyoxigraph
releases the GIL) and enforces the limit as a response deadline only; the engine finishes the
abandoned query in the background.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ptce_kg.errors import QueryError, QueryTimeout
from ptce_kg.execution.jobs import QueryAnswer, QueryJob, run_job, timeout_error
from ptce_kg.execution.wire import (
    WIRE_ERRORS,
    frame,
    job_header,
    rebuild_error,
    recv_frame,
    recv_frame_async,
)
from ptce_kg.execution.worker import WORKER_CODE
from ptce_kg.store import EmbeddedStore, Store

log = logging.getLogger(__name__)


class QueryRunner:
    """Runs jobs off the event loop within a time limit. Subclasses choose where."""

    timeout: float

    async def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` within the time limit.

        Raises:
            QueryTimeout: past the limit; QueryError, ResultTooLarge from the engine.
        """
        raise NotImplementedError

    def note_write(self) -> None:
        """Tell the runner the store changed (workers reopen their read-only view)."""

    def start(self) -> None:
        """Start workers ahead of the first query (optional)."""

    def close(self) -> None:
        """Stop the workers."""


class ThreadQueryRunner(QueryRunner):
    """Runs queries in threads on the given store; the limit is a response deadline only."""

    def __init__(self, store: Store, timeout: float, threads: int = 8) -> None:
        self.store = store
        self.timeout = timeout
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ptce-query")

    async def run(self, job: QueryJob) -> QueryAnswer:
        future = asyncio.get_running_loop().run_in_executor(
            self._executor, run_job, self.store, job
        )
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise timeout_error(self.timeout, stopped=False) from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    sock: socket.socket

    @property
    def pid(self) -> int:
        return self.process.pid


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _FairPool:
    """Idle workers, handed to waiting queries in arrival order.

    A worker given back goes to the query that has waited longest (never to a newcomer that
    happens to run first). Waiters are futures of whatever event loop they wait on; workers may
    be given back from any thread (the threads that start new workers do).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()

    def qsize(self) -> int:
        with self._lock:
            return len(self._free)

    def put(self, worker: _Worker) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    break
            else:
                self._free.append(worker)
                return
        loop = waiter.get_loop()
        if _running_loop() is loop:
            self._hand(waiter, worker)
        else:
            try:
                loop.call_soon_threadsafe(self._hand, waiter, worker)
            except RuntimeError:  # that loop is closed: its waiter is gone
                self.put(worker)

    def _hand(self, waiter: asyncio.Future[_Worker], worker: _Worker) -> None:
        if waiter.done():  # timed out or cancelled meanwhile
            self.put(worker)
        else:
            waiter.set_result(worker)

    async def get(self, timeout: float) -> _Worker:
        """The next free worker; raises ``TimeoutError`` after ``timeout`` seconds."""
        with self._lock:
            if self._free and not self._waiters:
                return self._free.popleft()
            waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        except BaseException:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if waiter.done() and not waiter.cancelled():  # handed over just as we gave up
                self.put(waiter.result())
            raise


class ProcessQueryRunner(QueryRunner):
    """Runs queries in worker processes over the on-disk store at ``path``; kills on timeout.

    The event loop talks to the workers directly (non-blocking sockets): no thread per query.
    """

    def __init__(self, path: str, timeout: float, workers: int = 2) -> None:
        self.path = path
        self.timeout = timeout
        self.size = workers
        self._idle = _FairPool()
        self._all: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._closed = False
        self._started = False

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the live workers (for tests and metrics)."""
        with self._lock:
            return list(self._all)

    def start(self) -> None:
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._spawn()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until every worker has opened the store (tests; startup)."""
        self.start()
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size and time.monotonic() < deadline:
            time.sleep(0.02)

    def _spawn(self) -> None:
        parent, child = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", WORKER_CODE, str(child.fileno()), self.path],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all[worker.pid] = worker
        threading.Thread(target=self._await_ready, args=(worker,), daemon=True).start()

    def _await_ready(self, worker: _Worker) -> None:
        try:
            (status, detail), _ = recv_frame(worker.sock)
        except WIRE_ERRORS as e:
            status, detail = "failed", f"exited while starting ({e})"
        if status == "ready" and not self._closed:
            worker.sock.setblocking(False)
            self._idle.put(worker)
        else:
            log.error("query worker %s did not start: %s", worker.pid, detail)
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill ``worker``, reap it and close its socket (blocking: not on the event loop)."""
        with self._lock:
            self._all.pop(worker.pid, None)
        worker.process.kill()
        worker.process.wait(5)
        worker.sock.close()

    def _replace_later(self) -> None:
        """Start a worker in place of a discarded one, off the event loop."""
        if not self._closed:
            threading.Thread(target=self._spawn, daemon=True).start()

    async def _kill(self, worker: _Worker) -> None:
        """SIGKILL ``worker`` now (the CPU is freed at once), reap it, start a replacement."""
        with self._lock:
            self._all.pop(worker.pid, None)
        worker.process.kill()
        deadline = time.monotonic() + 5.0
        while worker.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        worker.sock.close()
        self._replace_later()

    def note_write(self) -> None:
        with self._lock:
            self._generation += 1

    async def run(self, job: QueryJob) -> QueryAnswer:
        self.start()
        deadline = time.monotonic() + self.timeout
        try:
            worker = await self._idle.get(timeout=self.timeout)
        except TimeoutError:
            raise QueryTimeout(
                f"no query worker became free within the {self.timeout:g} s time limit",
                hint="the endpoint is busy; retry later",
            ) from None
        loop = asyncio.get_running_loop()
        expired = False

        def expire() -> None:  # at the limit: SIGKILL frees the CPU at once
            nonlocal expired
            expired = True
            worker.process.kill()

        timer = loop.call_later(max(deadline - time.monotonic(), 0.0), expire)
        try:
            await loop.sock_sendall(worker.sock, b"".join(frame(job_header(self._generation, job))))
            reply, body = await recv_frame_async(loop, worker.sock)
        except WIRE_ERRORS as e:
            timer.cancel()
            await self._kill(worker)
            if expired:
                raise timeout_error(self.timeout, stopped=True) from None
            raise QueryError(f"the query worker died: {e}") from e
        except BaseException:  # cancelled mid-query: the worker's state is unknown
            timer.cancel()
            await asyncio.shield(self._kill(worker))
            raise
        timer.cancel()
        if expired:  # the answer came in just as the limit passed: the worker is gone anyway
            await self._kill(worker)
            raise timeout_error(self.timeout, stopped=True)
        self._idle.put(worker)
        if reply[0] == "ok":
            _, kind, media_type, started, finished, pid = reply
            return QueryAnswer(kind, media_type, body, started, finished, pid)
        raise rebuild_error(reply[1], reply[2], reply[3])

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all.values())
            self._all.clear()
        for worker in workers:
            worker.process.kill()
        for worker in workers:
            worker.process.wait(5)
            worker.sock.close()


def open_query_runner(store: Store, timeout: float, workers: int) -> QueryRunner:
    """Worker processes for an on-disk embedded store; threads for any other store."""
    if isinstance(store, EmbeddedStore) and store.location != ":memory:":
        return ProcessQueryRunner(store.location, timeout, workers)
    return ThreadQueryRunner(store, timeout, threads=max(8, 2 * workers))
