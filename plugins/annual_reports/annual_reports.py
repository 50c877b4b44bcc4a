"""The two reports the law dates each year, built from the content and `content/_data/reports/<year>.yaml`.

- 政府信息公开工作年度报告 (国办公开办函〔2021〕30号) at `zfxxgk/ndbg/<year>/`, listed at `zfxxgk/ndbg/`
  (the 政府信息公开 column's 年报 entry unless site.yaml names another).
- 政府网站工作年度报表 (国办函〔2018〕12号) at `zfxxgk/wzbb/<year>/`, listed at `zfxxgk/wzbb/`; the home page
  links the latest one.

A year's reports are built from their `date` on; the inspection's `annual-reports` rule wants last
year's by 31 January.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from content_model.problems import problems
from content_model.schema import DOC_CLASSES
from pelican import signals
from pelican.generators import Generator

import gazette.build

from .data import YearData, load_years
from .figures import policy_counts, site_figures
from .schema import APPLICANT_GROUP, APPLICANTS, APPLICATION_ROWS, CASE_ROWS, OUTCOMES, TOTAL, WEBSITE_FORM

REPORTS_URL = "zfxxgk/ndbg/"
WEBSITE_REPORTS_URL = "zfxxgk/wzbb/"

_state: dict[str, Any] = {}


@dataclass
class Line:
    """One line of a form as the page prints it."""

    label: str
    value: Any  # a number, True/False, text, or None when not filled in
    computed: bool = False  # counted from the content
    kind: str = "count"  # the field's kind (schema): a blank `str` (a name, "其他") is no missing figure


@dataclass(frozen=True)
class SearchablePage:
    """A report page as the site search indexes it (site_search's `searchable_pages`)."""

    url: str
    title: str
    date: dt.datetime
    type_label: str
    description: str
    lang: str

    @property
    def save_as(self) -> str:
        return f"{self.url}index.html"


@dataclass
class Report:
    """One year's two reports, ready for the templates."""

    year: int
    date: dt.datetime
    source: str
    disclosure: dict[str, Any]  # the YAML's `disclosure:` values, tables complete
    figures: dict[str, Any]  # what the content gives part 一: published, by_column
    policy_rows: list[tuple[str, list[int], bool]]  # (label, [制发, 废止, 现行有效], computed)
    website: list[tuple[str, list[Line]]] | None = None  # the 年度报表's sections, or None without one
    site: dict[str, Any] = field(default_factory=dict)  # what the content gives the 年度报表 beyond its form

    @property
    def url(self) -> str:
        return f"{REPORTS_URL}{self.year}/"

    @property
    def website_url(self) -> str:
        return f"{WEBSITE_REPORTS_URL}{self.year}/"


def _website(data: YearData, figures: dict[str, Any]) -> list[tuple[str, list[Line]]] | None:
    if data.website is None:
        return None
    sections = []
    for title, items in WEBSITE_FORM:
        lines = []
        for item in items:
            written = data.website.get(item.field.name)
            use_figure = item.computed and written is None
            value = figures[item.field.name] if use_figure else written
            if item.field.choices and value is not None:
                value = item.field.choices[value]
            lines.append(Line(item.field.label, value, use_figure, item.field.kind))
        sections.append((title, lines))
    return sections


def _report(data: YearData, everyone: list[Any], columns: list[Any], search: bool) -> Report:
    # Only what was public on the report's day counts: a later document never rewrites a report.
    public = [d for d in everyone if d.date <= data.date]
    known = [d for d in public if d.in_default_lang]
    site = site_figures(known, columns, data.year, search=search,
                        multilingual=any(not d.in_default_lang for d in public))
    # Part 一 says what the site published, as the 年度报表 counts it (columns that published nothing left out).
    figures = {"published": site["posts"], "by_column": [(name, n) for name, n in site["by_column"] if n]}
    counted = policy_counts([d for d in known if d.type == "policy"], data.year)
    policy_rows = []
    for key, doc_class in (("rules", "rule"), ("normative", "normative")):
        written = data.disclosure[key]
        policy_rows.append((DOC_CLASSES[doc_class], written if written is not None else counted[doc_class],
                            written is None))
    return Report(data.year, data.date, data.path, data.disclosure, figures, policy_rows,
                  _website(data, site), site)


def load(pelican: Any) -> type[Generator]:
    """Read the year files with the rest of the content (their problems join the build's report)."""
    _state["years"] = load_years(pelican.settings["PATH"], problems)
    return ReportsGenerator


def prepare(generators: list[Any]) -> None:
    """Once the documents are final: each published year's reports, and what the home page and column link."""
    context = generators[0].context
    build = gazette.build.current()
    docs = context.get("published_documents", [])  # every language: 多语言版本
    columns = context.get("columns", [])
    search = "site_search" in [str(p).rsplit(".", 1)[-1] for p in generators[0].settings.get("PLUGINS", [])]
    reports = []
    for data in sorted(_state.get("years", {}).values(), key=lambda y: y.year, reverse=True):
        if data.date > build.now:  # not yet public: built from its date on
            build.expires(data.date)
            continue
        reports.append(_report(data, docs, columns, search))
    context["annual_reports"] = reports
    name, lang = build.site["site"].get("name", ""), generators[0].settings["DEFAULT_LANG"].lower()
    context["searchable_pages"] = [*context.get("searchable_pages", []), *(
        page for r in reports for page in (
            SearchablePage(r.url, f"{name}{r.year}年政府信息公开工作年度报告", r.date, "年度报告",
                           f"{r.year}年政府信息公开工作情况", lang),
            *([SearchablePage(r.website_url, f"{name}网站{r.year}年工作年度报表", r.date, "年度报表",
                              f"{r.year}年政府网站工作情况", lang)] if r.website is not None else [])))]
    context["ANNUAL_REPORTS_URL"] = REPORTS_URL
    context["WEBSITE_REPORTS_URL"] = WEBSITE_REPORTS_URL
    context["latest_website_report"] = next((r for r in reports if r.website is not None), None)
    if reports:  # the 政府信息公开 column's 年报 entry, unless site.yaml names another
        context["disclosure_entries"] = [
            (key, label, address or (f"/{REPORTS_URL}" if key == "reports" else None))
            for key, label, address in context.get("disclosure_entries", [])
        ]


class ReportsGenerator(Generator):
    """Write each published year's two reports and the two lists of them."""

    def generate_context(self) -> None:
        pass  # the reports need final documents: prepare() at all_generators_finalized

    def generate_output(self, writer: Any) -> None:
        reports: list[Report] = self.context.get("annual_reports", [])
        if not reports:
            return
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        forms = {"applicants": APPLICANTS, "applicant_group": APPLICANT_GROUP, "outcomes": OUTCOMES,
                 "total": TOTAL, "application_rows": APPLICATION_ROWS, "case_rows": CASE_ROWS}
        for report in reports:
            write(f"{report.url}index.html", self.get_template("annual_report"), self.context,
                  template_name="annual_report", url=report.url, report=report, page_name="zfxxgk", **forms)
            if report.website is not None:
                write(f"{report.website_url}index.html", self.get_template("website_report"), self.context,
                      template_name="website_report", url=report.website_url, report=report, page_name="zfxxgk")
        write(f"{REPORTS_URL}index.html", self.get_template("annual_reports"), self.context,
              template_name="annual_reports", url=REPORTS_URL, page_name="zfxxgk", kind="disclosure")
        if any(r.website is not None for r in reports):
            write(f"{WEBSITE_REPORTS_URL}index.html", self.get_template("annual_reports"), self.context,
                  template_name="annual_reports", url=WEBSITE_REPORTS_URL, page_name="zfxxgk", kind="website")


def register() -> None:
    # get_generators, after content_model's (which starts each build's problem list): read the year files.
    signals.get_generators.connect(load)
    # all_generators_finalized, after content_model's check: documents and columns are final.
    signals.all_generators_finalized.connect(prepare)
