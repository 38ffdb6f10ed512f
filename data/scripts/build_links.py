"""Build data/links/links-*.ttl, the link sets the dataset ships, from the repository's own files.

The links are computed by ptce_kg.ingest.linksets (its docstring says what each link set links and
how); nothing is fetched. Run after the territories and the PTCE are built (make links, make data).

Usage: .venv/bin/python data/scripts/build_links.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ptce_kg.ingest.linksets import build_linksets, write_linksets  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    changed = write_linksets(build_linksets(ROOT), ROOT / "data" / "links", check=args.check)
    for path in changed:
        sys.stdout.write(f"{'stale' if args.check else 'wrote'} {path.relative_to(ROOT)}\n")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
