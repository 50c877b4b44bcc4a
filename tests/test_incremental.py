"""Rebuilds reuse parsed files and unchanged pages, and give exactly what a clean build gives."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest
from conftest import DEMO, ROOT, build

from gazette.files import load_pickle, save_pickle


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def age(root: Path, seconds: int = 60) -> None:
    """Date every file back, as content edited a while before the build (fresh edits are not trusted)."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*.html")}


def assert_same_as_clean(content: Path, incremental: Path, tmp_path: Path, name: str) -> None:
    """Build the same content from nothing (its own cache) and compare every byte."""
    clean = build(content, tmp_path / f"clean-{name}" / "output", conf="publishconf")
    assert clean.returncode == 0, clean.stderr
    got, want = tree(incremental), tree(clean.output)
    assert sorted(got) == sorted(want)
    assert [rel for rel in want if got[rel] != want[rel]] == []


@pytest.fixture
def rebuild(sample_content, tmp_path):
    """Build the sample site in place, again and again, with one cache (as make html does)."""

    def run():
        result = build(sample_content, tmp_path / "inc" / "output", conf="publishconf")
        assert result.returncode == 0, result.stderr
        return result

    return run


def test_no_change_rebuild_stops_at_once_and_touching_renders_nothing(rebuild, sample_content):
    age(sample_content)
    first = rebuild()
    before, files = mtimes(first.output), tree(first.output)
    second = rebuild()
    assert "fast_build: nothing changed" in second.stdout and "Done: Processed" not in second.stdout
    assert tree(second.output) == files and mtimes(second.output) == before
    # A saved-again file (new mtime, same bytes) runs the build, but no page is rendered.
    news = sample_content / "news" / "gzdt-1.md"
    news.write_bytes(news.read_bytes())
    third = rebuild()
    pages = len(before)
    assert f"fast_build: {pages} pages: {pages} unchanged (not rendered)" in third.stdout
    assert tree(third.output) == files and mtimes(third.output) == before


