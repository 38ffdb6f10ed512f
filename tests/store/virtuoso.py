"""Start and stop a real Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``) on loopback.

The configuration is ``virtuoso.ini.in`` beside this file, filled with a temporary directory and two
free ports. Startup creates the database (a few seconds), then a SQL session through ``isql-vt``
creates the user ptce_kg writes as: ``USER``, with the ``SPARQL_UPDATE`` role, authenticated by
HTTP digest on ``/sparql-auth`` and ``/sparql-graph-crud-auth``. A missing binary is an error
saying how to install it (``.ci/run`` does), never a skip.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from store.oxigraph import free_port

TEMPLATE = Path(__file__).with_name("virtuoso.ini.in")
USER = "ptce"
PASSWORD = "ptce-test-pw"
_DBA_PASSWORD = "dba"  # a fresh database's own; the SQL port listens on loopback only
_SETUP = f"""
DB.DBA.USER_CREATE ('{USER}', '{PASSWORD}');
GRANT SPARQL_UPDATE TO "{USER}";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{USER}', 7);
"""


def binaries() -> tuple[str, str]:
    """``virtuoso-t`` and ``isql-vt``, or an error saying how to install them."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        raise RuntimeError(
            "virtuoso-t / isql-vt are missing: the Virtuoso tests need Debian's "
            "virtuoso-opensource package, which .ci/run installs "
            "(apt-get install virtuoso-opensource)"
        )
    return server, isql


@dataclass
class VirtuosoServer:
    """A running Virtuoso; ``url`` is the authenticated SPARQL endpoint (what PTCE_STORE is)."""

    base: str
    location: Path
    sql_port: int
    process: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD

    @property
    def url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def anonymous_url(self) -> str:
        return f"{self.base}/sparql"

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server: SIGTERM (checkpoint, then exit) or, with ``kill``, SIGKILL at once."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def write_config(location: Path, http_port: int, sql_port: int, *, buffers: int = 10000) -> Path:
    """Write ``location/virtuoso.ini`` from the template; return its path."""
    location.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.read_text(encoding="utf-8").format(
        dir=location,
        http_port=http_port,
        sql_port=sql_port,
        buffers=buffers,
        dirty_buffers=buffers * 3 // 4,
    )
    ini = location / "virtuoso.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


@contextmanager
def virtuoso_serving(location: Path, *, buffers: int = 10000) -> Iterator[VirtuosoServer]:
    """Run Virtuoso on ``location`` (created, or reopened) until the block ends (always stopped)."""
    server_bin, isql = binaries()
    fresh = not (location / "virtuoso.db").exists()
    http_port, sql_port = free_port(), free_port()
    ini = write_config(location, http_port, sql_port, buffers=buffers)
    log = (location / "stdout.log").open("ab")
    process = subprocess.Popen(
        [server_bin, "+foreground", "+configfile", str(ini)],
        cwd=location,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = VirtuosoServer(f"http://127.0.0.1:{http_port}", location, sql_port, process)
    try:
        _wait_until_answering(server)
        if fresh:
            subprocess.run(
                [isql, f"127.0.0.1:{sql_port}", "dba", _DBA_PASSWORD],
                input=_SETUP.encode(),
                check=True,
                capture_output=True,
                timeout=60,
            )
        yield server
    finally:
        server.stop()
        log.close()


def _wait_until_answering(server: VirtuosoServer) -> None:
    for _ in range(1200):  # up to ~60 s on a slow machine; a fresh database takes ~4 s
        if server.process.poll() is not None:
            log = server.location / "virtuoso.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"virtuoso-t exited with {server.process.returncode}:\n{tail}")
        try:
            if httpx.get(server.anonymous_url, params={"query": "ASK {}"}, timeout=1.0).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"Virtuoso did not answer at {server.anonymous_url}")
