"""Load the site structure editors maintain in `content/_data/site.yaml`."""

from __future__ import annotations

import os
from typing import Any

from .fields import FieldError, ParseContext, parse
from .problems import Problems, did_you_mean
from .schema import CHANNEL, CMS, COLUMN, DEPARTMENT, DISCLOSURE, LINK, SITE, TYPES, Field
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


def load_site_data(content_path: str, problems: Problems) -> dict[str, Any]:
    """Read site.yaml into {site, columns, departments, links}; report every problem."""
    path = os.path.join(content_path, SITE_FILE)
    empty: dict[str, Any] = {"site": {}, "columns": {}, "departments": {}, "links": [], "disclosure": {},
                             "channels": [], "cms": {}}
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
    root = os.path.abspath(content_path)  # site.yaml names files by their path from content/
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
    known = {"site", "columns", "departments", "links", "disclosure", "channels", "cms"}
    for key in raw:
        if key not in known:
            problems.error(path, str(key), f"unknown section (use {', '.join(sorted(known))})")
    return {"site": site, "columns": columns, "departments": departments, "links": links, "disclosure": disclosure,
            "channels": channels, "cms": cms}


def default_columns(columns: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Map each content type to the first column that lists it."""
    defaults: dict[str, str] = {}
    for column in columns.values():
        defaults.setdefault(column["type"], column["id"])
    return defaults
