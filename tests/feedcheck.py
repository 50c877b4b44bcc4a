"""A strict check of Atom (RFC 4287) and RSS 2.0 feeds, standing in for the W3C feed validator offline.

Each check returns readable problems, one per line, naming the entry; a valid feed gives [].
Beyond the specifications it asks what a portal's feeds should always do: absolute URLs (no
xml:base is used), a language, a self link naming the file itself, every enclosure with its
type and length, and times that come from the entries (feed updated = newest entry).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# RFC 3339 date-time (RFC 4287 §3.3): upper-case T and Z, a time zone always.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# RFC 822 date-time as RSS 2.0 wants it, with a four-digit year.
RFC822 = re.compile(r"^(\w{3}, )?\d{1,2} \w{3} \d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|[A-Z]{1,3})$")
MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")  # RFC 4288 type/subtype, no parameters
ABSOLUTE = re.compile(r"^https?://[^/\s]+/\S*$")
TEXT_TYPES = ("text", "html", "xhtml")
ONCE_IN_FEED = ("id", "title", "updated")
AT_MOST_ONCE_IN_FEED = ("generator", "icon", "logo", "rights", "subtitle")
ONCE_IN_ENTRY = ("id", "title", "updated")
AT_MOST_ONCE_IN_ENTRY = ("content", "published", "rights", "source", "summary")


class _Refs(HTMLParser):
    """The href and src values in escaped HTML (an Atom html construct or an RSS description)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [value or "" for name, value in attrs if name in ("href", "src")]


def relative_refs(markup: str) -> list[str]:
    """Links in HTML that a feed reader cannot resolve (the validator's ContainsRelRef)."""
    parser = _Refs()
    parser.feed(markup)
    return [ref for ref in parser.refs if not (ABSOLUTE.match(ref) or ref.startswith(("mailto:", "tel:")))]


def _rfc3339(value: str | None) -> dt.datetime | None:
    if value is None or not RFC3339.match(value.strip()):
        return None
    return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


def _count(parent: ET.Element, tag: str, where: str, exactly: bool) -> list[str]:
    found = len(parent.findall(f"{ATOM}{tag}"))
    if exactly and found != 1:
        return [f"{where}: has {found} atom:{tag}, must have exactly one (RFC 4287 §4.1)"]
    if not exactly and found > 1:
        return [f"{where}: has {found} atom:{tag}, may have at most one (RFC 4287 §4.1)"]
    return []


def _text_construct(el: ET.Element, where: str) -> list[str]:
    """RFC 4287 §3.1: type text, html or xhtml; xhtml wraps one div, the others hold no elements."""
    kind = el.get("type", "text")
    name = el.tag.removeprefix(ATOM)
    if kind not in TEXT_TYPES:
        return [f"{where}: atom:{name} type {kind!r} is not text, html or xhtml (RFC 4287 §3.1.1)"]
    children = list(el)
    if kind == "xhtml":
        if len(children) != 1 or children[0].tag != f"{XHTML}div":
            return [f"{where}: atom:{name} type xhtml must hold one xhtml:div (RFC 4287 §3.1.1.3)"]
        return []
    problems = [f"{where}: atom:{name} type {kind} holds child elements (RFC 4287 §3.1.1)"] if children else []
    if kind == "html":
        problems += [f"{where}: atom:{name} links to a relative URL {ref!r}" for ref in relative_refs(el.text or "")]
    return problems


def _content(el: ET.Element, where: str) -> list[str]:
    """RFC 4287 §4.1.3: type text, html, xhtml or a media type; with src, empty."""
    kind = el.get("type", "text")
    if kind in TEXT_TYPES:
        return [] if el.get("src") is None else [f"{where}: atom:content with src must not be type {kind}"]
    if not MEDIA_TYPE.match(kind):
        return [f"{where}: atom:content type {kind!r} is not text, html, xhtml or a media type (RFC 4287 §4.1.3.1)"]
    if el.get("src") is not None and (el.text or "").strip():
        return [f"{where}: atom:content with src must be empty (RFC 4287 §4.1.3.2)"]
    return []


