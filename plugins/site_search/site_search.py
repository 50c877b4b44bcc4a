"""Static full-text search that works for Chinese, built with Pagefind at the end of a build.

Pagefind does not segment Chinese: a run of characters between punctuation is one
"word", so a query like 信息公开 finds nothing inside 政府信息公开工作. Gazette indexes
each published document as a custom record whose Chinese text is written as
overlapping character pairs (bigrams, as Lucene's CJK analyzer does); search.js turns
the query into the same pairs, and Pagefind requires all of them. Results show the
document's own title and description rather than the bigram text.

Pagefind's indexer holds the whole site in memory (about 0.3 MB per record: 2.6 GB for
10,000 documents), so the records are split into shards of one language each, each a
Pagefind bundle of its own in `<bundle>/<language>-<n>/`. `<bundle>/` itself holds
Pagefind's script and WebAssembly (the "runtime" bundle) and `shards.json`, which lists
the shards per language; search.js loads the one and merges the others (`mergeIndex`).

A record's shard is a hash of its output path modulo the language's shard count, the
smallest power of two that keeps the average shard at or under SITE_SEARCH_SHARD_SIZE.
So adding, editing or removing a document changes one shard only (sorted-URL chunks
would shift on every insertion); a shard is a uniform sample of the site, so Pagefind's
per-shard term statistics, and with them the merged ranking, stay close to one big
index's (shards by year or column would not, and would grow without bound); and when
the site outgrows the count, doubling it splits each shard in two. A site that crosses
such a threshold re-indexes everything once.

Each bundle has a digest of everything that decides its bytes (its documents' record
inputs, this module's code, Pagefind's version). Built bundles are kept by that digest
in the "site_search" cache (gazette.cache); a bundle whose digest is unchanged is neither
re-indexed nor copied again, and cache entries this build does not use are removed.
Entries are hard-linked into the output (copying a shard's thousands of small files
would cost most of a warm `make publish`), so a published file edited in place edits
the entry too: the cache records each entry's digest and checks it before use, and an
entry that no longer matches is indexed again.

Every file of the bundle, reused or placed anew, is recorded with the build's Output
(gazette/output.py), which removes the files of a shard that is gone or changed when the
build ends.

Each index language has its own search page, which searches its shards only: search/ for
the site's default language, <language>/search/ for the others (en/search/). A page's
header searches in its own language (SEARCH_PAGES: document language -> search page), and
a result shows the document's type, or on pages in another language than Chinese the
English name of its column where site.yaml gives one (the type names are Chinese).

Drafts and embargoed items are never in the document lists, so never indexed.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.metadata
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pelican import signals
from pelican.generators import Generator

import gazette.output
from gazette.cache import Cache
from gazette.files import write_atomic
from gazette.settings import Setting, Table

logger = logging.getLogger(__name__)

SETTINGS = Table("site_search", "SITE_SEARCH_", [
    Setting("SITE_SEARCH_ENABLED", True, "A static search index (Pagefind) and the search page."),
    Setting("SITE_SEARCH_BUNDLE", "pagefind", "Output folder of the index."),
    # Pagefind needs about 0.3 MB per record and 2 ms of CPU, so this bounds its memory (~300 MB
    # at 1,000) and the rebuild after an edit; the browser fetches a few small files per shard
    # it merges, so fewer, larger shards serve phones on slow networks better.
    Setting("SITE_SEARCH_SHARD_SIZE", 1000, "Most records per index shard, on average: bounds the indexer's "
            "memory (~0.3 MB a record) and what one edit re-indexes.", minimum=1),
    Setting("SITE_SEARCH_PROCESSES", min(2, os.cpu_count() or 1), "Pagefind processes run at once when "
            "several shards need indexing.", minimum=1, shown_default="2, or 1 on one CPU"),
])
MANIFEST = "shards.json"
# Pagefind's optional UI add-ons; search.js uses its JavaScript API only.
_UI_FILE = re.compile(r"pagefind-(component-|modular-)?ui\.(js|css)|pagefind-highlight\.js")
# Pagefind's script, worker and WebAssembly: one copy, in the runtime bundle.
_RUNTIME_FILE = re.compile(r"pagefind\.js|pagefind-worker\.js|wasm\.[\w-]+\.pagefind")
_SHARD_ID = re.compile(r"[a-z0-9-]+-\d+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message carries its output."""


