"""Decap CMS's configuration, generated from the schema tables: one collection per content type.

Each collection writes where `make new` does (content/<folder>/<year>/<column>-<date>-<time>.md, files beside
the document), each field has its Chinese label and the widget its kind asks for (date-times without a zone,
read as Beijing time; selects for enums, columns and departments; a policy picker for `interprets`, `amends`
and `repeals`; file uploads beside the document), required fields are required, and the interface is Chinese.
"""

from __future__ import annotations

from typing import Any

from content_model.schema import TYPES, ContentType, Field

LANGS = {"zh-CN": "中文", "en": "English"}  # what the CMS offers; `lang` takes any code in the file
POLICY_REFS = ("interprets", "amends", "repeals")  # lists of policies, picked from the policy collection
# `repost:` also takes the sites around the document's own, in the editors' words.
REPOST_RELATIONS = {"parent": "上级网站", "ancestors": "所有上级网站", "children": "下级网站",
                    "descendants": "所有下级网站", "all": "全部网站"}


def _options(choices: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in choices.items()]


def widget(f: Field, site: dict[str, Any], type_name: str, editorial: bool = False,
           sites: dict[str, str] | None = None, *, own: str | None = None) -> dict[str, Any] | None:
    """The Decap field for one schema field; None for one the CMS does not edit (sites: a cluster's, id: name;
    own: the site whose editor this is, when not the portal's)."""
    base: dict[str, Any] = {"label": f.label, "name": f.name, "required": f.required}
    if f.tip:  # the schema's help is the English reference; the form shows its Chinese tip
        base["hint"] = f.tip
    kind = f.kind
    if f.name in POLICY_REFS:
        return {**base, "widget": "relation", "collection": "policy", "value_field": "doc_no",
                "search_fields": ["doc_no", "title"], "display_fields": ["{{doc_no}} {{title}}"], "multiple": True}
    if kind in ("str", "doc_no", "url", "contact"):
        return {**base, "widget": "string"}
    if kind == "slug":
        return {**base, "widget": "string",
                "pattern": ["^[a-z0-9][a-z0-9-]*$", "只用小写字母、数字和连字符（a-z, 0-9, -）"]}
    if kind == "text":
        return {**base, "widget": "text"}
    if kind == "datetime":
        return {**base, "widget": "datetime", "format": "YYYY-MM-DD HH:mm", "date_format": "YYYY-MM-DD",
                "time_format": "HH:mm", "picker_utc": False}
    if kind == "date":
        return {**base, "widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD",
                "time_format": False, "picker_utc": False}
    if f.name == "status" and editorial:
        # The workflow is the status: 草稿 and 审核中 live on the item's branch, and 发布 merges it.
        return {"label": f.label, "name": f.name, "widget": "hidden", "default": "published", "required": False}
    if kind == "enum":
        assert f.choices is not None
        field = {**base, "widget": "select", "options": _options(f.choices)}
        default = "draft" if f.name == "status" else f.default
        return {**field, "default": default} if default is not None else field
    if kind == "column":
        columns = {c["id"]: c["name"] for c in site.get("columns", {}).values() if c["type"] == type_name}
        return {**base, "widget": "select", "options": _options(columns)}
    if kind == "department":
        return {**base, "widget": "select", "options": _options({d["id"]: d["name"] for d in
                                                                  site.get("departments", {}).values()})}
    if kind in ("site", "sites"):  # a site cluster's sites; one site has nothing to choose
        if not sites:
            return None
        if kind == "site" and own:  # a site's own editor writes its documents
            return {"label": f.label, "name": f.name, "widget": "hidden", "default": own, "required": False}
        options = _options(sites if kind == "site" else {**sites, **REPOST_RELATIONS})
        return {**base, "widget": "select", "options": options, **({"multiple": True} if kind == "sites" else {})}
    if kind == "lang":
        return {**base, "widget": "select", "options": _options(LANGS)}
    if kind in ("int", "count"):
        return {**base, "widget": "number", "value_type": "int", "min": 0}
    if kind == "amount":
        return {**base, "widget": "number", "value_type": "float", "min": 0}
    if kind == "bool":
        return {**base, "widget": "boolean", "default": bool(f.default)}
    if kind == "list":
        return {**base, "widget": "list", "default": []}
    if kind == "image":
        return {**base, "widget": "image", "choose_url": False}
    if kind == "files":
        items = [{"label": "文件", "name": "file", "widget": "file", "choose_url": False}]
        items += [{"label": {"title": "标题", "format": "格式"}[key], "name": key, "widget": "string",
                   "required": required} for key, required in f.item_keys if key != "file"]
        return {**base, "widget": "list", "fields": items, "default": []}
    if kind == "changes":
        return {**base, "widget": "list", "default": [], "fields": [
            {"label": "日期", "name": "date", "widget": "datetime", "format": "YYYY-MM-DD", "time_format": False,
             "picker_utc": False},
            {"label": "说明", "name": "note", "widget": "string"},
            {"label": "重要修改", "name": "major", "widget": "boolean", "default": False, "required": False}]}
    return None  # mapping: not edited in the CMS


