"""Gazette's content model: read, validate and connect the editors' documents.

Reads Markdown+YAML files against the schema tables, loads the site structure from
`_data/site.yaml`, checks what only the whole site can show (unique URLs, document and
index numbers, interpretation links, attachments) and stops the build with one line per
problem before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import sys
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator, StaticGenerator

import gazette.build
from gazette.files import write_atomic
from gazette.settings import Setting, Table

from .cluster import owner, place_articles, place_pages
from .fields import TZ, FieldError, ImageRef, ParseContext, parse_datetime
from .git_dates import commit_dates
from .links import final_problems, inside
from .problems import Problems, display_path, problems
from .reader import HELD, SKIPPED, WARM, GazetteReader, now_in_portal_tz, release_time
from .relations import link_interpretations, link_lifecycle, link_topics
from .schema import DISCLOSURE, Field
from .site_data import SITE_FILE, load_cluster
from .static_files import install, refuse, symlinks

logger = logging.getLogger(__name__)

SETTINGS = Table("content_model", "GAZETTE_", [
    Setting("PORTAL_URL", "", "The portal's public address when `content/_data/site.yaml` gives no `site.url`: "
            "QR codes, share links, canonical URLs and feeds use it even where SITEURL is empty."),
    Setting("GAZETTE_BUILD_TIME", None, "Fixes \"now\" for embargoes, consultation states and dates shown "
            "(`YYYY-MM-DD HH:MM` in Asia/Shanghai, or a datetime); None means the real time.",
            types=(str, dt.datetime), nullable=True),
    Setting("GAZETTE_RESERVED_PATHS", ["theme", "feeds", "search", "static", "zfxxgk", "inspection"],
            "Output paths that content may not take (besides column folders).", items=str),
    Setting("GAZETTE_SHOW_DRAFTS", False, "Show drafts, items under review and embargoed items with a banner "
            "(make devserver, make preview); publishconf.py forces it off."),
    Setting("GAZETTE_PREVIEW", False, "A reviewers' preview (previewconf.py): 预览 banner and noindex on every "
            "page, relative links."),
    Setting("GAZETTE_PUBLIC_STATIC_DIRS", ["files", "images"],
            "Folders under content/ whose files are published even if no document links them.", items=str),
    Setting("GAZETTE_GIT_DATES_ENABLED", True,
            "Show the last git commit date as 最后更新 where a file gives no `updated`."),
    Setting("GAZETTE_IFRAME_HOSTS", ["v.qq.com", "player.youku.com", "player.bilibili.com"],
            "Video hosts whose `<iframe>` embeds survive sanitising (https only).", items=str),
    Setting("GAZETTE_CACHE", True, "Keep parsed files, compiled templates, rendered pages, QR codes, search "
            "shards and inspection facts in CACHE_PATH between builds (gazette/cache.py)."),
    Setting("GAZETTE_CACHE_DAYS", 30, "Cache entries no build used for this many days are removed, and so are "
            "stored pages of an output folder not built for that long.", minimum=1),
    Setting("GAZETTE_IGNORE_CACHE", False, "Read nothing from any cache, still write fresh entries (the same as "
            "`pelican --ignore-cache`): every page is rendered and every search shard indexed."),
    Setting("GAZETTE_MAX_FILE_BYTES", 4 * 1024 * 1024, "Largest Markdown file read, in bytes: past this it is "
            "more likely a pasted export than a document.", minimum=1),
    Setting("GAZETTE_VALIDATE_ONLY", False, "Stop after reading and checking every file (make validate): "
            "nothing is rendered or written."),
    Setting("GAZETTE_VALIDATE_FILES", [], "Report only the problems of these files (`make validate FILE=…`, "
            "the pre-commit hook): the whole site is still read, so references between documents are checked.",
            items=str),
    Setting("GAZETTE_PROBLEMS_FILE", None, "Also write every reported problem to this JSON file "
            "(make validate and publish, for CI annotations).", types=(str,), nullable=True),
    Setting("GAZETTE_SCHEDULE_FILE", None, "Write every moment the site changes by itself (embargoes, "
            "consultations) to this JSON file (make scheduled).", types=(str,), nullable=True),
    Setting("GAZETTE_SITE", None, "In a site cluster (`content/_data/sites/`): the id of the site to build; None "
            "builds the portal (`site.yaml`). `make html` and `make publish` set it for each site in turn.",
            types=(str,), nullable=True),
    Setting("GAZETTE_SHARED_CACHE_PATH", None, "Where caches whose entries serve every site of a cluster (parsed "
            "files) live, when each site has a CACHE_PATH of its own (`make html` sets both); None: CACHE_PATH.",
            types=(str,), nullable=True),
    Setting("GAZETTE_WORKERS", os.cpu_count() or 1, "Worker processes for parsing and rendering; 1 does "
            "everything in the build process.", minimum=1, shown_default="the number of CPUs"),
])


def start_build(settings: dict[str, Any], now: dt.datetime, found: Problems) -> gazette.build.Build:
    """Start the build's state: its clock, the cluster's sites (their files' problems into found) and the site
    being built, whose data `site` is when the cluster has it."""
    build = gazette.build.start(now)
    build.cluster = load_cluster(settings["PATH"], found)
    build.site_id = settings.get("GAZETTE_SITE") or next(iter(build.cluster), "")
    build.site = build.cluster.get(build.site_id, build.site)
    return build


def _configure(pelican: Any) -> None:
    """Fill and check GAZETTE_* settings, load site.yaml, and reset per-build state."""
    settings = pelican.settings
    problems.start(settings.get("GAZETTE_PROBLEMS_FILE"), settings.get("GAZETTE_VALIDATE_FILES") or None)
    HELD.clear()
    SKIPPED.clear()
    WARM.clear()
    if settings["JINJA_ENVIRONMENT"].get("autoescape") is not True:
        problems.error("pelicanconf.py", "JINJA_ENVIRONMENT", "autoescape must be True: templates print "
                       "editors' text, which must never become markup (see docs/security.md)")
    build_time = settings["GAZETTE_BUILD_TIME"]
    now = now_in_portal_tz()
    if isinstance(build_time, dt.datetime):
        now = build_time if build_time.tzinfo else build_time.replace(tzinfo=TZ)
    elif build_time is not None:
        try:
            now = parse_datetime(build_time, Field("GAZETTE_BUILD_TIME", "datetime", "构建时间"),
                                 ParseContext("pelicanconf.py"))
        except FieldError as exc:
            problems.error("pelicanconf.py", "GAZETTE_BUILD_TIME", str(exc))
    for path in symlinks(settings["PATH"]):
        problems.error(path, "(file)", "is a symbolic link; links are never published: copy the file "
                       "or folder into content/ instead")
    build = start_build(settings, now, problems)
    if build.site_id not in build.cluster:
        problems.error("pelicanconf.py", "GAZETTE_SITE", f"'{build.site_id}' is not a site of the cluster "
                       f"(one of {', '.join(build.cluster)})")
        problems.report()
    # Published, the sites link to each other at their addresses; built locally side by side
    # (SITEURL /<id>, gazette.cluster), at their folders.
    local = not str(settings.get("SITEURL") or "").startswith(("https://", "http://"))
    build.bases = {sid: f"/{sid}" if local else (data["site"].get("url") or "").rstrip("/")
                   for sid, data in build.cluster.items()}
    if settings["GAZETTE_GIT_DATES_ENABLED"]:
        build.git_dates = commit_dates(os.path.abspath(settings["PATH"]))
    if problems.errors:
        problems.report()


def _site_theme(settings: dict[str, Any], site_id: str) -> None:
    """A site's own look beside the theme (themes/sites/<id>/, for a cluster's site): its templates/ replace the
    theme's of the same name (`{% extends "!theme/base.html" %}` reaches the original), its static/ adds to
    or replaces the theme's files under THEME_STATIC_DIR. Set before any plugin reads the theme's folders."""
    folder = os.path.join(gazette.build.site_themes(settings["THEME"]), site_id)
    templates, static = os.path.join(folder, "templates"), os.path.join(folder, "static")
    if os.path.isdir(templates):
        settings["THEME_TEMPLATES_OVERRIDES"] = [templates, *settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    if os.path.isdir(static):  # an absolute path: StaticGenerator joins it to the theme's as itself
        settings["THEME_STATIC_PATHS"] = [*settings["THEME_STATIC_PATHS"], static]


def _site_address(pelican: Any) -> None:
    """The public address is the office's data (site.yaml `site.url`), not the tool's settings; and the
    site's own look (_site_theme).

    Runs once settings are read and before anything is built; publishconf.py's
    `SITEURL = PORTAL_URL` follows it. A bad value is reported by _configure.
    """
    settings = pelican.settings
    cluster = load_cluster(settings["PATH"], Problems())
    site_id = settings.get("GAZETTE_SITE") or next(iter(cluster))
    _site_theme(settings, site_id)
    site = cluster.get(site_id, {"site": {}})
    url = (site["site"].get("url") or "").rstrip("/")
    if not url.startswith(("https://", "http://")):
        return
    if settings.get("SITEURL") and settings["SITEURL"] == settings.get("PORTAL_URL"):
        settings["SITEURL"] = url
    settings["PORTAL_URL"] = url


def add_reader(readers: Any) -> None:
    for ext in GazetteReader.file_extensions:
        readers.reader_classes[ext] = GazetteReader
    # Pelican would read an .html file as a page with none of our fields; as a static file
    # it is refused with a message instead (static_files.ACTIVE_EXTENSIONS).
    for ext in ("html", "htm"):
        readers.reader_classes.pop(ext, None)
    _skip_empty_cache(readers)


def _skip_empty_cache(cacher: Any) -> None:
    """Stop Pelican's content cache (off unless CACHE_CONTENT) from stamping every file twice for nothing.

    Switched off, it still looks up each file's mtime when asked for cached data and again
    when handed data it will not keep: 0.6 s of every 10,000-document build. (Gazette keeps
    its own parse cache, gazette-parse.)
    """
    settings = cacher.settings  # (Readers send readers_init before setting their cache up)
    if not settings.get("CACHE_CONTENT") and not settings.get("LOAD_CONTENT_CACHE"):
        cacher.get_cached_data = lambda filename, default=None: default
        cacher.cache_data = lambda filename, data: None


def _mark_held_as_sources(generator: Any) -> None:
    """Record skipped source files as content so the static generator never copies them.

    Also forget linked files outside the content folder (reported by the reader) or missing
    (reported by the inspection's link check): Pelican's static generator would try to read them.
    """
    for path in SKIPPED:
        rel = os.path.relpath(path, generator.path).replace(os.sep, "/")
        generator.context["generated_content"].setdefault(rel, None)
    links = generator.context["static_links"]
    root = generator.path
    for rel in [r for r in links if not (inside(path := os.path.join(root, r), root) and os.path.isfile(path))]:
        links.discard(rel)


def _order_articles(generator: ArticlesGenerator) -> None:
    """Newest first, ties by path: Pelican collects files in a set, so equal dates came in random order."""
    for items in (generator.articles, generator.translations, generator.hidden_articles):
        items.sort(key=lambda a: (a.date, a.source_path), reverse=True)


def _link_library(generator: ArticlesGenerator) -> None:
    """Number and link the policies of the whole library, then keep what this site shows (cluster.py).

    Before any site keeps its part, so a copy on another site carries the 索引号 its owner gave
    it and shows the amendments and repeals its owner's site shows.
    """
    build = gazette.build.current()
    articles = [*generator.articles, *generator.translations]
    owned: dict[str, list[Any]] = {site_id: [] for site_id in build.cluster}
    for doc in articles:
        owned.setdefault(owner(doc), []).append(doc)
    for site_id, site in build.cluster.items():
        _assign_index_numbers(owned[site_id], site["site"].get("index_org_code", ""))
    link_lifecycle([d for d in articles if d.type == "policy"], problems)
    place_articles(generator)


def _guard_static_sources(generators: list[Any]) -> None:
    """Refuse to publish any content source file (e.g. a held-back draft), link or active file as is."""
    for gen in generators:
        if isinstance(gen, StaticGenerator):
            for item in gen.staticfiles:
                if item.source_path.endswith(tuple("." + e for e in GazetteReader.file_extensions)):
                    problems.error(item.source_path, "(file)",
                                   "would be copied to the site as a raw file; this is a bug")
            refuse(gen, lambda path, why: problems.error(path, "(file)", why))


def _documents(generators: list[Any]) -> list[Any]:
    docs: list[Any] = []
    for gen in generators:
        if isinstance(gen, ArticlesGenerator):
            docs += gen.articles + gen.translations
        elif isinstance(gen, PagesGenerator):
            docs += gen.pages + gen.translations + gen.hidden_pages + gen.hidden_translations
    return sorted(docs, key=lambda d: d.source_path)


def _assign_index_numbers(docs: list[Any], org_code: str) -> None:
    """Give policies without 索引号 the next free `<org>/<year>-<seq>`, in publish order."""
    taken = {d.index_no for d in docs if getattr(d, "index_no", None)}
    next_seq: dict[int, int] = defaultdict(lambda: 1)
    for doc in sorted(docs, key=lambda d: (d.date, d.source_path)):
        if doc.type != "policy" or getattr(doc, "index_no", None):
            continue
        year = doc.date.year
        while (number := f"{org_code}/{year}-{next_seq[year]:05d}") in taken:
            next_seq[year] += 1
        doc.index_no = doc.metadata["index_no"] = number
        taken.add(number)


def _check_unique(docs: list[Any], attr: str, label: str, reserved: dict[str, str]) -> None:
    """Report documents sharing a value that must be unique, naming both files."""
    seen: dict[str, str] = dict(reserved)
    owners: dict[str, str] = {}  # value -> source path; shown only when there is a clash
    for doc in docs:
        value = getattr(doc, attr, None)
        if value is None:
            continue
        if value in seen or value in owners:
            other = seen[value] if value in seen else display_path(owners[value])
            if attr == "save_as":  # speak of the URL editors see, and the field that sets it
                shown = "/" + value.removesuffix("index.html")
                problems.error(doc.source_path, "slug", f"URL {shown} is also used by {other} "
                               "(URLs must be unique; set a different `slug:`)")
            else:
                problems.error(doc.source_path, attr,
                               f"'{value}' is also used by {other} ({label} must be unique)")
        else:
            owners[value] = doc.source_path


def _held_policies() -> list[SimpleNamespace]:
    """Drafts, items under review and embargoed policies, with the numbers they will publish under."""
    return [SimpleNamespace(source_path=path, doc_no=meta.get("doc_no"), index_no=meta.get("index_no"))
            for path, meta in HELD.items() if meta.get("type") == "policy"]


def _attach_files(docs: list[Any], generators: list[Any]) -> None:
    """Publish attachments and dataset files beside the page that lists them, and share images."""
    static = next((g for g in generators if isinstance(g, StaticGenerator)), None)
    content_root = static.path if static else ""
    store = static.context["static_content"] if static else {}
    for doc in docs:
        for attr in ("attachments", "files"):
            refs = getattr(doc, attr, None)
            if not refs:
                continue
            placed = []
            for ref in refs:
                rel = os.path.relpath(ref.source_path, content_root).replace(os.sep, "/")
                item = store.get(rel)
                if item is None:
                    problems.error(doc.source_path, attr, f"'{ref.file}' is excluded from static "
                                   "files (STATIC_PATHS/STATIC_EXCLUDES); it cannot be published")
                    continue
                item.attach_to(doc)
                placed.append(dataclasses.replace(ref, url=item.url))
            setattr(doc, attr, placed)
            doc.metadata[attr] = placed
        image = getattr(doc, "image", None)
        if image is not None:
            doc.image = doc.metadata["image"] = _place_image(image, doc, store, content_root,
                                                             (doc.source_path, "image"))
    site = gazette.build.current().site
    for key in SITE_IMAGES:
        if site["site"].get(key) is not None:
            site_file = site["file"] or os.path.join(content_root, SITE_FILE)
            site["site"][key] = _place_image(site["site"][key], None, store, content_root, (site_file, f"site.{key}"))


# Pictures site.yaml names, published wherever they are under content/.
SITE_IMAGES = ("share_image", "logo")


def _place_image(ref: ImageRef, doc: Any, store: dict[str, Any], root: str,
                 where: tuple[str, str]) -> ImageRef | None:
    """Publish a share image: beside its document if it lies in the document's folder, else where it is.

    Only an image no page has placed yet follows a document (Pelican moves a file once, and
    warns on a second move), so one image may serve several documents and the site.
    """
    rel = os.path.relpath(ref.source_path, root).replace(os.sep, "/")
    item = store.get(rel)
    if item is None:
        problems.error(*where, f"'{ref.file}' is excluded from static files (STATIC_PATHS/STATIC_EXCLUDES, "
                       "or a name starting with _ or .); it cannot be published")
        return None
    beside = doc is not None and inside(ref.source_path, os.path.dirname(doc.source_path))
    if beside and not hasattr(item, "override_save_as") and not item._output_location_referenced:
        item.attach_to(doc)
    return dataclasses.replace(ref, url=item.url)


def _refs(value: Any) -> list[Any]:
    """A document's file references of one field: none, one (image) or a list (attachments, files)."""
    return [] if not value else list(value) if isinstance(value, (list, tuple)) else [value]


def _publish_only_linked_files(docs: list[Any], generators: list[Any], settings: dict[str, Any]) -> None:
    """Copy a static file only if a published document links or lists it, or it sits in a public folder.

    Files beside a draft (its attachments, images) would otherwise be published by Pelican's
    static generator at their source path, and so would forgotten files nobody links to.
    """
    static = next((g for g in generators if isinstance(g, StaticGenerator)), None)
    if static is None:
        return
    root = static.path

    def rel(path: str) -> str:
        return os.path.relpath(path, root).replace(os.sep, "/")

    wanted = {p.replace(os.sep, "/") for p in static.context["static_links"]}
    wanted |= {rel(ref.source_path) for doc in docs for attr in ("attachments", "files")
               for ref in (getattr(doc, attr, None) or [])}
    build = gazette.build.current()
    site_images = [build.site["site"].get(key) for key in SITE_IMAGES]
    wanted |= {rel(ref.source_path) for ref in site_images + [getattr(doc, "image", None) for doc in docs] if ref}
    held = {rel(ref.source_path) for meta in HELD.values() for attr in ("attachments", "files")
            for ref in (meta.get(attr) or [])}
    held |= {rel(meta["image"].source_path) for meta in HELD.values() if meta.get("image")}
    held |= {rel(path) for meta in HELD.values() for path in meta.get("linked_files", [])}
    # Other sites' files in a cluster: their sites publish them (content_model/cluster.py).
    others = [*build.foreign, *build.referenced]
    held |= {rel(data["site"][key].source_path) for data in build.cluster.values() for key in SITE_IMAGES
             if data["site"].get(key)}
    held |= {rel(ref.source_path) for doc in others for attr in ("attachments", "files", "image")
             for ref in _refs(getattr(doc, attr, None))}
    held |= {p.replace(os.sep, "/") for p in build.other_files}
    public = tuple(d.strip("/") + "/" for d in settings["GAZETTE_PUBLIC_STATIC_DIRS"])
    kept = []
    for item in static.staticfiles:
        path = item.get_relative_source_path().replace(os.sep, "/")
        if path in wanted or path.startswith(public):
            kept.append(item)
        elif path not in held:
            problems.warning(item.source_path, "(file)", "not linked from any published document, so not "
                             f"published (site-wide files belong in content/{public[0] if public else 'files/'})")
    static.staticfiles[:] = kept


# What happens at a document's moments, in the editors' words (make check, make scheduled).
EVENTS = {"release": "定时发布", "opens": "征集开始", "closes": "征集结束", "archive": "专题归档"}


def schedule(docs: list[Any], now: dt.datetime) -> list[dict[str, Any]]:
    """Every moment the output changes by itself: an item goes live, a consultation opens or closes.

    Past moments are kept for two days, so an hourly scheduled run can tell whether one fell
    since the last publish (plugins/schedule); held-back items count only if they are approved.
    """
    moments = [(meta["publish_at"], path, "release") for path, meta in HELD.items()
               if meta.get("status") == "published" and meta.get("publish_at")]
    moments += [(release_time(doc.metadata), doc.source_path, "release") for doc in docs]
    moments += [(getattr(d, key), d.source_path, key) for d in docs if d.type == "consultation"
                for key in ("opens", "closes")]
    # A topic is archived when the day after its last day begins.
    moments += [(dt.datetime.combine(ends + dt.timedelta(days=1), dt.time(), TZ), d.source_path, "archive")
                for d in docs if d.type == "topic" and (ends := getattr(d, "ends", None)) is not None]
    recent = now - dt.timedelta(days=2)
    return [{"at": at, "path": display_path(path), "event": event, "label": EVENTS[event]}
            for at, path, event in sorted(moments) if at > recent]


def _check_final_links(docs: list[Any]) -> None:
    """Check each body's URLs as Pelican left them: its link rewriting runs after sanitising."""
    for doc in docs:
        for why in final_problems(doc.content):
            problems.error(doc.source_path, "body", why)


def check_site(generators: list[Any]) -> None:
    """Cross-document checks and links; stop the build when anything is wrong."""
    context = generators[0].context
    settings = generators[0].settings
    build = gazette.build.current()
    site = build.site
    docs = _documents(generators)
    reserved = {f"{col}/index.html": "a column in _data/site.yaml" for col in site["columns"]}
    reserved.update({f"{p}/index.html": "GAZETTE_RESERVED_PATHS" for p in settings["GAZETTE_RESERVED_PATHS"]})
    # Other languages have their own pages there too (en/search/: site_search).
    reserved.update({f"{lang}/{p}/index.html": "GAZETTE_RESERVED_PATHS" for lang in {d.lang for d in docs}
                     for p in settings["GAZETTE_RESERVED_PATHS"]})
    reserved["index.html"] = "the home page"
    # URLs are final now: freeze them, since Pelican recomputes them on every access and
    # every plugin and template asks (override_* is Pelican's own per-document URL).
    for doc in docs:
        doc.override_url, doc.override_save_as = doc.url, doc.save_as
    _check_unique(docs, "save_as", "URL", reserved)
    # Held-back policies count too: a clash hidden today would stop every build on release day.
    policies = sorted([d for d in docs if d.type == "policy"] + _held_policies(),
                      key=lambda d: d.source_path)
    _check_unique(policies, "doc_no", "发文字号", {})
    _check_unique(policies, "index_no", "索引号", {})
    # Interpretations on other sites of the cluster link to its policies, and its to theirs.
    link_interpretations(docs + build.referenced + build.foreign, problems)
    link_topics(docs, list(site["columns"]))
    _guard_static_sources(generators)
    _attach_files(docs, generators)
    _publish_only_linked_files(docs, generators, settings)
    problems.report_as_the_build_does()
    # Bodies with Pelican's links filled in: only now, since filling them in warns about every
    # broken one, which --fatal warnings would turn into a stop before the report above. Then
    # static files, whose place may move while links are filled in ({attach}).
    _check_final_links(docs)
    for gen in generators:
        if isinstance(gen, StaticGenerator):
            install(gen, lambda path, why: problems.error(path, "(file)", why))
    problems.report_as_the_build_does()
    # A cluster's sites share one schedule, the whole library's: `make scheduled` publishes them all.
    events = schedule(docs + build.foreign + build.referenced, build.now)
    if settings["GAZETTE_SCHEDULE_FILE"]:
        write_atomic(settings["GAZETTE_SCHEDULE_FILE"], json.dumps(
            {"now": build.now.isoformat(), "events": events}, default=dt.datetime.isoformat,
            ensure_ascii=False, indent=1).encode())
    if settings["GAZETTE_VALIDATE_ONLY"] and problems.only is not None:
        sys.stderr.write(f"gazette: {len(problems.only)} file{'s' if len(problems.only) > 1 else ''} checked with "
                         f"the {len(docs) + len(HELD)} documents of the site, no errors"
                         + (f" ({problems.hidden} problems in other files not shown)" if problems.hidden else "")
                         + ".\n")
        raise SystemExit(0)
    if settings["GAZETTE_VALIDATE_ONLY"]:
        sys.stderr.write(f"gazette: {len(docs) + len(HELD)} documents checked ({len(HELD)} held back: drafts, "
                         "under review or scheduled), no errors.\n")
        raise SystemExit(0)
    build.expires(min((e["at"] for e in events if e["at"] > build.now), default=None))
    context["SITE_DATA"] = site
    # The 政府信息公开 column's fixed entries, as (field, label, address or None), in the required order.
    context["disclosure_entries"] = [(f.name, f.label, site["disclosure"].get(f.name)) for f in DISCLOSURE]
    context["documents"] = [d for d in docs if d.in_default_lang]
    # Every published document in every language, by source path: the one list other plugins use.
    context["published_documents"] = docs
    # In a cluster, other sites' documents this site lists or links to (their pages are there): named here
    # so that fast_build finds them by path, as it finds this site's, when it checks what a page read.
    context["other_sites_documents"] = build.referenced + build.foreign


def register() -> None:
    # initialized: settings are read, nothing is built; the site's address comes from site.yaml.
    signals.initialized.connect(_site_address)
    # get_generators runs at the start of every build (also under autoreload): reset state there.
    signals.get_generators.connect(_configure)
    # readers_init lets us claim the .md extension from Pelican's plain Markdown reader.
    signals.readers_init.connect(add_reader)
    # article/page_generator_init: the generators' own content caches are set up (and empty).
    signals.article_generator_init.connect(_skip_empty_cache)
    signals.page_generator_init.connect(_skip_empty_cache)
    # article_generator_pretaxonomy: articles are read and sorted; dates and lists not made yet.
    signals.article_generator_pretaxonomy.connect(_order_articles)
    # then every policy is read: number and link them (all sites' together), and keep this site's.
    signals.article_generator_pretaxonomy.connect(_link_library)
    # the article/page generators finish before the static one picks files to copy.
    signals.article_generator_finalized.connect(_mark_held_as_sources)
    signals.page_generator_finalized.connect(_mark_held_as_sources)
    signals.page_generator_finalized.connect(place_pages)
    # all_generators_finalized is the last moment every document is known and nothing is written.
    signals.all_generators_finalized.connect(check_site)
