"""The machine-readable data catalogue: DCAT in JSON-LD (W3C DCAT) and `data.json` (DCAT-US 1.1).

Both describe the same datasets from the same fields: title, description, keywords, dates,
publisher, contact point, licence, update frequency, landing page and one distribution per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gazette.licences import licence_url
from gazette.media_types import media_type
from gazette.urls import public_url
from gazette.workdays import day

# schema.FREQUENCIES as the Dublin Core collection-frequency vocabulary (DCAT) and ISO 8601 (DCAT-US).
FREQUENCY_IRI = {"daily": "daily", "weekly": "weekly", "monthly": "monthly", "quarterly": "quarterly",
                 "half-yearly": "semiannual", "yearly": "annual", "irregular": "irregular"}
FREQUENCY_ISO = {"daily": "R/P1D", "weekly": "R/P1W", "monthly": "R/P1M", "quarterly": "R/P3M",
                 "half-yearly": "R/P6M", "yearly": "R/P1Y", "irregular": "irregular"}
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _day(value: Any) -> str:
    return day(value).isoformat()


def modified(doc: Any) -> Any:
    """When a dataset last changed: its `updated` or git's 最后更新, else its publish date."""
    return getattr(doc, "modified", None) or doc.date


def _email(doc: Any, site: dict[str, Any]) -> str:
    """A mailto: address for the contact point: the dataset's own, else the first in the site's contact text."""
    own = getattr(doc, "contact", None) or ""
    if own.startswith("mailto:"):
        return own
    for word in (site.get("contact") or "").replace("：", " ").replace(":", " ").split():
        if "@" in word and "." in word.split("@")[-1]:
            return "mailto:" + word.strip("，,。;；")
    return ""


def keywords(doc: Any) -> list[str]:
    """Its keywords, else its subject area: DCAT-US wants at least one."""
    return list(getattr(doc, "keywords", None) or []) or [getattr(doc, "topic", None) or doc.title]


@dataclass(frozen=True)
class Facts:
    """What both catalogues say of one dataset, worked out once."""

    url: str  # its page: identifier and landing page
    publisher: str
    email: str  # mailto:…, or ""
    licence: str | None
    frequency: str | None  # schema.FREQUENCIES key
    files: list[tuple[str, str, Any]]  # (download URL, media type, FileRef)


def facts(doc: Any, settings: dict[str, Any], site: dict[str, Any]) -> Facts:
    return Facts(public_url(settings, doc.url), getattr(doc, "publisher", None) or site.get("host", ""),
                 _email(doc, site), licence_url(doc, settings), getattr(doc, "update_frequency", None),
                 [(public_url(settings, f.url), media_type(f.file, f.format), f) for f in doc.files])


def data_json(datasets: list[Any], settings: dict[str, Any], site: dict[str, Any]) -> dict[str, Any]:
    """The catalogue as DCAT-US 1.1 (`data.json`, Project Open Data)."""
    entries = []
    for doc in datasets:
        known = facts(doc, settings, site)
        entry: dict[str, Any] = {
            "@type": "dcat:Dataset",
            "title": doc.title,
            "description": doc.description or doc.title,
            "keyword": keywords(doc),
            "issued": _day(doc.date),
            "modified": _day(modified(doc)),
            "publisher": {"@type": "org:Organization", "name": known.publisher},
            "contactPoint": {"@type": "vcard:Contact", "fn": known.publisher},
            "identifier": known.url,
            "accessLevel": "public",
            "landingPage": known.url,
            "language": [doc.lang],
            "distribution": [{"@type": "dcat:Distribution", "downloadURL": url, "mediaType": media,
                              "format": f.format, "title": f.title} for url, media, f in known.files],
        }
        if known.email:
            entry["contactPoint"]["hasEmail"] = known.email
        if known.licence:
            entry["license"] = known.licence
        if known.frequency in FREQUENCY_ISO:
            entry["accrualPeriodicity"] = FREQUENCY_ISO[known.frequency]
        if getattr(doc, "topic", None):
            entry["theme"] = [doc.topic]
        entries.append(entry)
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": entries,
    }


def dcat_jsonld(datasets: list[Any], settings: dict[str, Any], site: dict[str, Any], catalogue_url: str
                ) -> dict[str, Any]:
    """The catalogue in the W3C DCAT vocabulary, as JSON-LD with its context inline (no fetch needed)."""

    def text(value: str, lang: str) -> dict[str, str]:
        return {"@value": value, "@language": lang}

    def date(value: Any) -> dict[str, str]:
        return {"@value": _day(value), "@type": "xsd:date"}

    home = public_url(settings, "")
    datasets_ld = []
    for doc in datasets:
        known = facts(doc, settings, site)
        item: dict[str, Any] = {
            "@id": known.url,
            "@type": "dcat:Dataset",
            "dct:title": text(doc.title, doc.lang),
            "dct:description": text(doc.description or doc.title, doc.lang),
            "dct:issued": date(doc.date),
            "dct:modified": date(modified(doc)),
            "dct:language": doc.lang,
            "dcat:keyword": [text(k, doc.lang) for k in dict.fromkeys([*keywords(doc), getattr(doc, "topic", None)])
                             if k],
            "dct:publisher": {"@type": "foaf:Agent", "foaf:name": known.publisher},
            "dcat:landingPage": {"@id": known.url},
            "dcat:distribution": [{
                "@id": url,
                "@type": "dcat:Distribution",
                "dct:title": text(f.title, doc.lang),
                "dcat:downloadURL": {"@id": url},
                "dcat:mediaType": {"@id": "https://www.iana.org/assignments/media-types/" + media.split(";")[0]},
                "dct:format": f.format,
                "dcat:byteSize": {"@value": str(f.size), "@type": "xsd:nonNegativeInteger"},
            } for url, media, f in known.files],
        }
        if known.email:
            item["dcat:contactPoint"] = {"@type": "vcard:Organization", "vcard:fn": known.publisher,
                                         "vcard:hasEmail": {"@id": known.email}}
        if known.licence:
            item["dct:license"] = {"@id": known.licence}
        if known.frequency in FREQUENCY_IRI:
            item["dct:accrualPeriodicity"] = {"@id": "http://purl.org/cld/freq/" + FREQUENCY_IRI[known.frequency]}
        datasets_ld.append(item)
    return {
        "@context": DCAT_CONTEXT,
        "@id": public_url(settings, catalogue_url),
        "@type": "dcat:Catalog",
        "dct:title": text(f"{site.get('name', '')}开放数据目录", "zh-CN"),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": site.get("host", ""), "foaf:homepage": {"@id": home}},
        "foaf:homepage": {"@id": home},
        "dcat:dataset": datasets_ld,
    }
