"""Inspection rules, one function each, modelled on the 2019 national website indicators.

A rule receives the Site being inspected and returns Findings. Severity:
- "veto": a single-veto item of the national inspection (reported loudly);
- "block": must never go public (`make publish` refuses to swap the site in);
- "warning": worth fixing, counted in the report.

Messages are for editors, in Chinese and in the field's words; every finding names the
source file the editor wrote (content/…) and, where it can be found, the line.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import os
import posixpath
import re
import sys
import zipfile
import zlib
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html import unescape
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree as ET

from content_model.schema import DISCLOSURE, FREQUENCY_DAYS, SERVICE_ELEMENTS, TYPES

from gazette.files import settled
from gazette.workdays import day, workdays_between
from gazette.workers import fork_map

from . import review


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # veto | block | warning
    message: str
    path: str = ""  # the source file in content/ (a built page only where no source is known)
    line: int = 0
    url: str = ""  # the page (or published file) on the site, as "/a/b/"
    page: str = ""  # that page in the output, as "a/b/index.html"

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", 0)}


Link = tuple[str, str, str, str]  # (attribute, URL, output-relative target, fragment)


class PageFacts(NamedTuple):
    """What the page rules need from one written page; small, so it is cached across builds."""

    # Every same-site link and embedded file, resolved when the page is read: an unchanged page
    # costs no URL parsing.
    links: tuple[Link, ...]
    ids: frozenset[str]
    missing: tuple[str, ...]  # footer needles the page lacks
    dates: frozenset[str]  # every YYYY-MM-DD-shaped text a reader sees inside <main>


Stamp = tuple[int, int]  # (size, mtime_ns): cached facts of a file are valid while its stamp is unchanged


def stamp(st: os.stat_result) -> Stamp | None:
    """The stamp to cache a file's facts under, or None while it is too fresh to trust.

    A file rewritten with the same size within one mtime tick keeps its stamp.
    """
    return (st.st_size, st.st_mtime_ns) if settled(st.st_mtime_ns) else None


class TextFacts(NamedTuple):
    """What the text rules found in one file; small, so it is cached across builds."""

    hits: tuple[tuple[str, int, str], ...]  # (rule id, line number or 0, message)
    problem: str = ""  # why the file could not be checked


# source path -> (stamp, rule parameters, facts)
SourceFacts = dict[str, tuple[Stamp, Hashable, TextFacts]]


@dataclass
class Site:
    """What the rules look at: published documents, columns, facts of written pages and settings."""

    docs: list[Any]
    columns: list[Any]
    home_columns: list[Any]
    data: dict[str, Any]  # all of site.yaml as checked: site, columns, departments, disclosure, channels
    settings: dict[str, Any]
    today: dt.date
    output: Path
    content: Path
    pages: dict[str, PageFacts] = field(default_factory=dict)  # output-relative path -> facts
    files: set[str] = field(default_factory=set)  # every output-relative file, for link targets
    static: list[Any] = field(default_factory=list)  # files copied from content/ as they are (Pelican's Static)
    sources_cached: SourceFacts = field(default_factory=dict)  # from the previous build
    sources: SourceFacts = field(default_factory=dict)  # this build's, to cache for the next
    text_findings: dict[str, list[Finding]] | None = None  # the text rules', found once for all of them
    texts: dict[str, list[str]] = field(default_factory=dict)  # lines of the sources read to place findings
    found_lines: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)
    # A site cluster's sites by id, and the document pages and files each has (content_model/cluster.py).
    cluster: dict[str, Any] = field(default_factory=dict)
    cluster_pages: dict[str, set[str]] = field(default_factory=dict)
    # The yearly reports published so far, newest first (annual_reports plugin; None without it).
    annual_reports: list[Any] | None = None
    # The 政府信息公开 column's fixed entries as built: (field, label, address or None).
    disclosure_entries: list[tuple[str, str, str | None]] | None = None

    @property
    def site(self) -> dict[str, Any]:
        """site.yaml's `site:`: identity, footer, review levels, service hosts."""
        return self.data.get("site", {})

    @property
    def site_file(self) -> str:
        """The file editors keep columns, footer identity and links in (a cluster's site: its own file)."""
        return self.data.get("file") or str(self.content / "_data" / "site.yaml")

    def lines(self, path: str) -> list[str]:
        """Lines of a source file (read once), or none if it cannot be read."""
        if path not in self.texts:
            try:
                with open(path, "rb") as fh:
                    self.texts[path] = _NEWLINE.split(_decode(fh.read()))
            except OSError:
                self.texts[path] = []
        return self.texts[path]

    def line_of(self, path: str, urls: tuple[str, ...]) -> int:
        """The first line of a source holding the first of these URLs found in it (whole, not part of a
        longer one: "/a/" is not in "/a/b/"), or 0.
        """
        key = (path, urls)
        if key not in self.found_lines:  # a link in site.yaml is looked up once per page that shows it
            patterns = [re.compile(rf"(?<![\w.%~-]){re.escape(url)}(?![\w/.%~-])") for url in urls if url]
            lines = self.lines(path)
            self.found_lines[key] = next((number for pattern in patterns
                                          for number, text in enumerate(lines, 1) if pattern.search(text)), 0)
        return self.found_lines[key]

    def field_line(self, path: str, key: str) -> int:
        """The line of a top-level header field (`key: …`) in a Markdown source, or 0."""
        pattern = re.compile(rf"{re.escape(key)}\s*[:：]")
        lines = self.lines(path)
        if not lines or lines[0].strip() != "---":
            return 0
        for number, text in enumerate(lines[1:], 2):
            if text.strip() == "---":
                break
            if pattern.match(text):
                return number
        return 0

    def column_line(self, column_id: str) -> int:
        """The line of site.yaml that defines a column."""
        pattern = re.compile(rf"\bid\s*:\s*[\"']?{re.escape(column_id)}(?![\w-])")
        in_columns = False
        for number, text in enumerate(self.lines(self.site_file), 1):
            if re.match(r"\w+\s*:", text):  # a top-level section starts
                in_columns = text.startswith("columns")
            elif in_columns and pattern.search(text):
                return number
        return 0

    @cached_property
    def doc_of_page(self) -> dict[str, Any]:
        """Output page -> the document written there."""
        return {doc.save_as: doc for doc in self.docs}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    check: Callable[[Site], Iterator[Finding]]


