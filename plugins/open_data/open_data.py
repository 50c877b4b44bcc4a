"""Open data: a preview of each dataset's CSV files on its page, the data catalogue with filters, and the
catalogue for machines (DCAT JSON-LD and `data.json`).

- `<dataset column>/ml/`: every dataset in a table (name, provider, subject area, formats, update
  frequency, last update) that the page's filters narrow down (without script, all rows show).
- `<dataset column>/catalog.jsonld` (W3C DCAT) and `/data.json` (DCAT-US 1.1, where harvesters look).
- Each dataset page shows the first `OPEN_DATA_PREVIEW_ROWS` rows of each CSV file as an accessible
  table, UTF-8 or GB18030 alike; a CSV that cannot be read or has ragged rows is a build warning.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from content_model.problems import problems
from pelican import signals
from pelican.generators import Generator

import gazette.build
import gazette.output
from gazette.cache import Cache
from gazette.files import files_digest, settled, stamp
from gazette.settings import Setting, Table

from .catalogue import data_json, dcat_jsonld, modified
from .preview import Preview, csv_preview

_HERE = os.path.dirname(os.path.abspath(__file__))

SETTINGS = Table("open_data", "OPEN_DATA_", [
    Setting("OPEN_DATA_PREVIEW_ROWS", 10, "Rows of each CSV file a dataset page shows as a table.", minimum=1),
])
CATALOGUE = "ml/"  # under the first dataset column: the data catalogue page
DCAT_FILE = "catalog.jsonld"  # beside it: the catalogue in W3C DCAT
DATA_JSON = "data.json"  # at the site's root: DCAT-US, where harvesters look for it


def _is_csv(ref: Any) -> bool:
    return ref.format.upper() == "CSV" or ref.file.lower().endswith(".csv")


def attach(generators: list[Any]) -> None:
    """Each dataset's CSV previews, and the catalogue's place, once documents and their files are final."""
    context, settings = generators[0].context, generators[0].settings
    datasets = [d for d in context.get("documents", []) if d.type == "dataset"]
    # A large CSV is read once: its preview is kept by the file's size and mtime (and the rows asked for).
    cache = Cache.open(settings, "open_data", {"code": files_digest(_HERE)})
    kept = []
    for doc in datasets:
        doc.formats = list(dict.fromkeys(f.format.upper() for f in doc.files))  # CSV, JSON: the catalogue's column
        previews = []
        for ref in doc.files:
            if not _is_csv(ref):
                continue
            st = stamp(ref.source_path)
            trusted = bool(st) and settled(st[1])  # a file written this instant may change within its mtime tick
            key = hashlib.sha256(repr((ref.source_path, st, settings["OPEN_DATA_PREVIEW_ROWS"])).encode()).hexdigest()
            preview = cache.get_pickle(key) if trusted else None
            try:
                if not isinstance(preview, Preview):
                    preview = csv_preview(ref.source_path, settings["OPEN_DATA_PREVIEW_ROWS"])
                    if trusted:
                        cache.put_pickle(key, preview)
            except (OSError, ValueError) as exc:
                problems.warning(doc.source_path, "files", f"'{ref.file}' {exc}: its page shows no preview")
                continue
            kept.append(key)
            if preview.problem:
                problems.warning(doc.source_path, "files", f"'{ref.file}': {preview.problem}")
            previews.append((ref, preview))
        doc.previews = previews
    cache.retain(kept)
    problems.report_as_the_build_does()
    column = next((c for c in context.get("columns", []) if c.type == "dataset"), None)
    context["OPEN_DATA_URL"] = f"{column.url}{CATALOGUE}" if column and datasets else ""
    context["datasets"] = sorted(datasets, key=lambda d: (modified(d), d.url), reverse=True)
    context["dataset_column"] = column


class CatalogueGenerator(Generator):
    """Write the data catalogue page and the two machine-readable catalogues."""

    def generate_context(self) -> None:
        pass  # the catalogue needs final documents: attach() at all_generators_finalized

    def generate_output(self, writer: Any) -> None:
        url = self.context.get("OPEN_DATA_URL")
        if not url:
            return
        datasets = self.context["datasets"]
        column = self.context["dataset_column"]
        writer.write_file(f"{url}index.html", self.get_template("data_catalogue"), self.context,
                          relative_urls=self.settings["RELATIVE_URLS"], template_name="data_catalogue", url=url,
                          page_name=column.id, column=column, filters=filters(datasets),
                          data_json=DATA_JSON, dcat_file=f"{column.url}{DCAT_FILE}")
        site = gazette.build.current().site["site"]
        output = gazette.output.current()
        for path, data in ((DATA_JSON, data_json(datasets, self.settings, site)),
                           (f"{column.url}{DCAT_FILE}", dcat_jsonld(datasets, self.settings, site, url))):
            output.write(path, (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())


def filters(datasets: list[Any]) -> list[tuple[str, str, list[str]]]:
    """The catalogue's filters as (row attribute, label, values in order of use, most used first)."""
    found: list[tuple[str, str, list[str]]] = []
    for key, label, values_of in (
            ("topic", "数据领域", lambda d: [d.topic] if getattr(d, "topic", None) else []),
            ("publisher", "数据提供方", lambda d: [d.publisher] if getattr(d, "publisher", None) else []),
            ("format", "文件格式", lambda d: d.formats),
            ("frequency", "更新频率", lambda d: [d.update_frequency_label] if getattr(d, "update_frequency", None)
             else [])):
        counts: dict[str, int] = {}
        for doc in datasets:
            for value in values_of(doc):
                counts[value] = counts.get(value, 0) + 1
        if counts:
            found.append((key, label, sorted(counts, key=lambda v: (-counts[v], v))))
    return found


def get_generators(pelican: Any) -> type[Generator]:
    return CatalogueGenerator


def register() -> None:
    # all_generators_finalized, after content_model's check: datasets and their placed files are final.
    signals.all_generators_finalized.connect(attach)
    # get_generators: the catalogue is written with the other pages.
    signals.get_generators.connect(get_generators)
