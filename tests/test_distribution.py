"""Feeds, share links, QR codes, SEO files, minification and Chinese search on real builds."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import feedparser
import pytest

PORTAL = "https://www.binhai.gov.cn"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_feeds_parse_with_expected_entries(sample_build):
    out = sample_build.output
    feed = feedparser.parse((out / "feeds/zcwj.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [e.link for e in feed.entries] == [f"{PORTAL}/zcwj/2024/yl-2024-5/", f"{PORTAL}/zcwj/2019/yl-2019-2/"]
    first = feed.entries[0]
    assert first.title == "样例市人民政府关于加强政府网站建设的意见"
    assert first.id == f"{PORTAL}/zcwj/2024/yl-2024-5/"
    assert first.tags[0].term == "政策文件"
    assert "<h2>一、总体要求</h2>" in first.content[0].value
    assert first.enclosures[0].href == f"{PORTAL}/zcwj/2024/yl-2024-5/yl-2024-5-fj1.csv"
    assert feed.feed.language == "zh-CN"
    atom = feedparser.parse((out / "feeds/all.atom.xml").read_bytes())
    assert not atom.bozo, atom.bozo_exception
    assert atom.feed.updated == "2024-05-10T10:00:00+08:00"  # the newest entry, not the build time
    assert atom.entries[0].author == "样例市人民政府办公室"
    assert len(atom.entries) == 9


def test_feeds_are_not_duplicated_and_listed_for_citizens(sample_build):
    names = sorted(p.name for p in (sample_build.output / "feeds").glob("*.xml"))
    # type feeds equal to a column feed (one column per type here) are written once, as the column
    assert names == sorted(f"{n}{ext}" for n in ("all", "zcwj", "zcjd", "gzdt", "yjzj", "hdhy", "sjkf",
                                                 "dept-bgs", "type-page") for ext in (".xml", ".atom.xml")
                           if n != "type-page")
    page = sample_build.html("feeds/index.html")
    assert 'href="/feeds/zcwj.xml">RSS' in page and 'href="/feeds/zcwj.atom.xml">Atom' in page
    policy = sample_build.html("zcwj/2024/yl-2024-5/index.html")
    assert '<link rel="alternate" type="application/rss+xml" title="政策文件" href="/feeds/zcwj.xml">' in policy


def test_share_links_carry_url_and_title(sample_build):
    html = sample_build.html("zcwj/2024/yl-2024-5/index.html")
    weibo = re.search(r'href="(https://service\.weibo\.com/share/share\.php\?[^"]+)"', html)[1]
    query = parse_qs(urlparse(weibo.replace("&amp;", "&")).query)
    assert query == {"url": [f"{PORTAL}/zcwj/2024/yl-2024-5/"], "title": ["样例市人民政府关于加强政府网站建设的意见"],
                     "pic": [f"{PORTAL}/theme/img/share.png"]}
    assert "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url=https%3A%2F%2Fwww.binhai.gov.cn" in html
    assert "用微信扫一扫分享" in html
    assert re.search(r'<button type="button" class="gz-share__link gz-share__native"[^>]+hidden>', html)
    english = sample_build.html("en/about/index.html")
    assert "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fwww.binhai.gov.cn%2Fen%2Fabout%2F" in english
    assert "service.weibo.com" not in english
    assert "<script src=" not in html.replace('<script src="/theme/js/gazette.js" defer></script>', "")


class _Text(HTMLParser):
    """Visible text of a page, for comparing minified and plain builds."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def published(tmp_path_factory, sample_build):
    from conftest import build

    base = tmp_path_factory.mktemp("publish")
    result = build(sample_build.content, base / "output", conf="publishconf")
    assert result.returncode == 0, result.stderr
    return result


def test_minified_pages_are_smaller_and_read_the_same(published, sample_build):
    assert re.search(r"minify: \d+ theme files, [\d,]+ -> [\d,]+ bytes \(saved [\d,]+", published.stdout)
    for page in ("index.html", "zcwj/2024/yl-2024-5/index.html", "hdhy/2024/hf-1/index.html"):
        small, plain = published.html(page), sample_build.html(page)
        assert len(small.encode()) < len(plain.encode())
        assert visible_text(small) == visible_text(plain.replace('href="/', f'href="{PORTAL}/'))
    css = published.output / "theme/css/gazette.css"
    assert css.stat().st_size < (sample_build.output / "theme/css/gazette.css").stat().st_size


