"""Rendered pages kept by key, so a fresh output folder does not render them again.

CI starts every run with an empty output folder and `make publish` builds into a fresh
`output.next`, so skipping pages whose file is already there helps neither. The
"page_store" cache (gazette.cache) keeps every page the recent builds wrote, named by
its key (the digest of all the template could see): a page whose key is stored is
hard-linked into the output (copied across file systems) instead of rendered.

A stored file shares its inode with the output pages it went to, and a published page
edited in place (an editor saving over it, a hot fix on the server) edits the stored
one, whatever its size and mtime say. So the cache records each stored page's digest,
and a page is handed out only while its bytes still have it; otherwise it is rendered
again. After each build the store keeps the pages that some output folder's manifest
(this build's or another kept folder's) names, and nothing else.
"""

from __future__ import annotations

import os
import time
from typing import Any

from gazette.files import load_pickle


def manifests_keys(folder: str, current: dict[str, Any], days: int, own: str | None = None) -> set[str]:
    """Keys named by this build's manifest (`current`, saved as `own`) and by other output folders' recent manifests.

    The pages of a folder not built for `days` (GAZETTE_CACHE_DAYS) are not kept. Its manifest
    stays: its next build needs it to remove the pages of documents deleted since.
    """
    wanted = {entry[0] for entry in current.values()}
    try:
        names = os.listdir(folder)
    except OSError:
        return wanted
    too_old = time.time() - days * 86400
    for name in names:
        if name.endswith(".pickle") and not name.endswith(".build.pickle"):
            path = os.path.join(folder, name)
            if own and os.path.abspath(path) == os.path.abspath(own):
                continue  # (this build's: `current` has its keys, without reading it back)
            try:
                if os.stat(path).st_mtime < too_old:
                    continue
            except OSError:
                continue
            manifest = load_pickle(path)
            if isinstance(manifest, dict) and isinstance(manifest.get("pages"), dict):
                wanted.update(entry[0] for entry in manifest["pages"].values())
    return wanted