def test_a_build_right_after_an_edit_is_not_trusted_to_be_up_to_date(rebuild, sample_content):
    """A same-size edit within the file's mtime tick would keep its stamp: such a build is not recorded."""
    age(sample_content)
    news = sample_content / "news" / "gzdt-1.md"
    news.write_text(news.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    now = time.time_ns() // 10_000_000 * 10_000_000  # saved just now, on a file system with 2 s mtimes
    os.utime(news, ns=(now, now))
    rebuild()
    again = rebuild()
    assert "nothing changed" not in again.stdout and "Done: Processed" in again.stdout


def test_a_deleted_output_page_comes_back(rebuild):
    first = rebuild()
    files = tree(first.output)
    (first.output / "gzdt" / "index.html").unlink()
    second = rebuild()
    assert "1 from the page store, 0 rendered the same, 0 written" in second.stdout
    assert tree(second.output) == files


def test_a_fresh_output_folder_gets_its_pages_from_the_page_store(rebuild):
    """CI and `make publish` build into an empty folder: unchanged pages are linked in, not rendered."""
    first = rebuild()
    files, pages = tree(first.output), len(mtimes(first.output))
    first.output.rename(first.output.with_name("output.old"))
    second = rebuild()
    assert f"{pages} pages: 0 unchanged (not rendered), {pages} from the page store, 0 rendered the same" \
        in second.stdout
    assert tree(second.output) == files


def test_a_page_altered_in_place_is_not_taken_from_the_store(rebuild):
    """The store shares files with the output; a page someone overwrote in place is rendered again."""
    first = rebuild()
    files = tree(first.output)
    with (first.output / "gzdt" / "index.html").open("r+b") as fh:
        fh.write(b"<!-- altered in place -->")
    first.output.rename(first.output.with_name("output.old"))
    second = rebuild()
    pages = len(mtimes(second.output))
    assert f"{pages - 1} from the page store, 0 rendered the same, 1 written" in second.stdout
    assert tree(second.output) == files


def test_after_an_edit_a_fresh_folder_equals_a_clean_build(rebuild, sample_content, tmp_path):
    """The edited page and every list that shows it are rendered; nothing stale comes from the store."""
    first = rebuild()
    news = sample_content / "news" / "gzdt-1.md"
    text = news.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    news.write_text(text.replace(title, "title: 改过的标题", 1) + "\n补充说明。\n", encoding="utf-8")
    first.output.rename(first.output.with_name("output.old"))
    second = rebuild()
    assert "改过的标题" in second.html("index.html") and "补充说明" in second.html("gzdt/2024/gzdt-1/index.html")
    assert_same_as_clean(sample_content, second.output, tmp_path, "fresh")


def test_editing_a_body_rewrites_that_page_only_and_equals_a_clean_build(rebuild, sample_content, tmp_path):
    first = rebuild()
    before = mtimes(first.output)
    news = sample_content / "news" / "gzdt-1.md"
    news.write_text(news.read_text(encoding="utf-8") + "\n补充说明：本文已更新。\n", encoding="utf-8")
    second = rebuild()
    changed = {rel for rel, ns in mtimes(second.output).items() if before.get(rel) != ns}
    assert changed == {"gzdt/2024/gzdt-1/index.html"}
    assert f"{len(before) - 1} unchanged (not rendered), 0 from the page store, 0 rendered the same, 1 written" \
        in second.stdout
    assert "补充说明" in second.html("gzdt/2024/gzdt-1/index.html")
    assert_same_as_clean(sample_content, second.output, tmp_path, "body")


def test_editing_a_title_renders_only_the_pages_showing_it(rebuild, sample_content, tmp_path):
    first = rebuild()
    before = mtimes(first.output)
    news = sample_content / "news" / "gzdt-1.md"
    text = news.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    news.write_text(text.replace(title, "title: 改过的标题", 1), encoding="utf-8")
    second = rebuild()
    changed = {rel for rel, ns in mtimes(second.output).items() if before.get(rel) != ns}
    # its page, its column's list and the home page's 工作动态 block: nothing else shows the title
    assert changed == {"gzdt/2024/gzdt-1/index.html", "gzdt/index.html", "index.html"}
    assert f"{len(before) - 3} unchanged (not rendered), 0 from the page store, 0 rendered the same, 3 written" \
        in second.stdout
    assert "改过的标题" in second.html("index.html")
    assert_same_as_clean(sample_content, second.output, tmp_path, "title")


def test_a_new_document_renders_its_page_and_the_lists_showing_it(rebuild, sample_content, tmp_path):
    first = rebuild()
    before = mtimes(first.output)
    (sample_content / "news" / "gzdt-new.md").write_text(
        "---\ntitle: 新增的动态\ndate: 2024-05-30 09:00\n---\n新增正文。\n", encoding="utf-8")
    second = rebuild()
    changed = {rel for rel, ns in mtimes(second.output).items() if before.get(rel) != ns}
    # the newest item of all: the home page also says when the site was last updated
    assert changed == {"gzdt/2024/gzdt-new/index.html", "gzdt/index.html", "index.html"}
    assert f"{len(before) - 2} unchanged (not rendered), 0 from the page store, 0 rendered the same, 3 written" \
        in second.stdout
    assert_same_as_clean(sample_content, second.output, tmp_path, "new")


def test_the_first_document_of_a_column_renders_only_the_pages_it_reaches(rebuild, sample_content, tmp_path):
    """Its column gets a feed; pages that name only other feeds stay as they are (not rendered again)."""
    site = sample_content / "_data" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "  - {id: gzdt, name: 工作动态, type: news, interval: 14}\n",
        "  - {id: gzdt, name: 工作动态, type: news, interval: 14}\n  - {id: tzgg, name: 通知公告, type: notice}\n"),
        encoding="utf-8")
    first = rebuild()
    assert "tzgg" in first.html("index.html")
    total = len(re.findall(r"<loc>", first.html("sitemap.xml")))
    (sample_content / "notice").mkdir()
    (sample_content / "notice" / "tz-1.md").write_text(
        "---\ntitle: 第一则通知\ndate: 2024-05-30 09:00\n---\n通知正文。\n", encoding="utf-8")
    second = rebuild()
    done = re.search(r"fast_build: (\d+) pages: (\d+) unchanged \(not rendered\)", second.stdout)
    pages, unchanged = int(done.group(1)), int(done.group(2))
    # its page, its column, the home page, the feeds page, the type's list: a handful, not all of them
    assert pages - unchanged <= 6 and pages > total, second.stdout
    assert re.search(r'<link [^>]*feeds/tzgg\.xml[^>]*alternate', second.html("tzgg/index.html"))  # its column names it
    assert_same_as_clean(sample_content, second.output, tmp_path, "first-of-column")


