"""Collect editor-facing problems and report them one line each: `file: field: message`."""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import os
from dataclasses import dataclass

from pelican.log import FatalLogger

from gazette.files import write_atomic
from gazette.lines import line_logger
from gazette.pelican_args import autoreloading

# Every problem is reported, one line each, before the build stops (see gazette/lines.py).
_report = line_logger("gazette.problems")


class ContentProblems(SystemExit):
    """The content has errors: the build stops before writing anything."""


class ContentProblemsWhileReloading(Exception):
    """Under `make devserver` Pelican keeps watching after an Exception (not a SystemExit)."""


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        tail = " (warning)" if self.severity != "error" else ""
        return f"{display_path(self.path)}: {self.field}: {self.message}{tail}"


def did_you_mean(key: str, keys: list[str]) -> str:
    """"did you mean 'x'? " for the known key closest to a misspelt one (case aside), or ""."""
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6) or difflib.get_close_matches(
        key.lower(), keys, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def display_path(path: str) -> str:
    """Show a path relative to the working directory when it lies inside it."""
    path = os.path.abspath(path)
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


class Problems:
    """All problems found in one build, reported together at the end."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.reported: list[Problem] = []
        # GAZETTE_PROBLEMS_FILE: every reported problem as JSON, for CI annotations (plugins/ci_report).
        self.record_to: str | None = None
        # GAZETTE_VALIDATE_FILES: report only these files' problems (absolute paths), or all (None).
        self.only: set[str] | None = None
        self.hidden = 0

    def start(self, record_to: str | None, only: list[str] | None = None) -> None:
        """Forget the last build's problems (`pelican -r` builds many times in one process)."""
        self.items.clear()
        self.reported.clear()
        self.record_to = record_to
        self.only = {os.path.abspath(path) for path in only} if only else None
        self.hidden = 0
        self._record()

    def _record(self) -> None:
        if self.record_to:
            rows = [dataclasses.asdict(p) | {"path": display_path(p.path)} for p in self.reported]
            write_atomic(self.record_to, json.dumps(rows, ensure_ascii=False, indent=1).encode())

    def error(self, path: str, field: str, message: str) -> None:
        self.items.append(Problem(path, field, message))

    def warning(self, path: str, field: str, message: str) -> None:
        self.items.append(Problem(path, field, message, "warning"))

    def notice(self, path: str, field: str, message: str) -> None:
        """A warning about the build rather than the content: printed and recorded, never fatal."""
        self.items.append(Problem(path, field, message, "notice"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def report_as_the_build_does(self) -> None:
        """Report, a warning stopping the build too when Pelican runs with `--fatal warnings` (as CI does).

        Plugins that check final documents after content_model's check call it for their own problems.
        """
        self.report(warnings_are_errors=FatalLogger.fatal_lvl <= logging.WARNING)

    def report(self, warnings_are_errors: bool = False) -> None:
        """Print every problem once, by file then in reading order; stop the build on any error."""
        if self.only is not None:  # make validate FILE=…: only the files asked about
            kept = [p for p in self.items if os.path.abspath(p.path) in self.only]
            self.hidden += len(dict.fromkeys(self.items)) - len(dict.fromkeys(kept))
            self.items[:] = kept
        for problem in sorted(dict.fromkeys(self.items), key=lambda p: p.path):
            _report.error(str(problem))
            self.reported.append(problem)
        self._record()
        failing = self.errors if not warnings_are_errors else [p for p in self.items if p.severity != "notice"]
        if failing:
            count = len(dict.fromkeys(failing))
            _report.error(
                "gazette: %d problem%s in the content; the build stopped and nothing was written.",
                count, "" if count == 1 else "s",
            )
            if autoreloading():
                raise ContentProblemsWhileReloading(f"{count} problem(s) in the content; fix and save")
            raise ContentProblems(1)
        self.items.clear()


problems = Problems()
