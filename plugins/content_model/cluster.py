"""A site cluster (集约化): which documents of the one content library the site being built shows, and how.

Every document belongs to one site (its `site:`, else the portal) and has its original page
there. Another site shows it when the document's `repost:` names that site, or one of the
site's `reposts:` rules takes it (SiteServer's 推送 targets: parent, ancestors, children,
descendants, all, or sites by id), in one of two modes:

- copy: the site has a page of its own for it, in its own column, marked 来源 with a link
  and `rel=canonical` to the original; its 索引号 and 发文字号 stay the original's.
- reference: the site lists it in a column and links to the original page.

Whatever the build's site, every document is read and linked (numbers, amendments,
interpretations) as one library, so a copy shows what the original shows; then the
documents this site does not publish leave its lists: those it lists by reference go to
`build.referenced`, the rest to `build.foreign` (interpretations link to them there).
"""

from __future__ import annotations

import os
from typing import Any

import gazette.build

from .problems import display_path, problems
from .site_data import default_columns, related


def owner(doc: Any) -> str:
    """The id of the site a document belongs to."""
    return getattr(doc, "site", None) or next(iter(gazette.build.current().cluster))


def _by_rules(source: str, type_name: str) -> dict[str, tuple[str, str]]:
    """The sites whose `reposts:` rules take a type from a site: {site id: (mode, column)}."""
    build = gazette.build.current()
    memo = build.repost_rules
    if (source, type_name) not in memo:
        found: dict[str, tuple[str, str]] = {}
        for sid, site in build.cluster.items():
            rule = next((r for r in site["reposts"] if r["type"] == type_name and sid != source
                         and source in related(build.cluster, sid, r["from"])), None)
            if rule is not None:
                found[sid] = (rule["mode"], rule["column"])
        memo[source, type_name] = found
    return memo[source, type_name]


def targets(doc: Any) -> dict[str, tuple[str, str]]:
    """Every other site that shows a document, by rule or by its `repost:`: {site id: (mode, column id)}."""
    build = gazette.build.current()
    source = owner(doc)
    found = dict(_by_rules(source, doc.type))
    reposts = getattr(doc, "repost", None)
    if not reposts:
        return found
    for sid in dict.fromkeys(s for rel in reposts for s in related(build.cluster, source, rel) if s != source):
        site = build.cluster[sid]
        column = found[sid][1] if sid in found else default_columns(site["columns"]).get(doc.type)
        if column is None:
            problems.error(doc.source_path, "repost", f"site '{sid}' has no column of type {doc.type} to show "
                           f"it in (add one to {site['file']} or leave the site out)")
            found.pop(sid, None)
            continue
        found[sid] = (doc.repost_mode or "copy", column)
    return found


def place_articles(generator: Any) -> None:
    """Keep the site's own documents and its copies; list references; set the rest aside (pretaxonomy)."""
    build = gazette.build.current()
    if len(build.cluster) < 2:
        return
    here = build.site_id
    formats = {}
    for doc in [*generator.articles, *generator.translations]:
        # URLs are final once the library is read (Pelican works each out anew on every access), from
        # one url_format per document: the same setting Pelican formats, see _pattern.
        fmt = formats[id(doc)] = doc.url_format
        doc.override_url, doc.override_save_as = (_pattern(doc, key).format_map(fmt) for key in ("url", "save_as"))
        doc.original_url = f"{build.bases[owner(doc)]}/{doc.url}"  # every site links to the original page
    _map_pages(build, [*generator.articles, *generator.translations], formats)
    for name in ("articles", "translations"):
        kept = []
        for doc in getattr(generator, name):
            source = owner(doc)
            if source == here:
                kept.append(doc)
                continue
            doc.source_site = build.cluster[source]["site"].get("name", source)
            how = doc.shown_on.get(here)
            if getattr(doc, "department", None) not in build.site["departments"]:
                # Its department is its own site's; here the source site names where it comes from.
                doc.department = doc.metadata["department"] = None
            if how is not None and how[0] == "copy":
                # Search engines credit the original, at its public address even in a local build.
                doc.canonical_url = f"{(build.cluster[source]['site'].get('url') or '').rstrip('/')}/{doc.url}"
                doc.column = doc.metadata["column"] = how[1]
                doc.override_url, doc.override_save_as = doc.copies[here]
                kept.append(doc)
            elif how is not None:
                doc.column = how[1]
                doc.external_url = doc.original_url
                build.referenced.append(doc)
            else:
                doc.external_url = doc.original_url
                build.foreign.append(doc)
        getattr(generator, name)[:] = kept
    _note_links(build, [*generator.articles, *generator.translations], [*build.foreign, *build.referenced])
    _link_elsewhere(generator.context, [*build.foreign, *build.referenced])