RULES: list[Rule] = []


def rule(rule_id: str, title: str) -> Callable[[Callable[[Site], Iterator[Finding]]], Callable]:
    """Register an inspection rule."""

    def wrap(func: Callable[[Site], Iterator[Finding]]) -> Callable[[Site], Iterator[Finding]]:
        RULES.append(Rule(rule_id, title, func))
        return func

    return wrap



def _age(site: Site, doc: Any) -> int:
    return (site.today - day(doc.date)).days


@rule("homepage-stale", "首页长期未更新")
def homepage_stale(site: Site) -> Iterator[Finding]:
    limit = site.settings["INSPECTION_HOME_STALE_DAYS"]
    listed = [d for c in site.home_columns for d in c.items]
    if not listed:
        yield Finding("homepage-stale", "veto", "首页没有列出任何带发布日期的信息", url="/", page="index.html")
        return
    newest = max(listed, key=lambda d: d.date)
    if _age(site, newest) > limit:
        # Named by its newest item: the editor sees which column to publish in.
        yield Finding("homepage-stale", "veto", f"首页已{_age(site, newest)}天未更新（要求{limit}天内更新），"
                      f"最新一条是《{newest.title}》", path=newest.source_path, url="/", page="index.html")


def column_limit(site: Site, column: Any) -> int | None:
    """Days a column may go without an update: its own interval, else the national rule by type."""
    if column.interval:
        return column.interval
    by_type = site.settings["INSPECTION_STALE_DAYS_BY_TYPE"]
    return by_type.get(column.type)


@rule("stale-columns", "栏目更新不及时")
def stale_columns(site: Site) -> Iterator[Finding]:
    stale = []
    for column in site.columns:
        limit = column_limit(site, column)
        if limit is None or not column.items:
            continue
        age = _age(site, column.items[0])
        if age > limit:
            stale.append(column)
            yield Finding("stale-columns", "warning", f"栏目“{column.name}”（{column.id}）已{age}天未更新"
                          f"（要求{limit}天内更新）", path=site.site_file, line=site.column_line(column.id),
                          url=f"/{column.url}", page=column.save_as)
    veto = site.settings["INSPECTION_STALE_COLUMNS_VETO"]
    if len(stale) >= veto:
        yield Finding("stale-columns", "veto", f"{len(stale)}个栏目更新不及时（达到{veto}个即单项否决）："
                      f"{'、'.join(c.name for c in stale)}", path=site.site_file)


@rule("empty-columns", "空白栏目")
def empty_columns(site: Site) -> Iterator[Finding]:
    empty = [c for c in site.columns if not c.items]
    for column in empty:
        yield Finding("empty-columns", "warning", f"栏目“{column.name}”（{column.id}）是空白栏目，没有任何信息",
                      path=site.site_file, line=site.column_line(column.id), url=f"/{column.url}",
                      page=column.save_as)
    veto = site.settings["INSPECTION_EMPTY_COLUMNS_VETO"]
    if len(empty) >= veto:
        yield Finding("empty-columns", "veto", f"{len(empty)}个空白栏目（达到{veto}个即单项否决）："
                      f"{'、'.join(c.name for c in empty)}", path=site.site_file)


_TAG = re.compile(r"<(a|link|img|script|source|video|audio|iframe)\b([^>]*)>|\sid=(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))",
                  re.I)
