"""RSS 2.0 and Atom feeds (feedgen) for the site, each column, type and department.

Replaces Pelican's feed writer (its FEED_* settings stay off). A feed whose entries
equal another's (a type served by exactly one column) is written once. A feed's
updated time is its newest entry's, so unchanged content gives unchanged bytes.
"""

from __future__ import annotations

import html
import logging
import mimetypes
from dataclasses import dataclass, field
from typing import Any

from feedgen.feed import FeedGenerator
from pelican import signals
from pelican.generators import Generator

import gazette.build
import gazette.output
from gazette.settings import Setting, Table
from gazette.urls import public_url

logger = logging.getLogger(__name__)

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
    return getattr(doc, "modified", None) or doc.date


def plan_feeds(context: dict[str, Any], settings: dict[str, Any]) -> list[Feed]:
    """Decide which feeds exist, dropping any whose entries duplicate an earlier feed."""
    site = gazette.build.current().site
    docs = [d for d in context.get("articles", []) if d.in_default_lang]
    folder = settings["FEEDS_PATH"]
    feeds = [Feed("all", f"{site['site']['name']} - 全部更新", "site", docs, folder)]
    for column in context.get("columns", []):
        feeds.append(Feed(column.id, column.name, "column", list(column.items), folder))
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


def render(feed: Feed, settings: dict[str, Any], context: dict[str, Any]) -> tuple[bytes, bytes]:
    """Return (rss, atom) bytes for one feed."""
    site = gazette.build.current().site["site"]
    columns = context.get("columns_by_id", {})
    departments = gazette.build.current().site["departments"]
    fg = FeedGenerator()
    title = feed.title if feed.kind == "site" else f"{feed.title} - {site['name']}"
    fg.id(public_url(settings, feed.atom_url))
    fg.title(title)
    fg.subtitle(f"{site['name']}：{feed.title}")
    fg.link(href=public_url(settings, feed.atom_url), rel="self")
    fg.link(href=public_url(settings, ""), rel="alternate")  # RSS <link> takes the last one
    fg.language("zh-CN")
    fg.author({"name": site.get("host", site["name"])})
    fg.generator("Gazette")
    newest = max(_updated(d) for d in feed.docs)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for doc in reversed(feed.docs):  # feedgen prepends: add oldest first
        entry = fg.add_entry()
        url = public_url(settings, doc.url)
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(doc.title)
        entry.link(href=url)
        entry.published(doc.date)
        entry.updated(_updated(doc))
        entry.summary(getattr(doc, "description", None) or doc.title)
        entry.content(_feed_body(doc, public_url(settings, "").rstrip("/"), url,
                                 settings["FEEDS_MAX_CONTENT_CHARS"]), type="html")
        column = columns.get(getattr(doc, "column", None))
        if column is not None:
            entry.category(term=column.id, label=column.name)
        author = getattr(doc, "issuer", None) or (
            departments[doc.department]["name"] if getattr(doc, "department", None) else site.get("host"))
        entry.author({"name": author})
        for ref in (getattr(doc, "attachments", None) or []) + (getattr(doc, "files", None) or []):
            mime = mimetypes.guess_type(ref.file)[0] or "application/octet-stream"
            entry.enclosure(public_url(settings, ref.url), str(ref.size), mime)
    return fg.rss_str(pretty=True), fg.atom_str(pretty=True)


class FeedsGenerator(Generator):
    """Plan the feeds once reading is done; write them with the rest of the output."""

    def generate_context(self) -> None:
        self.feeds = plan_feeds(self.context, self.settings) if self.settings["FEEDS_ENABLED"] else []
        self.context["feeds"] = self.feeds
        self.context["feeds_by_id"] = {f.id: f for f in self.feeds}

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
