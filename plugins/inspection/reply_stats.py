"""Public statistics of reply times per department (互动回应办理情况), on the official calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pelican.generators import Generator

import gazette.build
from gazette.workdays import workdays_between


@dataclass
class DeptStats:
    name: str
    days: list[int] = field(default_factory=list)  # working days of answered messages
    on_time: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return len(self.days) + self.pending

    @property
    def average(self) -> str:
        return f"{sum(self.days) / len(self.days):.1f}" if self.days else "—"

    @property
    def longest(self) -> str:
        return str(max(self.days)) if self.days else "—"

    @property
    def on_time_rate(self) -> str:
        return f"{100 * self.on_time / len(self.days):.0f}%" if self.days else "—"


def reply_stats(docs: list[Any], departments: dict[str, Any], normal: int, complex_: int) -> list[DeptStats]:
    """Per-department statistics, plus a last row for the whole site."""
    rows: dict[str, DeptStats] = {}
    overall = DeptStats("全部")
    for doc in docs:
        if doc.type != "reply":
            continue
        dept = getattr(doc, "department", None)
        name = departments[dept]["name"] if dept else "未指定部门"
        row = rows.setdefault(name, DeptStats(name))
        replied = getattr(doc, "replied", None)
        for stats in (row, overall):
            if replied is None:
                stats.pending += 1
                continue
            used = workdays_between(doc.received, replied)
            stats.days.append(used)
            stats.on_time += used <= (complex_ if getattr(doc, "complex", False) else normal)
    return [rows[k] for k in sorted(rows)] + ([overall] if rows else [])


class ReplyStatsGenerator(Generator):
    """Write `<reply column>/tjsj/`: how fast each department answers citizens."""

    def generate_context(self) -> None:
        columns = [c for c in self.context.get("columns", []) if c.type == "reply"]
        self.column = columns[0] if columns else None
        self.context["REPLY_STATS_URL"] = f"{self.column.id}/tjsj/" if self.column else ""

    def generate_output(self, writer: Any) -> None:
        if self.column is None:
            return
        docs = [d for d in self.context.get("articles", []) if d.type == "reply"]
        settings = self.settings
        rows = reply_stats(docs, gazette.build.current().site["departments"],
                           settings.get("INSPECTION_REPLY_WORKDAYS", 7),
                           settings.get("INSPECTION_REPLY_WORKDAYS_COMPLEX", 15))
        writer.write_file(f"{self.column.id}/tjsj/index.html", self.get_template("reply_stats"), self.context,
                          relative_urls=settings["RELATIVE_URLS"], page_name=self.column.id, column=self.column,
                          rows=rows, limits=(settings.get("INSPECTION_REPLY_WORKDAYS", 7),
                                             settings.get("INSPECTION_REPLY_WORKDAYS_COMPLEX", 15)))
