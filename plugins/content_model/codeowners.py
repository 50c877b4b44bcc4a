"""`make codeowners`: who must approve changes to each column's documents, for GitHub and GitLab.

    python -m plugins.content_model.codeowners [--content content] [--root .]

Reads the columns' `reviewers` (and `review_levels`) from content/_data/site.yaml and writes
`.github/CODEOWNERS` (GitHub: with branch protection's "Require review from Code Owners", a
change to content/policy/ needs one of them) and `.gitlab/CODEOWNERS` (GitLab: a section per
column asking for as many approvals as its review levels, 三审 = 3). A column's documents are
its type's folder; columns of one type share it, and their reviewers. Regenerate after changing
site.yaml; the inspection checks the review record itself (plugins/inspection/review.py).
"""

from __future__ import annotations

import argparse
import os
import sys

from gazette.files import write_atomic
from gazette.lines import line_logger

from .problems import Problems
from .schema import TYPES
from .site_data import load_site_data

_report = line_logger("gazette.codeowners")
HEADER = ("# Generated from content/_data/site.yaml (columns' reviewers) by `make codeowners`; "
          "do not edit by hand.\n")


def owners(site: dict) -> list[tuple[str, str, list[str], int]]:
    """(folder, section name, reviewers, approvals) per content folder that has reviewers, in column order."""
    default = int(site["site"].get("review_levels") or 0)
    found: dict[str, tuple[str, list[str], int]] = {}
    for column in site["columns"].values():
        if not column.get("reviewers"):
            continue
        folder = TYPES[column["type"]].folder
        name, people, levels = found.get(folder, (column["name"], [], 0))
        people += [p for p in column["reviewers"] if p not in people]
        found[folder] = (name, people, max(levels, int(column.get("review_levels") or default), 1))
    return [(folder, name, people, levels) for folder, (name, people, levels) in found.items()]


def github(rows: list[tuple[str, str, list[str], int]], content: str) -> str:
    lines = [HEADER + "# GitHub: turn on \"Require review from Code Owners\" for the main branch."]
    lines += [f"/{content}/{folder}/ {' '.join(people)}" for folder, _name, people, _n in rows]
    return "\n".join(lines) + "\n"


def gitlab(rows: list[tuple[str, str, list[str], int]], content: str) -> str:
    lines = [HEADER + "# GitLab: a section per column; [n] is the approvals it needs (its review levels)."]
    for folder, name, people, levels in rows:
        lines += ["", f"[{name}][{levels}] {' '.join(people)}", f"/{content}/{folder}/"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make codeowners", description=__doc__.splitlines()[0])
    parser.add_argument("--content", default="content")
    parser.add_argument("--root", default=".", help="the repository's root")
    args = parser.parse_args(argv)
    problems = Problems()
    site = load_site_data(args.content, problems)
    if problems.errors:
        for problem in problems.errors:
            _report.error(str(problem))
        return 1
    rows = owners(site)
    content = os.path.relpath(os.path.abspath(args.content), os.path.abspath(args.root)).replace(os.sep, "/")
    for rel, text in ((".github/CODEOWNERS", github(rows, content)), (".gitlab/CODEOWNERS", gitlab(rows, content))):
        path = os.path.join(args.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
        sys.stdout.write(f"{rel}: {len(rows)} folder{'s' if len(rows) != 1 else ''} with reviewers\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
