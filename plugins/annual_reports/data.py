"""Read and check `content/_data/reports/<year>.yaml`: the figures of the yearly reports the content cannot give.

Every problem is reported with the build's others, naming the file and the field, down to the
cell of a table whose rows or columns do not add up.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any

from content_model.fields import ParseContext, count_of
from content_model.problems import Problems, did_you_mean
from content_model.site_data import check_record
from content_model.yaml_header import YamlError, load_yaml

from .schema import (
    APPLICANTS,
    APPLICATION_ROWS,
    CASE_ROWS,
    DISCLOSURE_REPORT,
    OUTCOMES,
    REPORT_FILE,
    REPORTS_FOLDER,
    TOTAL,
    WEBSITE_REPORT,
    Row,
)

DOCS = "docs/reports.md"
FIRST_YEAR = 2008  # the disclosure regulations (政府信息公开条例) took effect on 1 May 2008


@dataclass
class YearData:
    """One year's file, checked: tables hold every row, each with its total as the last number."""

    year: int
    path: str
    date: dt.datetime  # when both reports go public
    disclosure: dict[str, Any]
    website: dict[str, Any] | None


def _table(raw: dict[Any, Any], rows: tuple[Row, ...], columns: tuple[str, ...], where: str, *,
           path: str, problems: Problems) -> dict[str, list[int]] | None:
    """Each counted row as its numbers plus their total; a written total must be that sum."""
    by_key = {name: row for row in rows if not row.heading for name in (row.key, row.short)}
    table = {row.key: [0] * (len(columns) + 1) for row in rows if not row.heading}
    ok = True
    for key, value in raw.items():
        row = by_key.get(str(key))
        cell = f"{where}.{key}"
        if row is None:
            problems.error(path, cell, f"unknown row; {did_you_mean(str(key), list(by_key))}"
                           f"(see {DOCS})")
            ok = False
            continue
        if row.total:  # （七）总计: checked against the rows by the caller
            continue
        numbers = _counts(value, len(columns), cell, path, problems)
        if numbers is None:
            ok = False
            continue
        if len(numbers) > len(columns):  # the total was written: it must be the sum
            if numbers[-1] != sum(numbers[:-1]):
                problems.error(path, f"{cell}[{TOTAL}]", f"is {numbers[-1]}, but {columns[0]} to {columns[-1]} "
                               f"add up to {sum(numbers[:-1])} (写的总计与各列之和不符)")
                ok = False
            numbers = numbers[:-1]
        table[row.key] = numbers + [sum(numbers)]
    return table if ok else None


def _counts(value: Any, width: int, cell: str, path: str, problems: Problems) -> list[int] | None:
    """A row as written: `width` counts, or `width + 1` with the total last."""
    if not isinstance(value, list) or len(value) not in (width, width + 1):
        problems.error(path, cell, f"must be a list of {width} counts (or {width + 1} with the 总计 last), "
                       f"e.g. [{', '.join(['0'] * width)}]")
        return None
    numbers = []
    for i, item in enumerate(value):
        count = count_of(item)
        if count is None:
            problems.error(path, f"{cell}[{i + 1}]", f"'{item}' is not a count: write a whole number, 0 or more")
            return None
        numbers.append(count)
    return numbers


def _applications(raw: dict[Any, Any], where: str, path: str, problems: Problems) -> dict[str, list[int]] | None:
    """Table 三, with （七）总计 added and the form's 勾稽关系 checked column by column."""
    table = _table(raw, APPLICATION_ROWS, APPLICANTS, where, path=path, problems=problems)
    if table is None:
        return None
    outcomes = [row.key for row in APPLICATION_ROWS if row.level >= 1 and not (row.heading or row.total)]
    handled = [sum(table[key][i] for key in outcomes) for i in range(len(APPLICANTS) + 1)]
    written = next((raw[k] for k in ("handled", "总计") if k in raw), None)
    ok = True
    if written is not None:
        numbers = _counts(written, len(APPLICANTS), f"{where}.handled", path, problems) or []
        for i, (wrote, sums) in enumerate(zip(numbers, handled, strict=False)):
            if wrote != sums:
                column = (*APPLICANTS, TOTAL)[i]
                problems.error(path, f"{where}.handled[{column}]", f"is {wrote}, but the results （一） to （六） add "
                               f"up to {sums} (（七）总计应等于各项办理结果之和)")
                ok = False
    table["handled"] = handled
    for i, column in enumerate((*APPLICANTS, TOTAL)):
        came = table["received"][i] + table["carried_in"][i]
        went = handled[i] + table["carried_out"][i]
        if came != went:
            problems.error(path, f"{where}.carried_out[{column}]",
                           f"本年新收 + 上年结转 = {came}, but 总计 + 结转下年度 = {went}; the two must be equal "
                           "(第一项加第二项之和，等于第三项加第四项之和)")
            ok = False
    return table if ok else None