def test_where_a_build_keeps_its_records_is_no_part_of_a_pages_key(sample_content, tmp_path):
    """The devserver records problems in a new file each session, make check its schedule: no page renders again."""
    def run(problems: str) -> str:
        done = build(sample_content, tmp_path / "out", conf="publishconf",
                     GAZETTE_PROBLEMS_FILE=str(tmp_path / f"{problems}.json"),
                     GAZETTE_SCHEDULE_FILE=str(tmp_path / f"{problems}-schedule.json"))
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = run("one")
    pages = int(re.search(r"fast_build: (\d+) pages", first).group(1))
    os.utime(sample_content / "news" / "gzdt-1.md")  # something to build (else the build stops at once)
    assert f"{pages} pages: {pages} unchanged (not rendered)" in run("two")
    assert (tmp_path / "two.json").is_file() and (tmp_path / "two-schedule.json").is_file()


def test_make_check_after_make_html_renders_no_page_again(sample_content, tmp_path):
    """The inspection's settings change no page (their table says so): switching it on only adds the report."""
    out = tmp_path / "out"
    html = build(sample_content, out, conf="publishconf")
    assert html.returncode == 0, html.stderr
    pages, before = int(re.search(r"fast_build: (\d+) pages", html.stdout).group(1)), tree(out)
    check = build(sample_content, out, conf="publishconf", INSPECTION_ENABLED=True, INSPECTION_TODAY="2026-11-23")
    assert check.returncode == 0, check.stderr
    assert f"{pages} pages: {pages} unchanged (not rendered)" in check.stdout
    after = tree(out)
    assert any(rel.startswith("inspection/") for rel in after) and not any(r.startswith("inspection/") for r in before)
    assert {rel: data for rel, data in after.items() if not rel.startswith("inspection/")} == before
    # A setting pages do show still renders them all.
    renamed = build(sample_content, out, conf="publishconf", INSPECTION_ENABLED=True, INSPECTION_TODAY="2026-11-23",
                    SITENAME="另一个名字")
    assert renamed.returncode == 0, renamed.stderr
    assert f"{pages} pages: 0 unchanged" in renamed.stdout


def test_a_list_showing_a_field_of_the_body_follows_it(sample_content, tmp_path):
    """Which pages read what is recorded, not guessed: a list that shows descriptions follows body edits."""
    overrides = tmp_path / "overrides"
    (overrides / "components").mkdir(parents=True)
    macros = (ROOT / "themes/gazette/templates/components/macros.html").read_text(encoding="utf-8")
    assert "{{ doc.title }}</a>" in macros
    (overrides / "components" / "macros.html").write_text(
        macros.replace("{{ doc.title }}</a>", "{{ doc.title }}</a><span class=probe>{{ doc.description }}</span>", 1),
        encoding="utf-8")

    def run():
        result = build(sample_content, tmp_path / "inc" / "output", conf="publishconf",
                       THEME_TEMPLATES_OVERRIDES=[str(overrides)])
        assert result.returncode == 0, result.stderr
        return result

    first = run()
    assert "加强政府网站建设。" in first.html("zcwj/index.html")  # the description comes from the body
    policy = sample_content / "policy" / "yl-2024-5.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("加强政府网站建设。", "全面加强政府网站集约化建设。"),
                      encoding="utf-8")
    second = run()
    assert "全面加强政府网站集约化建设。" in second.html("zcwj/index.html")