def collection(ctype: ContentType, site: dict[str, Any], column: str, editorial: bool,
               sites: dict[str, str] | None = None, *, own: str | None = None) -> dict[str, Any]:
    fields = [w for f in ctype.fields if (w := widget(f, site, ctype.name, editorial, sites, own=own)) is not None]
    fields.append({"label": "正文", "name": "body", "widget": "markdown"})
    return {
        "name": ctype.name,
        # A site's own editor lists its documents only (the portal's, the platform's, lists every site's).
        **({"filter": {"field": "site", "value": own}} if own else {}),
        "label": ctype.label,
        "label_singular": ctype.label,
        "folder": f"content/{ctype.folder}",
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        # As `make new` names them: the column and the day (ASCII: the file name is the URL); Decap adds -1, -2…
        "slug": f"{column}-{{{{year}}}}{{{{month}}}}{{{{day}}}}",
        **({} if ctype.name == "page" else {"path": "{{year}}/{{slug}}"}),
        # Attachments, data files and images beside the document, named as the document names them.
        "media_folder": "",
        "public_folder": "",
        "summary": "{{title}}",
        "editor": {"preview": False},  # the page is what `make cms`'s dev server shows beside it
        "sortable_fields": ["date", "title"],
        "fields": fields,
    }


def platform(cluster: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The portal's data with every site's columns, for the portal's editor, where the platform's editors write
    any site's documents: each column id once, a column the portal lacks named with the sites that have it
    (a column the chosen site lacks is a one-line problem in the build, as in a file written by hand)."""
    portal, *others = cluster.values()
    columns = dict(portal["columns"])
    having: dict[str, list[str]] = {}
    for site in others:
        for cid, column in site["columns"].items():
            if cid not in portal["columns"]:
                columns.setdefault(cid, column)
                having.setdefault(cid, []).append(site["site"].get("short_name") or site["site"].get("name", ""))
    named = {cid: {**column, "name": f"{column['name']}（{'、'.join(having[cid])}）"} if cid in having else column
             for cid, column in columns.items()}
    return {**portal, "columns": named}


def decap_config(site: dict[str, Any], cms: dict[str, Any], local_backend: str,
                 sites: dict[str, str] | None = None, *, own: str | None = None) -> dict[str, Any]:
    """The whole config.yml: backend from site.yaml's `cms:`, one collection per content type (sites: a cluster's;
    own: the site whose editor this is, when not the portal's: its documents only, written as its own)."""
    first_column: dict[str, str] = {}
    for column in site.get("columns", {}).values():
        first_column.setdefault(column["type"], column["id"])
    backend: dict[str, Any] = {"name": cms.get("backend") or "gitlab", "branch": cms.get("branch") or "main"}
    for key in ("repo", "api_root", "base_url", "app_id"):
        if cms.get(key):
            backend[key] = cms[key]
    if backend["name"] in ("gitlab", "gitea") and cms.get("app_id"):
        backend["auth_type"] = "pkce"
    backend["commit_messages"] = {"create": "新建{{collection}}：{{slug}}", "update": "修改{{collection}}：{{slug}}",
                                  "delete": "删除{{collection}}：{{slug}}", "uploadMedia": "上传文件：{{path}}",
                                  "deleteMedia": "删除文件：{{path}}"}
    editorial = (cms.get("workflow") or "editorial") == "editorial"
    return {
        "backend": backend,
        "publish_mode": "editorial_workflow" if editorial else "simple",
        # Opened on this computer, the editor uses decap-server (`make cms`), which writes into this repository.
        "local_backend": {"url": local_backend, "allowed_hosts": ["localhost", "127.0.0.1"]},
        "locale": "zh_Hans",
        **({"site_url": site["site"]["url"]} if site.get("site", {}).get("url") else {}),
        "media_folder": "content/images",
        "public_folder": "/images",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [collection(t, site, first_column.get(t.name, t.folder), editorial, sites, own=own)
                        for t in TYPES.values()],
    }

