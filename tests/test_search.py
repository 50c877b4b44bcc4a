"""Site search: the index holds what pages show and nothing else; in Chromium it finds exactly the
pages whose text contains the query, ranks title and number hits first and pages through them all."""

from __future__ import annotations

import json
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, build
from searchindex import read, texts

sys.path.insert(0, str(ROOT))
from bench import phone_search
from bench.bench import WORDS, plan, write_gazette

BENCH_TIME = "2026-11-22 12:00"  # the clock bench.py builds its corpus with


def comparable_runs(text: str) -> set[str]:
    """The runs of three or more letters and digits of a page's text, as the index should hold them."""
    text = unicodedata.normalize("NFKC", text).lower().translate(phone_search.JOINERS)
    runs = "".join(c if c.isalnum() else " " for c in text).split()
    return {r for r in runs if len(r) >= 3}


def test_index_holds_what_each_document_page_shows_and_nothing_more(sample_build):
    out = sample_build.output
    index = read(out)
    rebuilt = texts(index)
    shown = phone_search.texts(out)
    chinese = {url for url in shown if not url.startswith("/en/")}
    assert set(rebuilt) == chinese  # every document page, each once
    for url in chinese:
        body = rebuilt[url][256:]  # the page's text zone (index.py TEXT)
        for run in comparable_runs(shown[url]):
            assert run in body, (url, run)  # the disclosure table, attachments, related titles too
        assert set(body.replace("\0", "")) <= set("".join(comparable_runs(shown[url]))), url
    # Results show the document's own title, type and date; numbered oldest first (a new one goes last).
    dates = [row[3] for row in index.results]
    assert dates == sorted(dates)
    policy = next(row for row in index.results if row[0] == "zcwj/2024/yl-2024-5/")
    assert policy[2] == "政策文件" and re.fullmatch(r"\d{4}-\d\d-\d\d", policy[3])
    assert "en/about/" in [row[0] for row in read(out, "en").results]


# --- in Chromium: thirty queries against the truth --------------------------------------------------

@dataclass
class Corpus:
    output: Path
    url: str


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """240 documents made as `make bench` makes them, with numbers and 索引号, built and served."""
    from browser import serve

    root = tmp_path_factory.mktemp("corpus")
    write_gazette(plan(240), root / "content")
    built = build(root / "content", root / "output", fatal=None, SITE_SEARCH_PER_PAGE=40, GAZETTE_BUILD_TIME=BENCH_TIME)
    assert built.returncode == 0, built.stderr
    with serve(built.output) as url:
        yield Corpus(built.output, url)


def test_thirty_queries_find_exactly_the_pages_that_contain_them(browser, corpus):
    asked = phone_search.queries(corpus.output)
    assert len(asked) == 30 and all(asked)
    pages = phone_search.texts(corpus.output)
    found = {}
    for query in asked:
        measured = phone_search.search(browser, corpus.url, query, throttle=False, page_through=10_000)
        found[query] = measured
        expected = phone_search.truth(pages, query)
        assert measured.every is not None and sorted(measured.every) == sorted(expected), query
        assert measured.count == len(expected), query
    # Not vacuous: common words, phrases, numbers and words no page has are all in the set.
    counts = [found[q].count for q in asked]
    assert max(counts) > 200 and 0 in counts and any(0 < c < 10 for c in counts)
    number = asked[-4]
    assert found[number].every == found[asked[-3]].every == found[asked[-2]].every  # 〔〕, [] and () alike
    assert found[number].every[0].startswith("/zcwj/")  # the policy first: its number, not a mention
    assert found[asked[-1]].count >= 1  # its 索引号


def test_title_and_number_hits_rank_first_then_newest(browser, corpus):
    index = read(corpus.output)
    rows = {"/" + row[0]: row for row in index.results}
    titles = [row[1] for row in index.results]
    # Words in the titles of some documents (and in the text of many more), and a phrase of two.
    words = [w for w in WORDS if 0 < sum(w in t for t in titles) < len(titles) / 4][:2]
    phrase = next(t[2:6] for t in titles if t.startswith("关于"))  # its first two words
    assert len(words) == 2, words
    for query in (*words, phrase):
        measured = phone_search.search(browser, corpus.url, query, throttle=False, page_through=10_000)
        order = measured.every
        in_title = [query in rows[url][1] for url in order]
        assert any(in_title) and not all(in_title), query
        first_other = in_title.index(False)
        assert all(in_title[:first_other]) and not any(in_title[first_other:]), query  # titles first
        for group in (order[:first_other], order[first_other:]):
            dates = [rows[url][3] for url in group]
            assert dates == sorted(dates, reverse=True), query  # newest first within each


