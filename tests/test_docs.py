"""The editors' field reference is generated from the schema and kept in sync."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_docs_content_md_matches_schema():
    proc = subprocess.run([sys.executable, "-m", "plugins.content_model.docs", "--check", "docs/content.md"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_docs_reports_md_matches_the_report_tables():
    proc = subprocess.run([sys.executable, "-m", "annual_reports.docs", "--check", "docs/reports.md"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": "plugins"})
    assert proc.returncode == 0, proc.stderr
    text = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    for row in ("| `granted` | 予以公开 | （一）予以公开 |", "| `overview` | 总体情况 | yes |",
                "| `messages_days` | 平均办理时间（单位：天） | amount | counted |"):
        assert row in text


def test_docs_settings_md_matches_the_settings_tables():
    proc = subprocess.run([sys.executable, "-m", "gazette.settings_docs", "--check", "docs/settings.md"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for row in ("| `FEEDS_MAX_ITEMS` | `50` | whole number ≥ 1 |", "| `GAZETTE_WORKERS` | `the number of CPUs` |",
                "| `PAGE_QR_ERROR_CORRECTION` | `'M'` | one of 'L', 'M', 'Q', 'H' |"):
        assert row in text


def test_docs_name_every_field_with_its_label():
    text = (ROOT / "docs" / "content.md").read_text(encoding="utf-8")
    for row in ("| `doc_no` | 发文字号 | yes |", "| `interprets` | 解读文件 | yes |",
                "| `closes` | 截止时间 | yes |", "| `site_code` | 网站标识码 | yes |"):
        assert row in text
