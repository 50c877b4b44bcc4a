"""Issue 11: no script, no stray file and no unreviewed text reaches the public site.

Each test builds the sample site with one hostile or careless change and searches every
output file (pages, feeds, sitemap, search files, JSON) for what must not be there.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_bad_input import add, assert_fails_with, assert_untouched, policy

NEWS = "---\ntitle: {title}\ndate: 2024-05-07 10:00\n{extra}---\n{body}\n"


def news(body: str = "正文。", title: str = "安全测试", extra: str = "") -> str:
    return NEWS.format(title=title, extra=extra, body=body)


def output_files(output: Path) -> dict[str, bytes]:
    """Every file of a build, by output-relative path."""
    return {str(p.relative_to(output)): p.read_bytes() for p in output.rglob("*") if p.is_file()}


def assert_nowhere(output: Path, *canaries: str) -> None:
    """No output file (HTML, feeds, sitemap, search shards, JSON…) contains any canary."""
    hits = [(rel, c) for rel, data in output_files(output).items() for c in canaries if c.encode() in data]
    assert hits == []


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.metas: list[dict[str, str | None]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("href", "src") and v is not None]
        if tag == "meta":
            self.metas.append(values)
        self._in_script = tag == "script"
        if tag == "script" and values.get("type") != "application/ld+json" and "src" not in values:
            self.scripts.append("inline script")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def parse_page(text: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(text)
    return parser


def pages(output: Path) -> dict[str, str]:
    return {str(p.relative_to(output)): p.read_text(encoding="utf-8") for p in output.rglob("*.html")}


# 1. Escaping --------------------------------------------------------------------------------

HOSTILE = '"><script>alert(2)</script>'


def test_text_is_escaped_in_every_context(sample_content, build_site):
    title = '我市深入推进"放管服"改革 </script><img src=x onerror=alert(3)>'
    add(sample_content, "news/xss.md", news(
        body=f"正文 `{HOSTILE}` 代码，还有 ]]> 和 </script> 。\n\n<a title=\"]]>\" href=\"/x/\">链接</a>\n",
        title=f"'{title}'",
        extra=f"summary: '摘要{HOSTILE} 我市深入推进\"放管服\"改革'\nkeywords: ['a\"b</script>', '<i>k</i>']\n"))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    # No raw markup from the text anywhere: pages, feeds, sitemap, search records, JSON.
    assert_nowhere(result.output, "<script>alert", "<img src=x", "onerror=alert(3)>")
    page = result.html("gzdt/2024/xss/index.html")
    parsed = parse_page(page)
    assert parsed.scripts == []
    described = {m.get("name") or m.get("property"): m.get("content") for m in parsed.metas}
    assert described["description"].startswith('摘要"><script>alert(2)</script> 我市深入推进"放管服"改革')
    assert described["og:description"] == described["description"]
    assert described["og:title"] == f"{title} - 样例市人民政府"
    assert described["ArticleTitle"] == title
    # JSON-LD: "</script>" cannot end the element early; the data reads back unchanged.
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert blocks and all("</" not in b and "<" not in b for b in blocks)
    import json

    assert json.loads(blocks[0])["name"] == title
    # Feeds parse as XML and carry the text, escaped.
    import feedparser

    feed = feedparser.parse(result.output / "feeds" / "all.atom.xml")
    assert not feed.bozo, feed.bozo_exception
    entry = next(e for e in feed.entries if e.link.endswith("/gzdt/2024/xss/"))
    assert entry.title == title
    assert "]]&gt;" in entry.content[0].value or "]]>" in entry.content[0].value


def test_share_links_carry_the_plain_title(sample_content, build_site):
    add(sample_content, "news/amp.md", news(title="'水 & 电 \"价格\"'"))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    urls = parse_page(result.html("gzdt/2024/amp/index.html")).urls
    weibo = next(u for u in urls if "weibo.com" in u)
    assert "title=%E6%B0%B4+%26+%E7%94%B5+%22" in weibo  # & and " URL-encoded once, no &amp;


def test_autoescape_cannot_be_switched_off(sample_content, build_site):
    result = build_site(sample_content, JINJA_ENVIRONMENT={"trim_blocks": True, "autoescape": False})
    assert result.returncode != 0
    assert ("pelicanconf.py: JINJA_ENVIRONMENT: autoescape must be True: templates print editors' text, "
            "which must never become markup (see docs/security.md)") in result.stderr


# 2. Files from outside content/ ---------------------------------------------------------------

@pytest.mark.parametrize("link", [
    "../../../.git/config",
    "../../../../../../../../etc/passwd",
    "../../../../../../../../proc/self/environ",
    "{attach}../../secret.txt",
    "{static}/../secret.txt",
    "{filename}../../secret.txt",
])
def test_links_outside_content_are_refused(sample_content, build_site, published, link):
    secret = sample_content.parent / "secret.txt"
    secret.write_text("SECRET-CANARY", encoding="utf-8")
    (sample_content.parent / ".git").mkdir(exist_ok=True)
    (sample_content.parent / ".git" / "config").write_text("SECRET-CANARY token", encoding="utf-8")
    path = add(sample_content, "news/leak.md", news(f"正文。\n\n[附件]({link})\n"))
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: body: line 7: link '{link}' points outside the content folder; "
                              "only files inside content/ can be published")
    assert_untouched(result)


def test_raw_html_links_outside_content_are_refused(sample_content, build_site, published):
    (sample_content.parent / "secret.txt").write_text("SECRET-CANARY", encoding="utf-8")
    path = add(sample_content, "news/leak.md", news('正文。\n\n<p><a href="{attach}../../secret.txt">x</a></p>\n'))
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: body: line 7: link '{{attach}}../../secret.txt' points outside the "
                              "content folder; only files inside content/ can be published")


@pytest.mark.parametrize("kind", ["file", "folder", "inside"])
def test_symlinks_are_refused(sample_content, build_site, published, kind):
    outside = sample_content.parent / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("SECRET-CANARY", encoding="utf-8")
    if kind == "file":
        link = sample_content / "files" / "secret.csv"
        link.parent.mkdir()
        link.symlink_to(outside / "secret.csv")
    elif kind == "folder":
        link = sample_content / "files"
        link.symlink_to(outside, target_is_directory=True)
    else:  # a link to a file inside content/ is refused too: it could be swapped for one outside
        link = sample_content / "files" / "copy.csv"
        link.parent.mkdir()
        link.symlink_to(sample_content / "dataset" / "population.csv")
    result = build_site(sample_content)
    rel = str(link.relative_to(sample_content.parent))
    assert_fails_with(result, f"{rel}: (file): is a symbolic link; links are never published: copy the file "
                              "or folder into content/ instead")
    assert_untouched(result)


def test_attachment_listed_outside_the_folder_is_refused(sample_content, build_site, published):
    (sample_content.parent / "secret.csv").write_text("SECRET-CANARY", encoding="utf-8")
    path = add(sample_content, "policy/att.md", policy("attachments:\n  - {file: ../../secret.csv, title: 附件}\n"))
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: attachments: item 1: file '../../secret.csv' not found beside the "
                              "document (附件)")


# 3. Script URLs -----------------------------------------------------------------------------

@pytest.mark.parametrize("link", [
    "javascript:;alert(document.domain)",
    "javascript:%0aalert(1)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
])
def test_script_links_in_markdown_are_errors(sample_content, build_site, published, link):
    path = add(sample_content, "news/run.md", news(f"正文。\n\n[在线办理]({link})\n"))
    result = build_site(sample_content)
    scheme = link.split(":")[0].lower()
    assert_fails_with(result, f"{path}: body: line 7: link '{link}' uses the {scheme}: scheme, which pages may "
                              "not link to (use http(s)://, mailto:, tel: or a path on the site)")
    assert_untouched(result)


@pytest.mark.parametrize(("markup", "shown"), [
    ('<a href="jav&#x09;ascript:alert(1)">办理</a>', "javascript:alert(1)"),
    ('<a href=" javascript:alert(1)">办理</a>', "javascript:alert(1)"),
    ('<a href="{attach}javascript:alert(1)">办理</a>', "{attach}javascript:alert(1)"),
    ('<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;" alt="">', "data:image/svg+xml,<svg onload=alert(1)>"),
])
def test_script_links_in_raw_html_are_errors(sample_content, build_site, published, markup, shown):
    path = add(sample_content, "news/run.md", news(f"正文。\n\n<p>{markup}</p>\n"))
    result = build_site(sample_content)
    scheme = "javascript" if "script" in shown.split(":")[0] else "data"
    assert_fails_with(result, f"{path}: body: line 7: link '{shown}' uses the {scheme}: scheme, which pages may "
                              "not link to (use http(s)://, mailto:, tel: or a path on the site)")


def test_allowed_links_stay(sample_content, build_site):
    add(sample_content, "news/ok.md", news("[网站](https://www.gov.cn/) [邮件](mailto:a@b.cn) "
                                             "[电话](tel:12345) [站内](/zcwj/) [锚点](#top)\n"))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    urls = parse_page(result.html("gzdt/2024/ok/index.html")).urls if (
        result.output / "tzgg").exists() else []
    for page in pages(result.output).values():
        for url in parse_page(page).urls:
            assert not re.match(r"\s*(javascript|vbscript|data):", url, re.I), url
    assert urls == [] or "mailto:a@b.cn" in urls


@pytest.mark.parametrize(("section", "value", "field"), [
    ("site:\n", "site:\n  alert: 通知\n  alert_url: 'javascript:alert(1)'\n", "site.alert_url"),
    ("site:\n", "site:\n  badge_url: ' JAVASCRIPT:alert(1)'\n", "site.badge_url"),
    ("departments:\n", "departments:\n  - {id: evil, name: 恶意, url: 'javascript:alert(1)'}\n", "departments[0].url"),
    ("columns:\n", "links:\n  - {title: 办事, url: 'data:text/html,x'}\ncolumns:\n", "links[0].url"),
])
def test_script_urls_in_site_yaml_are_errors(sample_content, build_site, published, section, value, field):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(section, value, 1), encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode != 0
    line = next(x for x in result.stderr.splitlines() if x.startswith(f"content/_data/site.yaml: {field}: "))
    assert "scheme, which pages may not link to" in line
    assert_untouched(result)


def test_site_yaml_links_and_paths(sample_content, build_site):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "columns:\n", "links:\n  - {title: 邮件我们, url: 'mailto:a@b.cn'}\n  - {title: 目录, url: /zfxxgk/}\ncolumns:\n",
        1), encoding="utf-8")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    urls = parse_page(result.html("index.html")).urls
    assert "mailto:a@b.cn" in urls and "/zfxxgk/" in urls


# 4. Typos and YAML surprises ----------------------------------------------------------------------

@pytest.mark.parametrize(("extra", "key", "hint"), [
    ("staus: draft\n", "staus", "did you mean 'status'? "),
    ("pubish_at: 2030-01-01 09:00\n", "pubish_at", "did you mean 'publish_at'? "),
    ("Status: draft\n", "Status", "did you mean 'status'? "),
    ("nonsense: 1\n", "nonsense", ""),
])
def test_unknown_keys_stop_the_build(sample_content, build_site, published, extra, key, hint):
    path = add(sample_content, "news/typo.md", news(body="TYPO-CANARY", extra=extra))
    result = build_site(sample_content, fatal=None)
    assert_fails_with(result, f"{path}: {key}: unknown field for type news; {hint}the file is not published until "
                              "it is fixed (see docs/content.md for the 工作动态 fields)")
    assert_untouched(result)


def test_field_of_another_type_names_it(sample_content, build_site):
    path = add(sample_content, "news/typo.md", news(extra="doc_no: 样政发〔2024〕9号\n"))
    result = build_site(sample_content, fatal=None)
    assert_fails_with(result, f"{path}: doc_no: unknown field for type news: it belongs to type policy (类型 `type:`)")


def test_unknown_key_in_site_yaml_is_an_error(sample_content, build_site, published):
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("  host:", "  hots: x\n  host:", 1), encoding="utf-8")
    result = build_site(sample_content, fatal=None)
    assert result.returncode != 0
    assert "content/_data/site.yaml: site.hots: unknown field; did you mean 'host'? (see docs/content.md, site " \
           "structure)" in result.stderr


@pytest.mark.parametrize(("value", "shown"), [("12:30", "12:30"), ("yes", "yes"), ("1e3", "1e3"), ("0x1F", "0x1F"),
                                              ("2024-05-01", "2024-05-01"), ("on", "on")])
def test_text_fields_take_the_text_as_written(sample_content, build_site, value, shown):
    add(sample_content, "news/yaml.md", news(title=value))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    assert f'<h1 class="gz-doc__title">{shown}</h1>' in result.html("gzdt/2024/yaml/index.html")


@pytest.mark.parametrize("value", ["!!binary aGVsbG8=", "!!int 5", "!!float 1", "!!bool yes", "!!set {a}"])
def test_yaml_type_tags_are_refused(sample_content, build_site, published, value):
    path = add(sample_content, "news/tag.md", news(title=value))
    result = build_site(sample_content)
    tag = value.split()[0]
    assert_fails_with(result, f"{path}: header: malformed YAML at line 2: the tag {tag} is not allowed; write the "
                              "value as plain text")


def test_full_width_colon_is_named(sample_content, build_site):
    path = add(sample_content, "news/colon.md", "---\n标题：测试\ndate: 2024-05-07\n---\n正文。\n")
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: header: line 2: a full-width colon '：' follows '标题'; write an ASCII colon "
                              "and a space ('标题: …')")


def test_booleans_and_numbers_still_parse(sample_content, build_site):
    add(sample_content, "reply/yes.md", "---\ntitle: 留言\ndate: 2024-05-07\nquestion: 问题\nreceived: 2024-05-01\n"
        "replied: 2024-05-06\ncomplex: yes\n---\n答复。\n")
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr


# 5. Future dates ----------------------------------------------------------------------------

def test_future_dated_document_is_held_back_everywhere(sample_content, build_site):
    add(sample_content, "news/tomorrow.md", news(title="FUTURE-CANARY 明日通知", body="FUTURE-BODY",
                                                   extra="").replace("2024-05-07 10:00", "2024-06-02 08:00"))
    result = build_site(sample_content)
    assert result.returncode == 0, result.stderr
    assert_nowhere(result.output, "FUTURE-CANARY", "FUTURE-BODY", "tomorrow")


def test_future_dated_document_appears_on_its_date(sample_content, build_site):
    add(sample_content, "news/tomorrow.md", news(title="明日通知").replace("2024-05-07 10:00", "2024-06-02 08:00"))
    result = build_site(sample_content, GAZETTE_BUILD_TIME="2024-06-02 08:00")
    assert result.returncode == 0, result.stderr
    assert "明日通知" in result.html("index.html")


def test_future_dated_document_is_previewed_with_a_banner(sample_content, build_site):
    add(sample_content, "news/tomorrow.md", news(title="明日通知").replace("2024-05-07 10:00", "2024-06-02 08:00"))
    result = build_site(sample_content, GAZETTE_SHOW_DRAFTS=True)
    assert result.returncode == 0, result.stderr
    page = next(text for rel, text in pages(result.output).items() if "tomorrow" in rel)
    assert "预览：定时发布（2024-06-02 08:00）" in page


@pytest.mark.parametrize(("extra", "field"), [("updated: 2030-01-01\n", "updated")])
def test_future_updated_is_an_error(sample_content, build_site, published, extra, field):
    path = add(sample_content, "news/upd.md", news(extra=extra))
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: {field}: 2030-01-01 is in the future (更新日期 says when it happened; to "
                              "schedule the item, set `publish_at`)")


# 7. Every input an editor can commit gets a one-line message ------------------------------------

@pytest.mark.parametrize(("name", "data", "message"), [
    ("news/page.html", b"<html><body><script>alert(1)</script></body></html>",
     ".html files are not published as they are: they could run scripts on the portal (write the page as "
     "Markdown with a YAML header, or attach a PDF)"),
    ("files/x.htm", b"<p>hi</p>", ".htm files are not published as they are: they could run scripts on the "
     "portal (write the page as Markdown with a YAML header, or attach a PDF)"),
    ("files/chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "SVG image contains 'script', which could run script; save it again without it or use PNG"),
    ("files/chart2.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
     "SVG image contains 'onload=', which could run script; save it again without it or use PNG"),
])
def test_active_files_are_refused(sample_content, build_site, published, name, data, message):
    target = sample_content / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    result = build_site(sample_content)
    assert_fails_with(result, f"content/{name}: (file): {message}")
    assert "Traceback" not in result.stderr
    assert_untouched(result)


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfe\x00binary", "(file): is not UTF-8 text; save it as UTF-8"),
    (b"", "header: missing YAML header: the file must start with a line '---'"),
    (b"---\n- a\n- b\n---\n", "header: must be a mapping of field: value lines"),
    (b"---\ntitle: [unclosed\n---\n", None),
])
def test_broken_markdown_files_get_one_line(sample_content, build_site, published, data, message):
    (sample_content / "news" / "bad.md").write_bytes(data)
    result = build_site(sample_content)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [x for x in result.problems if x.startswith("content/news/bad.md: ")]
    assert len(lines) == 1, result.stderr
    if message:
        assert lines[0] == f"content/news/bad.md: {message}"
    assert_untouched(result)


# 10. Size limits ----------------------------------------------------------------------------

def test_absurd_title_is_refused(sample_content, build_site, published):
    path = add(sample_content, "news/big.md", news(title="长" * 100_000))
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: title: is 100,000 characters long, more than the 200 allowed (标题); "
                              "shorten it (the full text belongs in the body)")
    assert_untouched(result)


def test_absurd_summary_is_refused(sample_content, build_site):
    path = add(sample_content, "news/big.md", news(extra=f"summary: {'摘' * 5000}\n"))
    result = build_site(sample_content)
    assert_fails_with(result, f"{path}: summary: is 5,000 characters long, more than the 1,000 allowed (摘要); "
                              "shorten it (the full text belongs in the body)")


def test_huge_file_is_refused(sample_content, build_site):
    path = add(sample_content, "news/huge.md", news(body="大" * 2_000))
    result = build_site(sample_content, GAZETTE_MAX_FILE_BYTES=4000)
    size = os.path.getsize(sample_content / "news" / "huge.md")
    assert_fails_with(result, f"{path}: (file): is {size:,} bytes, more than GAZETTE_MAX_FILE_BYTES (4,000); "
                              "split it or attach the long part as a file")


def test_feeds_cap_a_huge_body(sample_content, build_site):
    add(sample_content, "news/long.md", news(body="长文。" * 3000, extra="summary: 一篇很长的文章。\n"))
    result = build_site(sample_content, FEEDS_MAX_CONTENT_CHARS=5000)
    assert result.returncode == 0, result.stderr
    feed = (result.output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "长文。" * 10 not in feed
    assert "一篇很长的文章。" in feed and "阅读全文" in feed
    assert len(feed) < 60_000

