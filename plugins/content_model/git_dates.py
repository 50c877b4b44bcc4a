"""When each content file changed after it first went public, so 最后更新 tells the truth.

A publish date can be typed; a commit date cannot be back-dated without rewriting
history. But not every commit is a change citizens saw: importing an old document,
approving an item under review and fixing a typo on the day it went up are not updates.
So a page shows 最后更新 only for a commit on a later day (Asia/Shanghai) than its first
publication: the later of its own publish time and the first commit in which the file
was public (status published). One `git log` for the whole tree, and one
`git cat-file --batch` reading old versions of files with more than one commit, keep
this cheap for large sites. A shallow clone has no true history: it gives no dates.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from typing import IO, NamedTuple

from .fields import TZ, FieldError, ParseContext, parse_enum
from .problems import problems
from .schema import COMMON
from .yaml_header import YamlError, load_yaml, split_header

SHALLOW = ("this is a shallow git clone, so commit dates are unknown and pages show no 最后更新; "
           "clone with full history (actions/checkout fetch-depth: 0, GitLab GIT_DEPTH: 0)")
_STATUS = next(f for f in COMMON if f.name == "status")
# `git log -z --raw`: a commit line, then per file a ":modes blobs status" entry and its path.
_COMMIT = re.compile(rb"^@[0-9a-f]{40,64} (\S+)$")


class Version(NamedTuple):
    """A file as one commit left it: its blob (all zeros if the commit deleted it) and the commit's date."""

    blob: bytes
    date: dt.datetime


class History(NamedTuple):
    """A file's first commit in which it was public, and its newest commit after that one."""

    first_public: dt.datetime
    newest: dt.datetime


def commit_dates(content_path: str) -> dict[str, History]:
    """Map absolute path -> History, for files committed again after they went public ({} outside git)."""
    shallow = git(["rev-parse", "--is-shallow-repository"], content_path)
    if shallow is None:
        return {}  # not a git repository (or no git): nothing to say
    if shallow.strip() == b"true":
        # A notice, not a warning: under --fatal warnings a warning would stop the publish.
        problems.notice(content_path, "最后更新", SHALLOW)
        return {}
    # --raw names each version's blob, so old versions are read without walking trees.
    log = git(["log", "-z", "--date-order", "--no-renames", "--format=@%H %cI", "--raw", "--no-abbrev",
                "--relative", "--", "."], content_path)
    if log is None:
        return {}  # e.g. a repository with no commits yet
    versions: dict[bytes, list[Version]] = {}  # path -> its versions, newest first
    date: dt.datetime | None = None
    tokens = iter(log.split(b"\0"))
    for token in tokens:
        entry = token.lstrip(b"\n")
        if match := _COMMIT.match(entry):
            date = dt.datetime.fromisoformat(match[1].decode())
        elif entry.startswith(b":") and date is not None:  # ":mode mode old new status", then the path
            versions.setdefault(next(tokens, b""), []).append(Version(entry.split()[3], date))
    several = {name: found for name, found in versions.items() if len(found) > 1}
    if not several:
        return {}
    return {os.path.normpath(os.path.join(content_path, os.fsdecode(name))): history
            for name, history in _histories(several, content_path).items()}


def last_change(history: History | None, published: dt.datetime) -> dt.datetime | None:
    """The newest commit on a later day than the first publication (the later of `published` and git's)."""
    if history is None:
        return None
    first = max(history.first_public, published).astimezone(TZ).date()
    newest = history.newest.astimezone(TZ)
    return newest if newest.date() > first else None


def _histories(versions: dict[bytes, list[Version]], cwd: str) -> dict[bytes, History]:
    """Find each file's first public version, reading old versions through one `git cat-file`."""
    found: dict[bytes, History] = {}
    try:
        proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=cwd, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return found
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for name in sorted(versions):
            oldest_first = versions[name][::-1]
            newest = max(v.date for v in oldest_first)
            last_day = newest.astimezone(TZ).date()
            for index, version in enumerate(oldest_first):
                if version.date.astimezone(TZ).date() >= last_day:
                    break  # nothing after it can fall on a later day than this one
                if version.blob.strip(b"0") and _public(_blob(proc.stdin, proc.stdout, version.blob), name):
                    found[name] = History(version.date, max(v.date for v in oldest_first[index + 1:]))
                    break
    except (OSError, ValueError):
        return {}  # git went away mid-way: show no dates rather than wrong ones
    finally:
        proc.stdin.close()
        proc.stdout.close()
        proc.wait()
    return found


def _blob(stdin: IO[bytes], stdout: IO[bytes], spec: bytes) -> bytes | None:
    """One object from a running `git cat-file --batch`, or None if it is missing there."""
    stdin.write(spec + b"\n")
    stdin.flush()
    header = stdout.readline().split()
    if len(header) != 3 or header[1] != b"blob":
        if not header:
            raise ValueError("git cat-file stopped")
        return None  # "<spec> missing"
    data = stdout.read(int(header[2]) + 1)  # the object and its closing newline
    return data[:-1]


def _public(blob: bytes | None, name: bytes) -> bool:
    """Whether this version would have been published: it reads, and its status is published."""
    if blob is None:
        return False
    try:
        header = split_header(blob.decode("utf-8-sig"))[0]
        if not any(key in header for key in _STATUS.keys):
            return True  # status defaults to published; most headers never name it, so skip the YAML
        raw = load_yaml(header)
    except (UnicodeDecodeError, YamlError):
        return False
    if not isinstance(raw, dict):
        return False
    value = next((raw[key] for key in _STATUS.keys if key in raw), None)
    if value is None or value == "":
        return True  # status defaults to published
    try:
        return parse_enum(value, _STATUS, ParseContext(os.fsdecode(name))) == "published"
    except FieldError:
        return False


def git(args: list[str], cwd: str) -> bytes | None:
    """A git command's output, or None if it fails (also used by the inspection's review record)."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None
