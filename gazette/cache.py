"""One cache layer for everything a build keeps for the next: keyed, verified, pruned the same way.

Parsed files, QR codes, search shards, inspection facts, descriptions (Memo), rendered pages and compiled
templates are each a named cache in CACHE_PATH/<name>/<generation>/ (as Hugo's filecache
keeps one folder per cache). A cache is opened with the digest of what produces its entries
besides their key: its code, the libraries it calls, the settings that shape them
(`Cache.open(settings, "page_qr", code=...)`). Those digests name the generation, so code
that changes starts an empty folder instead of serving entries the new code would not make;
the other generations are removed when the build ends, as nothing can read them again.

Every entry is checked before use, because a cache entry is published as it is:

- small entries (`get`/`put`, `get_pickle`/`put_pickle`) carry the sha256 of their bytes on a
  first line (gazette.files.save_verified); a truncated, flipped or edited entry is a miss,
  deleted, and the caller makes it again;
- bulk entries (a page file hard-linked into the output, a folder of search shard files) are
  too large to read twice, so their digest is recorded in the cache's book when stored
  (`seal`) and compared with their bytes when used (`intact`, `place_file`): a file edited in
  the output, which shares its inode with the entry, is not handed out again.

One switch for the layer: GAZETTE_CACHE = False keeps nothing. `pelican --ignore-cache` (or
GAZETTE_IGNORE_CACHE = True) reads nothing from any cache and still writes fresh entries; fast_build
then renders every page and the up-to-date check does not skip the build.

Pruning runs when the build is finalized, after every plugin's own work: other generations go
(except one another build is using right now: each build holds a shared lock on its generations,
`.lock` in the generation's folder, and pruning takes it exclusively or leaves the
generation be; `make publish` and `make html` side by side have different settings), and entries
of this one not used for GAZETTE_CACHE_DAYS (a deleted page's QR code, a file's
parse before an edit). "Used" is an entry's access time, which a hit refreshes once a day
(mtimes say when an entry was made): hits happen in forked workers too, so there is no list of
them in the build process. A cache that knows every entry it still wants (the search shards of
this build, the pages some output folder's manifest names) says so with `retain`; the others go.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import sys
import time
import weakref
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any

from jinja2.bccache import Bucket, BytecodeCache
from pelican import signals

from gazette.files import file_digest, files_digest, link_file, load_pickle, save_pickle, save_verified

logger = logging.getLogger(__name__)

# Bump when the layout of the layer changes: every cache starts a new generation.
FORMAT = 1
DEFAULT_DAYS = 30
_DAY_NS = 86_400 * 10**9
# Keys name files: the callers' digests, or other names as safe.
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{1,127}")
# The digests of a cache's bulk entries, beside its two-character folders.
_BOOK = "digests.pickle"
_LOCK = ".lock"  # held shared by every build using the generation (see _hold)


def ignore_cache_requested(argv: list[str]) -> bool:
    """Whether Pelican's command line asks for --ignore-cache (argparse takes any prefix of it, down to --i).

    Pelican keeps that flag only as LOAD_CONTENT_CACHE = False, which is the setting's default
    too (and what the tests' settings say), so the settings cannot tell whether it was given.
    """
    return any(len(arg) >= 3 and "--ignore-cache".startswith(arg) for arg in argv)


def ignoring(settings: dict[str, Any]) -> bool:
    """Whether this build must read nothing from any cache: --ignore-cache or GAZETTE_IGNORE_CACHE."""
    return bool(settings.get("GAZETTE_IGNORE_CACHE", False)) or ignore_cache_requested(sys.argv[1:])


def versions(*dists: str) -> dict[str, str]:
    """Installed versions of these distributions, for a cache's code digest."""
    found = {}
    for dist in dists:
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "missing"
    return found


def generation_of(code: Any) -> str:
    """The generation a code digest names: any JSON-able value (digests, versions, settings)."""
    text = json.dumps([FORMAT, code], sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def mark_used(path: str, st: os.stat_result | None = None) -> None:
    """Refresh an entry's access time if it is a day old (noatime mounts never do), keeping its mtime."""
    try:
        st = st or os.stat(path)
        now = time.time_ns()
        if st.st_atime_ns < now - _DAY_NS:
            os.utime(path, ns=(now, st.st_mtime_ns))
    except OSError:
        pass  # (pruned by a concurrent build: the entry is in hand anyway)


def _hold(folder: str, how: int) -> IO[bytes] | None:
    """A cache generation's lock file (`.lock` in its folder), locked `how` and kept open while held;
    None if another build holds it (or the folder cannot be written)."""
    try:
        os.makedirs(folder, exist_ok=True)
        lock = open(os.path.join(folder, _LOCK), "ab")  # (held open: the lock lasts while it is)
    except OSError:
        return None
    try:
        fcntl.flock(lock.fileno(), how)
    except OSError:
        lock.close()
        return None
    return lock


def _remove(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except FileNotFoundError:
        pass  # (removed by a concurrent build)


def _digest(path: str) -> str | None:
    """The digest of a bulk entry, a file or a folder; None if it cannot be read."""
    if os.path.isdir(path):
        try:
            return files_digest(path)
        except OSError:
            return None
    return file_digest(path)


class Cache:
    """One named cache of one generation: CACHE_PATH/<name>/<generation>/, or nothing when switched off."""

    def __init__(self, root: str | None, name: str, generation: str, *, read: bool = True,
                 days: int = DEFAULT_DAYS) -> None:
        self.name = name
        self.generation = generation
        self.folder = os.path.join(root, name, generation) if root else None
        self.ignored = not read  # --ignore-cache: make everything afresh, reuse nothing from before
        self.read = read and self.folder is not None
        self.days = days
        self._retained: set[str] | None = None
        self._book: dict[str, str] = {}
        self._book_changed = False
        lock = _hold(self.folder, fcntl.LOCK_SH) if self.folder else None
        # released when the cache is dropped, at the latest when the build's process ends
        self._release = weakref.finalize(self, lock.close) if lock is not None else None
        if self.folder:
            book = load_pickle(os.path.join(self.folder, _BOOK))
            self._book = book if isinstance(book, dict) else {}

    @classmethod
    def open(cls, settings: dict[str, Any], name: str, code: Any, *, shared: bool = False) -> Cache:
        """The cache `name` of the generation `code` names, pruned when this build is finalized.

        A shared cache's entries are the same whichever site of a cluster is built (parsed
        files): it lives in GAZETTE_SHARED_CACHE_PATH when set, so the sites' builds share it.
        """
        days = settings.get("GAZETTE_CACHE_DAYS", DEFAULT_DAYS)  # (checked with the settings, gazette.settings)
        root = settings.get("CACHE_PATH", "cache") if settings.get("GAZETTE_CACHE", True) else None
        if root and shared and settings.get("GAZETTE_SHARED_CACHE_PATH"):
            root = settings["GAZETTE_SHARED_CACHE_PATH"]
        ignore = ignoring(settings)
        cache = cls(root, name, generation_of(code), read=not ignore, days=days)
        if root and ignore and not _opened:
            logger.info("cache: --ignore-cache: nothing is read from %s, every entry is made again", root)
        _opened[name] = cache
        # Connected at the first open, after every plugin's register(): runs after their finalized work.
        signals.finalized.connect(_prune_all)
        return cache

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as name and generation: settings that hold a cache (Jinja's) must digest the same every build.

        (fast_build digests the settings into every page's key; nothing unpickles them.)
        """
        return (Cache, (None, self.name, self.generation))

    def close(self) -> None:
        """Let other builds prune this generation (a build's caches are closed when its process ends)."""
        if self._release is not None:
            self._release()

    def _entry(self, key: str) -> str:
        if not _KEY.fullmatch(key):
            raise ValueError(f"cache: {key!r} is not a cache key (letters, digits, '_', '.', '-')")
        return os.path.join(self.folder or "", key[:2], key)

    # Small entries: the digest travels inside the file.

    def get(self, key: str) -> bytes | None:
        """The bytes put under key, or None: nothing there, reading is off, or the entry is damaged (then removed)."""
        if not self.read:
            return None
        path = self._entry(key)
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                digest, _, data = fh.read().partition(b"\n")
        except OSError:
            return None
        if digest != hashlib.sha256(data).hexdigest().encode():
            logger.debug("cache: %s/%s is damaged; made again", self.name, key)
            _remove(path)
            return None
        mark_used(path, st)
        return data

    def has(self, key: str) -> bool:
        """Whether get(key) may find something (reading is on and an entry is there; not yet verified)."""
        return bool(self.read and self.folder) and os.path.exists(self._entry(key))

    def put(self, key: str, data: bytes) -> None:
        """Keep data under key, atomically, with its digest (forked workers may put too)."""
        if self.folder:
            save_verified(self._entry(key), data)

    def get_pickle(self, key: str) -> Any | None:
        """What put_pickle kept, or None (a miss) if it is missing, damaged or no longer unpickles."""
        data = self.get(key)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except (EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
            _remove(self._entry(key))  # (a class this code no longer has)
            return None

    def put_pickle(self, key: str, value: Any) -> None:
        if self.folder:
            self.put(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    # Bulk entries: files and folders used in place, checked against the digest in the book.

    def path(self, key: str) -> str | None:
        """Where the bulk entry key lives (its folder made), or None when the cache is off."""
        if not self.folder:
            return None
        path = self._entry(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def seal(self, key: str, digest: str | None = None) -> None:
        """Record a bulk entry's digest (computed here if not given); in the build process, not a worker."""
        if not self.folder:
            return
        digest = digest or _digest(self._entry(key))
        if digest and self._book.get(key) != digest:
            self._book[key] = digest
            self._book_changed = True

    def intact(self, key: str) -> bool:
        """Whether the bulk entry key may be used: reading is on and its bytes have the digest recorded."""
        if not self.read or key not in self._book:
            return False
        path = self._entry(key)
        if _digest(path) != self._book[key]:
            return False
        mark_used(path)
        return True

    def store_file(self, key: str, source: str) -> str | None:
        """Keep the file at source as the bulk entry key (a hard link where it can); its digest, or None.

        The digest is returned for the build process to seal: this may run in a forked worker.
        """
        target = self.path(key)
        if target is None:
            return None
        try:
            link_file(source, target)
        except OSError:
            return None  # (an unwritable cache: the page is just not kept)
        return file_digest(target)

    def place_file(self, key: str, target: str) -> bool:
        """Put the bulk entry key at target if it is intact; False if there is none (or it was altered)."""
        if not self.intact(key):
            return False
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            link_file(self._entry(key), target)
        except OSError:
            return False
        return True

    # Pruning.

    def retain(self, keys: Iterable[str]) -> None:
        """Keep only these entries when the build ends: the caller knows every entry it still wants."""
        self._retained = set(keys)

    def prune(self) -> int:
        """Remove other generations and the entries not used lately (or not retained); how many went."""
        if not self.folder:
            return 0
        removed = 0
        try:
            others = [name for name in os.listdir(os.path.dirname(self.folder)) if name != self.generation]
        except FileNotFoundError:
            return 0
        for name in others:
            other = os.path.join(os.path.dirname(self.folder), name)
            held = _hold(other, fcntl.LOCK_EX | fcntl.LOCK_NB) if os.path.isdir(other) else None
            if os.path.isdir(other) and held is None:
                logger.debug("cache: %s/%s is in use by another build; kept", self.name, name)
                continue
            _remove(other)
            if held is not None:
                held.close()
            removed += 1
        keep, self._retained = self._retained, None
        too_old = time.time_ns() - self.days * _DAY_NS
        try:
            subs = [entry for entry in os.scandir(self.folder) if entry.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            subs = []
        for sub in subs:
            with os.scandir(sub.path) as entries:
                for entry in entries:
                    try:
                        stale = entry.name not in keep if keep is not None else \
                            entry.stat(follow_symlinks=False).st_atime_ns < too_old
                    except FileNotFoundError:
                        continue
                    if stale:
                        _remove(entry.path)
                        removed += 1
                        if self._book.pop(entry.name, None) is not None:
                            self._book_changed = True
        if keep is not None and not self._book.keys() <= keep:
            self._book = {key: digest for key, digest in self._book.items() if key in keep}
            self._book_changed = True
        if self._book_changed:
            save_pickle(os.path.join(self.folder, _BOOK), self._book)
            self._book_changed = False
        return removed


class TemplateCache(BytecodeCache):
    """Jinja's compiled templates as verified entries of a cache.

    Jinja's own FileSystemBytecodeCache unmarshals whatever a file holds: a flipped byte in
    a string constant would compile into a template that renders different text.
    """

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.cache.get(bucket.key)  # (Jinja checks the template's source checksum inside)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.cache.put(bucket.key, bucket.bytecode_to_string())

    def __reduce__(self) -> tuple[Any, ...]:
        """Digested with the settings (JINJA_ENVIRONMENT): the same every build, as the pages' keys need."""
        return (TemplateCache, (self.cache,))


# The caches this process opened, by name (a cache opened again replaces its entry).
_opened: dict[str, Cache] = {}


def _prune_all(pelican: Any) -> None:
    """At the end of a build: prune every cache it opened."""
    for name, cache in sorted(_opened.items()):
        removed = cache.prune()
        if removed:
            logger.info("cache: %s: removed %d entries no build will read", name, removed)


class Memo:
    """A pure function of a text (and a few plain arguments), its results kept from build to build.

    For per-document work every build repeats on text that has not changed: the description
    cut from a body, the URLs a finished body may not carry. Each took about 0.2 s of every
    10,000-document rebuild. The results are one entry of the cache `name`, by a digest of
    the text and the arguments; `code` names the function's code (the cache's generation),
    and `save` keeps only the results this build asked for.
    """

    ENTRY = "memo"

    def __init__(self, settings: dict[str, Any], name: str, func: Any, code: Any) -> None:
        self.func = func
        self.cache = Cache.open(settings, name, code)
        last = self.cache.get_pickle(self.ENTRY)
        self.last: dict[bytes, Any] = last if isinstance(last, dict) else {}
        self.now: dict[bytes, Any] = {}

    def __call__(self, text: str, *args: Any) -> Any:
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
        if args:
            digest.update(repr(args).encode())
        key = digest.digest()
        found = self.last.get(key, self)
        if found is self:
            found = self.func(text, *args)
        self.now[key] = found
        return found

    def save(self) -> None:
        """Keep this build's results for the next (unless they are the last build's)."""
        if self.now.keys() != self.last.keys():
            self.cache.put_pickle(self.ENTRY, self.now)
        self.last = self.now
