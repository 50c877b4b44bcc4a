"""What one build works out before reading any document: its clock, the site's data, when its output expires.

Settings are what the office wrote; these are computed, once per build, and so are kept
out of `settings` (where they would also become template variables, and every digest of
the settings would have to know which keys to skip). content_model starts the build at
Pelican's `initialized`; every plugin then reads `current()`. Worker processes forked
during the build inherit it. One build runs per process (the devserver runs each build in
a subprocess), so the build is a module-level value.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any


def site_themes(theme: str) -> str:
    """The folder beside the theme's that holds each cluster site's own look: themes/sites/<id>/templates
    and static (content_model applies them; the devserver watches them; a cluster rebuild digests them)."""
    return os.path.join(os.path.dirname(os.path.abspath(theme)), "sites")


@dataclass
class Build:
    """The state of the build under way."""

    now: dt.datetime  # timezone-aware; GAZETTE_BUILD_TIME or the real time
    # content/_data/site.yaml, checked: site identity, columns, departments, links
    site: dict[str, Any] = field(default_factory=lambda: {"site": {}, "columns": [], "departments": [], "links": []})
    # A site cluster's sites by id (content/_data/sites/), the portal first; one entry for a single site
    cluster: dict[str, Any] = field(default_factory=dict)
    site_id: str = "www"  # the site being built (GAZETTE_SITE), whose data `site` is
    # Each site's address as this build links to it: its public URL, or /<id> in a local cluster build
    bases: dict[str, str] = field(default_factory=dict)
    # Other sites' documents this one lists (reposted by reference), and those it only links to
    referenced: list[Any] = field(default_factory=list)
    foreign: list[Any] = field(default_factory=list)
    # Every site's document pages (and their files), as output-relative paths: links between
    # the sites are checked against them like links inside one (inspection, broken-links)
    cluster_pages: dict[str, set[str]] = field(default_factory=dict)
    # Files (content-relative) this site's documents link to in their bodies, and those only other sites' do
    own_files: set[str] = field(default_factory=set)
    other_files: set[str] = field(default_factory=set)
    # {(source site, type): {site id: (mode, column)}}: which sites' `reposts:` rules take what (cluster.py)
    repost_rules: dict[tuple[str, str], dict[str, tuple[str, str]]] = field(default_factory=dict)
    # {absolute source path: [Version, …]} from git, for 最后更新 (empty when switched off)
    git_dates: dict[str, Any] = field(default_factory=dict)
    # The inspection's day (INSPECTION_TODAY, else the build's day in Asia/Shanghai)
    today: dt.date | None = None
    # The first moment this build's output is no longer what a build would write (an embargo
    # ends, a consultation closes, the inspection's day turns); None: never by itself.
    valid_until: dt.datetime | None = None

    def expires(self, moment: dt.datetime | None) -> None:
        """Note a moment the output stops being valid; the earliest one counts."""
        if moment is not None and (self.valid_until is None or moment < self.valid_until):
            self.valid_until = moment


_current: Build | None = None


def start(now: dt.datetime) -> Build:
    """Begin a build's state (content_model, at `initialized`)."""
    global _current  # noqa: PLW0603 - one build per process, see the module docstring
    _current = Build(now)
    return _current


def current() -> Build:
    """The build under way."""
    if _current is None:
        raise RuntimeError("no build under way: the content_model plugin starts one at Pelican's initialized signal")
    return _current
