"""The publish command: dumps, DCAT catalogue, VoID, JSON-LD context and docs into a directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from ptce_kg.cli.common import StoreOption, app, exit_codes, open_configured, out, settings_for
from ptce_kg.errors import ConfigError, NotFound
from ptce_kg.publish import PublishOptions, publish

#: An e-mail address as a contact point states it (``mailto:`` is added).
_EMAIL = re.compile(r"[^@\s:/<>\"]+@[^@\s:/<>\"]+\.[^@\s:/<>\"]+")


@app.command("publish")
def publish_cmd(
    outdir: Annotated[Path, typer.Argument(help="Directory to write (created if missing).")],
    store: StoreOption = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Address the files are downloaded from and the endpoint is reached at "
            "[default: PTCE_PUBLIC_URL, else the base IRI].",
        ),
    ] = None,
    with_inferred: Annotated[
        bool, typer.Option("--with-inferred", help="Also publish the entailed triples.")
    ] = False,
    contact_email: Annotated[
        str | None,
        typer.Option(
            "--contact-email",
            help="E-mail address of the catalogue's contact point [default: PTCE_CONTACT_EMAIL; "
            "none is stated without it].",
        ),
    ] = None,
) -> None:
    """Write the data dumps (Turtle, N-Quads, JSON-LD, each gzipped), the ontology, vocabularies
    and shapes, a DCAT catalogue and a VoID description into OUTDIR.

    Files that a previous publication left in OUTDIR and this one does not write stay there.
    """
    with exit_codes():
        settings = settings_for(store)
        location = settings.store
        remote = location.startswith(("http://", "https://"))
        if location != ":memory:" and not remote and not Path(location).exists():
            raise NotFound(f"no store at {location}", hint="load data first: ptce-kg load")
        url = base_url or settings.public_url or settings.base_iri
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"--base-url must be an http(s) URL, not {url!r}")
        contact_email = contact_email or settings.contact_email
        if contact_email is not None and not _EMAIL.fullmatch(contact_email):
            raise ConfigError(
                f"--contact-email must be an e-mail address, not {contact_email!r}",
                hint="give it as name@domain, without mailto:",
            )
        st = open_configured(settings, read_only=not remote and location != ":memory:")
        try:
            publication = publish(
                st,
                outdir,
                PublishOptions(
                    base_iri=settings.base_iri,
                    base_url=url if url.endswith("/") else url + "/",
                    ontology_dir=settings.ontology_dir,
                    shapes_dir=settings.shapes_dir,
                    with_inferred=with_inferred,
                    contact_email=contact_email,
                ),
            )
        finally:
            st.close()
        stats = publication.statistics
        out.print(
            f"published {len(publication.files)} files to {outdir}/dumps, with catalog.ttl, "
            f"catalog.jsonld, void.ttl and context.jsonld ({stats.triples} triples, "
            f"{len(stats.graphs)} source graphs)",
            highlight=False,
            soft_wrap=True,
        )
