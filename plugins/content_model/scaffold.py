"""`make new TYPE=policy`: a new document with every field of its type, written from the schema tables.

    python -m plugins.content_model.scaffold TYPE [--content content] [--slug NAME] [--now "2026-12-01 09:30"]

The file goes to content/<folder>/<year>/<column>-<yyyymmdd>[-n].md (the type's folder and
first column, today's date; -2, -3… when taken), or <slug>.md with --slug. Its header has every
field of the type, each commented with its Chinese label, whether it is required, its allowed
values and what it is for; required fields are left to fill in, optional ones are commented out.
It starts as `status: draft`, so it is never published until an editor changes that; and a
required field left empty fails `make validate`, naming the file and the field.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import textwrap

from gazette.lines import line_logger

from .fields import TZ
from .problems import Problems
from .schema import STATUS, TYPES, ContentType, Field
from .site_data import default_columns, load_site_data

_report = line_logger("gazette.scaffold")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
# What a new document starts with where the field's kind allows a sensible value.
_TODAY = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M"}
_START = {"date", "written_date", "opens", "received", "interview_time"}


def comment(f: Field) -> list[str]:
    """The comment lines above a field: Chinese label, required, allowed values, its help."""
    head = f.label + ("（必填）" if f.required else "（可选）")
    if f.choices:
        head += "，可选值：" + "、".join(f"{value}（{label}）" for value, label in f.choices.items())
    return [f"# {line}" for line in textwrap.wrap(f"{head}。{f.help}".strip(), 100, break_long_words=False,
                                                     break_on_hyphens=False)]


def value_for(f: Field, now: dt.datetime) -> str:
    """What a new document's header says for a field: a start value, or nothing to fill in."""
    if f.name == "status":
        return "draft"
    if f.name in _START and f.kind in _TODAY:
        return now.strftime(_TODAY[f.kind])
    if f.default is not None:
        return str(f.default).lower() if isinstance(f.default, bool) else str(f.default)
    return ""


def render(ctype: ContentType, now: dt.datetime) -> str:
    """The new file's text: the header with every field, then a body to replace."""
    lines = ["---",
             f"# {ctype.label}（{ctype.name}）：{ctype.help}",
             "# 必填项须填写；不需要的可选项可删除。字段说明见 docs/content.md。",
             f"# 状态为 draft（{STATUS['draft']}）时不会发布；审核通过后改为 published（{STATUS['published']}）。"]
    for f in ctype.fields:
        value = value_for(f, now)
        line = f"{f.name}: {value}" if value else f"{f.name}:"
        lines += ["", *comment(f), line if f.required or f.name == "status" else f"# {line}"]
    lines += ["---", "", "正文从这里开始（Markdown）。", ""]
    return "\n".join(lines)


def first_column(content: str, ctype: ContentType) -> str:
    """The id of the first column that lists the type (site.yaml, as the build reads it), else the type's folder.

    A broken site.yaml only costs the file its usual name: `make validate` reports it.
    """
    site = load_site_data(content, Problems())
    return default_columns(site["columns"]).get(ctype.name, ctype.folder)


def target(content: str, ctype: ContentType, now: dt.datetime, slug: str | None) -> str:
    folder = os.path.join(content, ctype.folder, "" if ctype.name == "page" else str(now.year))
    base = slug or f"{first_column(content, ctype)}-{now:%Y%m%d}"
    path, n = os.path.join(folder, base + ".md"), 1
    while os.path.exists(path):
        if slug:
            raise FileExistsError(path)
        n += 1
        path = os.path.join(folder, f"{base}-{n}.md")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make new", description=__doc__.splitlines()[0])
    parser.add_argument("type", metavar="TYPE", help="one of: " + ", ".join(TYPES))
    parser.add_argument("--content", default="content")
    parser.add_argument("--slug", help="file name without .md (a-z, 0-9, -)")
    parser.add_argument("--now", help="the date and time to start from (default: now in Asia/Shanghai)")
    args = parser.parse_args(argv)
    ctype = TYPES.get(args.type) or next((t for t in TYPES.values() if t.label == args.type), None)
    if ctype is None:
        _report.error("make new: TYPE=%s: not a content type; one of %s", args.type,
                      ", ".join(f"{t.name} ({t.label})" for t in TYPES.values()))
        return 2
    if args.slug and not _SLUG.fullmatch(args.slug):
        _report.error("make new: SLUG=%s: use a-z, 0-9 and -, starting with a letter or digit", args.slug)
        return 2
    now = dt.datetime.strptime(args.now, "%Y-%m-%d %H:%M").replace(tzinfo=TZ) if args.now else dt.datetime.now(TZ)
    try:
        path = target(args.content, ctype, now, args.slug)
    except FileExistsError as exc:
        _report.error("make new: %s: already exists; choose another SLUG", exc)
        return 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(render(ctype, now))
    sys.stdout.write(path + "\n")  # the new file, for the editor (and scripts) to open
    return 0


if __name__ == "__main__":
    sys.exit(main())
