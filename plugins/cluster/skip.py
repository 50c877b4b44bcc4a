"""Leave out of a cluster build the sites that nothing added to the library can change.

Every site's build reads the whole library, so adding one department notice costs every site
a build (4–6 s each at 10,000 documents) though most show nothing of it. After a site's build
succeeds, the driver records what it built from (`cache/sites/<id>/cluster-skip.json`): the
content (every file by size, mtime and digest, a snapshot stored once for all the sites in
`cache/cluster-files/`), the code, theme, settings and command line, the clock's day and the next
moment the library changes by itself; and beside it the site's output files and folders by stamp
(`cluster-output.json`).
The next run leaves the site out only when, since then,

- code, theme, settings, the command line and the day are the same, and no scheduled moment
  (an embargo, a consultation's end) has come;
- the site's output is as that build left it (and, inspected, had no broken link: a new page
  elsewhere could mend one);
- and every change to the content folder is a new document that cannot reach the site, or a file
  added beside such a document: a news item, notice, consultation, reply, dataset or service
  guide of another site, that names no other document and that no rule or `repost:` shows on
  this site (status and date aside: an embargoed one is built for when it goes live).

Anything else (an edited or deleted file, a policy, which numbers and amends across sites, a
new file under `_data/`, a header that does not parse) builds the site as before. A file
compares by digest when its stamp changed, so a fresh checkout in CI compares by content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import gazette.build
from gazette.files import file_digest, files_digest, load_json, write_atomic

RECORD = "cluster-skip.json"
OUTPUT = "cluster-output.json"  # beside it: the site's output files and folders as its build left them
SNAPSHOTS = "cluster-files"  # in CACHE_PATH: the content snapshots the records name, each stored once
TZ = ZoneInfo("Asia/Shanghai")  # the clock of every build (content_model)
FORMAT = 3  # 2: file digests are gazette.files.file_digest's; 3: snapshots and output stamps beside the record
# New documents of these types change no other document: no numbering, amendments, interpretations.
LEAF_TYPES = {"news", "notice", "consultation", "reply", "dataset", "service"}
# Header keys that name other documents (or make one a translation of another).
LINKING_KEYS = {"amends", "repeals", "interprets", "collects", "translation_of", "lang"}
DATA = "_data/"
MARKDOWN = (".md", ".markdown")

Files = dict[str, list[Any]]  # {path from the content folder: [size, mtime_ns, digest]}


def snapshot(root: str, known: Files | None = None) -> Files:
    """Every file under root; a file whose stamp is as known keeps its known digest (no reading)."""
    found: Files = {}
    start = len(root.rstrip(os.sep)) + 1
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            rel = path[start:].replace(os.sep, "/")
            old = (known or {}).get(rel)
            same = old is not None and old[0] == st.st_size and old[1] == st.st_mtime_ns
            found[rel] = [st.st_size, st.st_mtime_ns, old[2] if same else file_digest(path)]
    return found


def _stamps(folder: Path) -> dict[str, dict[str, Any]]:
    """A site's output as its build left it: every file by size and mtime, every folder by mtime.

    (scandir: a 15,000-file site in a fraction of pathlib's time.)
    """
    files: dict[str, list[int]] = {}
    folders: dict[str, int] = {}
    start = len(str(folder)) + 1
    todo = [str(folder)]
    while todo:
        path = todo.pop()
        try:  # (the folder's mtime before its listing: a file added meanwhile makes the next check differ)
            folders[path[start:].replace(os.sep, "/")] = os.stat(path).st_mtime_ns
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                files[entry.path[start:].replace(os.sep, "/")] = [st.st_size, st.st_mtime_ns]
    return {"files": files, "folders": folders}


def _output_stands(folder: Path, recorded: dict[str, Any]) -> bool:
    """Whether the output is as recorded, without listing it again: a file added, removed or renamed
    (atomic writes rename) changes its folder's mtime, a file rewritten in place its own stamp."""
    root = str(folder)
    try:
        for rel, mtime in recorded["folders"].items():
            if os.stat(os.path.join(root, rel) if rel else root).st_mtime_ns != mtime:
                return False
        for rel, (size, mtime) in recorded["files"].items():
            st = os.stat(os.path.join(root, rel))
            if st.st_size != size or st.st_mtime_ns != mtime:
                return False
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return False
    return True


class Snapshots:
    """The content snapshots the sites' records name, each stored once (CACHE_PATH/cluster-files/<digest>.json).

    After a run every site stands on the same content: fifty copies of it were most of the time a
    run took to decide it had nothing to build.
    """

    def __init__(self, cache: Path) -> None:
        self.folder = cache / SNAPSHOTS
        self.loaded: dict[str, Files] = {}

    def save(self, files: Files) -> str:
        data = json.dumps(files, ensure_ascii=False, sort_keys=True).encode("utf-8")
        name = hashlib.sha256(data).hexdigest()[:32]
        if name not in self.loaded:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not (self.folder / f"{name}.json").is_file():
                write_atomic(str(self.folder / f"{name}.json"), data)
            self.loaded[name] = files
        return name

    def load(self, name: Any) -> Files | None:
        if not isinstance(name, str) or not name.isalnum():
            return None
        if name not in self.loaded:
            files = load_json(self.folder / f"{name}.json")
            if not isinstance(files, dict):
                return None
            self.loaded[name] = files
        return self.loaded[name]

    def prune(self, keep: set[str]) -> None:
        """Remove the snapshots no site's record names any more."""
        for path in self.folder.glob("*.json"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)


def environment(settings: dict[str, Any], settings_file: str, pelican_args: list[str], root: Path) -> str:
    """Digest of what every site builds with besides the content: code, theme, settings files, command line."""
    theme = os.path.abspath(str(settings.get("THEME") or ""))
    themes = [theme, gazette.build.site_themes(theme)]
    conf = Path(settings_file).resolve().parent
    parts = [files_digest(*(str(p) for p in (root / "plugins", root / "gazette") if p.is_dir())),
             files_digest(*(p for p in themes if os.path.isdir(p))),
             *(f"{p.name}\0{p.read_bytes().hex()}" for p in sorted(conf.glob("*conf.py"))),
             Path(settings_file).resolve().read_text(encoding="utf-8"), repr(pelican_args), sys.version,
             (root / "pyproject.toml").read_text(encoding="utf-8") if (root / "pyproject.toml").is_file() else ""]
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()


@dataclass
class Clock:
    """The build's clock (GAZETTE_BUILD_TIME, else now), in Beijing time."""

    now: dt.datetime

    @classmethod
    def of(cls, settings: dict[str, Any]) -> Clock:
        fixed = settings.get("GAZETTE_BUILD_TIME")
        if isinstance(fixed, str):
            fixed = dt.datetime.fromisoformat(fixed)
        now = fixed if isinstance(fixed, dt.datetime) else dt.datetime.now(TZ)
        return cls(now if now.tzinfo else now.replace(tzinfo=TZ))

    @property
    def day(self) -> str:  # the inspection judges by it, pages say how long ago things were
        return self.now.date().isoformat()


def _next_moment(schedule: Path, now: dt.datetime) -> str | None:
    """The first moment after now that the library changes by itself (GAZETTE_SCHEDULE_FILE's events)."""
    try:
        events = json.loads(schedule.read_text(encoding="utf-8")).get("events", [])
        later = sorted(at for e in events if (at := dt.datetime.fromisoformat(e["at"])) > now)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return ""  # unknown: the record never lets the site be left out
    return later[0].isoformat() if later else None


def record(site_cache: Path, output: Path, env: str, clock: Clock, files: str, *, schedule: Path,
           problems: list[Any]) -> None:
    """What a site's successful build was made from (files: the snapshot of the content as it was when
    the build began, by its name in Snapshots)."""
    data = {"format": FORMAT, "env": env, "day": clock.day, "next": _next_moment(schedule, clock.now),
            "files": files, "problems": problems}
    site_cache.mkdir(parents=True, exist_ok=True)
    write_atomic(str(site_cache / OUTPUT), json.dumps(_stamps(output), ensure_ascii=False).encode("utf-8"))
    write_atomic(str(site_cache / RECORD), json.dumps(data, ensure_ascii=False).encode("utf-8"))


def carry_forward(site_cache: Path, data: dict[str, Any], files: str) -> None:
    """A site left out stands on the content as it is now: what changed could not reach it. (Else every
    later run would judge the same new documents again, and a deletion of one it never showed would go
    unseen, where now it builds the site, as any deletion does.)"""
    write_atomic(str(site_cache / RECORD), json.dumps({**data, "files": files}, ensure_ascii=False).encode("utf-8"))


def load(site_cache: Path) -> dict[str, Any] | None:
    data = load_json(site_cache / RECORD)
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def forget(site_cache: Path) -> None:
    (site_cache / RECORD).unlink(missing_ok=True)
    (site_cache / OUTPUT).unlink(missing_ok=True)


def _header(path: str) -> dict[str, Any] | None:
    """A new document's YAML header, or None if it has none that parses."""
    from content_model.yaml_header import YamlError, load_yaml, split_header

    try:
        header, _body, line = split_header(Path(path).read_text(encoding="utf-8-sig"))
        raw = load_yaml(header, line)
    except (OSError, UnicodeDecodeError, ValueError, YamlError):
        return None
    return raw if isinstance(raw, dict) else None


def _reaches(rel: str, header: dict[str, Any], site_id: str, cluster: dict[str, Any]) -> bool:
    """Whether a new document could change this site: see the module's rules (conservative: True if unsure)."""
    from content_model.cluster import owner, targets
    from content_model.fields import ParseContext, parse
    from content_model.schema import TYPE_BY_FOLDER, TYPE_LABELS, TYPES

    type_name = TYPE_BY_FOLDER.get(rel.split("/", 1)[0]) if "/" in rel else None
    if type_name not in LEAF_TYPES or {"type", *TYPE_LABELS} & set(header):
        return True
    # As the reader takes them: a field by its name or its Chinese label, its value by its parser.
    by_key = {key: f for f in TYPES[type_name].fields for key in f.keys}
    if any(str(k) not in by_key for k in header):
        return True  # a key the reader refuses: the builds say so
    given = {by_key[k].name: (v, by_key[k]) for k, v in header.items() if k in by_key and v not in (None, "", [])}
    if LINKING_KEYS & set(given):
        return True
    ctx = ParseContext(rel, types=tuple(TYPES), sites=tuple(cluster))
    try:
        value = {name: parse(v, f, ctx) for name, (v, f) in given.items() if name in ("site", "repost", "repost_mode")}
        doc = SimpleNamespace(site=value.get("site"), type=type_name, repost=value.get("repost") or [],
                              repost_mode=value.get("repost_mode"), source_path=rel)
        build = gazette.build.current()
        build.cluster = cluster
        return owner(doc) == site_id or site_id in targets(doc)
    except Exception:  # a header the build will report: build the site and let it say why
        return True


def unchanged_for(site_id: str, data: dict[str, Any] | None, *, env: str, clock: Clock, content: str,
                  files: Files, snapshots: Snapshots, site_cache: Path, output: Path, cluster: dict[str, Any],
                  inspected: bool) -> bool:
    """Whether the site's last build stands: nothing since can change what it would write (the module's rules)."""
    if data is None or data.get("env") != env or data.get("day") != clock.day:
        return False
    upcoming = data.get("next")
    if upcoming == "" or (upcoming is not None and dt.datetime.fromisoformat(upcoming) <= clock.now):
        return False
    if inspected and _broken_links(output):
        return False
    old = snapshots.load(data.get("files"))
    if old is None:
        return False
    if any(rel not in files for rel in old):
        return False  # deleted
    added = [rel for rel in files if rel not in old]
    if any(files[rel][2] != old[rel][2] for rel in files if rel in old):
        return False  # edited
    new_docs = [rel for rel in added if rel.endswith(MARKDOWN)]
    folders = {rel.rsplit("/", 1)[0] for rel in new_docs}
    for rel in added:
        if rel.startswith(DATA) or "/" not in rel:
            return False
        if not rel.endswith(MARKDOWN):
            if rel.rsplit("/", 1)[0] not in folders:
                return False  # a file beside no new document: a public folder's, or one an old page links
            continue
        header = _header(os.path.join(content, rel))
        if header is None or _reaches(rel, header, site_id, cluster):
            return False
    recorded = load_json(site_cache / OUTPUT)
    return isinstance(recorded, dict) and _output_stands(output, recorded)


def _broken_links(output: Path) -> bool:
    """Whether the site's last inspection (make check) found a broken link, which a new page could mend."""
    report = load_json(output / "inspection" / "report.json")
    if not isinstance(report, dict):
        return False
    return any(f.get("rule") == "broken-links" for f in report.get("findings", []) if isinstance(f, dict))