def _person(el: ET.Element, where: str) -> list[str]:
    names = el.findall(f"{ATOM}name")
    if len(names) != 1 or not (names[0].text or "").strip():
        return [f"{where}: atom:{el.tag.removeprefix(ATOM)} needs exactly one non-empty atom:name (RFC 4287 §3.2)"]
    return []


def _id(el: ET.Element | None, where: str) -> list[str]:
    """RFC 4287 §4.2.6: an absolute IRI; here an http(s) URL or a tag: URI, with no white space."""
    value = el.text if el is not None else None
    if value is None or not (ABSOLUTE.match(value) or re.match(r"^tag:[^\s,]+,\d{4}(-\d{2}){0,2}:\S+$", value)):
        return [f"{where}: atom:id {value!r} is not an absolute URL or tag: URI (RFC 4287 §4.2.6)"]
    return []


def _links(parent: ET.Element, where: str) -> list[str]:
    """RFC 4287 §4.2.7: href required; one alternate per (type, hreflang); enclosures with type and length."""
    problems = []
    alternates: set[tuple[str, str]] = set()
    for link in parent.findall(f"{ATOM}link"):
        href, rel = link.get("href"), link.get("rel", "alternate")
        if not href or not ABSOLUTE.match(href):
            problems.append(f"{where}: atom:link href {href!r} is not an absolute URL")
        kind = link.get("type")
        if kind is not None and not MEDIA_TYPE.match(kind):
            problems.append(f"{where}: atom:link type {kind!r} is not a media type (RFC 4287 §4.2.7.3)")
        length = link.get("length")
        if length is not None and not length.isdigit():
            problems.append(f"{where}: atom:link length {length!r} is not a number of octets (RFC 4287 §4.2.7.6)")
        if rel == "alternate":
            key = (kind or "", link.get("hreflang", ""))
            if key in alternates:
                problems.append(f"{where}: more than one atom:link rel=alternate with type {key[0] or '(none)'} and "
                                f"hreflang {key[1] or '(none)'} ({href}) (RFC 4287 §4.1.1, §4.1.2)")
            alternates.add(key)
        if rel == "enclosure" and (not kind or not length):
            problems.append(f"{where}: atom:link rel=enclosure {href} lacks its type or length")
    return problems


