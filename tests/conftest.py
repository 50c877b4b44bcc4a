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
import yaml

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


# A site cluster (集约化) for tests/test_cluster.py and the cluster's devserver test.
PORTAL = "https://www.example.gov.cn"
DEPT = "https://jyj.example.gov.cn"
DISTRICT = "https://www.dq.example.gov.cn"
POLICY = "zcwj/2024/yl-2024-5/"  # the portal's policy the other sites repost


def _cluster_site(name: str, url: str, code: str, org: str, columns: list[dict], reposts: list[dict]) -> dict:
    return {"site": {"name": name, "url": url, "host": name, "site_code": code, "icp": "样ICP备00000002号",
                     "police": "样公网安备 00000000000002号", "contact": "电话：000-00000001",
                     "error_report_url": f"https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode={code}",
                     "index_org_code": org},
            "columns": columns, "reposts": reposts}


def write_doc(path: Path, header: dict, body: str = "正文。") -> None:
    """A content file: its YAML header, then its body."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(header, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n",
                    encoding="utf-8")


def write_cluster(content: Path) -> Path:
    """A site cluster in content: the sample portal, a department site that copies the portal's policies
    into its 上级文件 column, a district site that lists them by reference, and documents of each."""
    shutil.copytree(SAMPLE, content)
    site_file = content / "_data" / "site.yaml"
    portal = yaml.safe_load(site_file.read_text(encoding="utf-8"))
    portal["site"]["url"] = PORTAL
    portal["columns"].append({"id": "tzgg", "name": "通知公告", "type": "notice", "interval": 180})
    portal["reposts"] = [{"from": "children", "type": "notice", "column": "tzgg", "mode": "reference"}]
    site_file.write_text(yaml.safe_dump(portal, allow_unicode=True), encoding="utf-8")
    sites = content / "_data" / "sites"
    sites.mkdir()
    own = [{"id": "gzdt", "name": "工作动态", "type": "news", "interval": 14},
           {"id": "tzgg", "name": "通知公告", "type": "notice", "interval": 180},
           {"id": "sjwj", "name": "上级文件", "type": "policy", "interval": 180}]
    (sites / "jyj.yaml").write_text(yaml.safe_dump(_cluster_site(
        "样例市教育局", DEPT, "9999000012", "00000000MB0000012K", own,
        [{"from": "parent", "type": "policy", "column": "sjwj", "mode": "copy"}]), allow_unicode=True), encoding="utf-8")
    (sites / "dq.yaml").write_text(yaml.safe_dump(_cluster_site(
        "样例市东区人民政府", DISTRICT, "9999010001", "00000000MB0000101C", own,
        [{"from": "parent", "type": "policy", "column": "sjwj", "mode": "reference"}]), allow_unicode=True),
        encoding="utf-8")
    write_doc(content / "news" / "jyj-1.md", {"title": "市教育局部署校园安全工作", "date": "2024-05-20 10:00", "site": "jyj",
                                          "repost": ["parent"]})
    write_doc(content / "notice" / "jyj-tz-1.md", {"title": "关于中小学招生入学的通知", "date": "2024-05-10 10:00",
                                               "site": "jyj"})
    write_doc(content / "news" / "dq-1.md", {"title": "东区开展防汛检查", "date": "2024-05-22 10:00", "site": "dq",
                                         "repost": ["parent"], "repost_mode": "reference"},
         f"详见[市政府的意见]({PORTAL}/{POLICY})和[市教育局的动态]({DEPT}/gzdt/2024/jyj-1/)。")
    return content
