"""Start and stop a real Oxigraph server (the `oxigraph` CLI of the test extras) on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class OxigraphServer:
    """A running server: ``url`` is its query endpoint (what PTCE_STORE is set to)."""

    base: str
    location: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"{self.base}/query"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def oxigraph_serving(
    location: Path, *, union_default_graph: bool = True
) -> Iterator[OxigraphServer]:
    """Run ``oxigraph serve`` on a free loopback port until the block ends (always stopped)."""
    if not OXIGRAPH.exists():
        raise RuntimeError(
            f"{OXIGRAPH} is missing: install the test extras (pip install -e '.[test]')"
        )
    port = free_port()
    args = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    location.mkdir(parents=True, exist_ok=True)
    log = (location.parent / f"{location.name}-{port}.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    server = OxigraphServer(f"http://127.0.0.1:{port}", location, process)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        server.stop()
        log.close()


def _wait_until_answering(server: OxigraphServer) -> None:
    for _ in range(400):  # up to ~20 s on a slow machine; usually well under a second
        if server.process.poll() is not None:
            raise RuntimeError(f"oxigraph exited with {server.process.returncode}")
        try:
            if httpx.get(server.url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"oxigraph did not answer at {server.url}")