def atom_problems(data: bytes, url: str) -> list[str]:
    """Problems of an Atom feed served at `url`, by RFC 4287 and the portal's own rules."""
    root = ET.fromstring(data)
    if root.tag != f"{ATOM}feed":
        return [f"root element is {root.tag}, not atom:feed in the Atom namespace (RFC 4287 §4.1.1)"]
    problems = []
    for tag in ONCE_IN_FEED:
        problems += _count(root, tag, "feed", exactly=True)
    for tag in AT_MOST_ONCE_IN_FEED:
        problems += _count(root, tag, "feed", exactly=False)
    if not root.get(XML_LANG):
        problems.append("feed: no xml:lang, so readers cannot tell the language")
    problems += _id(root.find(f"{ATOM}id"), "feed")
    for tag in ("title", "subtitle", "rights"):
        for el in root.findall(f"{ATOM}{tag}"):
            problems += _text_construct(el, "feed")
    for person in root.findall(f"{ATOM}author") + root.findall(f"{ATOM}contributor"):
        problems += _person(person, "feed")
    problems += _links(root, "feed")
    selves = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if len(selves) != 1 or selves[0].get("href") != url:
        problems.append(f"feed: rel=self link {[s.get('href') for s in selves]} must be the feed's own URL {url}")
    elif selves[0].get("type") != "application/atom+xml":
        problems.append(f"feed: rel=self link type {selves[0].get('type')!r} is not application/atom+xml")
    feed_updated = _rfc3339(root.findtext(f"{ATOM}updated"))
    if feed_updated is None:
        problems.append(f"feed: atom:updated {root.findtext(f'{ATOM}updated')!r} is not an RFC 3339 date-time")
    feed_has_author = bool(root.findall(f"{ATOM}author"))
    ids: set[str] = set()
    newest = None
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), 1):
        where = f"entry {number} ({entry.findtext(f'{ATOM}id')})"
        for tag in ONCE_IN_ENTRY:
            problems += _count(entry, tag, where, exactly=True)
        for tag in AT_MOST_ONCE_IN_ENTRY:
            problems += _count(entry, tag, where, exactly=False)
        problems += _id(entry.find(f"{ATOM}id"), where)
        if entry.findtext(f"{ATOM}id") in ids:
            problems.append(f"{where}: the same atom:id as an earlier entry")
        ids.add(entry.findtext(f"{ATOM}id"))
        for tag in ("title", "summary", "rights"):
            for el in entry.findall(f"{ATOM}{tag}"):
                problems += _text_construct(el, where)
        content = entry.find(f"{ATOM}content")
        if content is not None:
            problems += _content(content, where)
            if content.get("type") == "html":
                problems += [f"{where}: atom:content links to a relative URL {ref!r}"
                             for ref in relative_refs(content.text or "")]
        links = entry.findall(f"{ATOM}link")
        if content is None and not any(link.get("rel", "alternate") == "alternate" for link in links):
            problems.append(f"{where}: no atom:content, so it needs a rel=alternate link (RFC 4287 §4.1.1)")
        if content is not None and content.get("src") is not None and entry.find(f"{ATOM}summary") is None:
            problems.append(f"{where}: atom:content with src needs an atom:summary (RFC 4287 §4.1.1)")
        problems += _links(entry, where)
        authors = entry.findall(f"{ATOM}author")
        if not authors and not feed_has_author and entry.find(f"{ATOM}source/{ATOM}author") is None:
            problems.append(f"{where}: no atom:author here nor in the feed (RFC 4287 §4.1.1)")
        for person in authors + entry.findall(f"{ATOM}contributor"):
            problems += _person(person, where)
        for category in entry.findall(f"{ATOM}category"):
            if not category.get("term"):
                problems.append(f"{where}: atom:category without term (RFC 4287 §4.2.2)")
        updated = _rfc3339(entry.findtext(f"{ATOM}updated"))
        published = entry.findtext(f"{ATOM}published")
        if updated is None:
            problems.append(f"{where}: atom:updated {entry.findtext(f'{ATOM}updated')!r} is not an RFC 3339 date-time")
            continue
        newest = max(newest or updated, updated)
        if published is not None:
            when = _rfc3339(published)
            if when is None:
                problems.append(f"{where}: atom:published {published!r} is not an RFC 3339 date-time")
            elif when > updated:
                problems.append(f"{where}: atom:updated {updated.isoformat()} is before atom:published {published}")
    if feed_updated is not None and newest is not None and feed_updated != newest:
        problems.append(f"feed: atom:updated {feed_updated.isoformat()} is not its newest entry's {newest.isoformat()}")
    return problems


def _rfc822(value: str | None) -> dt.datetime | None:
    if value is None or not RFC822.match(value.strip()):
        return None
    try:
        return email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None


