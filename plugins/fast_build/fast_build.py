"""Render pages in worker processes, and only the pages whose inputs changed.

Pelican renders and writes every page of every build, one after another. FastWriter
(Pelican's writer, installed through the get_writer signal) queues each page instead
and, when every generator is done, renders the queue in GAZETTE_WORKERS forked
processes with Pelican's own write_file (so pagination and context stay Pelican's).

A page's key is made of what produced it (Python, the libraries, every plugin's code,
the theme, the settings with their callables' code, the template) and of what
rendering it read: every variable, attribute, item and call its templates looked up,
recorded as a path from the page's context with a digest of the value (deps.py). Next
build the recorded paths are walked again; a page whose reads all give the same
digests, and whose file is the one the last build wrote, is not rendered. So a new
document re-renders its own page and the pages that list it, not the whole site.
The keys are a record of the last build (CACHE_PATH/gazette-pages/), not a cache, yet
`pelican --ignore-cache` renders every page all the same: nothing of before is reused.

Rendered pages pass through the FAST_BUILD_PAGE_FILTERS (minify adds itself) and are
written only if their bytes differ from the file on disk, atomically (temp file and
rename), so an unchanged page keeps its mtime and a half-written page never exists.
Workers hand back what they did with each page and the build process records it with
the build's Output (gazette/output.py), which removes the pages the last build wrote
and this build did not (a document turned into a draft, say) and fires Pelican's
content_written for each page written, with its context, in the build process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import io
import logging
import os
import pickle
import sys
import types
from array import array
from collections.abc import Callable, Sequence
from importlib.metadata import version
from typing import Any

import numpy as np
from jinja2.runtime import missing
from markupsafe import Markup
from pelican import signals
from pelican.contents import Content
from pelican.log import console
from pelican.writers import Writer

import gazette
import gazette.output
from gazette.cache import Cache, TemplateCache, ignoring, versions
from gazette.files import Stamp, files_digest, load_pickle, save_pickle, stamp
from gazette.output import put_bytes
from gazette.pelican_args import autoreloading
from gazette.plugins import tables
from gazette.settings import Setting, Table
from gazette.workers import fork_call, fork_map

from . import deps, relative_paths, up_to_date
from .page_store import manifests_keys

logger = logging.getLogger(__name__)

SETTINGS = Table("fast_build", "FAST_BUILD_", [
    Setting("FAST_BUILD_PAGE_FILTERS", [], "Functions (path, html) -> html applied to every rendered page "
            "before it is written (minify adds itself)."),
])
# Values pickled as they are (most of what settings hold).
_PLAIN = {str, Markup, int, float, bool, type(None), bytes, dt.datetime, dt.date}
# Below this many queued pages, forking workers costs more than it saves.
PARALLEL_MIN_JOBS = 32
# Bump when the key recipe changes, so old manifests never match.
FORMAT = 5
_HERE = os.path.dirname(os.path.abspath(__file__))
# Python and the libraries that shape output: an upgrade must re-render, like a code change.
LIBRARIES = " ".join([sys.version, *(f"{name}={version(name)}" for name in (
    "pelican", "jinja2", "markupsafe", "markdown", "nh3", "pyyaml", "minify-html", "qrcode", "feedgen", "numpy"))])


class _Done(str):
    """What a page not rendered 'renders' to: tells the file to write nothing, and why."""

    action = ""


class _Unchanged(_Done):
    action = "skipped"  # the file on disk is the one the last build wrote for this key


class _Placed(_Done):
    action = "stored"  # the page store had this key: linked into place


UNCHANGED, PLACED = _Unchanged(), _Placed()
_NOWHERE = object()  # (not looked up yet; None is a digest that could not be made)
_MISSING = object()  # (a name the shared context lacks)


class _KeyPickler(pickle.Pickler):
    """Pickles settings for digesting; functions by their code, sets in a stable order."""

    def __init__(self, file: io.BytesIO, fingerprint: Fingerprint) -> None:
        super().__init__(file, protocol=5)
        self.fast = True  # no memo: equal values give equal bytes whatever their identity
        self.fingerprint = fingerprint
        self.top: Any = None

    def persistent_id(self, obj: Any) -> str | None:
        if type(obj) in _PLAIN or obj is self.top:
            return None
        if isinstance(obj, types.FunctionType):  # a filter in the settings file: its code, not its name
            # (what a closure holds is settings or code, which are keyed themselves)
            return f"code:{obj.__module__}.{obj.__qualname__}:{code_digest(obj.__code__)}:{obj.__defaults__!r}"
        if isinstance(obj, types.MethodType):
            return f"method:{obj.__func__.__qualname__}:{code_digest(obj.__func__.__code__)}"
        if isinstance(obj, (types.BuiltinFunctionType, type)):
            return f"name:{getattr(obj, '__module__', '')}.{obj.__qualname__}"
        if isinstance(obj, (set, frozenset)):  # iteration order varies with the hash seed
            return "set:" + ",".join(sorted(self.fingerprint.of(item) for item in obj))
        return None


def code_digest(code: types.CodeType) -> str:
    """A function's code with what it refers to, nested functions included (no line numbers)."""
    parts = [code.co_code, repr(code.co_names).encode(), repr(code.co_varnames).encode()]
    for const in code.co_consts:
        parts.append(code_digest(const).encode() if isinstance(const, types.CodeType) else repr(const).encode())
    return hashlib.sha1(b"\0".join(parts)).hexdigest()


