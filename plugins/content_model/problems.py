"""Collect editor-facing problems and report them one line each: `file: field: message`."""

from __future__ import annotations

import difflib
import logging
import os
import sys
from dataclasses import dataclass

# A plain logger of its own: Rich (Pelican's handler) wraps long lines, and Pelican's
# --fatal logger would stop at the first problem instead of reporting them all.
_report = logging.Logger("gazette.problems")
_handler = logging.StreamHandler(sys.stderr)
_handler.setFormatter(logging.Formatter("%(message)s"))
_report.addHandler(_handler)


class ContentProblems(SystemExit):
    """The content has errors: the build stops before writing anything."""


class ContentProblemsWhileReloading(Exception):
    """Under `make devserver` Pelican keeps watching after an Exception (not a SystemExit)."""


def autoreloading() -> bool:
    """Pelican does not tell plugins it runs with --autoreload; its command line does."""
    return any(arg in ("-r", "--autoreload") or (arg.startswith("-") and not arg.startswith("--")
                                                 and "r" in arg[1:]) for arg in sys.argv[1:])


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        tail = " (warning)" if self.severity == "warning" else ""
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

    def error(self, path: str, field: str, message: str) -> None:
        self.items.append(Problem(path, field, message))

    def warning(self, path: str, field: str, message: str) -> None:
        self.items.append(Problem(path, field, message, "warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def report(self, warnings_are_errors: bool = False) -> None:
        """Print every problem once, by file then in reading order; stop the build on any error."""
        for problem in sorted(dict.fromkeys(self.items), key=lambda p: p.path):
            _report.error(str(problem))
        failing = self.errors if not warnings_are_errors else self.items
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
