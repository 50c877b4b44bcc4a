"""Skip a build that would write exactly what is already there.

After a successful build we record a digest of its inputs (every file under the content
folder by size and mtime, the git commit, settings, command line, code, theme, Python
and library versions) and of the files it wrote (the build's Output record, by size and
mtime: checking them again is a stat each, not a walk of the output folder), with the moment the output stops being
valid: the next embargo release or consultation deadline (content_model), the next
midnight for a dated inspection report (inspection), as the build's valid_until. A
build whose inputs and output match the record and that runs before that moment stops
at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import subprocess
import sys
from typing import Any

from pelican.log import console

import gazette.build
import gazette.output
from gazette.files import Stamp, load_pickle, save_pickle, settled, stamp

logger = logging.getLogger(__name__)

# Settings that say how to build, not what: no output depends on them.
BOOKKEEPING = {"GAZETTE_WORKERS"}


class UpToDate(SystemExit):
    """Nothing to do: the output already is what this build would write."""


def _tree_digest(root: str, skip: str | None = None) -> tuple[str, int, int]:
    """Digest of every file's path, size and mtime under root; how many files; the newest mtime."""
    digest = hashlib.sha1()
    count = newest = 0
    start = len(root.rstrip(os.sep)) + 1
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        if skip:
            dirs[:] = [d for d in dirs if os.path.join(folder, d) != skip]
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            digest.update(f"{path[start:]}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            count += 1
            newest = max(newest, st.st_mtime_ns)
    return digest.hexdigest(), count, newest


def _git_head(path: str) -> str:
    try:
        proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True,
                              check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def inputs_digest(pelican: Any, code_digest: str, settings_digest: str) -> tuple[str, int, bool]:
    """Everything a build reads, as one digest; the number of content files; whether one is too fresh.

    A file saved again with the same size within one mtime tick keeps its stamp, so a build
    that began right after an edit is not recorded.
    """
    settings = pelican.settings
    content, count, newest = _tree_digest(os.path.abspath(settings["PATH"]),
                                          skip=os.path.abspath(pelican.output_path))
    parts = [code_digest, settings_digest, content, repr(sys.argv[1:]),
             _git_head(settings["PATH"]) if settings.get("GAZETTE_GIT_DATES_ENABLED", True) else ""]
    fresh = not settled(newest)
    return hashlib.sha1("\0".join(parts).encode()).hexdigest(), count, fresh


def _written_digest(files: dict[str, Stamp]) -> str:
    """Digest of the files a build wrote, by path, size and mtime."""
    return hashlib.sha1("".join(f"{rel}\0{st}\n" for rel, st in sorted(files.items())).encode()).hexdigest()


def check(pelican: Any, inputs: str, sources: int) -> None:
    """Stop the build (successfully) if the output already is what it would write."""
    path = gazette.output.record_path(pelican.settings, pelican.output_path, ".build.pickle")
    record = load_pickle(path)
    if not isinstance(record, dict) or record.get("inputs") != inputs:
        return
    valid_until = record.get("valid_until")
    if valid_until is not None and dt.datetime.now(dt.UTC) >= valid_until:
        return
    written = gazette.output.current().last
    if written is None or _written_digest(written) != record.get("output"):
        return
    root = os.path.abspath(pelican.output_path)
    if any(stamp(os.path.join(root, rel)) != old for rel, old in written.items()):
        return  # a file of the site was changed or removed since
    files = len(written)
    console.print(f"fast_build: nothing changed ({sources} content files, {files} output files checked); "
                  f"{pelican.output_path} is up to date")
    raise UpToDate(0)


def record(pelican: Any, inputs: str) -> None:
    """Remember this build's inputs and output, once every plugin has written its files."""
    settings = pelican.settings
    output = _written_digest(gazette.output.current().last or {})  # (the Output has saved this build's record)
    fixed_clock = settings.get("GAZETTE_BUILD_TIME") is not None
    valid_until = None if fixed_clock else gazette.build.current().valid_until
    path = gazette.output.record_path(settings, pelican.output_path, ".build.pickle")
    save_pickle(path, {"inputs": inputs, "output": output, "valid_until": valid_until})
