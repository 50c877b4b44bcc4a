"""Render pages in worker processes, and only the pages whose inputs changed.

Pelican renders and writes every page of every build, one after another. FastWriter
(Pelican's writer, installed through the get_writer signal) queues each page instead
and, when every generator is done, renders the queue in GAZETTE_WORKERS forked
processes with Pelican's own write_file (so pagination and context stay Pelican's).

A page is skipped when its key equals the last build's and the file on disk is the
one that build wrote. The key digests everything the template can see: this
plugin's and the theme's files, the global context (settings, columns, lists…, with
every document in it by its listing fields), and what the page adds to it — for a
document page, the document itself with its body, description and JSON-LD. So
editing a document's body re-renders its own page only; editing a title or date
re-renders everything, because lists show them.

Rendered pages pass through the FAST_BUILD_PAGE_FILTERS (minify adds itself) and are
written only if their bytes differ from the file on disk, atomically (temp file and
rename), so an unchanged page keeps its mtime and a half-written page never exists.
Pages the last build wrote that this build did not (a document turned into a draft,
say) are deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import logging
import os
import pickle
import sys
import types
from importlib.metadata import version
from typing import Any

from jinja2 import FileSystemBytecodeCache
from markupsafe import Markup
from pelican import signals
from pelican.contents import Content
from pelican.log import console
from pelican.writers import Writer

from gazette.files import Stamp, files_digest, load_pickle, save_pickle, stamp, write_atomic
from gazette.pelican_args import autoreloading
from gazette.workers import fork_map

from . import up_to_date
from .page_store import PageStore, manifests_keys

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    # Callables (path, html) -> html applied to every rendered page before writing.
    "FAST_BUILD_PAGE_FILTERS": [],
}
# Values pickled as they are (most of what a page shows).
_PLAIN = {str, Markup, int, float, bool, type(None), bytes, dt.datetime, dt.date}
# Lists and dicts longer than this are digested once and referred to by digest.
_SHARED_SIZE = 16
# Below this many queued pages, forking workers costs more than it saves.
PARALLEL_MIN_JOBS = 32
# Bump when the key recipe changes, so old manifests never match.
FORMAT = 1
_HERE = os.path.dirname(os.path.abspath(__file__))
# Python and the libraries that shape output: an upgrade must re-render, like a code change.
LIBRARIES = " ".join([sys.version, *(f"{name}={version(name)}" for name in (
    "pelican", "jinja2", "markupsafe", "markdown", "nh3", "pyyaml", "minify-html", "qrcode", "feedgen", "pagefind"))])
# Context entries that change every build but no template shows: "now" reaches pages
# only through documents' fields (consultation states, embargoes), which are keyed;
# staticfiles comes in set order (links resolve through static_content, which is keyed).
_VOLATILE = {"GAZETTE_NOW", "INSPECTION_TODAY_DATE", "GAZETTE_GIT_DATES", "GAZETTE_OUTPUT_VALID_UNTIL",
             "generated_content", "localsiteurl", "staticfiles", "static_links", "GAZETTE_WORKERS"}
# What only a document's own page shows; lists show none of it.
_OWN_PAGE_ONLY = {"_content", "description", "json_ld", "_summary"}
# Content attributes that are plumbing, not page data.
_PLUMBING = {"settings", "_context"}


class FastBuildSettingsError(ValueError):
    """The fast_build plugin is set up in a way that would give wrong output."""


class _Done(str):
    """What a page not rendered 'renders' to: tells the file to write nothing, and why."""

    action = ""


class _Unchanged(_Done):
    action = "skipped"  # the file on disk is the one the last build wrote for this key


class _Placed(_Done):
    action = "stored"  # the page store had this key: linked into place


UNCHANGED, PLACED = _Unchanged(), _Placed()


class _KeyPickler(pickle.Pickler):
    """Pickles template inputs for digesting; documents, settings and code by reference."""

    def __init__(self, file: io.BytesIO, fingerprint: Fingerprint, refs: bool) -> None:
        super().__init__(file, protocol=5)
        # No memo: whether two equal values are one object differs between a fresh parse
        # and a cached one, and must not change the bytes.
        self.fast = True
        self.fingerprint = fingerprint
        self.refs = refs
        self.top: Any = None

    def persistent_id(self, obj: Any) -> str | None:
        if type(obj) in _PLAIN or obj is self.top:  # called for every value: answer most at once
            return None
        if isinstance(obj, Content):
            if self.refs:  # another document inside a document: its fields are keyed globally
                return f"ref:{obj.source_path}:{obj.url}"
            return "doc:" + self.fingerprint.document(obj, own_page=False)
        if obj is self.fingerprint.settings:
            return "settings"
        if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
            return f"code:{getattr(obj, '__module__', '')}.{obj.__qualname__}"  # in the code digest
        if isinstance(obj, (set, frozenset)):  # iteration order varies with the hash seed
            return "set:" + ",".join(sorted(self.fingerprint.of(item, self.refs) for item in obj))
        # Big or shared parts (long lists, paginators, columns…) by their own digest, which
        # is computed once per build; always, so a page's key never depends on page order.
        if (isinstance(obj, (list, tuple, dict)) and len(obj) > _SHARED_SIZE) or (
                hasattr(obj, "__dict__") and not isinstance(obj, type) and not dataclasses.is_dataclass(obj)):
            return "part:" + self.fingerprint.of(obj, self.refs)
        return None


class Fingerprint:
    """Stable digests of what templates see; shared objects are digested once, by identity."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.memo: dict[tuple[int, bool], str] = {}
        self.keep: list[Any] = []  # keeps memoised objects alive so their ids stay unique
        self.documents: dict[int, str] = {}

    def of(self, value: Any, refs: bool = False) -> str:
        ident = (id(value), refs)
        if ident in self.memo:
            return self.memo[ident]
        buffer = io.BytesIO()
        pickler = _KeyPickler(buffer, self, refs)
        pickler.top = value
        try:
            pickler.dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
            # Not digestible: never equal to the last build's key, so always rendered.
            logger.debug("fast_build: cannot digest %s (%s); pages showing it are always rendered",
                         type(value), exc)
            return os.urandom(20).hex()
        result = hashlib.sha1(buffer.getvalue()).hexdigest()
        if not isinstance(value, (str, bytes, int, float, bool, type(None))):
            self.memo[ident] = result
            self.keep.append(value)
        return result

    def document(self, doc: Content, own_page: bool) -> str:
        """A document by what lists show of it, or (own_page) by everything its page shows."""
        if own_page:  # what lists show (digested once per build) and what only its page shows
            own = {name: value for name, value in vars(doc).items() if name in _OWN_PAGE_ONLY}
            return self.of({"listed": self.document(doc, own_page=False), **own}, refs=True)
        if id(doc) in self.documents:
            return self.documents[id(doc)]
        fields = {name: value for name, value in vars(doc).items()
                  if name not in _PLUMBING and name not in _OWN_PAGE_ONLY}
        fields["url"], fields["save_as"] = doc.url, doc.save_as  # properties, not in vars()
        self.documents[id(doc)] = self.of(fields, refs=True)
        self.keep.append(doc)
        return self.documents[id(doc)]


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