def test_sitemap_and_robots(sample_build):
    root = ET.fromstring((sample_build.output / "sitemap.xml").read_bytes())
    urls = {u.find(f"{SITEMAP_NS}loc").text: u.find(f"{SITEMAP_NS}lastmod") for u in root}
    assert urls[f"{PORTAL}/zcwj/2024/yl-2024-5/"].text == "2024-03-15"
    assert urls[f"{PORTAL}/zcwj/"].text == "2024-03-15"
    assert f"{PORTAL}/en/about/" in urls
    assert not any("CANARY" in u or "draft" in u or "embargo" in u for u in urls)
    assert f"{PORTAL}/hdhy/tjsj/" in urls and f"{PORTAL}/zfxxgk/year/2024/" in urls
    assert len(urls) == len(list(sample_build.output.rglob("*.html"))) - 1  # every page but 404.html
    robots = (sample_build.output / "robots.txt").read_text()
    assert robots.splitlines()[-1] == f"Sitemap: {PORTAL}/sitemap.xml"


def test_sitemap_becomes_an_index_past_the_limit(sample_content, build_site):
    result = build_site(sample_content, SEO_SITEMAP_MAX_URLS=5)
    assert result.returncode == 0, result.stderr
    index = ET.fromstring((result.output / "sitemap.xml").read_bytes())
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    pages = len(list(result.output.rglob("*.html"))) - 1  # every page but 404.html
    parts = [s.find(f"{SITEMAP_NS}loc").text for s in index]
    assert parts == [f"{PORTAL}/sitemap-{n}.xml" for n in range(1, -(-pages // 5) + 1)]
    assert sum(len(ET.fromstring((result.output / f"sitemap-{n}.xml").read_bytes())) for n in range(1, len(parts) + 1)) == pages


def json_ld(html: str) -> list[dict]:
    return [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)]


def test_json_ld_and_government_meta_tags(sample_build):
    html = sample_build.html("zcwj/2019/yl-2019-2/index.html")
    legislation, trail = json_ld(html)
    assert legislation["@type"] == "Legislation"
    assert legislation["legislationIdentifier"] == "样政发〔2019〕2号"
    assert legislation["legislationLegalForce"] == "NotInForce"
    assert legislation["legislationDate"] == "2019-01-28"
    assert [i["name"] for i in trail["itemListElement"]] == ["首页", "政策文件", "样例市旧办法"]
    for name, value in (("SiteName", "样例市人民政府"), ("SiteDomain", "www.binhai.gov.cn"),
                        ("SiteIDCode", "9999000001"), ("ColumnName", "政策文件"),
                        ("ArticleTitle", "样例市旧办法"), ("PubDate", "2019-02-01 00:00"),
                        ("ContentSource", "样例市人民政府")):
        assert f'<meta name="{name}" content="{value}">' in html
    assert f'<link rel="canonical" href="{PORTAL}/zcwj/2019/yl-2019-2/">' in html
    website, office = json_ld(sample_build.html("index.html"))[0]["@graph"]
    assert website["@type"] == "WebSite" and website["identifier"] == "9999000001"
    assert office["@type"] == "GovernmentOrganization" and office["name"] == "样例市人民政府办公室"
    about = sample_build.html("about/index.html")
    assert f'<link rel="alternate" hreflang="en" href="{PORTAL}/en/about/">' in about


def test_meta_description_is_cut_by_display_width(sample_content, build_site):
    (sample_content / "news" / "long.md").write_text(
        "---\ntitle: 长文\ndate: 2024-05-01\n---\n" + "政务公开" * 100 + "\n", encoding="utf-8")
    result = build_site(sample_content)
    html = result.html("gzdt/2024/long/index.html")
    description = re.search(r'<meta name="description" content="([^"]+)">', html)[1]
    assert description == "政务公开" * 20 + "…"  # 80 CJK characters = 160 display columns


def test_qr_code_decodes_to_the_page_url(browser, sample_build):
    from browser import ARTIFACTS, serve

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "qr-policy-390.png"
    with serve(sample_build.output) as url:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(url + "/zcwj/2024/yl-2024-5/")
        page.locator("figure.gz-qr").last.screenshot(path=str(shot))
        page.close()
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(shot)], capture_output=True, text=True)
    assert decoded.stdout.strip() == f"{PORTAL}/zcwj/2024/yl-2024-5/"


