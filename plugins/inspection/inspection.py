"""Portal inspection (日监测): the national website indicators, checked at build time.

With INSPECTION_ENABLED (make check, make publish) the plugin runs every rule in
rules.py on the published documents, the files copied beside them and the written pages,
and writes the report as `inspection/index.html` and `inspection/report.json` (never
listed in the sitemap, feeds or search). gate.py turns the report into an exit status.

The HTML report is one self-contained file (inline CSS, no request leaves it) that lists
what must be fixed first: CI keeps it as an artifact that editors open offline.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from content_model.fields import TZ, FieldError, ParseContext, parse_date
from content_model.schema import Field
from pelican import signals

import gazette.build
import gazette.output
from gazette.cache import Cache, versions
from gazette.files import files_digest
from gazette.settings import Setting, Table
from gazette.workers import fork_map

from .gate import MUST_FIX, SEVERITY_LABELS
from .rules import RULES, Finding, PageFacts, Site, SourceFacts, Stamp, footer_needles, link_resolver, page_facts, stamp

logger = logging.getLogger(__name__)

SETTINGS = Table("inspection", "INSPECTION_", [
    Setting("INSPECTION_ENABLED", False, "Inspect content and built pages after the build (make check and "
            "make publish switch it on)."),
    Setting("INSPECTION_TODAY", None, "The inspection's date, `YYYY-MM-DD`; None means the build's day in "
            "Asia/Shanghai.", types=(str,), nullable=True),
    Setting("INSPECTION_HOME_STALE_DAYS", 14, "Veto when the newest item on the home page is older.", minimum=1),
    Setting("INSPECTION_STALE_DAYS_BY_TYPE", {"news": 14, "notice": 180, "policy": 180},
            "Days without a new item before a column of this type is stale, for columns without their own "
            "`interval` in site.yaml.", items=int),
    Setting("INSPECTION_STALE_COLUMNS_VETO", 5, "Stale columns that make a veto.", minimum=1),
    Setting("INSPECTION_EMPTY_COLUMNS_VETO", 5, "Empty columns that make a veto.", minimum=1),
    Setting("INSPECTION_INTERPRETATION_LATE_DAYS", 7, "An interpretation published more than this many days "
            "after its policy is late.", minimum=0),
    Setting("INSPECTION_DATASET_GRACE_DAYS", 7, "Days a dataset may be late past its `update_frequency` "
            "(每月: 31 days, 每季度: 92…) before the inspection warns.", minimum=0),
    Setting("INSPECTION_SERVICE_INCOMPLETE_SHARE", 10, "Percent of service guides missing elements above which "
            "the inspection vetoes (服务不实用, a single-veto item of the 2019 indicators).", minimum=0),
    Setting("INSPECTION_TOPIC_STALE_DAYS", 90, "A running topic (专题) whose newest document is older than this "
            "is warned about, as is one with no documents.", minimum=1),
    Setting("INSPECTION_GUIDE_DAYS", 365, "The 政府信息公开指南 page (site.yaml `disclosure: guide`) must have been "
            "updated within this many days.", minimum=1),
    Setting("INSPECTION_DISCLOSURE_WORKDAYS", 20, "Working days from a policy's 成文日期 to its publication "
            "(政府信息公开条例 第二十六条: within 20 working days of being made or changed).", minimum=1),
    Setting("INSPECTION_REPLY_WORKDAYS", 7, "Working days to reply to a message.", minimum=1),
    Setting("INSPECTION_REPLY_WORKDAYS_COMPLEX", 15, "Working days to reply to a message marked `complex`.",
            minimum=1),
    Setting("INSPECTION_UNANSWERED_VETO_DAYS", 90, "A message unanswered longer than this is a veto "
            "(\"more than 3 months\").", minimum=1),
    Setting("INSPECTION_FORBIDDEN_TERMS", {}, "Mis-writings reported with file and line, as "
            "{\"wrong\": \"right\"} (\"\" when there is no replacement).", items=str),
    # Extracting a big PDF's text would hold up every build.
    Setting("INSPECTION_MAX_FILE_MB", 50, "Published files (or unpacked DOCX/XLSX text) larger than this are "
            "reported as not checked rather than read.", types=(int, float), minimum=1),
    Setting("INSPECTION_PATH", "inspection", "Folder of the report (inside the output for make check)."),
    Setting("INSPECTION_REPORT_WARNINGS_PER_RULE", 200, "Warnings of one rule the report page lists; the rest "
            "are counted there and all are in report.json (a page of tens of thousands is no use on a phone "
            "and slow to build). Must-fix findings are always all listed.", minimum=1),
    Setting("INSPECTION_SKIP_PATHS", ["admin"], "Output folders of tools, not of the public site, whose pages "
            "are not inspected (the browser editor, plugins/cms).", items=str),
], pages=False)
SEVERITY_ORDER = {severity: order for order, severity in enumerate(SEVERITY_LABELS)}


class InspectionSettingsError(ValueError):
    """An INSPECTION_* setting cannot be used."""


_state: dict[str, Any] = {}


def configure(pelican: Any) -> None:
    """Fix the inspection's day (content_model has started the build); no generator of ours."""
    settings = pelican.settings
    build = gazette.build.current()
    today = settings["INSPECTION_TODAY"]
    if today is None:
        build.today = build.now.date()
        if settings["INSPECTION_ENABLED"]:
            # The report is dated: a later build must not count today's output as up to date.
            build.expires(dt.datetime.combine(dt.datetime.now(TZ).date() + dt.timedelta(days=1), dt.time(), TZ))
    else:
        try:
            build.today = parse_date(today, Field("INSPECTION_TODAY", "date", "检查日期"), ParseContext("settings"))
        except FieldError as exc:
            raise InspectionSettingsError(f"inspection: INSPECTION_TODAY: {exc}") from None


