"""Static full-text search that works for Chinese, built with Pagefind at the end of a build.

Pagefind does not segment Chinese: a run of characters between punctuation is one
"word", so a query like 信息公开 finds nothing inside 政府信息公开工作. Gazette indexes
each published document as a custom record whose Chinese text is written as
overlapping character pairs (bigrams, as Lucene's CJK analyzer does); search.js turns
the query into the same pairs, and Pagefind requires all of them. Results show the
document's own title and description rather than the bigram text.

Drafts and embargoed items are never in the document lists, so never indexed.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from pelican import signals
from pelican.generators import Generator

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "SITE_SEARCH_ENABLED": True,
    "SITE_SEARCH_BUNDLE": "pagefind",  # output folder of the index and UI
}

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message carries its output."""


def bigrams(text: str) -> str:
    """Rewrite each run of Chinese characters as its overlapping pairs; keep other words."""

    def pairs(match: re.Match[str]) -> str:
        run = match.group(0)
        return run if len(run) == 1 else " ".join(run[i:i + 2] for i in range(len(run) - 1))

    return " ".join(_CJK_RUN.sub(lambda m: f" {pairs(m)} ", text).split())


def plain_text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def record_for(doc: Any) -> dict[str, Any]:
    """The Pagefind record of one document."""
    body = " ".join(filter(None, [doc.title, getattr(doc, "doc_no", ""), getattr(doc, "issuer", ""),
                                  " ".join(getattr(doc, "keywords", None) or []), plain_text(doc.content)]))
    chinese = doc.lang.startswith("zh")
    meta = {"title": doc.title, "date": doc.date.strftime("%Y-%m-%d"), "type": doc.type_label,
            "description": getattr(doc, "description", "") or ""}
    return {"path": doc.save_as, "content": bigrams(body) if chinese else body,
            "language": "zh-cn" if chinese else doc.lang, "meta": meta}


def record_html(record: dict[str, Any]) -> str:
    """A minimal page carrying one record, for Pagefind's fast command-line indexer.

    The page exists only in a temporary folder; Pagefind takes its URL from the path.
    """
    esc = html.escape
    metas = "".join(f'<span data-pagefind-meta="{esc(k)}">{esc(v)}</span>' for k, v in sorted(record["meta"].items()))
    return (f'<!DOCTYPE html><html lang="{esc(record["language"])}"><head><meta charset="utf-8"></head><body>'
            f'<main data-pagefind-body><p>{esc(record["content"])}</p></main>'
            f'<div hidden>{metas}</div></body></html>')  # outside the body: metadata only


class SearchPageGenerator(Generator):
    """Write the search page; the index itself is built once all pages exist."""

    def generate_context(self) -> None:
        for key, value in DEFAULTS.items():
            self.settings.setdefault(key, value)
        enabled = self.settings["SITE_SEARCH_ENABLED"]
        self.context["SEARCH_URL"] = "search/" if enabled else ""
        self.context["SEARCH_BUNDLE"] = self.settings["SITE_SEARCH_BUNDLE"]

    def generate_output(self, writer: Any) -> None:
        if not self.settings["SITE_SEARCH_ENABLED"]:
            return
        writer.write_file("search/index.html", self.get_template("search"), self.context,
                          relative_urls=self.settings["RELATIVE_URLS"], page_name="search")
        docs = self.context.get("published_documents", [])
        records = [record_for(d) for d in sorted(docs, key=lambda d: d.url)]
        bundle = os.path.join(self.output_path, self.settings["SITE_SEARCH_BUNDLE"])
        write_index(records, bundle)
        _sort_entry(os.path.join(bundle, "pagefind-entry.json"))
        logger.info("site_search: indexed %d documents into %s", len(records), bundle)


def write_index(records: list[dict[str, Any]], bundle: str) -> None:
    """Index the records with Pagefind's command-line indexer (its Python service waits 0.1 s per record)."""
    with tempfile.TemporaryDirectory(prefix="gazette-search-") as staging:
        for record in records:
            path = os.path.join(staging, record["path"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(record_html(record))
        shutil.rmtree(bundle, ignore_errors=True)
        proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", staging, "--output-path", bundle,
                               "--silent"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SearchIndexError(f"site_search: pagefind could not build the index: {proc.stderr or proc.stdout}")


def _sort_entry(path: str) -> None:
    """Pagefind lists languages in hash-map order; sort them so the same input gives the same bytes."""
    with open(path, encoding="utf-8") as fh:
        entry = json.load(fh)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(entry, fh, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def get_generators(pelican: Any) -> type[Generator]:
    return SearchPageGenerator


def register() -> None:
    # get_generators: the search page and index are written with the other output, after
    # every document (and its description from the seo plugin) is final.
    signals.get_generators.connect(get_generators)
