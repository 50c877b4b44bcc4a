"""Minify every written HTML page (with inline CSS/JS) and the theme's CSS and JS files.

Off by default; publishconf.py switches it on. Pages stay valid HTML: closing tags,
<html>/<head> and attribute quotes are kept, so any parser reads them the same way.
Pages are minified in memory by fast_build's writer (a page filter), before it compares
them with the file on disk; the theme's files once they are copied. Reports the bytes
saved on the theme files (fast_build reports the pages).
"""

from __future__ import annotations

import logging
from typing import Any

import minify_html
from pelican import signals
from pelican.log import console

import gazette.output
from gazette.settings import Setting, Table

logger = logging.getLogger(__name__)

SETTINGS = Table("minify", "MINIFY_", [
    Setting("MINIFY_ENABLED", False, "Minify every page's HTML, CSS and JavaScript (publishconf.py switches it on)."),
])

_OPTIONS = {
    "minify_css": True,
    "minify_js": True,
    "keep_closing_tags": True,
    "keep_html_and_head_opening_tags": True,
    "keep_input_type_text_attr": True,
}


class Stats:
    """Whether minifying is on for this build, and what it saved."""

    def __init__(self) -> None:
        self.enabled = False
        self.files = 0
        self.before = 0
        self.after = 0


_stats = Stats()


class MinifySettingsError(ValueError):
    """Minifying pages needs the fast_build writer."""


def configure(pelican: Any) -> None:
    settings = pelican.settings
    _stats.__init__()
    _stats.enabled = bool(settings["MINIFY_ENABLED"])
    if not _stats.enabled:
        return
    if "fast_build" not in [str(p) for p in settings.get("PLUGINS", [])]:
        raise MinifySettingsError("minify: MINIFY_ENABLED needs the fast_build plugin in PLUGINS (it "
                                  "minifies pages as they are written)")
    settings.setdefault("FAST_BUILD_PAGE_FILTERS", []).append(minify_page)


def minify_page(path: str, text: str) -> str:
    """fast_build page filter: minify one rendered HTML page."""
    return minify_html.minify(text, **_OPTIONS) if path.endswith(".html") else text


def minify_file(output: gazette.output.Output, rel: str, _wrap: str) -> None:
    """Minify one theme file of the output; _wrap is 'style' or 'script' for bare CSS or JS."""
    with open(output.path(rel), encoding="utf-8") as fh:
        text = fh.read()
    out = minify_html.minify(f"<{_wrap}>{text}</{_wrap}>", **_OPTIONS)
    out = out.removeprefix(f"<{_wrap}>").removesuffix(f"</{_wrap}>")
    _stats.files += 1
    _stats.before += len(text.encode("utf-8"))
    _stats.after += len(out.encode("utf-8"))
    output.write(rel, out.encode("utf-8"))


def finish(pelican: Any) -> None:
    if not _stats.enabled:
        return
    output = gazette.output.current()
    for rel in output.files(pelican.settings["THEME_STATIC_DIR"]):  # this build's copies, not leftovers
        if rel.endswith(".css"):
            minify_file(output, rel, "style")
        elif rel.endswith(".js"):
            minify_file(output, rel, "script")
    saved = _stats.before - _stats.after
    # Pelican's own console, where it prints its "Done: Processed …" summary.
    console.print(f"minify: {_stats.files} theme files, {_stats.before:,} -> {_stats.after:,} bytes "
                  f"(saved {saved:,}, {100 * saved / _stats.before if _stats.before else 0:.1f}%)")


def register() -> None:
    # initialized: read MINIFY_ENABLED, reset the counters, hand fast_build the page filter.
    signals.initialized.connect(configure)
    # finalized: theme files are copied; minify them and report the savings.
    signals.finalized.connect(finish)
