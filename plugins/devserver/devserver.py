"""Rebuild on every save; serve the output with the last build's problems on top and a live reload.

Each build is a `python -m pelican … -e GAZETTE_SHOW_DRAFTS=true` subprocess, so a crash or a
half-reloaded module never outlives it; the problems it records (GAZETTE_PROBLEMS_FILE: the
lines it prints, recorded as `make validate` records them for CI) are the ones the page
shows. watchfiles keeps collecting changes while a build runs, so a save made during a
build starts the next build as soon as this one ends; with no change, nothing runs, even after
a failed build. A failed build writes nothing: the pages stay as the last good build left them,
with the problems shown on top, until the next save.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import io
import json
import logging
import mimetypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import IO, Any

import jinja2
from pelican.settings import read_settings
from watchfiles import DefaultFilter, watch

from gazette.build import site_themes
from gazette.pelican_args import split_overrides

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATUS_URL = "/__gazette/status"
# The build writes these as UTF-8; attachments (a GBK .csv, a .txt) keep a type without charset.
UTF8_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
              ".xml": "application/xml", ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}
# Shown for a missing page when there is no 404.html yet (before the first good build).
MISSING = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在</title></head>'
           "<body><h1>页面不存在</h1><p>网站构建完成后，本页会自动刷新。</p></body></html>").encode()
FIRST = "(start)"  # the change that starts the first build
MAX_LINES = 200  # of a failed build's output in the page; the terminal has all of it


@dataclasses.dataclass(frozen=True)
class Status:
    """What pages poll: the last finished build, and whether the next one is running."""

    build: str = ""  # id of the last finished build; a page served before a newer one reloads
    builds: int = 0  # builds finished since the devserver started
    building: bool = False
    ok: bool | None = None  # None until the first build ends
    lines: tuple[str, ...] = ()  # a failed build's problems, or a good build's warnings, as printed
    log: str = ""  # the end of what a build that failed without naming problems printed (a template error)


def problem_lines(record: Path) -> list[dict[str, str]]:
    """The problems a build recorded (GAZETTE_PROBLEMS_FILE, content_model's problems.py); none if it wrote none."""
    try:
        rows = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def messages(code: int, out: list[str], err: list[str], rows: list[dict[str, str]]) -> tuple[list[str], str]:
    """What a page shows of a build: its one-line problems, or else the end of its log; its warnings if it worked."""
    lines = [f"{row.get('path')}: {row.get('field')}: {row.get('message')}"
             + ("" if row.get("severity") == "error" else " (warning)") for row in rows]
    if code == 0:
        return [line for line in lines if line.endswith(" (warning)")], ""
    if lines:
        return lines[:MAX_LINES], ""
    # A template error or a crash: Pelican logs it on stdout, Python on stderr.
    log = [line.rstrip() for line in out + err if line.strip()]
    return [], "\n".join(log[-MAX_LINES:]) or f"pelican exited with code {code}"


def _tee(stream: IO[str], sink: IO[str], lines: list[str]) -> None:
    """Copy a build's output to the terminal as it comes, keeping its lines."""
    for line in stream:
        sink.write(line)
        sink.flush()
        lines.append(line.rstrip("\n"))


class Builder:
    """Run one Pelican build at a time and keep the status pages poll."""

    def __init__(self, command: list[str], record: Path) -> None:
        self.command = command
        self.record = record  # where each build writes its problems (GAZETTE_PROBLEMS_FILE)
        self._status = Status()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._session = format(time.time_ns(), "x")  # build ids of a restarted devserver are new to open pages
        # Pelican's log wraps at the width of our terminal, as if it ran there rather than into our pipe.
        self._env = {**os.environ, "COLUMNS": str(shutil.get_terminal_size().columns)} if sys.stdout.isatty() else None

    @property
    def status(self) -> Status:
        with self._lock:
            return self._status

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._status = dataclasses.replace(self._status, **changes)

    def build(self) -> Status:
        """Run Pelican once, echoing what it prints; the status after it."""
        self._update(building=True)
        started = time.monotonic()
        out: list[str] = []
        err: list[str] = []
        self.record.unlink(missing_ok=True)  # (a build that stops before reading writes none)
        try:
            # A session of its own: stop() ends the build with its worker processes.
            proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    encoding="utf-8", errors="replace", start_new_session=True, env=self._env)
        except OSError as exc:
            code, err = 1, [f"devserver: cannot run {self.command[0]}: {exc}"]
        else:
            self._process = proc
            tees = [threading.Thread(target=_tee, args=(proc.stdout, sys.stdout, out), daemon=True),
                    threading.Thread(target=_tee, args=(proc.stderr, sys.stderr, err), daemon=True)]
            for tee in tees:
                tee.start()
            code = proc.wait()
            for tee in tees:
                tee.join()
            self._process = None
        count = self.status.builds + 1
        lines, log = messages(code, out, err, problem_lines(self.record))
        self._update(build=f"{self._session}-{count}", builds=count, building=False, ok=code == 0,
                     lines=tuple(lines), log=log)
        seconds = time.monotonic() - started
        if code == 0:
            logger.info("devserver: build %d done in %.1f s", count, seconds)
        else:
            logger.warning("devserver: build %d failed in %.1f s; the pages show why; waiting for the next save",
                           count, seconds)
        return self.status

    def stop(self) -> None:
        """End a running build (the devserver is stopping)."""
        proc = self._process
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            proc.wait()


