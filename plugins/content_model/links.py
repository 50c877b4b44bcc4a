"""Which URLs and files a document may point to: the rules every href, src and listed file obeys.

A page may link only to http(s), mailto and tel URLs and to paths on the site, and may
publish only regular files that lie inside the content folder. Browsers ignore tabs and
newlines inside a URL and spaces or control characters before it, and decode entities
in attributes, so every check looks at the URL as a browser would read it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
# Attributes that hold a URL (sanitising keeps only some of them; all are checked).
URL_ATTRIBUTES = {"href", "src", "poster", "action", "formaction", "cite", "data", "background",
                  "xlink:href", "srcset", "longdesc", "manifest", "ping"}
# Pelican's intrasite link markers whose path names a file in the content folder.
FILE_MARKERS = ("{attach}", "{static}", "{filename}")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_MARKER = re.compile(r"^\{\w+\}")


def browser_form(url: str) -> str:
    """The URL as a browser reads it: tabs and newlines removed, leading/trailing controls and spaces cut."""
    return re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                             "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")


def scheme_of(url: str) -> str | None:
    """The URL's scheme in lower case, or None for a relative URL (including Pelican's {attach}…)."""
    match = _SCHEME.match(browser_form(url))
    return match.group(1).lower() if match else None


def url_problem(url: str) -> str | None:
    """Why a URL may not appear on a page, or None if it may."""
    # Pelican rewrites {attach}x and the like and keeps x when it finds no file: check x too.
    scheme = scheme_of(_MARKER.sub("", browser_form(url), count=1))
    if scheme is None or scheme in ALLOWED_SCHEMES:
        return None
    shown = browser_form(url)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    return (f"link '{shown}' uses the {scheme}: scheme, which pages may not link to "
            f"(use http(s)://, mailto:, tel: or a path on the site)")


def inside(path: str, root: str) -> bool:
    """Whether path, with every symbolic link resolved, lies inside root."""
    real_root = os.path.realpath(root)
    return os.path.realpath(path).startswith(real_root.rstrip(os.sep) + os.sep)


def file_problem(path: str, root: str) -> str | None:
    """Why a file may not be published from the content folder, or None if it may."""
    if not inside(path, root):
        return "points outside the content folder; only files inside content/ can be published"
    if os.path.islink(path):
        return "is a symbolic link; copy the file into content/ instead"
    return None


def beside_document(url: str) -> bool:
    """Whether url names a file relative to its document: no scheme, site path, anchor, query or {marker}."""
    url = browser_form(url)
    return bool(url) and not scheme_of(url) and not url.startswith(("/", "#", "{", "?"))


def linked_file(url: str, source_path: str, root: str) -> str | None:
    """The content file a relative or {attach}/{static}/{filename} URL names, or None if it names none."""
    url = browser_form(url)
    for marker in FILE_MARKERS:
        if url.startswith(marker):
            target = url[len(marker):]
            break
    else:
        if not beside_document(url):
            return None
        target = url
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return None
    base = root if target.startswith("/") else os.path.dirname(source_path)
    return os.path.normpath(os.path.join(base, target.lstrip("/")))


class _Urls(HTMLParser):
    """Every URL attribute of an HTML fragment, decoded, with the line it starts on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and name in URL_ATTRIBUTES:
                values = [part.split()[0] for part in value.split(",") if part.split()] \
                    if name == "srcset" else [value]
                self.found += [(self.getpos()[0], v) for v in values]

    handle_startendtag = handle_starttag


def urls_in(markup: str) -> list[tuple[int, str]]:
    """(line within markup, URL) of every URL attribute in an HTML fragment."""
    parser = _Urls()
    parser.feed(markup)
    parser.close()
    return parser.found


_NAMES = "|".join(re.escape(a) for a in sorted(URL_ATTRIBUTES))
_ATTRIBUTE = re.compile(rf"""\s(?:{_NAMES})\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


def final_problems(markup: str) -> Iterator[str]:
    """Messages for URLs a finished page body may not carry (after Pelican rewrote its links)."""
    for match in _ATTRIBUTE.finditer(markup):
        why = url_problem(unescape(next(g for g in match.groups() if g is not None)))
        if why:
            yield why


def source_line(url: str, body: str, first_line: int, raw: dict[str, int]) -> int:
    """The line of the editor's file that holds url: from the raw-HTML scan, else where its text appears."""
    if url in raw:
        return raw[url]
    for number, line in enumerate(body.splitlines(), first_line):
        if url in line or browser_form(url) in line:
            return number
    return first_line


def check_body(html: str, body: str, first_line: int, source_path: str, root: str) -> Iterator[tuple[int, str]]:
    """(line, message) for every URL in a rendered body that may not be published.

    html is the Markdown output before sanitising (so nothing is removed unseen); body is
    the Markdown source, whose raw HTML is scanned too, for line numbers.
    """
    raw = {}
    for line, url in urls_in(body):
        raw.setdefault(url, line + first_line - 1)
    seen: set[str] = set()
    for _line, url in urls_in(html):
        if url in seen:
            continue
        seen.add(url)
        why = url_problem(url)
        target = None if why else linked_file(url, source_path, root)
        # Relative links come back marked {attach} (reader.py): name them as the editor wrote them.
        written = url if url in raw or url in body else _MARKER.sub("", url, count=1)
        if target is not None:
            problem = file_problem(target, root)
            why = f"link '{browser_form(written)}' {problem}" if problem else None
        if why:
            yield source_line(written, body, first_line, raw), why
