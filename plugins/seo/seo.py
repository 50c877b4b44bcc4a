"""Search-engine and government-portal metadata: sitemap, robots.txt, descriptions, JSON-LD.

Documents get `description` (CJK-aware length) and `json_ld` (schema.org); templates
render them with canonical links, Open Graph, Twitter cards, hreflang and the CN
government meta tags. SeoGenerator writes robots.txt; sitemap.xml (an index past 50,000
URLs) lists every page the build wrote (the Output's record) but those robots.txt disallows
and those the theme marks noindex. Nothing re-parses written HTML.
"""

from __future__ import annotations

import fnmatch
import functools
import html
import logging
import os
import re
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

import gazette.build
import gazette.output
from gazette.cache import Memo
from gazette.files import files_digest
from gazette.licences import licence_url
from gazette.media_types import media_type
from gazette.safe_json import safe_json
from gazette.settings import Setting, Table
from gazette.urls import public_url

logger = logging.getLogger(__name__)

SETTINGS = Table("seo", "SEO_", [
    Setting("SEO_ENABLED", True, "Descriptions, canonical links, Open Graph, JSON-LD, sitemap.xml and robots.txt."),
    Setting("SEO_DESCRIPTION_WIDTH", 160, "Longest description, in display width: a CJK character counts 2, "
            "Latin 1.", minimum=20),
    Setting("SEO_SITEMAP_MAX_URLS", 50000, "URLs per sitemap file (the sitemaps.org limit); more make a "
            "sitemap index.", minimum=1),
    Setting("SEO_ROBOTS_DISALLOW", [], "Paths robots.txt asks crawlers to leave alone; the sitemap leaves "
            "them out.", items=str),
    Setting("SEO_SITEMAP_EXCLUDE", ["404.html"], "Pages (output paths, `*` wildcards) the sitemap leaves out "
            "besides those under SEO_ROBOTS_DISALLOW: those the theme marks noindex. Every other page the "
            "build writes is listed.", items=str),
])
LEGAL_FORCE = {"effective": "InForce", "amended": "PartiallyInForce",
               "repealed": "NotInForce", "expired": "NotInForce"}
SCHEMA_TYPES = {"policy": "Legislation", "news": "NewsArticle", "dataset": "Dataset",
                "page": "WebPage", "reply": "Article", "interpretation": "Article", "interview": "Article",
                "notice": "Article", "consultation": "Article", "service": "WebPage", "topic": "CollectionPage",
                "org": "AboutPage", "leader": "ProfilePage"}


@functools.cache  # (a few thousand distinct characters; every build measures 10,000 descriptions)
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


def organization(settings: dict[str, Any], site: dict[str, Any]) -> dict[str, Any]:
    """The office behind the site: its 主办单位, under its superior body if site.yaml names one."""
    org = {"@type": "GovernmentOrganization", "@id": public_url(settings, "") + "#organization",
           "name": site.get("host", ""), "url": public_url(settings, "")}
    if site.get("index_org_code"):
        org["identifier"] = site["index_org_code"]
    if site.get("superior") and site["superior"] != org["name"]:
        org["parentOrganization"] = {"@type": "GovernmentOrganization", "name": site["superior"]}
    return org


