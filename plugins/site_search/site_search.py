"""Site search that works for Chinese on a phone: a static phrase index and the search pages.

The index (index.py) is built at the end of the build from the pages as written: each
published document's text is what its page shows inside `data-search-body` (text.py), so
the disclosure table, attachment labels and related titles are found like the body, and
nothing else is. Each index language has its own index in `<bundle>/<language>/` and its
own search page: search/ for the site's default language, <language>/search/ for the
others (en/search/). A page's header searches in its own language (SEARCH_PAGES: document
language -> search page), and a result shows the document's type, or on pages in another
language than Chinese the English name of its column where site.yaml gives one.

Every file goes through the build's Output, which rewrites only files whose bytes changed
and removes those the index no longer has. Drafts and embargoed items are never in the
document lists, so never indexed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy
from pelican import signals
from pelican.generators import Generator

import gazette.output
from gazette.cache import Cache
from gazette.files import settled, stamp
from gazette.settings import Setting, Table
from gazette.workers import fork_call

from . import index
from . import text as text_module
from .text import normalize, page_text

logger = logging.getLogger(__name__)

SETTINGS = Table("site_search", "SITE_SEARCH_", [
    Setting("SITE_SEARCH_ENABLED", True, "A static search index and the search page."),
    Setting("SITE_SEARCH_BUNDLE", "search-index", "Output folder of the index."),
    Setting("SITE_SEARCH_PER_PAGE", 10, "Results per page of the search page (each result may cost a small "
            "request on a slow phone).", minimum=1),
])


def index_language(lang: str) -> str:
    """The index a language's documents go to: every Chinese variant shares the bigram index."""
    lang = lang.lower()
    return "zh-cn" if lang.startswith("zh") else lang


def language_of(doc: Any) -> str:
    """The index language of a document."""
    return index_language(doc.lang)


def search_page(language: str, default_lang: str) -> str:
    """The URL of an index language's search page: search/ for the site's default language."""
    return "search/" if language == index_language(default_lang) else slug(language) + "/search/"


def result_type(doc: Any, columns: dict[str, Any]) -> str:
    """What a result shows before its date: the type, or outside Chinese its column's English name."""
    if language_of(doc) == "zh-cn":
        return doc.type_label
    return getattr(columns.get(getattr(doc, "column", None) or ""), "name_en", "") or ""


def numbers(doc: Any) -> str:
    """The document numbers a result ranks first for: 发文字号 and 索引号."""
    return "\0".join(normalize(getattr(doc, name, "") or "") for name in ("doc_no", "index_no"))


def index_doc(doc: Any, text: str) -> index.Doc:
    """One document as the index holds it, with the normalised text of its page."""
    result = [doc.url, doc.title, getattr(doc, "search_type", doc.type_label), doc.date.strftime("%Y-%m-%d"),
              _clip(getattr(doc, "description", "") or "", 120)]
    return index.Doc(normalize(doc.title), numbers(doc), text, result)


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


class SearchPageGenerator(Generator):
    """Write the search page of each index language; the index is built once all pages exist."""

    def generate_context(self) -> None:
        enabled = self.settings["SITE_SEARCH_ENABLED"]
        self.context["SEARCH_URL"] = "search/" if enabled else ""
        self.context["SEARCH_BUNDLE"] = self.settings["SITE_SEARCH_BUNDLE"]
        self.context["SEARCH_PER_PAGE"] = self.settings["SITE_SEARCH_PER_PAGE"]

    def generate_output(self, writer: Any) -> None:
        if not self.settings["SITE_SEARCH_ENABLED"]:
            return
        # Every document, and the pages other plugins ask to be found that are no document (the yearly
        # reports): each with url, save_as, title, date, lang, type_label and description.
        docs = [*self.context.get("published_documents", []), *self.context.get("searchable_pages", [])]
        default = index_language(self.settings["DEFAULT_LANG"])
        for language in sorted({default} | {language_of(d) for d in docs}):
            own = {} if language == default else {"lang": language}  # base.html: the page's <html lang>
            writer.write_file(search_page(language, default) + "index.html", self.get_template("search"),
                              self.context, relative_urls=self.settings["RELATIVE_URLS"], page_name="search",
                              search_index=f"{self.settings['SITE_SEARCH_BUNDLE']}/{slug(language)}/", **own)
        _pending["docs"] = docs


_pending: dict[str, Any] = {}


