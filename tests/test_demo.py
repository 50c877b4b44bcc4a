"""The demo portal (tests/demo/content, shipped as content/) builds cleanly and shows what editors were promised."""

from __future__ import annotations

import re

import pytest


def test_demo_has_the_promised_content(demo_build):
    out = demo_build.output
    policies = sorted(out.glob("zcwj/*/*/index.html"))
    assert len(policies) >= 12
    assert len(list(out.glob("zcjd/*/*/index.html"))) >= 6
    forms = {re.search(r'gz-badge--form">([^<]+)<', p.read_text(encoding="utf-8"))[1]
             for p in out.glob("zcjd/*/*/index.html")}
    assert forms == {"文字解读", "图解", "视频解读", "访谈"}
    states = {re.search(r'gz-badge gz-badge--(open|closed|upcoming)"', p.read_text(encoding="utf-8"))[1]
              for p in out.glob("yjzj/*/*/index.html")}
    assert states == {"open", "closed"}
    assert len(list(out.glob("hdhy/*/*/index.html"))) >= 3
    assert list(out.glob("sjkf/*/*/*.csv")) and list(out.glob("sjkf/*/*/*.json"))
    repealed = [p for p in policies if "gz-banner--repealed" in p.read_text(encoding="utf-8")]
    assert len(repealed) == 1
    assert (out / "en/about/index.html").is_file()


def test_demo_never_publishes_the_draft_or_embargoed_policy(demo_build):
    leaks = [str(p.relative_to(demo_build.output)) for p in demo_build.output.rglob("*")
             if p.is_file() and re.search("(DRAFT|EMBARGO)-CANARY|滨政发〔2026〕9[89]号|促进数字经济发展的若干措施",
                                          p.read_bytes().decode("utf-8", "replace"))]
    assert leaks == []


def test_demo_policy_and_interpretations_link_both_ways(demo_build):
    policy = demo_build.html("zcwj/2026/bzbf-2026-18/index.html")
    related = policy[policy.index('id="related"'):]
    assert sorted(re.findall(r'href="(/zcjd/[^"]+)"', related)) == [
        "/zcjd/2026/jd-bzbf-2026-18-wz/", "/zcjd/2026/jd-bzbf-2026-18/"]
    interp = demo_build.html("zcjd/2023/jd-parking/index.html")
    origin = interp[interp.index('id="origin"'):interp.index("</section>", interp.index('id="origin"'))]
    assert re.findall(r'href="([^"]+)"', origin) == ["/zcwj/2021/bzf-2021-21/", "/zcwj/2020/bzf-2020-5/"]
    assert '<span class="gz-badge gz-badge--repealed">已废止</span>' in origin


@pytest.mark.parametrize(("query", "url"), [("政府网站", "/zcwj/2026/bzbf-2026-18/"), ("政务新媒体", "/zcwj/2026/bzbf-2026-18/"),
                                          ("信息公开", "/zcwj/2025/bzfl-12/"), ("年度报告", "/zfxxgk/ndbg/2025/")])
def test_demo_search_finds_chinese_phrases(browser, demo_url, query, url):
    page = browser.new_page()
    try:
        page.goto(f"{demo_url}/search/?q={query}")
        page.wait_for_selector("#gz-search-results a", timeout=15000)
        page.wait_for_timeout(500)
        found = page.eval_on_selector_all("#gz-search-results a", "els => els.map(e => e.getAttribute('href'))")
    finally:
        page.close()
    assert url in found  # on the first page of results
    assert len(found) >= 2


def test_policy_page_weighs_under_30_kb_gzipped(demo_build):
    """Issue target: a policy page with its CSS and JS, excluding attachments, ≤ 30 KB gzipped."""
    import gzip

    out = demo_build.output
    files = [out / "zcwj/2026/bzbf-2026-18/index.html", out / "theme/css/gazette.css", out / "theme/js/gazette.js"]
    total = sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
    assert total <= 30 * 1024, total


def test_each_distribution_plugin_can_be_switched_off(sample_content, build_site):
    result = build_site(sample_content, PLUGINS=["content_model", "listings"])
    assert result.returncode == 0, result.stderr
    html = result.html("zcwj/2024/yl-2024-5/index.html")
    assert "gz-meta" in html and "gz-share" not in html and "gz-qr" not in html
    assert not (result.output / "feeds").exists() and not (result.output / "sitemap.xml").exists()
    assert not (result.output / "search-index").exists() and 'role="search"' not in html


def test_demo_is_a_cluster_with_both_kinds_of_repost(tmp_path):
    """The demo as `make html` builds it: the portal, two department sites and a district, side by side."""
    from tests.conftest import DEMO
    from tests.test_cluster import page, run_cluster

    out = tmp_path / "out"
    proc = run_cluster("html", DEMO, out, GAZETTE_BUILD_TIME="2026-11-22 12:00")
    assert proc.returncode == 0, proc.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("滨海市人民政府", "滨海市教育局", "滨海市发展和改革委员会", "滨海市海新区人民政府"):
        assert name in index
    copy = page(out, "jyj", "sjwj/2026/bzbf-2026-18")  # the education bureau copies the city's policies
    assert "本页转载自" in copy and '<link rel="canonical" href="https://www.binhai.gov.cn/zcwj/2026/bzbf-2026-18/">' in copy
    assert 'href="/www/zcwj/2026/bzbf-2026-18/"' in page(out, "hxq", "sjwj")  # the district links to them
    notices = page(out, "www", "tzgg")  # the portal lists its departments' notices, linking to them
    assert 'href="/jyj/tzgg/2026/jyj-20261115/"' in notices and 'href="/fgw/tzgg/2026/fgw-20261118/"' in notices
    assert "本页转载自" in page(out, "www", "gzdt/2026/jyj-20261120")  # a department's news copied to the portal
    # A file only the portal's documents link to (an interpretation's 图解) is the portal's alone.
    assert list((out / "www").rglob("jd-bzbf-2026-18.svg")) and not list((out / "jyj").rglob("jd-bzbf-2026-18.svg"))
