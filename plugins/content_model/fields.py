"""Parsers for the field kinds named in schema.py: editor text in, typed value out."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .images import image_size, raster_type
from .links import file_problem, scheme_of, url_problem
from .schema import REPOST_FROM, Field

TZ = ZoneInfo("Asia/Shanghai")


class FieldError(ValueError):
    """A value an editor wrote cannot be used; the message says why and how to fix it."""


@dataclass
class ParseContext:
    """What a parser may need besides the value: where the file is and the site's structure."""

    source_path: str
    columns: dict[str, Any] = field(default_factory=dict)
    departments: dict[str, Any] = field(default_factory=dict)
    types: tuple[str, ...] = ()
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    root: str = ""  # the content folder: files named in fields must lie inside it
    files_from: str = ""  # where relative file paths start; "" means the source file's folder
    sites: tuple[str, ...] = ()  # a site cluster's site ids (content/_data/sites/); empty: one site


Parser = Callable[[Any, Field, ParseContext], Any]
PARSERS: dict[str, Parser] = {}


def parser(kind: str) -> Callable[[Parser], Parser]:
    """Register a parser for a field kind."""

    def wrap(func: Parser) -> Parser:
        PARSERS[kind] = func
        return func

    return wrap


# Most characters a value of each kind may have, unless its field sets max_len: a pasted
# document in a title would otherwise be printed into every page that lists it.
MAX_LEN = {"str": 300, "text": 20000, "list": 300, "doc_no": 100, "slug": 100, "url": 2000, "contact": 500}


def parse(value: Any, fld: Field, ctx: ParseContext) -> Any:
    """Parse one value with the parser of its field's kind, after checking its length."""
    limit = fld.max_len or MAX_LEN.get(fld.kind, 0)
    items = value if isinstance(value, list) and fld.kind == "list" else [value]
    longest = max((len(v) for v in items if isinstance(v, str)), default=0)
    if limit and longest > limit:
        raise FieldError(f"is {longest:,} characters long, more than the {limit:,} allowed ({fld.label}); "
                         "shorten it (the full text belongs in the body)")
    return PARSERS[fld.kind](value, fld, ctx)


_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CN_DATE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _date_parts(text: str) -> tuple[int, int, int] | None:
    m = _DATE_RE.match(text) or _CN_DATE_RE.match(text)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def _no_such_day(parts: tuple[int, int, int], text: str, fld: Field) -> FieldError:
    """The error for a well-formed date that is not in the calendar (2026-11-31, 2026-02-29)."""
    year, month, _day = parts
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    else:
        last = calendar.monthrange(year, month)[1]
        why = f"{year}年{month}月只有{last}天 ({month}/{year} has {last} days)"
    return FieldError(f"'{text}' is not a day of the calendar: {why} ({fld.label})")


@parser("date")
def parse_date(value: Any, fld: Field, ctx: ParseContext) -> dt.date:
    text = str(value).strip()
    parts = _date_parts(text)
    if parts:
        try:
            return dt.date(*parts)
        except ValueError:
            raise _no_such_day(parts, text, fld) from None
    raise FieldError(f"'{text}' is not a date ({fld.label}, YYYY-MM-DD)")


@parser("datetime")
def parse_datetime(value: Any, fld: Field, ctx: ParseContext) -> dt.datetime:
    text = str(value).strip().replace("T", " ")
    date_text, _, time_text = text.partition(" ")
    parts = _date_parts(date_text.strip())
    tm = _TIME_RE.match(time_text.strip()) if time_text.strip() else None
    if parts and (tm or not time_text.strip()):
        try:
            dt.date(*parts)
        except ValueError:
            raise _no_such_day(parts, text, fld) from None
        try:
            hour, minute, second = (int(tm[1]), int(tm[2]), int(tm[3] or 0)) if tm else (0, 0, 0)
            return dt.datetime(*parts, hour, minute, second, tzinfo=TZ)
        except ValueError:
            raise FieldError(f"'{text}' has no such time of day ({fld.label}, HH:MM from 00:00 to 23:59)") from None
    raise FieldError(f"'{text}' is not a date-time ({fld.label}, YYYY-MM-DD HH:MM)")


@parser("str")
def parse_str(value: Any, fld: Field, ctx: ParseContext) -> str:
    if isinstance(value, (dict, list)):
        raise FieldError(f"must be a single line of text, not a {type(value).__name__} ({fld.label})")
    text = " ".join(str(value).split())
    if not text:
        raise FieldError(f"is empty ({fld.label})")
    return text