def json_ld(doc: Any, settings: dict[str, Any], site: dict[str, Any]) -> list[dict[str, Any]]:
    """schema.org objects for one document (its BreadcrumbList comes with the breadcrumb it describes)."""
    url = public_url(settings, doc.url)
    org = organization(settings, site)
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
    # A picture of its own or the site's (content_model placed both), not the theme's generic card.
    image = getattr(doc, "image", None) or site.get("share_image")
    if image is not None:
        item["image"] = {"@type": "ImageObject", "url": public_url(settings, image.url),
                         "width": image.width, "height": image.height}
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
    if doc.type in ("interpretation", "interview"):
        item["about"] = [{"@type": "Legislation", "name": p.title, "legislationIdentifier": p.doc_no,
                          "url": public_url(settings, p.url)} for p in getattr(doc, "policies", [])]
    if doc.type == "service":  # the page describes a GovernmentService (a Service has no publish date itself)
        service: dict[str, Any] = {"@type": "GovernmentService", "name": doc.title,
                                   "provider": {"@type": "GovernmentOrganization", "name": doc.agency},
                                   "audience": {"@type": "Audience", "audienceType": doc.audience_label}}
        if getattr(doc, "theme", None):
            service["serviceType"] = doc.theme
        if getattr(doc, "online_url", None):
            service["availableChannel"] = {"@type": "ServiceChannel",
                                           "serviceUrl": public_url(settings, doc.online_url)
                                           if doc.online_url.startswith("/") else doc.online_url}
        item["mainEntity"] = service
    if doc.type == "leader":
        person: dict[str, Any] = {"@type": "Person", "name": doc.title, "jobTitle": doc.position,
                                  "worksFor": org}
        if getattr(doc, "image", None) is not None:
            person["image"] = public_url(settings, doc.image.url)
        item["mainEntity"] = person
    if doc.type == "dataset":
        item["distribution"] = [{"@type": "DataDownload", "encodingFormat": media_type(f.file, f.format),
                                 "contentUrl": public_url(settings, f.url), "name": f.title}
                                for f in getattr(doc, "files", [])]
        licence = licence_url(doc, settings)
        if licence:
            item["license"] = licence
    return [item]


def breadcrumb_list(settings: dict[str, Any], crumbs: list[tuple[Any, str | None]], here: str) -> dict[str, Any]:
    """The BreadcrumbList of a breadcrumb: (title, site-relative URL, or None for this page at `here`)."""
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n,
         # A title may be markup (a Chinese name marked lang="zh-CN" on an English page): its text counts.
         "name": title.striptags() if isinstance(title, Markup) else " ".join(str(title).split()),
         "item": public_url(settings, here if link is None else link)}
        for n, (title, link) in enumerate(crumbs, 1)]}


