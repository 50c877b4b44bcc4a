"""Is a publish due, and what changes by itself in the coming days."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from gazette.files import copy_atomic

NOTHING_DUE = 3  # exit status of `due` when there is nothing to publish (0: due; others: errors)


def load_events(path: str) -> tuple[dt.datetime, list[dict[str, object]]]:
    """The build's clock and its events, times parsed."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    events = [{**e, "at": dt.datetime.fromisoformat(e["at"])} for e in data["events"]]
    return dt.datetime.fromisoformat(data["now"]), events


def last_published(path: str) -> dt.datetime | None:
    """The clock of the last successful publish (its schedule, kept by `record`), or None if unknown."""
    try:
        return load_events(path)[0]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(path: str, events: str) -> None:
    """Keep the schedule of a publish that succeeded: its clock is when the site was last brought up to date."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    copy_atomic(events, path)


def _line(event: dict[str, object]) -> str:
    return f"{event['at']:%Y-%m-%d %H:%M} {event['label']} {event['path']}"


def due(now: dt.datetime, events: list[dict[str, object]], built_at: dt.datetime | None) -> tuple[bool, str]:
    """Whether to publish now, and why (one line for the CI log)."""
    if built_at is None:
        return True, "due: no record of the last publish (first run, or the CI cache was cleared)"
    built_at = built_at.astimezone(now.tzinfo)
    if built_at.date() < now.date():
        return True, (f"due: last published {built_at:%Y-%m-%d %H:%M}; the first run of a day always publishes "
                      "(dates, consultation states and the inspection follow the calendar)")
    passed = [e for e in events if built_at < e["at"] <= now]  # type: ignore[operator]
    if passed:
        return True, "due: " + "; ".join(_line(e) for e in passed)
    coming = [e for e in events if e["at"] > now]  # type: ignore[operator]
    nxt = f"; next: {_line(min(coming, key=lambda e: e['at']))}" if coming else ""
    return False, f"nothing due since the last publish at {built_at:%Y-%m-%d %H:%M}{nxt}"


def upcoming(now: dt.datetime, events: list[dict[str, object]], days: int) -> str:
    until = now + dt.timedelta(days=days)
    lines = [_line(e) for e in events if now < e["at"] <= until]  # type: ignore[operator]
    head = f"未来 {days} 天将自动变化的内容（{now:%Y-%m-%d %H:%M} 起）："
    return head + ("\n  " + "\n  ".join(lines) if lines else "无") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("due", help=f"exit 0 if a publish is due, {NOTHING_DUE} if not")
    d.add_argument("--events", required=True)
    d.add_argument("--record", required=True)
    u = sub.add_parser("upcoming", help="list what changes by itself in the next days")
    u.add_argument("--events", required=True)
    u.add_argument("--days", type=int, default=7)
    r = sub.add_parser("record", help="after a successful publish, keep the schedule its build wrote")
    r.add_argument("--events", required=True)
    r.add_argument("--record", required=True)
    args = parser.parse_args(argv)
    try:
        now, events = load_events(args.events)
        if args.command == "record":
            write_record(args.record, args.events)
            return 0
    except (OSError, ValueError, KeyError, TypeError) as exc:
        sys.stderr.write(f"schedule: cannot read {args.events} ({exc}); the build must write it "
                         "(GAZETTE_SCHEDULE_FILE)\n")
        return 2
    if args.command == "upcoming":
        sys.stdout.write(upcoming(now, events, args.days))
        return 0
    publish, why = due(now, events, last_published(args.record))
    sys.stdout.write(why + "\n")
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(f"due={'true' if publish else 'false'}\n")
    return 0 if publish else NOTHING_DUE
