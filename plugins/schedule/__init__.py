"""Publish on time: decide whether an hourly scheduled run has anything to publish, and list what is coming.

    python -m plugins.schedule due --events ci-report/schedule.json --record cache/published.json
    python -m plugins.schedule upcoming --events ci-report/schedule.json --days 7

The events come from the build itself (GAZETTE_SCHEDULE_FILE, written by content_model: every
moment an item goes live or a consultation opens or closes); the record is written by
publish.py after each successful publish. Not a Pelican plugin: the Makefile runs it.
"""
