"""A preview reviewers can open anywhere: relative links, held-back items shown, never indexed.

Enabled by previewconf.py (`make preview`), never by the publishing settings. Templates
show a 预览 banner and a robots noindex tag on every page when GAZETTE_PREVIEW is set;
this plugin then
- rewrites every site-absolute link (`/zcwj/`) in the written HTML into a relative one
  with its file name (`../../zcwj/index.html`), so the preview works from a downloaded
  zip (file://), from GitLab's artifact browser and from any sub-path of a server;
- writes a robots.txt that disallows everything.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Any

from pelican import signals

from gazette.files import write_atomic

# Attributes that carry a URL in the theme's HTML (data-* covers the search bundle's location).
_URL_ATTR = re.compile(r'(\s(?:href|src|action|poster|data-[\w-]+)=")(/(?!/)[^"]*)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def relative(url: str, page: str, output: Path) -> str:
    """A site-absolute URL as seen from the page (a path inside output), with index.html spelt out."""
    cut = re.search(r"[?#]", url)
    path, tail = (url[:cut.start()], url[cut.start():]) if cut else (url, "")
    target = path.lstrip("/")
    if (path.endswith("/") or not target) and (output / target / "index.html").is_file():
        target = posixpath.join(target, "index.html")
    rel = posixpath.relpath(target or ".", posixpath.dirname(page) or ".")
    if path.endswith("/") and not rel.endswith("index.html"):
        rel += "/"
    return rel + tail


def rewrite(html: str, page: str, output: Path) -> str:
    html = _URL_ATTR.sub(lambda m: f'{m.group(1)}{relative(m.group(2), page, output)}"', html)

    def srcset(match: re.Match[str]) -> str:
        parts = []
        for item in match.group(2).split(","):
            url, _, size = item.strip().partition(" ")
            parts.append(" ".join(filter(None, [relative(url, page, output) if url.startswith("/") else url, size])))
        return f'{match.group(1)}{", ".join(parts)}"'

    return _SRCSET.sub(srcset, html)


def finish(pelican: Any) -> None:
    if not pelican.settings.get("GAZETTE_PREVIEW"):
        return
    output = Path(pelican.output_path)
    for root, _dirs, files in os.walk(output):
        for name in files:
            if name.endswith(".html"):
                path = Path(root) / name
                page = path.relative_to(output).as_posix()
                text = path.read_text(encoding="utf-8")
                changed = rewrite(text, page, output)
                if changed != text:
                    write_atomic(str(path), changed.encode("utf-8"))
    write_atomic(str(output / "robots.txt"), b"# A preview: not for search engines.\nUser-agent: *\nDisallow: /\n")
    for name in ("sitemap.xml",):
        (output / name).unlink(missing_ok=True)


def register() -> None:
    # finalized: every file is written; the preview's links are fixed up in place.
    signals.finalized.connect(finish)
