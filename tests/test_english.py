"""English pages: English chrome or marked Chinese (WCAG 3.1.2), their own search, hreflang both ways."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import ARTIFACTS
from searchindex import read

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Attributes assistive technology reads out, in the language of their element.
SPOKEN = ("aria-label", "placeholder", "alt", "title")
PORTAL = "https://www.binhai.gov.cn"


class LangWalker(HTMLParser):
    """Every piece of text (text nodes and spoken attributes) with the language of its nearest lang ancestor."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, language in force)
        self.texts: list[tuple[str, str, str]] = []  # (language, where, text)
        self.alternates: list[tuple[str, str]] = []  # <link rel=alternate hreflang> (hreflang, href)

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        lang = values.get("lang", self._lang()).lower()
        if tag == "link" and values.get("rel") == "alternate" and "hreflang" in values:
            self.alternates.append((values["hreflang"], values["href"]))
        if tag not in ("meta", "link"):  # head metadata is for machines, not read out
            self.texts += [(lang, f"<{tag} {k}>", values[k]) for k in SPOKEN if values.get(k)]
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in ("script", "style"):
            return
        if data.strip():
            self.texts.append((self._lang(), f"<{self.stack[-1][0] if self.stack else ''}>", data.strip()))


def walk(html: str) -> LangWalker:
    walker = LangWalker()
    walker.feed(html)
    walker.close()
    return walker


def unmarked_chinese(html: str) -> list[tuple[str, str, str]]:
    """Chinese text whose nearest lang ancestor is not Chinese."""
    return [t for t in walk(html).texts if CJK.search(t[2]) and not t[0].startswith("zh")]


def pages(output: Path) -> dict[str, str]:
    """Every HTML page of a built site by its public URL (index.html left off)."""
    return {PORTAL + "/" + p.relative_to(output).as_posix().removesuffix("index.html"): p.read_text(encoding="utf-8")
            for p in sorted(output.rglob("*.html")) if "inspection" not in p.parts}


def english(output: Path) -> dict[str, str]:
    return {url: html for url, html in pages(output).items() if re.search(r'<html lang="en', html)}


def test_the_check_finds_unmarked_chinese():
    page = ('<html lang="en"><head><title>A - 滨海</title></head><body><p>Text <span lang="zh-CN">滨海</span></p>'
            '<a aria-label="搜索" href="/">x</a><br><p lang="zh-cn">主办单位<b>滨海</b></p><nav>首页</nav>'
            '<script>var s = "中文";</script></body></html>')
    assert [text for _, _, text in unmarked_chinese(page)] == ["A - 滨海", "搜索", "首页"]


@pytest.mark.parametrize("site", ["sample_build", "demo_build"])
def test_english_pages_mark_every_chinese_text(site, request):
    """The sample has no English names (everything Chinese is marked); the demo has them all."""
    built = request.getfixturevalue(site).output
    found = english(built)
    assert len(found) >= (3 if site == "demo_build" else 2), list(found)  # documents and the search page
    problems = {url: unmarked_chinese(html) for url, html in found.items()}
    assert {url: texts for url, texts in problems.items() if texts} == {}


def test_english_chrome_comes_from_site_yaml_and_the_theme_table(demo_build, sample_build):
    news = demo_build.html("en/gzdt/2026/invest-binhai-en/index.html")
    for text in ('<a class="gz-skip" href="#main">Skip to main content</a>',
                 '<span class="gz-header__name">Binhai Municipal People&#39;s Government</span>',
                 'action="/en/search/"', 'placeholder="Search"', ">Senior mode<",
                 '<a class="gz-nav__link" href="/zcwj/">Policies</a>',
                 '<li class="gz-crumbs__item"><a href="/gzdt/">News</a></li>',
                 "<span>Source: Binhai Municipal Development and Reform Commission</span>",
                 '<a href="https://www.gov.cn/">Chinese Government Portal</a>', "Email: zwgk@binhai.gov.cn",
                 '<dl class="gz-footer__identity" lang="zh-CN">', 'lang="zh-CN">我为政府网站找错</a>',
                 "<title>Binhai Launches One-Stop Online Service for Investors - Binhai Municipal People&#39;s "
                 "Government</title>", 'aria-label="QR code of this page’s address"'):
        assert text in news, text
    # Without English names the Chinese ones stay, marked; a title (no markup) leaves the site name out.
    about = sample_build.html("en/about/index.html")
    assert '<a class="gz-nav__link" href="/zcwj/"><span lang="zh-CN">政策文件</span></a>' in about
    assert "<title>About the Government</title>" in about
    # Chinese pages keep their Chinese chrome and search.
    home = demo_build.html("index.html")
    assert '<a class="gz-skip" href="#main">跳到正文</a>' in home and 'action="/search/"' in home
    assert ">政策文件</a>" in home and "Policies" not in home


