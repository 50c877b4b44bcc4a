"""The one writer of the output folder: atomic writes, a record of every file, removal of what the site dropped.

Every file a build puts into the output folder (pages, feeds, sitemap, robots.txt, search
files, static files, theme assets, the inspection report) goes through the build's Output
(`current()`, set up at Pelican's `initialized`). It writes through a temporary file and a
rename, and only bytes that differ from the file there, so an unchanged file keeps its
mtime (deploy tools and browsers' caches go by it) and nobody ever sees half a file.

It records each file of this build. At the very end (`finish()`, on Pelican's `finalized`
after every plugin's own receivers) it removes every file the previous build wrote that
this one did not: the page of a deleted document, its attachment, the feed of a column
that is gone. A file changed since the previous build wrote it (edited or put there by
hand) is left, and so is anything no build wrote. The record lives beside fast_build's
manifest in CACHE_PATH/gazette-pages/, one per output folder; it is a record of the
output, not a cache, so it is kept whatever GAZETTE_CACHE or --ignore-cache say. Without
one (a first build, a deleted CACHE_PATH) nothing is removed.

Forked workers (fast_build renders pages in them) inherit a copy of the Output, and what
they recorded would be lost with them: they write with put_bytes/put_copy/put_link or
Output.put, which record nothing, and hand what they did back to the build process, which
records it. Recording in a worker is refused. Work still running in a worker when the build
ends (the search index, made beside the inspection) is waited for first (wait_for). The
record also keeps a digest of what write() wrote, so a file whose digest and stamp are the
last build's is not read back to compare. Pelican's `content_written` fires once per file written
or changed this build, in the build process, when the build finishes (after the removal):
for a page with its context (as fast_build rebuilds it), for any other file with None.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pelican import signals
from pelican.log import console

from gazette.files import Stamp, copy_atomic, link_file, settled, stamp, write_atomic

logger = logging.getLogger(__name__)

# What content_written receives as `context`: a page's context, or a function that makes it
# when the signal fires (a page's context is large, and only listeners need it).
Context = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None
# Bump when the record's layout changes: an unreadable record removes nothing.
FORMAT = 1


@dataclass(frozen=True)
class Written:
    """What Output.put did with a file: whether it changed, the digest of its bytes, its stamp if taken."""

    rel: str
    changed: bool
    digest: str
    found: Stamp = None


class OutputError(RuntimeError):
    """A file outside the output folder, a record made in a worker process, or no build running."""


def put_bytes(path: str, data: bytes) -> bool:
    """Write data to path atomically unless the file already holds exactly these bytes; whether it wrote."""
    try:
        if os.path.getsize(path) == len(data):
            with open(path, "rb") as fh:
                if fh.read() == data:
                    return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def _same(source: str, path: str) -> bool:
    """Whether path already holds source's bytes: same size and mtime (as copies keep it), or same bytes."""
    try:
        return filecmp.cmp(source, path, shallow=True)
    except OSError:
        return False


def put_copy(source: str, path: str) -> bool:
    """Copy source to path atomically (with its mtime) unless path holds the same bytes; whether it copied."""
    if _same(source, path):
        return False
    copy_atomic(source, path)
    return True


def put_link(source: str, path: str) -> bool:
    """Hard-link source to path atomically (a copy across file systems) unless path holds its bytes already."""
    if _same(source, path):
        return False
    link_file(source, path)
    return True


def record_path(settings: Mapping[str, Any], output_path: str, suffix: str = ".output.json") -> str:
    """CACHE_PATH/gazette-pages/<digest of the output folder><suffix>: the records kept for one output folder.

    This writer's (.output.json), fast_build's page manifest (.pickle) and its up-to-date record
    (.build.pickle) sit side by side.
    """
    name = hashlib.sha1(os.path.abspath(output_path).encode()).hexdigest()[:16]
    return os.path.join(settings.get("CACHE_PATH", "cache"), "gazette-pages", name + suffix)


