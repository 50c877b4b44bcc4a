"""Each plugin's settings, declared once: type, default, description; checked before anything is read.

A plugin lists its settings in a table beside its code and hands it to gazette.plugins.plugin():

    SETTINGS = Table("feeds", "FEEDS_", [
        Setting("FEEDS_MAX_ITEMS", 50, "Items per feed, newest first.", minimum=1),
    ])
    register = plugin(register, settings=SETTINGS)

At Pelican's `initialized` (gazette.plugins.check_plugins, before any plugin's own receiver)
the defaults of every listed plugin are filled in and every value is checked; a key with a
plugin's prefix that no table declares (`SEO_ROBOT_DISALLOW`) would otherwise be silently
ignored, so it is an error with a did-you-mean. Errors are one line each, naming the setting:
`pelicanconf.py: FEEDS_MAX_ITEMS: must be a whole number ≥ 1, not '50'`.

The same tables generate docs/settings.md (`make docs`; `make lint` and the tests check it is current).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_NAMES = {bool: "true/false", int: "whole number", float: "number", str: "text", list: "list", dict: "mapping",
          dt.datetime: "date-time", dt.date: "date"}


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, what it does, and what values it takes."""

    name: str
    default: Any
    doc: str
    # The Python types a value may have; None is allowed only with nullable.
    types: tuple[type, ...] = ()
    nullable: bool = False
    items: type | None = None  # lists: each item's type; mappings: each value's type (keys are text)
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    # Set when the default depends on the machine (worker count): the docs show this instead.
    shown_default: str = ""

    def __post_init__(self) -> None:
        if not self.types:  # the default's type, unless it is None
            kind = type(self.default)
            object.__setattr__(self, "types", () if self.default is None else (kind,))

    def problem(self, value: Any) -> str | None:
        """What is wrong with a value for this setting, or None."""
        return None if self.accepts(value) else f"{self.kind()} expected, not {value!r}"

    def accepts(self, value: Any) -> bool:
        """Whether the setting can take this value."""
        if value is None:
            return self.nullable
        # bool is an int in Python, but True is no worker count and 1 is no switch
        if self.types and (not isinstance(value, self.types) or (isinstance(value, bool) and bool not in self.types)):
            return False
        if self.items is not None:
            if isinstance(value, dict) and not all(isinstance(key, str) for key in value):
                return False
            if not all(isinstance(item, self.items) for item in (value.values() if isinstance(value, dict) else value)):
                return False
        if self.choices and value not in self.choices:
            return False
        return self.minimum is None or not isinstance(value, (int, float)) or value >= self.minimum

    def kind(self) -> str:
        """The values it takes, in words (errors and docs)."""
        names = [_NAMES.get(t, t.__name__) for t in self.types] or ["any value"]
        text = " or ".join(names)
        if self.items is not None:
            text += f" of {_NAMES.get(self.items, self.items.__name__)}"
        if self.minimum is not None:
            text += f" ≥ {self.minimum}"
        if self.choices:
            text = "one of " + ", ".join(map(repr, self.choices))
        if self.nullable:
            text += " or None"
        return text


@dataclass(frozen=True)
class Table:
    """The settings of one plugin: every key starting with prefix belongs to it."""

    plugin: str
    prefix: str
    settings: list[Setting] = field(default_factory=list)
    # False: no page reads these settings; they steer what runs after the pages are written (the
    # inspection). fast_build leaves them out of page keys, so `make check` after `make html`
    # renders no page again (a template that reads one is still keyed on it: its read is recorded).
    pages: bool = True

    def defaults(self) -> dict[str, Any]:
        """Every setting with its default (a fresh copy, so no build changes another's lists)."""
        return {s.name: copy.deepcopy(s.default) for s in self.settings}


def apply(settings: dict[str, Any], tables: Iterable[Table]) -> list[str]:
    """Fill in defaults and check every value; one line per problem, `SETTING: what is wrong`."""
    tables = list(tables)
    declared = {s.name: s for table in tables for s in table.settings}
    lines = []
    for name in sorted(settings):
        if name in declared or not any(name.startswith(t.prefix) for t in tables):
            continue
        owner = max((t for t in tables if name.startswith(t.prefix)), key=lambda t: len(t.prefix))
        # Compared without the prefix they share, which would make every name look close.
        names = {s.name[len(owner.prefix):]: s.name for s in owner.settings if s.name.startswith(owner.prefix)}
        close = difflib.get_close_matches(name[len(owner.prefix):], names, n=1, cutoff=0.75)
        lines.append(f"{name}: not a setting of {owner.plugin}" + (
            f"; did you mean {names[close[0]]}?" if close else " (see docs/settings.md)"))
    for table in tables:
        for name, value in table.defaults().items():
            settings.setdefault(name, value)
    for setting in declared.values():
        why = setting.problem(settings[setting.name])
        if why:
            lines.append(f"{setting.name}: {why}")
    return lines


def markdown(tables: Iterable[Table], describe: Callable[[str], str]) -> str:
    """docs/settings.md: one section per plugin, a row per setting."""
    out = ["# Settings", "",
           "Generated from each plugin's settings table by `make docs`; do not edit by hand.",
           "Set them in `pelicanconf.py` (every build) or `publishconf.py` (`make publish`). A key with a",
           "plugin's prefix that is not listed here stops the build, with the closest name it knows.", ""]
    for table in sorted(tables, key=lambda t: t.plugin):
        out += [f"## {table.plugin} (`{table.prefix}*`)", "", describe(table.plugin), ""]
        if not table.pages:
            out += ["No page shows these settings: changing one renders no page again.", ""]
        out += ["| setting | default | values | what it does |", "|---|---|---|---|"]
        for s in table.settings:
            default = s.shown_default or repr(s.default)
            doc = s.doc.replace("|", "\\|")
            out.append(f"| `{s.name}` | `{default}` | {s.kind()} | {doc} |")
        out.append("")
    return "\n".join(out)
