"""Load the site structure editors maintain in `content/_data/site.yaml` (and, in a cluster, `_data/sites/`)."""

from __future__ import annotations

import os
import re
from typing import Any

from .fields import FieldError, ParseContext, parse
from .problems import Problems, did_you_mean
from .schema import CHANNEL, CMS, COLUMN, DEPARTMENT, DISCLOSURE, LINK, REPOST_FROM, REPOST_RULE, SITE, TYPES, Field
from .yaml_header import YamlError, load_yaml

SITE_FILE = os.path.join("_data", "site.yaml")


def check_record(raw: Any, fields: tuple[Field, ...], where: str, *, path: str, problems: Problems,
                 ctx: ParseContext, docs: str = "docs/content.md, site structure") -> dict[str, Any] | None:
    """Validate one mapping against a field table; report problems under `where` ("" at the top of a file).

    A required field left empty (`name:`) is as missing as one not written.
    """
    if not isinstance(raw, dict):
        problems.error(path, where or "(yaml)", "must be a mapping of field: value")
        return None
    by_key = {key: f for f in fields for key in f.keys}
    result: dict[str, Any] = {f.name: f.default for f in fields}
    failed: set[str] = set()
    ok = True
    for key, value in raw.items():
        fld = by_key.get(str(key))
        if fld is None:
            problems.error(path, f"{where}.{key}" if where else str(key),
                           f"unknown field; {did_you_mean(str(key), list(by_key))}(see {docs})")
            ok = False
            continue
        if value is None or value == "":
            continue
        try:
            result[fld.name] = parse(value, fld, ctx)
        except FieldError as exc:
            problems.error(path, f"{where}.{fld.name}" if where else fld.name, str(exc))
            failed.add(fld.name)
            ok = False
    for fld in fields:
        if fld.required and result.get(fld.name) is None and fld.name not in failed:
            problems.error(path, f"{where}.{fld.name}" if where else fld.name,
                           f"missing ({fld.label} is required)")
            ok = False
    return result if ok else None


def _list(raw: dict[str, Any], section: str, path: str, problems: Problems) -> list[Any]:
    """A section that holds a list of entries; an error (and no entries) if it holds something else."""
    value = raw.get(section) or []
    if not isinstance(value, list):
        problems.error(path, section, "must be a list of entries, each starting with '- '")
        return []
    return value


SITES_DIR = os.path.join("_data", "sites")
ROOT_ID = "www"  # the portal's id in a cluster when site.yaml gives none
_SECTIONS = ("site", "columns", "departments", "links", "disclosure", "channels", "cms", "reposts")


def _empty() -> dict[str, Any]:
    return {"site": {}, "columns": {}, "departments": {}, "links": [], "disclosure": {}, "channels": [], "cms": {},
            "reposts": [], "id": ROOT_ID, "parent": None, "file": ""}


