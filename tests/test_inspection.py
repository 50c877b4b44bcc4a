"""Each inspection rule on a small site that triggers it and on one that does not."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, found

GATE = ROOT / "plugins" / "inspection" / "gate.py"
PUBLISH = ROOT / "plugins" / "inspection" / "publish.py"


def add(content: Path, rel: str, text: str) -> None:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_clean_sample_has_no_veto_or_block(inspect, sample_content):
    report = inspect(sample_content)
    assert report["summary"]["veto"] == 0 and report["summary"]["block"] == 0, report["findings"]
    assert {r["id"] for r in report["rules"]} == {
        "homepage-stale", "stale-columns", "empty-columns", "broken-links", "missing-interpretation",
        "late-interpretation", "disclosure-deadline", "reply-deadlines", "consultation-outcome", "publish-date",
        "review-record", "disclosure-column", "annual-reports", "dataset-stale", "topics", "service-guide", "organisation",
        "interaction-channels", "footer-identity",
        "forbidden-terms", "personal-data"}


def test_homepage_stale_after_14_days(inspect, sample_content):
    assert found(inspect(sample_content, today="2024-05-20"), "homepage-stale") == []
    assert found(inspect(sample_content, today="2024-05-21"), "homepage-stale") == [
        ("veto", "首页已15天未更新（要求14天内更新），最新一条是《样例市召开政务公开工作会议》", "content/news/gzdt-1.md", 0)]


def test_stale_and_empty_columns_and_their_vetoes(inspect, sample_content):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "departments:", "  - {id: tzgg, name: 通知公告, type: notice}\ndepartments:"), encoding="utf-8")
    report = inspect(sample_content, today="2024-05-21", INSPECTION_STALE_COLUMNS_VETO=1,
                     INSPECTION_EMPTY_COLUMNS_VETO=1)
    # Columns are named where site.yaml defines them, and linked to their page.
    assert ("warning", "栏目“工作动态”（gzdt）已15天未更新（要求14天内更新）", "content/_data/site.yaml", 13) in found(
        report, "stale-columns")
    assert ("veto", "1个栏目更新不及时（达到1个即单项否决）：工作动态", "content/_data/site.yaml", 0) in found(
        report, "stale-columns")
    empty_veto = ("veto", "1个空白栏目（达到1个即单项否决）：通知公告", "content/_data/site.yaml", 0)
    assert found(report, "empty-columns") == [
        empty_veto, ("warning", "栏目“通知公告”（tzgg）是空白栏目，没有任何信息", "content/_data/site.yaml", 17)]
    assert [(f["url"], f["page"]) for f in report["findings"] if f["rule"] == "empty-columns" and "url" in f] == [
        ("/tzgg/", "tzgg/index.html")]
    quiet = inspect(sample_content, today="2024-05-20")
    assert found(quiet, "stale-columns") == [] and empty_veto not in found(quiet, "empty-columns")


def test_broken_links_name_the_source_line_and_link_the_page(inspect, sample_content):
    add(sample_content, "news/links.md", "---\ntitle: 链接\ndate: 2024-05-08\n---\n第一段。\n\n"
        "[好链接](/zcwj/2024/yl-2024-5/) [坏锚点](/zcwj/#nope) [好锚点](/zcwj/2024/yl-2024-5/#related)\n\n"
        "第三段有[坏链接](/zcwj/2099/none/)。\n\n![缺图](/images/none.png)\n\n"
        "[没有年份页](/zcwj/2024/)\n")  # part of the good link on line 7, written on line 13
    report = inspect(sample_content)
    assert found(report, "broken-links") == [
        ("block", "锚点失效：/zcwj/#nope（目标页面中没有 #nope）", "content/news/links.md", 7),
        ("block", "链接失效：/zcwj/2099/none/", "content/news/links.md", 9),
        ("block", "图片或文件不存在：/images/none.png", "content/news/links.md", 11),
        ("block", "链接失效：/zcwj/2024/", "content/news/links.md", 13),
    ]
    assert {(f["url"], f["page"]) for f in report["findings"] if f["rule"] == "broken-links"} == {
        ("/gzdt/2024/links/", "gzdt/2024/links/index.html")}


def test_a_broken_link_in_site_yaml_is_one_finding_for_every_page(inspect, sample_content):
    site = sample_content / "_data" / "site.yaml"
    text = site.read_text(encoding="utf-8")
    site.write_text(text + "links:\n  - {title: 已撤销的专题, url: /zt/gone/}\n", encoding="utf-8")
    report = inspect(sample_content)
    pages = [f for f in report["findings"] if f["rule"] == "broken-links"]
    assert len(pages) == 1, pages
    line = len(text.splitlines()) + 2
    assert (pages[0]["path"], pages[0]["line"]) == ("content/_data/site.yaml", line)
    assert re.fullmatch(r"链接失效：/zt/gone/（共\d+个页面）", pages[0]["message"]), pages[0]["message"]


def test_report_page_lists_the_first_warnings_of_a_rule_and_counts_the_rest(inspect, sample_content, tmp_path):
    for n in range(3):
        add(sample_content, f"policy/alone{n}.md", f"---\ntitle: 无解读{n}\ndate: 2024-05-0{n + 1}\n"
            f"doc_no: 样政发〔2024〕3{n}号\nissuer: 样例市人民政府\nwritten_date: 2024-04-28\n---\n正文\n")
    report = inspect(sample_content, today="2024-05-10", INSPECTION_REPORT_WARNINGS_PER_RULE=2)
    missing = found(report, "missing-interpretation")
    assert len(missing) >= 3  # the report file keeps every finding
    html = (tmp_path / "output" / "inspection" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="warning-missing-interpretation"'):].split("</ul>", 1)
    assert f"（{len(missing)}）" in section[0].split("</h3>", 1)[0]  # the heading counts them all
    assert section[0].count('<li class="gz-finding') == 2
    assert (f"以上列出前 2 项，另有 {len(missing) - 2} 项未列出；完整清单见 <a href=\"report.json\">report.json</a>。"
            in section[1].split("<h3", 1)[0])


def test_report_html_puts_must_fix_first_and_needs_nothing_from_outside(inspect, sample_content, tmp_path):
    add(sample_content, "news/links.md", "---\ntitle: 链接\ndate: 2024-05-08\n---\n第一段。\n\n"
        "[坏链接](/zcwj/2099/none/)\n\n电话13812345678\n")
    add(sample_content, "policy/alone.md", "---\ntitle: 无解读\ndate: 2024-05-01\ndoc_no: 样政发〔2024〕30号\n"
        "issuer: 样例市人民政府\nwritten_date: 2024-04-28\n---\n正文\n")
    report = inspect(sample_content, today="2024-05-23", SITEURL="https://www.example.gov.cn")  # home: a veto
    assert report["summary"]["block"] == 2 and report["summary"]["warning"] >= 1
    folder = tmp_path / "output" / "inspection"
    html = (folder / "index.html").read_text(encoding="utf-8")

    items = re.findall(r'<li class="gz-finding gz-finding--(\w+)">', html)
    assert items[:3] == ["block", "block", "veto"] and set(items[3:]) == {"warning"}, items
    assert html.index("链接失效：/zcwj/2099/none/") < html.index("没有配套解读") < html.index("各项检查的问题数")
    assert html.index('id="must-fix"') < html.index('id="warnings"') < html.index('id="summary"')
    # The editor's file and line, and a link to the page relative to the report.
    item = html[html.index("链接失效：/zcwj/2099/none/"):].split("</li>", 1)[0]
    assert "<code>content/news/links.md</code> 第7行" in item
    assert '<a href="../gzdt/2024/links/index.html">/gzdt/2024/links/</a>' in item
    assert "单项否决" in html and "禁止发布" in html and "提醒" in html

    # Self-contained: no stylesheet, script or image from anywhere; every link stays on this site.
    assert not re.search(r"<link[^>]+stylesheet|<script|<img|@import|url\(", html, re.I)
    assert "<style>" in html
    for url in re.findall(r'\s(?:href|src)="([^"]*)"', html):
        assert not re.match(r"(?:[a-z]+:)?//", url), url
        if url not in ("data:,", "report.json"):
            assert url.startswith("../") and (folder / url).resolve().is_file(), url
    assert '<html lang="zh-CN">' in html and '<meta name="robots" content="noindex, nofollow">' in html
    assert html.count("<h1") == 1


def test_missing_and_late_interpretations(inspect, sample_content):
    add(sample_content, "policy/alone.md", "---\ntitle: 无解读\ndate: 2024-05-01\ndoc_no: 样政发〔2024〕30号\n"
        "issuer: 样例市人民政府\nwritten_date: 2024-04-28\n---\n正文\n")
    add(sample_content, "policy/waived.md", "---\ntitle: 免解读\ndate: 2024-05-01\ndoc_no: 样政发〔2024〕31号\n"
        "issuer: 样例市人民政府\nwritten_date: 2024-04-28\ninterpretation_waived: 内部事务\n---\n正文\n")
    report = inspect(sample_content)
    assert found(report, "missing-interpretation") == [
        ("warning", "样政发〔2024〕30号没有配套解读（请同步发布解读；无需解读的，在文件头写 interpretation_waived: 理由）",
         "content/policy/alone.md", 4)]  # the doc_no line
    late = found(report, "late-interpretation")
    assert late == [("warning", "解读比样政发〔2019〕2号晚1874天发布（要求7天内）",
                     "content/interpretation/jd-both.md", 3)]  # jd-2024-5 came the same day: fine


def test_policies_public_more_than_20_working_days_after_they_were_made(inspect, sample_content):
    # April 2024 on the official calendar: 清明 04-04..06 off, Sunday 04-07 and Sunday 04-28 worked
    # (调休). From 04-01: 20 working days end on 04-29, and 04-30 is the 21st.
    policy = ("---\ntitle: 时限{n}\ndate: {date} 09:00\ndoc_no: 样政发〔2024〕4{n}号\nissuer: 样例市人民政府\n"
              "written_date: 2024-04-01\ninterpretation_waived: 测试\n---\n正文。\n")
    add(sample_content, "policy/in-time.md", policy.format(n=1, date="2024-04-29"))
    add(sample_content, "policy/too-late.md", policy.format(n=2, date="2024-04-30"))
    assert found(inspect(sample_content), "disclosure-deadline") == [
        ("warning", "成文日期2024-04-01至发布日期2024-04-30共21个工作日，超过20个工作日的公开时限"
                    "（《政府信息公开条例》第二十六条）", "content/policy/too-late.md", 3)]


def test_disclosure_column_entries_and_a_current_guide(inspect, sample_content, build_site):
    site = sample_content / "_data" / "site.yaml"
    report = inspect(sample_content)
    assert sorted(message for _s, message, _p, _l in found(report, "disclosure-column")) == sorted(
        f"政府信息公开专栏缺少“{label}”（在 site.yaml 的 disclosure: 下写 {key}: 地址）" for key, label in
        (("guide", "政府信息公开指南"), ("rules", "政府信息公开制度"), ("apply", "依申请公开")))  # 年报: the sample's 2023 report
    add(sample_content, "pages/zwgkzn.md", "---\ntitle: 政府信息公开指南\ndate: 2023-03-01\n---\n指南正文。\n")
    add(sample_content, "pages/zwgkzd.md", "---\ntitle: 政府信息公开制度\ndate: 2024-03-01\n---\n制度正文。\n")
    site.write_text(site.read_text(encoding="utf-8") + "disclosure:\n  guide: /zwgkzn/\n  rules: /zwgkzd/\n"
                    "  reports: /zwgkzd/\n  apply: https://ysqgk.example.gov.cn/\n", encoding="utf-8")
    report = inspect(sample_content)
    assert found(report, "disclosure-column") == [
        ("warning", "政府信息公开指南自2023-03-01起未更新，超过365天（指南应及时更新）", "content/pages/zwgkzn.md", 0)]
    assert found(inspect(sample_content, today="2024-02-29"), "disclosure-column") == []
    # The catalogue shows the entries, in the order of the rules, 法定主动公开内容 being the catalogue itself.
    page = build_site(sample_content).html("zfxxgk/index.html")
    entries = re.findall(r'<li class="gz-facets__item"><a href="([^"]+)">(政府信息公开\w+|法定主动公开内容|依申请公开)</a>',
                         page)
    assert entries == [("/zwgkzn/", "政府信息公开指南"), ("/zwgkzd/", "政府信息公开制度"), ("/zfxxgk/", "法定主动公开内容"),
                       ("/zwgkzd/", "政府信息公开年报"), ("https://ysqgk.example.gov.cn/", "依申请公开")]


def test_reply_deadlines_follow_the_official_calendar(inspect, sample_content):
    # 2024-05-01..05 is the May Day holiday and Saturday 2024-05-11 a make-up working day (调休):
    # from 04-30 to 05-13 is 7 working days (Mon-Fri counting would say 9).
    reply = "---\ntitle: 问{n}\ndate: 2024-05-15\nquestion: 问题\nreceived: {received}\n{replied}---\n答复\n"
    add(sample_content, "reply/on-time.md", reply.format(n=1, received="2024-04-30", replied="replied: 2024-05-13\n"))
    add(sample_content, "reply/late.md", reply.format(n=2, received="2024-04-30", replied="replied: 2024-05-14\n"))
    add(sample_content, "reply/complex.md", reply.format(n=3, received="2024-04-30",
                                                         replied="replied: 2024-05-14\ncomplex: true\n"))
    add(sample_content, "reply/pending.md", reply.format(n=4, received="2024-05-08", replied=""))
    add(sample_content, "reply/forgotten.md", reply.format(n=5, received="2024-02-01", replied=""))
    report = inspect(sample_content, today="2024-05-15")
    assert found(report, "reply-deadlines") == [
        ("veto", "超过90天未答复（否决项）：留言已104天未答复", "content/reply/forgotten.md", 5),  # received:
        ("warning", "留言答复超时：用了8个工作日（要求7个工作日内答复）", "content/reply/late.md", 6),  # replied:
    ]
    later = inspect(sample_content, today="2024-05-17")
    assert ("warning", "留言已8个工作日未答复（要求7个工作日内答复）", "content/reply/pending.md", 5) in found(
        later, "reply-deadlines")


def test_closed_consultation_without_outcome(inspect, sample_content):
    add(sample_content, "consultation/silent.md", "---\ntitle: 征求意见\ndate: 2024-01-01\n"
        "opens: 2024-01-01\ncloses: 2024-01-31\n---\n正文\n")
    assert found(inspect(sample_content), "consultation-outcome") == [
        ("warning", "意见征集已结束，未公布意见采纳情况（请在文件头填写 outcome）", "content/consultation/silent.md", 5)]


def test_a_reply_published_after_its_answer_shows_its_publish_date(inspect, sample_content, build_site):
    add(sample_content, "reply/later.md", "---\ntitle: 来信\ndate: 2024-05-09 10:00\nquestion: 问题？\n"
                                          "received: 2024-04-22\nreplied: 2024-04-26\n---\n答复。\n")
    assert found(inspect(sample_content), "publish-date") == []
    html = build_site(sample_content).html("hdhy/2024/later/index.html")
    assert "<dt>答复日期</dt><dd>2024-04-26</dd></div>" in html and "<dt>发布日期</dt><dd>2024-05-09</dd>" in html


def test_pages_without_date_or_footer_identity(inspect, sample_content, tmp_path):
    overrides = tmp_path / "overrides"
    (overrides / "components").mkdir(parents=True)
    (overrides / "news.html").write_text('{% extends "document.html" %}{% block doc_byline %}{% endblock %}'
                                         '{% block doc_after_body %}{% endblock %}', encoding="utf-8")
    (overrides / "page.html").write_text('{% extends "document.html" %}{% block doc_byline %}{% endblock %}',
                                         encoding="utf-8")
    footer = (ROOT / "themes/gazette/templates/components/footer.html").read_text(encoding="utf-8")
    (overrides / "components" / "footer.html").write_text(footer.replace("{{ site.icp }}", ""), encoding="utf-8")
    report = inspect(sample_content, THEME_TEMPLATES_OVERRIDES=[str(overrides)])
    # news and static pages lost their byline here, and none of them was updated
    dateless = [f for f in report["findings"] if f["rule"] == "publish-date"]
    assert sorted((f["path"], f["page"]) for f in dateless) == [
        ("content/news/gzdt-1.md", "gzdt/2024/gzdt-1/index.html"),
        ("content/pages/about-en.md", "en/about/index.html"),
        ("content/pages/about.md", "about/index.html")]
    assert {f["message"] for f in dateless} == {"页面上没有显示发布日期"}
    footers = found(report, "footer-identity")
    assert ("warning", "页脚缺少：样ICP备00000001号", "index.html", 0) in footers  # no source: the page
    assert ("warning", "页脚缺少：样ICP备00000001号", "content/news/gzdt-1.md", 0) in footers
    assert found(inspect(sample_content), "footer-identity") == []


def _id_number(prefix17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return prefix17 + "10X98765432"[sum(int(c) * w for c, w in zip(prefix17, weights, strict=True)) % 11]


def test_forbidden_terms_and_personal_data_name_file_and_line(inspect, sample_content):
    good_id = _id_number("11010519491231002")
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # wrong checksum: not an ID number
    add(sample_content, "news/leak.md", "---\ntitle: 泄露\ndate: 2024-05-08\n---\n第一行正常。\n\n"
        f"来信人身份证号{good_id}，电话13812345678。\n\n文号样政发〔2024〕5号，编号{bad_id}，座机022-12345678。\n\n"
        "经研究，原则上同意。\n")
    report = inspect(sample_content, INSPECTION_FORBIDDEN_TERMS={"原则上同意": "", "样例市政府办公厅": "样例市人民政府办公室"})
    assert found(report, "personal-data") == [
        ("block", "手机号码 138****5678", "content/news/leak.md", 7),
        ("block", f"身份证号码 {good_id[:6]}********{good_id[-4:]}", "content/news/leak.md", 7),
    ]
    assert found(report, "forbidden-terms") == [("block", "错敏词“原则上同意”", "content/news/leak.md", 11)]
    add(sample_content, "news/leak.md", "---\ntitle: 泄露\ndate: 2024-05-08\n---\n样例市政府办公厅\n")
    assert found(inspect(sample_content, INSPECTION_FORBIDDEN_TERMS={"样例市政府办公厅": "样例市人民政府办公室"}),
                 "forbidden-terms") == [("block", "错敏词“样例市政府办公厅”，应改为“样例市人民政府办公室”",
                                         "content/news/leak.md", 5)]
    clean = inspect(sample_content, INSPECTION_FORBIDDEN_TERMS={"不存在的词": ""}, today="2024-05-10")
    assert found(clean, "forbidden-terms") == []
    (sample_content / "news" / "leak.md").unlink()
    assert found(inspect(sample_content), "personal-data") == []


def test_gate_exit_status(inspect, sample_content, tmp_path):
    report = inspect(sample_content, today="2024-05-21")  # home page stale: a veto
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    veto = subprocess.run([sys.executable, GATE, path, "--fail-on", "veto", "block"], capture_output=True, text=True)
    assert veto.returncode == 1
    assert "单项否决 homepage-stale: content/news/gzdt-1.md: 首页已15天未更新（要求14天内更新）" in veto.stderr
    publish = subprocess.run([sys.executable, GATE, path, "--fail-on", "block"], capture_output=True, text=True)
    assert publish.returncode == 0 and "单项否决 homepage-stale" in publish.stderr
    assert publish.stderr.splitlines()[-1] == (f"网站检查（2024-05-21）：禁止发布 0 项，单项否决 1 项，提醒 "
                                               f"{report['summary']['warning']} 项；报告：{tmp_path}/index.html")


def test_gate_prints_must_fix_first_one_line_each(tmp_path):
    finding = {"rule": "broken-links", "path": "content/news/x.md", "line": 12, "message": "链接失效：/no/such/page/"}
    report = {"today": "2024-05-10", "summary": {"block": 1, "veto": 1, "warning": 1, "documents": 1, "pages": 1},
              "findings": [{**finding, "severity": "warning", "rule": "publish-date", "line": 0,
                            "message": "页面上没有显示发布日期"},
                           {"severity": "veto", "rule": "empty-columns", "path": "content/_data/site.yaml",
                            "message": "5个空白栏目（达到5个即单项否决）"},
                           {**finding, "severity": "block"}]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    gate = subprocess.run([sys.executable, GATE, path, "--fail-on", "block", "warning"], capture_output=True, text=True)
    assert gate.returncode == 1
    assert gate.stderr.splitlines() == [
        "禁止发布 broken-links: content/news/x.md:12: 链接失效：/no/such/page/",
        "单项否决 empty-columns: content/_data/site.yaml: 5个空白栏目（达到5个即单项否决）",
        "提醒 publish-date: content/news/x.md: 页面上没有显示发布日期",
        f"网站检查（2024-05-10）：禁止发布 1 项，单项否决 1 项，提醒 1 项；报告：{tmp_path}/index.html",
    ]
    quiet = subprocess.run([sys.executable, GATE, path, "--fail-on", "block"], capture_output=True, text=True)
    assert "提醒 publish-date" not in quiet.stderr  # warnings are counted, not listed, unless they fail the gate


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _publish(content: Path, output: Path, today: str, *pelican_args: str) -> subprocess.CompletedProcess:
    from conftest import write_settings

    settings = write_settings(output.parent, content, "publishconf")
    return subprocess.run([sys.executable, PUBLISH, "--content", content, "--output", output, "--settings", settings,
                           "--today", today, "--", *pelican_args],
                          capture_output=True, text=True, cwd=output.parent, timeout=300)


def test_publish_passes_the_callers_settings_on_but_never_shows_drafts(sample_content, tmp_path):
    """make publish PELICANOPTS='-e …': Pelican keeps only one -e list, so publish.py merges them."""
    add(sample_content, "news/draft.md", "---\ntitle: 草稿\ndate: 2024-05-09\nstatus: draft\n---\n正文\n")
    result = _publish(sample_content, tmp_path / "output", "2024-05-10",
                      "-e", 'SITEURL="https://preview.example.cn"', "GAZETTE_SHOW_DRAFTS=true")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert "https://preview.example.cn/" in home and "草稿" not in home
    assert not (tmp_path / "output" / "gzdt" / "2024" / "draft").exists()


def test_publish_swaps_in_a_good_build_and_keeps_the_old_site_on_failure(sample_content, tmp_path):
    output = tmp_path / "output"
    first = _publish(sample_content, output, "2024-05-21")  # a stale home page does not block publishing
    assert first.returncode == 0, first.stderr
    assert "单项否决 homepage-stale" in first.stderr
    assert not (output / "inspection").exists() and (tmp_path / "output-inspection" / "report.json").is_file()
    before = _snapshot(output)
    assert "index.html" in before

    add(sample_content, "news/leak.md", "---\ntitle: 泄露\ndate: 2024-05-08\n---\n电话13812345678\n")
    blocked = _publish(sample_content, output, "2024-05-10")
    assert blocked.returncode == 1
    assert "禁止发布 personal-data: content/news/leak.md:5: 手机号码 138****5678" in blocked.stderr
    assert _snapshot(output) == before

    (sample_content / "news" / "leak.md").write_text("---\ntitle: 坏\n---\n", encoding="utf-8")
    broken = _publish(sample_content, output, "2024-05-10")
    assert broken.returncode == 1 and "publish: 构建失败，未发布" in broken.stderr
    assert _snapshot(output) == before
    assert not (tmp_path / "output.next").exists()

    (sample_content / "news" / "leak.md").unlink()
    add(sample_content, "news/fresh.md", "---\ntitle: 新消息\ndate: 2024-05-09\n---\n正文\n")
    good = _publish(sample_content, output, "2024-05-10")
    assert good.returncode == 0, good.stderr
    assert (output / "gzdt/2024/fresh/index.html").is_file()


def test_public_reply_statistics_per_department(sample_content, build_site):
    reply = "---\ntitle: 问{n}\ndate: 2024-05-15\nquestion: 问题\nreceived: {received}\n{replied}department: bgs\n---\n答\n"
    add(sample_content, "reply/late.md", reply.format(n=2, received="2024-04-30", replied="replied: 2024-05-14\n"))
    add(sample_content, "reply/pending.md", reply.format(n=3, received="2024-05-08", replied=""))
    add(sample_content, "reply/nodept.md", "---\ntitle: 问4\ndate: 2024-05-15\nquestion: 问\nreceived: 2024-05-06\n"
        "replied: 2024-05-07\n---\n答\n")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    html = result.html("hdhy/tjsj/index.html")
    rows = ["|".join(re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", r))
            for r in re.findall(r'<tr[^>]*><th scope="row">.*?</tr>', html, re.S)]
    # hf-1: 4 working days; late.md: 8 (May Day holiday, make-up Saturday counted); nodept.md: 1
    assert rows == ["未指定部门|1|1|0|1.0|1|100%", "样例市人民政府办公室|3|2|1|6.0|8|50%", "全部|4|3|1|4.3|8|67%"]
    assert 'href="/hdhy/tjsj/">查看各部门留言办理情况统计</a>' in result.html("hdhy/index.html")


def test_publish_blocks_broken_links_in_minified_pages(sample_content, tmp_path):
    add(sample_content, "news/links.md", "---\ntitle: 链接\ndate: 2024-05-08\n---\n[坏链接](/zcwj/2099/none/)\n")
    result = _publish(sample_content, tmp_path / "output", "2024-05-10")
    assert result.returncode == 1
    assert "禁止发布 broken-links: content/news/links.md:5: 链接失效：/zcwj/2099/none/" in result.stderr
    assert not (tmp_path / "output").exists()