class _KeyedTemplate:
    """Wraps a template: computes the page's key and renders only if it changed."""

    def __init__(self, template: Any, writer: FastWriter) -> None:
        self.template = template
        self.writer = writer
        self.name = template.name

    def render(self, localcontext: dict[str, Any]) -> str:
        key = self.writer.page_key(self.name, localcontext)
        rel = localcontext["output_file"]
        self.writer.pending = (rel, key)
        path = os.path.join(self.writer.output_path, rel)
        old = self.writer.manifest.get(rel)
        if old is not None and old[0] == key and stamp(path) == old[1]:
            return UNCHANGED
        if self.writer.store is not None and self.writer.store.place(key, path):
            return PLACED
        return self.template.render(localcontext)


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
    """Pelican's writer with a queue, worker processes, page keys and changed-only writes."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        os.makedirs(output_path, exist_ok=True)  # other generators write files straight into it
        self.jobs: list[Job] = []
        self.results: list[Result] = []
        self.pending: tuple[str, str] = ("", "")
        self.manifest_path = _manifest_path(self.settings, output_path)
        manifest = load_pickle(self.manifest_path)
        self.manifest: dict[str, tuple[str, Stamp]] = manifest if isinstance(manifest, dict) else {}
        self.store = PageStore(os.path.join(os.path.dirname(self.manifest_path), "store")) \
            if self.manifest_path else None
        self.fingerprint = Fingerprint(self.settings)
        self.base_key = ""
        self.reference: dict[str, Any] = {}
        _state["writer"] = self

    def write_file(self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        # Pelican hands over its shared context; copy it as its own write_file would now.
        if name:
            self.jobs.append(Job(name, template, context.copy(), args, kwargs))

    def page_key(self, template_name: str, localcontext: dict[str, Any]) -> str:
        """The digest of everything this page's template can see."""
        digest = hashlib.sha1(f"{self.base_key}\0{template_name}\0".encode())
        for name in sorted(localcontext):
            value = localcontext[name]
            if name in _VOLATILE or self.reference.get(name, _MISSING) is value:
                continue  # the same object as in the global context: already in base_key
            digest.update(name.encode() + b"=")
            if name in ("article", "page") and isinstance(value, Content):
                digest.update(self.fingerprint.document(value, own_page=True).encode())
            else:
                digest.update(self.fingerprint.of(value).encode())
        return digest.hexdigest()

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        return _PageFile(self, filename)

    def commit(self, path: str, text: str) -> None:
        """Filter and write one rendered page, unless nothing changed."""
        rel, key = self.pending
        if isinstance(text, _Done):
            self.results.append(Result(rel, key, stamp(path), text.action))
            return
        rendered = len(text.encode("utf-8"))
        for page_filter in self.settings["FAST_BUILD_PAGE_FILTERS"]:
            text = page_filter(path, text)
        data = text.encode("utf-8")
        try:
            with open(path, "rb") as fh:
                same = fh.read() == data
        except OSError:
            same = False
        if not same:
            write_atomic(path, data)
        stored = self.store.put(key, path) if self.store is not None else None
        self.results.append(Result(rel, key, stamp(path), "same" if same else "written", rendered, len(data),
                                   stored))

    def render_job(self, job: Job) -> None:
        Writer.write_file(self, job.name, _KeyedTemplate(job.template, self), job.context, *job.args, **job.kwargs)

    def flush(self) -> list[Result]:
        """Render every queued page; return what happened to each output file."""
        jobs, self.jobs = self.jobs, []
        if not jobs:
            return []
        self.reference = jobs[0].context
        self.base_key = hashlib.sha1("\0".join([
            str(FORMAT), LIBRARIES, _CODE_DIGEST, _THEME_DIGEST,
            self.fingerprint.of({k: v for k, v in self.settings.items() if k not in _VOLATILE}),
            self.fingerprint.of(_stable(self.reference)),
        ]).encode()).hexdigest()
        def render(index: int) -> list[Result]:  # one job may be several pages (pagination)
            self.results = []
            self.render_job(jobs[index])
            return self.results

        workers = min(self.settings.get("GAZETTE_WORKERS", 1), len(jobs))
        indices = list(range(len(jobs)))  # what crosses to the workers; the jobs are inherited
        if workers > 1 and len(jobs) >= PARALLEL_MIN_JOBS:
            parts = fork_map(render, indices, workers, chunks_per_worker=8)
        else:
            parts = [render(index) for index in indices]
        self.results = []
        results = [result for part in parts for result in part]
        self._finish(results)
        return results

    def _finish(self, results: list[Result]) -> None:
        seen: dict[str, int] = {}
        for result in results:
            seen[result.rel] = seen.get(result.rel, 0) + 1
        for rel, count in sorted(seen.items()):
            if count > 1:
                logger.error("fast_build: %s was written %d times by different pages", rel, count)
        new = {r.rel: (r.key, r.stamp) for r in results if r.stamp is not None}
        for rel, (_key, old_stamp) in sorted(self.manifest.items()):
            path = os.path.join(self.output_path, rel)
            if rel not in new and stamp(path) == old_stamp:
                os.remove(path)  # a page of the last build that this build does not have
                logger.info("fast_build: removed %s", rel)
        self.manifest = new
        if self.manifest_path:
            save_pickle(self.manifest_path, new)
        if self.store is not None and self.manifest_path:
            self.store.keep({r.key: r.stored for r in results if r.stored},
                            manifests_keys(os.path.dirname(self.manifest_path), new))
        counts = {a: sum(r.action == a for r in results) for a in ("skipped", "stored", "same", "written")}
        before = sum(r.rendered_bytes for r in results)
        after = sum(r.written_bytes for r in results)
        # Pelican's own console, where it prints its "Done: Processed …" summary.
        console.print(f"fast_build: {len(results)} pages: {counts['skipped']} unchanged (not rendered), "
                      f"{counts['stored']} from the page store, {counts['same']} rendered the same, "
                      f"{counts['written']} written; "
                      f"page filters {before:,} -> {after:,} bytes")