def test_results_page_through_every_match(browser, corpus, tmp_path):
    from browser import serve

    site = build(corpus.output.parent / "content", tmp_path / "output", fatal=None, SITE_SEARCH_PER_PAGE=7,
                 GAZETTE_BUILD_TIME=BENCH_TIME)
    assert site.returncode == 0, site.stderr
    with serve(site.output) as url:
        measured = phone_search.search(browser, url, "营商环境", throttle=False, page_through=10_000)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        try:
            page.goto(f"{url}/search/?q=营商环境&page=2")
            page.wait_for_function("document.getElementById('gz-search-status').dataset.done === '1'")
            status = page.text_content("#gz-search-status")
            links = page.eval_on_selector_all("#gz-search-pager a", "els => els.map(e => [e.rel, e.textContent])")
            start = page.get_attribute("#gz-search-results", "start")
        finally:
            page.close()
    pages = -(-measured.count // 7)
    assert measured.count > 14 and len(measured.every) == len(set(measured.every)) == measured.count
    assert status.endswith(f"第 2/{pages} 页") and links == [["prev", "上一页"], ["next", "下一页"]] and start == "8"


def test_an_edit_rewrites_only_the_index_files_it_changes(corpus, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(corpus.output.parent / "content", content)
    first = build(content, tmp_path / "output", fatal=None, CACHE_PATH=str(tmp_path / "cache"), GAZETTE_BUILD_TIME=BENCH_TIME)
    assert first.returncode == 0, first.stderr
    folder = first.output / "search-index" / "zh-cn"
    before = {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    edited = next(content.glob("policy/*/*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n街道便民服务站延长开放时间。\n", encoding="utf-8")
    second = build(content, tmp_path / "output", fatal=None, CACHE_PATH=str(tmp_path / "cache"), GAZETTE_BUILD_TIME=BENCH_TIME)
    assert second.returncode == 0, second.stderr
    after = {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    changed = sorted(rel for rel in after if before.get(rel) != after[rel])
    postings = [rel for rel in changed if rel.startswith("p/")]
    # The dictionary names its version, so every shard of it changes; of the postings and the
    # result chunks only those of the new sentence's words.
    assert "index.json" in changed and not [rel for rel in changed if rel.startswith("m/")]
    assert 0 < len(postings) < 40 < len([rel for rel in after if rel.startswith("p/")]), postings
    assert set(before) - set(after) == set()  # nothing the new text does not need is dropped
    assert any("便民服务站" in text for text in texts(read(second.output)).values())


def test_a_stale_cached_index_json_is_noticed_and_fetched_again(browser, corpus):
    """A browser may keep index.json from before a publish; the dictionary's version gives it away."""
    current = (corpus.output / "search-index" / "zh-cn" / "index.json").read_text(encoding="utf-8")
    stale = json.loads(current)
    stale["version"] = "00" * 8
    asked = []

    def serve_stale_once(route):
        asked.append(route.request.headers.get("cache-control", ""))
        if len(asked) == 1:
            route.fulfill(status=200, content_type="application/json", body=json.dumps(stale))
        else:
            route.continue_()

    page = browser.new_page()
    try:
        page.route("**/search-index/zh-cn/index.json", serve_stale_once)
        page.goto(f"{corpus.url}/search/?q=营商环境")
        page.wait_for_function("document.getElementById('gz-search-status').dataset.done === '1'")
        status = page.text_content("#gz-search-status")
    finally:
        page.close()
    assert len(asked) == 2 and status.startswith("找到 "), (asked, status)


def test_an_index_built_in_segments_is_the_index_built_at_once(corpus, monkeypatch):
    """Segments are kept between builds and merged: the merge must give exactly the one-piece bytes."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from site_search import index
    from site_search.text import normalize

    built = read(corpus.output)
    rebuilt = texts(built)
    docs = [index.Doc(normalize(row[1]), normalize(row[0]), rebuilt.get("/" + row[0], ""), row) for row in built.results]
    monkeypatch.setattr(index, "SEGMENT", len(docs))
    whole = index.files(docs)
    monkeypatch.setattr(index, "SEGMENT", 7)  # 35 segments, the last one short
    monkeypatch.setattr(index, "PASS_CHARACTERS", 2000)  # and each in passes over the key space
    assert index.files(docs) == whole
