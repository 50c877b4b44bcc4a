"""Column pages (栏目) with pagination, and the lists the home page shows.

Columns come from `_data/site.yaml`; each lists the published documents of its type,
newest first. Plugins attach data here; templates render it (STYLE.md 2).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pelican import signals
from pelican.generators import Generator

import gazette.build
from gazette.settings import Setting, Table

logger = logging.getLogger(__name__)

SETTINGS = Table("listings", "LISTINGS_", [
    Setting("LISTINGS_HOME_ITEMS", 6, "Items per column block on the home page.", minimum=1),
    Setting("LISTINGS_HOME_COLUMNS", ["gzdt", "tzgg", "zcwj", "zcjd"],
            "Columns (ids from site.yaml) shown as blocks on the home page, in this order.", items=str),
])


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
    name_en: str = ""  # the name on English pages; empty: they show `name`
    items: list[Any] = field(default_factory=list)  # the site's own pages (its documents and copies)
    # What the column page and home block list: items and, in a site cluster, other sites' documents
    # shown by reference (linking to their own pages there), newest first.
    listed: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.id}/"

    @property
    def save_as(self) -> str:
        return f"{self.id}/index.html"

    @property
    def latest(self) -> Any:
        return self.items[0] if self.items else None


@dataclass
class FacetValue:
    """One value of a catalogue facet (a topic, an issuer, a year…) and its policies."""

    facet: str
    key: str
    label: str
    items: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{CATALOGUE}/{self.facet}/{self.key}/"

    @property
    def save_as(self) -> str:
        return self.url + "index.html"


@dataclass
class Facet:
    id: str
    label: str
    values: list[FacetValue]


@dataclass
class Pager:
    """One page of a paginated list: the front page (newest items) or an archive page.

    Archive pages are numbered from the oldest item, so that page 1 holds the first
    DEFAULT_PAGINATION items ever published and keeps them: a new document changes the front
    page and the newest archive page, not every page of the column (and its pages stay
    where links and search engines found them). The front page shows the newest items;
    the newest archive page holds what is left between it and the last full page.
    """

    base: str  # the list's URL, e.g. "gzdt/"
    items: list[Any]  # newest first
    number: int | None  # None for the front page
    pages: int  # archive pages there are
    total: int  # items in the whole list

    @property
    def url(self) -> str:
        return self.base if self.number is None else f"{self.base}page/{self.number}/"

    @property
    def save_as(self) -> str:
        return self.url + "index.html"

    @property
    def newer_url(self) -> str | None:
        if self.number is None:
            return None
        return self.base if self.number == self.pages else f"{self.base}page/{self.number + 1}/"

    @property
    def older_url(self) -> str | None:
        if self.number is None:
            return f"{self.base}page/{self.pages}/" if self.pages else None
        return f"{self.base}page/{self.number - 1}/" if self.number > 1 else None

    @property
    def newest(self) -> Any:
        return self.items[0]

    @property
    def oldest(self) -> Any:
        return self.items[-1]


def paginate(items: list[Any], per_page: int | None, base: str) -> list[Pager]:
    """The front page and the archive pages (numbered from the oldest) of a newest-first list."""
    if not per_page or len(items) <= per_page:
        return [Pager(base, items, None, 0, len(items))]
    rest = len(items) - per_page  # what the front page does not show, oldest last
    pages = -(-rest // per_page)
    oldest_first = items[per_page:][::-1]
    archive = [Pager(base, oldest_first[(n - 1) * per_page:n * per_page][::-1], n, pages, len(items))
               for n in range(1, pages + 1)]
    return [Pager(base, items[:per_page], None, pages, len(items)), *archive]


CATALOGUE = "zfxxgk"
VALIDITY_ORDER = ("effective", "amended", "repealed", "expired")


def _ascii_key(text: str) -> str:
    """A short, stable ASCII URL key for a Chinese name (URLs never come from pinyin)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def build_catalogue(policies: list[Any]) -> list[Facet]:
    """Group policies by subject, issuer, year and validity (政府信息公开目录)."""
    specs = [
        ("topic", "按主题分类", lambda d: getattr(d, "topic", None) or "其他", _ascii_key),
        ("issuer", "按发文机关", lambda d: d.issuer, _ascii_key),
        ("year", "按成文年份", lambda d: str(d.written_date.year), str),
        ("validity", "按有效性", lambda d: d.validity, str),
    ]
    facets = []
    for facet_id, label, value_of, key_of in specs:
        groups: dict[str, FacetValue] = {}
        for doc in policies:
            value = value_of(doc)
            shown = doc.validity_label if facet_id == "validity" else value
            groups.setdefault(value, FacetValue(facet_id, key_of(value), shown)).items.append(doc)
        if facet_id == "year":
            ordered = sorted(groups.values(), key=lambda v: v.key, reverse=True)
        elif facet_id == "validity":
            ordered = sorted(groups.values(), key=lambda v: VALIDITY_ORDER.index(v.key))
        else:
            ordered = sorted(groups.values(), key=lambda v: (-len(v.items), v.label))
        facets.append(Facet(facet_id, label, ordered))
    return facets


