"""Publish safely: build into a fresh folder, inspect it, and only then swap it into place.

    python plugins/inspection/publish.py --content content --output output --settings publishconf.py

A failed build or a finding that must not go public (broken links, personal data,
forbidden terms) leaves the published folder byte-for-byte as it was. Staleness vetoes
are printed loudly but do not block: publishing new content is how they get fixed.
The report moves next to the site (`<output>-inspection/`) unless --keep-report.

The new build replaces the old in one step (Linux renameat2 RENAME_EXCHANGE), so a
reader always finds a whole site; elsewhere two renames, and a publish killed between
them is repaired by the next one. `<output>.lock` lets one publish at a time build and
swap; another waits for it (or, with --no-wait, says so and exits 1).
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run as a script: the project root, for gazette.pelican_args
from gazette.pelican_args import split_overrides  # noqa: E402

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def lock(path: Path, output: Path, wait: bool) -> int | None:
    """Take the publish lock of output; its descriptor, or None if another publish holds it and we may not wait."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        if not wait:
            sys.stderr.write(f"publish: another publish of {output} is running (pid {holder}); "
                             "not publishing (run again when it is done, or without --no-wait)\n")
            os.close(fd)
            return None
        sys.stderr.write(f"publish: another publish of {output} is running (pid {holder}); waiting…\n")
        fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def recover(output: Path, previous: Path) -> None:
    """Undo what a publish killed mid-swap left: the old site put aside and no site in place."""
    if not output.exists() and previous.is_dir():
        os.rename(previous, output)
        sys.stderr.write(f"publish: restored {output} from {previous.name} (an earlier publish was interrupted).\n")
    shutil.rmtree(previous, ignore_errors=True)  # a complete old site, already replaced by a newer one


def world_readable(root: Path) -> None:
    """Add read (and, for folders, search) permission for everyone: the web server is another user."""
    for folder, _dirs, files in os.walk(root):  # every folder but symlinked ones comes up as `folder`
        for path, bits in [(folder, 0o555), *((os.path.join(folder, name), 0o444) for name in files)]:
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and mode & bits != bits:
                os.chmod(path, stat.S_IMODE(mode) | bits)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (not Linux, old kernel, file system)."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap(staging: Path, output: Path, previous: Path) -> None:
    """Put the staged build in output's place; the old site ends up at staging (or is gone)."""
    if not output.exists():
        os.rename(staging, output)
    elif not exchange(staging, output):
        # Two renames: killed between them, output is missing and recover() puts previous back.
        os.rename(output, previous)
        try:
            os.rename(staging, output)
        except OSError:
            os.rename(previous, output)
            raise
        shutil.rmtree(previous, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--today", help="YYYY-MM-DD the inspection judges by (default: today)")
    parser.add_argument("--keep-report", action="store_true", help="publish /inspection/ with the site")
    parser.add_argument("--no-wait", action="store_true", help="exit 1 if another publish of the output is running")
    parser.add_argument("pelican_args", nargs="*", help="extra arguments for pelican (after --)")
    args = parser.parse_args(argv)
    output = Path(args.output).resolve()
    try:
        held = lock(output.with_name(output.name + ".lock"), output, wait=not args.no_wait)
        if held is None:
            return 1
        try:
            return publish(args, output, held)
        finally:
            os.close(held)
    except OSError as exc:
        # A full disk, a permission: one line, and the published site as it was (swap() never half-swaps).
        sys.stderr.write(f"publish: {exc}; {output} was not touched.\n")
        return 1


def publish(args: argparse.Namespace, output: Path, held: int) -> int:
    """Build, inspect and swap in, holding the lock (held, passed on to the build)."""
    staging = output.with_name(output.name + ".next")
    previous = output.with_name(output.name + ".previous")
    report_dir = output.with_name(output.name + "-inspection")
    recover(output, previous)
    shutil.rmtree(staging, ignore_errors=True)  # what a killed publish left half-built
    shutil.rmtree(report_dir, ignore_errors=True)  # an older run's report would describe other content
    extra = ["INSPECTION_ENABLED=true", "GAZETTE_SHOW_DRAFTS=false"]
    if args.today:
        extra.append(f'INSPECTION_TODAY="{args.today}"')
    rest, overrides = split_overrides(args.pelican_args)
    try:
        # The build inherits the lock: were this process killed, the next publish must
        # not clear output.next under a build still writing to it.
        build = subprocess.run([sys.executable, "-m", "pelican", args.content, "-o", str(staging),
                                "-s", args.settings, *rest, "-e", *overrides, *extra], check=False, pass_fds=(held,))
        if build.returncode != 0:
            sys.stderr.write(f"publish: 构建失败，未发布；{output} 保持原样。\n")
            return 1
        shutil.copytree(staging / "inspection", report_dir)
        gate = subprocess.run([sys.executable, str(HERE / "gate.py"), str(report_dir / "report.json"),
                               "--fail-on", "block"], check=False)
        if gate.returncode != 0:
            sys.stderr.write(f"publish: 发现不得公开的内容，未发布；{output} 保持原样。报告：{report_dir}/index.html\n")
            return 1
        if not args.keep_report:
            shutil.rmtree(staging / "inspection")
        world_readable(staging)
        swap(staging, output, previous)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # a failed build, or the old site after an exchange
    sys.stderr.write(f"publish: 已发布到 {output}。\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
