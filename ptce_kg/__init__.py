"""ptce_kg: the knowledge base of France's PTCE (pôles territoriaux de coopération économique)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ptce-kg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
