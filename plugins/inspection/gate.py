"""Turn an inspection report into an exit status and one line per finding that must be fixed.

    python plugins/inspection/gate.py output/inspection/report.json --fail-on veto block

Exit 1 when any finding has a listed severity. Must-fix findings (veto, block) are printed
first, one line each as `禁止发布 broken-links: content/news/x.md:12: 链接失效：/no/such/page/`,
then warnings when they fail the gate too, then the totals and where the report is.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

# Severities, must-fix first, with the labels editors read (report HTML, terminal).
SEVERITY_LABELS = {"block": "禁止发布", "veto": "单项否决", "warning": "提醒"}
MUST_FIX = ("block", "veto")


def finding_line(finding: dict[str, Any]) -> str:
    """One finding as `<label> <rule>: <path>:<line>: <message>`, the place as compilers print it."""
    where = finding.get("path") or finding.get("page") or ""
    if where and finding.get("line"):
        where += f":{finding['line']}"
    label = SEVERITY_LABELS.get(finding["severity"], finding["severity"])
    return f"{label} {finding['rule']}: {where + ': ' if where else ''}{finding['message']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--fail-on", nargs="+", default=["veto", "block"], choices=list(SEVERITY_LABELS))
    args = parser.parse_args(argv)
    try:
        with open(args.report, encoding="utf-8") as fh:
            report = json.load(fh)
        summary = report["summary"]
        findings = sorted(report["findings"], key=lambda f: list(SEVERITY_LABELS).index(f["severity"]))
        failing = sum(summary[s] for s in args.fail_on)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # A missing or damaged report proves nothing: say so and fail, so nothing is published on it.
        sys.stderr.write(f"gate: 无法读取检查报告 {args.report}（{exc}），"
                         "请开启检查（INSPECTION_ENABLED=true）重新构建\n")
        return 1
    out = sys.stderr
    shown = {*MUST_FIX, *args.fail_on}
    for finding in findings:
        if finding["severity"] in shown:
            out.write(finding_line(finding) + "\n")
    totals = "，".join(f"{label} {summary[severity]} 项" for severity, label in SEVERITY_LABELS.items())
    out.write(f"网站检查（{report['today']}）：{totals}；报告：{args.report.removesuffix('report.json')}index.html\n")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
