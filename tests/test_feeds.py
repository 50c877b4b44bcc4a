"""Feeds keep RFC 4287 and RSS 2.0 (checked strictly by feedcheck), and readers see the page, not a file."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import feedparser
import pytest
from conftest import DEMO, SAMPLE, build
from feedcheck import ATOM, atom_problems, feed_problems, rss_problems
from test_last_updated import Repo, news

PORTAL = "https://www.binhai.gov.cn"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# The demo policy with two attachments.
POLICY = f"{PORTAL}/zcwj/2026/bzbf-2026-18/"
FILES = [(f"{POLICY}bzbf-2026-18-fj1.pdf", "application/pdf", "bzbf-2026-18-fj1.pdf"),
         (f"{POLICY}bzbf-2026-18-fj2.csv", "text/csv", "bzbf-2026-18-fj2.csv")]


@pytest.fixture(params=["sample_build", "demo_build"])
def built(request):
    """Each session-built site in turn: the sample and the demo portal."""
    return request.getfixturevalue(request.param)


def test_every_feed_keeps_the_rules(built):
    assert len(list((built.output / "feeds").glob("*.xml"))) >= 16
    assert feed_problems(built.output, PORTAL) == {}


def test_feed_readers_take_the_page_as_the_entry_link(built):
    for path in sorted((built.output / "feeds").glob("*.xml")):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path.name, feed.bozo_exception)
        assert feed.feed.language == "zh-CN"
        for entry in feed.entries:
            assert entry.link == entry.id, (path.name, entry.id, entry.link)  # the page itself
            assert entry.link not in {e.href for e in entry.enclosures}


def test_attachments_are_enclosures_and_none_is_lost(demo_build):
    out = demo_build.output
    sizes = {name: str((DEMO / "policy/2026" / name).stat().st_size) for _, _, name in FILES}
    atom = next(e for e in feedparser.parse((out / "feeds/zcwj.atom.xml").read_bytes()).entries if e.id == POLICY)
    assert [(link.rel, link.type) for link in atom.links] == [("alternate", "text/html"),
                                                               ("enclosure", "application/pdf"),
                                                               ("enclosure", "text/csv")]
    assert [(e.href, e.type, e.length) for e in atom.enclosures] == [(url, mime, sizes[name])
                                                                     for url, mime, name in FILES]
    assert atom.links[1].title == "附件1：滨海市政府网站和政务新媒体检查指标"
    rss = next(e for e in feedparser.parse((out / "feeds/zcwj.xml").read_bytes()).entries if e.id == POLICY)
    url, mime, name = FILES[0]
    assert [(e.href, e.type, e.length) for e in rss.enclosures] == [(url, mime, sizes[name])]
    # RSS has room for one enclosure: the description lists both files, so the second is not lost
    for url, _, _ in FILES:
        assert f'href="{url}"' in rss.summary
    assert "附件2：重点任务分工表" in rss.summary and "（CSV，391 B）" in rss.summary


def _mutate(path, old: str, new: str, count: int = 1) -> bytes:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, count).encode("utf-8")


# What the W3C validator reported on the published demo, and a few more the RFCs forbid.
BROKEN = [
    ("zcwj.atom.xml", 'type="html"', 'type="CDATA"', "atom:content type 'CDATA' is not text, html, xhtml"),
    ("zcwj.atom.xml", 'rel="enclosure" type="text/csv"', 'rel="alternate" type="text/html"',
     "more than one atom:link rel=alternate with type text/html"),
    ("zcwj.atom.xml", ' length="52"', "", "lacks its type or length"),
    ("zcwj.atom.xml", '<updated>2024-03-15T09:30:00+08:00</updated>', "<updated>2024-06-01T12:00:00+08:00</updated>",
     "is not its newest entry's"),
    ("zcwj.atom.xml", "<author>\n    <name>样例市人民政府办公室</name>\n  </author>\n", "",
     None),  # entries still name their authors: allowed
    ("zcwj.atom.xml", 'xml:lang="zh-CN"', "", "no xml:lang"),
    ("zcwj.atom.xml", "<id>https://www.binhai.gov.cn/zcwj/2019/yl-2019-2/</id>", "<id>/zcwj/2019/yl-2019-2/</id>",
     "is not an absolute URL or tag: URI"),
    ("zcwj.atom.xml", "<published>2019-02-01T00:00:00+08:00</published>", "<published>2019-02-01</published>",
     "is not an RFC 3339 date-time"),
    ("zcwj.atom.xml", "&lt;p&gt;已废止", '&lt;a href="/zcwj/"&gt;x&lt;/a&gt;&lt;p&gt;已废止', "relative URL '/zcwj/'"),
    ("zcwj.xml", 'href="https://www.binhai.gov.cn/feeds/zcwj.xml" rel="self"',
     'href="https://www.binhai.gov.cn/feeds/zcwj.atom.xml" rel="self"', "must be the feed's own URL"),
    ("zcwj.xml", "<guid ", '<enclosure url="https://www.binhai.gov.cn/a.pdf" length="1" type="application/pdf"/><guid ',
     "2 enclosures"),
    ("zcwj.xml", ' length="52"', "", "enclosure length None"),
    ("zcwj.xml", "<pubDate>Fri, 01 Feb 2019", "<pubDate>Fri, 01 Feb 19", "not an RFC 822 date-time"),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), BROKEN)
def test_the_check_catches_what_validators_flag(sample_build, name, old, new, expected):
    path = sample_build.output / "feeds" / name
    check = atom_problems if name.endswith(".atom.xml") else rss_problems
    problems = check(_mutate(path, old, new), f"{PORTAL}/feeds/{name}")
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_feed_and_sitemap_dates_are_when_the_document_changed(tmp_path):
    """The import commit is no change; an edit on a later day is; a typed `updated` only after publication."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    repo = Repo(content)
    repo.commit("2024-05-10T10:00:00+08:00", {  # the import: documents from 2019 on
        "news/early.md": news("更新日期早于发布", "2024-05-01 09:00", "updated: 2024-04-30\n"),
        "news/late.md": news("写明更新日期", "2024-05-01 09:00", "updated: 2024-05-05 10:00\n")})
    repo.commit("2024-05-10T16:00:00+08:00", {"policy/yl-2024-5.md": (SAMPLE / "policy/yl-2024-5.md").read_text(
        encoding="utf-8").replace("加强政府网站建设。", "加强政府网站建设工作。")})  # a same-day fix
    repo.commit("2024-05-20T09:00:00+08:00", {"policy/yl-2019-2.md": (SAMPLE / "policy/yl-2019-2.md").read_text(
        encoding="utf-8") + "\n补充说明。\n"})  # a real change, ten days later
    result = build(content, tmp_path / "output")
    assert result.returncode == 0, result.stderr
    assert feed_problems(result.output, PORTAL) == {}
    atom = ET.fromstring((result.output / "feeds/all.atom.xml").read_bytes())
    dates = {e.findtext(f"{ATOM}id").removeprefix(PORTAL): (e.findtext(f"{ATOM}published"),
                                                            e.findtext(f"{ATOM}updated"))
             for e in atom.findall(f"{ATOM}entry")}
    changed = {url: times for url, times in dates.items() if times[0] != times[1]}
    assert changed == {"/zcwj/2019/yl-2019-2/": ("2019-02-01T00:00:00+08:00", "2024-05-20T09:00:00+08:00"),
                       "/gzdt/2024/late/": ("2024-05-01T09:00:00+08:00", "2024-05-05T10:00:00+08:00")}
    assert atom.findtext(f"{ATOM}updated") == "2024-05-20T09:00:00+08:00"  # the newest entry, not the build
    rss = (result.output / "feeds/all.xml").read_text(encoding="utf-8")
    assert "<lastBuildDate>Mon, 20 May 2024 09:00:00 +0800</lastBuildDate>" in rss
    assert re.search(r"<link>https://www.binhai.gov.cn/zcwj/2019/yl-2019-2/</link>.*?"
                     r"<pubDate>Fri, 01 Feb 2019 00:00:00 \+0800</pubDate>", rss, re.S)
    assert "2024-06-01" not in rss + (result.output / "feeds/all.atom.xml").read_text(encoding="utf-8")
    root = ET.fromstring((result.output / "sitemap.xml").read_bytes())
    lastmod = {u.findtext(f"{SITEMAP_NS}loc").removeprefix(PORTAL): u.findtext(f"{SITEMAP_NS}lastmod") for u in root}
    assert lastmod["/zcwj/2019/yl-2019-2/"] == "2024-05-20"
    assert lastmod["/zcwj/2024/yl-2024-5/"] == "2024-03-15"
    assert lastmod["/gzdt/2024/early/"] == "2024-05-01"
    assert "最后更新" not in result.html("gzdt/2024/early/index.html")
