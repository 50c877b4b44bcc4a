"""The first rows of a CSV file, for the table a dataset page shows before anyone downloads it.

Government CSV files come in UTF-8 (often with a BOM) or in GB18030/GBK from Excel; both are read.
The file is streamed: only the first rows are kept, the rest are counted, so a large file costs no memory.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

ENCODINGS = ("utf-8-sig", "gb18030")
_MOST_CELL = 200  # characters of a cell the preview shows


@dataclass(frozen=True)
class Preview:
    """What the page shows of one CSV file."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the first rows, each padded or cut to the header's width
    total: int  # data rows in the file (the header not counted)
    encoding: str  # "UTF-8" or "GB18030", as people call them
    problem: str = ""  # why the file cannot be shown well (ragged rows), for the build's warning


def csv_preview(path: str, most: int) -> Preview:
    """The header and first `most` rows of a CSV file; ValueError when it cannot be read as CSV text."""
    for encoding in ENCODINGS:
        try:
            with open(path, encoding=encoding, newline="") as fh:
                return _read(fh, most, encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("is neither UTF-8 nor GB18030 text; save it as CSV UTF-8")


def _read(fh: io.TextIOBase, most: int, encoding: str) -> Preview:
    try:
        reader = csv.reader(fh)
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise ValueError("has no rows")
        width = len(header)
        rows: list[tuple[str, ...]] = []
        total, ragged = 0, 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            total += 1
            if len(row) != width and not ragged:
                ragged = reader.line_num
            if len(rows) < most:
                cells = [cell.strip()[:_MOST_CELL] for cell in row[:width]]
                rows.append(tuple(cells + [""] * (width - len(cells))))
    except csv.Error as exc:
        raise ValueError(f"is not valid CSV: {exc}") from None
    problem = f"line {ragged} has a different number of fields than the header ({width})" if ragged else ""
    return Preview(tuple(cell.strip() for cell in header), tuple(rows), total,
                   "UTF-8" if encoding == "utf-8-sig" else "GB18030", problem)
