"""`make new TYPE=report [YEAR=2026]`: a year's report file with every field, written from the tables in schema.py.

    PYTHONPATH=plugins python -m annual_reports.scaffold [--year 2026] [--content content] [--now "…"]

It goes to content/_data/reports/<year>.yaml (by default last year's, the one due by 31 January).
Every field is commented with its Chinese label; the tables come as rows of zeros to fill in; the
figures the build counts from the documents are commented out (write one only to replace the count).
The required texts are left empty, so `make validate` names them until they are written, and the
date is the coming 20 January: the reports stay unpublished until then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from content_model.fields import TZ
from content_model.scaffold import comment

from gazette.lines import line_logger

from .schema import (
    APPLICANTS,
    APPLICATION_ROWS,
    CASE_ROWS,
    DISCLOSURE_REPORT,
    OUTCOMES,
    REPORT_FILE,
    REPORTS_FOLDER,
    WEBSITE_FORM,
    Row,
)

_report = line_logger("gazette.scaffold")


def _indented(lines: list[str]) -> list[str]:
    return [f"  {line}" if line else line for line in lines]


def _rows(rows: tuple[Row, ...], columns: tuple[str, ...]) -> list[str]:
    lines = [f"# 每行依次为：{'、'.join(columns)}（可在最后加总计，构建时核对）"]
    for row in rows:
        if row.heading:
            lines.append(f"# {row.label}")
        elif not row.total:
            lines.append(f"{row.key}: [{', '.join(['0'] * len(columns))}]  # {row.label}")
    return lines


def render(year: int) -> str:
    date = REPORT_FILE[0]
    lines = [f"# {year}年度政府信息公开工作年度报告和政府网站工作年度报表的填报数字（字段说明：docs/reports.md）。",
             "# 规章、规范性文件件数和网站发布量等由构建根据已发布的文件自动统计，不必填写。", "",
             *comment(date), f"date: {year + 1}-01-20 09:00", "", "disclosure:"]
    for f in DISCLOSURE_REPORT:
        lines.append("")
        lines += [f"  # {f.label}"] if f.kind == "mapping" else _indented(comment(f))  # rows say the rest
        if f.name == "applications":
            lines += ["  applications:", *_indented(_indented(_rows(APPLICATION_ROWS, APPLICANTS)))]
        elif f.name == "cases":
            lines += ["  cases:", *_indented(_indented(_rows(CASE_ROWS, OUTCOMES)))]
        elif f.kind == "counts":
            lines.append(f"  # {f.name}: [0, 0, 0]")
        else:
            lines.append(f"  {f.name}:" if f.required else f"  # {f.name}:")
    lines += ["", "website:"]
    for section, items in WEBSITE_FORM:
        lines += ["", f"  # —— {section} ——"]
        for item in items:
            f = item.field
            label = f.label + ("（由网站内容自动统计，填写则以填写为准）" if item.computed else "")
            value = f" {f.default}" if f.default is not None else ""
            lines.append(f"  {'# ' if item.computed else ''}{f.name}:{value}  # {label}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make new TYPE=report", description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, help="the year reported on (default: last year)")
    parser.add_argument("--content", default="content")
    parser.add_argument("--now", help="the date and time to start from (default: now in Asia/Shanghai)")
    args = parser.parse_args(argv)
    now = dt.datetime.strptime(args.now, "%Y-%m-%d %H:%M").replace(tzinfo=TZ) if args.now else dt.datetime.now(TZ)
    year = args.year or now.year - 1
    path = os.path.join(args.content, REPORTS_FOLDER, f"{year}.yaml")
    if os.path.exists(path):
        _report.error("make new: %s: already exists; edit it, or give another YEAR", path)
        return 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(render(year))
    sys.stdout.write(path + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
