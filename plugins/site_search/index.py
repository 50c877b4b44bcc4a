"""A static phrase index for unsegmented Chinese: what search.js reads, built with numpy.

Why not Pagefind: measured on a 10,000-document site on a throttled phone (README, Search),
Pagefind answered in 4.5-18 s with 0.4-3 MB per query and could not match phrases or
document numbers in Chinese. This index answers a phrase exactly in three small round trips.

**Documents.** Each language has its own index; documents are numbered oldest first (so
a larger number is a newer document, ties in ranking go to the larger, and a new document
is added at the end). They are indexed in segments of SEGMENT consecutive numbers whose
postings depend on their own documents only: a caller keeps them, an edit or a new
document re-indexes one segment, and merge() joins the segments' postings. A
document's text is three zones of one position space: its title from position 0, its
document numbers (发文字号, 索引号) from 128 and the page text from 256. A match's
position says whether it was in the title or a number, which ranks it first.

**Grams.** Text is normalised (text.py) and cut into single characters, pairs and
triples of adjacent characters, never across a break. A gram is three code points
(c0, c1, c2), with 0 for the missing leading ones of a single or a pair.
- A single character or a pair is looked up as it is; its postings say which documents
  have it, and whether in the title or a number: one LEB128 varint per document,
  (document - previous document) * 4 + 2 if in the title + 1 if in a number.
- A longer query term is covered by triples (at offsets 0, 3, 6, … and len-3). Their
  postings carry positions: per document, varint (document - previous document), varint
  count, then the positions (first absolute, then differences). The term is at p when
  each covering triple is at p + its offset: every character is checked, so this is a
  phrase match, not "all pairs somewhere".

**Long identifiers.** A run of 12 or more letters and digits (a 索引号 such as
11129900MB0000001X/2020-00006 once its joiners are removed, a 统一社会信用代码) is also
indexed whole, with positions, under the gram (WORD, fnv(run) & 0x1FFFFF, fnv(reversed run) &
0x1FFFFF). Its triples would be in every document of the same office (the organisation code
is most of it), thousands of positions each; the whole run is in one or two. search.js looks
such a query term up whole and falls back to its triples where no page has it whole.

**Files** (in <bundle>/<language>/):
- `index.json`: the number of documents, of dictionary shards, the inline limit, the
  metadata chunk size, a version that every other URL carries (?v=) for caching, and the
  heaviest triples with their posting sizes ("heavy"): search.js covers a term with the
  triples that cost least to fetch (a year such as 202 sits in every document many times).
- `d/<n>.bin`: dictionary shard n (a gram's shard is `shard_hash` of its code points,
  modulo the shard count): the version's 8 bytes, then entries of varints c0, c1, c2, document count, posting length,
  then the posting itself when it is at most INLINE bytes. Sized to hold about
  SHARD_BYTES each, so a query reads a few small files.
- `p/<c0>-<c1>-<c2>.bin` (code points in base 36): a posting longer than INLINE.
- `m/<n>.json`: what results show for documents n*CHUNK … n*CHUNK+CHUNK-1:
  [url, title, type, date, description].

Memory: a segment's grams are sorted at once (in passes over slices of the key space when
its text passes PASS_CHARACTERS), and merging copies bytes a few MB at a time, so the peak
stays near 0.5 GB at 10,000 documents (3.6 s on one core to index them all).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from gazette.safe_json import safe_json

TITLE, NUMBERS, TEXT = 0, 128, 256  # where each zone of a document starts
INLINE = 160  # longest posting kept in its dictionary entry
SHARD_BYTES = 6000  # about this much per dictionary shard
HEAVY = 12_000  # triples with longer postings are listed in index.json, so that search.js avoids them
HEAVY_MOST = 400
SEGMENT = 256  # documents per segment: an edit or a new document re-indexes its segment only
CHUNK = 8  # documents per metadata file: a page of results from a sparse match reads one per result
PASS_CHARACTERS = 6_000_000  # characters indexed at once; more go in passes over the key space
_BITS = np.uint64(21)
WORD = 0x1FFFFF  # c0 of a long identifier's gram: above every code point
WORD_MIN = 12
_WORD_RUN = re.compile(rf"[0-9a-z]{{{WORD_MIN},}}")


@dataclass
class Doc:
    """One document as the index holds it: normalised zones and what a result shows."""

    title: str
    numbers: str
    text: str
    result: list[str]  # url, title, type, date, description


def shard_hash(c0: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """A 32-bit mix of a gram's code points; search.js computes the same with Math.imul."""
    with np.errstate(over="ignore"):
        h = (c0.astype(np.uint32) * np.uint32(0x9E3779B1)) ^ (c1.astype(np.uint32) * np.uint32(0x85EBCA77)) \
            ^ (c2.astype(np.uint32) * np.uint32(0xC2B2AE3D))
        h ^= h >> np.uint32(15)
        h *= np.uint32(0x2C1B3C6D)
        h ^= h >> np.uint32(12)
    return h


def varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LEB128 bytes of non-negative values, and where each value's bytes start."""
    if not len(values):
        return np.zeros(0, np.uint8), np.zeros(0, np.int64)
    top = int(values.max())
    v = values.astype(np.uint32 if top < 1 << 32 else np.uint64, copy=False)
    widest = max(1, (top.bit_length() + 6) // 7)
    n = np.ones(len(v), np.uint8)
    for k in range(1, widest):
        n += v >= (1 << (7 * k))
    at = np.cumsum(n, dtype=np.int64)
    out = np.empty(int(at[-1]), np.uint8)
    at -= n
    out[at] = (v & 0x7F).astype(np.uint8) | np.where(n > 1, 0x80, 0).astype(np.uint8)
    for k in range(1, widest):
        m = np.flatnonzero(n > k)
        byte = ((v[m] >> (7 * k)) & 0x7F).astype(np.uint8)
        out[at[m] + k] = byte | np.where(n[m] > k + 1, 0x80, 0).astype(np.uint8)
    return out, at


def fnv(text: str) -> int:
    """32-bit FNV-1a over the characters' code points (search.js: fnv)."""
    h = 0x811C9DC5
    for ch in text:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def word_key(run: str) -> int:
    """The gram key of a long identifier (see WORD)."""
    return (WORD << 42) | ((fnv(run) & WORD) << 21) | (fnv(run[::-1]) & WORD)


def _words(zones: Sequence[str], first: int) -> tuple[np.ndarray, ...]:
    """Long identifiers of the documents numbered from first: keys, documents, positions."""
    found = [(word_key(m.group(0)), first + n, m.start()) for n, text in enumerate(zones)
             for m in _WORD_RUN.finditer(text)]
    if not found:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros(0, np.uint32)
    key, doc, pos = zip(*found, strict=True)
    return np.array(key, np.uint64), np.array(doc, np.uint32), np.array(pos, np.uint32)


def _zones(doc: Doc) -> str:
    """A document's position space: each zone padded with breaks to where the next starts."""
    return (doc.title[:NUMBERS - 1].ljust(NUMBERS, "\0") + doc.numbers[:TEXT - NUMBERS - 1].ljust(TEXT - NUMBERS, "\0")
            + doc.text + "\0")


@dataclass
class Postings:
    """Encoded postings of some grams: sorted keys, document counts, and byte ranges into one blob.

    Postings of a segment also say, per gram, its first document (and for singles and pairs
    that entry's field bits), its last document, and where its bytes go on after the first
    value: merge() joins segments by re-encoding only that first value.
    """

    keys: np.ndarray
    counts: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    blob: np.ndarray
    first: np.ndarray | None = None
    fields: np.ndarray | None = None
    last: np.ndarray | None = None
    tails: np.ndarray | None = None


def _postings(key: np.ndarray, doc: np.ndarray, pos: np.ndarray, positional: bool) -> Postings:
    """Group rows (gram, document, position), already sorted, into each gram's encoded posting."""
    rows = len(key)
    if not rows:
        empty = np.zeros(0, np.int64)
        return Postings(key, empty, empty, empty, np.zeros(0, np.uint8), empty, empty, empty, empty)
    new_key = np.ones(rows, bool)
    new_key[1:] = key[1:] != key[:-1]
    new_group = new_key.copy()
    new_group[1:] |= doc[1:] != doc[:-1]
    group_start = np.flatnonzero(new_group)
    group_doc = doc[group_start]
    group_first_of_key = new_key[group_start]
    delta = group_doc.copy()  # uint32 throughout: documents, counts and positions fit
    delta[1:] -= group_doc[:-1]
    delta[group_first_of_key] = group_doc[group_first_of_key]
    del group_doc
    if positional:
        count = np.diff(np.append(group_start, rows)).astype(np.uint32)
        values = np.zeros(rows + 2 * len(group_start), np.uint32)
        head = group_start + 2 * np.arange(len(group_start))
        values[head] = delta
        values[head + 1] = count
        del delta, count
        step = pos.copy()
        step[1:] -= np.where(new_group[1:], 0, pos[:-1]).astype(np.uint32)
        slot = np.cumsum(new_group, dtype=np.int64)  # a row's group, plus one
        slot *= 2
        slot += np.arange(rows)
        values[slot] = step
        del step, slot
        key_value_start = head[group_first_of_key]
    else:
        field = np.where(pos < NUMBERS, 2, np.where(pos < TEXT, 1, 0)).astype(np.uint32)
        values = delta * 4 + np.bitwise_or.reduceat(field, group_start)
        key_value_start = np.flatnonzero(group_first_of_key)
    blob, at = varints(values)
    first = values[key_value_start]
    del values
    starts = at[key_value_start]
    lengths = np.diff(np.append(starts, len(blob)))
    tails = np.append(at, len(blob))[key_value_start + 1]
    first_groups = np.flatnonzero(group_first_of_key)
    group_counts = np.diff(np.append(first_groups, len(group_start)))
    last = doc[group_start[np.append(first_groups[1:], len(group_start)) - 1]]
    fields = np.zeros(len(first), np.uint32) if positional else first & 3
    first = first if positional else first >> 2
    return Postings(key[new_key], group_counts, starts, lengths, blob, first, fields, last, tails)


def _grams(cp: np.ndarray, doc_of: np.ndarray, pos_of: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
    """Every gram of `size` characters not crossing a break: keys, documents, positions (document order)."""
    ok = cp[: len(cp) - size + 1] != 0
    for k in range(1, size):
        ok &= cp[k: len(cp) - size + 1 + k] != 0
    at = np.flatnonzero(ok)
    key = np.zeros(len(at), np.uint64)
    for k in range(size):
        key = (key << _BITS) | cp[at + k].astype(np.uint64)
    return key, doc_of[at], pos_of[at]


def _split_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mask = np.uint64((1 << 21) - 1)
    return (keys >> (_BITS * np.uint64(2))) & mask, (keys >> _BITS) & mask, keys & mask


def build(docs: Sequence[Doc]) -> list[Postings]:
    """Postings of every gram of the documents: singles and pairs by document, triples with positions."""
    zones = [_zones(d) for d in docs]
    lengths = np.array([len(z) for z in zones], np.int64)
    total = int(lengths.sum())
    passes = max(1, math.ceil(total / PASS_CHARACTERS))
    batches = list(_batches(lengths, PASS_CHARACTERS))  # bounded memory per batch of documents
    kept = _characters(zones, batches[0], 0) if len(batches) == 1 else None  # one batch: made once
    found = []
    for size in (1, 2, 3):
        for part in range(passes):
            keys, ds, ps = [], [], []
            first = 0
            for batch in batches:
                cp, doc_of, pos_of = kept or _characters(zones, batch, first)
                key, d, p = _grams(cp, doc_of, pos_of, size)
                if size == 3:  # long identifiers go with the triples: positions too
                    words = _words(zones[first: first + len(batch)], first)
                    key, d, p = (np.concatenate([a, b]) for a, b in zip((key, d, p), words, strict=True))
                if passes > 1:  # a slice of the key space: a multiplicative hash's top bits
                    with np.errstate(over="ignore"):
                        keep = ((key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)) % np.uint64(passes) == part
                    key, d, p = key[keep], d[keep], p[keep]
                keys.append(key), ds.append(d), ps.append(p)
                first += len(batch)
            key, d, p = (np.concatenate(a) if len(a) > 1 else a[0] for a in (keys, ds, ps))
            order = np.argsort(key, kind="stable")  # rows are in (document, position) order already
            key, d, p = key[order], d[order], p[order]
            del order, keys, ds, ps
            found.append(_postings(key, d, p, positional=size == 3))
            del key, d, p
    return found


def _characters(zones: Sequence[str], batch: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code point, document and position of every character of a batch of documents numbered from first."""
    cp = np.frombuffer("".join(zones[first: first + len(batch)]).encode("utf-32-le"), dtype=np.uint32)
    doc_of = np.repeat(np.arange(first, first + len(batch), dtype=np.uint32), batch)
    starts = np.concatenate([[0], np.cumsum(batch)[:-1]]).astype(np.uint32)
    pos_of = np.arange(len(cp), dtype=np.uint32) - np.repeat(starts, batch)
    return cp, doc_of, pos_of


def _batches(lengths: np.ndarray, limit: int) -> Iterator[np.ndarray]:
    start = 0
    while start < len(lengths):
        end = start + 1
        total = lengths[start]
        while end < len(lengths) and total + lengths[end] <= limit:
            total += lengths[end]
            end += 1
        yield lengths[start:end]
        start = end


def merge(segments: Sequence[tuple[int, Sequence[Postings]]]) -> Postings:
    """One posting per gram from the postings of segments, each (its first document's number, its postings).

    Segments hold consecutive documents and come in order. A gram's pieces are joined in segment
    order; only each piece's first value changes (a document number relative to the previous piece's
    last, not to the segment's start), so nothing else is decoded.
    """
    parts = [(base, p) for base, found in segments for p in found if len(p.keys)]
    if not parts:
        empty = np.zeros(0, np.int64)
        return Postings(np.zeros(0, np.uint64), empty, empty, empty, np.zeros(0, np.uint8))
    sizes = [len(p.keys) for _, p in parts]
    keys = np.concatenate([p.keys for _, p in parts])
    piece = np.repeat(np.arange(len(parts)), sizes)  # parts come in segment order
    order = np.lexsort((piece, keys))
    keys = keys[order]

    def joined(name: str, add: Sequence[int] | None = None) -> np.ndarray:
        values = [getattr(p, name).astype(np.int64) + (add[i] if add is not None else 0)
                  for i, (_, p) in enumerate(parts)]
        return np.concatenate(values)[order]

    bases = [base for base, _ in parts]
    offsets = np.cumsum([0] + [len(p.blob) for _, p in parts[:-1]]).tolist()
    first, last = joined("first", bases), joined("last", bases)
    tails = joined("tails", offsets)
    tail_lengths = joined("starts", offsets) + joined("lengths") - tails
    blob = np.concatenate([p.blob for _, p in parts])
    new_key = np.ones(len(keys), bool)
    new_key[1:] = keys[1:] != keys[:-1]
    delta = first.copy()
    delta[1:] -= np.where(new_key[1:], 0, last[:-1])
    positional = keys >= np.uint64(1 << 42)  # triples and long identifiers
    head, head_at = varints(np.where(positional, delta, delta * 4 + joined("fields")))
    head_lengths = np.diff(np.append(head_at, len(head)))
    piece_lengths = head_lengths + tail_lengths
    piece_at = np.cumsum(piece_lengths) - piece_lengths
    # each piece: its new head, then its tail from the segment's blob
    out = _gather(np.concatenate([head, blob]), np.stack([head_at, tails + len(head)], axis=1).reshape(-1),
                  np.stack([head_lengths, tail_lengths], axis=1).reshape(-1))
    starts = piece_at[new_key]
    first_pieces = np.flatnonzero(new_key)
    return Postings(keys[new_key], np.add.reduceat(joined("counts"), first_pieces), starts,
                    np.diff(np.append(starts, len(out))), out)


def files(docs: Sequence[Doc], segment: Callable[[Sequence[Doc]], list[Postings]] = build) -> dict[str, bytes]:
    """Every file of one language's index, by path relative to its folder.

    Documents are indexed in segments of SEGMENT; `segment` makes one segment's postings (a
    caller may keep them: they depend on the segment's documents alone).
    """
    merged = merge([(n, segment(docs[n: n + SEGMENT])) for n in range(0, len(docs), SEGMENT)])
    keys, counts, lengths, starts, blob = merged.keys, merged.counts, merged.lengths, merged.starts, merged.blob
    c0, c1, c2 = _split_key(keys)
    inline = lengths <= INLINE
    header, header_at = varints(np.stack([c0, c1, c2, counts.astype(np.uint64),
                                             lengths.astype(np.uint64)], axis=1).reshape(-1))
    head = np.diff(np.append(header_at[::5], len(header)))  # bytes of each entry's five varints
    entry_bytes = head + np.where(inline, lengths, 0)
    shards = 1 << max(0, math.ceil(math.log2(max(1, int(entry_bytes.sum()) / SHARD_BYTES))))
    shard = (shard_hash(c0, c1, c2) & np.uint32(shards - 1)).astype(np.int64)
    order = np.lexsort((keys, shard))
    out: dict[str, bytes] = {}
    entries = _entries(order, header=header, head=head, own=np.where(inline, lengths, 0), starts=starts, blob=blob)
    bounds = np.searchsorted(shard[order], np.arange(shards + 1))
    entry_end = np.cumsum(entry_bytes[order])
    entry_at = np.concatenate([[0], entry_end])
    for n in range(shards):
        out[f"d/{n}.bin"] = entries[entry_at[bounds[n]]: entry_at[bounds[n + 1]]].tobytes()
    for k in np.flatnonzero(~inline):
        name = "-".join(np.base_repr(int(c), 36).lower() for c in (c0[k], c1[k], c2[k]))
        out[f"p/{name}.bin"] = blob[starts[k]: starts[k] + lengths[k]].tobytes()
    for n in range(0, len(docs), CHUNK):
        rows = [d.result for d in docs[n: n + CHUNK]]
        out[f"m/{n // CHUNK}.json"] = _json(rows)
    version = hashlib.sha256()
    for name in sorted(out):
        version.update(name.encode() + b"\0" + hashlib.sha256(out[name]).digest())
    stamp = version.digest()[:8]
    for n in range(shards):  # a dictionary shard names its version: a stale index.json is noticed
        out[f"d/{n}.bin"] = stamp + out[f"d/{n}.bin"]
    triples = np.flatnonzero((c0 > 0) & (c0 < WORD) & (lengths > HEAVY))
    triples = triples[np.argsort(-lengths[triples], kind="stable")][:HEAVY_MOST]
    heavy = {"".join(map(chr, (int(c0[k]), int(c1[k]), int(c2[k])))): int(lengths[k]) for k in sorted(triples)}
    out["index.json"] = _json({"docs": len(docs), "shards": shards, "inline": INLINE, "chunk": CHUNK,
                               "zones": [TITLE, NUMBERS, TEXT], "version": stamp.hex(), "heavy": heavy})
    return out


def _json(value: object) -> bytes:
    """Compact JSON with <, > and & escaped: a title's markup never appears raw in any file."""
    return safe_json(value, separators=(",", ":")).encode("utf-8")


def _entries(order: np.ndarray, *, header: np.ndarray, head: np.ndarray, own: np.ndarray,
             starts: np.ndarray, blob: np.ndarray) -> np.ndarray:
    """The dictionary entries in `order`, one after another: header, then the posting (`own` bytes of it)."""
    header_at = np.concatenate([[0], np.cumsum(head)])[:-1]
    return _gather(np.concatenate([header, blob]),
                   np.stack([header_at[order], starts[order] + len(header)], axis=1).reshape(-1),
                   np.stack([head[order], own[order]], axis=1).reshape(-1))


def _gather(source: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """source[start[i]: start[i] + length[i]] for every i, one after another, a few MB at a time.

    Each byte's source index is the previous one's plus one, except where a slice begins: the
    indices are a running sum of ones with a jump at each slice's first byte.
    """
    start, length = start.astype(np.int64), length.astype(np.int64)
    nonempty = length > 0
    start, length = start[nonempty], length[nonempty]
    out = np.empty(int(length.sum()), source.dtype)
    ends = np.cumsum(length)
    first, done = 0, 0
    # (32-bit indices where they reach: half the memory to stream through, a third of the time)
    kind = np.int32 if len(source) < 2**31 else np.int64
    while first < len(length):
        stop = max(int(np.searchsorted(ends, done + 8_000_000, side="right")), first + 1)
        s, n = start[first:stop], length[first:stop]
        index = np.ones(int(n.sum()), kind)
        index[0] = s[0]
        index[np.cumsum(n[:-1])] = s[1:] - (s[:-1] + n[:-1] - 1)
        np.cumsum(index, out=index)
        out[done: done + len(index)] = source[index]
        done += len(index)
        first = stop
    return out
