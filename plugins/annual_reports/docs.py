"""Write the reference of the yearly reports' files (docs/reports.md) from the tables in schema.py.

Run `make docs` to regenerate (`PYTHONPATH=plugins python -m annual_reports.docs`: plugins import each other
by name, as Pelican loads them); `make lint` and the tests fail when the committed file is out of date.
"""

from __future__ import annotations

from content_model.docs import field_table

from gazette.settings_docs import print_or_check

from .schema import APPLICANTS, APPLICATION_ROWS, CASE_ROWS, DISCLOSURE_REPORT, OUTCOMES, REPORT_FILE, WEBSITE_FORM, Row

INTRO = """\
# The yearly reports

<!-- Generated from plugins/annual_reports/schema.py by `make docs`; do not edit by hand. -->

Every government body publishes two reports on the past year by **31 January**; `make check`
warns about a missing one from 1 January and vetoes it after. The build writes both from the
site's documents and one small file per year, `content/_data/reports/<year>.yaml`:

- **政府信息公开工作年度报告** (format of 国办公开办函〔2021〕30号) at `/zfxxgk/ndbg/<year>/`, listed at
  `/zfxxgk/ndbg/`, which becomes the 政府信息公开 column's 年报 entry unless site.yaml names another.
  规章 and 行政规范性文件 (本年制发, 本年废止, 现行有效) and what the site published are counted from the
  documents public on the report's date; a policy's class comes from its `doc_class` or its `doc_no`.
- **政府网站工作年度报表** (国办函〔2018〕12号) at `/zfxxgk/wzbb/<year>/`; the home page links the latest.
  The figures marked *counted* below come from the documents; a value written in the file replaces one.

```yaml
date: 2026-01-20 09:00          # both go public then (not before: until then neither is built)
disclosure:
  overview: |
    2025年，……
  permits: 12846                # 行政许可
  applications:                 # table 三: [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他]
    received:   [46, 5, 0, 1, 2, 0]
    granted:    [20, 2, 0, 1, 1, 0]
    不予处理:    …               # a row's Chinese name works as its key
  cases:
    review: [2, 1, 0, 0]        # [结果维持, 结果纠正, 其他结果, 尚未审结]
  problems: |
    一是……
website:
  visitors: 1286431
  weibo_name: 滨海发布
```

Tables add up or the build stops, naming the cell: a written 总计 must be the sum of its row;
（七）总计 is the sum of the results; and in every column 本年新收 + 上年结转 = 总计 + 结转下年度.
Counts are whole numbers (`1,234` is read as 1234); amounts may have two decimals.
"""


def _rows(rows: tuple[Row, ...], columns: tuple[str, ...]) -> list[str]:
    lines = [f"Each row: `[{', '.join(columns)}]` (a last number, the 总计, is checked when written).\n",
             "| key | 中文 key | row on the form |", "|---|---|---|"]
    lines += [f"| `{r.key}` | {r.short} | {r.label} |" for r in rows if not (r.heading or r.total)]
    return lines


def render() -> str:
    lines = [INTRO, "## The year's file\n", *field_table(REPORT_FILE), "",
             "## `disclosure:` — 政府信息公开工作年度报告\n", *field_table(DISCLOSURE_REPORT), "",
             "### `applications:` — table 三, 收到和处理政府信息公开申请情况\n",
             *_rows(APPLICATION_ROWS, APPLICANTS), "",
             "### `cases:` — table 四, 行政复议、行政诉讼情况\n", *_rows(CASE_ROWS, OUTCOMES), "",
             "## `website:` — 政府网站工作年度报表\n",
             "Name, address, host, 网站标识码 and the registration numbers come from site.yaml.\n"]
    for section, items in WEBSITE_FORM:
        lines += [f"### {section}\n", "| field | 中文 | kind | counted | description |", "|---|---|---|---|---|"]
        for item in items:
            f = item.field
            kind = "yes/no" if f.kind == "bool" else ", ".join(f"`{k}`" for k in f.choices) if f.choices else f.kind
            lines.append(f"| `{f.name}` | {f.label} | {kind} | {'counted' if item.computed else ''} | {f.help} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(print_or_check(render(), "the report tables", __doc__))
