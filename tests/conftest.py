"""Build real sites with Pelican into temporary folders; tests assert on the output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).resolve().parent / "sample" / "content"
# A copy of the demo portal as shipped: content/ belongs to the office and is replaced on day one.
DEMO = Path(__file__).resolve().parent / "demo" / "content"
BUILD_TIME = "2024-06-01 12:00"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden from the current output (make golden)")


@dataclass
class Build:
    returncode: int
    stdout: str
    stderr: str
    output: Path
    content: Path

    def html(self, rel: str) -> str:
        return (self.output / rel).read_text(encoding="utf-8")

    @property
    def problems(self) -> list[str]:
        """The editor-facing lines of the build (one per problem)."""
        return [line for line in self.stderr.splitlines() if line.startswith("content/")]


def write_settings(tmp: Path, content: Path, conf: str = "pelicanconf", **overrides: object) -> Path:
    """Settings for a test build: the project's own settings with absolute paths and a fixed clock."""
    tmp.mkdir(parents=True, exist_ok=True)
    settings = tmp / "testconf.py"
    lines = [
        "import sys",
        f"sys.path.insert(0, {str(ROOT)!r})",
        f"from {conf} import *",
        f"PATH = {str(content)!r}",
        f"THEME = {str(ROOT / 'themes' / 'gazette')!r}",
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]",
        f"GAZETTE_BUILD_TIME = {BUILD_TIME!r}",
        "CACHE_CONTENT = False",
        "LOAD_CONTENT_CACHE = False",
    ]
    lines += [f"{key} = {value!r}" for key, value in overrides.items()]
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return settings


def build(content: Path, output: Path, fatal: str | None = "warnings", conf: str = "pelicanconf",
          **overrides: object) -> Build:
    """Run Pelican as editors and CI do, in a subprocess, and capture what it says."""
    settings = write_settings(output.parent, content, conf, **overrides)
    cmd = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings)]
    if fatal:
        cmd += ["--fatal", fatal]
    env = {**os.environ, "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8", "COLUMNS": "200"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=output.parent, env=env, timeout=300)
    return Build(proc.returncode, proc.stdout, proc.stderr, output, content)


@pytest.fixture
def sample_content(tmp_path: Path) -> Path:
    """A private copy of the small sample site that a test may change."""
    dest = tmp_path / "content"
    shutil.copytree(SAMPLE, dest)
    return dest


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """An output folder holding a previously published site."""
    out = tmp_path / "output"
    out.mkdir()
    (out / "index.html").write_text("published before", encoding="utf-8")
    return out


@pytest.fixture
def build_site(tmp_path: Path):
    """Build a content folder into tmp_path/output."""

    def run(content: Path, fatal: str | None = "warnings", **overrides: object) -> Build:
        return build(content, tmp_path / "output", fatal=fatal, **overrides)

    return run


@pytest.fixture
def inspect(build_site):
    """Build a content folder with the inspection on; its report.json."""

    def run(content: Path, today: str = "2024-05-10", **settings: object) -> dict:
        result = build_site(content, INSPECTION_ENABLED=True, INSPECTION_TODAY=today, **settings)
        assert result.returncode == 0, result.stderr
        return json.loads((result.output / "inspection" / "report.json").read_text(encoding="utf-8"))

    return run


def found(report: dict, rule: str) -> list[tuple[str, str, str, int]]:
    """(severity, message, path, line) of a rule's findings in an inspection report."""
    return [(f["severity"], f["message"], f.get("path", ""), f.get("line", 0))
            for f in report["findings"] if f["rule"] == rule]


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The sample site built once, unchanged, for read-only assertions."""
    base = tmp_path_factory.mktemp("sample")
    content = base / "content"  # outside git: no commit dates, so the output is fixed
    shutil.copytree(SAMPLE, content)
    result = build(content, base / "output")
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The demo portal (tests/demo/content, as shipped in content/) built once with the project's settings."""
    base = tmp_path_factory.mktemp("demo")
    result = build(DEMO, base / "output", GAZETTE_BUILD_TIME="2026-11-22 12:00")
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from browser import CHROMIUM_FLAGS, chromium_path
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def demo_url(demo_build):
    """The demo portal served on loopback."""
    from browser import serve

    with serve(demo_build.output) as url:
        yield url
