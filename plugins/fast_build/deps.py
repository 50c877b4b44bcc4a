"""What rendering a page read, recorded as paths from its context and checked again next build.

While a page renders, every lookup its templates make goes through Jinja's
`Environment.getattr`/`getitem` and `Context.resolve_or_missing`/`call`; a Tracker
installed there records each lookup as a path from the page's context, e.g.
`var SITE_DATA > attr site > attr name`, with a digest of the value found. Documents
have one name wherever they are reached (`doc <source path>`), so `doc.title` read on
a list page and on the document's own page is the same dependency.

Values are digested shallowly: a document by its name, an object by its type, a list
by its elements so digested, plain data (strings, dates, and lists and dicts of them)
by value. An object's fields count only when a template reads them, which it does
through a path of its own: elements of a list read get `index i` paths, so the column
objects a navigation loop walks over are tracked like any other value.

Next build, each recorded path is walked again in the new context (with Jinja's own
lookup rules) and digested; if every digest is equal, so is the page. Reads that are the
same for every page making them (from a document, or a variable of the shared context) are
walked once per build for all pages (Resolver.shared_digests), the rest per page. What cannot be
named (an object handed to a project filter that has no path) makes the page
unkeyable: always rendered, and counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import pickle
from array import array
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import jinja2
import numpy as np
from jinja2.runtime import BlockReference, Context, Macro, missing
from markupsafe import Markup
from pelican.contents import Content

from gazette.workers import fork_map

Path = tuple[tuple[Any, ...], ...]  # ((kind, arg…), …): ("var", name) | ("doc", source) then attr/item/index/call

_SCALARS = (str, int, float, bool, type(None), bytes, dt.date, dt.datetime, dt.time, dt.timedelta, Decimal)
_PLAIN_BUDGET = 2000  # past this many values a container is digested by shape, not content
_LOOKUP = jinja2.Environment()  # Jinja's attribute/item rules, unbound from any tracking
DIGEST_SIZE = 12  # bytes of a value's digest
_PARALLEL_PATHS = 50_000  # below this many reads to digest, forking workers costs more than it saves
_UNDEFINED = ("jinja2", "Undefined")  # an undefined argument of a recorded call (never a plain value)


def _plain(value: Any, budget: list[int]) -> bool:
    """Plain data: scalars, and lists/tuples/dicts of plain data (within a size budget)."""
    budget[0] -= 1
    if budget[0] < 0:
        return False
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(item, budget) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, _SCALARS) and _plain(v, budget) for k, v in value.items())
    return False


def _shape(value: Any, depth: int = 0) -> Any:
    """What a digest of value covers: plain data whole, documents by name, other objects by type."""
    if isinstance(value, Markup):
        return ("markup", str(value))
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Content):
        return ("doc", value.source_path)
    if isinstance(value, (Macro, BlockReference)):
        return ("template-code",)
    if isinstance(value, jinja2.Undefined):
        return ("undefined",)
    if depth < 3 and isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_shape(item, depth + 1) for item in value))
    if depth < 3 and isinstance(value, dict):
        return ("dict", tuple((k if isinstance(k, _SCALARS) else repr(k), _shape(v, depth + 1))
                              for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_shape(item, depth + 1)) for item in value)))
    kind = type(value)
    return ("obj", kind.__module__, kind.__qualname__)


_TEXT = (str, int, bool, type(None), dt.date)  # whose type and str() say all there is (Markup is a str)


# What _shape sees of anything else: its type (a Pager, a Column, a share image), so one digest a type.
_NOT_BY_TYPE = (Markup, *_SCALARS, Content, Macro, BlockReference, jinja2.Undefined, list, tuple, dict, set, frozenset)
_KNOWN: dict[tuple[Any, ...], bytes] = {}  # digests that depend on a type, a document's name, or nothing (empty)


def raw_digest(value: Any) -> bytes:
    """DIGEST_SIZE bytes that stand for value as _shape sees it."""
    if isinstance(value, _TEXT):  # most reads: a title, a URL, a date; no pickling
        return hashlib.blake2b(f"{type(value).__name__}:{value}".encode(), digest_size=DIGEST_SIZE).digest()
    # Next most (a department's 5,000 pages: 60,000 reads) are empty lists, documents and objects seen by type:
    # their digest is worked out once a process.
    kind = type(value)
    if isinstance(value, Content):
        known = ("doc", value.source_path)
    elif kind in (list, tuple) and not value:
        known = ("empty", kind)
    elif not isinstance(value, _NOT_BY_TYPE):
        known = ("type", kind)
    else:
        return _pickled_digest(value)
    found = _KNOWN.get(known)
    if found is None:
        found = _KNOWN[known] = _pickled_digest(value)
    return found


def _pickled_digest(value: Any) -> bytes:
    try:
        data = pickle.dumps(_shape(value), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        data = repr(type(value)).encode()
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


def digest(value: Any) -> str:
    return raw_digest(value).hex()


class Tracker:
    """The reads of one page: {path: digest}, and a name for every object reached."""

    def __init__(self, roots: set[str]) -> None:
        self.roots = roots  # the page context's names (and Jinja's globals): what a next build can look up
        self.deps: dict[Path, str] = {}
        self.names: dict[int, Path] = {}
        self.keep: list[Any] = []  # objects named by id stay alive while the page renders
        self.digests: dict[int, str] = {}
        self.unkeyable = ""

    def path_of(self, obj: Any) -> Path | None:
        if isinstance(obj, Content):
            return (("doc", obj.source_path),)
        return self.names.get(id(obj))

    def value_digest(self, value: Any) -> str:
        if isinstance(value, _SCALARS):
            return digest(value)
        known = self.digests.get(id(value))
        if known is None:
            known = self.digests[id(value)] = digest(value)
            self.keep.append(value)
        return known

    def read(self, path: Path, value: Any) -> None:
        if path not in self.deps:
            self.deps[path] = self.value_digest(value)
        self.name(value, path)

    def name(self, value: Any, path: Path) -> None:
        """Give value (and the objects directly inside it) a path, unless it has one or is plain."""
        if isinstance(value, (_SCALARS, Content)) or id(value) in self.names:
            return
        self.names[id(value)] = path
        self.keep.append(value)
        if isinstance(value, (list, tuple)) and not _plain(value, [_PLAIN_BUDGET]):
            for i, item in enumerate(value):
                if not isinstance(item, (_SCALARS, Content)) and id(item) not in self.names:
                    self.name(item, (*path, ("index", i)))
        elif isinstance(value, dict) and not _plain(value, [_PLAIN_BUDGET]):
            for key, item in value.items():
                if isinstance(key, _SCALARS) and not isinstance(item, (_SCALARS, Content)):
                    self.name(item, (*path, ("item", key)))

    def lookup(self, obj: Any, step: tuple[Any, ...], value: Any) -> None:
        base = self.path_of(obj)
        if base is not None:
            self.read((*base, step), value)

    def argument(self, value: Any, where: str) -> None:
        """A value handed to project code, which may read any of it: depend on all of it."""
        if isinstance(value, _SCALARS) or _plain(value, [_PLAIN_BUDGET]):
            return  # its provenance is already recorded, and it is whole in its digest
        path = self.path_of(value)
        if path is None:
            self.unkeyable = self.unkeyable or f"{where} got a {type(value).__name__} with no path"
            return
        self.deps[(*path, ("whole",))] = whole_digest(value)


_current: Tracker | None = None


def whole_digest(value: Any) -> str:
    """Everything in a value, documents with all their fields (what project code may read)."""
    if isinstance(value, Content):
        fields = {k: v for k, v in vars(value).items() if k not in ("settings", "_context")}
        fields["url"] = value.url
        return digest(repr(sorted((k, repr(_shape(v))) for k, v in fields.items())))
    if isinstance(value, (list, tuple)):
        return digest(tuple(whole_digest(item) for item in value))
    if isinstance(value, dict):
        return digest(tuple((repr(k), whole_digest(v)) for k, v in value.items()))
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return digest(tuple((k, whole_digest(v)) for k, v in sorted(vars(value).items())))
    return digest(value)


class TrackingContext(Context):
    """Jinja's Context, telling the current Tracker about every variable and call."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        tracker = _current
        # A name the page context has (or lacks: adding it may change the page); not one a template set
        # and passed on to an include, whose value came from reads already recorded.
        if tracker is not None and key not in self.vars and (value is missing or key in tracker.roots):
            tracker.read((("var", key),), None if value is missing else value)
        return value

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        value = super().call(__obj, *args, **kwargs)
        tracker = _current
        if tracker is None or isinstance(__obj, (Macro, BlockReference)):
            return value
        path = tracker.path_of(__obj)
        if path is None:
            return value  # a method of a plain value or a Jinja global: a function of its arguments
        kwargs.pop("_loop_vars", None)
        kwargs.pop("_block_vars", None)
        if all(isinstance(a, (*_SCALARS, jinja2.Undefined)) for a in (*args, *kwargs.values())):
            step = ("call", tuple(_UNDEFINED if isinstance(a, jinja2.Undefined) else a for a in args),
                    tuple(sorted((k, _UNDEFINED if isinstance(v, jinja2.Undefined) else v) for k, v in kwargs.items())))
            tracker.read((*path, step), value)
        else:
            tracker.unkeyable = tracker.unkeyable or f"a call of {path[-1]} with non-plain arguments"
        return value


