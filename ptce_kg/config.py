"""The one typed settings object. Built on demand (``get_settings()``), never at import time.

Every field can be set by an environment variable with the ``PTCE_`` prefix (``PTCE_STORE``,
``PTCE_BASE_IRI``, …) or by the matching CLI flag.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ptce_kg.namespaces import DEFAULT_BASE

#: The source tree in a clone or an editable install; ``site-packages`` in an installed wheel.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The edit sources the wheel carries (``ptce_kg/_bundled/<name>``, built from the top-level
#: folders of the same names; see setup.py).
BUNDLED = ("ontology", "shapes", "queries", "data")


def source_dir(name: str) -> Path:
    """Return the default folder of an edit source: ``ontology``, ``shapes``, ``queries``, ``data``.

    In a source tree (a clone, an editable install) it is the top-level folder, which is edited
    there; in an installed wheel it is the copy bundled in the package (``ptce_kg/_bundled``), found
    through ``importlib.resources``. ``PTCE_ONTOLOGY_DIR`` etc. point elsewhere.
    """
    if name not in BUNDLED:
        raise ValueError(f"{name!r} is not a bundled source ({', '.join(BUNDLED)})")
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / name).is_dir():
        return PROJECT_ROOT / name
    # An installed wheel is unpacked on disk: the traversable is a plain directory.
    return Path(str(resources.files("ptce_kg").joinpath("_bundled", name)))


def default_store_path() -> Path:
    """``./.ptce-store`` in the working directory: visible, per project, ignored by git."""
    return Path.cwd() / ".ptce-store"


class Settings(BaseSettings):
    """ptce_kg settings (environment prefix ``PTCE_``)."""

    model_config = SettingsConfigDict(env_prefix="PTCE_", extra="ignore")

    store: str = Field(
        default_factory=lambda: str(default_store_path()),
        description="Store location: a directory (embedded Oxigraph), ':memory:', or an http(s) "
        "SPARQL endpoint URL (remote store).",
    )
    store_user: str | None = Field(default=None, description="User name for a remote store.")
    store_password: SecretStr | None = Field(default=None, description="Password, remote store.")
    base_iri: str = Field(default=DEFAULT_BASE, description="Base of the IRIs ptce_kg mints.")
    public_url: str | None = Field(
        default=None, description="Address the service is reached at, when it differs from base."
    )
    contact_email: str | None = Field(
        default=None,
        pattern=r"^[^@\s:/<>\"]+@[^@\s:/<>\"]+\.[^@\s:/<>\"]+$",
        description="E-mail of the DCAT catalogue's contact point; none is stated when unset.",
    )
    host: str = Field(default="127.0.0.1", description="Address the service listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the service listens on.")
    ontology_dir: Path = Field(
        default_factory=lambda: source_dir("ontology"),
        description="The ontology and its vocabularies (default: the bundled ones).",
    )
    shapes_dir: Path = Field(
        default_factory=lambda: source_dir("shapes"),
        description="The SHACL shapes data is validated against (default: the bundled ones).",
    )
    queries_dir: Path = Field(
        default_factory=lambda: source_dir("queries"),
        description="The named research queries (default: the bundled ones).",
    )
    data_dir: Path = Field(
        default_factory=lambda: source_dir("data"),
        description="The real dataset `load --bundled` reads: territories/ then ptce/ "
        "(default: the bundled one).",
    )
    query_timeout: float = Field(
        default=30.0, gt=0, description="Seconds before a query is stopped."
    )
    max_result_rows: int = Field(default=100_000, gt=0, description="Cap on SELECT result rows.")
    max_result_bytes: int = Field(default=64 * 1024 * 1024, gt=0, description="Cap on result size.")
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="Cap on request bodies."
    )
    query_workers: int = Field(default=2, ge=1, description="Worker processes that run queries.")
    max_nesting_depth: int = Field(
        default=1000,
        ge=1,
        description="How deep brackets, JSON objects or XML elements may nest in a document or a "
        "query; deeper ones are refused before any parser sees them.",
    )
    parse_memory_mb: int = Field(
        default=2048,
        ge=64,
        description="Address space of the child process a document from outside is parsed in "
        "(plus the file's size), in MiB.",
    )
    parse_timeout: float = Field(
        default=120.0, gt=0, description="Seconds before the parse of a document is stopped."
    )
    write_token: SecretStr | None = Field(
        default=None, description="Bearer token for writes; writes are disabled when unset."
    )
    validation_engine: Literal["sparql", "pyshacl"] = Field(
        default="sparql", description="Engine that validates writes over HTTP: sparql or pyshacl."
    )
    service_allowlist: list[str] = Field(
        default_factory=list, description="Endpoints SERVICE/LOAD/FROM may reach (exact URLs)."
    )
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    optimize_on_start: bool = Field(
        default=True,
        description="Compact an on-disk store when the server starts: a store written by many "
        "loads keeps many small files that slow heavy queries down (2x on property paths).",
    )
    keep_alive: int = Field(
        default=75,
        ge=1,
        description="Seconds an idle HTTP keep-alive connection is kept open. Longer than "
        "pooling clients keep theirs (httpx: 5 s), so that a client seldom reuses a connection "
        "the server is closing at that moment (a ReadError with uvicorn's own 5 s).",
    )
    access_log: bool = Field(
        default=False,
        description="Log every HTTP request (uvicorn's access log); request counts and latencies "
        "are in /metrics either way.",
    )

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("base_iri must be an http(s) IRI ending with '/'")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings read from the environment (cached)."""
    return Settings()
