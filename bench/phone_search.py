"""Search as a citizen's phone sees it: time, bytes and correctness of each query in real Chromium.

    python bench/phone_search.py OUTPUT [--query Q …] [--cpu 4]

Serves OUTPUT on loopback and opens /search/?q=… in a fresh browser context (empty cache)
with the network throttled to 150 ms round trip and 1.6 Mbit/s down (a slow 3G phone),
optionally with the CPU slowed too. For each query it reports the time from navigation
to the results on screen, the bytes and requests it took (the page, its CSS and script
included), and compares what the search found with the truth: the pages whose text
(inside `data-search-body`) contains every space-separated term of the query. The truth is
computed here with the standard library's HTML parser, not with the index's code.

tests/test_search.py runs the same comparison on a fixture site; `make bench` runs it on the
10,000-document corpus.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RTT_MS = 150
DOWN_BYTES_PER_S = 1_600_000 // 8
UP_BYTES_PER_S = 750_000 // 8
BLOCKS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "td", "th", "tr", "table", "caption", "thead", "tbody",
          "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "section", "header", "footer", "nav", "aside", "figure",
          "figcaption", "blockquote", "pre", "details", "summary", "article"}
# Characters a document number is written with in several ways: 〔2026〕, [2026], (2026).
HREFS = "els => els.map(e => e.getAttribute('href'))"
JOINERS = str.maketrans("", "", "〔〕[]【】()-/")

# Queries for a corpus made by bench.py (its WORDS): words, phrases across words, long
# phrases, several terms, single characters, table text, words no page has; queries() adds
# a policy's 发文字号 written three ways and its 索引号, to make thirty.
WORD_QUERIES = [
    "政府", "信息公开", "政府信息公开工作", "营商环境", "市长", "数字治理", "智慧交通", "养老服务",
    "医疗保障机制", "公开", "政", "规范 监督", "教育 住房 交通", "关于加强", "的通知", "创新发展改革",
    "社区 街道 责任", "完成时限", "2026年3月", "责任单位", "平台数据安全", "环境营商", "审批办理事项标准流程",
    "政务公开", "综合政务", "群众满意",
]


def identifiers(output: Path) -> tuple[str, str]:
    """The 发文字号 and 索引号 of the last policy page (in path order) that shows both."""
    found = ("", "")
    for path in sorted(output.glob("zcwj/*/*/index.html")):
        html = path.read_text(encoding="utf-8")
        number = re.search(r"发文字号</th>\s*<td>([^<]+)</td>", html)
        index_no = re.search(r"索引号</th>\s*<td>(.*?)</td>", html)
        if number and index_no:
            found = (number.group(1), re.sub(r"<[^>]+>", "", index_no.group(1)))
    return found


def queries(output: Path) -> list[str]:
    """The thirty queries for a bench.py corpus built into output."""
    number, index_no = identifiers(output)
    return WORD_QUERIES + [number, number.replace("〔", "[").replace("〕", "]"),
                           number.replace("〔", "(").replace("〕", ")"), index_no]


class _Text(HTMLParser):
    """The text inside the element marked data-search-body, a line break at each block's edge."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.tag = ""
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.depth and any(name == "data-search-body" for name, _ in attrs):
            self.depth, self.tag = 1, tag
            return
        if self.depth:
            if tag == self.tag:
                self.depth += 1
            if tag in ("script", "style", "svg"):
                self.skip += 1
            if tag in BLOCKS:
                self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            if tag in ("script", "style", "svg"):
                self.skip -= 1
            if tag in BLOCKS:
                self.parts.append("\n")
            if tag == self.tag:
                self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def comparable(text: str) -> str:
    """Case and width folded, document-number brackets dropped; lines stay apart."""
    return unicodedata.normalize("NFKC", text).lower().translate(JOINERS)


def texts(output: Path, under: str = "") -> dict[str, str]:
    """URL path -> comparable text of every page with a data-search-body element."""
    found = {}
    for path in sorted(output.rglob("index.html")):
        rel = path.relative_to(output).as_posix()
        if under and not rel.startswith(under):
            continue
        text = page_text(path.read_text(encoding="utf-8"))
        if text.strip():
            found["/" + rel.removesuffix("index.html")] = comparable(text)
    return found


def truth(pages: dict[str, str], query: str) -> set[str]:
    """The pages that contain every term of the query, each as written (punctuation splits terms)."""
    terms = [t for t in "".join(c if c.isalnum() else " " for c in comparable(query)).split() if t]
    return {url for url, text in pages.items() if terms and all(t in text for t in terms)}


@dataclass
class Measured:
    query: str
    seconds: float
    bytes: int
    requests: int
    status: str
    count: int
    first_page: list[str] = field(default_factory=list)
    every: list[str] | None = None  # all results, where few enough were paged through


