"""Minify every written HTML page (with inline CSS/JS) and the theme's CSS and JS files.

Off by default; publishconf.py switches it on. Pages stay valid HTML: closing tags,
<html>/<head> and attribute quotes are kept, so any parser reads them the same way.
Reports the bytes saved at the end of the build.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import minify_html
from pelican import signals
from pelican.log import console

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {"MINIFY_ENABLED": False}

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


def configure(pelican: Any) -> None:
    for key, value in DEFAULTS.items():
        pelican.settings.setdefault(key, value)
    _stats.__init__()
    _stats.enabled = bool(pelican.settings["MINIFY_ENABLED"])


def minify_file(path: str, _wrap: str | None = None) -> None:
    """Minify one file in place; _wrap is 'style' or 'script' for bare CSS or JS."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if _wrap:
        out = minify_html.minify(f"<{_wrap}>{text}</{_wrap}>", **_OPTIONS)
        out = out.removeprefix(f"<{_wrap}>").removesuffix(f"</{_wrap}>")
    else:
        out = minify_html.minify(text, **_OPTIONS)
    _stats.files += 1
    _stats.before += len(text.encode("utf-8"))
    _stats.after += len(out.encode("utf-8"))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(out)


def on_written(path: str, context: Any = None) -> None:
    if _stats.enabled and path.endswith(".html"):
        minify_file(path)


def finish(pelican: Any) -> None:
    if not _stats.enabled:
        return
    theme_dir = os.path.join(pelican.output_path, pelican.settings["THEME_STATIC_DIR"])
    for root, _dirs, files in os.walk(theme_dir):
        for name in sorted(files):
            if name.endswith(".css"):
                minify_file(os.path.join(root, name), "style")
            elif name.endswith(".js"):
                minify_file(os.path.join(root, name), "script")
    saved = _stats.before - _stats.after
    # Pelican's own console, where it prints its "Done: Processed …" summary.
    console.print(f"minify: {_stats.files} files, {_stats.before:,} -> {_stats.after:,} bytes "
                  f"(saved {saved:,}, {100 * saved / _stats.before if _stats.before else 0:.1f}%)")


def register() -> None:
    # initialized: read MINIFY_ENABLED and reset the counters.
    signals.initialized.connect(configure)
    # content_written: minify each page right after Pelican writes it, while it is in the cache.
    signals.content_written.connect(on_written)
    # finalized: theme files are copied; minify them and report the savings.
    signals.finalized.connect(finish)
