"""RSS 2.0 and Atom feeds (feedgen) for the site, each column, type and department.

Replaces Pelican's feed writer (its FEED_* settings stay off). A feed whose entries
equal another's (a type served by exactly one column) is written once. A feed's
updated time is its newest entry's, so unchanged content gives unchanged bytes.
An entry links to its page; its attachments are enclosures (EntryLinks writes both,
working around feedgen), and each file's self link names that file.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree  # feedgen's own XML library: extensions get its elements
from pelican import signals
from pelican.generators import Generator

import gazette.build
import gazette.output
from gazette.media_types import media_type
from gazette.settings import Setting, Table
from gazette.urls import public_url

logger = logging.getLogger(__name__)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SETTINGS = Table("feeds", "FEEDS_", [
    Setting("FEEDS_ENABLED", True, "RSS 2.0 and Atom feeds for the site, each column, type and department."),
    Setting("FEEDS_MAX_ITEMS", 50, "Items per feed, newest first.", minimum=1),
    Setting("FEEDS_PATH", "feeds", "Output folder of the feeds and their index page."),
    Setting("FEEDS_MAX_CONTENT_CHARS", 100_000, "A body longer than this goes into feeds as its description "
            "and a link to the page.", minimum=1),
])


@dataclass
class Feed:
    """One feed: an id that names its files, a title, and its documents newest first."""

    id: str
    title: str
    kind: str  # site | column | type | department
    docs: list[Any] = field(default_factory=list)
    folder: str = "feeds"
    page: str = ""  # the site page the feed follows (its column's), for its alternate link

    @property
    def rss_url(self) -> str:
        return f"{self.folder}/{self.id}.xml"

    @property
    def atom_url(self) -> str:
        return f"{self.folder}/{self.id}.atom.xml"


def _newest(docs: list[Any]) -> list[Any]:
    """Newest publication first (update dates may all be one commit's)."""
    return sorted(docs, key=lambda d: (d.date, d.source_path), reverse=True)


def _updated(doc: Any) -> Any:
    """When the document last changed: `modified` is set only for a change after it went public."""
    return getattr(doc, "modified", None) or doc.date


def plan_feeds(context: dict[str, Any], settings: dict[str, Any]) -> list[Feed]:
    """Decide which feeds exist, dropping any whose entries duplicate an earlier feed."""
    site = gazette.build.current().site
    docs = [d for d in context.get("articles", []) if d.in_default_lang]
    folder = settings["FEEDS_PATH"]
    feeds = [Feed("all", f"{site['site']['name']} - 全部更新", "site", docs, folder)]
    for column in context.get("columns", []):
        feeds.append(Feed(column.id, column.name, "column", list(column.items), folder, column.url))
    from content_model.schema import TYPES  # the content types' Chinese names

    for type_name, ctype in TYPES.items():
        feeds.append(Feed(f"type-{type_name}", ctype.label, "type",
                          [d for d in docs if d.type == type_name], folder))
    for dept_id, dept in site["departments"].items():
        feeds.append(Feed(f"dept-{dept_id}", dept["name"], "department",
                          [d for d in docs if getattr(d, "department", None) == dept_id], folder))
    seen: set[tuple[str, ...]] = set()
    kept = []
    for feed in feeds:
        key = tuple(sorted(d.source_path for d in feed.docs))
        if not feed.docs or (key in seen and feed.kind != "site"):
            continue
        seen.add(key)
        feed.docs = _newest(feed.docs)[: settings["FEEDS_MAX_ITEMS"]]
        kept.append(feed)
    return kept


def _feed_body(doc: Any, base: str, url: str, limit: int) -> str:
    """The HTML a feed entry carries: the body with absolute links, or for a huge body a pointer to it.

    Escaped as text (type "html"), not CDATA: a body may contain "]]>", which would end CDATA early.
    """
    body = doc.get_content(base)
    if len(body) <= limit:
        return body
    return (f"<p>{html.escape(getattr(doc, 'description', '') or doc.title)}</p>"
            f'<p><a href="{html.escape(url)}">阅读全文</a></p>')


@dataclass(frozen=True)
class Enclosure:
    """A file an entry carries (attachment or dataset file), as feeds describe it."""

    url: str
    title: str
    format: str
    size: int
    size_text: str
    type: str


class EntryLinks(BaseEntryExtension):
    """Write an entry's links, enclosures and RSS description where feedgen 1.0.0 cannot.

    FeedEntry.atom_entry() rebinds `link` to the element it has just made and then reads rel,
    type and length from that element, so every entry link came out as a bare <link href>: each
    attachment became one more rel="alternate" link, and feed readers took it for the entry's
    link. FeedEntry.link() also keeps only the last enclosure for RSS. So render() gives feedgen
    the page link alone (it still writes RSS <link> from it) and this extension writes the rest.
    """

    def __init__(self) -> None:
        self.page = ""
        self.files: list[Enclosure] = []
        self.description = ""
        self.lang = ""

    def extend_atom(self, entry: Any) -> Any:
        # feedgen builds entries without a namespace and relies on the feed's default xmlns: do the same.
        links = entry.findall("link")  # feedgen's bare ones, replaced in place
        at = entry.index(links[0]) if links else len(entry)
        for link in links:
            entry.remove(link)
        attrs = [{"href": self.page, "rel": "alternate", "type": "text/html"}]
        attrs += [{"href": f.url, "rel": "enclosure", "type": f.type, "length": str(f.size), "title": f.title}
                  for f in self.files]
        for offset, attrib in enumerate(attrs):
            entry.insert(at + offset, etree.Element("link", attrib))
        if self.lang:
            entry.set(XML_LANG, self.lang)
        return entry

    def extend_rss(self, item: Any) -> Any:
        # RSS 2.0 carries one enclosure per item: the first file; the description lists them all.
        if self.files:
            first = self.files[0]
            enclosure = etree.Element("enclosure", {"url": first.url, "length": str(first.size), "type": first.type})
            item.insert(item.index(item.find("guid")), enclosure)
        item.find("description").text = self.description
        return item


def _language(tag: str) -> str:
    """A language tag as BCP 47 writes it (Pelican lower-cases DEFAULT_LANG): zh-CN, en."""
    first, *rest = tag.split("-")
    return "-".join([first.lower()] + [part.upper() if len(part) == 2 else part for part in rest])


def _files(doc: Any, settings: dict[str, Any]) -> list[Enclosure]:
    return [Enclosure(public_url(settings, ref.url), ref.title, ref.format, ref.size, ref.size_text,
                      media_type(ref.file, ref.format))
            for ref in (getattr(doc, "attachments", None) or []) + (getattr(doc, "files", None) or [])]


def _rss_description(summary: str, files: list[Enclosure]) -> str:
    """The summary as HTML, with every file listed when RSS's one enclosure cannot carry them all."""
    text = html.escape(summary)
    if len(files) < 2:
        return text
    items = "".join(f'<li><a href="{html.escape(f.url)}">{html.escape(f.title)}</a>'
                    f"（{html.escape(f.format)}，{f.size_text}）</li>" for f in files)
    return f"<p>{text}</p><p>附件（{len(files)}个）：</p><ol>{items}</ol>"


def render(feed: Feed, settings: dict[str, Any], context: dict[str, Any]) -> tuple[bytes, bytes]:
    """Return (rss, atom) bytes for one feed."""
    site = gazette.build.current().site["site"]
    columns = context.get("columns_by_id", {})
    departments = gazette.build.current().site["departments"]
    lang = _language(settings["DEFAULT_LANG"])
    fg = FeedGenerator()
    fg.register_extension("gazette", BaseExtension, EntryLinks)
    title = feed.title if feed.kind == "site" else f"{feed.title} - {site['name']}"
    fg.id(public_url(settings, feed.atom_url))
    fg.title(title)
    fg.subtitle(f"{site['name']}：{feed.title}")
    page = dict(href=public_url(settings, feed.page), rel="alternate", type="text/html")
    fg.language(lang)
    fg.author({"name": site.get("host") or site["name"]})
    fg.generator("Gazette")
    # A feed's times are its entries': the same content gives the same bytes, whenever it is built.
    newest = max(_updated(d) for d in feed.docs)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    fg.pubDate(max(d.date for d in feed.docs))
    for doc in feed.docs:
        entry = fg.add_entry(order="append")
        url = public_url(settings, doc.url)
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(doc.title)
        entry.link(href=url)  # for RSS <link>; EntryLinks writes the Atom links
        entry.published(doc.date)
        entry.updated(_updated(doc))
        summary = getattr(doc, "description", None) or doc.title
        entry.summary(summary)
        entry.content(_feed_body(doc, public_url(settings, "").rstrip("/"), url,
                                 settings["FEEDS_MAX_CONTENT_CHARS"]), type="html")
        column = columns.get(getattr(doc, "column", None))
        if column is not None:
            entry.category(term=column.id, label=column.name)
        author = getattr(doc, "issuer", None) or getattr(doc, "source_site", None) or (
            departments[doc.department]["name"] if getattr(doc, "department", None) else site.get("host"))
        if author:
            entry.author({"name": author})
        extra = entry.gazette
        extra.page = url
        extra.files = _files(doc, settings)
        extra.description = _rss_description(summary, extra.files)
        extra.lang = "" if _language(doc.lang) == lang else _language(doc.lang)
    # feedgen writes RSS's atom:link rel="self" from the Atom self link: each file names itself.
    fg.link([dict(href=public_url(settings, feed.rss_url), rel="self", type="application/rss+xml"), page])
    rss = fg.rss_str(pretty=True)
    fg.link([dict(href=public_url(settings, feed.atom_url), rel="self", type="application/atom+xml"), page],
            replace=True)
    return rss, fg.atom_str(pretty=True)


class FeedIndex:
    """The feeds by id, as templates look them up (`feeds_by_id.get('gzdt')`, `feeds_by_id['all']`).

    Not a dict: fast_build digests a variable's value shallowly, a dict by its keys, so every page
    that looked one up would depend on which feeds exist, and the first document in a column (a new
    feed) would render every page again. An object is digested by its type; each lookup is a read
    of its own, so a page depends only on the feeds it names.
    """

    def __init__(self, feeds: list[Feed]) -> None:
        self._by_id = {f.id: f for f in feeds}

    def get(self, feed_id: str, default: Feed | None = None) -> Feed | None:
        return self._by_id.get(feed_id, default)

    def __getitem__(self, feed_id: str) -> Feed:
        return self._by_id[feed_id]


class FeedsGenerator(Generator):
    """Plan the feeds once reading is done; write them with the rest of the output."""

    def generate_context(self) -> None:
        self.feeds = plan_feeds(self.context, self.settings) if self.settings["FEEDS_ENABLED"] else []
        self.context["feeds"] = self.feeds
        self.context["feeds_by_id"] = FeedIndex(self.feeds)

    def generate_output(self, writer: Any) -> None:
        # A feed of a column that is gone (or emptied) is not written, so the Output removes it.
        output = gazette.output.current()
        for feed in self.feeds:
            rss, atom = render(feed, self.settings, self.context)
            output.write(feed.rss_url, rss)
            output.write(feed.atom_url, atom)
        if not self.feeds:
            return
        writer.write_file(f"{self.settings['FEEDS_PATH']}/index.html", self.get_template("feeds"),
                          self.context, relative_urls=self.settings["RELATIVE_URLS"],
                          page_name="feeds")
        logger.info("feeds: wrote %d feeds", len(self.feeds))


def get_generators(pelican: Any) -> type[Generator]:
    return FeedsGenerator


def register() -> None:
    # get_generators: feeds are planned after the columns exist and written with the output.
    signals.get_generators.connect(get_generators)
