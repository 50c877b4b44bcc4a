"""Sanitise the HTML a Markdown body produces: editors may write raw HTML, pages may not run it.

nh3 does the cleaning against an allowlist; a scan of the editor's source first names
each thing that will be removed, with its line, so nothing disappears silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    "audio", "video", "source", "track", "iframe", "time",
}
GENERIC = {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-describedby", "tabindex"}
ATTRIBUTES = {
    "a": {"href", "hreflang", "download", "rel"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "scope", "align"},
    "ol": {"start", "type"}, "time": {"datetime"}, "abbr": {"title"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"}, "track": {"src", "kind", "srclang", "label"},
    "iframe": {"src", "width", "height", "allowfullscreen", "title", "loading"},
}
SCHEMES = {"http", "https", "mailto", "tel"}

_PROBES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<\s*script\b", re.I), "<script> removed"),
    (re.compile(r"<\s*style\b", re.I), "<style> removed (the theme styles pages)"),
    (re.compile(r"<\s*(object|embed|form|input|button|textarea|select|base|meta|link)\b", re.I),
     "<{0}> removed"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute removed"),
]  # URLs with other schemes than http(s), mailto and tel are errors: see links.py
_IFRAME = re.compile(r"<\s*iframe\b[^>]*?\ssrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1")


def _prose_lines(source: str) -> Iterator[str]:
    """The body's lines with code blanked out: code samples are shown as text, never run or removed."""
    fence = ""
    for line in source.splitlines():
        match = _FENCE.match(line)
        if fence:
            fence = "" if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) else fence
            yield ""
        elif match:
            fence = match.group(1)
            yield ""
        else:
            yield _CODE_SPAN.sub("", line)


def findings(source: str, first_line: int, iframe_hosts: list[str]) -> Iterator[tuple[int, str]]:
    """(line, what) for every construct the sanitiser will remove from a Markdown body."""
    for number, line in enumerate(_prose_lines(source), first_line):
        for pattern, message in _PROBES:
            for match in pattern.finditer(line):
                yield number, message.format(*(g.lower() for g in match.groups()))
        for match in _IFRAME.finditer(line):
            host = urlparse(match.group(1)).hostname or ""
            if not _host_allowed(host, iframe_hosts):
                shown = host or match.group(1)
                yield number, f"<iframe> from '{shown}' removed (allowed: {', '.join(iframe_hosts)})"


def _host_allowed(host: str, allowed: list[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in allowed)


def clean(html: str, iframe_hosts: list[str]) -> str:
    """Return html with only allow-listed tags, attributes, URL schemes and video hosts."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "iframe" and attr == "src":
            parsed = urlparse(value)
            allowed = parsed.scheme == "https" and _host_allowed(parsed.hostname or "", iframe_hosts)
            return value if allowed else None
        return value

    cleaned = nh3.clean(html, tags=TAGS, attributes={"*": GENERIC, **ATTRIBUTES}, attribute_filter=keep,
                        url_schemes=SCHEMES, link_rel=None, clean_content_tags={"script", "style"})
    # An iframe whose source was refused is an empty box: drop it.
    return re.sub(r"<iframe(?![^>]*\ssrc=)[^>]*>\s*</iframe>", "", cleaned)
