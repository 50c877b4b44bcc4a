"""Chinese search split into Pagefind shards: layout, reuse between builds, merging in a browser."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import build

SHARDED = {"SITE_SEARCH_SHARD_SIZE": 2}


def manifest(output: Path) -> dict:
    return json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8"))["languages"]


def digests(output: Path) -> set[str]:
    """The digests of the runtime bundle and of every shard: the cache entries a build uses."""
    found = json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return {found["runtime"]} | {s["digest"] for lang in found["languages"].values() for s in lang["shards"]}


def cached_digests(cache: Path) -> set[str]:
    """The bundles in the cache (CACHE_PATH/site_search/<generation>/<xx>/<digest>/)."""
    return {p.name for p in (cache / "site_search").glob("*/*/*") if p.is_dir()}


def files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def contents(folder: Path) -> dict[str, bytes]:
    return {rel: p.read_bytes() for rel, p in files(folder).items()}


def stamps(folder: Path) -> dict[str, int]:
    return {rel: p.stat().st_mtime_ns for rel, p in files(folder).items()}


def fragments(shard: Path) -> list[dict]:
    """The records of one shard as Pagefind stores them (URL, bigram content, metadata)."""
    out = []
    for path in sorted(shard.glob("fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        out.append(json.loads(data.removeprefix(b"pagefind_dcd")))
    return out


def test_records_are_split_into_shards_per_language(sample_content, build_site):
    result = build_site(sample_content, **SHARDED)
    assert result.returncode == 0, result.stderr
    bundle = result.output / "pagefind"
    languages = manifest(result.output)
    assert sorted(languages) == ["en", "zh-cn"]
    zh = languages["zh-cn"]
    ids = [s["id"] for s in zh["shards"]]
    assert len(ids) >= 3, ids  # 11 documents, about 2 per shard
    numbers = [int(i.removeprefix("zh-cn-")) for i in ids]
    count = 1
    while count * 2 < zh["pages"]:
        count *= 2  # shards per language: the least power of two that averages ≤ 2 documents
    assert numbers == sorted(numbers) and max(numbers) < count
    # Pagefind's script and WebAssembly once, in the bundle folder, with a placeholder index
    # per language (Chinese needs no stemmer, English loads one); search.js merges the shards.
    runtime = {p.name for p in bundle.iterdir()} - {*ids, "en-0", "shards.json"}
    assert {"pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind", "wasm.en.pagefind",
            "pagefind-entry.json", "index", "fragment"} <= runtime
    assert not [n for n in runtime if "ui" in n or "highlight" in n]  # search.js needs none of Pagefind's UI
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sorted(entry["languages"]) == ["en", "zh-cn"]
    urls = []
    for shard_id in ids:
        shard = bundle / shard_id
        entry = json.loads((shard / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == ["zh-cn"]
        records = fragments(shard)
        assert entry["languages"]["zh-cn"]["page_count"] == len(records) > 0
        urls += [r["url"] for r in records]
        assert sorted(p.name for p in shard.iterdir() if p.suffix != ".pf_meta") == [
            "fragment", "index", "pagefind-entry.json"]
    assert len(urls) == len(set(urls)) == zh["pages"]
    assert "/zcwj/2024/yl-2024-5/" in urls and "/en/about/" not in urls
    assert [r["url"] for r in fragments(bundle / "en-0")] == ["/en/about/"]
    # Lone characters are marked so that they are never a prefix of a pair (see bigrams()).
    text = " ".join(r["content"] for r in fragments(bundle / ids[0]))
    assert not re.search(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?![\u4e00-\u9fff_])", text)


def test_unchanged_shards_are_reused_not_reindexed(sample_content, build_site, tmp_path):
    cache = tmp_path / "cache"
    settings = {**SHARDED, "CACHE_PATH": str(cache)}
    first = build_site(sample_content, **settings)
    assert first.returncode == 0, first.stderr
    bundle = first.output / "pagefind"
    built, written = contents(bundle), stamps(bundle)
    entries = stamps(cache / "site_search")
    assert cached_digests(cache) == digests(first.output)

    again = build_site(sample_content, **settings)  # no change: nothing indexed, nothing rewritten
    assert again.returncode == 0, again.stderr
    assert contents(bundle) == built and stamps(bundle) == written
    assert stamps(cache / "site_search") == entries

    shutil.rmtree(first.output)  # every shard comes from the cache, byte for byte
    cached = build_site(sample_content, **settings)
    assert cached.returncode == 0, cached.stderr
    assert contents(bundle) == built
    assert stamps(cache / "site_search") == entries  # no Pagefind run replaced or added an entry

    shutil.rmtree(first.output)  # and a build without the cache indexes the same bytes afresh
    fresh = build_site(sample_content, **SHARDED, GAZETTE_CACHE=False)
    assert fresh.returncode == 0, fresh.stderr
    assert contents(bundle) == built


def test_editing_or_adding_a_document_changes_one_shard(sample_content, build_site, tmp_path):
    cache = tmp_path / "cache"
    settings = {**SHARDED, "CACHE_PATH": str(cache)}
    assert build_site(sample_content, **settings).returncode == 0
    output = tmp_path / "output"
    before, written = manifest(output), stamps(output / "pagefind")

    policy = sample_content / "policy" / "yl-2024-5.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n独树一帜的修订说明。\n", encoding="utf-8")
    edited = build_site(sample_content, **settings)
    assert edited.returncode == 0, edited.stderr
    after = manifest(output)
    changed = changed_shards(before, after)
    assert len(changed) == 1
    shard = output / "pagefind" / changed[0]
    assert any("独树 树一 一帜" in r["content"] for r in fragments(shard))
    assert "/zcwj/2024/yl-2024-5/" in [r["url"] for r in fragments(shard)]

    def others(found: dict[str, int]) -> dict[str, int]:
        return {rel: t for rel, t in found.items() if not rel.startswith((changed[0] + "/", "shards.json"))}

    assert others(stamps(output / "pagefind")) == others(written)  # the other shards were not rewritten
    # The cache keeps exactly the shards this build uses: the edited one's old entry is gone.
    assert cached_digests(cache) == digests(output)

    news = sample_content / "news" / "gzdt-2.md"
    news.write_text("---\ntitle: 样例市举办政务公开日活动\ndate: 2024-05-31 09:00\n---\n"
                    "样例市举办政务公开日活动，市民走进政府机关。\n", encoding="utf-8")
    added = build_site(sample_content, **settings)
    assert added.returncode == 0, added.stderr
    grown = manifest(output)
    assert grown["zh-cn"]["pages"] == after["zh-cn"]["pages"] + 1
    assert len(changed_shards(after, grown)) == 1


def changed_shards(before: dict, after: dict) -> list[str]:
    """Ids of the shards that are new or whose digest changed."""
    old = {s["id"]: s["digest"] for lang in before.values() for s in lang["shards"]}
    return [s["id"] for lang in after.values() for s in lang["shards"] if old.get(s["id"]) != s["digest"]]


def search(browser, url: str, query: str) -> tuple[str, list[str]]:
    """Search the site at url as a visitor does; return the status line and the result links."""
    page = browser.new_page()
    try:
        page.goto(f"{url}/search/?q={query}")
        page.wait_for_function("(s => s && !s.startsWith('正在'))"
                               "(document.getElementById('gz-search-status').textContent)", timeout=15000)
        status = page.text_content("#gz-search-status")
        found = page.eval_on_selector_all("#gz-search-results a", "els => els.map(e => e.getAttribute('href'))")
    finally:
        page.close()
    return status, found


@pytest.mark.parametrize("query", ["信息公开", "政府网站建设", "办事", "政务公开 工作"])
def test_demo_search_merges_shards(browser, demo_build, demo_url, query):
    bundle = demo_build.output / "pagefind"
    shards = [s["id"] for s in manifest(demo_build.output)["zh-cn"]["shards"]]
    assert len(shards) > 4
    # What one index would find: the pages that have every pair of the query that any page has.
    pages = {r["url"]: r["content"].split() for shard in shards for r in fragments(bundle / shard)}
    pairs = [p for p in dict.fromkeys(query[i:i + 2] for i in range(len(query) - 1))
             if any(w.startswith(p) for words in pages.values() for w in words)]
    expected = sorted(url for url, words in pages.items() if all(any(w.startswith(p) for w in words) for p in pairs))
    status, found = search(browser, demo_url, query)
    assert sorted(found) == expected and expected
    assert status == f"找到 {len(found)} 条与“{query}”相关的结果"
    if query == "信息公开":  # inside 政府信息公开工作, 信息公开指南…
        assert "/zcwj/2026/bzbf-2026-18/" in found and "/zwgkzn/" in found


def test_sharded_index_finds_what_one_index_finds(browser, sample_content, tmp_path):
    """A word that only some shards contain must still be required (Pagefind drops unknown words)."""
    from browser import serve

    queries = ["政府网站", "信息公开", "网站建设", "征求意见正文", "已废止的办法", "样例市人民政府", "政务公开 会议", "About"]
    results = {}
    for name, size in [("one", 1000), ("sharded", 1)]:
        built = build(sample_content, tmp_path / name / "output", SITE_SEARCH_SHARD_SIZE=size)
        assert built.returncode == 0, built.stderr
        shards = len(manifest(built.output)["zh-cn"]["shards"])
        assert shards == 1 if name == "one" else shards > 4
        with serve(built.output) as url:
            results[name] = {q: (status, sorted(found)) for q in queries for status, found in [search(browser, url, q)]}
    assert results["sharded"] == results["one"]
    assert all(found for q, (_, found) in results["one"].items() if q != "About"), results["one"]
    assert results["one"]["About"][1] == []  # the English page is not in the Chinese index