_ATTR = re.compile(r"\s(href|src)=(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_LINK_ATTR = {"a": "href", "link": "href"}


def footer_needles(site_data: dict[str, Any]) -> tuple[str, ...]:
    """Texts every page's footer identity block must contain."""
    needles = [site_data.get(key, "") for key in ("host", "site_code", "icp", "police")]
    return (*[n for n in needles if n], "我为政府网站找错")


# Every start of a YYYY-MM-DD (%Y is unpadded before 1000): the same test as `day in text`.
_DATES = re.compile(r"(?=(\d{1,4}-\d\d-\d\d))")


def _split(link: str, portal: str) -> tuple[str | None, str]:
    """Unquoted path of a same-site link ("" for the page itself, None if external), and its fragment."""
    parsed = urlparse(link)
    if parsed.scheme in ("mailto", "tel", "data", "javascript"):
        return None, ""
    if (parsed.scheme or parsed.netloc) and (parsed.netloc != portal or not portal):
        return None, ""
    return unquote(parsed.path), parsed.fragment


def _join(directory: str, path: str) -> str:
    """Output-relative file for a URL path on a page in `directory` ("/" or "/a/b/")."""
    resolved = path if path.startswith("/") else directory + path
    parts: list[str] = []
    for part in resolved.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    rel = "/".join(parts)
    if resolved.endswith("/") or not rel:
        rel = (rel + "/index.html").lstrip("/")
    return rel


def link_resolver(portal_url: str, bases: dict[str, list[str]] | None = None,
                  here: str = "") -> Callable[[str, str, str], Link | None]:
    """(page, attribute, URL) -> the Link it makes, or None if it leaves the site.

    In a site cluster, bases are every site's addresses ({id: [https://host, and /<id> when built
    locally side by side]}; here: this site's id). A link to another site of the cluster makes a
    Link whose target is `@<id>/<file>` (checked against that site's pages); this site's own
    local prefix is taken off.

    Memoised, as nav, footer and theme links repeat on every page: URLs are split once per
    text and joined once per (directory, path), an absolute path not per directory at all
    (with absolute URLs nearly every (directory, URL) pair is new). Equal Links are one
    object, so the pickled cache holds each once and loads fast.
    """
    portal = urlparse(portal_url).netloc
    own = next((base for base in (bases or {}).get(here, []) if base.startswith("/")), "")
    by_host = {urlparse(base).netloc: sid for sid, found in (bases or {}).items() if sid != here
               for base in found if "//" in base}
    by_prefix = {base: sid for sid, found in (bases or {}).items() if sid != here
                 for base in found if base.startswith("/")}
    splits: dict[str, tuple[str | None, str]] = {}
    joins: dict[tuple[str, str], str] = {}
    shared: dict[Link, Link] = {}

    def sibling(link: str) -> tuple[str | None, str] | None:
        """(`@<id>` + path, fragment) of a link to another site of the cluster; None if it is not one."""
        parsed = urlparse(link)
        if parsed.netloc:
            sid = by_host.get(parsed.netloc)
            return None if sid is None else (f"@{sid}" + unquote(parsed.path or "/"), parsed.fragment)
        if parsed.scheme or not parsed.path.startswith("/"):
            return None
        if own and (parsed.path == own or parsed.path.startswith(own + "/")):
            return unquote(parsed.path[len(own):] or "/"), parsed.fragment
        sid = by_prefix.get("/" + parsed.path.split("/")[1])
        return None if sid is None else (f"@{sid}" + unquote(parsed.path[len(sid) + 1:] or "/"), parsed.fragment)

    def resolve(page: str, attr: str, link: str) -> Link | None:
        split = splits.get(link)
        if split is None:
            split = splits[link] = (sibling(link) if bases else None) or _split(link, portal)
        path, fragment = split
        if path is None:
            return None
        if path.startswith("@"):  # another site of the cluster: `@<id>/<file>`
            sid, _, rest = path.partition("/")
            record = (attr, link, f"{sid}/{_join('', '/' + rest)}", fragment)
            return shared.setdefault(record, record)
        if not path:
            rel = page
        else:
            directory = ""  # an absolute path resolves the same on every page
            if not path.startswith("/"):
                directory = "/" + page.rsplit("/", 1)[0] + "/" if "/" in page else "/"
            rel = joins.get((directory, path))
            if rel is None:
                rel = joins[directory, path] = _join(directory, path)
        record = (attr, link, rel, fragment)
        return shared.setdefault(record, record)

    return resolve


def page_facts(html: str, page: str, needles: tuple[str, ...],
               resolve: Callable[[str, str, str], Link | None]) -> PageFacts:
    """Same-site links, ids, missing footer needles and visible dates of one page.

    Regular expressions instead of html.parser: pages are our own well-formed output, quoted
    or (minified) unquoted, and parsing them all was most of the inspection's time.
    """
    links: list[Link] = []
    ids: set[str] = set()
    for match in _TAG.finditer(html):
        if match.group(1) is None:
            ids.add(sys.intern(next(g for g in match.groups()[2:] if g is not None)))
            continue
        tag = match.group(1).lower()
        wanted = _LINK_ATTR.get(tag, "src")
        for attr in _ATTR.finditer(match.group(2)):
            if attr.group(1).lower() == wanted:
                link = resolve(page, wanted, unescape(next(g for g in attr.groups()[1:] if g is not None)))
                if link is not None:
                    links.append(link)
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", main)  # what a reader sees, not <meta> or JSON-LD
    return PageFacts(tuple(links), frozenset(ids), tuple(n for n in needles if n not in html),
                     frozenset(_DATES.findall(text)))


def page_url(page: str) -> str:
    """The URL of an output page on the site: "a/b/index.html" -> "/a/b/"."""
    return "/" + (page[:-len("index.html")] if page == "index.html" or page.endswith("/index.html") else page)


def _written_forms(link: str) -> tuple[str, ...]:
    """How an editor may have written a link the page carries: as it is, unquoted, without its #fragment."""
    forms = [link, unquote(link), link.split("#", 1)[0], unquote(link.split("#", 1)[0])]
    return tuple(f for i, f in enumerate(forms) if f and f not in forms[:i])


def _link_source(site: Site, page: str, link: str) -> tuple[str, int]:
    """(source file, line) where a link on a built page was written.

    The document's own source first; then site.yaml, whose links reach every page (navigation,
    footer); a file listed in the header (attachments) is found by its name. Else the
    document's source without a line, or the page itself when no document made it.
    """
    forms = _written_forms(link)
    doc = site.doc_of_page.get(page)
    if doc is not None:
        name = unquote(urlparse(link).path.rstrip("/").rsplit("/", 1)[-1])
        line = site.line_of(doc.source_path, forms + ((name,) if "." in name else ()))
        if line:
            return doc.source_path, line
    line = site.line_of(site.site_file, forms)
    if line:
        return site.site_file, line
    return (doc.source_path, 0) if doc is not None else (page, 0)


@rule("broken-links", "链接不可用")
def broken_links(site: Site) -> Iterator[Finding]:
    no_ids: frozenset[str] = frozenset()
    # One finding per place a link was written, however many pages carry it (a link in site.yaml is on all).
    places: dict[tuple[str, int, str], list[str]] = {}
    for rel, facts in sorted(site.pages.items()):
        for attr, link, target, fragment in facts.links:
            if target.startswith("@"):  # a page of another site of the cluster
                message = _missing_elsewhere(site, link, target)
                if message is None:
                    continue
            elif target not in site.files:
                message = f"{'图片或文件不存在' if attr == 'src' else '链接失效'}：{link}"
            elif fragment and target.endswith(".html"):
                anchors = site.pages[target].ids if target in site.pages else no_ids
                if fragment in anchors:
                    continue
                message = f"锚点失效：{link}（目标页面中没有 #{fragment}）"
            else:
                continue
            pages = places.setdefault((*_link_source(site, rel, link), message), [])
            if rel not in pages:
                pages.append(rel)
    for (path, line, message), pages in places.items():
        more = f"（共{len(pages)}个页面）" if len(pages) > 1 else ""
        yield Finding("broken-links", "block", message + more, path=path, line=line, url=page_url(pages[0]),
                      page=pages[0])


def _missing_elsewhere(site: Site, link: str, target: str) -> str | None:
    """Why a link to another site of the cluster fails, or None: its document and column pages are known to
    every site's build (content_model/cluster.py); its other pages (feeds, search, the catalogue) are taken as there."""
    sid, _, rel = target[1:].partition("/")
    other = site.cluster.get(sid)
    if other is None:
        return None
    parts = rel.split("/")
    if parts[0] not in other["columns"]:
        return None
    if rel == f"{parts[0]}/index.html":
        return None
    if len(parts) < 3 or not (parts[1].isdigit() and len(parts[1]) == 4):
        return None
    if rel in site.cluster_pages.get(sid, ()):
        return None
    return f"链接失效：{link}（{other['site'].get('name', sid)}没有这个页面）"


def _at(site: Site, doc: Any, key: str = "") -> dict[str, Any]:
    """Where a finding about a document points: its source (at the header field `key`) and its page."""
    line = site.field_line(doc.source_path, key) if key else 0
    return {"path": doc.source_path, "line": line, "url": f"/{doc.url}", "page": doc.save_as}


@rule("missing-interpretation", "政策文件缺少解读")
def missing_interpretation(site: Site) -> Iterator[Finding]:
    for doc in site.docs:
        if doc.type == "policy" and not doc.interpretations and not getattr(doc, "interpretation_waived", None):
            yield Finding("missing-interpretation", "warning", f"{doc.doc_no}没有配套解读（请同步发布解读；"
                          "无需解读的，在文件头写 interpretation_waived: 理由）", **_at(site, doc, "doc_no"))


@rule("late-interpretation", "解读发布滞后")
def late_interpretation(site: Site) -> Iterator[Finding]:
    limit = site.settings["INSPECTION_INTERPRETATION_LATE_DAYS"]
    for doc in site.docs:
        if doc.type not in ("interpretation", "interview"):
            continue
        for policy in doc.policies:
            late = (day(doc.date) - day(policy.date)).days
            if late > limit:
                yield Finding("late-interpretation", "warning", f"解读比{policy.doc_no}晚{late}天发布"
                              f"（要求{limit}天内）", **_at(site, doc, "date"))


@rule("disclosure-deadline", "主动公开超过时限")
def disclosure_deadline(site: Site) -> Iterator[Finding]:
    limit = site.settings["INSPECTION_DISCLOSURE_WORKDAYS"]
    for doc in site.docs:
        written = getattr(doc, "written_date", None)
        if doc.type != "policy" or written is None:
            continue
        took = workdays_between(day(written), day(doc.date))
        if took > limit:
            yield Finding("disclosure-deadline", "warning",
                          f"成文日期{day(written):%Y-%m-%d}至发布日期{day(doc.date):%Y-%m-%d}共{took}个工作日，超过"
                          f"{limit}个工作日的公开时限（《政府信息公开条例》第二十六条）", **_at(site, doc, "date"))


@rule("reply-deadlines", "留言办理超时")
def reply_deadlines(site: Site) -> Iterator[Finding]:
    normal, complex_ = site.settings["INSPECTION_REPLY_WORKDAYS"], site.settings["INSPECTION_REPLY_WORKDAYS_COMPLEX"]
    veto_days = site.settings["INSPECTION_UNANSWERED_VETO_DAYS"]
    for doc in site.docs:
        if doc.type != "reply":
            continue
        limit = complex_ if getattr(doc, "complex", False) else normal
        replied = getattr(doc, "replied", None)
        if replied:
            used = workdays_between(doc.received, replied)
            if used > limit:
                yield Finding("reply-deadlines", "warning", f"留言答复超时：用了{used}个工作日"
                              f"（要求{limit}个工作日内答复）", **_at(site, doc, "replied"))
            continue
        waiting = (site.today - doc.received).days
        if waiting > veto_days:
            yield Finding("reply-deadlines", "veto", f"超过{veto_days}天未答复（否决项）：留言已{waiting}天未答复",
                          **_at(site, doc, "received"))
        elif workdays_between(doc.received, site.today) > limit:
            yield Finding("reply-deadlines", "warning", f"留言已{workdays_between(doc.received, site.today)}个工作日"
                          f"未答复（要求{limit}个工作日内答复）", **_at(site, doc, "received"))


@rule("consultation-outcome", "意见征集未反馈")
def consultation_outcome(site: Site) -> Iterator[Finding]:
    for doc in site.docs:
        if doc.type == "consultation" and doc.state == "closed" and not getattr(doc, "outcome", None):
            yield Finding("consultation-outcome", "warning", "意见征集已结束，未公布意见采纳情况"
                          "（请在文件头填写 outcome）", **_at(site, doc, "closes"))


@rule("publish-date", "页面无发布时间")
def publish_date(site: Site) -> Iterator[Finding]:
    no_dates: frozenset[str] = frozenset()
    for doc in site.docs:
        page = site.pages.get(doc.save_as)
        dates = page.dates if page else no_dates
        shown = {doc.date.strftime("%Y-%m-%d"), (getattr(doc, "modified", None) or doc.date).strftime("%Y-%m-%d")}
        if not any(day in dates for day in shown):
            yield Finding("publish-date", "warning", "页面上没有显示发布日期", **_at(site, doc))


@rule("review-record", "审核记录不全")
def review_record(site: Site) -> Iterator[Finding]:
    columns = site.data["columns"]
    default = int(site.site.get("review_levels") or 0)

    def needed(doc: Any) -> int:
        column = columns.get(getattr(doc, "column", None) or "") or {}
        return int(column.get("review_levels") or default)

    wanted = [(doc, needed(doc)) for doc in site.docs]
    if not any(levels for _doc, levels in wanted):
        return
    found = review.records(str(site.content))
    if found is None:
        yield Finding("review-record", "warning", "不是完整的git仓库（或为浅克隆），无法核对审核记录；"
                      "请用完整历史检出（GitLab GIT_DEPTH: 0，GitHub fetch-depth: 0）", path=site.site_file)
        return
    for doc, levels in wanted:
        if not levels:
            continue
        record = found.get(os.path.abspath(doc.source_path))
        names = "、".join(review.LEVELS[:levels])
        if record is None:
            yield Finding("review-record", "warning", f"尚未提交到git，没有审核记录（需要{names}）", **_at(site, doc))
        elif record.levels < levels:
            yield Finding("review-record", "warning",
                          f"最近一次修改（提交 {record.commit[:8]}）只有{record.levels}级审核记录，需要{levels}级"
                          f"（{names}）：合并时在提交说明末尾写上“初审: 姓名”等，或由GitLab合并模板写入Approved-by",
                          **_at(site, doc))


@rule("disclosure-column", "政府信息公开专栏不全")
def disclosure_column(site: Site) -> Iterator[Finding]:
    """The fixed entries of 国办公开办函〔2019〕61号, and a guide updated within a year."""
    entries = site.data.get("disclosure", {})
    built = {key: address for key, _label, address in site.disclosure_entries or []}  # 年报: annual_reports
    for key, label in ((f.name, f.label) for f in DISCLOSURE if f.name != "statutory"):  # (default: the catalogue)
        if not (entries.get(key) or built.get(key)):
            yield Finding("disclosure-column", "warning", f"政府信息公开专栏缺少“{label}”（在 site.yaml 的 "
                          f"disclosure: 下写 {key}: 地址）", path=site.site_file)
    guide = entries.get("guide") or ""
    doc = next((d for d in site.docs if guide.startswith("/") and f"/{d.url}" == guide), None)
    if doc is not None:
        last = day(getattr(doc, "modified", None) or doc.date)
        if (site.today - last).days > site.settings["INSPECTION_GUIDE_DAYS"]:
            yield Finding("disclosure-column", "warning", f"政府信息公开指南自{last:%Y-%m-%d}起未更新，超过"
                          f"{site.settings['INSPECTION_GUIDE_DAYS']}天（指南应及时更新）", **_at(site, doc))


@rule("annual-reports", "年度报告未按时公开")
def annual_reports(site: Site) -> Iterator[Finding]:
    """Last year's 政府信息公开工作年度报告 and 政府网站工作年度报表, due by 31 January
    (政府信息公开条例 第四十九条, 国办函〔2018〕12号).

    A warning in January, a veto after; only for a site that published anything in that year.
    """
    if site.annual_reports is None:  # the annual_reports plugin is not in PLUGINS
        return
    year = site.today.year - 1
    due = dt.date(site.today.year, 1, 31)
    if not any(day(d.date).year <= year for d in site.docs):
        return
    report = next((r for r in site.annual_reports if r.year == year), None)
    severity = "warning" if site.today <= due else "veto"
    where = {"path": str(site.content / "_data" / "reports" / f"{year}.yaml")}
    for what, missing in (("政府信息公开工作年度报告", report is None),
                          ("政府网站工作年度报表", report is None or report.website is None)):
        if missing:
            overdue = "（已逾期，单项否决）" if severity == "veto" else ""
            yield Finding("annual-reports", severity, f"{year}年{what}尚未公开，应于{due:%Y年%-m月%-d日}前发布"
                          f"{overdue}：在 content/_data/reports/{year}.yaml 写明发布日期和需填报的数字", **where)
    if report is None:
        return
    where = {"path": report.source, "url": f"/{report.url}", "page": f"{report.url}index.html"}
    if report.date.date() > due:
        yield Finding("annual-reports", "warning", f"{year}年年度报告于{report.date:%Y-%m-%d}发布，晚于"
                      f"{due:%Y年%-m月%-d日}", **where)
    blank = [line.label for _section, lines in report.website or [] for line in lines
             if line.value is None and not line.computed and line.kind != "str"]
    if blank:
        yield Finding("annual-reports", "warning", f"{year}年政府网站工作年度报表有{len(blank)}项未填报："
                      f"{'、'.join(blank)}", **where)


@rule("dataset-stale", "开放数据未按期更新")
def dataset_stale(site: Site) -> Iterator[Finding]:
    """A dataset older than its update frequency promises (每月, 每季度…), plus INSPECTION_DATASET_GRACE_DAYS."""
    grace = site.settings["INSPECTION_DATASET_GRACE_DAYS"]
    for doc in site.docs:
        period = FREQUENCY_DAYS.get(getattr(doc, "update_frequency", None) or "")
        if doc.type != "dataset" or period is None or not doc.in_default_lang:
            continue
        last = day(getattr(doc, "modified", None) or doc.date)
        age = (site.today - last).days
        if age > period + grace:
            yield Finding("dataset-stale", "warning", f"数据集自{last:%Y-%m-%d}起已{age}天未更新，更新频率为"
                          f"{doc.update_frequency_label}（{period}天）：更新数据文件，或改正 update_frequency",
                          **_at(site, doc, "update_frequency"))


@rule("topics", "专题专栏空白或长期未更新")
def topics(site: Site) -> Iterator[Finding]:
    """A running topic with no documents, or none newer than INSPECTION_TOPIC_STALE_DAYS (archived ones rest)."""
    limit = site.settings["INSPECTION_TOPIC_STALE_DAYS"]
    for doc in site.docs:
        if doc.type != "topic" or doc.archived:
            continue
        if not doc.members:
            words = "、".join(doc.collects)
            yield Finding("topics", "warning", f"专题没有任何内容：给相关文件的主题词（keywords）加上专题收录的词"
                          f"（{words}），或设置结束日期 ends 将专题归档", **_at(site, doc, "collects"))
            continue
        newest = max(day(d.date) for d in [doc, *doc.members])
        if (site.today - newest).days > limit:
            yield Finding("topics", "warning", f"专题自{newest:%Y-%m-%d}起已{(site.today - newest).days}天没有新内容"
                          f"（要求{limit}天内更新）；工作已结束的，设置结束日期 ends 将专题归档", **_at(site, doc))


@rule("service-guide", "办事指南要素缺失")
def service_guide(site: Site) -> Iterator[Finding]:
    """Every element of a guide given (schema.SERVICE_ELEMENTS), and its 在线办理 link on a listed https host."""
    hosts = {h.lower() for h in site.site.get("service_hosts") or []}
    labels = {f.name: f.label for f in TYPES["service"].fields}
    guides = [d for d in site.docs if d.type == "service"]
    incomplete = 0
    for doc in guides:
        missing = [labels[name] for name in SERVICE_ELEMENTS if not getattr(doc, name, None)]
        if missing:
            incomplete += 1
            yield Finding("service-guide", "warning", f"办事指南缺少要素：{'、'.join(missing)}", **_at(site, doc))
        link = getattr(doc, "online_url", None) or ""
        parts = urlparse(link)
        if link and not link.startswith("/") and parts.scheme != "https":
            yield Finding("service-guide", "warning", f"在线办理链接不是https：{link}",
                          **_at(site, doc, "online_url"))
        elif parts.hostname and parts.hostname.lower() not in hosts:
            yield Finding("service-guide", "warning", f"在线办理链接指向未登记的网站 {parts.hostname}：核对链接，"
                          "或把政务服务平台的域名写进 site.yaml 的 service_hosts", **_at(site, doc, "online_url"))
    share = site.settings["INSPECTION_SERVICE_INCOMPLETE_SHARE"]
    if guides and incomplete * 100 > share * len(guides):
        yield Finding("service-guide", "veto", f"{len(guides)}项办事指南中有{incomplete}项要素不全，超过{share}%"
                      "（服务不实用，单项否决）：补全上面列出的要素", path=site.site_file)


def _has_text(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>|\s", "", html or ""))


@rule("organisation", "机构职能或领导信息缺失")
def organisation(site: Site) -> Iterator[Finding]:
    """机构职能 and 领导信息 exist and say what the 2017 guideline asks (functions, departments; photo, CV)."""
    orgs = [d for d in site.docs if d.type == "org" and d.in_default_lang]
    leaders = [d for d in site.docs if d.type == "leader" and d.in_default_lang]
    if not orgs:
        yield Finding("organisation", "warning", "未发布机构职能（主要职责、内设机构、办公地址、办公时间、联系电话）："
                      "在 content/org/ 下写一篇，make new TYPE=org", path=site.site_file)
    for org in orgs:
        missing = (["主要职责（正文）"] if not _has_text(org.content) else []) + \
                  (["内设机构（units）"] if not getattr(org, "units", None) else [])
        if missing:
            yield Finding("organisation", "warning", f"机构职能缺少：{'、'.join(missing)}", **_at(site, org))
    if not leaders:
        yield Finding("organisation", "warning", "未发布领导信息（姓名、照片、职务、分管工作、简历）：每位领导在 "
                      "content/leader/ 下写一篇，make new TYPE=leader", path=site.site_file)
    for leader in leaders:
        missing = (["照片（image）"] if not getattr(leader, "image", None) else []) + \
                  (["简历（正文）"] if not _has_text(leader.content) else [])
        if missing:
            yield Finding("organisation", "warning", f"领导信息缺少：{'、'.join(missing)}", **_at(site, leader))


@rule("interaction-channels", "互动交流渠道缺失")
def interaction_channels(site: Site) -> Iterator[Finding]:
    if not site.data.get("channels"):
        yield Finding("interaction-channels", "veto", "未设置任何互动交流渠道（领导信箱、12345热线、互动平台等；"
                      "单项否决）：在 site.yaml 的 channels: 下写明名称和网址或电话", path=site.site_file)


@rule("footer-identity", "页脚缺少网站标识")
def footer_identity(site: Site) -> Iterator[Finding]:
    for rel, facts in sorted(site.pages.items()):
        if facts.missing:
            doc = site.doc_of_page.get(rel)
            yield Finding("footer-identity", "warning", f"页脚缺少：{'、'.join(facts.missing)}",
                          path=doc.source_path if doc is not None else rel, url=page_url(rel), page=rel)


_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                 r"\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d-])1[3-9]\d{9}(?!\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id_number(text: str) -> bool:
    """GB 11643 checksum of an 18-character resident identity number."""
    total = sum(int(c) * w for c, w in zip(text[:17], _WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == text[17].upper()


def _personal_data(line: str) -> Iterator[str]:
    for match in _ID.finditer(line):
        if valid_id_number(match.group(0)):
            yield f"身份证号码 {match.group(0)[:6]}********{match.group(0)[-4:]}"
    for match in _MOBILE.finditer(line):
        yield f"手机号码 {match.group(0)[:3]}****{match.group(0)[-4:]}"


# Text rules (forbidden terms, personal data) read every published text: the documents'
# sources and every file copied beside them (attachments, dataset files, files/, images/).

Scanner = Callable[[str], Iterator[str]]  # one line of text -> a message per hit
TextLine = tuple[int, str, str]  # (line number, or 0 where lines mean nothing; where, e.g. "第2页"; text)
MB = 2**20


class Unreadable(Exception):
    """The text of a published file cannot be extracted; the message says why, for an editor."""


def _forbidden_terms_scanner(settings: dict[str, Any]) -> tuple[Hashable, Scanner] | None:
    terms: dict[str, str] = settings["INSPECTION_FORBIDDEN_TERMS"]
    if not terms:
        return None
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))

    def scan(line: str) -> Iterator[str]:
        for match in pattern.finditer(line):
            fix = terms[match.group(0)]
            hint = f"，应改为“{fix}”" if fix else ""
            yield f"错敏词“{match.group(0)}”{hint}"

    return tuple(sorted(terms.items())), scan


def _scanners(settings: dict[str, Any]) -> dict[str, tuple[Hashable, Scanner]]:
    """Rule id -> (the parameters its findings depend on, its scanner), for the text rules in use."""
    made = {"personal-data": ((), _personal_data), "forbidden-terms": _forbidden_terms_scanner(settings)}
    return {rule_id: scanner for rule_id, scanner in made.items() if scanner}


_NEWLINE = re.compile(r"\r\n?|\n")


def _decode(data: bytes) -> str:
    """Text of a plain file: UTF-8 or UTF-16 with a BOM, else UTF-8, else GB18030 (Excel's CSV on Chinese Windows)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")  # the digits of an ID number survive any damage around them


def _plain_lines(path: str, limit: int) -> Iterator[TextLine]:
    with open(path, "rb") as fh:
        text = _decode(fh.read())
    for number, line in enumerate(_NEWLINE.split(text), 1):
        yield number, "", line


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Besides the body, what Word shows around it: headers, footers, notes, comments (named as Word names them).
_DOCX_PARTS = re.compile(r"word/(header|footer|footnotes|endnotes|comments)\d*\.xml")
_DOCX_LABELS = {"header": "页眉", "footer": "页脚", "footnotes": "脚注", "endnotes": "尾注", "comments": "批注"}


def _too_large(size: int, limit: int, what: str = "") -> str:
    return f"文件{what}过大（{size / MB:.1f} MB，超过 INSPECTION_MAX_FILE_MB 设定的 {limit / MB:g} MB），请人工检查"


def _check_unpacked(book: zipfile.ZipFile, parts: list[str], limit: int) -> None:
    unpacked = sum(book.getinfo(part).file_size for part in parts)
    if unpacked > limit:
        raise Unreadable(_too_large(unpacked, limit, "解压后"))


def _elements(book: zipfile.ZipFile, part: str, tag: str) -> Iterator[tuple[int, ET.Element]]:
    """(number in document order, element) of each `tag` element of one XML part, streamed: a sheet
    may hold a million rows. A nested element (a paragraph in a text box) comes before its parent.
    """
    started = 0
    numbers = []
    with book.open(part) as fh:
        for event, element in ET.iterparse(fh, events=("start", "end")):
            if element.tag != tag:
                continue
            if event == "start":
                started += 1
                numbers.append(started)
            else:
                yield numbers.pop(), element
                element.clear()


def _paragraph_text(element: ET.Element) -> str:
    """A Word paragraph's own text, joined across runs: Word splits a number over runs at will.

    Deleted text (tracked changes) counts: it is still in the published file.
    """
    parts = []
    for child in element:
        if child.tag in (_W + "t", _W + "delText"):
            parts.append(child.text or "")
        elif child.tag in (_W + "tab", _W + "br", _W + "cr"):
            parts.append(" ")
        elif child.tag != _W + "p":  # a paragraph in a text box is a paragraph of its own
            parts.append(_paragraph_text(child))
    return "".join(parts)


def _docx_text(book: zipfile.ZipFile, limit: int) -> Iterator[TextLine]:
    names = book.namelist()
    parts = ["word/document.xml", *sorted(n for n in names if _DOCX_PARTS.fullmatch(n))]
    _check_unpacked(book, parts, limit)
    for part in parts:
        match = _DOCX_PARTS.fullmatch(part)
        label = _DOCX_LABELS[match.group(1)] if match else ""
        for number, paragraph in _elements(book, part, _W + "p"):
            yield 0, f"{label}第{number}段", _paragraph_text(paragraph)


def _rich_text(element: ET.Element) -> str:
    """Text of a shared or inline string: plain, or runs of rich text (phonetic hints left out)."""
    return "".join(t.text or "" for t in [*element.findall(_X + "t"), *element.findall(f"{_X}r/{_X}t")])


def _xlsx_sheets(book: zipfile.ZipFile, limit: int) -> list[tuple[str, str]]:
    """(name, part) of each sheet, in the workbook's order."""
    _check_unpacked(book, ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"], limit)
    targets = {r.get("Id"): r.get("Target", "") for r in ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))}
    sheets = []
    for sheet in ET.fromstring(book.read("xl/workbook.xml")).iter(_X + "sheet"):
        target = targets[sheet.get(_REL_ID)]
        part = target[1:] if target.startswith("/") else posixpath.normpath("xl/" + target)
        sheets.append((sheet.get("name", ""), part))
    return sheets


def _xlsx_text(book: zipfile.ZipFile, limit: int) -> Iterator[TextLine]:
    sheets = _xlsx_sheets(book, limit)
    strings = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in book.namelist() else None
    _check_unpacked(book, [part for _name, part in sheets] + ([strings] if strings else []), limit)
    shared = [_rich_text(si) for _number, si in _elements(book, strings, _X + "si")] if strings else []
    for name, part in sheets:
        for count, row in _elements(book, part, _X + "row"):
            cells = []
            for cell in row.iter(_X + "c"):
                kind, value = cell.get("t"), cell.findtext(_X + "v") or ""
                if kind == "s":
                    value = shared[int(value)]
                elif kind == "inlineStr":
                    inline = cell.find(_X + "is")
                    value = _rich_text(inline) if inline is not None else ""
                cells.append(value)
            yield 0, f"工作表“{name}”第{row.get('r') or count}行", "\t".join(cells)


def _package_lines(read: Callable[[zipfile.ZipFile, int], Iterator[TextLine]],
                   kind: str) -> Callable[[str, int], Iterator[TextLine]]:
    """Lines of an Office Open XML file (a zip of XML parts), with every way it can be damaged made Unreadable."""

    def lines(path: str, limit: int) -> Iterator[TextLine]:
        try:
            with zipfile.ZipFile(path) as book:
                yield from read(book, limit)
        except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError, IndexError, EOFError, zlib.error,
                NotImplementedError, RuntimeError) as exc:  # RuntimeError: an encrypted part, or absurd nesting
            raise Unreadable(f"{kind} 文件已损坏或设有密码（{exc}），请去掉密码后重新保存") from None

    return lines


