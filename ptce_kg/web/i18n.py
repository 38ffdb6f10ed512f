"""Languages of the web UI: French (default) and English.

The language is chosen from the ``lang`` query parameter, then the ``lang`` cookie (set when the
parameter is used), then ``Accept-Language``; French otherwise. Labels of resources are picked in
that language, then in the other one, then without a language tag. ``MESSAGES`` holds the UI text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Node

LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
COOKIE = "lang"


def parse_accept_language(header: str | None) -> list[str]:
    """Return the primary language subtags of ``Accept-Language``, best first (q=0 dropped)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for order, element in enumerate(header.split(",")):
        tag, *params = (part.strip() for part in element.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 1.0
        if tag and q > 0:
            weighted.append((-q, order, tag.lower().split("-")[0]))
    return [tag for _q, _order, tag in sorted(weighted)]


def choose_language(param: str | None, cookie: str | None, accept_language: str | None) -> str:
    """Return the UI language: ``param``, else ``cookie``, else ``Accept-Language``, else fr."""
    for candidate in (param, cookie):
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag
        if tag == "*":
            break
    return DEFAULT_LANGUAGE


def language_order(lang: str) -> tuple[str, ...]:
    """Language tags to try for a label, best first (``""`` = a literal without a tag)."""
    others = tuple(other for other in LANGUAGES if other != lang)
    return (lang, *others, "")


def pick_literal(literals: Iterable[Node], lang: str) -> Literal | None:
    """Return the literal of ``literals`` in ``lang``, else the other UI language, else untagged."""
    by_lang: dict[str, Literal] = {}
    for literal in literals:
        if isinstance(literal, Literal):
            tag = (literal.language or "").lower().split("-")[0]
            by_lang.setdefault(tag, literal)
    for tag in language_order(lang):
        if tag in by_lang:
            return by_lang[tag]
    return next(iter(by_lang.values()), None)


@dataclass(frozen=True)
class Messages:
    """The UI text in one language; ``messages["key"]`` or ``messages.get("key")``."""

    lang: str
    table: Mapping[str, str]

    def __getitem__(self, key: str) -> str:
        return self.table.get(key, MESSAGES[DEFAULT_LANGUAGE].get(key, key))

    def get(self, key: str, default: str | None = None) -> str:
        return self.table.get(key, default if default is not None else key)


MESSAGES: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "site": "Pôles territoriaux de coopération économique",
        "site_short": "PTCE",
        "skip": "Aller au contenu",
        "nav": "Navigation principale",
        "home": "Recherche",
        "compare": "Comparer",
        "editor": "Éditeur SPARQL",
        "ontology": "Ontologie",
        "shapes": "Formes SHACL",
        "language": "Langue",
        "switch_to": "English",
        "search_title": "Rechercher un PTCE",
        "search_intro": "Les pôles territoriaux de coopération économique (loi n° 2014-856, "
        "article 9) de la base de connaissances, avec leurs sources.",
        "name": "Nom",
        "region": "Région",
        "sector": "Secteur",
        "recognition": "Reconnaissance",
        "any": "toutes",
        "search": "Rechercher",
        "reset": "Effacer",
        "results": "Résultats",
        "result_count": "{n} PTCE trouvé(s)",
        "no_result": "Aucun PTCE ne correspond à ces critères.",
        "map": "Carte",
        "map_title": "Carte des PTCE",
        "map_desc": "Carte de la France avec un point par PTCE, placé sur sa commune.",
        "overseas": "Outre-mer",
        "unmapped": "{n} PTCE sans commune connue ne figurent pas sur la carte.",
        "commune": "Commune",
        "as_data": "Ces résultats en données",
        "profile": "Profil",
        "members": "Membres",
        "composition_not_documented": (
            "Composition non documentée : les sources consultées ne nomment aucun membre "
            "(inconnu, pas zéro)."
        ),
        "members_carrier_only": "Les sources nomment la structure porteuse, aucun autre membre.",
        "searched_not_found": "Recherché sans résultat",
        "searched_on": "recherche du",
        "member": "Membre",
        "role": "Rôle",
        "college": "Collège",
        "period": "Période",
        "category": "Catégorie",
        "cooperations": "Coopérations",
        "cooperation": "Action",
        "types": "Types",
        "participants": "Participants",
        "shared_resource": "Ressource partagée",
        "projects": "Projets",
        "indicators": "Indicateurs",
        "indicator": "Indicateur",
        "value": "Valeur",
        "date": "Date",
        "source": "Source",
        "sources": "Sources des faits",
        "cite_this": "Citer cette page",
        "recognitions": "Reconnaissances",
        "amount": "Montant",
        "composition": "Composition par catégorie d'acteurs",
        "composition_desc": "Nombre de membres du pôle par catégorie d'acteurs.",
        "unclassified": "non classé",
        "founded": "Création",
        "based_in": "Siège",
        "carrier": "Structure porteuse",
        "legal_structure": "Structure juridique",
        "stage": "Stade",
        "origin": "Origine",
        "pole_type": "Type de pôle",
        "scale": "Échelle",
        "territory_type": "Type de territoire",
        "covers": "Territoire couvert",
        "funding": "Financement",
        "description": "Description",
        "similar": "PTCE proches",
        "all_statements": "Toutes les affirmations",
        "incoming": "Liens entrants",
        "property": "Propriété",
        "subject": "Sujet",
        "formats": "Formats",
        "download": "Télécharger",
        "compare_title": "Comparer des PTCE",
        "compare_pick": "Choisissez de 2 à 5 PTCE",
        "compare_run": "Comparer",
        "compare_need": "Choisissez au moins 2 PTCE (5 au plus) pour les comparer.",
        "compare_too_many": "5 PTCE au plus : seuls les 5 premiers sont comparés.",
        "side_by_side": "Côte à côte",
        "profile_chart": "Profil comparé",
        "profile_desc": "Valeurs rapportées au maximum des PTCE comparés (1 = le plus grand).",
        "feature": "Caractéristique",
        "member_count": "Membres",
        "cooperation_count": "Coopérations",
        "recognition_count": "Reconnaissances",
        "sector_count": "Secteurs",
        "age_years": "Âge (années)",
        "members_in": "Membres : {}",
        "similarity_with": "Similarité avec {}",
        "latest": "dernière valeur",
        "editor_title": "Éditeur de requêtes SPARQL",
        "editor_intro": "Interrogez la base avec SPARQL 1.1. Le point d'accès est {endpoint}.",
        "examples": "Requêtes nommées",
        "no_yasgui": "YASGUI n'est pas installé sur ce serveur (npm install) : "
        "voici un formulaire simple.",
        "query": "Requête",
        "format": "Format",
        "run": "Exécuter",
        "ontology_title": "Ontologie PTCE",
        "classes": "Classes",
        "object_properties": "Propriétés d'objet",
        "datatype_properties": "Propriétés de données",
        "annotation_properties": "Propriétés d'annotation",
        "other_terms": "Autres termes",
        "superclasses": "Sous-classe de",
        "domain": "Domaine",
        "range": "Portée",
        "shapes_title": "Formes SHACL",
        "target": "Cible",
        "constraints": "Contraintes",
        "severity": "Gravité",
        "message": "Message",
        "not_found": "Ressource introuvable",
        "footer": "Données sous licence CC BY 4.0. Chaque fait renvoie à sa source.",
        "this_page_as": "Cette page en",
        "licence": "Licence de ces données :",
    },
    "en": {
        "site": "Territorial economic cooperation poles",
        "site_short": "PTCE",
        "skip": "Skip to content",
        "nav": "Main navigation",
        "home": "Search",
        "compare": "Compare",
        "editor": "SPARQL editor",
        "ontology": "Ontology",
        "shapes": "SHACL shapes",
        "language": "Language",
        "switch_to": "Français",
        "search_title": "Find a PTCE",
        "search_intro": "France's territorial economic cooperation poles (law 2014-856, "
        "article 9) in the knowledge base, with their sources.",
        "name": "Name",
        "region": "Region",
        "sector": "Sector",
        "recognition": "Recognition",
        "any": "any",
        "search": "Search",
        "reset": "Clear",
        "results": "Results",
        "result_count": "{n} PTCE found",
        "no_result": "No PTCE matches these criteria.",
        "map": "Map",
        "map_title": "Map of the PTCE",
        "map_desc": "Map of France with one point per PTCE, placed on its commune.",
        "overseas": "Overseas",
        "unmapped": "{n} PTCE without a known commune are not on the map.",
        "commune": "Commune",
        "as_data": "These results as data",
        "profile": "Profile",
        "members": "Members",
        "composition_not_documented": (
            "Composition not documented: the sources consulted name no member (unknown, not zero)."
        ),
        "members_carrier_only": "The sources name the carrier and no other member.",
        "searched_not_found": "Searched, not found",
        "searched_on": "searched on",
        "member": "Member",
        "role": "Role",
        "college": "College",
        "period": "Period",
        "category": "Category",
        "cooperations": "Cooperations",
        "cooperation": "Action",
        "types": "Types",
        "participants": "Participants",
        "shared_resource": "Shared resource",
        "projects": "Projects",
        "indicators": "Indicators",
        "indicator": "Indicator",
        "value": "Value",
        "date": "Date",
        "source": "Source",
        "sources": "Sources of the facts",
        "cite_this": "Cite this page",
        "recognitions": "Recognitions",
        "amount": "Amount",
        "composition": "Composition by actor category",
        "composition_desc": "Number of members of the pole in each actor category.",
        "unclassified": "unclassified",
        "founded": "Founded",
        "based_in": "Based in",
        "carrier": "Carrier",
        "legal_structure": "Legal structure",
        "stage": "Stage",
        "origin": "Origin",
        "pole_type": "Pole type",
        "scale": "Scale",
        "territory_type": "Territory type",
        "covers": "Territory covered",
        "funding": "Funding",
        "description": "Description",
        "similar": "Similar PTCE",
        "all_statements": "All statements",
        "incoming": "Incoming links",
        "property": "Property",
        "subject": "Subject",
        "formats": "Formats",
        "download": "Download",
        "compare_title": "Compare PTCE",
        "compare_pick": "Pick 2 to 5 PTCE",
        "compare_run": "Compare",
        "compare_need": "Pick at least 2 PTCE (at most 5) to compare them.",
        "compare_too_many": "At most 5 PTCE: only the first 5 are compared.",
        "side_by_side": "Side by side",
        "profile_chart": "Compared profile",
        "profile_desc": "Values relative to the largest of the compared PTCE (1 = the largest).",
        "feature": "Feature",
        "member_count": "Members",
        "cooperation_count": "Cooperations",
        "recognition_count": "Recognitions",
        "sector_count": "Sectors",
        "age_years": "Age (years)",
        "members_in": "Members: {}",
        "similarity_with": "Similarity with {}",
        "latest": "latest value",
        "editor_title": "SPARQL query editor",
        "editor_intro": "Query the knowledge base with SPARQL 1.1. The endpoint is {endpoint}.",
        "examples": "Named queries",
        "no_yasgui": "YASGUI is not installed on this server (npm install): here is a plain form.",
        "query": "Query",
        "format": "Format",
        "run": "Run",
        "ontology_title": "PTCE ontology",
        "classes": "Classes",
        "object_properties": "Object properties",
        "datatype_properties": "Datatype properties",
        "annotation_properties": "Annotation properties",
        "other_terms": "Other terms",
        "superclasses": "Subclass of",
        "domain": "Domain",
        "range": "Range",
        "shapes_title": "SHACL shapes",
        "target": "Target",
        "constraints": "Constraints",
        "severity": "Severity",
        "message": "Message",
        "not_found": "Resource not found",
        "footer": "Data under the CC BY 4.0 licence. Every fact links to its source.",
        "this_page_as": "This page as",
        "licence": "Licence of these data:",
    },
}


def messages(lang: str) -> Messages:
    """Return the UI text in ``lang`` (French when unknown)."""
    return Messages(lang, MESSAGES.get(lang, MESSAGES[DEFAULT_LANGUAGE]))
