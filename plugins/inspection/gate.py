"""Turn an inspection report into an exit status and a short summary.

    python plugins/inspection/gate.py output/inspection/report.json --fail-on veto block

Exit 1 when any finding has a listed severity; vetoes not listed are still printed loudly.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--fail-on", nargs="+", default=["veto", "block"], choices=["veto", "block", "warning"])
    args = parser.parse_args(argv)
    try:
        with open(args.report, encoding="utf-8") as fh:
            report = json.load(fh)
        summary = report["summary"]
        findings = report["findings"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # A missing or damaged report proves nothing: say so and fail, so nothing is published on it.
        sys.stderr.write(f"gate: cannot read the inspection report {args.report} ({exc}); "
                         "build again with INSPECTION_ENABLED=true\n")
        return 1
    out = sys.stderr
    for finding in findings:
        if finding["severity"] in ("veto", "block"):
            where = finding.get("path", "") + (f":{finding['line']}" if finding.get("line") else "")
            out.write(f"{finding['severity'].upper()} {finding['rule']}: {where + ': ' if where else ''}"
                      f"{finding['message']}\n")
    out.write(f"inspection ({report['today']}): {summary['block']} must-not-publish, {summary['veto']} veto, "
              f"{summary['warning']} warnings; report: {args.report.removesuffix('report.json')}index.html\n")
    failing = sum(summary[s] for s in args.fail_on)
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
