"""Write docs/settings.md from the plugins' settings tables, or check it is current.

    python -m gazette.settings_docs > docs/settings.md      (make docs)
    python -m gazette.settings_docs --check docs/settings.md (make lint, tests/test_docs.py)
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from gazette.plugins import tables
from gazette.settings import markdown

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = os.path.join(ROOT, "plugins")


def render() -> str:
    """The settings reference for every plugin package under plugins/."""
    if PLUGINS not in sys.path:
        sys.path.insert(0, PLUGINS)
    names = sorted(name for name in os.listdir(PLUGINS)
                   if os.path.isfile(os.path.join(PLUGINS, name, "__init__.py")))
    modules = {name: importlib.import_module(name) for name in names}

    def describe(plugin: str) -> str:
        logic = importlib.import_module(f"{plugin}.{plugin}")
        return (logic.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")

    return markdown(tables(modules.values()), describe)


def print_or_check(text: str, source: str, description: str, argv: list[str] | None = None) -> int:
    """A generated reference's command line: print text, or with --check FILE fail if FILE differs from it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", metavar="FILE", help=f"fail if FILE differs from {source}")
    args = parser.parse_args(argv)
    if args.check:
        with open(args.check, encoding="utf-8") as fh:
            if fh.read() != text:
                sys.stderr.write(f"{args.check} is out of date with {source}; run `make docs`\n")
                return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(print_or_check(render(), "the settings tables", __doc__))
