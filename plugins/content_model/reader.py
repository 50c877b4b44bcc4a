"""Pelican reader for Markdown files with a YAML header, validated against schema.py."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import re
from typing import Any
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from pelican.readers import BaseReader

import gazette.build
from gazette.cache import Cache
from gazette.files import stamp

from . import derive, parse_cache, sanitize
from . import links as urls_and_files
from .fields import TZ, FieldError, ParseContext, parse, parse_slug, parse_type
from .git_dates import last_change
from .images import image_size
from .parse_cache import Parsed
from .problems import did_you_mean, problems
from .schema import STATUS, TYPE_BY_FOLDER, TYPE_LABELS, TYPES, ContentType, Field
from .site_data import default_columns
from .yaml_header import YamlError, load_yaml, split_header

logger = logging.getLogger(__name__)

# Pelican keys an editor must not set through the header (they would move or hide pages).
_RESERVED = {"save_as", "url", "template", "category", "author", "authors", "tags", "modified"}


def unknown_field(key: str, ctype: ContentType) -> str:
    """The message for a header key the type does not have: what it may have meant, and where to look."""
    if key in _RESERVED:
        return (f"'{key}' is reserved for Pelican and cannot be set in a header "
                f"(see docs/content.md for the {ctype.label} fields)")
    others = [t.name for t in TYPES.values() if t is not ctype and any(key in f.keys for f in t.fields)]
    if others:
        return f"unknown field for type {ctype.name}: it belongs to type {', '.join(others)} (类型 `type:`)"
    hint = did_you_mean(key, [k for f in ctype.fields for k in f.keys])
    return (f"unknown field for type {ctype.name}; {hint}the file is not published until it is fixed "
            f"(see docs/content.md for the {ctype.label} fields)")


_FULL_WIDTH_COLON = re.compile(r"^[ \t]*([^\s:：#'\"-][^:：]*?)[ \t]*：", re.M)


def full_width_colon(header: str) -> str | None:
    """The message for a header line whose field name is followed by '：' instead of ':', if any."""
    match = _FULL_WIDTH_COLON.search(header)
    if match is None:
        return None
    line = header.count("\n", 0, match.start()) + 1
    return (f"line {line}: a full-width colon '：' follows '{match.group(1)}'; write an ASCII colon and a space "
            f"('{match.group(1)}: …')")


class _ProseTreeprocessor(Treeprocessor):
    """Make relative links follow the page ({attach}), size images, and let wide tables scroll."""

    def run(self, root: Any) -> None:
        source = getattr(self.md, "gazette_source", "")
        self.wrap_tables(root)
        for el in root.iter():
            attr = {"img": "src", "a": "href"}.get(el.tag)
            value = el.get(attr) if attr else None
            if not value or not urls_and_files.beside_document(value):
                continue  # check_body judges every URL; only files beside the document follow it
            el.set(attr, "{attach}" + value)
            self.md.gazette_links.append(os.path.normpath(os.path.join(os.path.dirname(source), value)))
            if el.tag == "img":
                size = image_size(os.path.join(os.path.dirname(source), value))
                if size and not el.get("width"):
                    el.set("width", str(size[0]))
                    el.set("height", str(size[1]))
                el.set("loading", "lazy")
                el.set("decoding", "async")

    @staticmethod
    def wrap_tables(root: Any) -> None:
        """Put each table in a focusable scroll box so keyboard users can scroll it too."""
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    box = Element("div", {"class": "gz-table", "tabindex": "0", "role": "region",
                                          "aria-label": "表格（可左右滑动）"})
                    parent.remove(child)
                    box.append(child)
                    parent.insert(index, box)


class _AttachExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ProseTreeprocessor(md), "gazette_prose", 1)


class GazetteReader(BaseReader):
    """Read `.md` files: YAML header between `---` lines, Markdown body."""

    enabled = True
    file_extensions = ("md", "markdown")

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        config = settings.get("MARKDOWN", {})
        # One Markdown instance for all files (reset between them): creating one per
        # file is a large share of stock Pelican's reading time.
        self._md = markdown.Markdown(
            extensions=[*config.get("extensions", []), *config.get("extension_configs", {}),
                        _AttachExtension()],
            extension_configs=config.get("extension_configs", {}),
            output_format="html5",
        )
        build = gazette.build.current()
        self.site = build.site
        self.build_time: dt.datetime = build.now
        self.git_dates = build.git_dates

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        if not WARM.done:
            self.warm_up()
        parsed = WARM.parsed.pop(source_path, None) or self.parse(source_path)
        problems.items.extend(parsed.problems)
        content, metadata = self.finish(source_path, parsed)
        if metadata.get("status") == "skip":
            SKIPPED.add(source_path)
        return content, metadata

    def warm_up(self) -> None:
        """Parse every source file up front: from memory if this process was forked after a preload, else from
        the cache, else in worker processes."""
        WARM.parsed = self.parse_library(parse_cache.PRELOADED)
        WARM.done = True

    def parse_library(self, preloaded: dict[str, dict[str, Parsed]], keep: bool = False) -> dict[str, Parsed]:
        """Every source file's parse, by path; preloaded's parses with this build's salt are used (unless the
        cache is ignored), and with keep, every parse goes into preloaded for the builds forked later."""
        settings = self.settings
        salt = parse_cache.salt(settings)
        cache = Cache.open(settings, "gazette-parse", salt, shared=True)
        if keep:
            memory = preloaded.setdefault(salt, {})
        else:
            memory = None if cache.ignored else preloaded.get(salt)
        paths = list(parse_cache.sources(settings["PATH"], self.file_extensions, settings["IGNORE_FILES"]))
        return parse_cache.parse_all(paths, self.parse, cache, settings["GAZETTE_WORKERS"], memory, keep=keep)

    def parse(self, source_path: str) -> Parsed:
        """Read and check one file, keeping the problems it has with the result."""
        start = len(problems.items)
        try:
            parsed = self._parse(source_path)
        except Exception as exc:
            # Pelican would log and drop the file yet finish the build; stop it instead.
            logger.exception("content_model: failed on %s", source_path)
            problems.error(source_path, "(file)", f"could not be read: {exc!r}")
            parsed = Parsed()
        parsed.problems = problems.items[start:]
        del problems.items[start:]
        return parsed

    def _parse(self, source_path: str) -> Parsed:
        limit = self.settings["GAZETTE_MAX_FILE_BYTES"]
        if (size := os.path.getsize(source_path)) > limit:
            problems.error(source_path, "(file)", f"is {size:,} bytes, more than "
                           f"GAZETTE_MAX_FILE_BYTES ({limit:,}); split it or attach the long part as a file")
            return Parsed()
        header = ""
        try:
            with open(source_path, encoding="utf-8-sig") as fh:
                header, body, body_line = split_header(fh.read())
            raw = load_yaml(header)
        except YamlError as exc:
            problems.error(source_path, "header", full_width_colon(header) or str(exc))
            return Parsed()
        except UnicodeDecodeError:
            problems.error(source_path, "(file)", "is not UTF-8 text; save it as UTF-8")
            return Parsed()
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            problems.error(source_path, "header", full_width_colon(header) or "must be a mapping of field: value lines")
            return Parsed()
        checked = self.validate(source_path, raw)
        if checked is None:
            return Parsed()
        ctype, values = checked
        self._md.reset()
        self._md.gazette_source = source_path
        self._md.gazette_links = []
        hosts = self.settings["GAZETTE_IFRAME_HOSTS"]
        for line, what in sanitize.findings(body, body_line, hosts):
            problems.warning(source_path, "body", f"line {line}: {what}; raw HTML is sanitised")
        rendered = self._md.convert(body)
        root = os.path.abspath(self.settings["PATH"])
        for line, what in urls_and_files.check_body(rendered, body, body_line, source_path, root):
            problems.error(source_path, "body", f"line {line}: {what}")
        content = sanitize.clean(rendered, hosts)
        links = list(self._md.gazette_links)
        listed = [ref.source_path for attr in ("attachments", "files") for ref in values.get(attr) or []]
        listed += [values["image"].source_path] if values.get("image") else []
        return Parsed(ctype.name, values, content, links=links,
                      deps={path: stamp(path) for path in [*links, *listed]})

    def finish(self, source_path: str, parsed: Parsed) -> tuple[str, dict[str, Any]]:
        """Add what depends on this build (git dates, derived states, embargoes) to a parse."""
        skip = {"status": "skip"}
        if parsed.values is None or parsed.type_name is None:
            return "", skip
        ctype = TYPES[parsed.type_name]
        meta = self.to_metadata(source_path, ctype, parsed.values)
        ok = True
        for name, message in self.future_dates(ctype, meta):
            problems.error(source_path, name, message)
            ok = False
        for name, message in derive.apply(ctype.name, meta, self.build_time):
            problems.error(source_path, name, message)
            ok = False
        if not ok:
            return "", skip
        self.hold_back(source_path, meta)
        if source_path in HELD:  # remember its files, so they stay unpublished with it
            HELD[source_path]["linked_files"] = list(parsed.links)
        return parsed.content, meta

    def future_dates(self, ctype: ContentType, meta: dict[str, Any]) -> list[tuple[str, str]]:
        """Dates that claim something already happened but lie after this build (a forged 更新/答复 date)."""
        now = max(self.build_time, release_time(meta))  # when it appears
        found = []
        for name in ("updated", "replied"):
            value = meta.get(name)
            if value is None or meta["status"] != "published":
                continue
            later = value > now if isinstance(value, dt.datetime) else value > now.date()
            if later:
                label = ctype.field(name).label
                found.append((name, f"{value:%Y-%m-%d} is in the future ({label} says when it happened; "
                                    "to schedule the item, set `publish_at`)"))
        return found

    def content_type(self, source_path: str, raw: dict[str, Any]) -> ContentType | None:
        """Resolve `type:` (or the folder's default) and check it may live in that folder."""
        rel = os.path.relpath(source_path, self.settings["PATH"])
        folder = rel.replace(os.sep, "/").split("/")[0] if "/" in rel.replace(os.sep, "/") else ""
        in_pages = folder in self.settings["PAGE_PATHS"]
        declared = next((raw[k] for k in ("type", *TYPE_LABELS) if k in raw), None)
        ctx = ParseContext(source_path, types=tuple(TYPES))
        if declared is None:
            name = "page" if in_pages else TYPE_BY_FOLDER.get(folder)
            if name is None:
                problems.error(source_path, "type", "missing: add `type:` (one of "
                               f"{', '.join(TYPES)}) or move the file into content/<type>/")
                return None
        else:
            try:
                name = parse_type(declared, Field("type", "type", "类型"), ctx)
            except FieldError as exc:
                problems.error(source_path, "type", str(exc))
                return None
        if (name == "page") != in_pages:
            where = "content/pages/" if name == "page" else f"content/{TYPES[name].folder}/"
            problems.error(source_path, "type", f"'{name}' documents live in {where}; move the file there")
            return None
        return TYPES[name]

    def validate(self, source_path: str, raw: dict[str, Any]) -> tuple[ContentType, dict[str, Any]] | None:
        """Check the header against the type's schema; return its type and field values, or None."""
        ctype = self.content_type(source_path, raw)
        if ctype is None:
            return None
        # In a cluster a document is checked against the site that owns it (its `site:`, else the portal),
        # whichever site is being built: so it parses the same for all of them.
        cluster = gazette.build.current().cluster
        owner = str(next((raw[k] for k in ctype.field("site").keys if raw.get(k)), "")) or next(iter(cluster), "")
        site = cluster.get(owner) or next(iter(cluster.values()), self.site)
        ctx = ParseContext(source_path, site["columns"], site["departments"], tuple(TYPES),
                           root=os.path.abspath(self.settings["PATH"]),
                           sites=tuple(cluster) if len(cluster) > 1 else ())
        by_key = {key: f for f in ctype.fields for key in f.keys}
        values: dict[str, Any] = {}
        given: set[str] = set()
        failed: set[str] = set()
        ok = True
        for raw_key, value in raw.items():
            key = str(raw_key)
            if key in ("type", *TYPE_LABELS):
                continue
            fld = by_key.get(key)
            if fld is None:
                # A misspelt `status: draft` must not publish a draft: nothing with an unknown key is built.
                problems.error(source_path, key, unknown_field(key, ctype))
                ok = False
                continue
            if fld.name in given:
                problems.error(source_path, fld.name, f"given twice (as '{fld.name}' and '{fld.label}')")
                ok = False
                continue
            given.add(fld.name)
            if value is None or (isinstance(value, (str, list)) and not value):
                continue  # an empty value is the same as leaving the field out
            try:
                values[fld.name] = parse(value, fld, ctx)
            except FieldError as exc:
                problems.error(source_path, fld.name, str(exc))
                failed.add(fld.name)
                ok = False
        for name, warning in ctx.warnings:
            problems.warning(source_path, name, warning)
        for fld in ctype.fields:
            if fld.required and fld.name not in values and fld.name not in failed:
                state = "is empty" if fld.name in given else "missing"
                problems.error(source_path, fld.name,
                               f"{state} ({fld.label} is required for type {ctype.name})")
                ok = False
            values.setdefault(fld.name, fld.default)
        if values["slug"] is None:
            stem = os.path.splitext(os.path.basename(source_path))[0]
            try:
                values["slug"] = parse_slug(stem, ctype.field("slug"), ctx)
            except FieldError:
                problems.error(source_path, "slug", f"missing: the file name '{stem}' is not an ASCII "
                               "slug; rename the file or add `slug:` (别名; use a-z, 0-9 and -)")
                ok = False
        if ctype.name != "page" and values.get("column") is None:
            column = default_columns(site["columns"]).get(ctype.name)
            if column is None:
                where = os.path.relpath(site["file"], self.settings["PATH"]) if site.get("file") else "_data/site.yaml"
                problems.error(source_path, "column", f"no column in {where} lists type {ctype.name}; add one or "
                               "set `column:`")
                ok = False
            values["column"] = column
        if not ok:
            return None
        return ctype, values

    def to_metadata(self, source_path: str, ctype: ContentType, values: dict[str, Any]) -> dict[str, Any]:
        """Shape validated values into the metadata Pelican's Content objects expect."""
        meta = dict(values)
        meta["type"] = ctype.name
        meta["type_label"] = ctype.label
        meta["template"] = ctype.name
        meta["lang"] = values["lang"] or self.settings["DEFAULT_LANG"]
        published = max(values["date"], values["publish_at"] or values["date"])
        if values["updated"]:
            # Only a change after it went public is an update: 最后更新, feeds and sitemap say the same.
            meta["modified"] = values["updated"] if values["updated"] > published else None
        elif values["changes"]:  # the editors' own notes: their latest change of substance on a later day
            major = [c.date for c in values["changes"] if c.major and c.date > published.astimezone(TZ).date()]
            meta["modified"] = dt.datetime.combine(max(major), dt.time(), TZ) if major else None
        else:  # a change after the item first went public, by git (see git_dates)
            history = self.git_dates.get(os.path.abspath(source_path))
            meta["modified"] = last_change(history, published)
        if values["summary"]:
            meta["summary"] = html.escape(values["summary"])
        else:
            meta.pop("summary")
        for key in [k for k, v in meta.items() if v is None]:
            del meta[key]
        return meta

    def hold_back(self, source_path: str, meta: dict[str, Any]) -> None:
        """Drafts, items under review and embargoed or future-dated items never reach Pelican's writers.

        A `date` in the future schedules the item as `publish_at` does (as Hugo and Jekyll
        hold back future-dated posts): a notice dated tomorrow appears tomorrow, so no page,
        list, feed or inspection ever shows a publish date that has not come yet.
        """
        release = release_time(meta)
        held = meta["status"] != "published" or release > self.build_time
        if not held:
            return
        if release > self.build_time:
            meta["publish_at"] = release  # held until its date: _next_change rebuilds then
        if self.settings.get("GAZETTE_SHOW_DRAFTS"):
            # make devserver only: build it, with a banner saying it will not be published.
            why = STATUS[meta["status"]] if meta["status"] != "published" else "定时发布"
            when = f"（{meta['publish_at']:%Y-%m-%d %H:%M}）" if "publish_at" in meta else ""
            meta["held"] = f"{why}{when}"
            meta["status"] = "published"
            return
        HELD[source_path] = dict(meta)
        meta["status"] = "skip"


def release_time(meta: dict[str, Any]) -> dt.datetime:
    """When an item may appear: its date, or its publish_at if that is later."""
    return max(meta["date"], meta.get("publish_at", meta["date"]))


# Held-back items of the current build, so references to them get a precise message.
HELD: dict[str, dict[str, Any]] = {}
# Every source file this build did not turn into a page (held back or invalid).
SKIPPED: set[str] = set()


class _Warm:
    """This build's parse of every source file, made on the first read (see warm_up)."""

    def __init__(self) -> None:
        self.done = False
        self.parsed: dict[str, Parsed] = {}

    def clear(self) -> None:
        self.__init__()


WARM = _Warm()


def now_in_portal_tz() -> dt.datetime:
    """The current time in the portal's time zone (Asia/Shanghai)."""
    return dt.datetime.now(TZ)
