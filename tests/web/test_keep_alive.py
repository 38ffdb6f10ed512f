"""The served app keeps idle keep-alive connections open for ``PTCE_KEEP_ALIVE`` seconds.

uvicorn's own default (5 s) equals the idle time of httpx's connection pool: a client reusing a
connection just as the server closes it gets a ReadError (two of 20,000 soak requests did). These
tests run uvicorn for real, with the options ``ptce-kg serve`` gives it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from ptce_kg.cli.serve import uvicorn_options
from ptce_kg.config import Settings
from ptce_kg.web import create_app

REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@contextmanager
def served(settings: Settings) -> Iterator[int]:
    """uvicorn serving the app with ``serve``'s options, on a free port; yield the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    options = uvicorn_options(settings) | {"log_level": "warning"}
    del options["host"], options["port"]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), lifespan="on", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def idle_connection(port: int) -> socket.socket:
    """A connection that made one request, read its answer and is now idle."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(REQUEST)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = conn.recv(4096)
        assert chunk, "closed before answering"
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    return conn


def closed_by_server(conn: socket.socket, wait: float) -> bool:
    """Whether the server closes ``conn`` within ``wait`` seconds (EOF on read)."""
    conn.settimeout(wait)
    try:
        return conn.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_an_idle_connection_outlives_a_client_pool_expiry():
    with served(Settings(store=":memory:", query_workers=1)) as port:
        conn = idle_connection(port)
        try:
            assert not closed_by_server(conn, 6.0)  # httpx would reuse it up to 5 s
            conn.sendall(REQUEST)  # and it still answers
            assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        finally:
            conn.close()


def test_an_idle_connection_is_closed_after_the_keep_alive_setting():
    with served(Settings(store=":memory:", query_workers=1, keep_alive=1)) as port:
        conn = idle_connection(port)
        try:
            assert closed_by_server(conn, 10.0)
        finally:
            conn.close()