@parser("text")
def parse_text(value: Any, fld: Field, ctx: ParseContext) -> str:
    if isinstance(value, (dict, list)):
        raise FieldError(f"must be text, not a {type(value).__name__} ({fld.label})")
    text = str(value).strip()
    if not text:
        raise FieldError(f"is empty ({fld.label})")
    return text


_HALF_WIDTH_DOC_NO = re.compile(r"[\[(（【]\s*(\d{4})\s*[\])）】]")


@parser("doc_no")
def parse_doc_no(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = parse_str(value, fld, ctx).replace(" ", "")
    if _HALF_WIDTH_DOC_NO.search(text):
        fixed = _HALF_WIDTH_DOC_NO.sub(r"〔\1〕", text)
        ctx.warnings.append(
            (fld.name, f"'{text}' uses look-alike brackets; write '{fixed}' with 〔〕 ({fld.label})")
        )
    return text


@parser("int")
def parse_int(value: Any, fld: Field, ctx: ParseContext) -> int:
    if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
        raise FieldError(f"'{value}' is not a whole number ({fld.label})")
    return int(str(value).strip())


def count_of(value: Any) -> int | None:
    """A number of things (件, 条, 次) as written: a whole number, 0 or more; 1,234 and 1，234 are 1234. None if not."""
    text = re.sub(r"[,，\s]", "", str(value)) if not isinstance(value, bool) else "-"
    return int(text) if re.fullmatch(r"\d+", text) else None


@parser("count")
def parse_count(value: Any, fld: Field, ctx: ParseContext) -> int:
    count = count_of(value)
    if count is None:
        raise FieldError(f"'{value}' is not a count: write a whole number, 0 or more ({fld.label})")
    return count


@parser("amount")
def parse_amount(value: Any, fld: Field, ctx: ParseContext) -> Decimal:
    """A sum of money or a measure with decimals (万元, 天): 0 or more, at most two decimals."""
    text = re.sub(r"[,，\s]", "", str(value)) if not isinstance(value, bool) else "-"
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise FieldError(f"'{value}' is not an amount: write a number, 0 or more, with at most two decimals "
                         f"({fld.label})")
    return Decimal(text)


@parser("counts")
def parse_counts(value: Any, fld: Field, ctx: ParseContext) -> list[int]:
    """A row of counts, one per column of a table: `[3, 0, 1]`."""
    if not isinstance(value, list):
        raise FieldError(f"must be a list of counts, one per column: [3, 0, 1] ({fld.label})")
    return [parse_count(item, fld, ctx) for item in value]


@parser("mapping")
def parse_mapping(value: Any, fld: Field, ctx: ParseContext) -> dict[Any, Any]:
    """A group of fields of its own (`key: value` lines indented under it), checked by whoever reads it."""
    if not isinstance(value, dict):
        raise FieldError(f"must be a group of `key: value` lines indented under it ({fld.label})")
    return value


_TRUE = {"true", "yes", "是", "1"}
_FALSE = {"false", "no", "否", "0"}


@parser("bool")
def parse_bool(value: Any, fld: Field, ctx: ParseContext) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise FieldError(f"'{value}' is not true or false ({fld.label})")


@parser("enum")
def parse_enum(value: Any, fld: Field, ctx: ParseContext) -> str:
    assert fld.choices is not None
    text = str(value).strip()
    by_label = {label: key for key, label in fld.choices.items()}
    if text.lower() in fld.choices:
        return text.lower()
    if text in by_label:
        return by_label[text]
    close = [key for key, label in fld.choices.items() if text and (text in label or label in text)]
    hint = f"; did you mean {close[0]} ({fld.choices[close[0]]})?" if len(close) == 1 else ""
    allowed = ", ".join(f"{key} ({label})" for key, label in fld.choices.items())
    raise FieldError(f"'{text}' is not one of {allowed} ({fld.label}){hint}")


_SPLIT = re.compile(r"[,，、;；]+")


@parser("list")
def parse_list(value: Any, fld: Field, ctx: ParseContext) -> list[str]:
    if isinstance(value, dict):
        raise FieldError(f"must be a list, not a mapping ({fld.label})")
    items = value if isinstance(value, list) else _SPLIT.split(str(value))
    result = []
    for item in items:
        if isinstance(item, (dict, list)):
            raise FieldError(f"list items must be text ({fld.label})")
        text = " ".join(str(item).split())
        if text:
            result.append(text)
    if not result:
        raise FieldError(f"is empty ({fld.label})")
    return result


_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@parser("slug")
def parse_slug(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = str(value).strip()
    if not _SLUG.match(text):
        raise FieldError(f"'{text}' is not an ASCII slug ({fld.label}; use a-z, 0-9 and -)")
    return text


@parser("lang")
def parse_lang(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[a-z]{2}(-[A-Za-z]{2,4})?", text):
        raise FieldError(f"'{text}' is not a language code ({fld.label}; e.g. zh-CN, en)")
    return text.lower()  # Pelican compares languages in lower case


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@parser("contact")
def parse_contact(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = str(value).strip()
    if _URL.match(text):
        return text
    if _EMAIL.match(text.removeprefix("mailto:")):
        return "mailto:" + text.removeprefix("mailto:")
    raise FieldError(f"'{text}' is not a URL (https://…) or an email address ({fld.label})")


@parser("url")
def parse_url(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = parse_str(value, fld, ctx)
    why = url_problem(text)
    if why:
        raise FieldError(f"{why} ({fld.label})")
    if not (scheme_of(text) or (text.startswith("/") and not text.startswith("//"))):
        raise FieldError(f"'{text}' is neither a full address (https://…, mailto:, tel:) nor a path on the site "
                         f"starting with / ({fld.label})")
    return text


@parser("column")
def parse_column(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = str(value).strip()
    if text not in ctx.columns:
        raise FieldError(
            f"'{text}' is not a column in _data/site.yaml ({fld.label}; one of {', '.join(ctx.columns)})"
        )
    return text


def _site_id(text: str, fld: Field, ctx: ParseContext, also: tuple[str, ...] = ()) -> str:
    if not ctx.sites:
        raise FieldError(f"this repository is one site; {fld.label} needs a site cluster (content/_data/sites/)")
    if text not in ctx.sites and text not in also:
        raise FieldError(f"'{text}' is not a site of the cluster ({fld.label}; one of {', '.join(ctx.sites + also)})")
    return text


@parser("site")
def parse_site(value: Any, fld: Field, ctx: ParseContext) -> str:
    """A site of the cluster, by its id."""
    return _site_id(str(value).strip(), fld, ctx)


@parser("sites")
def parse_sites(value: Any, fld: Field, ctx: ParseContext) -> list[str]:
    """Sites of the cluster, by id or by relation (parent, children, …): `[jyj, fgw]` or `children`."""
    return list(dict.fromkeys(_site_id(text, fld, ctx, REPOST_FROM) for text in parse_list(value, fld, ctx)))


@parser("department")
def parse_department(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = str(value).strip()
    if text not in ctx.departments:
        known = ", ".join(ctx.departments) or "none defined"
        raise FieldError(f"'{text}' is not a department in _data/site.yaml ({fld.label}; one of {known})")
    return text


@parser("type")
def parse_type(value: Any, fld: Field, ctx: ParseContext) -> str:
    text = str(value).strip()
    if text not in ctx.types:
        raise FieldError(f"'{text}' is not a content type ({fld.label}; one of {', '.join(ctx.types)})")
    return text


@dataclass(frozen=True)
class Change:
    """One entry of a document's public change notes (更新记录)."""

    date: dt.date
    note: str
    major: bool = False  # a change of substance: it dates 最后更新, feeds and the sitemap; a typo fix does not


_CHANGE_KEYS = ("date", "note", "major")


@parser("changes")
def parse_changes(value: Any, fld: Field, ctx: ParseContext) -> list[Change]:
    if not isinstance(value, list):
        raise FieldError(f"must be a list of {{date, note}} entries ({fld.label})")
    changes = []
    for number, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise FieldError(f"item {number} must be a mapping with date, note and optionally major ({fld.label})")
        extra = set(map(str, item)) - set(_CHANGE_KEYS)
        if extra:
            raise FieldError(f"item {number}: unknown key '{sorted(extra)[0]}' ({fld.label}; use date, note, major)")
        note = str(item.get("note") or "").strip()
        if not note or "\n" in note or len(note) > 200:
            raise FieldError(f"item {number}: 'note' must be one line of 1 to 200 characters ({fld.label})")
        try:
            day = parse_date(item.get("date") or "", fld, ctx)
            major = parse_bool(item.get("major", False), fld, ctx)
        except FieldError as exc:
            raise FieldError(f"item {number}: {exc}") from None
        changes.append(Change(day, note, major))
    return sorted(changes, key=lambda c: c.date)


@dataclass(frozen=True)
class FileRef:
    """A file that lives beside a content file: attachment or dataset file."""

    file: str  # path relative to the content file's folder
    title: str
    format: str
    size: int
    source_path: str  # absolute path on disk
    url: str = ""  # filled in once the file is placed in the output

    @property
    def size_text(self) -> str:
        size = float(self.size)
        for unit in ("B", "KB", "MB"):
            if size < 1024 or unit == "MB":
                return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            size /= 1024
        return f"{size:.1f} GB"  # pragma: no cover - loop always returns


@parser("files")
def parse_files(value: Any, fld: Field, ctx: ParseContext) -> list[FileRef]:
    if not isinstance(value, list):
        value = [value]
    known = {key for key, _ in fld.item_keys}
    refs = []
    folder = os.path.dirname(ctx.source_path)
    for number, entry in enumerate(value, 1):
        item = {"file": entry} if isinstance(entry, str) else entry
        if not isinstance(item, dict):
            raise FieldError(f"item {number} must be a mapping with {', '.join(sorted(known))} ({fld.label})")
        for key, required in fld.item_keys:
            if required and not str(item.get(key) or "").strip():
                raise FieldError(f"item {number}: '{key}' is missing ({fld.label})")
        extra = set(item) - known
        if extra:
            raise FieldError(f"item {number}: unknown key '{sorted(extra)[0]}' "
                             f"({fld.label}; use {', '.join(sorted(known))})")
        name = str(item["file"]).strip()
        path = os.path.normpath(os.path.join(folder, name))
        if name.startswith("/") or ".." in name.split("/") or not os.path.isfile(path):
            raise FieldError(f"item {number}: file '{name}' not found beside the document ({fld.label})")
        ext = os.path.splitext(name)[1].lstrip(".").upper()
        refs.append(FileRef(
            file=name,
            title=str(item.get("title") or os.path.splitext(os.path.basename(name))[0]).strip(),
            format=str(item.get("format") or ext).strip().upper(),
            size=os.path.getsize(path),
            source_path=path,
        ))
    return refs


@dataclass(frozen=True)
class ImageRef:
    """A PNG or JPEG in the content folder, with the pixel size its header gives: a share card image."""

    file: str  # as the editor wrote it
    alt: str  # "" means: the page's title (or the site's name)
    width: int
    height: int
    media_type: str
    source_path: str  # absolute path on disk
    url: str = ""  # filled in once the file is placed in the output


@parser("image")
def parse_image(value: Any, fld: Field, ctx: ParseContext) -> ImageRef:
    item = {"file": value} if isinstance(value, str) else value
    if not isinstance(item, dict):
        raise FieldError(f"must be a file name or a mapping with file and alt ({fld.label})")
    extra = sorted(str(k) for k in set(item) - {"file", "alt"})
    if extra:
        raise FieldError(f"unknown key '{extra[0]}' ({fld.label}; use file and alt)")
    name = str(item.get("file") or "").strip()
    if not name:
        raise FieldError(f"'file' is missing ({fld.label})")
    alt = " ".join(str(item.get("alt") or "").split())
    if len(alt) > MAX_LEN["str"]:
        raise FieldError(f"alt is {len(alt):,} characters long, more than the {MAX_LEN['str']} allowed ({fld.label})")
    root = ctx.root or os.path.dirname(ctx.source_path)
    start = ctx.files_from or os.path.dirname(ctx.source_path)
    where = "content/" if ctx.files_from else "the document's folder, or content/ if they start with /"
    path = os.path.normpath(os.path.join(root if name.startswith("/") else start, name.lstrip("/")))
    problem = file_problem(path, root)
    if problem:
        raise FieldError(f"'{name}' {problem} ({fld.label})")
    if not os.path.isfile(path):
        raise FieldError(f"file '{name}' not found ({fld.label}; paths are relative to {where})")
    kind = raster_type(path)
    if kind is None:
        raise FieldError(f"'{name}' is not a PNG or JPEG image ({fld.label}; WeChat, Weibo and QQ show no SVG, "
                         "GIF or WebP thumbnail: save it as PNG or JPEG)")
    size = image_size(path)
    if not size or not all(size):
        raise FieldError(f"'{name}' has no readable width and height ({fld.label}); save it again as PNG or JPEG")
    return ImageRef(file=name, alt=alt, width=size[0], height=size[1], media_type=kind, source_path=path)