def bigrams(text: str) -> str:
    """Rewrite each run of Chinese characters as its overlapping pairs; keep other words.

    A lone character (委、办、局) is written with a trailing "_", a word character to
    Pagefind: a query for it still finds it as a prefix, but it is never a prefix of
    a pair. Pagefind looks up a query word that no indexed word starts with by its
    longest indexed prefix instead, so a bare 办 would make 办事 find every page with
    委、办、局 wherever no page (or, in a shard, no page of that shard) has 办事.
    """

    def pairs(match: re.Match[str]) -> str:
        run = match.group(0)
        return f"{run}_" if len(run) == 1 else " ".join(run[i:i + 2] for i in range(len(run) - 1))

    return " ".join(_CJK_RUN.sub(lambda m: f" {pairs(m)} ", text).split())


def plain_text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def index_language(lang: str) -> str:
    """The index a language's documents go to: every Chinese variant shares the bigram index."""
    lang = lang.lower()
    return "zh-cn" if lang.startswith("zh") else lang


def language_of(doc: Any) -> str:
    """The index language of a document."""
    return index_language(doc.lang)


def search_page(language: str, default_lang: str) -> str:
    """The URL of an index language's search page: search/ for the site's default language."""
    if language == index_language(default_lang):
        return "search/"
    return re.sub(r"[^a-z0-9-]", "-", language) + "/search/"


def result_type(doc: Any, columns: dict[str, Any]) -> str:
    """What a result shows before its date: the type, or outside Chinese its column's English name."""
    if language_of(doc) == "zh-cn":
        return doc.type_label
    return getattr(columns.get(getattr(doc, "column", None) or ""), "name_en", "") or ""


def record_inputs(doc: Any) -> dict[str, Any]:
    """Everything of a document that its record is made from; record_key digests this."""
    return {"path": doc.save_as, "language": language_of(doc), "title": doc.title,
            "doc_no": getattr(doc, "doc_no", "") or "", "issuer": getattr(doc, "issuer", "") or "",
            "keywords": list(getattr(doc, "keywords", None) or []), "html": doc.content,
            "date": doc.date.strftime("%Y-%m-%d"), "type": getattr(doc, "search_type", doc.type_label),
            "description": getattr(doc, "description", "") or ""}


