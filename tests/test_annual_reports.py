"""The yearly reports the law dates: 政府信息公开工作年度报告 (国办公开办函〔2021〕30号) and 政府网站工作年度报表
(国办函〔2018〕12号), counted from the content plus `_data/reports/<year>.yaml`, checked cell by cell, and due by
31 January."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT, found
from test_bad_input import add, assert_fails_with
from test_topics import topic

REPORT = "zfxxgk/ndbg/2023/index.html"
WEBSITE = "zfxxgk/wzbb/2023/index.html"
YEAR_FILE = "_data/reports/2023.yaml"

POLICY = """---
title: {title}
date: {date}
doc_no: {doc_no}
issuer: 样例市人民政府
written_date: {written}
interpretation_waived: 测试
{extra}---
正文。
"""


def policy(content, name: str, doc_no: str, written: str, date: str | None = None, extra: str = "") -> None:
    add(content, f"policy/{name}.md", POLICY.format(title=f"文件{name}", doc_no=doc_no, written=written,
                                                    date=date or f"{written} 10:00", extra=extra))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def row(html: str, label: str) -> list[str]:
    """The numbers of a table row, found by its row header (the * marking a counted figure dropped)."""
    match = re.search(rf'<th scope="row"[^>]*>{re.escape(label)}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row {label!r}"
    return [text(cell).replace("*", "").strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)]


def year_file(date: str = "2024-01-25 09:00", applications: str = "", website: str = "website:\n  visitors: 10\n",
              extra: str = "") -> str:
    return (f"date: {date}\ndisclosure:\n  overview: 总体情况。\n  problems: 存在问题。\n{extra}"
            + (f"  applications:\n{applications}" if applications else "") + website)


def test_policy_rows_count_rules_and_normative_documents(sample_content, build_site):
    # 规章 by 令 in the number, 规范性文件 by 规〔 or by doc_class; 本年废止 counts repeals and expiries.
    policy(sample_content, "gz-2022-3", "样例市人民政府令第3号", "2022-05-01")
    policy(sample_content, "gf-2023-1", "样政规〔2023〕1号", "2023-03-01")
    policy(sample_content, "gf-2021-2", "样政办发〔2021〕2号", "2021-04-01",
           extra="doc_class: normative\nvalidity: repealed\nvalidity_date: 2023-09-01\n")
    # Made in 2023 but public only after the report: a report already out is never rewritten.
    policy(sample_content, "gf-2023-9", "样政规〔2023〕9号", "2023-12-20", date="2024-02-10 09:00")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    html = result.html(REPORT)
    assert row(html, "规章") == ["0", "0", "1"]
    assert row(html, "行政规范性文件") == ["1", "1", "1"]
    assert row(html, "行政许可") == ["120"]  # from the YAML file
    assert row(html, "行政处罚") == ["0"]  # left out: none

    # One more made in 2023, one repealed and one expired in 2023: exactly their cells move.
    policy(sample_content, "gf-2023-5", "样政规〔2023〕5号", "2023-11-01")
    policy(sample_content, "gf-2023-1", "样政规〔2023〕1号", "2023-03-01",
           extra="validity: repealed\nvalidity_date: 2023-12-01\n")
    policy(sample_content, "gz-2022-3", "样例市人民政府令第3号", "2022-05-01",
           extra="validity: expired\nvalidity_date: 2023-06-30\n")
    again = build_site(sample_content)
    assert again.returncode == 0, again.stderr
    html = again.html(REPORT)
    assert row(html, "规章") == ["0", "1", "0"]
    assert row(html, "行政规范性文件") == ["2", "2", "1"]
    # Expired after the year's end: still in force on 31 December.
    policy(sample_content, "gz-2022-3", "样例市人民政府令第3号", "2022-05-01",
           extra="validity: expired\nvalidity_date: 2024-01-10\n")
    assert row(build_site(sample_content).html(REPORT), "规章") == ["0", "0", "1"]


def test_application_table_adds_its_totals_and_the_written_rows_override_counts(sample_content, build_site):
    add(sample_content, YEAR_FILE, year_file(
        applications="    received: [5, 1, 0, 0, 1, 0]\n    上年结转: [1, 0, 0, 0, 0, 0]\n"
                     "    granted: [3, 1, 0, 0, 0, 0]\n    属于国家秘密: [1, 0, 0, 0, 0, 0]\n"
                     "    repeated: [0, 0, 0, 0, 1, 0]\n    carried_out: [2, 0, 0, 0, 0, 0, 2]\n",
        extra="  rules: [2, 1, 7]\n"))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    html = result.html(REPORT)
    assert row(html, "一、本年新收政府信息公开申请数量") == ["5", "1", "0", "0", "1", "0", "7"]
    assert row(html, "（七）总计") == ["4", "1", "0", "0", "1", "0", "6"]
    assert row(html, "1．属于国家秘密") == ["1", "0", "0", "0", "0", "0", "1"]
    assert row(html, "四、结转下年度继续办理") == ["2", "0", "0", "0", "0", "0", "2"]
    assert row(html, "规章") == ["2", "1", "7"]  # written: the office's own count
    assert "<h2 id=\"part-6\">六、其他需要报告的事项</h2>" in html and "<p>无。</p>" in html


def test_sums_that_do_not_add_up_name_the_cell(sample_content, build_site):
    path = add(sample_content, YEAR_FILE, year_file(
        applications="    received: [5, 0, 0, 0, 0, 0, 6]\n    granted: [4, 0, 0, 0, 0, 0]\n"
                     "    handled: [5, 0, 0, 0, 0, 0]\n    grantd: [1, 0, 0, 0, 0, 0]\n"
                     "    not_held: [1, x, 0, 0, 0, 0]\n",
        website="website:\n  cases: 10\n  cases_personal: 4\n  cases_corporate: 5\n  services: 3\n"
                "  services_online: 4\n"))
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{path}: disclosure.applications.received[总计]: is 6, but 自然人 to 其他 add up to 5 (写的总计与各列之和不符)",
        f"{path}: disclosure.applications.grantd: unknown row; did you mean 'granted'? "
        "(see docs/reports.md)",
        f"{path}: disclosure.applications.not_held[2]: 'x' is not a count: write a whole number, 0 or more",
    )
    # Once the rows parse, the totals and the form's 勾稽关系 are checked column by column.
    add(sample_content, YEAR_FILE, year_file(
        applications="    received: [5, 1, 0, 0, 0, 0]\n    granted: [4, 1, 0, 0, 0, 0]\n"
                     "    handled: [5, 1, 0, 0, 0, 0]\n",
        website="website:\n  cases: 10\n  cases_personal: 4\n  cases_corporate: 5\n  services: 3\n"
                "  services_online: 4\n"))
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{path}: disclosure.applications.handled[自然人]: is 5, but the results （一） to （六） add up to 4 "
        "(（七）总计应等于各项办理结果之和)",
        f"{path}: website.cases: is 10, but 自然人办件量 + 法人办件量 = 9",
    )
    assert "handled[商业企业]" not in result.stderr  # that column adds up
    add(sample_content, YEAR_FILE, year_file(
        applications="    received: [5, 1, 0, 0, 0, 0]\n    granted: [4, 1, 0, 0, 0, 0]\n",
        website="website:\n  cases: 10\n  cases_personal: 4\n  cases_corporate: 5\n  services: 3\n"
                "  services_online: 4\n"))
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{path}: disclosure.applications.carried_out[自然人]: 本年新收 + 上年结转 = 5, but 总计 + 结转下年度 = 4; "
        "the two must be equal (第一项加第二项之和，等于第三项加第四项之和)",
        f"{path}: website.services_online: is 4, more than services (3): 可全程在线办理的事项不能多于政务服务事项",
    )
    assert "carried_out[商业企业]" not in result.stderr  # that column adds up


def test_year_files_are_checked_like_content(sample_content, build_site):
    bad_name = add(sample_content, "_data/reports/report-2023.yaml", "date: 2024-01-10\n")
    inside = add(sample_content, "_data/reports/2022.yaml", year_file(date="2022-12-30"))
    missing = add(sample_content, "_data/reports/2021.yaml", "date: 2022-01-10\ndisclosure:\n  overview: 有。\n")
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{bad_name}: (file): is not named after a year: one file per year, `2025.yaml` (from 2008)",
        f"{inside}: date: 2022-12-30 is within 2022: a year's reports go public after it ends (by 31 January)",
        f"{missing}: disclosure.problems: missing (存在的主要问题及改进情况 is required)",
    )


def test_website_report_counts_the_content_and_the_home_page_links_it(sample_content, build_site):
    add(sample_content, "news/n1.md", "---\ntitle: 动态一\ndate: 2023-03-01 09:00\n---\n正文。\n")
    add(sample_content, "news/n2.md", "---\ntitle: 动态二\ndate: 2023-05-01 09:00\n---\n正文。\n")
    policy(sample_content, "gf-2023-1", "样政规〔2023〕1号", "2023-03-01")
    add(sample_content, "interpretation/tj.md", "---\ntitle: 图解\ndate: 2023-03-02 09:00\ninterprets: gf-2023-1\n"
                                                "form: graphic\n---\n图解。\n")
    # Received on a Wednesday, answered seven working days later; another received in 2023, answered in 2024.
    add(sample_content, "reply/r1.md", "---\ntitle: 来信一\ndate: 2023-03-10 09:00\nquestion: 问题？\n"
                                       "received: 2023-03-01\nreplied: 2023-03-10\n---\n答复。\n")
    add(sample_content, "reply/r2.md", "---\ntitle: 来信二\ndate: 2024-01-05 09:00\nquestion: 问题？\n"
                                       "received: 2023-12-28\nreplied: 2024-01-05\n---\n答复。\n")
    topic(sample_content, "wz", date="2023-06-01 09:00", ends="2023-12-31")  # a topic opened in 2023
    topic(sample_content, "old", date="2022-06-01 09:00", ends="2023-02-28", collects="[旧]")  # running into 2023
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    html = result.html(WEBSITE)
    assert row(html, "总数（单位：条）") == ["6"]  # two news, a policy, an interpretation, a reply, a topic
    assert row(html, "维护数量（单位：个）") == ["2"] and row(html, "新开设数量（单位：个）") == ["1"]
    assert row(html, "政务动态信息更新量（单位：条）") == ["2"]
    assert row(html, "信息公开目录信息更新量（单位：条）") == ["2"]
    assert row(html, "解读信息发布总数（单位：条）") == ["1"]
    assert row(html, "其中：解读产品数量（单位：个）") == ["1"]
    assert row(html, "收到留言数量（单位：条）") == ["2"]
    assert row(html, "办结留言数量（单位：条）") == ["1"]
    assert row(html, "平均办理时间（单位：天）") == ["7.0"]
    assert row(html, "独立用户访问总量（单位：个）") == ["1200"]  # from the YAML file
    assert row(html, "微博名称") == ["未填报"]
    assert row(html, "政府网站标识码") == ["9999000001"]  # from site.yaml
    assert row(html, "搜索即服务") == ["是"]
    assert row(html, "多语言版本") == ["是"]  # the sample's English about page, public since 2024-01-01
    home = result.html("index.html")
    assert '<a href="/zfxxgk/wzbb/2023/">2023年政府网站工作年度报表</a>' in home
    # The 政府信息公开 column's 年报 entry leads to the list of reports.
    catalogue = result.html("zfxxgk/index.html")
    assert '<a href="/zfxxgk/ndbg/">政府信息公开年报</a>' in catalogue
    assert '<a class="gz-list__link" href="/zfxxgk/ndbg/2023/">' in result.html("zfxxgk/ndbg/index.html")


def test_reports_are_due_by_31_january(sample_content, inspect):
    (sample_content / YEAR_FILE).unlink()
    january = found(inspect(sample_content, today="2024-01-15"), "annual-reports")
    assert [(s, m.split("：")[0]) for s, m, _, _ in january] == [("warning", "2023年政府信息公开工作年度报告尚未公开，应于2024年1月31日前发布"),
                                                       ("warning", "2023年政府网站工作年度报表尚未公开，应于2024年1月31日前发布")]
    assert january[0][2] == "content/_data/reports/2023.yaml"
    february = found(inspect(sample_content, today="2024-02-01"), "annual-reports")
    assert {s for s, *_ in february} == {"veto"} and "（已逾期，单项否决）" in february[0][1]
    # Published late: a warning. Without a website section: the 年度报表 is still missing.
    add(sample_content, YEAR_FILE, year_file(date="2024-02-05 09:00", website=""))
    late = found(inspect(sample_content, today="2024-03-01"), "annual-reports")
    assert ("veto", "2023年政府网站工作年度报表尚未公开，应于2024年1月31日前发布（已逾期，单项否决）：在 "
            "content/_data/reports/2023.yaml 写明发布日期和需填报的数字", "content/_data/reports/2023.yaml", 0) in late
    assert any(s == "warning" and m == "2023年年度报告于2024-02-05发布，晚于2024年1月31日" for s, m, _, _ in late)


def test_a_report_dated_after_the_build_is_not_published(sample_content, build_site):
    add(sample_content, YEAR_FILE, year_file(date="2024-07-01 09:00"))  # the build's clock: 2024-06-01
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    assert not (result.output / "zfxxgk" / "ndbg").exists()
    assert "2023年政府网站工作年度报表" not in result.html("index.html")
    assert "ndbg" not in result.html("sitemap.xml")


def test_scaffolded_year_file_names_the_texts_to_write_then_builds(sample_content, build_site):
    (sample_content / YEAR_FILE).unlink()
    made = subprocess.run([sys.executable, "-m", "annual_reports.scaffold", "--content", str(sample_content),
                           "--now", "2024-01-05 10:00"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": "plugins"})
    assert made.returncode == 0, made.stderr
    path = sample_content / YEAR_FILE  # last year's, by default
    assert made.stdout.strip() == str(path)
    result = build_site(sample_content)
    assert_fails_with(result, f"content/{YEAR_FILE}: disclosure.overview: missing (总体情况 is required)",
                      f"content/{YEAR_FILE}: disclosure.problems: missing (存在的主要问题及改进情况 is required)")
    text_ = path.read_text(encoding="utf-8")
    path.write_text(text_.replace("  overview:\n", "  overview: 总体情况。\n")
                    .replace("  problems:\n", "  problems: 存在问题。\n"), encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    html = result.html(REPORT)
    assert row(html, "（七）总计") == ["0"] * 7
    assert row(build_site(sample_content).html(WEBSITE), "独立用户访问总量（单位：个）") == ["未填报"]


def test_what_a_year_carried_out_the_next_carries_in(sample_content, build_site):
    add(sample_content, "_data/reports/2022.yaml", year_file(
        date="2023-01-20 09:00", applications="    received: [2, 0, 0, 0, 0, 0]\n    granted: [1, 0, 0, 0, 0, 0]\n"
                                              "    carried_out: [1, 0, 0, 0, 0, 0]\n"))
    result = build_site(sample_content)
    assert_fails_with(result, f"content/{YEAR_FILE}: disclosure.applications.carried_in[自然人]: is 0, but the 2022 "
                              "report carried 1 into 2023 (上年结转应等于上一年度的结转下年度) (warning)")
