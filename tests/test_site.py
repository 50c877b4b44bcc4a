"""The sample site builds into the pages, URLs and links editors and citizens expect."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class Table(HTMLParser):
    """Collect the th -> td pairs of the disclosure metadata table."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._tag: str | None = None
        self._in_meta = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "gz-meta") in attrs:
            self._in_meta = True
        if self._in_meta and tag in ("th", "td"):
            self._tag = tag
            self.cells.append((tag, ""))

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_meta = False
        if tag in ("th", "td"):
            self._tag = None

    def handle_data(self, data):
        if self._tag:
            kind, text = self.cells[-1]
            self.cells[-1] = (kind, text + data)

    def rows(self) -> dict[str, str]:
        pairs = {}
        for (k1, label), (k2, value) in zip(self.cells, self.cells[1:], strict=False):
            if k1 == "th" and k2 == "td":
                pairs[label.strip()] = " ".join(value.split())
        return pairs


def meta_table(html: str) -> dict[str, str]:
    parser = Table()
    parser.feed(html)
    return parser.rows()


def main_text(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_urls_come_from_column_year_and_file_name(sample_build):
    out = sample_build.output
    pages = sorted(str(p.relative_to(out)) for p in out.rglob("index.html")
                   if not str(p.relative_to(out)).startswith(("zfxxgk/", "feeds/", "search/")))
    assert pages == [
        "about/index.html",
        "en/about/index.html",
        "en/search/index.html",  # the English pages' own search (site_search)
        "gzdt/2024/gzdt-1/index.html",
        "gzdt/index.html",
        "hdhy/2024/hf-1/index.html",
        "hdhy/index.html",
        "hdhy/tjsj/index.html",
        "index.html",
        "sjkf/2024/population/index.html",
        "sjkf/index.html",
        "sjkf/ml/index.html",  # the open data catalogue (open_data)
        "yjzj/2024/closed-one/index.html",
        "yjzj/2024/open-one/index.html",
        "yjzj/index.html",
        "zcjd/2024/jd-2024-5/index.html",
        "zcjd/2024/jd-both/index.html",
        "zcjd/index.html",
        "zcwj/2019/yl-2019-2/index.html",
        "zcwj/2024/yl-2024-5/index.html",
        "zcwj/index.html",
    ]
    assert (out / "404.html").is_file()


def test_policy_page_shows_the_disclosure_table(sample_build):
    html = sample_build.html("zcwj/2024/yl-2024-5/index.html")
    assert meta_table(html) == {
        "索引号": "00000000MB0000000X/2024-00001",
        "主题分类": "综合政务\\政务公开",
        "发文机关": "样例市人民政府",
        "成文日期": "2024-03-11",
        "发文字号": "样政发〔2024〕5号",
        "发布日期": "2024-03-15",
        "有效性": "有效",
        "体裁分类": "意见",
        "主题词": "政府网站、信息公开",
        "服务对象": "—",
    }
    assert "<title>样例市人民政府关于加强政府网站建设的意见 - 样例市人民政府</title>" in html


def test_chinese_labels_work_as_field_names_and_generate_index_numbers(sample_build):
    html = sample_build.html("zcwj/2019/yl-2019-2/index.html")
    table = meta_table(html)
    assert table["发文字号"] == "样政发〔2019〕2号"
    assert table["成文日期"] == "2019-01-28"
    assert table["发布日期"] == "2019-02-01"
    assert table["索引号"] == "00000000MB0000000X/2019-00001"
    assert table["有效性"] == "已废止（2024-03-15）"


def test_repealed_policy_is_marked_wherever_listed(sample_build):
    page = sample_build.html("zcwj/2019/yl-2019-2/index.html")
    assert 'class="gz-banner gz-banner--repealed"' in page
    assert "本文件已废止（2024-03-15）" in page
    column = sample_build.html("zcwj/index.html")
    item = re.search(r'<li class="gz-list__item">\s*<a[^>]*href="/zcwj/2019/yl-2019-2/"[^<]*</a>\s*'
                     r'<span class="gz-badge gz-badge--repealed">已废止</span>', column)
    assert item, column
    interp = sample_build.html("zcjd/2024/jd-both/index.html")
    assert '<span class="gz-badge gz-badge--repealed">已废止</span>' in interp
    current = sample_build.html("zcwj/2024/yl-2024-5/index.html")
    assert "gz-banner" not in current


def test_policy_and_interpretations_link_both_ways(sample_build):
    policy = main_text(sample_build.html("zcwj/2024/yl-2024-5/index.html"))
    related = policy[policy.index('id="related"'):]
    assert re.findall(r'href="(/zcjd/[^"]+)"', related) == ["/zcjd/2024/jd-2024-5/", "/zcjd/2024/jd-both/"]
    graphic = main_text(sample_build.html("zcjd/2024/jd-2024-5/index.html"))
    origin = graphic[graphic.index('id="origin"'):graphic.index("</section>", graphic.index('id="origin"'))]
    assert re.findall(r'href="([^"]+)"', origin) == ["/zcwj/2024/yl-2024-5/"]
    assert '<span class="gz-badge gz-badge--form">图解</span>' in graphic
    both = main_text(sample_build.html("zcjd/2024/jd-both/index.html"))
    origin = both[both.index('id="origin"'):both.index("</section>", both.index('id="origin"'))]
    # one interpretation may interpret several policies, by doc_no or by slug
    assert re.findall(r'href="([^"]+)"', origin) == ["/zcwj/2024/yl-2024-5/", "/zcwj/2019/yl-2019-2/"]
    old = main_text(sample_build.html("zcwj/2019/yl-2019-2/index.html"))
    assert re.findall(r'href="(/zcjd/[^"]+)"', old) == ["/zcjd/2024/jd-both/"]


def test_attachments_and_images_are_published_beside_their_page(sample_build):
    out = sample_build.output
    html = sample_build.html("zcwj/2024/yl-2024-5/index.html")
    assert 'href="/zcwj/2024/yl-2024-5/yl-2024-5-fj1.csv" download>附件1：任务分工表</a>' in html
    csv = out / "zcwj/2024/yl-2024-5/yl-2024-5-fj1.csv"
    assert csv.read_bytes() == (sample_build.content / "policy/yl-2024-5-fj1.csv").read_bytes()
    assert f"CSV，{csv.stat().st_size} B" in html
    assert 'src="/zcjd/2024/jd-2024-5/chart.svg"' in sample_build.html("zcjd/2024/jd-2024-5/index.html")
    assert (out / "zcjd/2024/jd-2024-5/chart.svg").is_file()
    dataset = sample_build.html("sjkf/2024/population/index.html")
    assert 'href="/sjkf/2024/population/population.csv"' in dataset
    assert not (out / "policy").exists() and not (out / "dataset").exists()


def test_drafts_review_and_embargoed_items_appear_nowhere(sample_build):
    leaked = [str(p.relative_to(sample_build.output)) for p in sample_build.output.rglob("*")
              if p.is_file() and re.search("(DRAFT|REVIEW|EMBARGO)-CANARY|样政发〔2024〕(9|10|11)号",
                                           p.read_bytes().decode("utf-8", "replace"))]
    assert leaked == []
    assert not list(sample_build.output.rglob("*.md"))


def test_embargo_lifts_once_its_time_has_come(sample_content, build_site):
    result = build_site(sample_content, GAZETTE_BUILD_TIME="2030-01-01 09:00")
    assert result.returncode == 0, result.stderr
    assert "EMBARGO-CANARY body" in result.html("zcwj/2024/embargoed/index.html")
    assert not (result.output / "zcwj/2024/draft-policy").exists()


def test_consultation_state_follows_the_build_date(sample_build):
    open_page = sample_build.html("yjzj/2024/open-one/index.html")
    assert '<span class="gz-badge gz-badge--open">征集中</span>' in open_page
    assert 'href="mailto:yjzj@example.gov.cn"' in open_page
    closed = sample_build.html("yjzj/2024/closed-one/index.html")
    assert '<span class="gz-badge gz-badge--closed">已结束</span>' in closed
    assert "共收到意见12条，采纳5条。" in closed
    home = sample_build.html("index.html")
    consult = home[home.index('id="consult"'):]
    assert "/yjzj/2024/open-one/" in consult and "/yjzj/2024/closed-one/" not in consult


def test_reply_shows_question_answer_and_anonymised_asker(sample_build):
    html = sample_build.html("hdhy/2024/hf-1/index.html")
    assert "<dt>来信人</dt><dd>王**</dd>" in html
    assert "王小明" not in html
    assert "小区停车位不足，\n请问有何解决办法？" in html
    assert "<dt>来信日期</dt><dd>2024-05-06</dd>" in html
    assert "<dt>答复日期</dt><dd>2024-05-10</dd>" in html


def test_english_translation_has_its_own_url_and_lang(sample_build):
    html = sample_build.html("en/about/index.html")
    assert '<html lang="en" ' in html
    assert "<h1 class=\"gz-doc__title\">About the Government</h1>" in html
    assert '<html lang="zh-cn" ' in sample_build.html("about/index.html")


def test_catalogue_groups_policies_by_subject_issuer_year_and_validity(sample_build):
    html = sample_build.html("zfxxgk/index.html")
    facets = re.findall(r'<h2 class="gz-block__title" id="facet-(\w+)">([^<]+)</h2>', html)
    assert facets == [("topic", "按主题分类"), ("issuer", "按发文机关"), ("year", "按成文年份"),
                      ("validity", "按有效性")]
    assert '<a href="/zfxxgk/year/2019/">2019<span class="gz-facets__count">（1）</span></a>' in html
    repealed = sample_build.html("zfxxgk/validity/repealed/index.html")
    assert re.findall(r'<td><a href="([^"]+)">', repealed) == ["/zcwj/2019/yl-2019-2/"]
    topic = re.search(r'<a href="(/zfxxgk/topic/[0-9a-f]{8}/)">综合政务\\政务公开', html)
    assert topic, html
    listed = sample_build.html(topic[1].lstrip("/") + "index.html")
    assert "样政发〔2024〕5号" in listed and "样政发〔2019〕2号" not in listed


def test_every_page_carries_the_footer_identity(sample_build):
    for page in sample_build.output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for needle in ("<dt>主办单位</dt><dd>样例市人民政府办公室</dd>", "<dt>网站标识码</dt><dd>9999000001</dd>",
                       "<dt>ICP备案号</dt>", "<dt>公安备案号</dt>", "我为政府网站找错"):
            assert needle in html, (page, needle)


def test_column_pages_list_newest_first_and_paginate(sample_content, build_site):
    for n in range(1, 24):
        (sample_content / "news" / f"n{n:02d}.md").write_text(
            f"---\ntitle: 新闻{n:02d}\ndate: 2024-04-{n:02d} 08:00\n---\n正文\n", encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    first = result.html("gzdt/index.html")
    titles = re.findall(r'class="gz-list__link" href="[^"]+">([^<]+)</a>', first)
    assert titles[:3] == ["样例市召开政务公开工作会议", "新闻23", "新闻22"]
    assert len(titles) == 20
    assert 'href="/gzdt/page/1/" rel="next"' in first  # 24 items: the 4 oldest are archive page 1
    older = result.html("gzdt/page/1/index.html")
    assert re.findall(r'class="gz-list__link" href="[^"]+">([^<]+)</a>', older) == [
        "新闻04", "新闻03", "新闻02", "新闻01"]
    assert 'href="/gzdt/" rel="prev"' in older and "2024-04-01 至 2024-04-04，4 条" in older


def test_archive_pages_keep_their_items_when_a_document_is_added(sample_content, build_site):
    """Archive pages are numbered from the oldest: a new document changes the front page and the newest one only."""
    def add(n: int) -> None:
        (sample_content / "news" / f"n{n:02d}.md").write_text(
            f"---\ntitle: 新闻{n:02d}\ndate: 2024-05-01 {n // 4 + 8:02d}:{n % 4 * 15:02d}\n---\n正文\n", encoding="utf-8")

    for n in range(1, 25):  # with the sample's own news item: 25, so 20 on the front page and 5 in page 1
        add(n)
    before = build_site(sample_content)
    add(25)
    after = build_site(sample_content)
    assert before.returncode == after.returncode == 0, after.stderr
    pages = sorted(p.relative_to(after.output).as_posix() for p in after.output.glob("gzdt/page/*/index.html"))
    assert pages == ["gzdt/page/1/index.html"]
    assert after.html("gzdt/page/1/index.html").count('class="gz-list__link"') == 6
    for n in range(1, 16):  # 41 items: archive page 1 is full and stays so; page 2 takes the rest
        add(25 + n)
    full = build_site(sample_content)
    add(41)
    more = build_site(sample_content)
    assert full.html("gzdt/page/1/index.html") == more.html("gzdt/page/1/index.html")
    assert full.html("gzdt/page/1/index.html").count('class="gz-list__link"') == 20
    assert "新闻41" in more.html("gzdt/index.html") and "新闻21" in more.html("gzdt/page/2/index.html")


def test_make_html_builds_another_content_tree(tmp_path: Path):
    import shutil
    import subprocess

    from conftest import ROOT, SAMPLE

    content = tmp_path / "elsewhere"
    shutil.copytree(SAMPLE, content)
    out = tmp_path / "out"
    proc = subprocess.run(["make", "-s", "html", f"INPUTDIR={content}", f"OUTPUTDIR={out}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "样政发〔2024〕5号" in (out / "zcwj/2024/yl-2024-5/index.html").read_text(encoding="utf-8")


def test_emergency_alert_appears_on_every_page_while_set(sample_content, build_site):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "site:\n", "site:\n  alert: 台风橙色预警：全市中小学停课一天\n  alert_url: /gzdt/2024/gzdt-1/\n", 1),
        encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "zcwj/index.html", "zcwj/2024/yl-2024-5/index.html", "404.html"):
        assert '<a href="/gzdt/2024/gzdt-1/">台风橙色预警：全市中小学停课一天</a>' in result.html(page), page


def test_last_updated_comes_from_git_when_no_updated_field(sample_content, build_site):
    import os
    import subprocess

    def commit(when: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
               "GIT_AUTHOR_NAME": "editor", "GIT_AUTHOR_EMAIL": "e@example.gov.cn",
               "GIT_COMMITTER_NAME": "editor", "GIT_COMMITTER_EMAIL": "e@example.gov.cn"}
        for cmd in (["git", "add", "."], ["git", "commit", "-q", "-m", "content"]):
            subprocess.run(cmd, cwd=sample_content, env=env, check=True, capture_output=True)

    subprocess.run(["git", "init", "-q"], cwd=sample_content, check=True, capture_output=True)
    commit("2024-05-20T10:00:00+08:00")
    policy = sample_content / "policy" / "yl-2024-5.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    commit("2024-05-27T10:00:00+08:00")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    # the typed publish date stays; the page admits when the file changed after it went up
    assert "最后更新：2024-05-27" in result.html("zcwj/2024/yl-2024-5/index.html")
    assert "<td>2024-03-15</td>" in result.html("zcwj/2024/yl-2024-5/index.html")
    # committing (importing) a file is no update: tests/test_last_updated.py
    assert "最后更新" not in result.html("about/index.html")
    assert "发布日期：2024-01-01" in result.html("about/index.html")
    off = build_site(sample_content, GAZETTE_GIT_DATES_ENABLED=False)
    assert "最后更新" not in off.html("zcwj/2024/yl-2024-5/index.html")


def test_devserver_preview_shows_held_items_with_a_banner(sample_content, build_site):
    result = build_site(sample_content, GAZETTE_SHOW_DRAFTS=True)
    assert result.returncode == 0, result.stderr
    draft = result.html("zcwj/2024/draft-policy/index.html")
    assert "预览：草稿。本页只在本地预览中出现，正式发布时不会公开。" in draft
    assert "预览：定时发布（2030-01-01 09:00）" in result.html("zcwj/2024/embargoed/index.html")
    assert "预览：待审核" in result.html("zcwj/2024/review-policy/index.html")
    assert "预览" not in result.html("zcwj/2024/yl-2024-5/index.html")


def test_type_field_overrides_the_folder(sample_content, build_site):
    (sample_content / "news" / "zj-2.md").write_text(
        "---\ntype: consultation\ntitle: 征求意见\ndate: 2024-05-01\nopens: 2024-05-01\ncloses: 2024-06-30\n---\n正文\n",
        encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    assert '<span class="gz-badge gz-badge--open">征集中</span>' in result.html("yjzj/2024/zj-2/index.html")


def test_files_nobody_links_are_not_published(sample_content, build_site):
    (sample_content / "news" / "forgotten.pdf").write_bytes(b"%PDF-1.4 forgotten")
    (sample_content / "images").mkdir()
    (sample_content / "images" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    result = build_site(sample_content, fatal=None)
    assert result.returncode == 0, result.stderr
    assert ("content/news/forgotten.pdf: (file): not linked from any published document, so not published "
            "(site-wide files belong in content/files/) (warning)") in result.problems
    assert not list(result.output.rglob("forgotten.pdf"))
    assert (result.output / "images" / "logo.svg").is_file()
    assert not list(result.output.rglob("draft-policy-fj.csv")) and not list(result.output.rglob("draft-chart.svg"))
