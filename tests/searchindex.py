"""Read a built search index back, as a test oracle written from the format in index.py's docstring.

`texts()` rebuilds each document's indexed text from the positions of its character
triples, so a test can ask "is this phrase anywhere in the index?" (a draft's canary must
not be) or compare the index with what the page shows, without the browser's code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


@dataclass
class Index:
    folder: Path
    info: dict
    results: list[list[str]]  # per document number: url (from the site's root), title, type, date, description
    grams: dict[tuple[int, int, int], bytes]  # every gram's posting

    def positions(self, gram: tuple[int, int, int]) -> dict[int, list[int]]:
        """Document -> positions of a triple or long identifier."""
        data, i, doc, out = self.grams.get(gram, b""), 0, 0, {}
        while i < len(data):
            delta, i = _varint(data, i)
            count, i = _varint(data, i)
            doc += delta
            at, p = [], 0
            for _ in range(count):
                step, i = _varint(data, i)
                p += step
                at.append(p)
            out[doc] = at
        return out

    def documents(self, gram: tuple[int, int, int]) -> dict[int, int]:
        """Document -> field bits (2 title, 1 number) of a single character or pair."""
        data, i, doc, out = self.grams.get(gram, b""), 0, 0, {}
        while i < len(data):
            value, i = _varint(data, i)
            doc += value >> 2
            out[doc] = value & 3
        return out


def read(output: Path, language: str = "zh-cn", bundle: str = "search-index") -> Index:
    folder = output / bundle / language
    info = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    results: list[list[str]] = []
    for n in range(-(-info["docs"] // info["chunk"])):
        results += json.loads((folder / "m" / f"{n}.json").read_text(encoding="utf-8"))
    grams: dict[tuple[int, int, int], bytes] = {}
    for n in range(info["shards"]):
        data = (folder / "d" / f"{n}.bin").read_bytes()
        assert data[:8].hex() == info["version"], f"d/{n}.bin is of another version"
        i = 8
        while i < len(data):
            c0, i = _varint(data, i)
            c1, i = _varint(data, i)
            c2, i = _varint(data, i)
            _count, i = _varint(data, i)
            length, i = _varint(data, i)
            if length <= info["inline"]:
                grams[(c0, c1, c2)] = data[i:i + length]
                i += length
            else:
                name = "-".join(_base36(c) for c in (c0, c1, c2))
                grams[(c0, c1, c2)] = (folder / "p" / f"{name}.bin").read_bytes()
    return Index(folder, info, results, grams)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def texts(index: Index) -> dict[str, str]:
    """URL -> the document's indexed text rebuilt from its triples ("\\0" where nothing is known).

    Runs of one or two characters between breaks have no triple and come back as "\\0".
    """
    chars: dict[int, dict[int, str]] = {}
    for gram in index.grams:
        if gram[0] in (0, 0x1FFFFF):  # single characters, pairs and long identifiers carry no text
            continue
        for doc, at in index.positions(gram).items():
            place = chars.setdefault(doc, {})
            for p in at:
                for k, c in enumerate(gram):
                    place[p + k] = chr(c)
    out = {}
    for doc, place in chars.items():
        size = max(place) + 1
        out["/" + index.results[doc][0]] = "".join(place.get(i, "\0") for i in range(size))
    return out
