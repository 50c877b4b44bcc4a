"""A preview reviewers can open anywhere: relative links, held-back items shown, never indexed.

Enabled by previewconf.py (`make preview`), never by the publishing settings. Templates
show a 预览 banner and a robots noindex tag on every page when GAZETTE_PREVIEW is set;
this plugin then
- rewrites every site-absolute link (`/zcwj/`) in the written HTML into a relative one
  with its file name (`../../zcwj/index.html`), so the preview works from a downloaded
  zip (file://), from GitLab's artifact browser and from any sub-path of a server; in a
  site cluster, links between the sites' folders too;
- writes a robots.txt that disallows everything.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pelican import signals

import gazette.output

# Attributes that carry a URL in the theme's HTML (data-* covers the search bundle's location).
_URL_ATTR = re.compile(r'(\s(?:href|src|action|poster|data-[\w-]+)=")(/(?!/)[^"]*)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')
_SITEMAP = re.compile(r"sitemap(-\d+)?\.xml")  # seo's, for a site that is never indexed


def relative(url: str, page: str) -> str:
    """A site-absolute URL as seen from the page (a path from the served root), with index.html spelt out."""
    cut = re.search(r"[?#]", url)
    path, tail = (url[:cut.start()], url[cut.start():]) if cut else (url, "")
    target = path.lstrip("/")
    if path.endswith("/") or not target:  # a page's address is its folder; a file:// browser needs the file
        target = posixpath.join(target, "index.html")
    rel = posixpath.relpath(target or ".", posixpath.dirname(page) or ".")
    if path.endswith("/") and not rel.endswith("index.html"):
        rel += "/"
    return rel + tail


def rewrite(html: str, page: str) -> str:
    html = _URL_ATTR.sub(lambda m: f'{m.group(1)}{relative(m.group(2), page)}"', html)

    def srcset(match: re.Match[str]) -> str:
        parts = []
        for item in match.group(2).split(","):
            url, _, size = item.strip().partition(" ")
            parts.append(" ".join(filter(None, [relative(url, page) if url.startswith("/") else url, size])))
        return f'{match.group(1)}{", ".join(parts)}"'

    return _SRCSET.sub(srcset, html)


def finish(pelican: Any) -> None:
    if not pelican.settings.get("GAZETTE_PREVIEW"):
        return
    output = gazette.output.current()
    root = Path(output.root)
    # A cluster's site lives under /<id>/ beside the others (plugins/cluster builds it into <id>/ with that
    # SITEURL): its paths, and the other sites', start from the folder above.
    prefix = urlsplit(str(pelican.settings.get("SITEURL") or "")).path.strip("/")
    above = f"{prefix}/" if prefix and root.name == prefix else ""
    for page in output.files():  # this build's pages (the inspection report too), not leftovers
        if page.endswith(".html"):
            text = (root / page).read_text(encoding="utf-8")
            changed = rewrite(text, above + page)
            if changed != text:
                output.write(page, changed.encode("utf-8"))
    output.write("robots.txt", b"# A preview: not for search engines.\nUser-agent: *\nDisallow: /\n")
    for page in output.files():
        if _SITEMAP.fullmatch(page):
            output.remove(page)


def register() -> None:
    # finalized: every file is written; the preview's links are fixed up in place.
    signals.finalized.connect(finish)