def remember(generators: list[Any]) -> None:
    """Keep what the rules need once every document is final."""
    _state["generator"] = generators[0]
    _state["context"] = generators[0].context


_HERE = os.path.dirname(os.path.abspath(__file__))


class FactCache:
    """Facts of pages and sources, kept as one entry of the "inspection" cache between builds.

    Only what this build saw is saved again, so deleted pages and sources drop out.
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        self.needles = footer_needles(gazette.build.current().site["site"])
        portal = settings.get("PORTAL_URL") or ""
        build = gazette.build.current()
        # In a cluster, where links to each site go: its public address, and its folder in a local build.
        bases = {sid: sorted({build.bases[sid], (data["site"].get("url") or "").rstrip("/")} - {""})
                 for sid, data in build.cluster.items()} if len(build.cluster) > 1 else {}
        self.resolve = link_resolver(portal, bases, build.site_id)
        # What facts are extracted (the rules' code, pypdf's text), from pages that depend on the
        # footer identity, on which host is this site and (in a cluster) where the others are.
        code = {"code": files_digest(_HERE), "versions": versions("pypdf"), "needles": self.needles,
                "portal": portal, "bases": bases, "here": build.site_id}
        self.cache = Cache.open(settings, "inspection", code)
        self.pages: dict[str, tuple[Stamp, PageFacts]] = {}
        self.sources: SourceFacts = {}
        self.next_pages: dict[str, tuple[Stamp, PageFacts]] = {}
        self.read = 0  # pages read this build
        self.canon: dict[Any, Any] = {}  # links and sets of pages, each once (_shared)

    def load(self) -> None:
        # A damaged entry costs a full scan, never a wrong report.
        cached = self.cache.get_pickle("facts")
        if isinstance(cached, tuple) and len(cached) == 2:
            self.pages, self.sources = cached

    def save(self, sources: SourceFacts) -> None:
        unchanged = not self.read and self.next_pages.keys() == self.pages.keys() and sources == self.sources
        if unchanged:  # a no-change rebuild need not rewrite megabytes
            return
        self.cache.put_pickle("facts", (self.next_pages, sources))

    def page_facts(self, output: Path, pages: dict[str, os.stat_result], workers: int = 1) -> dict[str, PageFacts]:
        """Facts of these pages, reading only those whose stamp changed since they were cached.

        The stat comes from before the read, so a page rewritten in between is read again next build.
        """
        facts: dict[str, PageFacts] = {}
        todo = []
        for rel, st in sorted(pages.items()):
            cached = self.pages.get(rel)
            if cached and cached[0] == (st.st_size, st.st_mtime_ns):
                facts[rel] = cached[1]
            else:
                todo.append(rel)
        facts.update((rel, self._shared(found)) for rel, found in self._read(output, todo, workers).items())
        self.read = len(todo)
        for rel, st in sorted(pages.items()):
            fresh = stamp(st)
            if fresh:
                self.next_pages[rel] = (fresh, facts[rel])
        return facts

    def _shared(self, facts: PageFacts) -> PageFacts:
        """facts with every link and set that an earlier page has too as that page's very object.

        Every page repeats the header, navigation and footer links: stored once, the cache holds
        each once (its pickle refers back): 4 MB instead of 7 MB at 10,000 documents. (Pages read
        in an earlier build share theirs among themselves: a few copies, not one per page.)
        """
        canon = self.canon
        return PageFacts(tuple([canon.setdefault(link, link) for link in facts.links]),
                         canon.setdefault(facts.ids, facts.ids), canon.setdefault(facts.missing, facts.missing),
                         canon.setdefault(facts.dates, facts.dates))

    def _read(self, output: Path, rels: list[str], workers: int) -> dict[str, PageFacts]:
        """Read and scan pages, in forked workers when there are many (a cold build: all of them)."""
        def scan(rel: str) -> PageFacts:
            return page_facts((output / rel).read_text(encoding="utf-8"), rel, self.needles, self.resolve)

        if workers < 2 or len(rels) < PARALLEL_MIN_PAGES:
            return {rel: scan(rel) for rel in rels}
        return dict(zip(rels, fork_map(scan, rels, workers), strict=True))


# Below this many pages to read, forking workers costs more than it saves.
PARALLEL_MIN_PAGES = 64


def _walk(output: Path, skip: tuple[str, ...]) -> tuple[set[str], dict[str, os.stat_result]]:
    """Every output-relative file (so links resolve without a stat each), and the pages to inspect."""
    files: set[str] = set()
    pages: dict[str, os.stat_result] = {}
    stack = [(str(output), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, rel + "/"))
                elif entry.is_file():
                    files.add(rel)
                    if rel.endswith(".html") and not rel.startswith(skip):
                        pages[rel] = entry.stat()
    return files, pages


def inspect(pelican: Any) -> None:
    """Run every rule and write the report into the output."""
    settings = pelican.settings
    if not settings["INSPECTION_ENABLED"] or "context" not in _state:
        return
    context = _state["context"]
    # The cached facts and the findings are many small acyclic objects, and with the whole site
    # in memory each collection walks all of it: a third of a warm 10,000-document inspection.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _inspect(pelican, context)
    finally:
        if collecting:
            gc.enable()


def _inspect(pelican: Any, context: dict[str, Any]) -> None:
    settings = pelican.settings
    build = gazette.build.current()
    started = time.perf_counter()
    docs = context.get("published_documents", [])
    output = Path(pelican.output_path)
    cache = FactCache(settings)
    cache.load()
    skip = tuple(f"{folder.strip('/')}/"
                 for folder in [settings["INSPECTION_PATH"], *settings["INSPECTION_SKIP_PATHS"]])
    files, stats = _walk(output, skip)
    # What the last build wrote and this one did not is removed only when the build ends: not the site's.
    gone = gazette.output.current().leftovers()
    files = (files - gone) | gazette.output.current().promised()  # (the search index, still being made)
    stats = {rel: st for rel, st in stats.items() if rel not in gone}
    pages = cache.page_facts(output, stats, settings.get("GAZETTE_WORKERS", 1))
    site = Site(docs=docs, columns=context.get("columns", []),
                home_columns=context.get("home_columns", []), data=build.site,
                settings=settings, today=build.today, output=output,
                content=Path(settings["PATH"]), pages=pages, files=files,
                static=context.get("staticfiles", []), sources_cached=cache.sources,
                annual_reports=context.get("annual_reports"), disclosure_entries=context.get("disclosure_entries"),
                cluster=build.cluster if len(build.cluster) > 1 else {}, cluster_pages=build.cluster_pages)
    findings: list[Finding] = []
    for rule in RULES:
        findings += list(rule.check(site))
    cache.save(site.sources)
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.path, f.line, f.message))
    counts = Counter(f.severity for f in findings)
    root = os.path.abspath(settings["PATH"])
    report = {
        "today": site.today.isoformat(),
        "site": site.site.get("name", ""),
        # For a site cluster's dashboard (plugins/cluster): which site, and when its content last changed.
        "site_id": build.site_id,
        "url": site.site.get("url") or "",
        "updated": context["site_updated"].isoformat() if context.get("site_updated") else None,
        "summary": {"block": counts["block"], "veto": counts["veto"], "warning": counts["warning"],
                    "documents": len(docs), "pages": len(site.pages)},
        "rules": [{"id": r.id, "title": r.title,
                   "findings": sum(f.rule == r.id for f in findings)} for r in RULES],
        "findings": [dict(f.as_dict(), path=_rel(f.path, root)) for f in findings],
    }
    folder = settings["INSPECTION_PATH"]
    gazette.output.current().write(f"{folder}/report.json", (json.dumps(
        report, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    gen = _state["generator"]
    view = _report_view(report, settings["INSPECTION_PATH"], settings["INSPECTION_REPORT_WARNINGS_PER_RULE"])
    html = gen.get_template("inspection").render({**context, **view,
                                                  "output_file": f"{settings['INSPECTION_PATH']}/index.html",
                                                  "page_name": "inspection"})
    gazette.output.current().write(f"{folder}/index.html", html.encode("utf-8"))
    logger.info("inspection: 禁止发布 %d 项，单项否决 %d 项，提醒 %d 项", counts["block"], counts["veto"],
                counts["warning"])
    logger.info("inspection: %d pages (%d read, %d from cache) in %.2f s", len(pages), cache.read,
                len(pages) - cache.read, time.perf_counter() - started)


def _report_view(report: dict[str, Any], report_path: str, most: int) -> dict[str, Any]:
    """What the report template shows: findings must-fix first, warnings by rule (the first `most` of
    each, and how many there are), links relative to the report."""
    titles = {r["id"]: r["title"] for r in report["rules"]}
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        if finding["severity"] not in MUST_FIX:
            by_rule.setdefault(finding["rule"], []).append(finding)
    return {
        "report": report,
        "rule_titles": titles,
        "severity_labels": SEVERITY_LABELS,
        "must_fix": [f for f in report["findings"] if f["severity"] in MUST_FIX],
        "warnings_by_rule": [(rule_id, titles.get(rule_id, rule_id), found[:most], len(found))
                             for rule_id, found in by_rule.items()],
        # Pages are linked relative to the report, so the links work on any host and from a copy of the output.
        "report_root": "../" * len(Path(report_path).parts),
    }


def _rel(path: str, root: str) -> str:
    if path.startswith(root + os.sep):
        return "content/" + os.path.relpath(path, root).replace(os.sep, "/")
    return path


def get_generators(pelican: Any) -> type:
    from .reply_stats import ReplyStatsGenerator

    return ReplyStatsGenerator


def register() -> None:
    # get_generators: the public reply statistics page is written with the other pages.
    signals.get_generators.connect(get_generators)
    # get_generators, after content_model's (it starts each build, also under autoreload): fix "today".
    signals.get_generators.connect(configure)
    # all_generators_finalized: documents, columns and relations are final.
    signals.all_generators_finalized.connect(remember)
    # finalized: every page is written, so links can be checked against real files.
    signals.finalized.connect(inspect)
