"""The page store hands back exactly what was stored, never an altered file, and keeps only named pages."""

from __future__ import annotations

import os
import sys
import time

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from fast_build import page_store
from fast_build.page_store import PageStore, manifests_keys

from gazette.files import file_digest, save_pickle, stamp

KEY, OTHER = "ab" + "1" * 38, "cd" + "2" * 38


@pytest.fixture
def written(tmp_path):
    """A page as FastWriter leaves it, and a store that has kept it under KEY."""
    page = tmp_path / "output" / "a" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_bytes("<p>政策文件</p>".encode())
    store = PageStore(str(tmp_path / "cache" / "store"))
    store.keep({KEY: store.put(KEY, str(page))}, {KEY})
    return page, tmp_path


def test_a_stored_page_comes_back_byte_for_byte_in_a_fresh_folder(written):
    page, tmp = written
    fresh = tmp / "fresh" / "a" / "index.html"
    store = PageStore(str(tmp / "cache" / "store"))  # a later build reads the saved index
    assert store.place(KEY, str(fresh))
    assert fresh.read_bytes() == page.read_bytes() and stamp(str(fresh)) == stamp(str(page))
    assert not store.place(OTHER, str(tmp / "fresh" / "b.html"))


def test_a_stored_page_altered_in_place_is_not_handed_out(written):
    page, tmp = written
    before = page.stat()
    with page.open("r+b") as fh:  # the store shares this file
        fh.write(b"<!--")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as stored (`touch -r`)
    assert not PageStore(str(tmp / "cache" / "store")).place(KEY, str(tmp / "fresh" / "a.html"))


def test_across_file_systems_pages_are_copied(written, monkeypatch):
    page, tmp = written

    def no_links(*args):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(page_store.os, "link", no_links)
    fresh = tmp / "fresh" / "a.html"
    assert PageStore(str(tmp / "cache" / "store")).place(KEY, str(fresh))
    assert fresh.read_bytes() == page.read_bytes() and os.stat(fresh).st_ino != os.stat(page).st_ino


def test_only_pages_some_recent_manifest_names_are_kept(written):
    page, tmp = written
    folder = tmp / "cache"
    other = tmp / "output" / "b.html"
    other.write_text("<p>另一页</p>", encoding="utf-8")
    store = PageStore(str(folder / "store"))
    store.keep({OTHER: store.put(OTHER, str(other))}, {KEY, OTHER})
    # A folder last built long ago names KEY, a recent one OTHER: only OTHER is kept.
    save_pickle(str(folder / "old.pickle"), {"format": 2, "pages": {"a/index.html": (KEY, stamp(str(page)), ())}})
    long_ago = time.time() - (page_store.MANIFEST_DAYS + 1) * 86400
    os.utime(folder / "old.pickle", (long_ago, long_ago))
    save_pickle(str(folder / "recent.pickle"), {"format": 2, "pages": {"b.html": (OTHER, stamp(str(other)), ())}})
    store.keep({}, manifests_keys(str(folder), {}))
    assert set(store.index) == {OTHER}
    assert sorted(p.name for p in (folder / "store").rglob("*") if p.is_file()) == [OTHER]
    assert (folder / "old.pickle").exists()  # its folder's next build still needs it
    assert page.read_bytes() == "<p>政策文件</p>".encode()  # the output's own link is untouched


def test_linking_a_page_onto_itself_leaves_no_temp_file(written):
    """A page 'rendered the same' may already be the stored file; renaming a link onto it does nothing."""
    page, tmp = written
    store = PageStore(str(tmp / "cache" / "store"))
    assert store.put(KEY, str(page)) == file_digest(str(page))
    assert store.place(KEY, str(page))
    leftovers = [p for p in tmp.rglob("*.tmp")]
    assert leftovers == []