def load_site_file(path: str, content_path: str, problems: Problems,
                   portal: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read one site's file (site.yaml, or sites/<id>.yaml in a cluster) into its sections; report every problem.

    A cluster's site file without `cms:` has the portal's: the repository and its git host are the platform's."""
    empty = _empty()
    empty["file"] = path
    if not os.path.isfile(path):
        problems.error(path, "(file)", "missing: the site structure (columns, footer) lives here")
        return empty
    try:
        with open(path, encoding="utf-8-sig") as fh:
            raw = load_yaml(fh.read())
    except YamlError as exc:
        problems.error(path, "(yaml)", str(exc))
        return empty
    if not isinstance(raw, dict):
        problems.error(path, "(yaml)", "must be a mapping with site, columns and departments")
        return empty
    root = os.path.abspath(content_path)  # site files name files by their path from content/
    ctx = ParseContext(source_path=path, types=tuple(TYPES), root=root, files_from=root)
    site = check_record(raw.get("site"), SITE, "site", path=path, problems=problems, ctx=ctx) or {}
    columns: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(_list(raw, "columns", path, problems)):
        column = check_record(item, COLUMN, f"columns[{i}]", path=path, problems=problems, ctx=ctx)
        if column is None:
            continue
        if column["id"] in columns:
            problems.error(path, f"columns[{i}].id", f"'{column['id']}' is defined twice")
        columns[column["id"]] = column
    for i, column in enumerate(columns.values()):
        if column["parent"] and column["parent"] not in columns:
            problems.error(path, f"columns[{i}].parent", f"'{column['parent']}' is not a column id")
    departments: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(_list(raw, "departments", path, problems)):
        dept = check_record(item, DEPARTMENT, f"departments[{i}]", path=path, problems=problems, ctx=ctx)
        if dept is not None:
            if dept["id"] in departments:
                problems.error(path, f"departments[{i}].id", f"'{dept['id']}' is defined twice")
            departments[dept["id"]] = dept
    links = [link for i, item in enumerate(_list(raw, "links", path, problems))
             if (link := check_record(item, LINK, f"links[{i}]", path=path, problems=problems, ctx=ctx)) is not None]
    channels = []
    for i, item in enumerate(_list(raw, "channels", path, problems)):
        channel = check_record(item, CHANNEL, f"channels[{i}]", path=path, problems=problems, ctx=ctx)
        if channel is not None and not (channel["url"] or channel["phone"]):
            problems.error(path, f"channels[{i}]", "needs a url or a phone (网址 或 电话): how to reach it")
        elif channel is not None:
            channels.append(channel)
    disclosure = check_record(raw.get("disclosure") or {}, DISCLOSURE, "disclosure", path=path, problems=problems,
                         ctx=ctx) or {}
    cms = check_record(raw.get("cms") or {}, CMS, "cms", path=path, problems=problems, ctx=ctx) or {}
    if portal is not None and "cms" not in raw:
        cms = portal["cms"]
    reposts = []
    for i, item in enumerate(_list(raw, "reposts", path, problems)):
        rule = check_record(item, REPOST_RULE, f"reposts[{i}]", path=path, problems=problems, ctx=ctx)
        if rule is None:
            continue
        column = columns.get(rule["column"])
        if column is None:
            problems.error(path, f"reposts[{i}].column", f"'{rule['column']}' is not a column of this site "
                           f"(one of {', '.join(columns)})")
        elif column["type"] != rule["type"]:
            problems.error(path, f"reposts[{i}].column", f"column '{rule['column']}' lists type {column['type']}, "
                           f"not {rule['type']}")
        else:
            reposts.append({**rule, "where": f"reposts[{i}]"})
    for key in raw:
        if key not in _SECTIONS:
            problems.error(path, str(key), f"unknown section (use {', '.join(sorted(_SECTIONS))})")
    return {"site": site, "columns": columns, "departments": departments, "links": links, "disclosure": disclosure,
            "channels": channels, "cms": cms, "reposts": reposts, "id": site.get("id") or ROOT_ID,
            "parent": site.get("parent"), "file": path}


def load_site_data(content_path: str, problems: Problems) -> dict[str, Any]:
    """Read site.yaml (the portal's file) into {site, columns, departments, links, …}; report every problem."""
    return load_site_file(os.path.join(content_path, SITE_FILE), content_path, problems)


def load_cluster(content_path: str, problems: Problems) -> dict[str, dict[str, Any]]:
    """Every site of the repository by id, the portal (site.yaml) first; one site unless `_data/sites/` holds files.

    Each other site's id is its file's name; its parent is the portal unless it names another.
    In a cluster every site needs its public address (links between sites are absolute).
    """
    portal = load_site_data(content_path, problems)
    sites = {portal["id"]: portal}
    folder = os.path.join(content_path, SITES_DIR)
    names = sorted(n for n in os.listdir(folder) if n.endswith((".yaml", ".yml"))) if os.path.isdir(folder) else []
    if not names:
        for rule in portal["reposts"]:
            problems.warning(portal["file"], rule["where"], "does nothing: no other site in _data/sites/ to take "
                             "documents from")
        return sites
    for name in names:
        path = os.path.join(folder, name)
        site_id = os.path.splitext(name)[0]
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", site_id):
            problems.error(path, "(file)", f"'{site_id}' cannot be a site id: name the file in a-z, 0-9 and - "
                           "(it becomes the site's folder)")
            continue
        data = load_site_file(path, content_path, problems, portal)
        if data["site"].get("id") not in (None, site_id):
            problems.error(path, "site.id", f"'{data['site']['id']}' differs from the file name; leave it out "
                           f"or write '{site_id}'")
        if site_id in sites:
            problems.error(path, "(file)", f"site id '{site_id}' is also the portal's (site.yaml `site.id`)")
            continue
        data["id"] = site_id
        data["parent"] = data["parent"] or portal["id"]
        sites[site_id] = data
    if portal["parent"]:
        problems.error(portal["file"], "site.parent", "the portal (site.yaml) is the top of the cluster")
    for site in sites.values():
        if site["parent"] and site["parent"] not in sites:
            problems.error(site["file"], "site.parent", f"'{site['parent']}' is not a site of the cluster "
                           f"(one of {', '.join(sites)})")
            site["parent"] = portal["id"]
        if site["site"] and not site["site"].get("url"):
            problems.error(site["file"], "site.url", "missing (网站地址 is required in a site cluster: links "
                           "between the sites use it)")
        for rule in site["reposts"]:
            if rule["from"] not in sites and rule["from"] not in REPOST_FROM:
                problems.error(site["file"], f"{rule['where']}.from", f"'{rule['from']}' is not a site id nor one of "
                               f"{', '.join(REPOST_FROM)}")
    for site in sites.values():  # a loop of parents would leave the cluster without a top
        seen, at = {site["id"]}, site["parent"]
        while at is not None and at in sites:
            if at in seen:
                problems.error(site["file"], "site.parent", "the parents go round in a circle; one must be the "
                               "portal")
                site["parent"] = portal["id"]
                break
            seen.add(at)
            at = sites[at]["parent"]
    return sites


def related(sites: dict[str, dict[str, Any]], site_id: str, relation: str) -> list[str]:
    """Site ids that stand in relation (parent, ancestors, children, descendants, all, or an id) to site_id."""
    parents = {sid: s["parent"] for sid, s in sites.items()}
    if relation in sites:
        return [relation]
    if relation == "parent":
        return [parents[site_id]] if parents.get(site_id) else []
    if relation == "ancestors":
        found, at = [], parents.get(site_id)
        while at is not None and at not in found and at != site_id:
            found.append(at)
            at = parents.get(at)
        return found
    if relation == "children":
        return [sid for sid, parent in parents.items() if parent == site_id]
    if relation == "descendants":
        return [sid for sid in sites if site_id in related(sites, sid, "ancestors")]
    if relation == "all":
        return [sid for sid in sites if sid != site_id]
    return []


def default_columns(columns: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Map each content type to the first column that lists it."""
    defaults: dict[str, str] = {}
    for column in columns.values():
        defaults.setdefault(column["type"], column["id"])
    return defaults
