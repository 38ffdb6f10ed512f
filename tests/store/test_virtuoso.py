"""What is particular to Virtuoso as a remote store: digest credentials, refused writes, large
replacements split inside one request, datasets bulk loaded, and a replacement cut by the server
stopping (old or new, never half). The behaviour shared with the other stores runs in
tests/test_store.py and tests/store/test_remote_store.py."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.errors import QueryError, StoreError
from ptce_kg.formats import RdfFormat
from ptce_kg.store import open_remote_store, open_store
from store.virtuoso import binaries, virtuoso_serving

G1 = "https://w3id.org/ptce/graph/test-one"
G2 = "https://w3id.org/ptce/graph/test-two"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
runner = CliRunner()


def nt(n: int, tag: str = "x", *, blank: bool = False) -> bytes:
    subject = "_:b{}" if blank else "<https://w3id.org/ptce/id/org/synthetic-{}>"
    return "".join(f'{subject.format(i)} <{LABEL}> "{tag} {i} é" .\n' for i in range(n)).encode()


def test_wrong_credentials_name_the_store_and_the_cli_exits_2(virtuoso: Any):
    with pytest.raises(StoreError) as caught:
        open_remote_store(virtuoso.url, user=virtuoso.user, password="not-the-password")
    message = str(caught.value)
    assert virtuoso.url in message and "refused the credentials" in message
    assert "not-the-password" not in message
    result = runner.invoke(
        cli.app,
        ["stats", "--store", virtuoso.url],
        env={"PTCE_STORE_USER": virtuoso.user, "PTCE_STORE_PASSWORD": "not-the-password"},
    )
    assert result.exit_code == 2 and virtuoso.url in result.stderr


def test_a_write_virtuoso_refuses_says_what_to_grant(virtuoso: Any, tmp_path: Path):
    anonymous = open_remote_store(virtuoso.anonymous_url)  # the SPARQL account may not update
    with pytest.raises(StoreError) as caught:
        anonymous.replace_graphs({G1: nt(1)})
    assert virtuoso.anonymous_url in str(caught.value) and "SPARQL_UPDATE" in str(caught.value)
    with pytest.raises(StoreError) as caught:  # a caller's update too: rights, not its text
        anonymous.update(f'INSERT DATA {{ GRAPH <{G1}> {{ <{G1}> <{LABEL}> "x" }} }}')
    assert not isinstance(caught.value, QueryError)
    assert "SPARQL_UPDATE" in str(caught.value)
    anonymous.close()
    source = tmp_path / "one.nt"
    source.write_bytes(nt(1))
    result = runner.invoke(
        cli.app, ["load", "--no-validate", str(source), "--store", virtuoso.anonymous_url]
    )
    assert result.exit_code == 2 and "SPARQL_UPDATE" in result.stderr


def test_a_large_replacement_with_blank_nodes_is_one_request(virtuoso: Any):
    store = open_remote_store(virtuoso.url, user=virtuoso.user, password=virtuoso.password)
    # far above what one INSERT DATA group takes (about 5,000 triples), with 900 blank nodes
    store.replace_graphs({G1: nt(12_000), G2: nt(900, blank=True)})
    assert store.graph_sizes() == {G1: 12_000, G2: 900}
    labels = store.query(f'SELECT ?l WHERE {{ ?s <{LABEL}> ?l FILTER(STRSTARTS(?l, "x 11999")) }}')
    assert [str(r[0]) for r in labels.rows] == ["x 11999 é"]
    store.close()


def test_a_dataset_is_bulk_loaded_graph_by_graph(virtuoso: Any, tmp_path: Path):
    quads = tmp_path / "two.nq"
    quads.write_bytes(
        b"".join(line.rstrip(b" .") + f" <{G1}> .\n".encode() for line in nt(3).splitlines())
        + b"".join(line.rstrip(b" .") + f" <{G2}> .\n".encode() for line in nt(2).splitlines())
    )
    store = open_remote_store(virtuoso.url, user=virtuoso.user, password=virtuoso.password)
    store.bulk_load(quads, RdfFormat.N_QUADS, None)
    assert store.graph_sizes() == {G1: 3, G2: 2}
    store.close()


class _Signalled(httpx.SyncByteStream):
    """A request body that sets ``sent`` once the HTTP client has written all of it."""

    def __init__(self, body: bytes, sent: threading.Event) -> None:
        self.body, self.sent = body, sent

    def __iter__(self) -> Iterator[bytes]:
        yield self.body
        self.sent.set()


class SentSignal(httpx.HTTPTransport):
    """The real transport; ``sent`` is set when a large request body has gone out."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if len(body) > 1_000_000:
            request.stream = _Signalled(body, self.sent)
        return super().handle_request(request)


