"""Content problems and inspection findings as GitHub annotations, a job summary and GitLab code quality."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Inspection severities as CI levels: what stops a publish is an error.
LEVEL = {"error": "error", "veto": "error", "block": "error", "warning": "warning", "notice": "warning"}
LABEL = {"error": "错误", "veto": "单项否决", "block": "禁止发布", "warning": "提醒", "notice": "提醒"}
# GitLab code quality severities (info, minor, major, critical, blocker).
CODEQUALITY = {"error": "major", "veto": "blocker", "block": "critical", "warning": "minor", "notice": "info"}


@dataclass(frozen=True)
class Item:
    severity: str  # error (content), veto, block, warning
    path: str  # as the editor knows it: content/…
    line: int  # 0 when unknown
    title: str  # the field (content problems) or the inspection rule
    message: str


def header_line(path: str, field: str) -> int:
    """The line of `field:` in a Markdown file's YAML header, or 0."""
    if not path.endswith(".md") or not re.fullmatch(r"[A-Za-z_][\w-]*", field):
        return 0
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 0
    key = re.compile(rf"{re.escape(field)}\s*[:：]")
    for number, text in enumerate(lines[1:], start=2):
        if text.strip() == "---":
            break
        if key.match(text):
            return number
    return 0


def content_problems(path: str) -> list[Item]:
    """What the build recorded; a missing file means the build never got that far (nothing to show)."""
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = []
    for row in rows:
        found = re.search(r"\bline (\d+)", row["message"])
        line = int(found.group(1)) if found else header_line(row["path"], row["field"])
        items.append(Item(row["severity"], row["path"], line, row["field"], row["message"]))
    return items


def inspection_findings(path: str) -> list[Item]:
    try:
        findings = json.loads(Path(path).read_text(encoding="utf-8"))["findings"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [Item(f["severity"], f.get("path", ""), int(f.get("line") or 0), f["rule"], f["message"])
            for f in findings]


def _escape(text: str, prop: bool = False) -> str:
    """GitHub workflow-command escaping (data, and properties which also escape : and ,)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotations(items: list[Item]) -> str:
    lines = []
    for item in items:
        props = [f"file={_escape(item.path, True)}"] if item.path else []
        props += [f"line={item.line}"] if item.line else []
        props.append(f"title={_escape(LABEL[item.severity] + ' ' + item.title, True)}")
        lines.append(f"::{LEVEL[item.severity]} {','.join(props)}::{_escape(item.message)}\n")
    return "".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary(items: list[Item], heading: str) -> str:
    """A Markdown table for the job summary, must-fix first, each row linking the file and line."""
    if not items:
        return f"### {heading}：没有问题\n\n"
    base = ""
    if os.environ.get("GITHUB_REPOSITORY") and os.environ.get("GITHUB_SHA"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        base = f"{server}/{os.environ['GITHUB_REPOSITORY']}/blob/{os.environ['GITHUB_SHA']}/"
    errors = sum(LEVEL[i.severity] == "error" for i in items)
    rows = [f"### {heading}：{errors} 个必须修改，{len(items) - errors} 个提醒\n",
            "| 级别 | 文件 | 项目 | 问题 |", "| --- | --- | --- | --- |"]
    for item in items:
        where = item.path + (f":{item.line}" if item.line else "")
        if base and item.path.startswith("content/"):
            where = f"[{where}]({base}{item.path}{f'#L{item.line}' if item.line else ''})"
        rows.append(f"| {LABEL[item.severity]} | {_cell(where)} | {_cell(item.title)} | {_cell(item.message)} |")
    return "\n".join(rows) + "\n\n"


def codequality(items: list[Item]) -> list[dict[str, object]]:
    """GitLab's code-quality report format (a subset of Code Climate's)."""
    return [{
        "description": f"{LABEL[i.severity]} {i.title}: {i.message}",
        "check_name": i.title,
        "fingerprint": hashlib.sha256(f"{i.path}\0{i.title}\0{i.message}".encode()).hexdigest()[:32],
        "severity": CODEQUALITY[i.severity],
        "location": {"path": i.path or ".", "lines": {"begin": i.line or 1}},
    } for i in items]


def ordered(items: list[Item]) -> list[Item]:
    """Must-fix first, then by file and line; each problem once."""
    return sorted(dict.fromkeys(items), key=lambda i: (LEVEL[i.severity] != "error", i.path, i.line))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", help="GAZETTE_PROBLEMS_FILE written by the build")
    parser.add_argument("--inspection", help="the inspection's report.json")
    parser.add_argument("--codequality", help="write a GitLab code-quality report here")
    parser.add_argument("--heading", default="内容检查", help="the job summary's heading")
    args = parser.parse_args(argv)
    items = ordered((content_problems(args.problems) if args.problems else [])
                    + (inspection_findings(args.inspection) if args.inspection else []))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stdout.write(annotations(items))
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(summary(items, args.heading))
    if args.codequality:
        Path(args.codequality).parent.mkdir(parents=True, exist_ok=True)
        Path(args.codequality).write_text(json.dumps(codequality(items), ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    return 0
