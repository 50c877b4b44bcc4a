"""Column pages (栏目) with pagination, and the lists the home page shows.

Columns come from `_data/site.yaml`; each lists the published documents of its type,
newest first. Plugins attach data here; templates render it (STYLE.md 2).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pelican import signals
from pelican.generators import Generator

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "LISTINGS_HOME_ITEMS": 6,  # items per column block on the home page
    "LISTINGS_HOME_COLUMNS": ["gzdt", "tzgg", "zcwj", "zcjd"],
}


def newest_first(docs: list[Any]) -> list[Any]:
    """Sort documents newest first, ties broken by path so output is stable."""
    return sorted(docs, key=lambda d: (d.date, d.source_path), reverse=True)


@dataclass
class Column:
    """One column of the site with the documents it lists."""

    id: str
    name: str
    type: str
    description: str
    nav: bool
    parent: str | None
    interval: int | None
    items: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.id}/"

    @property
    def save_as(self) -> str:
        return f"{self.id}/index.html"

    @property
    def latest(self) -> Any:
        return self.items[0] if self.items else None


class ColumnsGenerator(Generator):
    """Build Column objects after reading, and write one paginated page per column."""

    def generate_context(self) -> None:
        for key, value in DEFAULTS.items():
            self.settings.setdefault(key, value)
        site = self.settings["GAZETTE_SITE_DATA"]
        docs = self.context.get("articles", [])
        columns = {
            cid: Column(cid, c["name"], c["type"], c.get("description") or "", c["nav"],
                        c.get("parent"), c.get("interval"))
            for cid, c in site["columns"].items()
        }
        for doc in docs:
            if doc.column in columns:
                columns[doc.column].items.append(doc)
        for column in columns.values():
            column.items = newest_first(column.items)
        self.columns = list(columns.values())
        per_home = self.settings["LISTINGS_HOME_ITEMS"]
        policies = columns_of_type(self.columns, "policy")
        self.context["columns"] = self.columns
        self.context["columns_by_id"] = columns
        self.context["nav_columns"] = [c for c in self.columns if c.nav and not c.parent]
        self.context["home_columns"] = [
            columns[cid] for cid in self.settings["LISTINGS_HOME_COLUMNS"] if cid in columns
        ]
        self.context["HOME_ITEMS"] = per_home
        self.context["open_consultations"] = [
            d for c in columns_of_type(self.columns, "consultation") for d in c.items
            if getattr(d, "state", None) == "open"
        ]
        # Newest policies first; the home page pairs those that have interpretations.
        self.context["policies"] = newest_first([d for c in policies for d in c.items])
        dated = [d for d in docs if d.in_default_lang]
        self.context["site_updated"] = max(
            (getattr(d, "modified", None) or d.date for d in dated), default=None
        )

    def generate_output(self, writer: Any) -> None:
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        template = self.get_template("column")
        for column in self.columns:
            write(column.save_as, template, self.context, paginated={"articles": column.items},
                  template_name="column", url=column.url, column=column,
                  articles=column.items, page_name=column.id)


def columns_of_type(columns: list[Column], type_name: str) -> list[Column]:
    return [c for c in columns if c.type == type_name]


def get_generators(pelican: Any) -> type[Generator]:
    return ColumnsGenerator


def register() -> None:
    # get_generators adds the column writer to Pelican's own generators.
    signals.get_generators.connect(get_generators)
