"""Build and publish every site of a cluster (集约化平台) from the one content library.

    python -m plugins.cluster list    --content content --output output
    python -m plugins.cluster html    --content content --output output --settings pelicanconf.py [--site ID] [-- ARGS]
    python -m plugins.cluster check   … --settings pelicanconf.py --report ci-report [--site ID] [--today D] [-- ARGS]
    python -m plugins.cluster publish --content content --output output --settings publishconf.py \\
        --report ci-report --record cache/published.json [--site ID] [--today D] [-- ARGS]

A repository without `content/_data/sites/` is one site, built into OUTPUT as it always was.
A cluster's sites build into OUTPUT/<id>/, each a whole Pelican build of its own
(GAZETTE_SITE) with its own caches beside the shared cache of parsed files, forked from a
process that has parsed every file once for all (library.py): the portal first, then the
others side by side. Built locally,
each site lives under /<id>/ and OUTPUT/index.html lists them (the cluster page); published,
each has its own address (its file's `site.url`) and is deployed from its folder.

`publish` publishes each site on its own (plugins/inspection/publish.py): one site's
must-not-publish finding never stops another, the blocked ones are named and the exit
status is 1. Each site's problems, code-quality report and schedule go to REPORT/<id>/;
OUTPUT/index.html then also summarises every site's inspection (the platform's 运维监管).
Not a Pelican plugin: the Makefile runs it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]  # run as `python -m plugins.cluster`: gazette/ and the plugins

from content_model.problems import Problems  # noqa: E402
from content_model.site_data import load_cluster  # noqa: E402

import gazette.build  # noqa: E402
from gazette.files import load_json, write_atomic  # noqa: E402
from gazette.pelican_args import split_overrides  # noqa: E402

from . import library, skip  # noqa: E402
from .dashboard import render  # noqa: E402


@dataclass
class Site:
    id: str
    name: str
    url: str
    parent: str | None
    output: Path
    report: Path  # problems, code quality, schedule of its last publish
    overrides: list[str]  # pelican -e items that make a build this site's
    cache: Path  # its own caches (CACHE_PATH), beside the shared cache of parsed files


def sites(content: str, output: str, report: str = "ci-report", cache: str = "cache",
          record: str | None = None) -> list[Site]:
    """The sites to build, the portal first; stops with the problems of the site files, one line each
    (recorded to record too, as a build records its problems)."""
    problems = Problems()
    problems.start(record)
    cluster = load_cluster(content, problems)
    if problems.errors:
        problems.report()  # one line per problem, and exit 1
    if len(cluster) == 1:
        ((sid, data),) = cluster.items()
        return [Site(sid, data["site"].get("name", ""), data["site"].get("url") or "", None, Path(output),
                     Path(report), [], Path(cache))]
    found = []
    for sid, data in cluster.items():
        found.append(Site(sid, data["site"].get("name", ""), (data["site"].get("url") or "").rstrip("/"),
                          data["parent"], Path(output) / sid, Path(report) / sid, [
                              f'GAZETTE_SITE="{sid}"',
                              f'CACHE_PATH="{os.path.join(cache, "sites", sid)}"',
                              f'GAZETTE_SHARED_CACHE_PATH="{cache}"'], Path(cache) / "sites" / sid))
    return found


def _settings(path: str, pelican_args: list[str]) -> dict[str, Any]:
    """The settings a build will have: the file's, then the caller's -e items (CACHE_PATH, SITEURL…)."""
    from pelican import parse_arguments
    from pelican.settings import read_settings

    items = split_overrides(pelican_args)[1]  # every -e list at once: Pelican keeps only its last
    try:
        overrides = parse_arguments(["-e", *items]).overrides if items else {}
    except ValueError as exc:  # Pelican's own words: KEY=VALUE, in JSON
        sys.stderr.write(f"cluster: {exc}\n")
        raise SystemExit(2) from None
    return read_settings(path, override=overrides)


def _run_all(jobs: list[Site], run: Any) -> dict[str, int]:
    """Run the first site alone with every core (the portal: the longest, and the one that parses every file
    into the shared cache should the fork server not have read the library ahead), then the rest side by side."""
    status = {jobs[0].id: run(jobs[0], os.cpu_count() or 1)}
    rest = jobs[1:]
    if rest:
        width = min(os.cpu_count() or 1, len(rest))
        with ThreadPoolExecutor(width) as pool:
            for site, code in zip(rest, pool.map(lambda s: run(s, max(1, (os.cpu_count() or 1) // width)), rest),
                                  strict=True):
                status[site.id] = code
    return status


def _chosen(all_sites: list[Site], wanted: str | None) -> list[Site]:
    """The sites asked for (SITE=jyj, or several: SITE=jyj,fgw, as a CI job that builds a share), in cluster order."""
    if wanted is None:
        return all_sites
    names = set(wanted.split(","))
    unknown = sorted(names - {s.id for s in all_sites})
    if unknown:
        sys.stderr.write(f"cluster: SITE={','.join(unknown)}: not a site of this repository (one of "
                         f"{', '.join(s.id for s in all_sites)})\n")
        raise SystemExit(2)
    return [s for s in all_sites if s.id in names]


def html(args: argparse.Namespace, extra: tuple[str, ...] = ()) -> int:
    """Build every site (or --site), each into its folder; extra: -e items for every build."""
    # (with the caller's items too: make check's INSPECTION_ENABLED and schedule file decide what a run leaves out)
    settings = _settings(args.settings, [*args.pelican_args, *(["-e", *extra] if extra else [])])
    cache = settings.get("CACHE_PATH", "cache")
    all_sites = sites(args.content, args.output, cache=cache, record=args.problems)
    rest, overrides = split_overrides(args.pelican_args)
    if len(all_sites) == 1:  # one site: exactly the build it always was
        if args.problems:
            extra = (*extra, f"GAZETTE_PROBLEMS_FILE={json.dumps(args.problems)}")
        given = ["-e", *overrides, *extra] if overrides or extra else []
        return subprocess.run([sys.executable, "-m", "pelican", args.content, "-o", args.output, "-s", args.settings,
                               *rest, *given], check=False).returncode
    local = not str(settings.get("SITEURL") or "").startswith(("https://", "http://"))
    preview = bool(settings.get("GAZETTE_PREVIEW"))
    if settings.get("DELETE_OUTPUT_DIRECTORY") and args.site is None:
        shutil.rmtree(args.output, ignore_errors=True)  # each site empties its folder; a removed site's goes too

    def argv(site: Site, workers: int, leaving: _Leaving | None = None) -> list[str]:
        """Pelican's command line for the site's build."""
        # The site's own items last: they win over the caller's (its caches, its address here).
        items = [f"GAZETTE_WORKERS={workers}", *overrides, *extra, *site.overrides]
        if local:
            items.append(f'SITEURL="/{site.id}"')
        if args.problems:
            items.append(f"GAZETTE_PROBLEMS_FILE={json.dumps(_site_record(args.problems, site))}")
        if leaving is not None:
            items += leaving.items(site)
        return [args.content, "-o", str(site.output), "-s", args.settings, *rest, "-e", *items]

    times = _Times(Path(cache) / TIMES)
    in_order = _chosen(all_sites, args.site)
    chosen = times.longest_first(in_order)
    # (started now: it imports Pelican and reads the library while the driver works out what to build)
    forks = _Forks([name for name in settings.get("PLUGINS") or [] if isinstance(name, str)],
                   argv(chosen[0], os.cpu_count() or 1))
    leaving = _Leaving.start(args, settings, extra, chosen, cache) if "--ignore-cache" not in rest and \
        settings.get("GAZETTE_CACHE", True) else None
    found: dict[str, list[Any]] = {}  # --problems: each site's recorded problems

    def build(site: Site, workers: int) -> int:
        last = skip.load(site.cache) if leaving is not None else None
        if leaving is not None and last is not None and leaving.stands(site, last):
            sys.stderr.write(f"cluster: {site.id} ({site.name}): nothing added since its last build can change "
                             "it; left as it is\n")
            skip.carry_forward(site.cache, last, leaving.snapshot)
            found[site.id] = last.get("problems") or []
            return 0
        sys.stderr.write(f"cluster: {site.id} ({site.name}) → {site.output}\n")
        started = time.monotonic()
        code = forks.pelican(argv(site, workers, leaving))
        times.took(site, time.monotonic() - started)
        found[site.id] = _read_record(_site_record(args.problems, site)) if args.problems else []
        if leaving is not None:
            leaving.built(site, code, found[site.id])
        return code

    status = _run_all(chosen, build)
    if settings.get("GAZETTE_CACHE", True):  # (the one switch: nothing kept in CACHE_PATH)
        times.save()
    if leaving is not None:
        leaving.finish(all_sites)
    if args.problems:
        _merge_records(args.problems, [found.get(site.id, []) for site in in_order])
    write_index(Path(args.output), all_sites, status, published=False, preview=preview)
    return _verdict(all_sites, status, "构建失败")


class _Forks:
    """Each site's build a process of its own, forked from one that has imported Pelican and the
    plugins and parsed the library once for all the sites (multiprocessing's fork server).

    Starting Python and importing Pelican, Markdown, numpy and every plugin was 0.4 s of each
    site's build, reading the library from the parse cache 0.5 s (library.py). The fork server
    builds nothing: each site starts from the same clean state, as a new process would. It starts
    at once, so its work goes on while the driver works out which sites to build.
    """

    def __init__(self, plugins: list[str], argv: list[str]) -> None:
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["pelican", "pelican.generators", "plugins.cluster.cluster", *plugins,
                                             "plugins.cluster.preload"])
        os.environ[library.ENV] = json.dumps(argv)  # (the server takes it with the environment it starts in)
        try:
            multiprocessing.forkserver.ensure_running()
        finally:
            os.environ.pop(library.ENV, None)

    def pelican(self, argv: list[str]) -> int:
        """`python -m pelican ARGV`'s exit status."""
        child = self.context.Process(target=_build_site, args=(argv,))
        child.start()
        child.join()
        return child.exitcode if child.exitcode is not None else 1


def _build_site(argv: list[str]) -> None:
    """The forked site's build: Pelican's own command line (its exit status is the child's)."""
    from pelican import main

    main(argv)


TIMES = "cluster-times.json"  # (in CACHE_PATH) how long each site's last build took


class _Times:
    """How long each site's last build took: the longest start first, so no core waits at the end
    while one department still builds (the first site still goes first, alone: see _run_all)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        known = load_json(path)
        self.seconds: dict[str, float] = {k: v for k, v in known.items() if isinstance(v, (int, float))} \
            if isinstance(known, dict) else {}

    def longest_first(self, chosen: list[Site]) -> list[Site]:
        # (a site never built yet counts as the longest; sorted() keeps the cluster's order among equals)
        return chosen[:1] + sorted(chosen[1:], key=lambda site: -self.seconds.get(site.id, float("inf")))

    def took(self, site: Site, seconds: float) -> None:
        self.seconds[site.id] = round(seconds, 2)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(self.path), json.dumps(self.seconds, sort_keys=True).encode("utf-8"))


@dataclass
class _Leaving:
    """Which sites a cluster build leaves as they are (skip.py): the content as it was when the run began."""

    content: str
    env: str
    clock: skip.Clock
    files: skip.Files
    snapshots: skip.Snapshots
    snapshot: str  # files, by its name in snapshots
    cluster: dict[str, Any]
    inspected: bool
    given_schedule: str | None  # the caller's GAZETTE_SCHEDULE_FILE (make check), else each site's own

    @classmethod
    def start(cls, args: argparse.Namespace, settings: dict[str, Any], extra: tuple[str, ...],
              chosen: list[Site], cache: str) -> _Leaving:
        snapshots = skip.Snapshots(Path(cache))
        known = next((files for site in chosen if (data := skip.load(site.cache)) is not None
                      and (files := snapshots.load(data.get("files"))) is not None), None)
        clock = skip.Clock.of(settings)
        gazette.build.start(clock.now)
        files = skip.snapshot(args.content, known)
        return cls(args.content, skip.environment(settings, args.settings, [*args.pelican_args, *extra], ROOT),
                   clock, files, snapshots, snapshots.save(files), load_cluster(args.content, Problems()),
                   bool(settings.get("INSPECTION_ENABLED")), settings.get("GAZETTE_SCHEDULE_FILE"))

    def finish(self, all_sites: list[Site]) -> None:
        """Keep the snapshots some site's record names (a site not built this run names an older one)."""
        self.snapshots.prune({str(data.get("files")) for site in all_sites if (data := skip.load(site.cache))})

    def schedule(self, site: Site) -> Path:
        return Path(self.given_schedule) if self.given_schedule else site.cache / "schedule.json"

    def items(self, site: Site) -> list[str]:
        """-e items a build needs for its record: where it writes the library's schedule."""
        return [] if self.given_schedule else [f"GAZETTE_SCHEDULE_FILE={json.dumps(str(self.schedule(site)))}"]

    def stands(self, site: Site, last: dict[str, Any] | None) -> bool:
        """Whether the site's last build (its record, last) stands."""
        return skip.unchanged_for(site.id, last, env=self.env, clock=self.clock, content=self.content,
                                  files=self.files, snapshots=self.snapshots, site_cache=site.cache,
                                  output=site.output, cluster=self.cluster, inspected=self.inspected)

    def built(self, site: Site, code: int, problems: list[Any]) -> None:
        if code == 0:
            skip.record(site.cache, site.output, self.env, self.clock, self.snapshot, schedule=self.schedule(site),
                        problems=problems)
        else:
            skip.forget(site.cache)


def _site_record(record: str, site: Site) -> str:
    """Where one site's build records its problems (--problems problems.json: problems-jyj.json beside it)."""
    stem, ext = os.path.splitext(record)
    return f"{stem}-{site.id}{ext}"


def _read_record(path: str) -> list[Any]:
    """A site's recorded problems, taken from where its build wrote them (none if it stopped before reading)."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    finally:
        Path(path).unlink(missing_ok=True)
    return found if isinstance(found, list) else []


def _merge_records(record: str, per_site: list[list[Any]]) -> None:
    """--problems: every site's recorded problems in one file, each once (every site reads the one library,
    so most are every site's)."""
    rows: dict[str, Any] = {}
    for found in per_site:
        for row in found:
            rows.setdefault(json.dumps(row, sort_keys=True, ensure_ascii=False), row)
    write_atomic(record, (json.dumps(list(rows.values()), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def check(args: argparse.Namespace) -> int:
    """Build with the inspection on, list what changes in the next 7 days, and fail on must-fix findings."""
    report = Path(os.path.abspath(args.report))
    report.mkdir(parents=True, exist_ok=True)
    schedule = report / "schedule.json"
    extra = ["INSPECTION_ENABLED=true", f'GAZETTE_SCHEDULE_FILE="{schedule}"']
    if args.today:
        extra.append(f'INSPECTION_TODAY="{args.today}"')
    built = html(args, tuple(extra))
    if built != 0:
        return built
    subprocess.run([sys.executable, "-m", "plugins.schedule", "upcoming", "--events", str(schedule), "--days", "7"],
                   check=False, cwd=ROOT)
    failed = 0
    for site in _chosen(sites(args.content, args.output), args.site):
        failed |= subprocess.run([sys.executable, str(HERE.parent / "inspection" / "gate.py"),
                                  str(site.output / "inspection" / "report.json"), "--fail-on", "veto", "block"],
                                 check=False).returncode
    return 1 if failed else 0


def publish(args: argparse.Namespace) -> int:
    cache = _settings(args.settings, args.pelican_args).get("CACHE_PATH", "cache")
    all_sites = sites(args.content, args.output, os.path.abspath(args.report), cache)
    many = len(all_sites) > 1
    if many:
        Path(args.output).mkdir(parents=True, exist_ok=True)  # each site's folder, lock and report go inside
    script = HERE.parent / "inspection" / "publish.py"

    def one(site: Site, workers: int) -> int:
        site.report.mkdir(parents=True, exist_ok=True)
        problems, schedule = site.report / "problems.json", site.report / "schedule.json"
        for stale in (problems, schedule):
            stale.unlink(missing_ok=True)
        rest, overrides = split_overrides(args.pelican_args)
        extra = [f'GAZETTE_PROBLEMS_FILE="{problems}"', f'GAZETTE_SCHEDULE_FILE="{schedule}"', *site.overrides]
        if many:
            overrides.insert(0, f"GAZETTE_WORKERS={workers}")
            sys.stderr.write(f"cluster: 发布 {site.id}（{site.name}）→ {site.output}\n")
        code = subprocess.run([sys.executable, str(script), "--content", args.content, "--output", str(site.output),
                               "--settings", args.settings, *(["--today", args.today] if args.today else []),
                               "--", *rest, "-e", *overrides, *extra], check=False).returncode
        subprocess.run([sys.executable, "-m", "plugins.ci_report", "--problems", str(problems),
                        "--inspection", f"{site.output}-inspection/report.json",
                        "--codequality", str(site.report / "codequality-publish.json"),
                        "--heading", f"发布检查：{site.name}" if many else "发布检查"], check=False, cwd=ROOT)
        return code

    chosen = _chosen(all_sites, args.site)
    status = _run_all(chosen, one)
    if many:
        write_index(Path(args.output), all_sites, status, published=True)
    # Every site's schedule is the whole library's (content_model.schedule): once all are published, what fell
    # due is out, and `make scheduled` waits for the next moment. A site that failed is retried next hour.
    if chosen == all_sites and not any(status.values()):
        subprocess.run([sys.executable, "-m", "plugins.schedule", "record", "--events",
                        str(all_sites[0].report / "schedule.json"), "--record", os.path.abspath(args.record)],
                       check=False, cwd=ROOT)
    return _verdict(all_sites, status, "未发布")


def _verdict(all_sites: list[Site], status: dict[str, int], failed: str) -> int:
    bad = [s for s in all_sites if status.get(s.id, 0) != 0]
    if bad and len(all_sites) > 1:
        sys.stderr.write(f"cluster: {failed}：{'、'.join(f'{s.id}（{s.name}）' for s in bad)}；"
                         f"其余 {len(status) - len(bad)} 个网站已完成。\n")
    return 1 if bad else 0


def _report(site: Site) -> tuple[dict[str, Any] | None, str]:
    """The site's latest inspection, and its page from OUTPUT: its last publish's, else its last `make check`'s."""
    for folder in (f"{site.id}-inspection", f"{site.id}/inspection"):
        try:
            report = json.loads((site.output.parent / folder / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return report, f"{folder}/index.html"
    return None, ""


def write_index(output: Path, all_sites: list[Site], status: dict[str, int], *, published: bool,
                preview: bool = False) -> None:
    """OUTPUT/index.html: every site, how to open it here and there, and what its inspection found.

    A preview's page links each site's index.html (it is opened from an unzipped folder) and has a
    robots.txt beside it that keeps search engines out, as every site's own has."""
    rows = [{"id": s.id, "name": s.name, "url": s.url, "parent": s.parent,
             "path": f"{s.id}/index.html" if preview else f"{s.id}/",
             "status": status.get(s.id), **dict(zip(("report", "report_page"), _report(s), strict=True))}
            for s in all_sites]
    output.mkdir(parents=True, exist_ok=True)
    write_atomic(str(output / "index.html"), render(rows, published=published, preview=preview).encode("utf-8"))
    if preview:
        write_atomic(str(output / "robots.txt"), b"# A preview: not for search engines.\nUser-agent: *\nDisallow: /\n")
    write_atomic(str(output / "sites.json"), (json.dumps(
        [{k: r[k] for k in ("id", "name", "url", "parent", "status")} for r in rows],
        ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def _from_here(path: Path) -> str:
    rel = os.path.relpath(os.path.abspath(path))
    return str(path) if rel.startswith("..") else rel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("list", "html", "check", "publish"))
    parser.add_argument("--content", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--settings")
    parser.add_argument("--site", help="build, check or publish this site only, or these (make SITE=jyj,fgw)")
    parser.add_argument("--report", default="ci-report",
                        help="publish: where each site's CI report goes; check: where the schedule goes")
    parser.add_argument("--record", default="cache/published.json",
                        help="publish: the schedule as of the last publish of every site (make scheduled)")
    parser.add_argument("--today", help="check, publish: the day the inspection judges by")
    parser.add_argument("--problems", help="html: record every site's content problems in this JSON file, "
                        "each once (GAZETTE_PROBLEMS_FILE; make devserver shows them)")
    argv = list(sys.argv[1:] if argv is None else argv)
    cut = argv.index("--") if "--" in argv else len(argv)  # what follows -- is Pelican's, even nothing
    args = parser.parse_args(argv[:cut])
    args.pelican_args = argv[cut + 1:]
    if args.command == "list":
        # Paths from here when inside it, as CI's artifact paths must be (the Makefile passes absolute ones).
        sys.stdout.write(json.dumps([{"site": s.id, "output": _from_here(s.output), "url": s.url}
                                     for s in sites(args.content, args.output)], ensure_ascii=False) + "\n")
        return 0
    if not args.settings:
        parser.error("--settings is required for html, check and publish")
    return {"html": html, "check": check, "publish": publish}[args.command](args)