def _wait_for_results(page: Any) -> None:
    page.wait_for_function("(s => s && s.dataset.done === '1')(document.getElementById('gz-search-status'))",
                           timeout=60000)


def search(browser: Any, url: str, query: str, *, throttle: bool = True, cpu: float = 1, page_through: int = 0,
           search_page: str = "search/") -> Measured:
    """Open the search page for query in a fresh context; time, bytes and results."""
    from urllib.parse import quote

    # bypass_csp: Playwright's waits evaluate strings, which the shipped policy (script-src 'self') refuses.
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True, bypass_csp=True)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        counted = {"bytes": 0, "requests": 0}

        def finished(event: dict[str, Any]) -> None:
            counted["bytes"] += int(event.get("encodedDataLength", 0))
            counted["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        if throttle:
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": RTT_MS,
                                                          "downloadThroughput": DOWN_BYTES_PER_S,
                                                          "uploadThroughput": UP_BYTES_PER_S})
        if cpu > 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
        page.goto(f"{url}/{search_page}?q={quote(query)}", wait_until="commit")
        _wait_for_results(page)
        seconds = page.evaluate("performance.now()") / 1000
        status = page.text_content("#gz-search-status") or ""
        first = page.eval_on_selector_all("#gz-search-results a", HREFS)
        count = int(page.get_attribute("#gz-search-status", "data-count") or 0)
        measured = Measured(query, seconds, counted["bytes"], counted["requests"], status, count, first)
        if page_through and count <= page_through:
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                          "uploadThroughput": -1})
            every = list(first)
            number = 1
            while page.query_selector("#gz-search-pager a[rel=next]"):
                number += 1
                page.goto(f"{url}/{search_page}?q={quote(query)}&page={number}")
                _wait_for_results(page)
                every += page.eval_on_selector_all("#gz-search-results a", HREFS)
            measured.every = every
        return measured
    finally:
        context.close()


def score(found: Measured, expected: set[str]) -> tuple[float, float]:
    """Precision and recall of what was found: over every result where they were paged through, else
    over the first page and the count."""
    if found.every is not None:
        got = set(found.every)
        if len(got) != len(found.every):
            return 0.0, 0.0  # a result shown twice
        hit = len(got & expected)
        return (hit / len(got) if got else float(not expected)), (hit / len(expected) if expected else float(not got))
    hit = len(set(found.first_page) & expected)
    precision = hit / len(found.first_page) if found.first_page else float(not expected)
    recall = min(found.count, len(expected)) / len(expected) if expected else float(not found.count)
    return precision, recall * (1.0 if found.count <= len(expected) else len(expected) / found.count)


def report(rows: list[tuple[Measured, tuple[float, float]]]) -> str:
    lines = [f"{'query':<34} {'s':>6} {'KB':>7} {'req':>4} {'found':>6}  P     R"]
    for m, (p, r) in rows:
        lines.append(f"{m.query:<34} {m.seconds:6.2f} {m.bytes / 1024:7.1f} {m.requests:4d} {m.count:6d}  "
                     f"{p:.2f}  {r:.2f}")
    secs = [m.seconds for m, _ in rows]
    kbs = [m.bytes / 1024 for m, _ in rows]
    lines.append(f"median {statistics.median(secs):.2f} s, {statistics.median(kbs):.1f} KB; "
                 f"worst {max(secs):.2f} s, {max(kbs):.1f} KB; "
                 f"precision min {min(p for _, (p, _r) in rows):.2f}, recall min {min(r for _, (_p, r) in rows):.2f}")
    return "\n".join(lines)


def run(output: Path, asked: list[str], *, cpu: float = 1, page_through: int = 200, throttle: bool = True,
        search_page: str = "search/", url: str = "") -> list[tuple[Measured, tuple[float, float]]]:
    """Search output's site for each query: served here by Python's http.server (uncompressed), or at
    `url` by whatever serves output there (e.g. nginx with docs/deploy/gazette-site.conf, gzip on)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import CHROMIUM_FLAGS, chromium_path, serve
    from playwright.sync_api import sync_playwright

    pages = texts(output)
    rows = []
    with (contextlib.nullcontext(url) if url else serve(output)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            for q in asked:
                found = search(browser, base, q, throttle=throttle, cpu=cpu, page_through=page_through,
                               search_page=search_page)
                rows.append((found, score(found, truth(pages, q))))
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--cpu", type=float, default=1, help="CPU slowdown, e.g. 4 as Lighthouse's mobile")
    parser.add_argument("--query", action="append", help="instead of the bench queries")
    parser.add_argument("--url", default="", help="search the site served there (OUTPUT still gives the truth)")
    args = parser.parse_args(argv)
    print(report(run(args.output, args.query or queries(args.output), cpu=args.cpu, url=args.url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
