"""The ``backup`` and ``restore`` commands.

``ptce-kg backup DIR`` writes a consistent copy of the store into the new directory ``DIR``: for
an on-disk embedded store, Oxigraph's own backup (a RocksDB checkpoint, ``DIR/store``); for a store
in memory or a remote store, an N-Quads dump (``DIR/dataset.nq``). ``DIR/backup.json`` says what
was copied (kind, quads, graphs, source, time, ptce_kg version).

``ptce-kg restore DIR --store TARGET`` makes a new store from a backup: a checkpoint is copied as
is to an on-disk target; otherwise the quads are loaded. The target must be new (or empty): restore
never overwrites data. The restored quad count is checked against ``backup.json``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ptce_kg.cli.common import StoreOption, app, err, exit_codes, open_configured, out, settings_for
from ptce_kg.errors import SourceError, StoreError
from ptce_kg.formats import RdfFormat
from ptce_kg.store import EmbeddedStore, Store, open_store
from ptce_kg.version import package_version

MANIFEST = "backup.json"
CHECKPOINT = "store"
DUMP = "dataset.nq"


def _is_embedded_on_disk(store: Store) -> bool:
    return isinstance(store, EmbeddedStore) and store.location != ":memory:"


def _describe(store: Store, kind: str) -> dict[str, Any]:
    sizes = store.graph_sizes()
    return {
        "format": kind,
        "quads": store.quad_count(),
        "graphs": len([g for g in sizes if g]),
        "source": store.location,
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "ptce_kg": package_version(),
    }


def backup_store(store: Store, target: Path) -> dict[str, Any]:
    """Copy ``store`` into the new directory ``target``; return what ``backup.json`` records.

    Raises:
        StoreError: ``target`` exists, or the copy failed (the partial directory is removed).
    """
    if target.exists():
        raise StoreError(f"{target} already exists", hint="back up into a new directory")
    target.mkdir(parents=True)
    try:
        if _is_embedded_on_disk(store):
            assert isinstance(store, EmbeddedStore)
            info = _describe(store, "oxigraph-checkpoint")
            store.backup(target / CHECKPOINT)
        else:
            info = _describe(store, "n-quads")
            with (target / DUMP).open("wb") as handle:
                store.dump(handle, RdfFormat.N_QUADS)
        (target / MANIFEST).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    except (OSError, StoreError) as e:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(e, StoreError):
            raise
        raise StoreError(f"cannot write the backup to {target}: {e}") from e
    return info


def read_backup(source: Path) -> dict[str, Any]:
    """Read ``backup.json`` of the backup directory ``source``.

    Raises:
        SourceError: not a backup directory, or its manifest is unreadable.
    """
    try:
        info = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SourceError(
            f"not a ptce-kg backup: cannot read {MANIFEST}: {e}",
            path=str(source),
            hint="give the directory `ptce-kg backup` wrote",
        ) from e
    if not isinstance(info, dict) or info.get("format") not in ("oxigraph-checkpoint", "n-quads"):
        raise SourceError(f"{MANIFEST} does not describe a backup", path=str(source))
    return info


def _target_is_new(location: str) -> bool:
    if location == ":memory:" or location.startswith(("http://", "https://")):
        return False  # a store to open and check for emptiness
    path = Path(location)
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def restore_store(source: Path, location: str, open_target: Any) -> int:
    """Make the store at ``location`` from the backup ``source``; return its quad count.

    Raises:
        SourceError: ``source`` is not a backup. StoreError: the target holds data, or the
            restored store does not hold what the backup recorded.
    """
    info = read_backup(source)
    on_disk = _target_is_new(location)
    if not on_disk and not location.startswith(("http://", "https://")) and location != ":memory:":
        raise StoreError(
            f"{location} already holds a store", hint="restore into a new (or empty) directory"
        )
    if info["format"] == "oxigraph-checkpoint" and on_disk:
        target = Path(location)
        if target.exists():
            target.rmdir()
        shutil.copytree(source / CHECKPOINT, target)
        store: Store = open_target()
    else:
        store = open_target()
        if store.quad_count():
            raise StoreError(f"{location} is not empty", hint="restore into a new store")
        if info["format"] == "oxigraph-checkpoint":
            backup = open_store(str(source / CHECKPOINT), read_only=True)
            with tempfile.TemporaryDirectory() as scratch:
                dump = Path(scratch) / DUMP
                with dump.open("wb") as handle:
                    backup.dump(handle, RdfFormat.N_QUADS)
                store.bulk_load(dump, RdfFormat.N_QUADS, None)
        else:
            store.bulk_load(source / DUMP, RdfFormat.N_QUADS, None)
    try:
        quads = store.quad_count()
    finally:
        store.close()
    if quads != info["quads"]:
        raise StoreError(
            f"the restored store holds {quads} quads, the backup recorded {info['quads']}",
            hint="the backup may be damaged",
        )
    return quads


@app.command()
def backup(
    directory: Annotated[Path, typer.Argument(help="New directory to write the backup into.")],
    store: StoreOption = None,
) -> None:
    """Write a consistent copy of the store (and backup.json) into a new directory."""
    with exit_codes():
        settings = settings_for(store)
        st = open_configured(settings, read_only=False)
        try:
            info = backup_store(st, directory)
        finally:
            st.close()
        out.print(
            f"backed up {info['source']} → {directory}: {info['quads']} quads in "
            f"{info['graphs']} graphs ({info['format']})",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def restore(
    directory: Annotated[Path, typer.Argument(help="A directory written by `ptce-kg backup`.")],
    store: StoreOption = None,
) -> None:
    """Make a new store from a backup (the target must be new or empty)."""
    with exit_codes():
        settings = settings_for(store)
        quads = restore_store(directory, settings.store, lambda: open_configured(settings))
        err.print(f"restored {directory} → {settings.store}", highlight=False)
        out.print(f"{quads} quads restored", highlight=False)
