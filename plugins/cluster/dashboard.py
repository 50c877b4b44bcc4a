"""The cluster page (OUTPUT/index.html): every site, and what its latest inspection found (运维监管)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "themes" / "gazette" / "templates"
# The inspection rules the platform's 运维监管 watches across sites, as the dashboard's columns.
WATCHED = (("stale-columns", "栏目更新不及时"), ("empty-columns", "空白栏目"), ("reply-deadlines", "留言办理超时"),
           ("broken-links", "链接不可用"))


def render(rows: list[dict[str, Any]], *, published: bool, preview: bool = False) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    for row in rows:
        report = row["report"] or {}
        counts = {rule["id"]: rule["findings"] for rule in report.get("rules", [])}
        row["watched"] = [(label, counts.get(rule)) for rule, label in WATCHED]
        row["summary"] = report.get("summary")
        row["today"] = report.get("today")
        row["updated"] = (report.get("updated") or "")[:10] or None
    return env.get_template("cluster.html").render(sites=rows, published=published, preview=preview)