def rss_problems(data: bytes, url: str) -> list[str]:
    """Problems of an RSS 2.0 feed served at `url`, by the RSS 2.0 specification and the portal's own rules."""
    root = ET.fromstring(data)
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"root element is {root.tag} version {root.get('version')!r}, not rss version 2.0"]
    channels = root.findall("channel")
    if len(channels) != 1:
        return [f"rss has {len(channels)} channel elements, must have one"]
    channel = channels[0]
    problems = []
    for tag in ("title", "link", "description"):
        if len(channel.findall(tag)) != 1:
            problems.append(f"channel: needs exactly one {tag} (RSS 2.0 required channel elements)")
    if not ABSOLUTE.match(channel.findtext("link") or ""):
        problems.append(f"channel: link {channel.findtext('link')!r} is not an absolute URL")
    if not channel.findtext("language"):
        problems.append("channel: no language")
    selves = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if len(selves) != 1 or selves[0].get("href") != url:
        problems.append(f"channel: atom:link rel=self {[s.get('href') for s in selves]} must be the feed's own URL {url}")
    elif selves[0].get("type") != "application/rss+xml":
        problems.append(f"channel: atom:link rel=self type {selves[0].get('type')!r} is not application/rss+xml")
    for tag in ("pubDate", "lastBuildDate"):
        value = channel.findtext(tag)
        if value is not None and _rfc822(value) is None:
            problems.append(f"channel: {tag} {value!r} is not an RFC 822 date-time with a four-digit year")
    guids: set[str] = set()
    newest = None
    for number, item in enumerate(channel.findall("item"), 1):
        where = f"item {number} ({item.findtext('link') or item.findtext('title')})"
        if item.find("title") is None and item.find("description") is None:
            problems.append(f"{where}: needs a title or a description (RSS 2.0)")
        for tag in ("title", "link", "description", "author", "comments", "guid", "pubDate", "source"):
            if len(item.findall(tag)) > 1:
                problems.append(f"{where}: has {len(item.findall(tag))} {tag} elements")
        link = item.findtext("link")
        if link is not None and not ABSOLUTE.match(link):
            problems.append(f"{where}: link {link!r} is not an absolute URL")
        guid = item.find("guid")
        if guid is not None:
            if guid.get("isPermaLink", "true") == "true" and not ABSOLUTE.match(guid.text or ""):
                problems.append(f"{where}: permalink guid {guid.text!r} is not an absolute URL")
            if guid.text in guids:
                problems.append(f"{where}: the same guid as an earlier item")
            guids.add(guid.text or "")
        author = item.findtext("author")
        if author is not None and "@" not in author:
            problems.append(f"{where}: author {author!r} is not an e-mail address (RSS 2.0)")
        enclosures = item.findall("enclosure")
        if len(enclosures) > 1:
            problems.append(f"{where}: {len(enclosures)} enclosures; RSS 2.0 readers take one per item")
        for enclosure in enclosures:
            if not ABSOLUTE.match(enclosure.get("url") or ""):
                problems.append(f"{where}: enclosure url {enclosure.get('url')!r} is not an absolute URL")
            if not (enclosure.get("length") or "").isdigit():
                problems.append(f"{where}: enclosure length {enclosure.get('length')!r} is not a number of bytes")
            if not MEDIA_TYPE.match(enclosure.get("type") or ""):
                problems.append(f"{where}: enclosure type {enclosure.get('type')!r} is not a media type")
        for tag in ("description", f"{CONTENT}encoded"):
            problems += [f"{where}: {tag.removeprefix(CONTENT)} links to a relative URL {ref!r}"
                         for ref in relative_refs(item.findtext(tag) or "")]
        date = item.findtext("pubDate")
        if date is not None:
            when = _rfc822(date)
            if when is None:
                problems.append(f"{where}: pubDate {date!r} is not an RFC 822 date-time with a four-digit year")
            else:
                newest = max(newest or when, when)
    built = _rfc822(channel.findtext("lastBuildDate"))
    if built is not None and newest is not None and built < newest:
        problems.append(f"channel: lastBuildDate {channel.findtext('lastBuildDate')} is before its newest item")
    return problems


def feed_problems(output, public: str) -> dict[str, list[str]]:
    """Problems of every feed in a built site's feeds/ folder, by file name; {} when all are valid."""
    found = {}
    for path in sorted((output / "feeds").glob("*.xml")):
        rel = path.relative_to(output).as_posix()
        check = atom_problems if path.name.endswith(".atom.xml") else rss_problems
        problems = check(path.read_bytes(), f"{public.rstrip('/')}/{rel}")
        if problems:
            found[rel] = problems
    return found
