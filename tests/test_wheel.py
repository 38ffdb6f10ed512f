"""The wheel is the product (issue 15): built from the sdist, installed in a fresh venv, it works.

The sdist is built from the working tree (the PEP 517 hook, as ``python -m build`` calls it), the
wheel from the unpacked sdist with ``pip wheel --no-deps --no-build-isolation``; both must carry
the ontology, shapes, named queries and real data (not the examples). The wheel goes into a new
venv with ``--no-deps``: that venv sees the project venv's site-packages for the dependencies
(a ``.pth`` path line, so the editable install there is not picked up) and nothing else, so no
network is needed. Then, from an empty directory, as a pip user would: ``ptce-kg load
--bundled``, a named query, and ``ptce-kg serve`` on a free loopback port with /health, a PTCE page
and the named-query API.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.packaging]

#: Top-level folder -> where the wheel carries it; every RDF and SPARQL file must be there.
CARRIED = {
    "ontology": "ptce_kg/_bundled/ontology",
    "shapes": "ptce_kg/_bundled/shapes",
    "queries": "ptce_kg/_bundled/queries",
    "data/territories": "ptce_kg/_bundled/data/territories",
    "data/sources": "ptce_kg/_bundled/data/sources",
    "data/actors": "ptce_kg/_bundled/data/actors",
    "data/ptce": "ptce_kg/_bundled/data/ptce",
    "data/links": "ptce_kg/_bundled/data/links",
}
NOT_CARRIED = ("data/examples", "data/samples", "data/templates")
#: What the sdist is built from: the working tree but what never goes into it.
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "tests", "bench", "build", "dist", "*.egg-info",
    "__pycache__", ".*_cache", ".ptce-store*", ".hypothesis",
)  # fmt: skip


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    bin: Path
    env: dict[str, str]
    workdir: Path


def _sources(folder: str) -> set[str]:
    root = ROOT / folder
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".ttl", ".rq")
    }


#: A bound that only stops a hung command (the bundled load takes ~1.5 min of CPU on 2 cores).
_HUNG = 900.0


def _run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = _HUNG
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the sdist and, from it, the wheel; install the wheel in a fresh venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree = tmp / "tree"
    shutil.copytree(ROOT, tree, ignore=IGNORED)
    hook = "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))"
    name = _run(sys.executable, "-c", hook, tmp / "dist", cwd=tree).stdout.strip().splitlines()[-1]
    sdist = tmp / "dist" / name
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", ".", cwd=unpacked)
    (wheel,) = (tmp / "dist").glob("ptce_kg-*.whl")

    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    python = venv / "bin" / "python"
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp)
    # the dependencies, as installed in the project's venv: a path line, not an addsitedir, so
    # that the .pth files there (the editable ptce_kg) are not run
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.stdout.strip(), "zz_project_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PTCE_", "PYTHON", "VIRTUAL"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    workdir = tmp / "empty"
    workdir.mkdir()
    return Installed(sdist, wheel, venv / "bin", env, workdir)


def test_the_sdist_carries_the_edit_sources(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for folder in CARRIED:
        missing = {f"{folder}/{f}" for f in _sources(folder)} - names
        assert not missing, f"not in the sdist: {sorted(missing)}"
    assert not [n for n in names if n.startswith(NOT_CARRIED)]


def test_the_wheel_carries_the_edit_sources_as_package_data(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
    for folder, packaged in CARRIED.items():
        assert _sources(folder), folder
        missing = {f"{packaged}/{f}" for f in _sources(folder)} - names
        assert not missing, f"not in the wheel: {sorted(missing)}"
    assert {"ptce_kg/py.typed", "ptce_kg/web/templates/base.html"} <= names
    data = {n.split("/")[3] for n in names if n.startswith("ptce_kg/_bundled/data/")}
    assert data == {"territories", "sources", "actors", "ptce", "links"}, "only the real data"
    assert installed.wheel.stat().st_size < 2_000_000


def test_the_installed_package_reads_its_bundled_sources(installed: Installed) -> None:
    code = (
        "import ptce_kg, ptce_kg.config as c; s = c.Settings(); "
        "print(ptce_kg.__file__); print(s.ontology_dir); print(s.queries_dir); print(s.data_dir)"
    )
    done = _run(installed.bin / "python", "-c", code, cwd=installed.workdir, env=installed.env)
    site = installed.bin.parent.resolve()
    for line in done.stdout.split():
        assert Path(line).resolve().is_relative_to(site), f"{line} is not the installed wheel's"
        assert Path(line).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def loaded(installed: Installed) -> Path:
    """``ptce-kg load --bundled`` from an empty directory, into a new store."""
    store = installed.workdir.parent / "store"
    done = _run(
        installed.bin / "ptce-kg", "load", "--bundled", "--store", store,
        cwd=installed.workdir, env=installed.env,
    )  # fmt: skip
    # régions, départements, communes, the documents and periods, the organisations, each PTCE,
    # the link sets
    expected = 3 + sum(
        len(_sources(f"data/{part}")) for part in ("sources", "actors", "ptce", "links")
    )
    assert done.stdout.count("loaded ") == expected, done.stdout + done.stderr
    assert list(installed.workdir.iterdir()) == [], "the load wrote into the working directory"
    return store


def test_queries_run_on_the_bundled_data(installed: Installed, loaded: Path) -> None:
    stems = {p.removesuffix(".ttl") for p in _sources("data/ptce")}
    count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/ptce/ontology#PTCE> }"
    done = _run(
        installed.bin / "ptce-kg", "query", count, "--output", "csv", "--store", loaded,
        cwd=installed.workdir, env=installed.env,
    )  # fmt: skip
    assert done.stdout.split() == ["n", str(len(stems))]
    done = _run(
        installed.bin / "ptce-kg", "run", "ptces_by_region", "--output", "csv", "--store", loaded,
        cwd=installed.workdir, env=installed.env,
    )  # fmt: skip
    listed = set(re.findall(r"/id/ptce/([^,/]+),", done.stdout))
    assert listed and listed <= stems, done.stdout[:500]


def test_the_service_serves_the_bundled_data(installed: Installed, loaded: Path) -> None:
    port = _free_port()
    log = installed.workdir.parent / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [installed.bin / "ptce-kg", "serve", "--store", loaded, "--port", str(port)],
            cwd=installed.workdir, env=installed.env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 45
            while True:
                assert server.poll() is None, log.read_text()
                try:
                    health = client.get("/health")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.25)
            assert health.status_code == 200 and health.json()["quads"] > 1000
            stem = sorted(_sources("data/ptce"))[0].removesuffix(".ttl")
            page = client.get(f"/id/ptce/{stem}", headers={"Accept": "text/html"})
            assert page.status_code == 200, page.text[:500]
            assert "text/html" in page.headers["content-type"] and "<html" in page.text
            answer = client.get("/api/queries/ptces_by_region", headers={"Accept": "text/csv"})
            assert answer.status_code == 200 and f"/ptce/{stem}" in answer.text
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
