"""The updates that replace and drop named graphs, as the store backends send them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def drop_graphs_update(graphs: Iterable[str]) -> str:
    """``DROP SILENT GRAPH`` of each graph, in one update (a missing graph is no error)."""
    return ";\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)


def graph_block(graph: str, triples: str) -> str:
    """``GRAPH <graph> { triples }``: one graph in an ``INSERT DATA`` or an insert template."""
    return f"GRAPH <{graph}> {{\n{triples}\n}}\n"


def replace_graphs_update(graphs: Mapping[str, bytes]) -> str:
    """The one update that replaces each graph by its N-Triples: the drops, then one
    ``INSERT DATA`` with a ``GRAPH`` block per graph that has triples.

    Servers that apply one update request as one transaction (Oxigraph, Fuseki, GraphDB) give a
    reader the old or the new graphs, never a mix.
    """
    drops = drop_graphs_update(graphs)
    inserts = [
        graph_block(g, triples.decode("utf-8")) for g, triples in graphs.items() if triples.strip()
    ]
    if not inserts:
        return drops
    return f"{drops};\nINSERT DATA {{\n{''.join(inserts)}}}"
