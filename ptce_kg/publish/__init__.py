"""Publishing for networks and catalogues: dumps, DCAT catalogue, VoID, JSON-LD context, docs.

:func:`publish` writes a publication into a directory::

    catalog.ttl  catalog.jsonld        DCAT 3 catalogue (DCAT-AP 3 compatible)
    void.ttl                           VoID description with statistics counted by SPARQL
    context.jsonld                     the JSON-LD @context the JSON-LD dumps point to
    dumps/<part>.{ttl,nq,jsonld}[.gz]  the data, one part per dataset (source graphs only)
    dumps/{ptce,organisations,memberships,indicators}.csv   the main tables of the PTCE data
    dumps/ontology.{ttl,rdf,jsonld,html}, dumps/<shapes>.ttl
    dumps/mappings.sssom.tsv           the ontology's SSSOM mapping set, as it ships
    dumps/index.json  dumps/SHA256SUMS sizes and checksums of every file of dumps/
    CITATION.cff  .zenodo.json         how to cite the software and the data release
                                       (:mod:`ptce_kg.publish.release`), for a DOI on Zenodo

Everything but the VoID description's time stamps is deterministic: the catalogue states the
data release and the data's coverage, never the time of the build. The web adapter serves the
same documents (:mod:`ptce_kg.web.publish_api`); :func:`build_void` alone gives the VoID
description.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, RDF

from ptce_kg.errors import ConfigError, SourceError
from ptce_kg.formats import RdfFormat
from ptce_kg.namespaces import LICENCE_OUVERTE_2_0, ONTOLOGY_IRI
from ptce_kg.pipeline import read_ontology, source_graphs
from ptce_kg.publish.catalog import (
    CATALOGUED_PARTS,
    CatalogContext,
    Coverage,
    Standard,
    describe_catalog,
    download_url,
)
from ptce_kg.publish.context import context_document
from ptce_kg.publish.coverage import (
    LOCATED_POINTS,
    TERRITORY_POINTS,
    spatial_extent,
    temporal_coverage,
)
from ptce_kg.publish.dumps import (
    DUMP_FORMATS,
    INFERRED_PART,
    PROVENANCE_PART,
    SOURCE_PARTS,
    Part,
    PublishedFile,
    checksum_lines,
    compact_jsonld,
    dump_part,
    json_bytes,
    new_graph,
    plan_parts,
    rdfxml_bytes,
    turtle_bytes,
    write_file,
)
from ptce_kg.publish.ontology_doc import render_ontology_html
from ptce_kg.publish.release import CITATION_FILE, ZENODO_FILE, citation_cff, zenodo_json
from ptce_kg.publish.tables import CSV_MEDIA_TYPE, TABLES, csv_bytes, table_rows
from ptce_kg.publish.void import (
    VoidContext,
    VoidStatistics,
    compute_statistics,
    describe_void,
)
from ptce_kg.store import Store
from ptce_kg.validate import shapes_files
from ptce_kg.version import package_version

DUMPS_DIR = "dumps"
#: The ontology's SSSOM mapping set, a file of the ontology folder (decision 0007), published as is.
MAPPING_SET = "mappings.sssom.tsv"
CATALOG_TTL, CATALOG_JSONLD, VOID_TTL, CONTEXT_FILE = (
    "catalog.ttl",
    "catalog.jsonld",
    "void.ttl",
    "context.jsonld",
)
INDEX_FILE, CHECKSUMS_FILE = "index.json", "SHA256SUMS"


@dataclass(frozen=True)
class PublishOptions:
    """What to publish and where it will be downloaded from."""

    base_iri: str
    base_url: str
    ontology_dir: Path
    shapes_dir: Path
    with_inferred: bool = False
    generated_at: datetime | None = None
    #: The contact point's e-mail in the catalogue; none unless the publisher gives one.
    contact_email: str | None = None

    @property
    def endpoint(self) -> str:
        """The SPARQL endpoint's address."""
        return f"{self.base_url.rstrip('/')}/sparql"

    @property
    def context_url(self) -> str:
        """The address of the published JSON-LD context."""
        return f"{self.base_url.rstrip('/')}/{CONTEXT_FILE}"


