"""The cache layer: damaged entries never reach the output, --ignore-cache reads nothing, old generations go."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Build, write_settings

from gazette import cache as cache_layer
from gazette.cache import Cache, Memo
from gazette.files import save_verified

# Inspection on (its facts cache): every cache a build keeps.
SETTINGS = {"INSPECTION_ENABLED": True, "INSPECTION_TODAY": "2024-05-10"}
CACHES = {"gazette-parse", "jinja", "page_qr", "page_store", "site_search", "inspection", "open_data", "seo"}
DAY_NS = 86_400 * 10**9


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pelican(content: Path, output: Path, cache: Path, *options: str) -> Build:
    """A build as conftest.build runs one, with this cache and extra command-line options."""
    settings = write_settings(output.parent, content, CACHE_PATH=str(cache), **SETTINGS)
    cmd = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings),
           "--fatal", "warnings", *options]
    env = {**os.environ, "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8", "COLUMNS": "200"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=output.parent, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    return Build(proc.returncode, proc.stdout, proc.stderr, output, content)


def damage(root: Path, spare: tuple[str, ...] = ()) -> int:
    """Truncate every other file under root to half; flip a byte of the rest, keeping size and mtime.

    Files named in spare, or directly in a folder named in spare, are left alone. Hard-linked
    entries are damaged in place, as an editor saving over a published page would.
    """
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and p.name not in spare and p.parent.name not in spare]
    for number, path in enumerate(files):
        before = path.stat()
        data = path.read_bytes()
        with path.open("r+b") as fh:
            if number % 2:
                fh.truncate(len(data) // 2)
            elif data:
                fh.seek(len(data) // 2)
                fh.write(bytes([data[len(data) // 2] ^ 0x20]))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return len(files)


def summary(result: Build) -> str:
    return next(line for line in result.stdout.splitlines() if line.startswith("fast_build:"))


def test_damaged_cache_never_reaches_the_output_and_ignore_cache_reads_nothing(sample_content, tmp_path):
    past = time.time() - 60  # content saved a while ago: the up-to-date record is written
    for path in sample_content.rglob("*"):
        os.utime(path, (past, past))
    cache = tmp_path / "cache"
    clean = pelican(sample_content, tmp_path / "a" / "output", cache)
    expected = tree(clean.output)
    assert {p.name for p in cache.iterdir()} == CACHES | {"gazette-pages"}

    # Every entry of every cache, the page files linked into the output included; the records
    # (manifests) and the caches' digest books are spared, so that pages are looked up and their
    # own digests must turn them away.
    assert damage(cache, spare=("gazette-pages", "digests.pickle")) > 50
    clean.output.rename(clean.output.with_name("output.old"))
    entries = pelican(sample_content, clean.output, cache)
    assert "0 from the page store" in summary(entries)
    assert tree(entries.output) == expected

    # Then every file, records and books too, into a fresh folder.
    assert damage(cache) > 50
    fresh = pelican(sample_content, tmp_path / "b" / "output", cache)
    assert tree(fresh.output) == expected

    # --ignore-cache renders every page in place and reads no entry; the same command again is
    # not stopped by the up-to-date record the first one wrote.
    pages = summary(clean).split()[1]
    for attempt in range(2):
        ignored = pelican(sample_content, fresh.output, cache, "--ignore-cache")
        assert summary(ignored).startswith(f"fast_build: {pages} pages: 0 unchanged (not rendered), "
                                           "0 from the page store, "), attempt
        assert tree(ignored.output) == expected
    assert list((cache / "gazette-pages").glob("*.build.pickle"))


@pytest.mark.parametrize(("argv", "expected"), [
    (["content", "--ignore-cache"], True), (["--ignore-c", "-s", "x.py"], True), (["--i"], True),
    (["content", "-s", "x.py"], False), (["--"], False), (["--ignore-cache-please"], False)])
def test_ignore_cache_is_read_from_pelicans_command_line(argv, expected):
    assert cache_layer.ignore_cache_requested(argv) is expected


def settings_for(tmp_path: Path, **overrides: object) -> dict[str, object]:
    return {"CACHE_PATH": str(tmp_path / "cache"), **overrides}


def test_a_changed_code_digest_starts_a_new_generation_and_prunes_the_old_one(tmp_path):
    old = Cache.open(settings_for(tmp_path), "codes", code={"code": "v1", "qrcode": "8.2"})
    old.put("ab12", b"<svg>old</svg>")
    old.prune()
    old.close()  # (its build is over)
    legacy = tmp_path / "cache" / "codes" / "0123-abcd.svg"  # a cache's files from before the layer
    legacy.write_bytes(b"<svg/>")

    new = Cache.open(settings_for(tmp_path), "codes", code={"code": "v2", "qrcode": "8.2"})
    assert new.generation != old.generation
    assert new.get("ab12") is None  # the new code makes its entries again
    new.put("ab12", b"<svg>new</svg>")
    assert new.prune() == 2
    assert sorted(p.name for p in (tmp_path / "cache" / "codes").iterdir()) == [new.generation]
    assert Cache.open(settings_for(tmp_path), "codes", code={"code": "v2", "qrcode": "8.2"}).get("ab12") == \
        b"<svg>new</svg>"


def test_a_generation_another_build_is_using_is_not_pruned(tmp_path):
    """`make html` and `make publish` side by side: each would remove the other's entries mid-build."""
    publishing = Cache.open(settings_for(tmp_path), "codes", code={"settings": "publish"})
    publishing.put("ab12", b"<svg>publish</svg>")
    building = Cache.open(settings_for(tmp_path), "codes", code={"settings": "html"})
    building.put("ab12", b"<svg>html</svg>")
    assert building.prune() == 0
    assert publishing.get("ab12") == b"<svg>publish</svg>"
    publishing.close()
    assert building.prune() == 1
    assert sorted(p.name for p in (tmp_path / "cache" / "codes").iterdir()) == [building.generation]


