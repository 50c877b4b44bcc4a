"""Topics (专题专栏): a topic gathers the documents whose keywords it collects, grouped by column; after its last
day it is archived: a banner, out of the home page, still reachable and listed in its column."""

from __future__ import annotations

import json
import re

from conftest import found
from test_bad_input import add, assert_fails_with

SITE_COLUMN = "  - {id: ztzl, name: 专题专栏, type: topic}\n"


def topic(content, name: str, *, date: str = "2024-04-01 09:00", ends: str = "", collects: str = "[政府网站]") -> str:
    site = content / "_data" / "site.yaml"
    text = site.read_text(encoding="utf-8")
    if "type: topic" not in text:
        site.write_text(text.replace("departments:", SITE_COLUMN + "departments:", 1), encoding="utf-8")
    return add(content, f"topic/{name}.md", f"---\ntitle: 专题{name}\ndate: {date}\ncollects: {collects}\n"
                                            + (f"ends: {ends}\n" if ends else "") + "---\n专题介绍。\n")


def news(content, name: str, date: str, keywords: str) -> None:
    add(content, f"news/{name}.md", f"---\ntitle: 动态{name}\ndate: {date}\nkeywords: {keywords}\n---\n正文。\n")


def links(html: str, section: str) -> list[str]:
    part = html[html.index(f'id="{section}"'):]
    return re.findall(r'class="gz-list__link" href="([^"]+)"', part[:part.index("</section>")])


def test_a_topic_gathers_documents_by_keyword_grouped_by_column(sample_content, build_site):
    topic(sample_content, "wz", collects="[政府网站, 数字政府]")
    news(sample_content, "a", "2024-05-01 09:00", "[数字政府]")
    news(sample_content, "b", "2024-04-20 09:00", "[其他]")  # not collected
    # The sample's policy yl-2024-5 has 政府网站 among its keywords.
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    page = result.html("ztzl/2024/wz/index.html")
    # Columns in the site's order (政策文件 before 工作动态), each newest first.
    headings = re.findall(r'<h2 class="gz-section__title" id="topic-(\w+)">', page)
    assert headings == ["zcwj", "gzdt"]
    assert links(page, "topic-zcwj") == ["/zcwj/2024/yl-2024-5/"]
    assert links(page, "topic-gzdt") == ["/gzdt/2024/a/"]
    # A gathered document names its topic; the home page shows the running topic.
    assert '所属专题：<a href="/ztzl/2024/wz/">专题wz</a>' in result.html("gzdt/2024/a/index.html")
    assert links(result.html("index.html"), "topics") == ["/ztzl/2024/wz/"]
    assert "已归档" not in page


def test_after_its_last_day_a_topic_is_archived_but_kept(sample_content, build_site):
    topic(sample_content, "old", date="2024-01-10 09:00", ends="2024-03-31", collects="[数字政府]")
    news(sample_content, "in", "2024-03-01 09:00", "[数字政府]")
    news(sample_content, "after", "2024-04-15 09:00", "[数字政府]")  # after the topic ended: not part of it
    result = build_site(sample_content)  # the build's clock: 2024-06-01
    assert result.returncode == 0, result.stderr
    page = result.html("ztzl/2024/old/index.html")
    assert '<p class="gz-banner gz-banner--archived" role="note">本专题已于2024-03-31结束，已归档，内容仅供查阅。</p>' in page
    assert links(page, "topic-gzdt") == ["/gzdt/2024/in/"]
    assert 'id="topics"' not in result.html("index.html")  # out of the home page
    column = result.html("ztzl/index.html")
    assert re.search(r'href="/ztzl/2024/old/">专题old</a>\s*<span class="gz-badge gz-badge--archived">已归档</span>', column)
    # On its last day it still runs; the build knows the moment it changes by itself.
    running = build_site(sample_content, GAZETTE_BUILD_TIME="2024-03-31 23:00",
                         GAZETTE_SCHEDULE_FILE=str(sample_content.parent / "schedule.json"))
    assert running.returncode == 0, running.stderr
    assert "已归档" not in running.html("ztzl/2024/old/index.html")
    events = json.loads((sample_content.parent / "schedule.json").read_text(encoding="utf-8"))["events"]
    assert {"at": "2024-04-01T00:00:00+08:00", "path": "content/topic/old.md", "event": "archive",
            "label": "专题归档"} in events


def test_topic_fields_are_checked(sample_content, build_site):
    path = topic(sample_content, "bad", date="2024-04-01 09:00", ends="2024-03-01")
    missing = add(sample_content, "topic/none.md", "---\ntitle: 无收录词\ndate: 2024-04-01\n---\n介绍。\n")
    assert_fails_with(build_site(sample_content),
                      f"{path}: ends: 2024-03-01 is before the topic's date 2024-04-01 (结束日期 must not precede 发布日期)",
                      f"{missing}: collects: missing (收录主题词 is required for type topic)")


def test_inspection_warns_of_empty_and_stale_running_topics(sample_content, inspect):
    empty = topic(sample_content, "empty", collects="[无此词]")
    topic(sample_content, "quiet", date="2024-01-05 09:00", collects="[安静]")
    news(sample_content, "q", "2024-01-06 09:00", "[安静]")
    topic(sample_content, "done", date="2023-01-05 09:00", ends="2023-06-30", collects="[无此词]")  # archived: rests
    findings = found(inspect(sample_content, today="2024-05-10"), "topics")
    assert ("warning", "专题没有任何内容：给相关文件的主题词（keywords）加上专题收录的词（无此词），或设置结束日期 ends 将专题归档",
            empty, 4) in findings
    assert ("warning", "专题自2024-01-06起已125天没有新内容（要求90天内更新）；工作已结束的，设置结束日期 ends 将专题归档",
            "content/topic/quiet.md", 0) in findings
    assert len(findings) == 2
