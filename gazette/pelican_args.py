"""Pelican's command line: as the project's wrappers pass it on (publish.py, the devserver), and as plugins read it."""

from __future__ import annotations

import sys


def autoreloading() -> bool:
    """Pelican does not tell plugins it runs with --autoreload; its command line does."""
    return any(arg in ("-r", "--autoreload") or (arg.startswith("-") and not arg.startswith("--")
                                                 and "r" in arg[1:]) for arg in sys.argv[1:])


def split_overrides(args: list[str]) -> tuple[list[str], list[str]]:
    """The caller's pelican arguments without their -e items, and those items.

    Pelican keeps only the last -e list, so the caller's items go into the wrapper's own list,
    before its items: a caller may set SITEURL for a preview, but never show drafts in a publish.
    """
    rest: list[str] = []
    items: list[str] = []
    taking = False
    for arg in args:
        if arg in ("-e", "--extra-settings"):
            taking = True
        elif arg.startswith("--extra-settings="):
            items.append(arg.split("=", 1)[1])
        elif taking and not arg.startswith("-"):
            items.append(arg)
        else:
            taking = False
            rest.append(arg)
    return rest, items