def test_a_document_turned_draft_disappears_and_a_new_one_appears(rebuild, sample_content, tmp_path):
    first = rebuild()
    assert (first.output / "gzdt/2024/gzdt-1/index.html").is_file()
    news = sample_content / "news" / "gzdt-1.md"
    news.write_text(news.read_text(encoding="utf-8").replace("---\n", "---\nstatus: draft\n", 1), encoding="utf-8")
    (sample_content / "news" / "gzdt-new.md").write_text(
        "---\ntitle: 新增的动态\ndate: 2024-05-30 09:00\n---\n新增正文。\n", encoding="utf-8")
    second = rebuild()
    assert not (second.output / "gzdt/2024/gzdt-1/index.html").exists()
    assert "新增的动态" in second.html("gzdt/index.html")
    assert_same_as_clean(sample_content, second.output, tmp_path, "draft")


def test_cached_parse_still_reports_warnings(sample_content, tmp_path):
    """A file read from the cache must fail a --fatal warnings build just as a fresh read does."""
    (sample_content / "news" / "odd.md").write_text(
        "---\ntitle: 有警告\ndate: 2024-05-30 09:00\n---\n<p onclick=\"x()\">正文。</p>\n", encoding="utf-8")
    out = tmp_path / "warn" / "output"
    first = build(content=sample_content, output=out, fatal=None)
    again = build(content=sample_content, output=out)
    line = "news/odd.md: body: line 5: event-handler attribute removed"
    assert first.returncode == 0 and line in first.stderr
    assert again.returncode != 0 and line in again.stderr


def test_an_up_to_date_build_still_runs_once_an_embargo_ends(sample_content, tmp_path):
    """With the real clock, the record says until when the output holds; past that, the build runs."""
    release = (dt.datetime.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    (sample_content / "news" / "later.md").write_text(
        f"---\ntitle: 定时发布的消息\ndate: 2024-05-30 09:00\npublish_at: {release:%Y-%m-%d %H:%M}\n---\n正文。\n",
        encoding="utf-8")
    out = tmp_path / "clock" / "output"
    age(sample_content)
    first = build(sample_content, out, GAZETTE_BUILD_TIME=None)
    assert first.returncode == 0, first.stderr
    assert "定时发布的消息" not in first.html("gzdt/index.html")
    records = list((out.parent / "cache" / "gazette-pages").glob("*.build.pickle"))
    record = load_pickle(str(records[0]))
    assert record["valid_until"].replace(tzinfo=None) == release  # the portal runs on Asia/Shanghai time, as TZ here
    assert "nothing changed" in build(sample_content, out, GAZETTE_BUILD_TIME=None).stdout
    record["valid_until"] = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)  # as if the release time had come
    save_pickle(str(records[0]), record)
    again = build(sample_content, out, GAZETTE_BUILD_TIME=None)
    assert "nothing changed" not in again.stdout and "Done: Processed" in again.stdout


def test_workers_change_nothing_in_the_output(tmp_path):
    """The demo parsed, rendered and inspected in two worker processes equals a one-process build."""
    builds = [build(DEMO, tmp_path / f"w{n}" / "output", GAZETTE_BUILD_TIME="2026-11-22 12:00",
                    INSPECTION_ENABLED=True, GAZETTE_WORKERS=n) for n in (1, 2)]
    for result in builds:
        assert result.returncode == 0, result.stderr
    one, two = (tree(b.output) for b in builds)
    assert len(one) > 100 and sorted(one) == sorted(two)
    assert [rel for rel in one if one[rel] != two[rel]] == []


