"""Parse source files once: in parallel on a cold build, from a disk cache on rebuilds.

Reading (YAML, validation, Markdown, sanitising) is most of a build's time. What it
gives depends only on the file's bytes, its path, the files it embeds or lists, the
settings and site.yaml, and this package's code; the file's path and bytes are the
cache key and the rest names the cache's generation (gazette.cache), so a cached result
is the result a fresh parse would give. Anything that depends on the build time
(embargoes, consultation states, git dates) is computed after the cache, in reader.py.
Results with errors are never cached: a fixed typo elsewhere (a missing attachment
added, say) must be seen at once.

A process that forks builds (a cluster run's fork server, plugins/cluster/library.py) can
parse the library once for all of them: a build forked from it takes a file's parse from
memory (PRELOADED), under the same key and with the same checks as from the disk cache.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import gazette.build
from gazette.cache import Cache
from gazette.files import Stamp, files_digest, stamp
from gazette.workers import fork_map

from .problems import Problem

logger = logging.getLogger(__name__)

# Bump when the Parsed layout changes, so old cache files are never misread.
FORMAT = 1
# Below this many files to parse, forking workers costs more than it saves.
PARALLEL_MIN_FILES = 32
_HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Parsed:
    """One source file read and checked, before anything that depends on the build time."""

    type_name: str | None = None
    values: dict[str, Any] | None = None  # validated fields; None: the file is invalid
    content: str = ""
    problems: list[Problem] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # files the body links or embeds
    deps: dict[str, Stamp] = field(default_factory=dict)  # other files the result depends on

    @property
    def cacheable(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def salt(settings: dict[str, Any]) -> str:
    """Everything besides the file itself that a parse depends on: the parse cache's generation."""
    digest = hashlib.sha1(f"{FORMAT}\0{files_digest(_HERE)}".encode())
    site = gazette.build.current().site
    relevant = {
        key: settings.get(key) for key in ("MARKDOWN", "GAZETTE_IFRAME_HOSTS", "GAZETTE_MAX_FILE_BYTES", "PATH",
                                           "PAGE_PATHS", "DEFAULT_LANG")
    }
    # The columns and departments of every site: a document is checked against its owner's (reader.validate).
    cluster = gazette.build.current().cluster or {"": site}
    relevant["site"] = {sid: {k: data.get(k) for k in ("columns", "departments")} for sid, data in cluster.items()}
    relevant["versions"] = [version(p) for p in ("markdown", "nh3", "pyyaml", "pelican")]
    digest.update(json.dumps(relevant, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


# {salt: {key: Parsed}}: every file parsed before this process forked the build under way (library.py)
PRELOADED: dict[str, dict[str, Parsed]] = {}


def cached(cache: Cache, key: str, memory: dict[str, Parsed] | None = None) -> Parsed | None:
    """The parse under key, from memory or the cache, if the files it depends on are as they were."""
    parsed = memory.get(key) if memory else None
    if parsed is None:
        parsed = cache.get_pickle(key)
    if not isinstance(parsed, Parsed) or any(stamp(p) != s for p, s in parsed.deps.items()):
        return None
    return parsed


def sources(root: str, extensions: tuple[str, ...], ignore: list[str]) -> Iterator[str]:
    """Every file under root Pelican may read with our reader (IGNORE_FILES honoured)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, pat) for pat in ignore))
        for name in sorted(files):
            if name.rsplit(".", 1)[-1] in extensions and not any(fnmatch.fnmatch(name, p) for p in ignore):
                yield os.path.abspath(os.path.join(folder, name))


def parse_all(paths: list[str], parse: Callable[[str], Parsed], cache: Cache, workers: int,
              memory: dict[str, Parsed] | None = None, *, keep: bool = False) -> dict[str, Parsed]:
    """Parse every path, from memory (one of PRELOADED) or the cache (opened with salt()) where possible,
    the rest in `workers` processes. With keep, memory also gets every parse without errors by its key."""
    results: dict[str, Parsed] = {}
    keys: dict[str, str] = {}
    todo: list[str] = []
    remembered = 0
    for path in paths:
        with open(path, "rb") as fh:
            key = keys[path] = hashlib.sha1(path.encode() + b"\0" + fh.read()).hexdigest()
        hit = cached(cache, key, memory)
        if hit is None:
            todo.append(path)
        else:
            results[path] = hit
            remembered += memory is not None and key in memory
    if len(todo) >= PARALLEL_MIN_FILES and workers > 1:
        fresh = dict(zip(todo, fork_map(parse, todo, workers), strict=True))
    else:
        fresh = {p: parse(p) for p in todo}
    for path in todo:
        if fresh[path].cacheable:
            cache.put_pickle(keys[path], fresh[path])
        results[path] = fresh[path]
    if keep and memory is not None:
        memory.update((keys[path], parsed) for path, parsed in results.items() if parsed.cacheable)
    logger.info("content_model: %d files parsed, %d from the cache (%d of them parsed before this build)",
                len(todo), len(paths) - len(todo), remembered)
    return results
