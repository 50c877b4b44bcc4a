"""Write the editors' field reference (docs/content.md) from the schema tables.

Run `make docs` to regenerate; `make lint` fails when the committed file is out of date.
"""

from __future__ import annotations

from gazette.settings_docs import print_or_check

from .schema import CHANNEL, CMS, COLUMN, DEPARTMENT, DISCLOSURE, LINK, REPOST_RULE, SITE, TYPES, Field

INTRO = """\
# Writing content for Gazette

<!-- Generated from plugins/content_model/schema.py by `make docs`; do not edit by hand. -->

Every document is a Markdown file with a YAML header between two `---` lines:

```markdown
---
title: 关于加强政府网站建设的实施意见
date: 2024-03-15 09:30
doc_no: 滨政发〔2024〕5号
issuer: 滨海市人民政府
written_date: 2024-03-11
---
## 一、总体要求

正文……
```

- The folder gives the type: `content/policy/…` is a policy. Write `type:` to override
  (pages must stay in `content/pages/`).
- Field names may be written in English or with the Chinese label shown below
  (`发文字号:` is the same as `doc_no:`).
- Dates: `2015-05-14`, date-times: `2015-05-14 09:30`; `2015年5月14日` works too.
  Times are Beijing time (Asia/Shanghai).
- The URL is `/<column>/<year>/<file name>/`; file names must be ASCII (a-z, 0-9, -),
  or give an ASCII `slug:`.
- Files named in `attachments` or `files` live beside the Markdown file.
- A mistake stops the build with one line per problem, naming the file and field.
- The figures of the two yearly reports the law dates (政府信息公开工作年度报告, 政府网站工作年度报表)
  live in `content/_data/reports/<year>.yaml`: see docs/reports.md.
- `make new TYPE=policy` (or any type below) writes a new draft with every field of its
  type, commented with its Chinese label; `make validate FILE=…` checks it; `make hooks`
  checks the content files of every commit.
"""


def field_table(fields: tuple[Field, ...]) -> list[str]:
    rows = ["| field | 中文 | required | description |", "|---|---|---|---|"]
    for f in fields:
        choices = ""
        if f.choices:
            choices = " Values: " + ", ".join(f"`{k}` ({v})" for k, v in f.choices.items()) + "."
        default = f" Default `{str(f.default).lower() if isinstance(f.default, bool) else f.default}`." \
            if f.default is not None else ""
        rows.append(f"| `{f.name}` | {f.label} | {'yes' if f.required else ''} | "
                    f"{f.help}{choices}{default} |".replace("\n", " "))
    return rows


def render() -> str:
    """Return the whole reference as Markdown."""
    lines = [INTRO]
    lines.append("## Content types\n")
    for t in TYPES.values():
        lines.append(f"### `{t.name}` — {t.label}\n")
        lines.append(f"Folder `content/{t.folder}/`. {t.help}\n")
        lines += field_table(t.fields)
        lines.append("")
    lines.append("## Site structure (`content/_data/site.yaml`)\n")
    lines.append("A site cluster (集约化平台) adds one file per department or district site, "
                 "`content/_data/sites/<id>.yaml`, with the same sections (docs/cluster.md).\n")
    for title, fields in (("`site:` — identity and footer", SITE),
                          ("`columns:` — one entry per column (栏目)", COLUMN),
                          ("`departments:` — one entry per department", DEPARTMENT),
                          ("`links:` — footer and home-page links", LINK),
                          ("`disclosure:` — the 政府信息公开 column's fixed entries", DISCLOSURE),
                          ("`channels:` — where citizens send messages (互动交流)", CHANNEL),
                          ("`cms:` — the browser editor's git host (`/admin/`, docs/workflow.md)", CMS),
                          ("`reposts:` — other sites' documents this site shows (a site cluster)", REPOST_RULE)):
        lines.append(f"### {title}\n")
        lines += field_table(fields)
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(print_or_check(render(), "the schema", __doc__))