def _pdf_lines(path: str, limit: int) -> Iterator[TextLine]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs what it repairs in damaged files; under `pelican --fatal warnings` that would stop the
    # build, and a file it cannot read is reported below in the editor's terms.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # a PDF locked only against editing opens without a password
            except PyPdfError:  # e.g. AES, which needs a cryptography package pypdf does without
                opened = False
            if not opened:
                raise Unreadable("PDF 文件已加密，请发布未加密的版本")
        for number, page in enumerate(reader.pages, 1):
            for line in page.extract_text().splitlines():
                yield 0, f"第{number}页", line
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on a damaged file; each means "not checked"
        raise Unreadable(f"PDF 文件已损坏（{type(exc).__name__}: {exc}），请从原文件重新导出") from None


# How to get the text out of each kind of published file; other files (images, video) have none.
_EXTRACTORS: dict[str, Callable[[str, int], Iterator[TextLine]]] = {
    **dict.fromkeys((".csv", ".tsv", ".txt", ".md", ".markdown", ".json", ".geojson", ".xml", ".html", ".htm", ".svg"),
                    _plain_lines),
    ".docx": _package_lines(_docx_text, "DOCX"),
    ".xlsx": _package_lines(_xlsx_text, "XLSX"),
    ".pdf": _pdf_lines,
}
# Documents and archives whose text no well-kept pure-Python library extracts: said so, never passed silently.
_UNCHECKED = {
    **dict.fromkeys((".doc", ".xls", ".ppt", ".pptx", ".wps", ".et", ".rtf", ".ofd"),
                    "无法读取这种格式，请转为 PDF、DOCX 或 XLSX 后发布"),
    **dict.fromkeys((".zip", ".rar", ".7z"), "压缩包不会被打开检查，请直接发布其中的文件"),
}