@dataclass
class Publication:
    """A written publication: its directory, files, catalogue and VoID graphs."""

    directory: Path
    files: list[PublishedFile]
    catalog: Graph
    void: Graph
    statistics: VoidStatistics
    index: dict[str, Any] = field(default_factory=dict)

    def dump_path(self, name: str) -> Path | None:
        """The path of the published file ``name`` under ``dumps/``, if it is one."""
        if any(f.name == name for f in self.files):
            return self.directory / DUMPS_DIR / name
        return None


def _ontology_facts(ontology: Graph) -> tuple[str | None, URIRef | None, Literal | None]:
    node = URIRef(ONTOLOGY_IRI)
    version = next((str(v) for v in ontology.objects(node, OWL.versionInfo)), None)
    version_iri = next(
        (v for v in ontology.objects(node, OWL.versionIRI) if isinstance(v, URIRef)), None
    )
    created = next(
        (v for v in ontology.objects(node, DCTERMS.created) if isinstance(v, Literal)), None
    )
    return version, version_iri, created


def _licences(parts: list[Part]) -> dict[str, URIRef]:
    return {g: LICENCE_OUVERTE_2_0 for p in parts if p.key == "territories" for g in p.graphs}


def _void_context(
    options: PublishOptions, parts: list[Part], ontology: Graph, now: datetime | None
) -> VoidContext:
    version, version_iri, _created = _ontology_facts(ontology)
    dumps = [
        download_url(options.base_url, name)
        for p in parts
        if p.key in SOURCE_PARTS
        for name in p.file_names()
    ]
    return VoidContext(
        base_iri=options.base_iri,
        endpoint=options.endpoint,
        data_dumps=dumps,
        package_version=package_version(),
        ontology_iri=URIRef(ONTOLOGY_IRI),
        ontology_version=version,
        ontology_version_iri=version_iri,
        generated_at=now,
    )


def build_void(
    store: Store,
    options: PublishOptions,
    *,
    parts: list[Part] | None = None,
    ontology: Graph | None = None,
) -> tuple[Graph, VoidStatistics]:
    """Return the VoID description of ``store``'s source graphs and its statistics."""
    parts = parts if parts is not None else plan_parts(store, with_inferred=options.with_inferred)
    ontology = ontology if ontology is not None else read_ontology(options.ontology_dir)
    stats = compute_statistics(
        store, source_graphs(store), base_iri=options.base_iri, licences=_licences(parts)
    )
    now = options.generated_at or datetime.now(UTC).replace(microsecond=0)
    return describe_void(stats, _void_context(options, parts, ontology, now)), stats


def prepare_directory(outdir: Path) -> Path:
    """Create ``outdir/dumps`` and check that ``outdir`` is writable.

    Raises:
        ConfigError: ``outdir`` cannot be created or written.
    """
    try:
        (outdir / DUMPS_DIR).mkdir(parents=True, exist_ok=True)
        probe = outdir / ".ptce-publish-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise ConfigError(
            f"cannot write the publication to {outdir}: {e.strerror or e}",
            hint="give a directory you can write to (it is created if missing)",
        ) from e
    return outdir / DUMPS_DIR


def _coverage(store: Store, parts: list[Part]) -> dict[str, Coverage]:
    """The period and extent of each catalogued part, read from its data (with the territories'
    points for the PTCE data: they locate its subjects)."""
    graphs = {p.key: list(p.graphs) for p in parts}
    territories = graphs.get("territories", [])
    coverage: dict[str, Coverage] = {}
    for key in (k for k in CATALOGUED_PARTS if k in graphs):
        if key == "territories":
            extent = spatial_extent(store, territories, TERRITORY_POINTS)
        else:
            extent = spatial_extent(store, graphs[key] + territories, LOCATED_POINTS)
        coverage[key] = Coverage(temporal_coverage(store, graphs[key]), extent)
    return coverage