class ColumnsGenerator(Generator):
    """Build Column objects after reading, and write one paginated page per column."""

    def generate_context(self) -> None:
        site = gazette.build.current().site
        docs = self.context.get("articles", [])
        columns = {
            cid: Column(cid, c["name"], c["type"], c.get("description") or "", c["nav"],
                        c.get("parent"), c.get("interval"), c.get("name_en") or "")
            for cid, c in site["columns"].items()
        }
        for doc in docs:
            if doc.column in columns:
                columns[doc.column].items.append(doc)
        references: dict[str, list[Any]] = {}
        for doc in gazette.build.current().referenced:
            references.setdefault(doc.column, []).append(doc)
        for column in columns.values():
            column.items = newest_first(column.items)
            column.listed = newest_first(column.items + references[column.id]) if column.id in references \
                else column.items
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
        self.context["current_topics"] = [
            d for c in columns_of_type(self.columns, "topic") for d in c.items if not getattr(d, "archived", False)
        ]
        # 领导信息, in the order the office gives (org pages and the 机构职能 column show them).
        self.context["leaders"] = sorted((d for c in columns_of_type(self.columns, "leader") for d in c.items),
                                         key=lambda d: (d.order, d.date))
        # Newest policies first; the home page pairs those that have interpretations.
        self.context["policies"] = newest_first([d for c in policies for d in c.items])
        self.catalogue = build_catalogue(self.context["policies"])
        self.context["catalogue"] = self.catalogue
        self.context["CATALOGUE_URL"] = f"{CATALOGUE}/"
        dated = [d for d in docs if d.in_default_lang]
        self.context["site_updated"] = max(
            (getattr(d, "modified", None) or d.date for d in dated), default=None
        )

    def generate_output(self, writer: Any) -> None:
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        template = self.get_template("column")
        per_page = self.settings["DEFAULT_PAGINATION"]
        for column in self.columns:
            # The 办事服务 column groups every guide by life event and theme on one page.
            for pager in paginate(column.listed, None if column.type == "service" else per_page, column.url):
                write(pager.save_as, template, self.context, template_name="column", url=pager.url,
                      column=column, pager=pager, page_name=column.id)
        write(f"{CATALOGUE}/index.html", self.get_template("catalogue"), self.context,
              url=f"{CATALOGUE}/", page_name=CATALOGUE)
        facet_template = self.get_template("facet")
        for facet in self.catalogue:
            for value in facet.values:
                for pager in paginate(value.items, per_page, value.url):
                    write(pager.save_as, facet_template, self.context, template_name="facet", url=pager.url,
                          facet=facet, value=value, pager=pager, page_name=CATALOGUE)


def columns_of_type(columns: list[Column], type_name: str) -> list[Column]:
    return [c for c in columns if c.type == type_name]


def get_generators(pelican: Any) -> type[Generator]:
    return ColumnsGenerator


def register() -> None:
    # get_generators adds the column writer to Pelican's own generators.
    signals.get_generators.connect(get_generators)
