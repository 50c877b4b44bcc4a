"""Publish safely: build into a fresh folder, inspect it, and only then swap it into place.

    python plugins/inspection/publish.py --content content --output output --settings publishconf.py

A failed build or a finding that must not go public (broken links, personal data,
forbidden terms) leaves the published folder byte-for-byte as it was. Staleness vetoes
are printed loudly but do not block: publishing new content is how they get fixed.
The report moves next to the site (`<output>-inspection/`) unless --keep-report.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def split_overrides(args: list[str]) -> tuple[list[str], list[str]]:
    """The caller's pelican arguments without their -e items, and those items.

    Pelican keeps only the last -e list, so the caller's items go into ours, before
    ours: a caller may set SITEURL for a preview, but never show drafts.
    """
    rest: list[str] = []
    items: list[str] = []
    taking = False
    for arg in args:
        if arg in ("-e", "--extra-settings"):
            taking = True
        elif arg.startswith("--extra-settings="):
            items.append(arg.split("=", 1)[1])
        elif taking and not arg.startswith("-"):
            items.append(arg)
        else:
            taking = False
            rest.append(arg)
    return rest, items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--today", help="YYYY-MM-DD the inspection judges by (default: today)")
    parser.add_argument("--keep-report", action="store_true", help="publish /inspection/ with the site")
    parser.add_argument("pelican_args", nargs="*", help="extra arguments for pelican (after --)")
    args = parser.parse_args(argv)
    output = Path(args.output).resolve()
    staging = output.with_name(output.name + ".next")
    previous = output.with_name(output.name + ".previous")
    report_dir = output.with_name(output.name + "-inspection")
    shutil.rmtree(staging, ignore_errors=True)
    extra = ["INSPECTION_ENABLED=true", "GAZETTE_SHOW_DRAFTS=false"]
    if args.today:
        extra.append(f'INSPECTION_TODAY="{args.today}"')
    rest, overrides = split_overrides(args.pelican_args)
    build = subprocess.run([sys.executable, "-m", "pelican", args.content, "-o", str(staging), "-s", args.settings,
                            *rest, "-e", *overrides, *extra], check=False)
    if build.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        sys.stderr.write(f"publish: the build failed; {output} was not touched.\n")
        return 1
    shutil.rmtree(report_dir, ignore_errors=True)
    shutil.copytree(staging / "inspection", report_dir)
    gate = subprocess.run([sys.executable, str(HERE / "gate.py"), str(report_dir / "report.json"),
                           "--fail-on", "block"], check=False)
    if gate.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        sys.stderr.write(f"publish: content that must not go public was found; {output} was not touched. "
                         f"Report: {report_dir}/index.html\n")
        return 1
    if not args.keep_report:
        shutil.rmtree(staging / "inspection")
    # Two renames on one filesystem: the old site is replaced only by a complete new one.
    shutil.rmtree(previous, ignore_errors=True)
    if output.exists():
        os.rename(output, previous)
    os.rename(staging, output)
    shutil.rmtree(previous, ignore_errors=True)
    sys.stderr.write(f"publish: {output} updated.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
