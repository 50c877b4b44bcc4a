"""Portal inspection (日监测): the national website indicators, checked at build time.

With INSPECTION_ENABLED (make check, make publish) the plugin runs every rule in
rules.py on the published documents and the written pages, and writes the report as
`inspection/index.html` and `inspection/report.json` (never listed in the sitemap,
feeds or search). gate.py turns the report into an exit status.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any

from content_model.fields import FieldError, ParseContext, parse_date
from content_model.schema import Field
from pelican import signals

from .rules import RULES, Finding, Site

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "INSPECTION_ENABLED": False,
    "INSPECTION_TODAY": None,  # "YYYY-MM-DD"; None means today in Asia/Shanghai
    "INSPECTION_HOME_STALE_DAYS": 14,
    # Columns without their own `interval` in site.yaml: news 2 weeks, notices/policies 6 months.
    "INSPECTION_STALE_DAYS_BY_TYPE": {"news": 14, "notice": 180, "policy": 180},
    "INSPECTION_STALE_COLUMNS_VETO": 5,
    "INSPECTION_EMPTY_COLUMNS_VETO": 5,
    "INSPECTION_INTERPRETATION_LATE_DAYS": 7,
    "INSPECTION_REPLY_WORKDAYS": 7,
    "INSPECTION_REPLY_WORKDAYS_COMPLEX": 15,
    "INSPECTION_UNANSWERED_VETO_DAYS": 90,  # "more than 3 months"
    "INSPECTION_FORBIDDEN_TERMS": {},  # {"wrong term": "right term" or ""}
    "INSPECTION_PATH": "inspection",
}
SEVERITY_ORDER = {"block": 0, "veto": 1, "warning": 2}


class InspectionSettingsError(ValueError):
    """An INSPECTION_* setting cannot be used."""


_state: dict[str, Any] = {}


def configure(pelican: Any) -> None:
    settings = pelican.settings
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    today = settings["INSPECTION_TODAY"]
    if today is None:
        settings["INSPECTION_TODAY_DATE"] = settings.get("GAZETTE_NOW", dt.datetime.now()).date()
    else:
        try:
            settings["INSPECTION_TODAY_DATE"] = parse_date(today, Field("INSPECTION_TODAY", "date", "检查日期"),
                                                           ParseContext("settings"))
        except FieldError as exc:
            raise InspectionSettingsError(f"inspection: INSPECTION_TODAY: {exc}") from None


def remember(generators: list[Any]) -> None:
    """Keep what the rules need once every document is final."""
    _state["generator"] = generators[0]
    _state["context"] = generators[0].context


def _pages(output: Path, skip: str) -> dict[str, str]:
    pages = {}
    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output).as_posix()
        if rel.startswith((skip + "/", "pagefind/")):
            continue
        pages[rel] = path.read_text(encoding="utf-8")
    return pages


def inspect(pelican: Any) -> None:
    """Run every rule and write the report into the output."""
    settings = pelican.settings
    if not settings["INSPECTION_ENABLED"] or "context" not in _state:
        return
    context = _state["context"]
    if "GAZETTE_NOW" in settings and settings["INSPECTION_TODAY"] is None:
        settings["INSPECTION_TODAY_DATE"] = settings["GAZETTE_NOW"].date()
    docs = context.get("published_documents", [])
    output = Path(pelican.output_path)
    site = Site(docs=docs, columns=context.get("columns", []),
                home_columns=context.get("home_columns", []), site=settings["GAZETTE_SITE_DATA"]["site"],
                settings=settings, today=settings["INSPECTION_TODAY_DATE"], output=output,
                content=Path(settings["PATH"]), pages=_pages(output, settings["INSPECTION_PATH"]))
    findings: list[Finding] = []
    for rule in RULES:
        findings += list(rule.check(site))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.path, f.line, f.message))
    counts = Counter(f.severity for f in findings)
    root = os.path.abspath(settings["PATH"])
    report = {
        "today": site.today.isoformat(),
        "site": site.site.get("name", ""),
        "summary": {"block": counts["block"], "veto": counts["veto"], "warning": counts["warning"],
                    "documents": len(docs), "pages": len(site.pages)},
        "rules": [{"id": r.id, "title": r.title,
                   "findings": sum(f.rule == r.id for f in findings)} for r in RULES],
        "findings": [dict(f.as_dict(), path=_rel(f.path, root)) for f in findings],
    }
    folder = output / settings["INSPECTION_PATH"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
    gen = _state["generator"]
    html = gen.get_template("inspection").render({**context, "report": report, "rules": RULES,
                                                  "output_file": f"{settings['INSPECTION_PATH']}/index.html",
                                                  "page_name": "inspection"})
    (folder / "index.html").write_text(html, encoding="utf-8")
    logger.info("inspection: %d block, %d veto, %d warning", counts["block"], counts["veto"], counts["warning"])


def _rel(path: str, root: str) -> str:
    if path.startswith(root + os.sep):
        return "content/" + os.path.relpath(path, root).replace(os.sep, "/")
    return path


def get_generators(pelican: Any) -> type:
    from .reply_stats import ReplyStatsGenerator

    return ReplyStatsGenerator


def register() -> None:
    # get_generators: the public reply statistics page is written with the other pages.
    signals.get_generators.connect(get_generators)
    # initialized: fill INSPECTION_* defaults and fix "today" once.
    signals.initialized.connect(configure)
    # all_generators_finalized: documents, columns and relations are final.
    signals.all_generators_finalized.connect(remember)
    # finalized: every page is written, so links can be checked against real files.
    signals.finalized.connect(inspect)