def _section(raw: dict[str, Any], year: int, path: str, problems: Problems, ctx: ParseContext) -> YearData | None:
    top = check_record(raw, REPORT_FILE, "", path=path, problems=problems, ctx=ctx, docs=DOCS)
    if top is None:
        return None
    if top["date"].date() <= dt.date(year, 12, 31):
        problems.error(path, "date", f"{top['date']:%Y-%m-%d} is within {year}: a year's reports go public after "
                       "it ends (by 31 January)")
        return None
    # Every part is checked, so that one round names every problem of the file.
    disclosure = check_record(top["disclosure"], DISCLOSURE_REPORT, "disclosure", path=path, problems=problems,
                              ctx=ctx, docs=DOCS)
    website = None
    website_ok = True
    if top["website"] is not None:
        website = check_record(top["website"], WEBSITE_REPORT, "website", path=path, problems=problems, ctx=ctx,
                               docs=DOCS)
        website_ok = website is not None and _website_sums(website, path, problems)
    if disclosure is None:
        return None
    applications = _applications(disclosure["applications"] or {}, "disclosure.applications", path, problems)
    cases = _table(disclosure["cases"] or {}, CASE_ROWS, OUTCOMES, "disclosure.cases", path=path, problems=problems)
    rows_ok = True
    for key in ("rules", "normative"):
        if disclosure[key] is not None and len(disclosure[key]) != 3:
            problems.error(path, f"disclosure.{key}", "must be three counts: [本年制发, 本年废止, 现行有效]")
            rows_ok = False
    if applications is None or cases is None or not rows_ok or not website_ok:
        return None
    disclosure.update(applications=applications, cases=cases)
    return YearData(year, path, top["date"], disclosure, website)


def _website_sums(website: dict[str, Any], path: str, problems: Problems) -> bool:
    """The website form's figures that bound each other."""
    ok = True
    parts = (website["cases_personal"], website["cases_corporate"])
    if website["cases"] is not None and None not in parts and website["cases"] != sum(parts):
        problems.error(path, "website.cases", f"is {website['cases']}, but 自然人办件量 + 法人办件量 = {sum(parts)}")
        ok = False
    for part, whole, what in (("services_online", "services", "可全程在线办理的事项不能多于政务服务事项"),
                              ("security_fixed", "security_issues", "整改的问题不能多于发现的问题")):
        if None not in (website[part], website[whole]) and website[part] > website[whole]:
            problems.error(path, f"website.{part}", f"is {website[part]}, more than {whole} ({website[whole]}): {what}")
            ok = False
    return ok


def load_years(content_path: str, problems: Problems) -> dict[int, YearData]:
    """Every `_data/reports/<year>.yaml`, checked; a file with problems is reported and left out."""
    folder = os.path.join(content_path, REPORTS_FOLDER)
    years: dict[int, YearData] = {}
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return years
    root = os.path.abspath(content_path)
    for name in names:
        path = os.path.join(folder, name)
        if name.startswith((".", "_")) or not os.path.isfile(path):
            continue
        stem, ext = os.path.splitext(name)
        if ext not in (".yaml", ".yml") or not re.fullmatch(r"\d{4}", stem) or int(stem) < FIRST_YEAR:
            problems.error(path, "(file)", f"is not named after a year: one file per year, `2025.yaml` (from "
                           f"{FIRST_YEAR})")
            continue
        try:
            with open(path, encoding="utf-8-sig") as fh:
                raw = load_yaml(fh.read())
        except (OSError, UnicodeDecodeError) as exc:
            problems.error(path, "(file)", f"cannot be read: {exc}")
            continue
        except YamlError as exc:
            problems.error(path, "(yaml)", str(exc))
            continue
        if not isinstance(raw, dict):
            problems.error(path, "(yaml)", "must be a mapping with date, disclosure and website")
            continue
        ctx = ParseContext(source_path=path, root=root, files_from=root)
        data = _section(raw, int(stem), path, problems, ctx)
        if data is not None:
            years[data.year] = data
    for year, data in years.items():  # what a year carried out, the next carried in
        before = years.get(year - 1)
        if before is None:
            continue
        came = data.disclosure["applications"]["carried_in"]
        went = before.disclosure["applications"]["carried_out"]
        for column, now, then in zip((*APPLICANTS, TOTAL), came, went, strict=True):
            if now != then:
                problems.warning(data.path, f"disclosure.applications.carried_in[{column}]",
                                 f"is {now}, but the {year - 1} report carried {then} into {year} "
                                 "(上年结转应等于上一年度的结转下年度)")
                break
    return years
