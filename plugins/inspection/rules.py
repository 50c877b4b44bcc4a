"""Inspection rules, one function each, modelled on the 2019 national website indicators.

A rule receives the Site being inspected and returns Findings. Severity:
- "veto": a single-veto item of the national inspection (reported loudly);
- "block": must never go public (`make publish` refuses to swap the site in);
- "warning": worth fixing, counted in the report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse

from content_model.files import settled

from .workdays import workdays_between


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # veto | block | warning
    message: str
    path: str = ""  # content file or output page
    line: int = 0
    url: str = ""

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


# (rule id, source path) -> (stamp, rule parameters, [(line number, message)])
SourceFacts = dict[tuple[str, str], tuple[Stamp, Hashable, list[tuple[int, str]]]]


@dataclass
class Site:
    """What the rules look at: published documents, columns, facts of written pages and settings."""

    docs: list[Any]
    columns: list[Any]
    home_columns: list[Any]
    site: dict[str, Any]
    settings: dict[str, Any]
    today: dt.date
    output: Path
    content: Path
    pages: dict[str, PageFacts] = field(default_factory=dict)  # output-relative path -> facts
    files: set[str] = field(default_factory=set)  # every output-relative file, for link targets
    sources_cached: SourceFacts = field(default_factory=dict)  # from the previous build
    sources: SourceFacts = field(default_factory=dict)  # this build's, to cache for the next
    source_stats: dict[str, os.stat_result] = field(default_factory=dict)  # one stat per file for all rules


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


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _age(site: Site, doc: Any) -> int:
    return (site.today - _day(doc.date)).days


@rule("homepage-stale", "首页长期未更新")
def homepage_stale(site: Site) -> Iterator[Finding]:
    limit = site.settings["INSPECTION_HOME_STALE_DAYS"]
    listed = [d for c in site.home_columns for d in c.items]
    if not listed:
        yield Finding("homepage-stale", "veto", "the home page lists no dated item", url="/")
        return
    newest = max(listed, key=lambda d: d.date)
    if _age(site, newest) > limit:
        yield Finding("homepage-stale", "veto", f"newest item on the home page is {_age(site, newest)} days old "
                      f"(limit {limit}): {newest.title}", url="/")


def column_limit(site: Site, column: Any) -> int | None:
    """Days a column may go without an update: its own interval, else the national rule by type."""
    if column.interval:
        return column.interval
    by_type = site.settings["INSPECTION_STALE_DAYS_BY_TYPE"]
    return by_type.get(column.type)


@rule("stale-columns", "栏目不更新")
def stale_columns(site: Site) -> Iterator[Finding]:
    stale = []
    for column in site.columns:
        limit = column_limit(site, column)
        if limit is None or not column.items:
            continue
        age = _age(site, column.items[0])
        if age > limit:
            stale.append(column)
            yield Finding("stale-columns", "warning", f"column {column.name} ({column.id}) last updated "
                          f"{age} days ago (limit {limit})", url=f"/{column.url}")
    veto = site.settings["INSPECTION_STALE_COLUMNS_VETO"]
    if len(stale) >= veto:
        yield Finding("stale-columns", "veto", f"{len(stale)} stale columns (veto at {veto})")


@rule("empty-columns", "空白栏目")
def empty_columns(site: Site) -> Iterator[Finding]:
    empty = [c for c in site.columns if not c.items]
    for column in empty:
        yield Finding("empty-columns", "warning", f"column {column.name} ({column.id}) is empty",
                      url=f"/{column.url}")
    veto = site.settings["INSPECTION_EMPTY_COLUMNS_VETO"]
    if len(empty) >= veto:
        yield Finding("empty-columns", "veto", f"{len(empty)} empty columns (veto at {veto})")


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


def link_resolver(portal_url: str) -> Callable[[str, str, str], Link | None]:
    """(page, attribute, URL) -> the Link it makes, or None if it leaves the site.

    Memoised, as nav, footer and theme links repeat on every page: URLs are split once per
    text and joined once per (directory, path), an absolute path not per directory at all
    (with absolute URLs nearly every (directory, URL) pair is new). Equal Links are one
    object, so the pickled cache holds each once and loads fast.
    """
    portal = urlparse(portal_url).netloc
    splits: dict[str, tuple[str | None, str]] = {}
    joins: dict[tuple[str, str], str] = {}
    shared: dict[Link, Link] = {}

    def resolve(page: str, attr: str, link: str) -> Link | None:
        split = splits.get(link)
        if split is None:
            split = splits[link] = _split(link, portal)
        path, fragment = split
        if path is None:
            return None
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


@rule("broken-links", "链接不可用")
def broken_links(site: Site) -> Iterator[Finding]:
    no_ids: frozenset[str] = frozenset()
    for rel, facts in sorted(site.pages.items()):
        for attr, link, target, fragment in facts.links:
            if target not in site.files:
                what = "image or file" if attr == "src" else "link"
                yield Finding("broken-links", "block", f"broken {what} {link}", path=rel, url=link)
            elif fragment and target.endswith(".html"):
                anchors = site.pages[target].ids if target in site.pages else no_ids
                if fragment not in anchors:
                    yield Finding("broken-links", "block", f"missing anchor #{fragment} in {link}", path=rel,
                                  url=link)


@rule("missing-interpretation", "政策文件缺少解读")
def missing_interpretation(site: Site) -> Iterator[Finding]:
    for doc in site.docs:
        if doc.type == "policy" and not doc.interpretations and not getattr(doc, "interpretation_waived", None):
            yield Finding("missing-interpretation", "warning", f"policy {doc.doc_no} has no interpretation "
                          "(add one, or `interpretation_waived: <reason>`)", path=doc.source_path, url=f"/{doc.url}")


@rule("late-interpretation", "解读发布滞后")
def late_interpretation(site: Site) -> Iterator[Finding]:
    limit = site.settings["INSPECTION_INTERPRETATION_LATE_DAYS"]
    for doc in site.docs:
        if doc.type != "interpretation":
            continue
        for policy in doc.policies:
            late = (_day(doc.date) - _day(policy.date)).days
            if late > limit:
                yield Finding("late-interpretation", "warning", f"published {late} days after policy "
                              f"{policy.doc_no} (limit {limit})", path=doc.source_path, url=f"/{doc.url}")


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
                yield Finding("reply-deadlines", "warning", f"answered in {used} working days (limit {limit})",
                              path=doc.source_path, url=f"/{doc.url}")
            continue
        waiting = (site.today - doc.received).days
        if waiting > veto_days:
            yield Finding("reply-deadlines", "veto", f"unanswered for {waiting} days (veto past {veto_days})",
                          path=doc.source_path, url=f"/{doc.url}")
        elif workdays_between(doc.received, site.today) > limit:
            yield Finding("reply-deadlines", "warning", f"unanswered after "
                          f"{workdays_between(doc.received, site.today)} working days (limit {limit})",
                          path=doc.source_path, url=f"/{doc.url}")


@rule("consultation-outcome", "意见征集未反馈")
def consultation_outcome(site: Site) -> Iterator[Finding]:
    for doc in site.docs:
        if doc.type == "consultation" and doc.state == "closed" and not getattr(doc, "outcome", None):
            yield Finding("consultation-outcome", "warning", "closed without an outcome (意见采纳情况)",
                          path=doc.source_path, url=f"/{doc.url}")


@rule("publish-date", "无发布时间")
def publish_date(site: Site) -> Iterator[Finding]:
    no_dates: frozenset[str] = frozenset()
    for doc in site.docs:
        page = site.pages.get(doc.save_as)
        dates = page.dates if page else no_dates
        shown = {doc.date.strftime("%Y-%m-%d"), (getattr(doc, "modified", None) or doc.date).strftime("%Y-%m-%d")}
        if not any(day in dates for day in shown):
            yield Finding("publish-date", "warning", "page shows no publish date", path=doc.save_as,
                          url=f"/{doc.url}")


@rule("footer-identity", "缺少网站标识")
def footer_identity(site: Site) -> Iterator[Finding]:
    for rel, facts in sorted(site.pages.items()):
        if facts.missing:
            yield Finding("footer-identity", "warning", f"footer lacks {', '.join(facts.missing)}", path=rel)


def _source_hits(site: Site, rule_id: str, params: Hashable,
                 scan: Callable[[str], Iterator[str]]) -> Iterator[tuple[Any, int, str]]:
    """(document, line number, message) of every hit of `scan` on a source line.

    Cached per rule and file by stamp and rule parameters: rereading every source is most of
    these rules' time, and the messages depend on nothing else.
    """
    for doc in site.docs:
        key = (rule_id, doc.source_path)
        st = site.source_stats.get(doc.source_path)
        if st is None:
            st = site.source_stats[doc.source_path] = os.stat(doc.source_path)
        cached = site.sources_cached.get(key)
        if cached and cached[0] == (st.st_size, st.st_mtime_ns) and cached[1] == params:
            hits = cached[2]
        else:
            with open(doc.source_path, encoding="utf-8-sig") as fh:
                hits = [(number, message) for number, line in enumerate(fh, 1) for message in scan(line)]
        fresh = stamp(st)
        if fresh:
            site.sources[key] = (fresh, params, hits)
        for number, message in hits:
            yield doc, number, message


@rule("forbidden-terms", "错敏词")
def forbidden_terms(site: Site) -> Iterator[Finding]:
    terms: dict[str, str] = site.settings["INSPECTION_FORBIDDEN_TERMS"]
    if not terms:
        return
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))

    def scan(line: str) -> Iterator[str]:
        for match in pattern.finditer(line):
            fix = terms[match.group(0)]
            hint = f"; write '{fix}'" if fix else ""
            yield f"'{match.group(0)}'{hint}"

    for doc, number, message in _source_hits(site, "forbidden-terms", tuple(sorted(terms.items())), scan):
        yield Finding("forbidden-terms", "block", message, path=doc.source_path, line=number, url=f"/{doc.url}")


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
            yield f"resident ID number {match.group(0)[:6]}********{match.group(0)[-4:]}"
    for match in _MOBILE.finditer(line):
        yield f"mobile number {match.group(0)[:3]}****{match.group(0)[-4:]}"


@rule("personal-data", "个人信息泄露")
def personal_data(site: Site) -> Iterator[Finding]:
    for doc, number, message in _source_hits(site, "personal-data", (), _personal_data):
        yield Finding("personal-data", "block", message, path=doc.source_path, line=number, url=f"/{doc.url}")