class _Elsewhere:
    """What a body's `{filename}` link finds for a document this site does not publish: its original page."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    @property
    def url(self) -> str:
        return self.doc.external_url  # absolute to its site (Pelican's urljoin keeps it so)


def _link_elsewhere(context: dict[str, Any], docs: list[Any]) -> None:
    """`{filename}` links to documents of other sites open their original pages, not this site's missing URL
    (a copy this site has keeps its entry: the link opens the copy)."""
    elsewhere = {id(doc) for doc in docs if getattr(doc, "external_url", None)}
    found = context["generated_content"]
    for rel, doc in found.items():  # (by the keys Pelican made: no relative path worked out again per document)
        if id(doc) in elsewhere:
            found[rel] = _Elsewhere(doc)


def _note_links(build: Any, kept: list[Any], dropped: list[Any]) -> None:
    """Note the files the site's documents link to, and those only other sites' documents do (place_pages
    takes the latter out of Pelican's static links, which it collected from every document it read)."""
    build.own_files.update(*(d.get_static_links() for d in kept))
    build.other_files.update(*(d.get_static_links() for d in dropped))


def _map_pages(build: Any, docs: list[Any], formats: dict[int, dict[str, Any]]) -> None:
    """Note every site's document pages and their files, as each site's own build will write them.

    Two documents taking one URL on another site are reported here, so any site's build (and `make
    validate`, which builds the portal's) finds them; this site's own are checked with its other URLs.
    """
    pages = build.cluster_pages = {sid: set() for sid in build.cluster}
    taken: dict[tuple[str, str], str] = {}
    for doc in docs:
        doc.shown_on = targets(doc)
        doc.copies = {}  # {site id: (url, save_as)} of its copies: its URL patterns with their column
        places = {doc.save_as: [owner(doc)]}  # {save_as: the sites with a page there}
        in_column: dict[str, tuple[str, ...]] = {}  # (a city policy's copy is in 上级文件 on 25 sites: one URL)
        for sid, (mode, column) in doc.shown_on.items():
            if mode == "copy":
                if column not in in_column:
                    fmt = {**formats[id(doc)], "column": column}
                    in_column[column] = tuple(_pattern(doc, key).format_map(fmt) for key in ("url", "save_as"))
                doc.copies[sid] = in_column[column]
                places.setdefault(doc.copies[sid][1], []).append(sid)
        names = [os.path.basename(ref.source_path) for attr in ("attachments", "files")
                 for ref in getattr(doc, attr, None) or []]
        for save_as, sites in places.items():
            folder = save_as.rsplit("/", 1)[0]
            files = [f"{folder}/{name}" for name in names]
            for sid in sites:
                other = taken.setdefault((sid, save_as), doc.source_path)
                if other != doc.source_path and sid != build.site_id:
                    problems.error(doc.source_path, "slug", f"URL /{save_as.removesuffix('index.html')} on site "
                                   f"{sid} is also used by {display_path(other)} (URLs must be unique; set a "
                                   "different `slug:`)")
                pages[sid].add(save_as)
                if files:
                    pages[sid].update(files)


def _pattern(doc: Any, key: str) -> str:
    """The URL setting Pelican formats for a document's `url` or `save_as` (as Content.get_url_setting picks it)."""
    klass = "DRAFT" if doc.status == "draft" else "ARTICLE"
    return str(doc.settings[f"{klass}_{'' if doc.in_default_lang else 'LANG_'}{key.upper()}"])


def place_pages(generator: Any) -> None:
    """Static pages are the site's own only (page_generator_finalized)."""
    build = gazette.build.current()
    if len(build.cluster) < 2:
        return
    kept, dropped = [], []
    for name in ("pages", "translations", "hidden_pages", "hidden_translations"):
        pages = getattr(generator, name)
        dropped += [p for p in pages if owner(p) != build.site_id]
        pages[:] = [p for p in pages if owner(p) == build.site_id]
        kept += pages
    build.foreign += dropped
    for page in build.foreign:
        if getattr(page, "type", "") == "page" and not hasattr(page, "external_url"):
            page.external_url = f"{build.bases[owner(page)]}/{page.url}"
            build.cluster_pages.setdefault(owner(page), set()).add(page.save_as)
    _note_links(build, kept, dropped)
    _link_elsewhere(generator.context, dropped)
    # Articles and pages are placed now: a file either links is this site's.
    generator.context["static_links"] -= build.other_files - build.own_files