class _TrackingEnvironment:
    """Mixed into a Pelican generator's Jinja environment: attribute and item lookups are reads."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)  # type: ignore[misc]
        if _current is not None:
            _current.lookup(obj, ("attr", attribute), value)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)  # type: ignore[misc]
        if _current is not None and isinstance(argument, _SCALARS):
            _current.lookup(obj, ("item", argument), value)
        return value


def _wrap_filter(name: str, func: Any) -> Any:
    def tracked(*args: Any, **kwargs: Any) -> Any:
        if _current is not None:
            for value in (*args, *kwargs.values()):
                _current.argument(value, f"filter {name}")
        return func(*args, **kwargs)

    for attr in ("jinja_pass_arg",):  # @pass_context / @pass_environment filters keep their marker
        if hasattr(func, attr):
            setattr(tracked, attr, getattr(func, attr))
    tracked.__wrapped__ = func  # type: ignore[attr-defined]
    return tracked


def install(env: jinja2.Environment) -> None:
    """Make env report reads to the current Tracker (once per environment)."""
    if isinstance(env, _TrackingEnvironment):
        return
    env.__class__ = type(f"Tracking{type(env).__name__}", (_TrackingEnvironment, type(env)), {})
    env.context_class = TrackingContext
    for name, func in list(env.filters.items()):
        if (getattr(func, "__module__", None) or "builtins").split(".")[0] not in ("jinja2", "markupsafe", "builtins"):
            env.filters[name] = _wrap_filter(name, func)


def start(roots: set[str]) -> Tracker:
    global _current  # noqa: PLW0603 - one page renders at a time in a process
    _current = Tracker(roots)
    return _current


def stop() -> None:
    global _current  # noqa: PLW0603
    _current = None


class Resolver:
    """Walks recorded paths in this build's context; shared objects are walked once."""

    def __init__(self, documents: Iterable[Content]) -> None:
        self.docs = {doc.source_path: doc for doc in documents}
        self.memo: dict[tuple[int, Path], Any] = {}
        self.keep: list[Any] = []
        self.digests: dict[tuple[int, Path], str] = {}

    def digest(self, path: Path, context: dict[str, Any], env: jinja2.Environment) -> str | None:
        """The digest of what path holds now, or None if it cannot be walked (so: changed)."""
        kind, arg = path[0][0], path[0][1]
        if kind == "doc":
            root = self.docs.get(arg)
            if root is None:
                return None
        elif arg in context:
            root = context[arg]
        else:
            root = env.globals.get(arg, missing)
            if root is missing:
                return digest(None) if len(path) == 1 else None
        key = (id(root), path[1:])  # a variable itself (path[1:] empty) too: SITE_DATA is digested once
        known = self.digests.get(key)
        if known is not None:
            return known
        self.keep.append(root)  # memo entries are keyed by its id: it must outlive this build's lookups
        try:
            value = self._walk(root, path[1:])
        except Exception:
            return None
        result = whole_digest(value) if path[-1] == ("whole",) else digest(value)
        self.digests[key] = result
        return result

    def shared_digests(self, paths: PathTable, ref: dict[str, Any], env: jinja2.Environment,
                       workers: int = 1) -> SharedReads:
        """The digest now of every read that is the same for every page that makes it, by path number.

        Those are reads from a document (`doc x > attr title`, most of them, looked up directly)
        and from a variable of the build's shared context `ref` (SITE_DATA, columns_by_id).
        Hundreds of thousands at 10,000 documents: in `workers` forked processes.
        """
        names = [""]  # a path's root: 0 for a document, else its variable's number here
        numbered: dict[str, int] = {}
        roots = np.zeros(len(paths), dtype=np.int32)
        for n, (path, _shown) in paths.other.items():
            if path[0][0] != "doc":
                name = path[0][1]
                if name not in numbered:
                    numbered[name] = len(names)
                    names.append(name)
                roots[n] = numbered[name]

        def digest_range(bounds: tuple[int, int]) -> tuple[bytes, bytes]:
            return self._digest_range(paths, bounds, ref, env)

        step = max(1, -(-len(paths) // (workers * 4)))
        ranges = [(start, min(start + step, len(paths))) for start in range(0, len(paths), step)]
        parts = fork_map(digest_range, ranges, workers, chunks_per_worker=4) \
            if workers > 1 and len(paths) >= _PARALLEL_PATHS else [digest_range(r) for r in ranges]
        digests = np.frombuffer(b"".join(d for d, _ in parts), dtype=np.uint8).reshape(-1, DIGEST_SIZE)
        bad = np.frombuffer(b"".join(b for _, b in parts), dtype=bool)
        return SharedReads(names, roots, digests, bad)

    def _digest_range(self, paths: PathTable, bounds: tuple[int, int], ref: dict[str, Any],
                      env: jinja2.Environment) -> tuple[bytes, bytes]:
        """shared_digests of paths[start:stop]: their digests (zeros where none), and which could not be made."""
        start, stop = bounds
        out = bytearray(DIGEST_SIZE * (stop - start))
        bad = bytearray(stop - start)
        docs_by_source, nowhere = self.docs, object()
        undefined = raw_digest(_LOOKUP.undefined())
        sources, steps, doc_numbers, step_numbers = paths.sources, paths.steps, paths.doc, paths.step
        for n in range(start, stop):
            raw = None
            number = doc_numbers[n]
            if number < 0:  # not a document's field
                path = paths.other[n][0]
                if path[0][0] != "doc" and path[0][1] not in ref:
                    continue  # never shared: each page's own (current_key walks it)
            else:
                doc = docs_by_source.get(sources[number])
                step = steps[step_numbers[n]]
                # A document has no items: Jinja's `doc.x` and `doc["x"]` are both its attribute x, or undefined.
                if (doc is not None and step[0] in ("attr", "item") and isinstance(step[1], str)
                        and not hasattr(doc, "__getitem__")):
                    try:
                        value = getattr(doc, step[1], nowhere)
                        raw = undefined if value is nowhere else raw_digest(value)
                    except Exception:  # a property that fails now: walked below, the way a page would
                        pass
                path = (("doc", sources[number]), step)
            if raw is None:  # anything else the way Jinja looks it up
                text = self.digest(path, ref, env) if path[0][0] != "doc" else self.digest(path, {}, _LOOKUP)
                raw = None if text is None else bytes.fromhex(text)
            if raw is None:
                bad[n - start] = 1
            else:
                at = (n - start) * DIGEST_SIZE
                out[at:at + DIGEST_SIZE] = raw
        return bytes(out), bytes(bad)

    def _walk(self, root: Any, steps: Path) -> Any:
        value = root
        for n, step in enumerate(steps):
            key = (id(root), steps[:n + 1])
            if key in self.memo:
                value = self.memo[key]
                continue
            kind = step[0]
            if kind == "attr":
                value = _LOOKUP.getattr(value, step[1])
            elif kind == "item":
                value = _LOOKUP.getitem(value, step[1])
            elif kind == "index":
                value = value[step[1]] if isinstance(value, (list, tuple)) else list(value)[step[1]]
            elif kind == "call":
                args = [_LOOKUP.undefined() if a == _UNDEFINED else a for a in step[1]]
                value = value(*args, **{k: _LOOKUP.undefined() if v == _UNDEFINED else v for k, v in step[2]})
            elif kind == "whole":
                pass
            else:
                raise KeyError(kind)
            self.memo[key] = value
        return value


class PathTable:
    """Every path the pages of a build read, by number; the manifest keeps it for the next build.

    At 10,000 documents there are 330,000 of them, nearly all a document's field (`doc x > attr
    title`): those are two numbers each here (the document's source, the step), in arrays, and the
    rest are kept as they are. The manifest loaded 330,000 nested tuples in 0.24 s; and numbering a
    new page's reads hashed them all again.
    """

    def __init__(self) -> None:
        self.sources: list[str] = []
        self.steps: list[tuple[Any, ...]] = []
        self.doc = array("i")  # by path: its document's number in sources; -1: in other
        self.step = array("i")  # by path: its step's number in steps (a document's field)
        self.other: dict[int, tuple[Path, str]] = {}  # by path number: the path, and how a page key shows it
        self._numbers: dict[Any, int] | None = None  # (for number(): made on its first call)
        self._source_numbers: dict[str, int] = {}
        self._step_numbers: dict[tuple[Any, ...], int] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k in ("sources", "steps", "doc", "step", "other")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]
        vars(self).update(state)

    def __len__(self) -> int:
        return len(self.doc)

    def path(self, n: int) -> Path:
        number = self.doc[n]
        return self.other[n][0] if number < 0 else (("doc", self.sources[number]), self.steps[self.step[n]])

    def shown(self, n: int) -> str:
        """How a page key spells path n: a document's read never (it is always shared)."""
        return "" if self.doc[n] >= 0 else self.other[n][1]

    def number(self, path: Path) -> int:
        """Path's number; a new path is added."""
        numbers = self._numbers if self._numbers is not None else self._index()
        fields = len(path) == 2 and path[0][0] == "doc"
        key: Any = path
        if fields:
            source, step = self._source_numbers.get(path[0][1]), self._step_numbers.get(path[1])
            key = None if source is None or step is None else (source << 32) | step  # (both below 2**31)
        if key is not None and key in numbers:
            return numbers[key]
        n = len(self.doc)
        if fields:
            source, step = _numbered(self._source_numbers, self.sources, path[0][1]), \
                _numbered(self._step_numbers, self.steps, path[1])
            self.doc.append(source)
            self.step.append(step)
            numbers[(source << 32) | step] = n
        else:
            self.doc.append(-1)
            self.step.append(0)
            self.other[n] = (path, "" if path[0][0] == "doc" else repr(path))
            numbers[path] = n
        return n

    def _index(self) -> dict[Any, int]:
        self._source_numbers = {source: n for n, source in enumerate(self.sources)}
        self._step_numbers = {step: n for n, step in enumerate(self.steps)}
        docs = np.frombuffer(self.doc, dtype=np.int32) if len(self.doc) else np.zeros(0, np.int32)
        steps = np.frombuffer(self.step, dtype=np.int32) if len(self.step) else np.zeros(0, np.int32)
        fields = np.flatnonzero(docs >= 0)
        keys = (docs[fields].astype(np.int64) << 32) | steps[fields]
        self._numbers = dict(zip(keys.tolist(), fields.tolist(), strict=True))
        self._numbers.update((path, n) for n, (path, _shown) in self.other.items())
        return self._numbers

    def subset(self, numbers: Sequence[int]) -> PathTable:
        """The paths with these numbers, numbered 0, 1, … in this order."""
        kept = PathTable()
        for n in numbers:
            kept.number(self.path(n))
        return kept


def _numbered(numbers: dict[Any, int], items: list[Any], item: Any) -> int:
    """item's number in items (numbers: the same, by item), appended if it is new."""
    if item not in numbers:
        numbers[item] = len(items)
        items.append(item)
    return numbers[item]


@dataclasses.dataclass
class SharedReads:
    """Resolver.shared_digests: by path number, its root (0 a document, else names[root]), digest, and
    whether it could not be made."""

    names: list[str]
    roots: np.ndarray
    digests: np.ndarray
    bad: np.ndarray

    @classmethod
    def empty(cls) -> SharedReads:
        return cls([""], np.zeros(0, np.int32), np.zeros((0, DIGEST_SIZE), np.uint8), np.zeros(0, bool))


def page_key(base: str, reads: Iterable[str], shared: bytes = b"") -> str:
    """A page's key: its base (code, settings, template), each `path=digest;` of its own reads in
    reading order, and the raw digests of its shared reads, in reading order.

    Shared reads (from a document, or from a variable every page has the same object for) are
    most of them: at 10,000 documents, over 90 % of 1.5 million. The build digests each once, into
    an array, and a page's part is that array taken at the page's path numbers (current_key).
    """
    h = hashlib.blake2b(base.encode(), digest_size=20)
    for read in reads:
        h.update(read.encode())
    h.update(b"\0shared\0")
    h.update(shared)
    return h.hexdigest()


def tracked_key(base: str, reads: dict[Path, str], shared: Callable[[Path], bool]) -> str:
    """page_key of what a Tracker recorded (current_key gives the same key for the same values)."""
    return page_key(base, [f"{p!r}={d};" for p, d in reads.items() if not shared(p)],
                    b"".join(bytes.fromhex(d) for p, d in reads.items() if shared(p)))