def write_index(pelican: Any) -> None:
    """Index every published document from its written page, one index per language.

    With worker processes it runs in one, beside the inspection: the build records its files
    when it finishes (gazette.output: wait_for).
    """
    docs = _pending.pop("docs", None)
    if docs is None:
        return
    settings = pelican.settings
    output = gazette.output.current()
    by_language: dict[str, list[Any]] = {}
    for doc in sorted(docs, key=lambda d: (d.date.timestamp(), d.url)):  # oldest first: a new one goes last
        by_language.setdefault(language_of(doc), []).append(doc)
    cache = Cache.open(settings, "site_search", _recipe())
    plans = []  # per language: its documents as the index holds them, and each segment's key
    for language, members in sorted(by_language.items()):
        found = [index_doc(doc, "") for doc in members]  # (a segment reads its texts when it is not kept)
        pages = {id(d): output.path(doc.save_as) for d, doc in zip(found, members, strict=True)}
        plans.append((language, found, pages, segment_keys(found, pages, output.root)))
    kept = [key for *_, keys in plans for key in keys.values()]
    to_index = sum(not cache.has(key) for key in kept)

    def make() -> list[gazette.output.Written]:
        started = time.monotonic()
        done: list[gazette.output.Written] = []
        for language, found, pages, keys in plans:
            made = index.files(found, _segment(cache, pages, keys))
            folder = f"{settings['SITE_SEARCH_BUNDLE']}/{slug(language)}"
            done += [output.put(f"{folder}/{rel}", data) for rel, data in made.items()]
            logger.info("site_search: %s: %d documents, %d files, %.1f s", language, len(found), len(made),
                        time.monotonic() - started)
        return done

    # Indexing a segment takes memory (0.5 GB for a whole 10,000-document site): in the
    # background only when few are to be indexed, as after an edit or a new document.
    result = fork_call(make, background=settings.get("GAZETTE_WORKERS", 1) > 1 and to_index <= BACKGROUND_SEGMENTS)

    def record() -> None:
        for written in result():
            output.written(written)
        cache.retain(kept)

    output.wait_for(record, [f"{settings['SITE_SEARCH_BUNDLE']}/{slug(language)}/index.json"
                             for language in by_language])


BACKGROUND_SEGMENTS = 2


def segment_keys(docs: Sequence[index.Doc], pages: dict[int, str], root: str) -> dict[int, str]:
    """The cache key of each segment index.files will ask for, by its first document.

    A segment is known by its documents' titles and numbers and their pages' files: a page's
    size and mtime stand for its bytes once it is settled (fast_build rewrites only pages that
    changed), so an unchanged segment reads no page at all. A page written just now is known
    by its text. root: the output folder.
    """
    keys = {}
    for start in range(0, len(docs), index.SEGMENT):
        digest = hashlib.sha256()
        for doc in docs[start: start + index.SEGMENT]:
            page = pages[id(doc)]
            st = stamp(page)
            if st is None or not settled(st[1]):
                doc.text = _page_text(page)
                seen = "text\1" + doc.text
            else:  # (by its place in the site: a page the page store linked into output.next has its stamp)
                seen = f"page\1{page[len(root):]}\1{st[0]}\1{st[1]}"
            for part in (doc.title, doc.numbers, seen):
                digest.update(part.encode("utf-8") + b"\1")
        keys[id(docs[start])] = "segment-" + digest.hexdigest()[:40]
    return keys


def _segment(cache: Cache, pages: dict[int, str], keys: dict[int, str]) -> Callable[[Sequence[index.Doc]],
                                                                                 list[index.Postings]]:
    """index.build, keeping each segment's postings in the cache under its key (segment_keys).
    Only a segment not kept reads its pages' text (`pages`: a document's page file)."""

    def segment(docs: Sequence[index.Doc]) -> list[index.Postings]:
        key = keys[id(docs[0])]
        found = cache.get_pickle(key)
        if found is None:
            for doc in docs:
                doc.text = doc.text or _page_text(pages[id(doc)])
            found = index.build(docs)
            cache.put_pickle(key, found)
        return found

    return segment


def _page_text(path: str) -> str:
    """The normalised text a document's page shows for search."""
    with open(path, encoding="utf-8") as fh:
        return normalize(page_text(fh.read()))


@functools.cache
def _recipe() -> str:
    """What decides the cached texts and segments: the code that finds, normalises and indexes text."""
    digest = hashlib.sha256(numpy.__version__.encode())
    for module in (text_module, index):
        with open(module.__file__, "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()


def slug(language: str) -> str:
    """An index language as a folder name (en, zh-cn)."""
    return re.sub(r"[^a-z0-9-]", "-", language.lower())


def attach(generators: list[Any]) -> None:
    """Give each page language its search page, and each document what its search result shows."""
    settings, context = generators[0].settings, generators[0].context
    if not settings["SITE_SEARCH_ENABLED"]:
        return
    columns = context.get("columns_by_id", {})  # (listings)
    pages = {settings["DEFAULT_LANG"].lower(): "search/"}
    for doc in context.get("published_documents", []):
        pages[doc.lang] = search_page(language_of(doc), settings["DEFAULT_LANG"])
        doc.search_type = result_type(doc, columns)
    context["SEARCH_PAGES"] = pages


def get_generators(pelican: Any) -> type[Generator]:
    return SearchPageGenerator


def register() -> None:
    # all_generators_finalized: every published document and its language are known (content_model
    # lists them there first), and no page is rendered yet: headers need their search page.
    signals.all_generators_finalized.connect(attach)
    # get_generators: the search pages are written with the other pages.
    signals.get_generators.connect(get_generators)
    # finalized: fast_build (before us in PLUGINS) has written every page; index what they show.
    signals.finalized.connect(write_index)