def test_relative_source_paths_are_pelicans(tmp_path, monkeypatch):
    """The kept relative source path (fast_build.relative_paths) is the one Pelican works out, every time."""
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
    from fast_build import relative_paths
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    def article(root: str, source: str) -> Article:
        return Article("", metadata={"title": "t"}, settings={**DEFAULT_CONFIG, "PATH": root}, source_path=source)

    monkeypatch.chdir(tmp_path)
    (tmp_path / "content" / "news").mkdir(parents=True)
    relative_paths.install()
    for root in (str(tmp_path / "content"), "content", str(tmp_path / "content") + "/"):
        for source in ("news/a.md", str(tmp_path / "content" / "news" / "b.md"), "../outside.md", "./news/../c.md"):
            doc = article(root, source)
            assert doc.get_relative_source_path() == relative_paths.pelicans(doc), (root, source)
            assert doc.relative_source_path == relative_paths.pelicans(doc)
            assert doc.get_relative_source_path("news/x.md") == relative_paths.pelicans(doc, "news/x.md")
        monkeypatch.chdir(tmp_path / "content")  # a relative PATH means another folder from here
        doc = article("content", "news/a.md")
        assert doc.get_relative_source_path() == relative_paths.pelicans(doc)
        monkeypatch.chdir(tmp_path)


def test_digests_worked_out_once_a_process_are_the_digests_of_their_shape():
    """Empty lists, documents and objects seen by their type are digested once a process (deps.raw_digest):
    each must be what digesting its shape gives, so a subclass or a document's field never slips through."""
    from fast_build import deps
    from markupsafe import Markup
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    class Pager:
        pass

    class Pages(list):
        pass

    doc = Article("", metadata={"title": "t"}, settings=DEFAULT_CONFIG, source_path="/c/news/a.md")
    other = Article("", metadata={"title": "u"}, settings=DEFAULT_CONFIG, source_path="/c/news/b.md")
    values = [[], (), Pages(), Pages([doc]), [doc], (doc,), doc, other, Pager(), {}, set(),
              [Markup("m")], {"a": [doc]}]
    for value in values + values:  # (the second time from what the first kept)
        assert deps.raw_digest(value) == deps._pickled_digest(value), value
    assert len({deps.raw_digest(v) for v in values}) == len(values)


def test_the_manifests_path_table_keeps_each_pages_reads_through_pickling_and_pruning():
    """A page's reads are numbers into the manifest's PathTable: the numbers must name the same paths after the
    manifest is saved and loaded, and after the paths no page reads any more are dropped."""
    import pickle
    from array import array

    from fast_build import deps
    from fast_build.fast_build import pruned

    table = deps.PathTable()
    fields = [(("doc", f"/c/news/{n}.md"), ("attr", attr)) for n in range(1500) for attr in ("title", "url")]
    others = [(("var", "SITE_DATA"), ("attr", "site"), ("index", n)) for n in range(20)] + \
        [(("doc", "/c/news/1.md"), ("attr", "attachments"), ("index", 0)), (("var", "output_file"),)]
    every = fields + others
    assert [table.number(p) for p in every] == list(range(len(every)))
    assert [table.number(p) for p in reversed(every)] == list(reversed(range(len(every))))
    loaded = pickle.loads(pickle.dumps(table, protocol=5))
    assert [loaded.path(n) for n in range(len(every))] == every
    assert loaded.shown(0) == "" and loaded.shown(len(every) - 1) == repr(every[-1])
    assert loaded.number(every[7]) == 7 and loaded.number(every[-1]) == len(every) - 1 and len(loaded) == len(every)
    # Two pages read a few paths; the rest go, and each page still names what it read.
    pages = {"a/index.html": ("k1", (1, 2), array("I", [3000, 5, 3001, 5])),
             "b/index.html": ("k2", (3, 4), array("I", [len(every) - 1, 2999])), "c.xml": ("k3", (5, 6), None)}
    kept, paths = pruned(pages, loaded)
    assert len(paths) == 5
    for rel, (key, st, ids) in pages.items():
        assert kept[rel][:2] == (key, st)
        assert (kept[rel][2] is None) == (ids is None)
        if ids is not None:
            assert [paths.path(n) for n in kept[rel][2]] == [every[n] for n in ids]
    assert pruned(kept, paths) == (kept, paths)  # (few paths: nothing to drop)