def test_qr_codes_are_cached_between_builds(sample_content, build_site, tmp_path):
    cache = tmp_path / "cache"
    first = build_site(sample_content, CACHE_PATH=str(cache))
    assert first.returncode == 0, first.stderr
    files = sorted(p for p in Path(cache, "page_qr").glob("*/*/*") if p.is_file())
    assert files
    stamps = {f: f.stat().st_mtime_ns for f in files}
    again = build_site(sample_content, CACHE_PATH=str(cache))
    assert again.returncode == 0, again.stderr
    assert {f: f.stat().st_mtime_ns for f in files} == stamps


@pytest.mark.parametrize(("query", "expected"), [
    # the policy, the interpretations that name it under 原文件, and the yearly reports (their titles and
    # text name the 政府网站 and 政府信息公开)
    ("政府网站", ["/zcwj/2024/yl-2024-5/", "/zcjd/2024/jd-2024-5/", "/zcjd/2024/jd-both/", "/zfxxgk/ndbg/2023/",
              "/zfxxgk/wzbb/2023/"]),
    ("信息公开", ["/zcwj/2024/yl-2024-5/", "/zfxxgk/ndbg/2023/", "/zfxxgk/wzbb/2023/"]),
    ("停车", ["/hdhy/2024/hf-1/"]),
])
def test_chinese_search_finds_pages(browser, sample_build, query, expected):
    from browser import serve

    with serve(sample_build.output) as url:
        page = browser.new_page()
        page.goto(f"{url}/search/?q={query}")
        page.wait_for_function("document.getElementById('gz-search-status').dataset.done === '1'", timeout=15000)
        found = page.eval_on_selector_all("#gz-search-results a", "els => els.map(e => e.getAttribute('href'))")
        page.close()
    assert sorted(found) == sorted(expected)


def test_search_never_indexes_held_back_items(sample_build):
    from searchindex import read, texts

    for language in ("zh-cn", "en"):
        index = read(sample_build.output, language)
        shown = " ".join(" ".join(row) for row in index.results) + " ".join(texts(index).values())
        assert "canary" not in shown.lower() and "草稿" not in shown, language
    assert "样例市旧办法" in " ".join(texts(read(sample_build.output)).values())  # a repealed one is kept


def test_output_fits_a_strict_content_security_policy(sample_build):
    """No inline scripts (JSON-LD data blocks aside), handlers, javascript: URLs or inline styles."""
    offences = []
    for page in sorted(sample_build.output.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        rel = str(page.relative_to(sample_build.output))
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" not in tag and 'type="application/ld+json"' not in tag:
                offences.append((rel, tag))
        offences += [(rel, m) for m in re.findall(r"\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style\b", html)]
    assert offences == []
    headers = (Path(__file__).resolve().parent.parent / "docs/deploy/_headers").read_text(encoding="utf-8")
    # Nothing the search runs needs WebAssembly or eval: the policy allows neither.
    assert "script-src 'self';" in headers and "style-src 'self';" in headers and "unsafe" not in headers


def test_descriptions_of_long_bodies_read_only_what_they_need():
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "plugins"))
    from seo.seo import describe

    # The head of a long body fills the description…
    body = "<p>" + "政府信息公开" * 20 + "</p>" + "<p>后文</p>" * 2000
    assert describe(body, 20) == "政府信息公开政府信息…"
    # …but a head of markup alone does not: the text after it is used, not a cut tag.
    body = '<div class="x">' * 700 + "<p>真正的正文&amp;说明。</p>" + "<p>后文</p>" * 500
    assert describe(body, 20) == "真正的正文&说明。 后…"