def _load(path: str) -> tuple[dict[str, Stamp] | None, dict[str, str]]:
    """The previous build's files with their stamps (None without a readable record), and the digests
    of the bytes it wrote with write()."""
    try:
        with open(path, encoding="utf-8") as fh:
            record = json.load(fh)
        if record["format"] != FORMAT:
            return None, {}
        files = {rel: (size, mtime) for rel, (size, mtime) in record["files"].items()}
        digests = record.get("digests", {})
        return files, {rel: d for rel, d in digests.items() if isinstance(d, str) and rel in files}
    except (OSError, ValueError, KeyError, TypeError):
        return None, {}


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Output:
    """One build's output folder: writes files, records them, and at the end removes what the site dropped."""

    def __init__(self, root: str, record: str) -> None:
        self.root = os.path.abspath(root)
        self.record_file = record
        self.pid = os.getpid()
        self.last, self._last_digests = _load(record)  # the previous build's files (and what write() wrote)
        self._files: dict[str, Stamp] = {}  # this build's files, with their stamps once written
        self._digests: dict[str, str] = {}  # of the bytes write() put in this build's files
        self._changed: dict[str, Context] = {}  # written or changed this build: content_written fires for these
        self._waiting: list[Callable[[], Any]] = []  # see wait_for
        self._promised: set[str] = set()

    def rel(self, path: str) -> str:
        """The output-relative path ('a/b.html') of a path given relative to the output folder or absolute."""
        full = os.path.normpath(os.path.join(self.root, path))
        inside = self.root.rstrip(os.sep) + os.sep  # (root is absolute and normalised)
        if not full.startswith(inside) or full == inside:
            raise OutputError(f"output: {path} is not a file inside the output folder {self.root}")
        return full[len(inside):].replace(os.sep, "/")

    def path(self, rel: str) -> str:
        return os.path.join(self.root, self.rel(rel))

    def write(self, rel: str, data: bytes, context: Context = None) -> bool:
        """Write a file of the site (unless it holds these bytes already); whether it changed.

        context is what content_written passes on for the file (None for files that are not pages).
        """
        return self.written(self.put(rel, data), context)

    def put(self, rel: str, data: bytes) -> Written:
        """write() without recording: safe in a forked worker, whose Written the build process records.

        A file the last build wrote these same bytes to, untouched since, is not even read: a
        site's ten thousand search files are mostly the same from one build to the next.
        """
        rel = self.rel(rel)
        path, digest = os.path.join(self.root, rel), _digest(data)  # (rel is normalised already)
        old = self.last.get(rel) if self.last else None
        if old is not None and self._last_digests.get(rel) == digest and settled(old[1]):
            found = stamp(path)
            if found == old:
                return Written(rel, False, digest, found)
        return Written(rel, put_bytes(path, data), digest)

    def written(self, done: Written, context: Context = None) -> bool:
        """Record what put() did; whether the file changed."""
        changed = self.record(done.rel, done.changed, context, done.found)
        self._digests[done.rel] = done.digest
        return changed

    def wait_for(self, join: Callable[[], Any], promised: Iterable[str] = ()) -> None:
        """Have finish() first call join: work still putting files into the output (in a worker) ends there.

        promised: files that work will have put there, which pages may link to (the search page
        preloads its index.json): the inspection counts them as the site's already.
        """
        self._waiting.append(join)
        self._promised.update(self.rel(rel) for rel in promised)

    def promised(self) -> set[str]:
        """Files that work still running will put into the output (see wait_for)."""
        return set(self._promised)

    def copy(self, source: str, rel: str) -> bool:
        """Copy a file into the site (unless the same bytes are there); whether it changed."""
        return self.record(rel, put_copy(source, self.path(rel)))

    def link(self, source: str, rel: str) -> bool:
        """Place a cached file into the site as a hard link (unless its bytes are there); whether it changed."""
        return self.record(rel, put_link(source, self.path(rel)))

    def keep(self, rel: str) -> None:
        """Record a file this build has and did not need to write (a page whose inputs did not change)."""
        self.record(rel, False)

    def record(self, rel: str, changed: bool, context: Context = None, found: Stamp = None) -> bool:
        """Record a file of this build that is on disk: written (or placed) by this build if changed.

        Returns changed. found is its stamp if the caller has just taken it (else a stat here).
        Only the build process records: a forked worker's record would be lost.
        """
        if os.getpid() != self.pid:
            raise OutputError(f"output: {rel} recorded in a worker process, where the record is lost; "
                              "write it with put_bytes/put_copy/put_link and record it in the build process")
        rel = self.rel(rel)
        self._digests.pop(rel, None)  # (write() gives it again: these may not be the bytes it wrote)
        found = found or stamp(self.path(rel))
        if found is None:
            logger.debug("output: %s is not there; not recorded", rel)
            return changed
        self._files[rel] = found
        if changed:  # (a page rewritten later, by the preview say, keeps its page context)
            self._changed[rel] = context if context is not None else self._changed.get(rel)
        return changed

    def remove(self, rel: str) -> None:
        """Take a file this build wrote out of the site again (a preview has no sitemap)."""
        rel = self.rel(rel)
        self._files.pop(rel, None)
        self._digests.pop(rel, None)
        self._changed.pop(rel, None)
        try:
            os.remove(self.path(rel))
        except FileNotFoundError:
            pass

    def files(self, folder: str = "") -> list[str]:
        """This build's files so far, under folder (output-relative), sorted."""
        prefix = self.rel(folder) + "/" if folder else ""
        return sorted(rel for rel in self._files if rel.startswith(prefix))

    def leftovers(self) -> set[str]:
        """Files the previous build wrote, this build has not (yet) and nobody changed since: finish() removes them.

        A plugin that reads the output before the end (the inspection) skips these.
        """
        if self.last is None:
            return set()
        return {rel for rel, old in self.last.items()
                if rel not in self._files and rel not in self._promised
                and stamp(os.path.join(self.root, rel)) == old}

    def finish(self) -> None:
        """Remove what the site dropped, save the record, then fire content_written for each changed file."""
        waiting, self._waiting = self._waiting, []
        for join in waiting:
            join()
        self._promised.clear()
        if self.last is None:
            logger.debug("output: no record of the files of the previous build into %s (a first build, or "
                         "CACHE_PATH was deleted); nothing removed", self.root)
        else:
            self._remove_leftovers()
        os.makedirs(os.path.dirname(self.record_file) or ".", exist_ok=True)
        digests = {rel: d for rel, d in self._digests.items() if rel in self._files}
        write_atomic(self.record_file, json.dumps(
            {"format": FORMAT, "root": self.root, "files": self._files, "digests": digests},
            sort_keys=True).encode("utf-8"))
        changed, self._changed = self._changed, {}
        # The next build in this process (pelican --autoreload) starts from this one.
        self.last, self._files, self._last_digests, self._digests = self._files, {}, digests, {}
        for rel, context in changed.items():
            signals.content_written.send(os.path.join(self.root, rel),
                                         context=context() if callable(context) else context)

    def _remove_leftovers(self) -> None:
        assert self.last is not None
        removed, left = [], []
        for rel, old in sorted(self.last.items()):
            path = os.path.join(self.root, rel)
            now = None if rel in self._files else stamp(path)
            if now is None:  # this build's, or gone already
                continue
            if now != old:
                logger.info("output: left %s: the previous build wrote it, this one did not, and it was "
                            "changed since (remove it by hand if the site no longer needs it)", rel)
                left.append(rel)
                continue
            os.remove(path)
            logger.info("output: removed %s", rel)
            removed.append(path)
        # Folders emptied by that (a deleted document's folder), up to the output folder itself.
        for emptied in sorted({os.path.dirname(path) for path in removed}, key=len, reverse=True):
            folder = emptied
            while folder.startswith(self.root + os.sep):
                try:
                    os.rmdir(folder)
                except OSError:  # not empty, or gone already
                    break
                folder = os.path.dirname(folder)
        if removed or left:  # on Pelican's own console, as fast_build's summary
            console.print(f"output: removed {len(removed)} files the site no longer has"
                          + (f"; left {len(left)} changed by hand since the last build wrote them: "
                             f"{', '.join(left[:3])}{' …' if len(left) > 3 else ''}" if left else ""))


_current: list[Output] = []


def current() -> Output:
    """The running build's Output."""
    if not _current:
        raise OutputError("output: no build is running (gazette.output.start runs at Pelican's initialized)")
    return _current[0]


def start(pelican: Any) -> None:
    """Open the output folder for this build; finish() is connected to run after every plugin's finalized work."""
    _current[:] = [Output(pelican.output_path, record_path(pelican.settings, pelican.output_path))]
    # Connected now, after every plugin's register() connected its own finalized receivers:
    # Pelican calls receivers in the order they were connected.
    signals.finalized.connect(finish)


def finish(pelican: Any) -> None:
    if _current:
        _current[0].finish()