def _stable(context: dict[str, Any]) -> dict[str, Any]:
    """The context without volatile entries; static files in path order (they come in set order)."""
    stable = {k: v for k, v in context.items() if k not in _VOLATILE}
    if isinstance(stable.get("static_content"), dict):
        stable["static_content"] = dict(sorted(stable["static_content"].items()))
    return stable


_MISSING = object()
_CODE_DIGEST = ""
_THEME_DIGEST = ""
_state: dict[str, Any] = {}


def _manifest_path(settings: dict[str, Any], output_path: str) -> str | None:
    return up_to_date.cache_file(settings, output_path, ".pickle") if settings.get("GAZETTE_CACHE", True) else None


def configure(pelican: Any) -> None:
    """Fill defaults, check plugin order, and digest our own code once."""
    global _CODE_DIGEST, _THEME_DIGEST  # noqa: PLW0603 - one digest per build process
    for key, value in DEFAULTS.items():
        pelican.settings.setdefault(key, value)
    plugins = [str(p) for p in pelican.settings.get("PLUGINS", [])]
    for reader in ("inspection",):
        if reader in plugins and plugins.index(reader) < plugins.index("fast_build"):
            raise FastBuildSettingsError(f"fast_build: list it before {reader} in PLUGINS, which reads "
                                         "the written pages when the build is finalized")
    _CODE_DIGEST = files_digest(os.path.dirname(_HERE))  # every plugin: filters and helpers render too
    _THEME_DIGEST = files_digest(pelican.settings["THEME"])
    _state.pop("writer", None)
    settings = pelican.settings
    if settings.get("GAZETTE_CACHE", True):
        # Pelican builds one Jinja environment per generator, each compiling the templates again.
        folder = os.path.join(settings["CACHE_PATH"], "jinja")
        os.makedirs(folder, exist_ok=True)
        settings["JINJA_ENVIRONMENT"] = {**settings["JINJA_ENVIRONMENT"],
                                         "bytecode_cache": FileSystemBytecodeCache(folder)}
    if settings.get("GAZETTE_CACHE", True) and not autoreloading():
        settings_digest = Fingerprint(settings).of({k: v for k, v in settings.items()
                                                    if k not in up_to_date.CLOCK})
        inputs, sources, fresh = up_to_date.inputs_digest(
            pelican, LIBRARIES + _CODE_DIGEST + _THEME_DIGEST, settings_digest)
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
    # initialized: settings are final; check the plugin order before anything is read.
    signals.initialized.connect(configure)
    # get_writer: queue pages instead of rendering them one by one.
    signals.get_writer.connect(get_writer)
    # finalized: every generator has queued its pages; Pelican calls receivers in plugin
    # order, so pages are on disk before later plugins (inspection) read them.
    signals.finalized.connect(flush)