@pytest.mark.parametrize("site", ["sample_build", "demo_build"])
def test_hreflang_pairs_link_both_ways(site, request):
    built = request.getfixturevalue(site).output
    found = pages(built)
    links = {url: walk(html).alternates for url, html in found.items()}
    translated = {url for url, html in found.items() if 'class="gz-doc__langs"' in html}
    assert translated and {url for url, alts in links.items() if alts} == translated  # none without a translation
    for url in translated:
        alts = dict(links[url])
        assert len(alts) == len(links[url]), (url, links[url])  # each language once
        own = re.search(r'<html lang="([^"]+)"', found[url])[1]
        assert {k.lower(): v for k, v in alts.items()}[own] == url, (url, alts)  # itself, in its language
        assert set(alts) <= {"zh-CN", "en", "x-default"} and "x-default" in alts, alts
        assert alts["x-default"] == alts["zh-CN"], alts  # the version in the site's language
        for href in alts.values():
            assert href.startswith(PORTAL + "/") and href in found, href  # absolute, and published
            assert sorted(links[href]) == sorted(links[url]), (url, href)  # the same set on every version


def test_english_pages_have_their_own_index_and_search_page(demo_build):
    out = demo_build.output
    english = {"/" + row[0]: row for row in read(out, "en").results}
    assert sorted(english) == ["/en/about/", "/en/gzdt/2026/invest-binhai-en/"]
    chinese_urls = ["/" + row[0] for row in read(out).results]
    assert chinese_urls and not [u for u in chinese_urls if u.startswith("/en/")]
    assert english["/en/gzdt/2026/invest-binhai-en/"][2] == "News"  # its column's English name
    page = demo_build.html("en/search/index.html")
    assert '<html lang="en" ' in page and 'action="/en/search/"' in page and 'data-busy="Searching…"' in page


def search(browser, url: str, screenshot: str = "") -> tuple[str, list[str]]:
    """Search as a visitor on a phone; the status line and the result links."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(url)
        page.wait_for_function("(s => s.textContent && s.textContent !== s.dataset.busy)"
                               "(document.getElementById('gz-search-status'))", timeout=15000)
        status = page.text_content("#gz-search-status")
        found = page.eval_on_selector_all("#gz-search-results a", "els => els.map(e => e.getAttribute('href'))")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
        if screenshot:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    finally:
        page.close()
    return status, found


def test_english_and_chinese_search_find_their_own_pages(browser, demo_url):
    status, found = search(browser, f"{demo_url}/en/search/?q=investors", "english-search-390.png")
    assert found == ["/en/gzdt/2026/invest-binhai-en/"] and status == "1 result for “investors”"
    status, found = search(browser, f"{demo_url}/en/search/?q=Binhai")
    assert sorted(found) == ["/en/about/", "/en/gzdt/2026/invest-binhai-en/"], found
    assert status == "2 results for “Binhai”"
    status, found = search(browser, f"{demo_url}/search/?q=政府信息公开")
    assert found and not [u for u in found if u.startswith("/en/")], found
    assert re.fullmatch(r"找到 \d+ 条与“政府信息公开”相关的结果(，第 1/\d+ 页)?", status), status
    status, found = search(browser, f"{demo_url}/search/?q=investors")
    assert found == [] and status == "没有找到与“investors”相关的内容，请换个关键词试试。"
    status, found = search(browser, f"{demo_url}/en/search/?q=政府")
    assert found == [] and status == "Nothing found for “政府”. Please try another word."


def test_english_pages_name_the_site_in_english_when_shared(demo_build):
    """og:site_name is what WeChat and Weibo show under a shared link; its content cannot carry a lang."""
    english = demo_build.html("en/about/index.html")
    assert '<meta property="og:site_name" content="Binhai Municipal People&#39;s Government">' in english
    assert '<meta property="og:site_name" content="滨海市人民政府">' in demo_build.html("about/index.html")


def test_english_pages_name_the_chinese_feeds_in_english(demo_build):
    """The feeds carry the Chinese pages: an English page's feed links say so in English."""
    english = demo_build.html("en/gzdt/2026/invest-binhai-en/index.html")
    feeds = re.findall(r'<link rel="alternate" type="application/rss\+xml" title="([^"]+)" href="([^"]+)">', english)
    assert feeds == [("Binhai Municipal People&#39;s Government (news feed, in Chinese)", "/feeds/all.xml"),
                     ("News (news feed, in Chinese)", "/feeds/gzdt.xml")]
    chinese = demo_build.html("gzdt/index.html")
    assert '<link rel="alternate" type="application/rss+xml" title="工作动态" href="/feeds/gzdt.xml">' in chinese
