"""Review on record (三审三校): how many review levels each content file's last change carries in git.

A file's record is the newest commit on the main line (first parents only) that changed it: a
commit made on the main line, or the merge that brought a branch's change in. Its trailers name
the reviewers, either by level — `初审: 姓名`, `复审: 姓名`, `终审: 姓名`, levels counted from the
first without a gap — or as approvals, `Approved-by:` (GitLab's merge-commit template writes one
per approver with `%{approved_by}`) or `Reviewed-by:`, each a level when it names someone other
than the commit's author. The larger count holds. One `git log` for the whole content tree.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

from content_model.git_dates import git

LEVELS = ("初审", "复审", "终审")
APPROVALS = ("approved-by", "reviewed-by")
_EMAIL = re.compile(r"<([^>]+)>")


class Record(NamedTuple):
    commit: str
    levels: int


def levels(trailers: list[tuple[str, str]], author_email: str) -> int:
    """Review levels a commit's trailers ((key, value) pairs) record."""
    named = {key for key, value in trailers if value.strip()}
    by_level = next((n for n, level in enumerate(LEVELS) if level not in named), len(LEVELS))
    approvers = set()
    for key, value in trailers:
        if key.lower() in APPROVALS and value.strip():
            email = _EMAIL.search(value)
            who = (email[1] if email else value).strip().lower()
            if who != author_email.strip().lower():
                approvers.add(who)
    return max(by_level, len(approvers))


_TRAILER = re.compile(r"^\s*([^\s:：]+)\s*[:：]\s*(.*?)\s*$")


def trailers(message: str) -> list[tuple[str, str]]:
    """The `Key: value` lines of a commit message's last paragraph (a full-width colon allowed)."""
    last = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()][-1:] or [""]
    found = [_TRAILER.match(line) for line in last[0].splitlines()]
    return [(m[1], m[2]) for m in found if m]


def records(content_path: str) -> dict[str, Record] | None:
    """Absolute path -> the record of the file's last change; None outside git or in a shallow clone."""
    shallow = git(["rev-parse", "--is-shallow-repository"], content_path)
    if shallow is None or shallow.strip() == b"true":
        return None
    # The message itself, not %(trailers): git takes only ASCII keys as trailers, and 初审 is not.
    output = git(["log", "--first-parent", "-m", "-z", "--no-renames", "--name-only", "--relative",
                  "--format=%x01%H%x02%ae%x02%B%x03", "--", "."], content_path)
    if output is None:
        return {}  # a repository without commits
    log = output.decode("utf-8", "replace")
    found: dict[str, Record] = {}
    current: Record | None = None
    for raw in log.split("\0"):
        token = raw.strip("\n")
        if token.startswith("\x01"):
            commit, author, message = (token[1:].split("\x02") + ["", ""])[:3]
            current = Record(commit, levels(trailers(message.split("\x03")[0]), author))
        elif token and current is not None:
            found.setdefault(os.path.normpath(os.path.join(os.path.abspath(content_path), token)), current)
    return found