def record_key(doc: Any) -> str:
    """A digest of the record's inputs: cheap next to building the record itself."""
    text = json.dumps(record_inputs(doc), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_for(doc: Any) -> dict[str, Any]:
    """The Pagefind record of one document."""
    i = record_inputs(doc)
    body = " ".join(filter(None, [i["title"], i["doc_no"], i["issuer"], " ".join(i["keywords"]),
                                  plain_text(i["html"])]))
    meta = {"title": i["title"], "date": i["date"], "type": i["type"], "description": i["description"]}
    return {"path": i["path"], "content": bigrams(body) if i["language"] == "zh-cn" else body,
            "language": i["language"], "meta": meta}


def record_html(record: dict[str, Any]) -> str:
    """A minimal page carrying one record, for Pagefind's fast command-line indexer.

    The page exists only in a temporary folder; Pagefind takes its URL from the path.
    """
    esc = html.escape
    metas = "".join(f'<span data-pagefind-meta="{esc(k)}">{esc(v)}</span>' for k, v in sorted(record["meta"].items()))
    return (f'<!DOCTYPE html><html lang="{esc(record["language"])}"><head><meta charset="utf-8"></head><body>'
            f'<main data-pagefind-body><p>{esc(record["content"])}</p></main>'
            f'<div hidden>{metas}</div></body></html>')  # outside the body: metadata only


@dataclass(eq=False)
class Bundle:
    """One Pagefind run's output, cached and copied by the digest of everything that decides it."""

    id: str
    digest: str = ""

    def pages(self) -> Iterator[tuple[str, str]]:
        """(path, html) of each page to index."""
        raise NotImplementedError


@dataclass(eq=False)
class Shard(Bundle):
    """Some documents of one language; written to <bundle>/<id>/ and merged by search.js."""

    language: str = ""
    docs: list[Any] = field(default_factory=list)

    def pages(self) -> Iterator[tuple[str, str]]:
        for doc in self.docs:
            record = record_for(doc)
            yield record["path"], record_html(record)


@dataclass(eq=False)
class Runtime(Bundle):
    """Pagefind's script and WebAssembly, written to <bundle>/ itself.

    search.js imports its pagefind.js and merges the shards into it. Pagefind needs an
    index there too, so it gets one placeholder page per language (which decides the
    WebAssembly it loads: English stems, Chinese does not); search.js filters it out.
    """

    languages: list[str] = field(default_factory=list)

    def pages(self) -> Iterator[tuple[str, str]]:
        for language in self.languages:
            yield f"{language}/index.html", record_html({"language": language, "content": "gazette", "meta": {}})


def shard_count(documents: int, size: int) -> int:
    """Shards for a language: a power of two, so outgrowing it splits each shard in two."""
    count = 1
    while count * size < documents:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    """A record's shard: stable under insertion and removal of other records."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % count


@functools.cache
def _recipe() -> str:
    """What else decides a bundle's bytes: this module's code and Pagefind's version."""
    with open(__file__, "rb") as fh:
        source = fh.read()
    for dist in ("pagefind_bin", "pagefind"):
        try:
            version = importlib.metadata.version(dist)
            break
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
    return hashlib.sha256(source).hexdigest() + " pagefind " + version


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([_recipe(), *parts], ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def plan_shards(docs: Iterable[Any], size: int) -> list[Shard]:
    """Split the documents into shards by language and path hash, and digest each."""
    by_language: dict[str, list[Any]] = defaultdict(list)
    for doc in docs:
        by_language[language_of(doc)].append(doc)
    shards = []
    for language, members in sorted(by_language.items()):
        count = shard_count(len(members), size)
        slug = re.sub(r"[^a-z0-9-]", "-", language.lower())
        buckets: dict[int, Shard] = {}
        for doc in members:
            n = shard_of(doc.save_as, count)
            buckets.setdefault(n, Shard(f"{slug}-{n}", language=language)).docs.append(doc)
        for n in sorted(buckets):
            shard = buckets[n]
            shard.docs.sort(key=lambda d: d.save_as)
            shard.digest = _digest("shard", [[d.save_as, record_key(d)] for d in shard.docs])
            shards.append(shard)
    return shards


def plan_runtime(shards: Sequence[Shard]) -> Runtime | None:
    """The runtime bundle for the languages of the shards; None without documents."""
    languages = sorted({s.language for s in shards})
    return Runtime("runtime", _digest("runtime", languages), languages) if languages else None


class SearchPageGenerator(Generator):
    """Write the search page; the index itself is built once all pages exist."""

    def generate_context(self) -> None:
        enabled = self.settings["SITE_SEARCH_ENABLED"]
        self.context["SEARCH_URL"] = "search/" if enabled else ""
        self.context["SEARCH_BUNDLE"] = self.settings["SITE_SEARCH_BUNDLE"]

    def generate_output(self, writer: Any) -> None:
        if not self.settings["SITE_SEARCH_ENABLED"]:
            return
        docs = self.context.get("published_documents", [])
        default = index_language(self.settings["DEFAULT_LANG"])
        for language in sorted({default} | {language_of(d) for d in docs}):
            own = {} if language == default else {"lang": language}  # base.html: the page's <html lang>
            writer.write_file(search_page(language, default) + "index.html", self.get_template("search"),
                              self.context, relative_urls=self.settings["RELATIVE_URLS"], page_name="search", **own)
        shards = plan_shards(docs, self.settings["SITE_SEARCH_SHARD_SIZE"])
        bundle = os.path.join(self.output_path, self.settings["SITE_SEARCH_BUNDLE"])
        cache = Cache.open(self.settings, "site_search", _recipe())
        done = write_index(shards, bundle, cache, self.settings["SITE_SEARCH_PROCESSES"])
        logger.info("site_search: %d documents in %d shards: %d indexed, %d from the cache, %d unchanged",
                    len(docs), len(shards), done["built"], done["cached"], done["unchanged"])


def write_index(shards: Sequence[Shard], bundle: str, cache: Cache, processes: int = 1) -> dict[str, int]:
    """Bring bundle up to date with the shards, running Pagefind only for those neither there nor cached.

    Returns how many bundles (shards and the runtime) were built, copied from the cache,
    and left as they were.
    """
    runtime = plan_runtime(shards)
    before = _read_manifest(bundle)
    if before is None:
        shutil.rmtree(bundle, ignore_errors=True)  # not ours, or the one-bundle layout of old
        before = {}
    if cache.ignored:
        before = {}  # --ignore-cache: index every bundle again, as fast_build renders every page
    os.makedirs(bundle, exist_ok=True)
    current: list[Bundle] = [*shards, *([runtime] if runtime else [])]
    unchanged = {b.id for b in current if before.get(b.id) == b.digest
                 and os.path.isfile(os.path.join(bundle, "" if b is runtime else b.id, "pagefind-entry.json"))}
    stale = [b for b in current if b.id not in unchanged]
    output = gazette.output.current()
    with tempfile.TemporaryDirectory(prefix="gazette-search-") as scratch:
        def entry(b: Bundle) -> str:
            return cache.path(b.digest) or os.path.join(scratch, b.digest)  # (scratch: GAZETTE_CACHE off)

        missing = [b for b in stale if not cache.intact(b.digest)]
        with ThreadPoolExecutor(max_workers=max(1, min(processes, len(missing)))) as pool:
            list(pool.map(lambda b: build_bundle(b, entry(b)), missing))
        for b in missing:
            cache.seal(b.digest)  # entries are hard-linked into the output: checked before each use
        # Every file of every bundle is recorded: the Output removes the rest (a shard's old
        # files, a shard or runtime that is gone) when the build ends.
        for b in stale:
            folder = bundle if b is runtime else os.path.join(bundle, b.id)
            for rel in _files(entry(b)):
                output.link(os.path.join(entry(b), rel), os.path.join(folder, rel))
    for b in current:
        if b.id in unchanged:
            folder = bundle if b is runtime else os.path.join(bundle, b.id)
            for rel in _files(folder, runtime=b is runtime):
                output.keep(os.path.join(folder, rel))
    _write_manifest(output, bundle, shards, runtime)
    cache.retain(b.digest for b in current)  # one edit replaces a shard: keep no old ones
    return {"built": len(missing), "cached": len(stale) - len(missing), "unchanged": len(unchanged)}


def build_bundle(what: Bundle, dest: str) -> None:
    """Index a bundle's pages with Pagefind's command-line indexer into dest, atomically.

    (Pagefind's Python service waits 0.1 s per record; the command line does not.)
    """
    part = tempfile.mkdtemp(prefix=f"{os.path.basename(dest)}.part-", dir=os.path.dirname(dest))
    try:
        with tempfile.TemporaryDirectory(prefix="gazette-search-") as staging:
            for rel, page in what.pages():
                path = os.path.join(staging, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(page)
            proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", staging, "--output-path", part,
                                   "--silent"], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SearchIndexError(f"site_search: pagefind could not index {what.id}: {proc.stderr or proc.stdout}")
        unused = _UI_FILE if isinstance(what, Runtime) else re.compile(f"{_UI_FILE.pattern}|{_RUNTIME_FILE.pattern}")
        _remove(part, [n for n in os.listdir(part) if unused.fullmatch(n)])
        _sort_entry(os.path.join(part, "pagefind-entry.json"))
        os.chmod(part, 0o755)  # mkdtemp made it 0700, and copytree copies modes: nginx would answer 403
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(part, dest)
    finally:
        shutil.rmtree(part, ignore_errors=True)


def _remove(folder: str, names: Iterable[str]) -> None:
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)


def _files(folder: str, runtime: bool = False) -> list[str]:
    """Every file under folder, relative to it; for the runtime bundle in the output, not the shards' or the list's."""
    found = []
    for root, dirs, files in os.walk(folder):
        top = runtime and root == folder
        if top:
            dirs[:] = [d for d in dirs if not _SHARD_ID.fullmatch(d)]
        found += [os.path.relpath(os.path.join(root, name), folder) for name in files
                  if not (top and name == MANIFEST)]
    return found


def _sort_entry(path: str) -> None:
    """Pagefind lists languages in hash-map order; sort them so the same input gives the same bytes."""
    with open(path, encoding="utf-8") as fh:
        entry = json.load(fh)
    write_atomic(path, json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def _read_manifest(bundle: str) -> dict[str, str] | None:
    """Bundle id -> digest of the index on disk; None if it has no readable manifest."""
    try:
        with open(os.path.join(bundle, MANIFEST), encoding="utf-8") as fh:
            manifest = json.load(fh)
        found = {s["id"]: s["digest"] for entry in manifest["languages"].values() for s in entry["shards"]}
        return {**found, "runtime": manifest["runtime"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_manifest(output: gazette.output.Output, bundle: str, shards: Sequence[Shard],
                    runtime: Runtime | None) -> None:
    """What search.js merges: the shards of each language, with digests that let browsers cache."""
    languages: dict[str, dict[str, Any]] = {}
    for shard in shards:
        entry = languages.setdefault(shard.language, {"pages": 0, "shards": []})
        entry["pages"] += len(shard.docs)
        entry["shards"].append({"id": shard.id, "digest": shard.digest})
    manifest = {"runtime": runtime.digest if runtime else None, "languages": languages}
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    output.write(os.path.join(bundle, MANIFEST), text.encode("utf-8"))


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
    # get_generators: the search page and index are written with the other output, after
    # every document (and its description from the seo plugin) is final.
    signals.get_generators.connect(get_generators)