@dataclasses.dataclass
class Site:
    """The folders and settings of `make devserver`, and the extra pelican options it was given."""

    content: Path
    output: Path
    settings: Path
    pelican_args: list[str]
    only: str | None = None  # SITE=: in a site cluster, build only this site (or these, comma-separated)

    def command(self, record: Path) -> list[str]:
        """The build, as `make html` runs it (a cluster: every site into its folder, plugins/cluster): the caller's
        pelican options, drafts shown, problems recorded to the record file."""
        rest, extra = split_overrides(self.pelican_args)
        return [sys.executable, "-m", "plugins.cluster", "html", "--content", str(self.content),
                "--output", str(self.output), "--settings", str(self.settings), "--problems", str(record),
                *(["--site", self.only] if self.only else []),
                "--", *rest, "-e", *extra, "GAZETTE_SHOW_DRAFTS=true"]

    def watched(self) -> tuple[list[Path], list[str]]:
        """The folders a build reads (content, theme), and those it writes (output, cache) to ignore."""
        theme, cache = None, "cache"
        try:
            settings = read_settings(str(self.settings))
        except Exception as exc:  # settings are Python being edited: a typo in them must not stop the devserver
            logger.warning("devserver: %s: %s; watching the content folder only until it is fixed",
                           self.settings, exc)
        else:
            theme, cache = settings.get("THEME"), settings.get("CACHE_PATH") or cache
        themes = [Path(theme).resolve()] if theme and Path(theme).is_dir() else []
        themes += [sites for folder in themes if (sites := Path(site_themes(str(folder)))).is_dir()]  # sites' looks
        roots = [self.content, *themes]
        return roots, [str(self.output), str(Path(cache).resolve())]


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _describe(paths: set[str]) -> str:
    """What a build is for, in the terminal: the first few files that changed."""
    if paths == {FIRST}:
        return "the whole site"
    shown = sorted(os.path.relpath(p) for p in paths - {FIRST})
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "") + " changed"


def rebuild_on_change(site: Site, builder: Builder) -> None:
    """Build now, then after every change, until interrupted; a change made during a build starts the next one."""
    changed = {FIRST}
    settings_stamp = _mtime(site.settings)
    while True:
        roots, written = site.watched()
        # Wake twice a second to stat the settings file: saving it often replaces the file we would watch.
        for changes in watch(*roots, watch_filter=DefaultFilter(ignore_paths=written), rust_timeout=500,
                             yield_on_timeout=True):
            changed.update(path for _change, path in changes)
            stamp = _mtime(site.settings)
            if stamp != settings_stamp:
                settings_stamp = stamp
                changed.add(str(site.settings))
                if site.watched() != (roots, written):
                    break  # watch the new theme first; the build follows at once
            if changed:
                logger.info("devserver: building (%s)", _describe(changed))
                changed.clear()  # the watcher collects what changes during the build for the next round
                builder.build()