def test_a_replacement_cut_by_stopping_virtuoso_leaves_old_or_new(tmp_path: Path):
    location = tmp_path / "virtuoso"
    with virtuoso_serving(location) as server:
        transport = SentSignal()
        store = open_remote_store(
            server.url,
            user=server.user,
            password=server.password,
            retries=0,
            transport=transport,
        )
        store.replace_graphs({G1: nt(1000, "old")})
        errors: list[BaseException] = []

        def replace() -> None:
            try:
                store.replace_graphs({G1: nt(200_000, "new"), G2: nt(50_000, "new")})
            except BaseException as e:  # handed to the test thread
                errors.append(e)

        writer = threading.Thread(target=replace)
        writer.start()
        # Virtuoso has the whole request and applies it (250,000 triples: seconds): kill it then
        assert transport.sent.wait(timeout=120)
        time.sleep(0.2)
        server.stop(kill=True)
        writer.join()
        store.close()
        url = server.url
    assert errors and isinstance(errors[0], StoreError), "the write finished before the kill"
    # the stopped server: a clear error naming the store, exit 2
    result = runner.invoke(
        cli.app,
        ["stats", "--store", url],
        env={"PTCE_STORE_USER": server.user, "PTCE_STORE_PASSWORD": server.password},
    )
    assert result.exit_code == 2 and url in result.stderr
    with virtuoso_serving(location) as restarted:
        store = open_remote_store(restarted.url, user=restarted.user, password=restarted.password)
        sizes = store.graph_sizes()
        store.close()
    assert sizes in ({G1: 1000}, {G1: 200_000, G2: 50_000}), sizes


def test_the_documented_migration_gives_the_same_graphs(virtuoso: Any, tmp_path: Path):
    """docs/stores.md: ``ptce-kg dump`` (N-Quads) → Virtuoso's bulk loader → PTCE_STORE=…"""
    embedded = tmp_path / "embedded"
    source = tmp_path / "one.nt"
    source.write_bytes(nt(2000) + nt(50, "blank", blank=True))
    for graph in (G1, G2):
        result = runner.invoke(
            cli.app,
            ["load", "--no-validate", str(source), "--graph", graph, "--store", str(embedded)],
        )
        assert result.exit_code == 0, result.output
    dump = virtuoso.location / "ptce.nq"  # the loader reads files under DirsAllowed only
    result = runner.invoke(
        cli.app, ["dump", "--store", str(embedded), "--format", "n-quads", "--output", str(dump)]
    )
    assert result.exit_code == 0, result.output
    # one statement a line: isql runs a line as one statement
    sql = f"ld_dir ('{dump.parent}', '{dump.name}', 'urn:x-unused');\n"
    sql += "rdf_loader_run ();\ncheckpoint;\n"
    subprocess.run(
        [binaries()[1], f"127.0.0.1:{virtuoso.sql_port}", "dba", "dba"],
        input=sql.encode(),
        check=True,
        capture_output=True,
    )
    result = runner.invoke(
        cli.app,
        ["graphs", "--store", virtuoso.url],
        env={"PTCE_STORE_USER": virtuoso.user, "PTCE_STORE_PASSWORD": virtuoso.password},
    )
    assert result.exit_code == 0, result.output
    assert G1 in result.stdout
    store = open_remote_store(virtuoso.url, user=virtuoso.user, password=virtuoso.password)
    source_store = open_store(str(embedded), read_only=True)
    expected = source_store.graph_sizes()
    source_store.close()
    assert expected[G1] == expected[G2] == 2050 and len(expected) > 2  # with the ontology's
    assert store.graph_sizes() == expected
    store.close()
