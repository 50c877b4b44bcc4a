"""The page store (the cache layer's bulk files) hands back exactly what was stored, never an altered file,
and keeps only the pages some manifest names."""

from __future__ import annotations

import os
import sys
import time

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from fast_build.page_store import manifests_keys

from gazette.cache import Cache
from gazette.files import file_digest, save_pickle, stamp

KEY, OTHER = "ab" + "1" * 38, "cd" + "2" * 38
DAYS = 30


def open_store(tmp) -> Cache:
    """The page store as a build opens it."""
    return Cache.open({"CACHE_PATH": str(tmp / "cache")}, "page_store", code="test")


def keep(store: Cache, added: dict[str, str | None], wanted: set[str]) -> None:
    """What FastWriter does at the end of a build: seal the new pages, keep the wanted ones."""
    for key, digest in added.items():
        store.seal(key, digest)
    store.retain(wanted)
    store.prune()


@pytest.fixture
def written(tmp_path):
    """A page as FastWriter leaves it, and a store that has kept it under KEY."""
    page = tmp_path / "output" / "a" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_bytes("<p>政策文件</p>".encode())
    store = open_store(tmp_path)
    keep(store, {KEY: store.store_file(KEY, str(page))}, {KEY})
    return page, tmp_path


def test_a_stored_page_comes_back_byte_for_byte_in_a_fresh_folder(written):
    page, tmp = written
    fresh = tmp / "fresh" / "a" / "index.html"
    store = open_store(tmp)  # a later build reads the saved digests
    assert store.place_file(KEY, str(fresh))
    assert fresh.read_bytes() == page.read_bytes() and stamp(str(fresh)) == stamp(str(page))
    assert not store.place_file(OTHER, str(tmp / "fresh" / "b.html"))


def test_a_stored_page_altered_in_place_is_not_handed_out(written):
    page, tmp = written
    before = page.stat()
    with page.open("r+b") as fh:  # the store shares this file
        fh.write(b"<!--")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as stored (`touch -r`)
    assert not open_store(tmp).place_file(KEY, str(tmp / "fresh" / "a.html"))


def test_across_file_systems_pages_are_copied(written, monkeypatch):
    page, tmp = written

    def no_links(*args):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    fresh = tmp / "fresh" / "a.html"
    assert open_store(tmp).place_file(KEY, str(fresh))
    assert fresh.read_bytes() == page.read_bytes() and os.stat(fresh).st_ino != os.stat(page).st_ino


def test_only_pages_some_recent_manifest_names_are_kept(written):
    page, tmp = written
    folder = tmp / "cache" / "gazette-pages"  # the output folders' manifests
    folder.mkdir()
    other = tmp / "output" / "b.html"
    other.write_text("<p>另一页</p>", encoding="utf-8")
    store = open_store(tmp)
    keep(store, {OTHER: store.store_file(OTHER, str(other))}, {KEY, OTHER})
    # A folder last built long ago names KEY, a recent one OTHER: only OTHER is kept.
    save_pickle(str(folder / "old.pickle"), {"format": 2, "pages": {"a/index.html": (KEY, stamp(str(page)), ())}})
    long_ago = time.time() - (DAYS + 1) * 86400
    os.utime(folder / "old.pickle", (long_ago, long_ago))
    save_pickle(str(folder / "recent.pickle"), {"format": 2, "pages": {"b.html": (OTHER, stamp(str(other)), ())}})
    keep(store, {}, manifests_keys(str(folder), {}, DAYS))
    assert sorted(p.name for p in (tmp / "cache" / "page_store").glob("*/*/*")) == [OTHER]
    assert not open_store(tmp).place_file(KEY, str(tmp / "fresh" / "a.html"))
    assert open_store(tmp).place_file(OTHER, str(tmp / "fresh" / "b.html"))
    assert (folder / "old.pickle").exists()  # its folder's next build still needs it
    assert page.read_bytes() == "<p>政策文件</p>".encode()  # the output's own link is untouched


def test_linking_a_page_onto_itself_leaves_no_temp_file(written):
    """A page 'rendered the same' may already be the stored file; renaming a link onto it does nothing."""
    page, tmp = written
    store = open_store(tmp)
    assert store.store_file(KEY, str(page)) == file_digest(str(page))
    assert store.place_file(KEY, str(page))
    leftovers = [p for p in tmp.rglob("*.tmp")]
    assert leftovers == []