def inject(page: bytes, snippet: bytes) -> bytes:
    """The page with snippet before its last </body>, or at its end (a minified page may omit the tag)."""
    at = page.lower().rfind(b"</body")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]


def content_type(path: Path) -> str:
    kind = UTF8_TYPES.get(path.suffix.lower())
    if kind:
        return kind + "; charset=utf-8"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serve the output as Pelican's server does (`/zcwj/` is `/zcwj/index.html`), pages with the overlay."""

    server: DevHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal for the builds' messages."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload must show the newest build
        super().end_headers()

    def send_head(self) -> IO[bytes] | None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == STATUS_URL:
            body = json.dumps(dataclasses.asdict(self.server.builder.status), ensure_ascii=False).encode()
            return self._send(200, "application/json; charset=utf-8", body)
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not url.path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", urllib.parse.urlunsplit(url._replace(path=url.path + "/")))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        elif not target.exists() and target.with_name(target.name + ".html").is_file():
            target = target.with_name(target.name + ".html")
        if not target.is_file():
            return self._page(404, Path(self.directory) / "404.html")
        kind = content_type(target)
        if kind.startswith("text/html"):
            return self._page(200, target)
        try:
            fh = open(target, "rb")  # http.server copies it to the client and closes it
        except OSError:
            return self._page(404, Path(self.directory) / "404.html")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(os.fstat(fh.fileno()).st_size))
        self.end_headers()
        return fh

    def _page(self, code: int, path: Path) -> IO[bytes]:
        """An HTML page from the output, with the overlay added (only to what is sent, never to the file)."""
        try:
            page = path.read_bytes()
        except OSError:
            page = MISSING
        return self._send(code, "text/html; charset=utf-8", inject(page, self.server.overlay()))

    def _send(self, code: int, kind: str, body: bytes) -> IO[bytes]:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class DevHTTPServer(http.server.ThreadingHTTPServer):
    """Serve one output folder; every page carries the builder's status."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], output: Path, builder: Builder) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, functools.partial(Handler, directory=str(output)))
        self.builder = builder
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True, trim_blocks=True,
                                 lstrip_blocks=True)
        self.template = env.get_template("overlay.html")

    def overlay(self) -> bytes:
        """The markup and script every served page gets: problems, a building note, the reload."""
        return self.template.render(status=self.builder.status, status_url=STATUS_URL).encode()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: this computer only)")
    parser.add_argument("--site", help="a site cluster: build only this site (make devserver SITE=jyj)")
    parser.add_argument("pelican_args", nargs="*", help="extra arguments for pelican (after --)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # it logs every change it sees

    site = Site(Path(args.content).resolve(), Path(args.output).resolve(), Path(args.settings).resolve(),
                args.pelican_args, args.site)
    # Problems come from the build's own record, not from parsing what it prints.
    record = Path(tempfile.mkdtemp(prefix="gazette-devserver-")) / "problems.json"
    builder = Builder(site.command(record), record)
    try:
        server = DevHTTPServer((args.bind, args.port), site.output, builder)
    except OSError as exc:
        logger.error("devserver: cannot listen on %s port %d (%s); is another devserver running? Try PORT=%d",
                     args.bind, args.port, exc.strerror or exc, args.port + 1)
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"[{args.bind}]" if ":" in args.bind else args.bind
    logger.info("devserver: http://%s:%d/ (drafts shown); rebuilds on every save, pages reload by themselves; "
                "Ctrl-C stops", host, server.server_address[1])
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        rebuild_on_change(site, builder)
    except KeyboardInterrupt:
        logger.info("devserver: stopped")
    finally:
        builder.stop()
        server.shutdown()
        server.server_close()
        shutil.rmtree(record.parent, ignore_errors=True)
    return 0
