"""``ptce-kg publish``: exit codes and what it writes."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.namespaces import DCAT, VCARD

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_publish_writes_the_publication(store_dir: Path, tmp_path: Path):
    out = tmp_path / "site"
    code, stdout, stderr = run(
        "publish", str(out), "--store", str(store_dir), "--base-url", "https://data.example.org"
    )
    assert code == 0, stderr
    assert "published" in stdout
    catalog = Graph().parse(out / "catalog.ttl")
    urls = {str(u) for u in catalog.objects(None, DCAT.downloadURL)}
    assert "https://data.example.org/dumps/ptce.ttl.gz" in urls
    endpoints = {str(u) for u in catalog.objects(None, DCAT.endpointURL)}
    assert endpoints == {"https://data.example.org/sparql"}
    assert not (out / "dumps" / "inferred.nq").exists()


def test_publish_with_inferred(store_dir: Path, tmp_path: Path):
    code, _out, stderr = run(
        "publish", str(tmp_path / "site"), "--store", str(store_dir), "--with-inferred"
    )
    assert code == 0, stderr
    assert (tmp_path / "site" / "dumps" / "inferred.nq.gz").is_file()


def test_publish_into_a_non_writable_place_is_a_usage_error(store_dir: Path, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, _out, stderr = run("publish", str(blocker / "site"), "--store", str(store_dir))
    assert code == 2
    assert "cannot write the publication to" in stderr
    assert str(blocker / "site") in stderr.replace("\n", "")


def test_publish_without_a_store_is_a_usage_error(tmp_path: Path):
    code, _out, stderr = run(
        "publish", str(tmp_path / "site"), "--store", str(tmp_path / "missing")
    )
    assert code == 2
    assert "no store at" in stderr
    assert not (tmp_path / "missing").exists()


def test_publish_refuses_a_base_url_that_is_not_http(store_dir: Path, tmp_path: Path):
    code, _out, stderr = run(
        "publish", str(tmp_path / "site"), "--store", str(store_dir), "--base-url", "ftp://x"
    )
    assert code == 2
    assert "--base-url" in stderr


def test_publish_states_the_contact_e_mail_it_is_given(store_dir: Path, tmp_path: Path):
    out = tmp_path / "site"
    code, _out, stderr = run(
        "publish", str(out), "--store", str(store_dir), "--contact-email", "data@example.org"
    )
    assert code == 0, stderr
    catalog = Graph().parse(out / "catalog.ttl")
    emails = {str(e) for e in catalog.objects(None, VCARD.hasEmail)}
    assert emails == {"mailto:data@example.org"}


def test_publish_refuses_a_contact_that_is_not_an_e_mail(store_dir: Path, tmp_path: Path):
    code, _out, stderr = run(
        "publish", str(tmp_path / "site"), "--store", str(store_dir), "--contact-email", "nobody"
    )
    assert code == 2
    assert "--contact-email must be an e-mail address" in stderr
    assert not (tmp_path / "site").exists()
