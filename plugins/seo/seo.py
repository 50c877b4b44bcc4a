"""Search-engine and government-portal metadata: sitemap, robots.txt, descriptions, JSON-LD.

Documents get `description` (CJK-aware length) and `json_ld` (schema.org); templates
render them with canonical links, Open Graph, Twitter cards, hreflang and the CN
government meta tags. SeoGenerator writes sitemap.xml (an index past 50,000 URLs) and
robots.txt. Nothing re-parses written HTML.
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

import gazette.build
import gazette.output
from gazette.settings import Setting, Table
from gazette.urls import public_url

logger = logging.getLogger(__name__)

SETTINGS = Table("seo", "SEO_", [
    Setting("SEO_ENABLED", True, "Descriptions, canonical links, Open Graph, JSON-LD, sitemap.xml and robots.txt."),
    Setting("SEO_DESCRIPTION_WIDTH", 160, "Longest description, in display width: a CJK character counts 2, "
            "Latin 1.", minimum=20),
    Setting("SEO_SITEMAP_MAX_URLS", 50000, "URLs per sitemap file (the sitemaps.org limit); more make a "
            "sitemap index.", minimum=1),
    Setting("SEO_ROBOTS_DISALLOW", [], "Paths robots.txt asks crawlers to leave alone.", items=str),
])
LEGAL_FORCE = {"effective": "InForce", "amended": "PartiallyInForce",
               "repealed": "NotInForce", "expired": "NotInForce"}
SCHEMA_TYPES = {"policy": "Legislation", "news": "NewsArticle", "dataset": "Dataset",
                "page": "WebPage", "reply": "Article", "interpretation": "Article",
                "notice": "Article", "consultation": "Article"}


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _head(markup: str, size: int) -> str:
    """The start of markup, never cut inside a tag or an entity."""
    head = markup[:size]
    for opener, closer in (("<", ">"), ("&", ";")):
        cut = head.rfind(opener)
        if cut > head.rfind(closer):
            head = head[:cut]
    return head


def describe(text: str, limit: int) -> str:
    """Plain-text description cut to a display width, counting CJK characters as two."""
    # A description needs the first lines only: read a head of the page (every build reads
    # 10,000 bodies), and the whole only if the head is too short to fill it.
    if len(text) > 40 * limit:
        short, cut = _describe(_head(text, 40 * limit), limit)
        if cut:
            return short
    return _describe(text, limit)[0]


def _describe(text: str, limit: int) -> tuple[str, bool]:
    """The description, and whether the text was longer than the limit."""
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    used, out = 0, []
    for char in plain:
        used += _width(char)
        if used > limit:
            return "".join(out).rstrip("，。、；： ,.;:") + "…", True
        out.append(char)
    return "".join(out), False


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def json_ld(doc: Any, settings: dict[str, Any], site: dict[str, Any], column: Any) -> list[dict[str, Any]]:
    """schema.org objects for one document: its own type plus its BreadcrumbList."""
    url = public_url(settings, doc.url)
    org = {"@type": "GovernmentOrganization", "name": site.get("name", ""), "url": public_url(settings, "")}
    item: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(doc.type, "Article"),
        "name": doc.title,
        "url": url,
        "inLanguage": doc.lang,
        "datePublished": _iso(doc.date),
        "dateModified": _iso(getattr(doc, "modified", None) or doc.date),
        "publisher": org,
        "description": doc.description,
    }
    if item["@type"] in ("Article", "NewsArticle"):
        item["headline"] = doc.title
        item["mainEntityOfPage"] = url
    if doc.type == "policy":
        item.update({
            "legislationIdentifier": doc.doc_no,
            "legislationDate": _iso(doc.written_date),
            "legislationLegalForce": LEGAL_FORCE[doc.validity],
            "legislationResponsible": {"@type": "GovernmentOrganization", "name": doc.issuer},
            "identifier": doc.index_no,
        })
        if getattr(doc, "interpretations", None):
            item["subjectOf"] = [{"@type": "Article", "name": i.title, "url": public_url(settings, i.url)}
                                 for i in doc.interpretations]
    if doc.type == "interpretation":
        item["about"] = [{"@type": "Legislation", "name": p.title, "legislationIdentifier": p.doc_no,
                          "url": public_url(settings, p.url)} for p in getattr(doc, "policies", [])]
    if doc.type == "dataset":
        item["distribution"] = [{"@type": "DataDownload", "encodingFormat": f.format,
                                 "contentUrl": public_url(settings, f.url), "name": f.title}
                                for f in getattr(doc, "files", [])]
        if getattr(doc, "license", None):
            item["license"] = doc.license
    crumbs = [("首页", "")]
    if column is not None:
        crumbs.append((column.name, column.url))
    crumbs.append((doc.title, doc.url))
    trail = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n, "name": name, "item": public_url(settings, link)}
        for n, (name, link) in enumerate(crumbs, 1)]}
    return [item, trail]


def dump(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block: readable UTF-8, no '<' to end it early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def attach(generators: list[Any]) -> None:
    """Give every document its description and JSON-LD."""
    settings = generators[0].settings
    context = generators[0].context
    if not settings["SEO_ENABLED"]:
        return
    site = gazette.build.current().site["site"]
    columns = context.get("columns_by_id", {})
    for doc in context["published_documents"]:
        summary = doc.metadata.get("summary")
        doc.description = describe(summary or doc.content, settings["SEO_DESCRIPTION_WIDTH"])
        doc.json_ld = [dump(item) for item in
                       json_ld(doc, settings, site, columns.get(getattr(doc, "column", None)))]
    context["site_json_ld"] = dump({
        "@context": "https://schema.org", "@type": "GovernmentOrganization", "name": site.get("name", ""),
        "url": public_url(settings, ""), "identifier": site.get("site_code", ""),
        "parentOrganization": {"@type": "GovernmentOrganization", "name": site.get("host", "")},
    })


class SeoGenerator(Generator):
    """Write sitemap.xml and robots.txt from what the build published."""

    def generate_output(self, writer: Any) -> None:
        if not self.settings["SEO_ENABLED"]:
            return
        entries = self.urls()
        limit = self.settings["SEO_SITEMAP_MAX_URLS"]
        chunks = [entries[i:i + limit] for i in range(0, len(entries), limit)] or [[]]
        if len(chunks) == 1:
            self._write("sitemap.xml", _urlset(chunks[0]))
        else:
            names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
            for name, chunk in zip(names, chunks, strict=True):
                self._write(name, _urlset(chunk))
            newest = [max((lm for _, lm in chunk if lm), default="") for chunk in chunks]
            self._write("sitemap.xml", _index([(public_url(self.settings, n), lm)
                                               for n, lm in zip(names, newest, strict=True)]))
        lines = ["User-agent: *", "Allow: /"]
        lines += [f"Disallow: {path}" for path in self.settings["SEO_ROBOTS_DISALLOW"]]
        lines.append(f"Sitemap: {public_url(self.settings, 'sitemap.xml')}")
        self._write("robots.txt", "\n".join(lines) + "\n")

    def urls(self) -> list[tuple[str, str]]:
        """(absolute URL, lastmod) for every published page, sorted by URL."""
        ctx = self.context
        docs = ctx.get("published_documents", [])
        entries = {public_url(self.settings, d.url): _day(getattr(d, "modified", None) or d.date)
                   for d in docs}
        newest = _day(ctx.get("site_updated"))
        entries[public_url(self.settings, "")] = newest
        for column in ctx.get("columns", []):
            entries[public_url(self.settings, column.url)] = _day(column.latest.date) if column.latest else ""
        if ctx.get("CATALOGUE_URL"):
            entries[public_url(self.settings, ctx["CATALOGUE_URL"])] = newest
        return sorted(entries.items())

    def _write(self, name: str, text: str) -> None:
        if gazette.output.current().write(name, text.encode("utf-8")):
            logger.info("seo: wrote %s", name)


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _urlset(entries: list[tuple[str, str]]) -> str:
    rows = [f"  <url><loc>{escape(loc)}</loc>" + (f"<lastmod>{lm}</lastmod>" if lm else "") + "</url>"
            for loc, lm in entries]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(rows) + "\n</urlset>\n")


def _index(entries: list[tuple[str, str]]) -> str:
    rows = [f"  <sitemap><loc>{escape(loc)}</loc>" + (f"<lastmod>{lm}</lastmod>" if lm else "") + "</sitemap>"
            for loc, lm in entries]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows)
            + "\n</sitemapindex>\n")


def get_generators(pelican: Any) -> type[Generator]:
    return SeoGenerator


def register() -> None:
    # all_generators_finalized: URLs, links and relations are final; nothing written yet.
    signals.all_generators_finalized.connect(attach)
    # get_generators: sitemap.xml and robots.txt are written with the other output.
    signals.get_generators.connect(get_generators)
