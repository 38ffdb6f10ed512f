"""A live ptce_kg service for the client tests: uvicorn on 127.0.0.1 (a free port), in a thread.

The store holds a small, clearly synthetic dataset (``…/id/org/synthetic-…`` IRIs) in one named
graph. The server is started once per session and stopped at the end.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from ptce_kg.config import Settings
from ptce_kg.store import open_store
from ptce_kg.web import create_app

ORG = "https://w3id.org/ptce/id/org/synthetic-"
GRAPH = "https://w3id.org/ptce/graph/synthetic-clients"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ORG_CLASS = "http://www.w3.org/ns/org#Organization"
#: The synthetic organisations and their labels.
LABELS = {f"{ORG}{n}": f"Synthetic organisation {n}" for n in (1, 2, 3)}


def synthetic_ntriples() -> bytes:
    """Three organisations, each with a type and a French label: 6 triples."""
    lines = []
    for iri, label in LABELS.items():
        lines.append(f"<{iri}> <{RDF_TYPE}> <{ORG_CLASS}> .")
        lines.append(f'<{iri}> <{RDFS_LABEL}> "{label}"@fr .')
    return ("\n".join(lines) + "\n").encode()


class LiveServer:
    """uvicorn serving the app on a socket bound to 127.0.0.1 before the thread starts."""

    def __init__(self) -> None:
        store = open_store(":memory:")
        store.replace_graphs({GRAPH: synthetic_ntriples()})
        app = create_app(Settings(store=":memory:", query_workers=1), store)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def endpoint(self) -> str:
        """The SPARQL endpoint's URL."""
        return f"http://127.0.0.1:{self.port}/sparql"

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