def _shapes_standards(shapes_dir: Path, base_url: str) -> list[Standard]:
    """A standard per shapes file that names itself (an ``owl:Ontology`` with a title)."""
    standards = []
    for path in shapes_files(shapes_dir):
        try:
            graph = Graph().parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as e:
            raise SourceError(f"cannot read the shapes: {e}", path=str(path)) from e
        for node in graph.subjects(RDF.type, OWL.Ontology):
            titles = {
                t.language: str(t)
                for t in graph.objects(node, DCTERMS.title)
                if isinstance(t, Literal)
            }
            if isinstance(node, URIRef) and titles:
                version = graph.value(node, OWL.versionInfo)
                standards.append(
                    Standard(
                        node,
                        titles.get("fr", titles.get("en", path.stem)),
                        titles.get("en", titles.get("fr", path.stem)),
                        str(version) if version is not None else None,
                        (download_url(base_url, path.name),),
                    )
                )
    return standards


def _ontology_standard(ontology: Graph, base_url: str, *, mappings: bool) -> Standard | None:
    version, version_iri, _created = _ontology_facts(ontology)
    if version_iri is None:
        return None
    return Standard(
        version_iri,
        f"Ontologie ptce {version}",
        f"ptce ontology {version}",
        version,
        (
            *(download_url(base_url, f"ontology.{ext}") for ext in ("ttl", "html")),
            *([download_url(base_url, MAPPING_SET)] if mappings else []),
        ),
    )


def _publish_tables(store: Store, dumps: Path, parts: list[Part]) -> list[PublishedFile]:
    """The CSV tables of the PTCE data (over its graphs: organisations, sources…)."""
    graphs = [g for p in parts if p.key == "ptce" for g in p.graphs]
    if not graphs:
        return []
    files: list[PublishedFile] = []
    for table in TABLES:
        content = csv_bytes(table, table_rows(store, table, graphs))
        files += write_file(dumps, table.file_name, content, part="ptce", media_type=CSV_MEDIA_TYPE)
    return files


def _publish_ontology(
    dumps: Path, ontology: Graph, context: dict[str, Any], mappings: Path | None
) -> list[PublishedFile]:
    ordered = new_graph()  # blank nodes relabelled canonically, triples added in order: stable
    for triple in sorted(to_canonical_graph(ontology)):
        ordered.add(triple)
    files = write_file(
        dumps, "ontology.ttl", turtle_bytes(ordered), part="ontology", media_type="text/turtle"
    )
    files += write_file(
        dumps,
        "ontology.rdf",
        rdfxml_bytes(ordered),
        part="ontology",
        media_type=RdfFormat.RDF_XML.media_type,
    )
    files += write_file(
        dumps,
        "ontology.jsonld",
        compact_jsonld(ordered, context["@context"], None),
        part="ontology",
        media_type=RdfFormat.JSON_LD.media_type,
    )
    files += write_file(
        dumps,
        "ontology.html",
        render_ontology_html(ontology).encode("utf-8"),
        part="ontology",
        media_type="text/html",
    )
    if mappings is None:  # an ontology folder without a mapping set publishes none
        return files
    try:  # the mapping set: mappings that are not axioms (decision 0007), copied as it ships
        content = mappings.read_bytes()
    except OSError as e:
        raise SourceError(f"cannot read the mapping set: {e.strerror or e}",
                          path=str(mappings)) from e  # fmt: skip
    files += write_file(
        dumps, MAPPING_SET, content, part="ontology", media_type="text/tab-separated-values"
    )
    return files


def _publish_shapes(dumps: Path, shapes_dir: Path) -> list[PublishedFile]:
    files: list[PublishedFile] = []
    for path in shapes_files(shapes_dir):
        try:
            content = path.read_bytes()
        except OSError as e:
            raise SourceError(f"cannot read the shapes: {e}", path=str(path)) from e
        files += write_file(dumps, path.name, content, part="shapes", media_type="text/turtle")
    return files


