"""Public change notes (更新记录): shown on the page; only a change of substance dates 最后更新,
the feeds' updated and the sitemap's lastmod, and a typo fix dates nothing."""

from __future__ import annotations

import re

import feedparser
from test_bad_input import add, assert_fails_with

NEWS = """---
title: 更新记录测试
date: 2024-05-02 09:00
changes:
  - {{date: 2024-05-03, note: 更正错别字}}
{more}---
正文。
"""


def test_change_notes_are_listed_and_only_major_ones_date_the_update(sample_content, build_site):
    add(sample_content, "news/changed.md", NEWS.format(more="  - {date: 2024-05-06, note: 补充第三条办理时限, major: true}\n"))
    add(sample_content, "news/typo.md", NEWS.format(more="").replace("更新记录测试", "只改了错字"))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", result.html("gzdt/2024/changed/index.html")))
    assert "最后更新：2024-05-06" in page
    assert "更新记录 2024-05-06 【重要修改】 补充第三条办理时限 2024-05-03 更正错别字" in page  # newest first
    typo = result.html("gzdt/2024/typo/index.html")
    assert "更正错别字" in typo and "最后更新" not in typo
    feed = feedparser.parse(result.html("feeds/gzdt.atom.xml"))
    updated = {e.title: e.updated[:10] for e in feed.entries}
    assert updated["更新记录测试"] == "2024-05-06" and updated["只改了错字"] == "2024-05-02"
    sitemap = result.html("sitemap.xml")
    assert re.search(r"<loc>[^<]*/gzdt/2024/changed/</loc>\s*<lastmod>2024-05-06", sitemap)
    assert re.search(r"<loc>[^<]*/gzdt/2024/typo/</loc>\s*<lastmod>2024-05-02", sitemap)


def test_bad_change_notes_name_the_item(sample_content, build_site):
    first = add(sample_content, "news/a.md", NEWS.format(more="  - {date: 2024-02-30, note: 日期错}\n"))
    second = add(sample_content, "news/b.md", NEWS.format(more="  - {date: 2024-05-04, why: 没有说明}\n"))
    third = add(sample_content, "news/c.md", NEWS.format(more="  - 2024-05-04 改了\n"))
    result = build_site(sample_content)
    assert_fails_with(
        result,
        f"{first}: changes: item 2: '2024-02-30' is not a day of the calendar: 2024年2月只有29天 (2/2024 has 29 days) "
        "(更新记录)",
        f"{second}: changes: item 2: unknown key 'why' (更新记录; use date, note, major)",
        f"{third}: changes: item 2 must be a mapping with date, note and optionally major (更新记录)",
    )