def _file_facts(path: str, size: int, scanners: dict[str, tuple[Hashable, Scanner]], limit: int) -> TextFacts:
    """Every text rule's hits in one file, or why it could not be checked."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in _UNCHECKED:
        return TextFacts((), _UNCHECKED[suffix])
    if size > limit:
        return TextFacts((), _too_large(size, limit))
    hits = []
    try:
        for number, where, text in _EXTRACTORS.get(suffix, _plain_lines)(path, limit):  # sources: any text
            for rule_id, (_params, scan) in scanners.items():
                hits += [(rule_id, number, f"{where}：{message}" if where else message) for message in scan(text)]
    except Unreadable as exc:
        return TextFacts((), str(exc))
    except OSError as exc:
        return TextFacts((), f"无法读取文件（{exc.strerror}）")
    return TextFacts(tuple(hits))


def _published_texts(site: Site) -> Iterator[tuple[str, str, str]]:
    """(source path, URL, output file) of every published file with text: documents' sources and the files
    copied as they are.
    """
    for doc in site.docs:
        yield doc.source_path, f"/{doc.url}", doc.save_as
    for item in site.static:
        suffix = os.path.splitext(item.source_path)[1].lower()
        if suffix in _EXTRACTORS or suffix in _UNCHECKED:
            yield item.source_path, f"/{item.url}", item.save_as


# Below this many files to read, forking workers costs more than it saves.
PARALLEL_MIN_FILES = 32


def _text_findings(site: Site) -> dict[str, list[Finding]]:
    """Findings of the text rules, each file read once for all of them.

    Cached per file by stamp and rule parameters: rereading every source and extracting every
    PDF again is most of these rules' time, and the findings depend on nothing else. Files not
    cached are read in forked workers when there are many (a cold build: all of them).
    """
    if site.text_findings is not None:
        return site.text_findings
    scanners = _scanners(site.settings)
    limit = int(site.settings["INSPECTION_MAX_FILE_MB"] * MB)
    params = (tuple((rule_id, rule_params) for rule_id, (rule_params, _scan) in scanners.items()), limit)
    files = list(_published_texts(site))
    stats = {path: os.stat(path) for path, _url, _page in files}
    facts: dict[str, TextFacts] = {}
    for path, st in stats.items():
        cached = site.sources_cached.get(path)
        if cached and cached[0] == (st.st_size, st.st_mtime_ns) and cached[1] == params:
            facts[path] = cached[2]
    todo = [path for path in stats if path not in facts]

    def read(path: str) -> TextFacts:
        return _file_facts(path, stats[path].st_size, scanners, limit)

    workers = site.settings.get("GAZETTE_WORKERS", 1)
    if workers < 2 or len(todo) < PARALLEL_MIN_FILES:
        facts.update((path, read(path)) for path in todo)
    else:
        facts.update(zip(todo, fork_map(read, todo, workers), strict=True))

    found: dict[str, list[Finding]] = {rule_id: [] for rule_id in scanners}
    for path, url, page in files:
        fresh = stamp(stats[path])
        if fresh:
            site.sources[path] = (fresh, params, facts[path])
        for rule_id, number, message in facts[path].hits:
            found[rule_id].append(Finding(rule_id, "block", message, path=path, line=number, url=url, page=page))
        if facts[path].problem:  # reported once, under the rule that must never miss a file
            found["personal-data"].append(Finding("personal-data", "warning", "未能检查个人信息和错敏词："
                                                  f"{facts[path].problem}", path=path, url=url, page=page))
    site.text_findings = found
    return found


@rule("forbidden-terms", "错敏词")
def forbidden_terms(site: Site) -> Iterator[Finding]:
    yield from _text_findings(site).get("forbidden-terms", [])


@rule("personal-data", "个人信息泄露")
def personal_data(site: Site) -> Iterator[Finding]:
    yield from _text_findings(site)["personal-data"]
