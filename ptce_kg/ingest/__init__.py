"""Sources → RDF: read RDF files (and spreadsheets) into a scratch dataset. No store, no HTTP."""

from ptce_kg.ingest.rdf import ParsedSource, parse_rdf_file

__all__ = ["ParsedSource", "parse_rdf_file"]