def publish(store: Store, outdir: Path, options: PublishOptions) -> Publication:
    """Write the publication of ``store`` into ``outdir`` (see the module docstring).

    Raises:
        ConfigError: ``outdir`` cannot be written.
        SourceError: the ontology or shapes cannot be read.
        PtceError: a file cannot be written.
    """
    dumps = prepare_directory(outdir)
    ontology = read_ontology(options.ontology_dir)
    context = context_document(ontology)
    write_file(outdir, CONTEXT_FILE, json_bytes(context), part="context", media_type="")
    for name, text in (
        (CITATION_FILE, citation_cff(package_version())),
        (ZENODO_FILE, zenodo_json()),
    ):
        write_file(outdir, name, text.encode("utf-8"), part="citation", media_type="")

    parts = plan_parts(store, with_inferred=options.with_inferred)
    files: list[PublishedFile] = []
    for part in parts:
        for name, (content, media_type) in dump_part(
            store, part, context["@context"], options.context_url
        ).items():
            files += write_file(
                dumps, name, content, part=part.key, media_type=media_type, gzipped=True
            )
    files += _publish_tables(store, dumps, parts)
    mappings = options.ontology_dir / MAPPING_SET
    files += _publish_ontology(dumps, ontology, context, mappings if mappings.is_file() else None)
    files += _publish_shapes(dumps, options.shapes_dir)
    files.sort(key=lambda f: f.name)

    index = {
        "files": [f.to_json(download_url(options.base_url, f.name)) for f in files],
        "catalog": f"{options.base_url.rstrip('/')}/catalog",
        "context": options.context_url,
    }
    write_file(dumps, INDEX_FILE, json_bytes(index), part="index", media_type="")
    write_file(dumps, CHECKSUMS_FILE, checksum_lines(files), part="index", media_type="")

    void, stats = build_void(store, options, parts=parts, ontology=ontology)
    void_ttl = turtle_document(void)
    write_file(outdir, VOID_TTL, void_ttl, part="void", media_type="")

    _version, _version_iri, created = _ontology_facts(ontology)
    standard = _ontology_standard(ontology, options.base_url, mappings=mappings.is_file())
    standards = [standard] if standard is not None else []
    standards += _shapes_standards(options.shapes_dir, options.base_url)
    catalog = describe_catalog(
        files,
        [p.key for p in parts],
        CatalogContext(
            base_iri=options.base_iri,
            base_url=options.base_url,
            endpoint=options.endpoint,
            standards=tuple(standards),
            issued=created,
            coverage=_coverage(store, parts),
            contact_email=options.contact_email,
        ),
    )
    write_file(outdir, CATALOG_TTL, turtle_document(catalog), part="catalog", media_type="")
    write_file(outdir, CATALOG_JSONLD, jsonld_document(catalog), part="catalog", media_type="")
    return Publication(outdir, files, catalog, void, stats, index)


def turtle_document(graph: Graph) -> bytes:
    """A description (catalogue, VoID) in Turtle, as published and served."""
    return turtle_bytes(graph)


def jsonld_document(graph: Graph) -> bytes:
    """A description as compact JSON-LD with its prefixes as an inline context."""
    context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
    return compact_jsonld(graph, dict(sorted(context.items())), None)


def remove_publication(directory: Path) -> None:
    """Delete a publication directory (the web cache's old generations)."""
    shutil.rmtree(directory, ignore_errors=True)


__all__ = [
    "CATALOG_JSONLD",
    "CATALOG_TTL",
    "CHECKSUMS_FILE",
    "CONTEXT_FILE",
    "DUMPS_DIR",
    "DUMP_FORMATS",
    "INDEX_FILE",
    "INFERRED_PART",
    "MAPPING_SET",
    "PROVENANCE_PART",
    "VOID_TTL",
    "Publication",
    "PublishOptions",
    "PublishedFile",
    "VoidStatistics",
    "build_void",
    "context_document",
    "jsonld_document",
    "publish",
    "remove_publication",
    "turtle_document",
]
