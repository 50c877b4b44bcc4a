"""File helpers the build's caches and records share: stamps, atomic writes, links, digests.

Every cache (gazette.cache) and record (fast_build's manifests, the up-to-date record) is
read by later builds, some by forked workers at the same time, and every output file is
served while the next build runs, so files are written to a temporary name and renamed
into place: nobody ever sees half a file, not even after a full disk. Pickles and cache
entries carry a digest, checked when read: a damaged or edited one is a miss, never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import time
from collections.abc import Callable
from typing import Any

Stamp = tuple[int, int] | None  # (size, mtime_ns), or None for a missing file


def stamp(path: str) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def settled(mtime_ns: int) -> bool:
    """Whether a file changed long enough ago that rewriting it (even at the same size) changes its mtime.

    Ticks are a few ms on Linux file systems, but 10 ms (exFAT) to 2 s (FAT, HFS+) where mtimes come out round.
    """
    tick = 2_000_000_000 if mtime_ns % 10_000_000 == 0 else 100_000_000
    return mtime_ns < time.time_ns() - tick


def _replace(path: str, fill: Callable[[str], None]) -> None:
    """Have fill(tmp) write a temporary file beside path, then rename it over path; no stray file is left."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        fill(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.remove(tmp)


def write_atomic(path: str, data: bytes) -> None:
    """Write data to path by temp file and rename; a failed write leaves no stray file."""
    def fill(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    _replace(path, fill)


def copy_atomic(source: str, target: str) -> None:
    """Copy source to target (with its mtime) through a temporary file: the old file or the whole new one."""
    _replace(target, lambda tmp: shutil.copy2(source, tmp))


def save_pickle(path: str, value: Any) -> None:
    """save_verified of the pickled value: a garbled pickle may still load, as different values."""
    save_verified(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def load_pickle(path: str | None) -> Any:
    """What save_pickle saved, or None if there is nothing intact and readable (a damaged record is a cold one)."""
    data = load_verified(path) if path else None
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except (EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
        return None  # (a class the code no longer has)


def load_json(path: str | os.PathLike[str]) -> Any:
    """The JSON a record file holds, or None if it is missing or not JSON (a record never written, or cut off)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def save_verified(path: str, data: bytes) -> None:
    """write_atomic, with the data's digest on a first line for load_verified to check."""
    write_atomic(path, hashlib.sha256(data).hexdigest().encode() + b"\n" + data)


def load_verified(path: str) -> bytes | None:
    """What save_verified saved, or None if it is missing, truncated or altered (a cache miss)."""
    try:
        with open(path, "rb") as fh:
            digest, _, data = fh.read().partition(b"\n")
    except OSError:
        return None
    return data if digest == hashlib.sha256(data).hexdigest().encode() else None


def file_digest(path: str) -> str | None:
    """The sha256 of a file's bytes, or None if it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def link_file(source: str, target: str) -> None:
    """Make target the same file as source, atomically: a hard link, or a copy across file systems."""
    if os.path.exists(target) and os.path.samefile(source, target):
        return  # (renaming a link onto its own file would do nothing and leave the temp file behind)

    def fill(tmp: str) -> None:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copy2(source, tmp)  # keeps the mtime, so stamps still match

    _replace(target, fill)


def files_digest(*roots: str) -> str:
    """Digest of every file under the given folders (code, templates, theme assets)."""
    digest = hashlib.sha1()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, root).encode())
                with open(path, "rb") as fh:
                    digest.update(fh.read())
    return digest.hexdigest()