def test_entries_unused_for_the_cache_days_go_and_a_hit_refreshes_the_access_time(tmp_path):
    cache = Cache.open(settings_for(tmp_path), "codes", code="v1")
    for key in ("used", "unused", "recent"):
        cache.put(key, key.encode())
    month_ago = time.time_ns() - 31 * DAY_NS
    folder = Path(cache.folder)
    for key in ("used", "unused"):
        os.utime(folder / key[:2] / key, ns=(month_ago, month_ago))
    assert cache.get("used") == b"used"
    used = (folder / "us" / "used").stat()
    assert used.st_mtime_ns == month_ago and used.st_atime_ns > time.time_ns() - DAY_NS  # made then, used now
    assert cache.prune() == 1
    assert sorted(p.name for p in folder.glob("*/*")) == ["recent", "used"]

    cache.retain({"recent"})  # a cache that knows every entry it still wants
    cache.prune()
    assert sorted(p.name for p in folder.glob("*/*")) == ["recent"]


def test_damaged_entries_and_pickles_are_misses_and_removed(tmp_path):
    cache = Cache.open(settings_for(tmp_path), "facts", code="v1")
    cache.put_pickle("facts", {"pages": 3})
    entry = Path(cache.folder) / "fa" / "facts"
    assert cache.get_pickle("facts") == {"pages": 3}
    entry.write_bytes(entry.read_bytes()[:-3])
    assert cache.get_pickle("facts") is None and not entry.exists()
    save_verified(str(entry), b"\x80\x05garbled")  # the right digest over a pickle that is not one
    assert cache.get_pickle("facts") is None and not entry.exists()


def test_a_memo_answers_from_the_last_build_only_for_the_same_text_arguments_and_code(tmp_path):
    calls = []

    def cut(text: str, width: int) -> str:
        calls.append(text)
        return text[:width]

    def build(code: str = "v1", **settings: object) -> Memo:
        return Memo(settings_for(tmp_path, **settings), "descriptions", cut, code)

    first = build()
    assert [first("政策文件正文", 2), first("通知正文", 2)] == ["政策", "通知"]
    first.save()
    second = build()
    assert [second("政策文件正文", 2), second("通知正文", 3), second("新的正文", 2)] == ["政策", "通知正", "新的"]
    assert calls == ["政策文件正文", "通知正文", "通知正文", "新的正文"]  # other arguments, other result
    second.save()
    assert set(build().last.values()) == {"政策", "通知正", "新的"}  # only what the last build asked for
    calls.clear()
    assert build(code="v2")("政策文件正文", 2) == "政策" and calls == ["政策文件正文"]  # new code
    assert build(GAZETTE_IGNORE_CACHE=True)("通知正文", 3) == "通知正" and len(calls) == 2  # --ignore-cache

    entry = Path(build().cache.folder) / "me" / "memo"
    entry.write_bytes(entry.read_bytes().replace("通知".encode(), "伪造".encode()))  # a damaged entry is a miss
    assert build().last == {}


def test_bulk_entries_are_handed_out_only_with_the_digest_they_were_sealed_with(tmp_path):
    page = tmp_path / "output" / "index.html"
    page.parent.mkdir()
    page.write_bytes("<p>政策文件</p>".encode())
    cache = Cache.open(settings_for(tmp_path), "pages", code="v1")
    cache.seal("ab12", cache.store_file("ab12", str(page)))
    cache.prune()  # the build's end: the book is saved
    later = Cache.open(settings_for(tmp_path), "pages", code="v1")
    assert later.place_file("ab12", str(tmp_path / "fresh" / "index.html"))
    assert (tmp_path / "fresh" / "index.html").read_bytes() == page.read_bytes()
    before = page.stat()
    with page.open("r+b") as fh:  # edited in place in the output: the entry is the same file
        fh.write(b"<!--")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert not later.place_file("ab12", str(tmp_path / "other" / "index.html"))


def test_one_switch_and_ignore_cache_as_a_setting(tmp_path):
    off = Cache.open(settings_for(tmp_path, GAZETTE_CACHE=False), "codes", code="v1")
    off.put("ab12", b"x")
    assert off.get("ab12") is None and off.path("ab12") is None and not (tmp_path / "cache").exists()

    ignoring = Cache.open(settings_for(tmp_path, GAZETTE_IGNORE_CACHE=True), "codes", code="v1")
    ignoring.put("ab12", b"fresh")
    assert ignoring.get("ab12") is None  # nothing is read, fresh entries are written
    assert Cache.open(settings_for(tmp_path), "codes", code="v1").get("ab12") == b"fresh"