def dump(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block: readable UTF-8, no '<' to end it early."""
    return Markup(safe_json(data, sort_keys=True))


def attach(generators: list[Any]) -> None:
    """Give every document its description and JSON-LD."""
    settings = generators[0].settings
    context = generators[0].context
    if not settings["SEO_ENABLED"]:
        return
    site = gazette.build.current().site["site"]
    described = Memo(settings, "seo", describe, files_digest(os.path.dirname(os.path.abspath(__file__))))
    for doc in context["published_documents"]:
        summary = doc.metadata.get("summary")
        doc.description = described(summary or doc.content, settings["SEO_DESCRIPTION_WIDTH"])
        doc.json_ld = [dump(item) for item in json_ld(doc, settings, site)]
    described.save()
    # The home page: the site (网站标识码 identifies it) and the office that runs it (主办单位).
    home = public_url(settings, "")
    context["site_json_ld"] = dump({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": home + "#website", "name": site.get("name", ""), "url": home,
         "identifier": site.get("site_code", ""), "inLanguage": settings["DEFAULT_LANG"],
         "publisher": {"@id": home + "#organization"}},
        organization(settings, site),
    ]})


def configure(pelican: Any) -> None:
    """Add the `breadcrumb_json_ld` filter: components/breadcrumbs.html describes the trail it shows."""
    settings = pelican.settings
    if not settings["SEO_ENABLED"]:
        return

    def breadcrumb_filter(crumbs: list[tuple[Any, str | None]], here: str) -> Markup:
        return dump(breadcrumb_list(settings, crumbs, here))

    settings.setdefault("JINJA_FILTERS", {})["breadcrumb_json_ld"] = breadcrumb_filter


class SeoGenerator(Generator):
    """Write robots.txt, and note each page's last change for sitemap.xml (written once every page is)."""

    def generate_output(self, writer: Any) -> None:
        _pending.clear()
        if not self.settings["SEO_ENABLED"]:
            return
        # A copy of another cluster site's document names the original as canonical: only that one is listed.
        copies = {d.url for d in self.context.get("published_documents", []) if getattr(d, "canonical_url", None)}
        _pending.append((self.settings, self.lastmods(), copies))
        _write("robots.txt", robots_txt(self.settings))

    def lastmods(self) -> dict[str, str]:
        """Site-relative URL -> day of last change, for the pages whose content the build knows."""
        ctx = self.context
        days = {d.url: _day(getattr(d, "modified", None) or d.date) for d in ctx.get("published_documents", [])}
        newest = _day(ctx.get("site_updated"))
        days[""] = newest
        for column in ctx.get("columns", []):
            days[column.url] = _day(column.latest.date) if column.latest else ""
        if ctx.get("CATALOGUE_URL"):
            days[ctx["CATALOGUE_URL"]] = newest
        for facet in ctx.get("catalogue", []):
            for value in facet.values:
                days[value.url] = _day(max((getattr(d, "modified", None) or d.date for d in value.items),
                                           default=None))
        return days


# (settings, lastmods, URLs of copies) of the running build, from SeoGenerator to write_sitemap.
_pending: list[tuple[dict[str, Any], dict[str, str], set[str]]] = []


def robots_txt(settings: dict[str, Any]) -> str:
    """robots.txt: the Disallow rules, then the sitemap."""
    # Disallow rules only: crawlers taking the first matching rule (Baidu) and those taking the
    # longest (Google) read them alike; an `Allow: /` before them lets first-match crawlers in everywhere.
    rules = [f"Disallow: {path}" for path in settings["SEO_ROBOTS_DISALLOW"]] or ["Disallow:"]
    return "\n".join(["User-agent: *", *rules, "", f"Sitemap: {public_url(settings, 'sitemap.xml')}"]) + "\n"


def _robots_rule(path: str) -> re.Pattern[str]:
    """A robots.txt path as a regular expression: a prefix, * for any characters, $ for the end (RFC 9309)."""
    end = path.endswith("$")
    body = ".*".join(re.escape(part) for part in path.removesuffix("$").split("*"))
    return re.compile(body + ("$" if end else ""))


def indexable(files: list[str], settings: dict[str, Any]) -> list[str]:
    """Site-relative URLs of the HTML pages among output files that search engines may index.

    Every page counts (documents, columns and their archive pages, catalogue facets, reply
    statistics, feeds and search pages…) except those under a robots.txt Disallow rule and
    those matching SEO_SITEMAP_EXCLUDE, which the theme marks noindex (404.html).
    """
    disallowed = [_robots_rule(path) for path in settings["SEO_ROBOTS_DISALLOW"]]
    urls = []
    for rel in files:
        if not rel.endswith(".html") or any(fnmatch.fnmatchcase(rel, p) for p in settings["SEO_SITEMAP_EXCLUDE"]):
            continue
        url = rel.removesuffix("index.html") if rel == "index.html" or rel.endswith("/index.html") else rel
        if not any(rule.match("/" + path) for rule in disallowed for path in (url, rel)):
            urls.append(url)
    return urls


def write_sitemap(pelican: Any) -> None:
    """Write sitemap.xml from the pages this build wrote (an index of several past SEO_SITEMAP_MAX_URLS)."""
    if not _pending:
        return
    settings, days, copies = _pending.pop()
    pages = [url for url in indexable(gazette.output.current().files(), settings) if url not in copies]
    entries = sorted((public_url(settings, url), days.get(url, "")) for url in pages)
    limit = settings["SEO_SITEMAP_MAX_URLS"]
    chunks = [entries[i:i + limit] for i in range(0, len(entries), limit)] or [[]]
    if len(chunks) == 1:
        _write("sitemap.xml", _urlset(chunks[0]))
        return
    names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
    for name, chunk in zip(names, chunks, strict=True):
        _write(name, _urlset(chunk))
    newest = [max((lm for _, lm in chunk if lm), default="") for chunk in chunks]
    _write("sitemap.xml", _index([(public_url(settings, n), lm) for n, lm in zip(names, newest, strict=True)]))


def _write(name: str, text: str) -> None:
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
    # initialized: add the breadcrumb filter before Jinja environments exist.
    signals.initialized.connect(configure)
    # all_generators_finalized: URLs, links and relations are final; nothing written yet.
    signals.all_generators_finalized.connect(attach)
    # get_generators: robots.txt is written with the other output, and the pages' dates noted.
    signals.get_generators.connect(get_generators)
    # finalized: fast_build (which seo needs, so it registers first) has written every page.
    signals.finalized.connect(write_sitemap)
