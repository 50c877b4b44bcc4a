"""Last commit date of every content file, so pages show when they really last changed.

A publish date can be typed; a commit date cannot be back-dated without rewriting
history. One `git log` for the whole tree keeps this cheap for large sites.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess

logger = logging.getLogger(__name__)


def commit_dates(content_path: str) -> dict[str, dt.datetime]:
    """Map absolute file path -> datetime of the newest commit touching it ({} outside git)."""
    try:
        proc = subprocess.run(["git", "log", "--format=@%cI", "--name-only", "--relative", "--", "."],
                              cwd=content_path, capture_output=True, text=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if proc.returncode != 0:
        return {}
    dates: dict[str, dt.datetime] = {}
    current: dt.datetime | None = None
    for line in proc.stdout.splitlines():
        if line.startswith("@"):
            current = dt.datetime.fromisoformat(line[1:])
        elif line and current is not None:
            dates.setdefault(os.path.normpath(os.path.join(content_path, line)), current)
    return dates
