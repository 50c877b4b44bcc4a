"""Every bad-input case stops the build with one exact line naming the file and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

POLICY = """---
title: 测试文件
date: 2024-05-01 09:00
doc_no: 样政发〔2024〕20号
issuer: 样例市人民政府
written_date: 2024-04-28
{extra}---
正文。
"""


def add(content: Path, rel: str, text: str) -> str:
    """Write a content file; return its path as the build reports it (relative to the project)."""
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path.relative_to(content.parent))


def policy(extra: str = "", **replace: str) -> str:
    text = POLICY.format(extra=extra)
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def assert_fails_with(result, *lines: str) -> None:
    assert result.returncode != 0, result.stderr
    for line in lines:
        assert line in result.problems, f"{line!r} not in:\n" + "\n".join(result.problems)


def assert_untouched(result, sentinel: str = "published before") -> None:
    """The failed build wrote nothing: the previous output is still all there is."""
    files = sorted(p.relative_to(result.output) for p in result.output.rglob("*") if p.is_file())
    assert files == [Path("index.html")]
    assert result.html("index.html") == sentinel


@pytest.mark.parametrize(
    ("header_change", "field_line"),
    [
        ({"written_date: 2024-04-28": "written_date: 2016-13-45"},
         "written_date: '2016-13-45' is not a day of the calendar: there is no month 13 (成文日期)"),
        ({"written_date: 2024-04-28": "written_date: 2026-11-31"},
         "written_date: '2026-11-31' is not a day of the calendar: 2026年11月只有30天 (11/2026 has 30 days) (成文日期)"),
        ({"date: 2024-05-01 09:00": "date: 2023-02-29 09:00"},
         "date: '2023-02-29 09:00' is not a day of the calendar: 2023年2月只有28天 (2/2023 has 28 days) (发布日期)"),
        ({"written_date: 2024-04-28": "written_date: 2024-4-28日"},
         "written_date: '2024-4-28日' is not a date (成文日期, YYYY-MM-DD)"),
        ({"date: 2024-05-01 09:00": "date: 2024-05-01 25:61"},
         "date: '2024-05-01 25:61' has no such time of day (发布日期, HH:MM from 00:00 to 23:59)"),
        ({"title: 测试文件": "title: 关于: 测试"},
         "header: malformed YAML at line 2: mapping values are not allowed here; a value that contains ': ' "
         "must be quoted: title: '关于: …'"),
        ({"written_date: 2024-04-28": "written_date: 2024-04-28\nvalidity: 废止"},
         "validity: '废止' is not one of effective (有效), amended (已修改), repealed (已废止), expired (已失效) "
         "(有效性); did you mean repealed (已废止)?"),
        ({"issuer: 样例市人民政府\n": ""},
         "issuer: missing (发文机关 is required for type policy)"),
        ({"issuer: 样例市人民政府": "issuer:"},
         "issuer: is empty (发文机关 is required for type policy)"),
        ({"title: 测试文件": "title: {a: 1}"},
         "title: must be a single line of text, not a dict (标题)"),
    ],
)
def test_field_errors(sample_content, build_site, published, header_change, field_line):
    path = add(sample_content, "policy/bad.md", policy(**header_change))
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: {field_line}")
    assert_untouched(result)


def test_enum_column_department_and_bool_errors(sample_content, build_site, published):
    path = add(sample_content, "policy/bad.md",
               policy("validity: gone\ncolumn: nope\ndepartment: xx\n"))
    reply = add(sample_content, "reply/bad.md", "---\ntitle: 问\ndate: 2024-05-01\nquestion: 问题\n"
                "received: 2024-05-01\ncomplex: maybe\n---\n答\n")
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{path}: validity: 'gone' is not one of effective (有效), amended (已修改), repealed (已废止), expired (已失效) "
        "(有效性)",
        f"{path}: column: 'nope' is not a column in _data/site.yaml "
        "(栏目; one of zcwj, zcjd, gzdt, yjzj, hdhy, sjkf)",
        f"{path}: department: 'xx' is not a department in _data/site.yaml (部门; one of bgs)",
        f"{reply}: complex: 'maybe' is not true or false (复杂事项)",
    )
    assert_untouched(result)


def test_malformed_yaml_and_unknown_type(sample_content, build_site, published):
    bad_yaml = add(sample_content, "news/bad-yaml.md", "---\ntitle: [未闭合\ndate: 2024-05-01\n---\n正文\n")
    dup_key = add(sample_content, "news/dup-key.md", "---\ntitle: 一\ntitle: 二\ndate: 2024-05-01\n---\n")
    no_header = add(sample_content, "news/no-header.md", "正文没有头部\n")
    memo = add(sample_content, "news/memo.md", "---\ntype: memo\ntitle: 备忘\ndate: 2024-05-01\n---\n")
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{bad_yaml}: header: malformed YAML at line 3: expected ',' or ']', but got ':'",
        f"{dup_key}: header: malformed YAML at line 3: duplicate key 'title'",
        f"{no_header}: header: missing YAML header: the file must start with a line '---'",
        f"{memo}: type: 'memo' is not a content type (类型; one of policy, interpretation, interview, news, "
        "notice, consultation, reply, dataset, service, topic, org, leader, page)",
    )
    assert_untouched(result)


def test_all_problems_reported_in_one_run(sample_content, build_site, published):
    first = add(sample_content, "policy/a.md", policy(**{"written_date: 2024-04-28": "written_date: 2016-13-45"}))
    second = add(sample_content, "news/b.md", "---\ntitle: 新闻\n---\n")
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{first}: written_date: '2016-13-45' is not a day of the calendar: there is no month 13 (成文日期)",
        f"{second}: date: missing (发布日期 is required for type news)",
    )
    assert len(result.problems) == 2
    assert "gazette: 2 problems in the content; the build stopped and nothing was written." in result.stderr


def test_duplicate_doc_no_index_no_and_url_name_both_files(sample_content, build_site, published):
    existing = "content/policy/yl-2024-5.md"
    same_doc_no = add(sample_content, "policy/zz-copy.md",
                      policy(**{"样政发〔2024〕20号": "样政发〔2024〕5号"}))
    index_owner = add(sample_content, "policy/zz-index1.md",
                      policy("index_no: 00000000MB0000000X/2024-00099\n",
                             **{"样政发〔2024〕20号": "样政发〔2024〕23号"}))
    same_index = add(sample_content, "policy/zz-index2.md",
                     policy("index_no: 00000000MB0000000X/2024-00099\n",
                            **{"样政发〔2024〕20号": "样政发〔2024〕21号"}))
    same_url = add(sample_content, "policy/2024/yl-2024-5.md",
                   policy(**{"样政发〔2024〕20号": "样政发〔2024〕22号", "2024-05-01 09:00": "2024-03-01"}))
    column_url = add(sample_content, "pages/zcwj.md", "---\ntitle: 与栏目同名\ndate: 2024-01-01\n---\n")
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{same_doc_no}: doc_no: '样政发〔2024〕5号' is also used by {existing} (发文字号 must be unique)",
        f"{same_index}: index_no: '00000000MB0000000X/2024-00099' is also used by {index_owner} "
        "(索引号 must be unique)",
        f"{existing}: slug: URL /zcwj/2024/yl-2024-5/ is also used by {same_url} "
        "(URLs must be unique; set a different `slug:`)",
        f"{column_url}: slug: URL /zcwj/ is also used by a column in _data/site.yaml "
        "(URLs must be unique; set a different `slug:`)",
    )


def test_numbers_of_held_back_policies_are_taken_too(sample_content, build_site):
    """A published policy may not take the 发文字号 or 索引号 of an embargoed or draft one: on release
    day the clash would stop every build, scheduled ones included."""
    embargoed, draft = "content/policy/embargoed.md", "content/policy/draft-policy.md"
    sample_content.joinpath("policy/draft-policy.md").write_text(
        sample_content.joinpath("policy/draft-policy.md").read_text(encoding="utf-8").replace(
            "status: draft\n", "status: draft\nindex_no: 00000000MB0000000X/2024-00077\n"), encoding="utf-8")
    reuse_doc_no = add(sample_content, "policy/zz-reuse.md", policy(**{"样政发〔2024〕20号": "样政发〔2024〕11号"}))
    reuse_index = add(sample_content, "policy/zz-reuse-index.md",
                      policy("index_no: 00000000MB0000000X/2024-00077\n"))
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{reuse_doc_no}: doc_no: '样政发〔2024〕11号' is also used by {embargoed} (发文字号 must be unique)",
        f"{reuse_index}: index_no: '00000000MB0000000X/2024-00077' is also used by {draft} (索引号 must be unique)",
    )
    assert len(result.problems) == 2


def test_interprets_must_match_a_published_policy(sample_content, build_site, published):
    path = add(sample_content, "interpretation/bad.md",
               "---\ntitle: 解读\ndate: 2024-05-01\ninterprets:\n  - 样政发〔2099〕1号\n"
               "  - 样政发[2024]5号\n  - 样政发〔2024〕9号\n---\n正文\n")
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{path}: interprets: '样政发〔2099〕1号' matches no policy in this site "
        "(use a policy's doc_no or slug) (解读文件)",
        f"{path}: interprets: '样政发[2024]5号' matches no policy; did you mean '样政发〔2024〕5号' with 〔〕? (解读文件)",
        f"{path}: interprets: '样政发〔2024〕9号' is not published yet (draft, review or embargo) (解读文件)",
    )
    assert_untouched(result)


def test_non_ascii_file_name_needs_a_slug(sample_content, build_site):
    path = add(sample_content, "news/关于会议.md", "---\ntitle: 会议\ndate: 2024-05-01\n---\n")
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: slug: missing: the file name '关于会议' is not an ASCII slug; "
                      "rename the file or add `slug:` (别名; use a-z, 0-9 and -)")


def test_page_type_must_live_in_pages(sample_content, build_site):
    path = add(sample_content, "news/about2.md", "---\ntype: page\ntitle: 页面\ndate: 2024-05-01\n---\n")
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: type: 'page' documents live in content/pages/; move the file there")


def test_missing_attachment_and_reversed_dates(sample_content, build_site):
    path = add(sample_content, "policy/att.md",
               policy("attachments: [{file: nowhere.pdf, title: 附件}]\n"))
    consult = add(sample_content, "consultation/rev.md",
                  "---\ntitle: 征求意见\ndate: 2024-05-01\nopens: 2024-05-10\ncloses: 2024-05-01\n---\n")
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{path}: attachments: item 1: file 'nowhere.pdf' not found beside the document (附件)",
        f"{consult}: closes: 2024-05-01 00:00 is before opens 2024-05-10 00:00 (截止时间 must follow 开始时间)",
    )


def test_site_yaml_errors_name_the_entry(sample_content, build_site):
    site_file = sample_content / "_data" / "site.yaml"
    site_file.write_text(site_file.read_text(encoding="utf-8").replace("type: reply", "type: replies"),
                         encoding="utf-8")
    site = "content/_data/site.yaml"
    result = build_site(sample_content)
    assert result.returncode != 0
    assert (f"{site}: columns[4].type: 'replies' is not a content type (内容类型; one of policy, "
            "interpretation, interview, news, notice, consultation, reply, dataset, service, topic, org, leader, page)") in result.stderr


def test_unknown_and_reserved_fields_are_errors(sample_content, build_site, published):
    """A misspelt field must never be ignored: `staus: draft` would publish a draft (see test_safety)."""
    path = add(sample_content, "policy/extra.md", policy("colour: red\nsave_as: index.html\n"))
    result = build_site(sample_content, fatal=None)
    assert_fails_with(
        result,
        f"{path}: colour: unknown field for type policy; did you mean 'column'? the file is not published until "
        "it is fixed (see docs/content.md for the 政策文件 fields)",
        f"{path}: save_as: 'save_as' is reserved for Pelican and cannot be set in a header "
        "(see docs/content.md for the 政策文件 fields)")
    assert_untouched(result)


def test_half_width_brackets_in_doc_no_warn(sample_content, build_site):
    path = add(sample_content, "policy/brackets.md", policy(**{"样政发〔2024〕20号": "样政发[2024]20号"}))
    result = build_site(sample_content, fatal=None)
    assert result.returncode == 0, result.stderr
    assert (f"{path}: doc_no: '样政发[2024]20号' uses look-alike brackets; write '样政发〔2024〕20号' "
            "with 〔〕 (发文字号) (warning)") in result.problems


def test_raw_html_is_sanitised_with_a_warning_per_removal(sample_content, build_site):
    path = add(sample_content, "news/probe.md", "---\ntitle: 探针\ndate: 2024-05-01\n---\n正文。\n\n"
               '<script>alert("SCRIPT-PROBE")</script>\n'
               '<p onclick="alert(1)">点击</p>\n'
               '<p>（script URLs are errors: see test_safety）</p>\n'
               '<iframe src="https://evil.example.com/x"></iframe>\n'
               '<iframe src="https://v.qq.com/txp/iframe/player.html?vid=abc" title="视频"></iframe>\n')
    result = build_site(sample_content, fatal=None)
    assert result.returncode == 0, result.stderr
    tail = "; raw HTML is sanitised (warning)"
    assert [line for line in result.problems if line.startswith(path)] == [
        f"{path}: body: line 7: <script> removed{tail}",
        f"{path}: body: line 8: event-handler attribute removed{tail}",
        f"{path}: body: line 10: <iframe> from 'evil.example.com' removed "
        f"(allowed: v.qq.com, player.youku.com, player.bilibili.com){tail}",
    ]
    # The theme's own scripts and styles are not content.
    leaks = [p for p in result.output.rglob("*") if p.is_file() and p.suffix not in (".js", ".css") and re.search(
        r"SCRIPT-PROBE|onclick|javascript:|evil\.example", p.read_bytes().decode("utf-8", "replace"))]
    assert leaks == []
    html = result.html("gzdt/2024/probe/index.html")
    assert '<iframe src="https://v.qq.com/txp/iframe/player.html?vid=abc" title="视频"></iframe>' in html
    main = html.split('<main', 1)[1].split('</main>', 1)[0]
    # The breadcrumb's JSON-LD (data, never run) is the only script block a page body may hold.
    assert "<script" not in re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", main)
