"""What each plugin needs from the others, declared beside its register() and checked at start-up.

A plugin package's __init__.py wraps its register():

    register = plugin(register, needs=["content_model"], after=["fast_build"])

- needs: plugins whose work it uses. They register before it whatever the order of PLUGINS,
  so on every signal their receivers run first (content_model checks and freezes the
  documents at all_generators_finalized before seo describes them). One missing from
  PLUGINS stops the build.
- after: plugins that, if listed, must run first on a signal both use (inspection reads the
  pages fast_build writes when the build is finalized). They are not registered early, which
  would switch on a plugin that PLUGINS leaves out, so listing it before them stops the build.

- settings: its settings table (gazette/settings.py). Defaults are filled in and values checked
  for every listed plugin before any plugin's own `initialized` receiver runs.

Either way the build stops at `initialized`, before anything is read, with one line per fix:
`pelicanconf.py: PLUGINS: seo needs content_model; add it to PLUGINS`,
`pelicanconf.py: FEEDS_MAX_ITEM: not a setting of feeds; did you mean FEEDS_MAX_ITEMS?`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pelican import signals

from gazette import output
from gazette.lines import line_logger
from gazette.settings import Table, apply

_report = line_logger("gazette.plugins")


class PluginOrderError(SystemExit):
    """PLUGINS lacks a plugin that another needs, or lists one before a plugin it must follow."""


class SettingsError(SystemExit):
    """A plugin's setting has a value it cannot take, or a prefixed key names no setting."""


@dataclass(frozen=True)
class Registration:
    """A plugin's register(), with the plugins it needs and the plugins it must follow."""

    register: Callable[[], None]
    needs: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    settings: Table | None = None

    def __call__(self) -> None:
        """Register the needed plugins, then this one; Pelican calls this for every plugin in PLUGINS."""
        # First, so that a missing plugin is reported before any receiver trips over its absence.
        signals.initialized.connect(check_plugins)
        # Then the build's one writer of the output folder, before any plugin's own receivers use it.
        signals.initialized.connect(output.start)
        for name in self.needs:
            try:
                needed = importlib.import_module(name)  # plugins/ is on sys.path (see gazette/__init__.py)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
                continue  # not there at all: check_plugins() says so
            # A receiver connected again keeps its first place, so Pelican's own call later changes nothing.
            needed.register()
        self.register()


def plugin(register: Callable[[], None], *, needs: Iterable[str] = (), after: Iterable[str] = (),
           settings: Table | None = None) -> Registration:
    """Declare what a plugin's register() needs and follows, and its settings (see the module docstring)."""
    return Registration(register, tuple(needs), tuple(after), settings)


def tables(modules: Iterable[Any]) -> list[Table]:
    """The settings tables of these plugin modules."""
    found = [getattr(getattr(module, "register", None), "settings", None) for module in modules]
    return [table for table in found if isinstance(table, Table)]


def plugin_problems(plugins: list[tuple[str, Any]]) -> list[str]:
    """One line per fix for PLUGINS, given its (name, module) pairs in order."""
    names = [name for name, _ in plugins]
    declared = [(name, module.register) for name, module in plugins
                if isinstance(getattr(module, "register", None), Registration)]
    missing: dict[str, list[str]] = {}
    for name, registration in declared:
        for needed in registration.needs:
            if needed not in names:
                missing.setdefault(needed, []).append(name)
    lines = [f"{', '.join(users)} need{'s' if len(users) == 1 else ''} {needed}; add it to PLUGINS"
             for needed, users in missing.items()]
    for name, registration in declared:
        for earlier in registration.after:
            if earlier in names and names.index(earlier) > names.index(name):
                lines.append(f"{name} must come after {earlier}; list it after {earlier}")
    return lines


def check_plugins(pelican: Any) -> None:
    """Stop the build if PLUGINS lacks a needed plugin or lists one too early, or a setting is wrong."""
    lines = plugin_problems([(module.__name__, module) for module in pelican.plugins])
    for line in lines:
        _report.error("pelicanconf.py: PLUGINS: %s", line)
    if lines:
        raise PluginOrderError(1)
    lines = apply(pelican.settings, tables(pelican.plugins))
    for line in lines:
        _report.error("pelicanconf.py: %s", line)
    if lines:
        raise SettingsError(1)