class Fingerprint:
    """Stable digests of settings-like values; shared objects are digested once, by identity."""

    def __init__(self) -> None:
        self.memo: dict[int, str] = {}
        self.keep: list[Any] = []  # keeps memoised objects alive so their ids stay unique

    def of(self, value: Any) -> str:
        if id(value) in self.memo:
            return self.memo[id(value)]
        buffer = io.BytesIO()
        pickler = _KeyPickler(buffer, self)
        pickler.top = value
        try:
            pickler.dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
            # Not digestible: never equal to the last build's key, so always rendered.
            logger.debug("fast_build: cannot digest %s (%s); pages are always rendered", type(value), exc)
            return os.urandom(20).hex()
        result = hashlib.sha1(buffer.getvalue()).hexdigest()
        if not isinstance(value, (str, bytes, int, float, bool, type(None))):
            self.memo[id(value)] = result
            self.keep.append(value)
        return result


@dataclasses.dataclass
class Job:
    """One write_file call, queued."""

    name: str
    template: Any
    context: dict[str, Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclasses.dataclass
class Result:
    """What happened to one output file."""

    rel: str
    key: str
    stamp: Stamp
    action: str  # skipped | stored | same | written
    rendered_bytes: int = 0
    written_bytes: int = 0
    stored: str | None = None  # the page went into the page store, with this digest
    reads: tuple[deps.Path, ...] | None = None  # rendered: the paths it read (None: unkeyable)
    read_ids: Sequence[int] | None = None  # not rendered: the last build's paths, by number
    job: int = 0


@dataclasses.dataclass
class _Pending:
    """The page being rendered: where it goes, its key, and what it read."""

    rel: str = ""
    key: str = ""
    reads: tuple[deps.Path, ...] | None = None
    read_ids: Sequence[int] | None = None


class _KeyedTemplate:
    """Wraps a template: renders a page only if what it read last time changed, recording its reads."""

    def __init__(self, template: Any, writer: FastWriter) -> None:
        self.template = template
        self.writer = writer
        self.name = template.name

    def render(self, localcontext: dict[str, Any]) -> str:
        writer = self.writer
        rel = localcontext["output_file"]
        base = writer.base_key(self.name)
        path = os.path.join(writer.output_path, rel)
        old = writer.manifest.get(rel)
        if writer.reuse and old is not None and old[2] is not None:
            key = writer.current_key(base, old[2], localcontext, self.template.environment)
            if key == old[0]:
                writer.pending = _Pending(rel, key, read_ids=old[2])
                if stamp(path) == old[1]:
                    return UNCHANGED
                if writer.store.place_file(key, path):
                    return PLACED
        logger.debug("fast_build: rendering %s (%s)", rel, "new" if old is None else "what it reads changed")
        tracker = deps.start(set(localcontext) | set(self.template.environment.globals))
        try:
            html = self.template.render(localcontext)
        finally:
            deps.stop()
        if tracker.unkeyable:
            logger.debug("fast_build: %s is always rendered: %s", rel, tracker.unkeyable)
            writer.pending = _Pending(rel, "unkeyable:" + os.urandom(12).hex())
        else:
            reads = tuple(tracker.deps)
            key = deps.tracked_key(base, tracker.deps, writer.is_shared(localcontext))
            writer.pending = _Pending(rel, key, reads=reads)
        return html


class _PageFile:
    """Stands in for the file Pelican writes a page to; writes only changed bytes, atomically."""

    def __init__(self, writer: FastWriter, path: str) -> None:
        self.writer = writer
        self.path = path
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text

    def __enter__(self) -> _PageFile:
        return self

    def __exit__(self, *exc: object) -> None:
        if not exc[0]:
            self.writer.commit(self.path, self.text)


class FastWriter(Writer):
    """Pelican's writer with a queue, worker processes, recorded reads and changed-only writes."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        os.makedirs(output_path, exist_ok=True)  # other generators write files straight into it
        self.jobs: list[Job] = []
        self.results: list[Result] = []
        self.pending = _Pending()
        self.manifest_path = _manifest_path(self.settings, output_path)
        manifest = load_pickle(self.manifest_path)
        # {rel: (key, stamp, read ids or None)} and the paths those ids number, with their repr
        ok = isinstance(manifest, dict) and manifest.get("format") == FORMAT
        self.manifest: dict[str, tuple[str, Stamp, Sequence[int] | None]] = manifest["pages"] if ok else {}
        self.paths: deps.PathTable = manifest["paths"] if ok else deps.PathTable()
        # The key names the code, theme and libraries too; their generation lets the old pages go at once.
        self.store = Cache.open(self.settings, "page_store", [FORMAT, LIBRARIES, _CODE_DIGEST, _THEME_DIGEST])
        self.reuse = not self.store.ignored  # --ignore-cache: render every page, whatever the manifest says
        self.resolver = deps.Resolver(())
        self.ref: dict[str, Any] = {}  # the context every page's context is a copy of, plus its own variables
        self.bases: dict[str, str] = {}
        self.settings_digest = ""
        self.shared_reads = deps.SharedReads.empty()  # (see current_key)
        self.shared_values: list[Any] = [_MISSING]  # the shared context's object under each of its names
        _state["writer"] = self

    def write_file(self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        # Pelican hands over its shared context; copy it as its own write_file would now.
        if name:
            self.jobs.append(Job(name, template, context.copy(), args, kwargs))

    def base_key(self, template_name: str) -> str:
        """What every page of a template depends on besides its reads: code, theme, settings."""
        if template_name not in self.bases:
            self.bases[template_name] = hashlib.sha1("\0".join([
                str(FORMAT), LIBRARIES, _CODE_DIGEST, _THEME_DIGEST, self.settings_digest, template_name,
            ]).encode()).hexdigest()
        return self.bases[template_name]

    def current_key(self, base: str, read_ids: Sequence[int], context: dict[str, Any], env: Any) -> str | None:
        """The key the last build's reads give in this build's context; None if one cannot be read.

        Shared reads (from a document, or a variable whose object this page shares with every
        page: SITE_DATA, columns) were digested once for all pages (flush: self.shared_reads),
        so they cost an array lookup; only the page's own reads (its document as `article`, its
        list page) are walked here.
        """
        reads = self.shared_reads
        ids = np.frombuffer(read_ids, dtype=np.uint32) if isinstance(read_ids, array) else np.asarray(
            read_ids, dtype=np.uint32)
        if len(ids) and int(ids.max()) >= len(reads.roots):
            return None
        # (a read's root is shared when this page has the shared context's very object under its name)
        shared_roots = np.array([context.get(name, _NOWHERE) is value
                                 for name, value in zip(reads.names, self.shared_values, strict=True)], dtype=bool)
        shared_roots[0] = True  # documents
        on_shared = shared_roots[reads.roots[ids]]
        shared = ids[on_shared]
        if reads.bad[shared].any():
            return None
        parts, globals_ = [], env.globals
        for index in ids[~on_shared].tolist():
            path, shown = self.paths.path(index), self.paths.shown(index)
            if len(path) == 1:  # a variable itself (most: `article`, `output_file`, names a template tries)
                name = path[0][1]
                found = context[name] if name in context else globals_.get(name, missing)
                value = deps.digest(None if found is missing else found)
            else:
                value = self.resolver.digest(path, context, env)
            if value is None:
                return None
            parts.append(f"{shown}={value};")
        return deps.page_key(base, parts, reads.digests[shared].tobytes())

    def is_shared(self, context: dict[str, Any]) -> Callable[[deps.Path], bool]:
        """Whether a read of a page with this context is shared (see current_key)."""
        return lambda path: path[0][0] == "doc" or self._shares(context, path[0][1])

    def _shares(self, context: dict[str, Any], name: str) -> bool:
        """Whether a page with this context has the very object of the shared context as variable name."""
        return name in context and context[name] is self.ref.get(name, _NOWHERE)

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        return _PageFile(self, filename)

    def commit(self, path: str, text: str) -> None:
        """Filter and write one rendered page, unless nothing changed."""
        pending = self.pending
        reads = {"reads": pending.reads, "read_ids": pending.read_ids}
        if isinstance(text, _Done):
            self.results.append(Result(pending.rel, pending.key, stamp(path), text.action, **reads))
            return
        rendered = len(text.encode("utf-8"))
        for page_filter in self.settings["FAST_BUILD_PAGE_FILTERS"]:
            text = page_filter(path, text)
        data = text.encode("utf-8")
        same = not put_bytes(path, data)  # (maybe in a worker: the build process records it, see flush)
        keyed = not pending.key.startswith("unkeyable:")
        stored = self.store.store_file(pending.key, path) if keyed else None
        self.results.append(Result(pending.rel, pending.key, stamp(path), "same" if same else "written", rendered,
                                   len(data), stored, **reads))

    def render_job(self, job: Job) -> None:
        Writer.write_file(self, job.name, _KeyedTemplate(job.template, self), job.context, *job.args, **job.kwargs)

    def flush(self) -> list[Result]:
        """Render every queued page; return what happened to each output file."""
        jobs, self.jobs = self.jobs, []
        if not jobs:
            return []
        context = jobs[0].context
        unkeyed = _state.get("unkeyed", NOT_IN_PAGE_KEYS)
        self.settings_digest = Fingerprint().of({k: v for k, v in self.settings.items() if k not in unkeyed})
        self.resolver = deps.Resolver(_documents(context))
        self.ref = context
        if self.reuse and self.manifest:  # (forked workers inherit these arrays without copying them)
            self.shared_reads = self.resolver.shared_digests(self.paths, context, jobs[0].template.environment,
                                                             self.settings.get("GAZETTE_WORKERS", 1))
            # (a name the shared context lacks is never shared: no page has _MISSING under it)
            self.shared_values = [context.get(name, _MISSING) for name in self.shared_reads.names]
        for env in {id(job.template.environment): job.template.environment for job in jobs}.values():
            deps.install(env)

        def render(index: int) -> list[Result]:  # one job may be several pages (pagination)
            self.results = []
            self.render_job(jobs[index])
            for result in self.results:
                result.job = index
            return self.results

        workers = min(self.settings.get("GAZETTE_WORKERS", 1), len(jobs))
        indices = list(range(len(jobs)))  # what crosses to the workers; the jobs are inherited
        forked = workers > 1 and len(jobs) >= PARALLEL_MIN_JOBS
        # Pelican's write_file would say content_written for every page, in whichever process
        # rendered it; the Output says it once per page written, in this one, at the end.
        with signals.content_written.muted():
            if forked:
                parts = fork_map(render, indices, workers, chunks_per_worker=8)
            else:
                parts = [render(index) for index in indices]
        self.results = []
        results = [result for part in parts for result in part]
        self._finish(results)
        output = gazette.output.current()
        listening = bool(signals.content_written.receivers)  # (else no page context is kept for it)
        for result in results:  # unchanged pages too: still part of the site
            page = functools.partial(_page_context, jobs[result.job], result.rel) if listening else None
            output.record(result.rel, result.action in ("written", "stored"), page, result.stamp)
        return results

    def _numbered(self, results: list[Result]) -> dict[str, tuple[str, Stamp, array[int] | None]]:
        """This build's manifest: each page's reads as numbers into self.paths (kept, extended, pruned).

        At 100,000 documents there are millions of reads of a few million paths: numbers go in
        arrays (no int object each, and a forked worker reading them copies no page of memory
        by counting references), and the paths in a deps.PathTable, indexed only when a page
        was rendered.
        """
        pages = {}
        for r in results:
            if r.stamp is None:
                continue
            ids = r.read_ids if r.read_ids is not None else (
                array("I", [self.paths.number(p) for p in r.reads]) if r.reads is not None else None)
            pages[r.rel] = (r.key, r.stamp, ids)
        pages, self.paths = pruned(pages, self.paths)
        return pages

    def _finish(self, results: list[Result]) -> None:
        seen: dict[str, int] = {}
        for result in results:
            seen[result.rel] = seen.get(result.rel, 0) + 1
        for rel, count in sorted(seen.items()):
            if count > 1:
                logger.error("fast_build: %s was written %d times by different pages", rel, count)
        counts = {a: sum(r.action == a for r in results) for a in ("skipped", "stored", "same", "written")}
        new = self._numbered(results)
        self.manifest = new
        if self.manifest_path:
            # Pickling a million reads takes a while: in a worker while the build goes on, unless most
            # pages were rendered (a cold build), whose workers' memory is better not added to.
            path, manifest = self.manifest_path, {"format": FORMAT, "pages": new, "paths": self.paths}
            rendered = counts["same"] + counts["written"]
            background = self.settings.get("GAZETTE_WORKERS", 1) > 1 and rendered * 10 <= len(results)
            gazette.output.current().wait_for(fork_call(lambda: save_pickle(path, manifest), background))
        for result in results:
            if result.stored:
                self.store.seal(result.key, result.stored)
        if self.manifest_path:
            self.store.retain(manifests_keys(os.path.dirname(self.manifest_path), new, self.store.days,
                                             self.manifest_path))
        unkeyable = sum(r.key.startswith("unkeyable:") for r in results)
        before = sum(r.rendered_bytes for r in results)
        after = sum(r.written_bytes for r in results)
        # Pelican's own console, where it prints its "Done: Processed …" summary.
        console.print(f"fast_build: {len(results)} pages: {counts['skipped']} unchanged (not rendered), "
                      f"{counts['stored']} from the page store, {counts['same']} rendered the same, "
                      f"{counts['written']} written"
                      + (f", {unkeyable} always rendered (reads no key can name)" if unkeyable else "")
                      + f"; page filters {before:,} -> {after:,} bytes")


def pruned(pages: dict[str, tuple[str, Stamp, array[int] | None]], paths: deps.PathTable,
           ) -> tuple[dict[str, tuple[str, Stamp, array[int] | None]], deps.PathTable]:
    """pages and paths again without the paths no page reads, once they are more than half of them."""
    read = [np.frombuffer(ids, dtype=np.uint32) for _key, _stamp, ids in pages.values() if ids]
    used = np.unique(np.concatenate(read)) if read else np.zeros(0, np.uint32)
    if len(paths) <= 2 * max(len(used), 1000):
        return pages, paths
    renumber = np.zeros(len(paths), dtype=np.uint32)
    renumber[used] = np.arange(len(used), dtype=np.uint32)
    return {rel: (key, st, None if ids is None else array("I", renumber[np.frombuffer(ids, np.uint32)].tobytes()))
            for rel, (key, st, ids) in pages.items()}, paths.subset(used.tolist())


def _page_context(job: Job, rel: str) -> dict[str, Any]:
    """What content_written receives for a page: its job's context (a paginated page's own page is not kept)."""
    return {**job.context, **job.kwargs, "output_file": rel}


def _documents(context: dict[str, Any]) -> list[Content]:
    """Every document in the context, by which recorded reads name them."""
    found: dict[int, Content] = {}
    for value in context.values():
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, Content):
                    found[id(item)] = item
    return list(found.values())


# Settings that say where a build keeps its records, not what a page shows: a page's key leaves them out, so
# a devserver session (a new problems file each time) or a cluster site's schedule file does not render every
# page again. So are the settings of a plugin whose table says no page reads them (gazette.settings.Table.pages:
# the inspection's, switched on by make check). (The up-to-date check keeps them all: a build that stops at
# once writes no such file, and no report.)
NOT_IN_PAGE_KEYS = up_to_date.BOOKKEEPING | {"GAZETTE_PROBLEMS_FILE", "GAZETTE_SCHEDULE_FILE", "CACHE_PATH",
                                              "GAZETTE_SHARED_CACHE_PATH"}
_CODE_DIGEST = ""
_THEME_DIGEST = ""
_state: dict[str, Any] = {}


def _manifest_path(settings: dict[str, Any], output_path: str) -> str | None:
    return gazette.output.record_path(settings, output_path, ".pickle") if settings.get("GAZETTE_CACHE", True) else None


def configure(pelican: Any) -> None:
    """Fill defaults and digest our own code once (plugin order: gazette.plugins)."""
    global _CODE_DIGEST, _THEME_DIGEST  # noqa: PLW0603 - one digest per build process
    # every plugin and the shared package: filters and helpers render too
    _CODE_DIGEST = files_digest(os.path.dirname(_HERE)) + files_digest(os.path.dirname(gazette.__file__))
    # (a cluster site's own templates and files are overrides and absolute static paths: content_model)
    _THEME_DIGEST = "".join(files_digest(folder) for folder in [
        pelican.settings["THEME"], *pelican.settings.get("THEME_TEMPLATES_OVERRIDES", []),
        *(path for path in pelican.settings["THEME_STATIC_PATHS"] if os.path.isabs(path))])
    _state.pop("writer", None)
    _state["unkeyed"] = NOT_IN_PAGE_KEYS | {setting.name for table in tables(pelican.plugins) if not table.pages
                                            for setting in table.settings}
    settings = pelican.settings
    # Pelican builds one Jinja environment per generator, each compiling the templates again.
    templates = Cache.open(settings, "jinja", [versions("jinja2"), sys.version])
    if templates.folder:
        settings["JINJA_ENVIRONMENT"] = {**settings["JINJA_ENVIRONMENT"], "bytecode_cache": TemplateCache(templates)}
    if settings.get("GAZETTE_CACHE", True) and not autoreloading():
        settings_digest = Fingerprint().of({k: v for k, v in settings.items()
                                                    if k not in up_to_date.BOOKKEEPING})
        inputs, sources, fresh = up_to_date.inputs_digest(
            pelican, LIBRARIES + _CODE_DIGEST + _THEME_DIGEST, settings_digest)
        if not ignoring(settings):  # --ignore-cache: build, whatever the record says
            up_to_date.check(pelican, inputs, sources)
        if not fresh:
            _state["inputs"] = inputs
        # Connected now, after every plugin's register(): runs after their finalized work.
        signals.finalized.connect(_record)


def _record(pelican: Any) -> None:
    if "inputs" in _state:
        up_to_date.record(pelican, _state.pop("inputs"))


def get_writer(pelican: Any) -> type[Writer]:
    return FastWriter


def flush(pelican: Any) -> None:
    writer = _state.pop("writer", None)
    if writer is not None:
        writer.flush()


def register() -> None:
    relative_paths.install()
    # A build holds millions of objects that live to its end (documents, their fields, the
    # context). Python's collector, at its default 700 allocations, walks them again and
    # again while they are made: 0.35 s of a 10,000-document rebuild. Collect less often.
    gc.set_threshold(200_000, 50, 100)
    # initialized: settings are final; check the plugin order before anything is read.
    signals.initialized.connect(configure)
    # get_writer: queue pages instead of rendering them one by one.
    signals.get_writer.connect(get_writer)
    # finalized: every generator has queued its pages; Pelican calls receivers in plugin
    # order, so pages are on disk before later plugins (inspection) read them.
    signals.finalized.connect(flush)
