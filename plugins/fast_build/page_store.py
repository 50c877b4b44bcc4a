"""Rendered pages kept by key, so a fresh output folder does not render them again.

CI starts every run with an empty output folder and `make publish` builds into a fresh
`output.next`, so skipping pages whose file is already there helps neither. The store
keeps every page the recent builds wrote, named by its key (the digest of all the
template could see), in CACHE_PATH/gazette-pages/store/: a page whose key is stored is
hard-linked into the output (copied across file systems) instead of rendered.

A stored file shares its inode with the output pages it went to, and a published page
edited in place (an editor saving over it, a hot fix on the server) edits the stored
one, whatever its size and mtime say. So the index records each stored page's sha256,
and a page is handed out only while its bytes still have it; otherwise it is rendered
again. After each build the store keeps the pages that some output folder's manifest
(this build's or another kept folder's) names, and nothing else.
"""

from __future__ import annotations

import os
import time
from typing import Any

from gazette.files import file_digest, link_file, load_pickle, save_pickle

# Pages of an output folder not built for this many days are not kept.
MANIFEST_DAYS = 30


class PageStore:
    """CACHE_PATH/gazette-pages/store/: page files by key, with the digest of each when stored."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.index_path = folder + ".pickle"
        index = load_pickle(self.index_path)
        self.index: dict[str, str] = index if isinstance(index, dict) else {}

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key)

    def place(self, key: str, path: str) -> bool:
        """Put the stored page with this key at path; False if there is none (or it was altered)."""
        source = self._path(key)
        if key not in self.index or file_digest(source) != self.index[key]:
            return False
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return _link(source, path)

    def put(self, key: str, path: str) -> str | None:
        """Keep the page just written at path under its key; the digest to record, or None."""
        target = self._path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return file_digest(target) if _link(path, target) else None

    def keep(self, added: dict[str, str], wanted: set[str]) -> None:
        """Record this build's new pages, then drop every stored page no manifest names."""
        self.index.update(added)
        self.index = {key: value for key, value in self.index.items() if key in wanted}
        for folder, _dirs, files in os.walk(self.folder):
            for name in files:
                if name not in self.index:
                    try:
                        os.remove(os.path.join(folder, name))
                    except FileNotFoundError:  # another build sharing the cache got there first
                        pass
        save_pickle(self.index_path, self.index)


def _link(source: str, target: str) -> bool:
    """link_file, saying whether it worked (a missing or unwritable file is just not reused)."""
    try:
        link_file(source, target)
    except OSError:
        return False
    return True


def manifests_keys(folder: str, current: dict[str, Any]) -> set[str]:
    """Keys named by this build's manifest and by other output folders' recent manifests.

    The pages of a folder not built for MANIFEST_DAYS are not kept. Its manifest stays: its
    next build needs it to remove the pages of documents deleted since.
    """
    wanted = {entry[0] for entry in current.values()}
    try:
        names = os.listdir(folder)
    except OSError:
        return wanted
    too_old = time.time() - MANIFEST_DAYS * 86400
    for name in names:
        if name.endswith(".pickle") and not name.endswith(".build.pickle") and not name.startswith("store"):
            path = os.path.join(folder, name)
            try:
                if os.stat(path).st_mtime < too_old:
                    continue
            except OSError:
                continue
            manifest = load_pickle(path)
            if isinstance(manifest, dict) and isinstance(manifest.get("pages"), dict):
                wanted.update(entry[0] for entry in manifest["pages"].values())
    return wanted
