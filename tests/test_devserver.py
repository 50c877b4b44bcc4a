"""make devserver: every save is built (even one made during a build), problems show in the page, pages reload."""

from __future__ import annotations

import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import ARTIFACTS
from conftest import ROOT, SAMPLE, write_cluster, write_settings

NEWS = "news/gzdt-1.md"
NEWS_URL = "/gzdt/2024/gzdt-1/"
OLD_TITLE = "样例市召开政务公开工作会议"
FAILED = "构建失败：请修改以下问题后保存"
PHONE = {"width": 390, "height": 844}

# A Pelican plugin that holds the build for a moment once every document has been read, and says
# so in a file: a save made then is one the running build has missed.
HOLD_PLUGIN = '''
import pathlib
import time

from pelican import signals


def hold(generators):
    pathlib.Path(generators[0].settings["HOLD_MARKER"]).write_text("read", encoding="utf-8")
    time.sleep(2)


def register():
    signals.all_generators_finalized.connect(hold)
'''


@dataclass
class Devserver:
    url: str
    content: Path
    log: Path

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "/__gazette/status", timeout=10) as response:
            return json.loads(response.read())

    def get(self, path: str) -> tuple[int, str, str]:
        """Status code, content type and text of a served URL."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode("utf-8")

    def wait(self, what: str, condition: Callable[[], object], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"devserver: {what} within {timeout:.0f} s; its log:\n{self.log.read_text(encoding='utf-8')}")
            time.sleep(0.05)

    def wait_built(self, after: int = 0) -> dict:
        """The status once more than `after` builds have finished and none is running."""
        self.wait(f"build {after + 1} finished", lambda: (s := self.status())["builds"] > after and not s["building"])
        return self.status()

    def edit(self, path: str, old: str, new: str) -> None:
        file = self.content / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    def terminal_problems(self) -> list[str]:
        """The one-line problems the devserver printed in its terminal, latest build last."""
        return [line for line in self.log.read_text(encoding="utf-8").splitlines() if line.startswith("content/")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def devserver(tmp_path: Path, *settings_lines: str, cluster: bool = False) -> Iterator[Devserver]:
    """Run `python -m plugins.devserver` on a copy of the sample site (or a cluster built on it) and theme, as
    `make devserver` does."""
    content = tmp_path / "content"
    if cluster:
        write_cluster(content)
    else:
        shutil.copytree(SAMPLE, content)
    theme = tmp_path / "theme"  # a private theme: edits to the shared one must not start builds here
    shutil.copytree(ROOT / "themes" / "gazette", theme)
    settings = write_settings(tmp_path, content, THEME=str(theme))
    with settings.open("a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in settings_lines)
    port = free_port()
    log = tmp_path / "devserver.log"
    env = {**os.environ, "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "plugins.devserver", "--content", "content", "--output", "output",
             "--settings", str(settings), "--port", str(port)],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Devserver(f"http://127.0.0.1:{port}", content, log)
    try:
        server.wait("answering", lambda: proc.poll() is not None or _answers(server), timeout=30)
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        first = server.wait_built()
        assert first["ok"], first
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # Stopping ends a running build too: nothing of the session is left behind.
    assert proc.returncode == 0, log.read_text(encoding="utf-8")


def _answers(server: Devserver) -> bool:
    try:
        server.status()
    except OSError:
        return False
    return True


def test_a_save_made_during_a_build_is_built_without_another_save(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hold_build.py").write_text(HOLD_PLUGIN, encoding="utf-8")
    marker = tmp_path / "read"
    with devserver(tmp_path, f"PLUGIN_PATHS = PLUGIN_PATHS + [{str(plugins)!r}]",
                   'PLUGINS = PLUGINS + ["hold_build"]', f"HOLD_MARKER = {str(marker)!r}") as server:
        builds = server.status()["builds"]
        marker.unlink()
        server.edit(NEWS, "会议正文。", "会议正文（一）。")
        server.wait("start building", lambda: server.status()["building"])
        server.wait("read every document", marker.exists)
        # The running build has read the old title; this save comes after it.
        server.edit(NEWS, f"title: {OLD_TITLE}", "title: 新标题在构建中保存")

        # That build ends without the new title (the next one holds for 2 s before it writes)...
        server.wait("finish the build", lambda: server.status()["builds"] > builds)
        missed = server.get(NEWS_URL)[2]
        assert "会议正文（一）" in missed and OLD_TITLE in missed
        # ...and the next one, started by nobody, has it.
        server.wait("show the title saved during a build, with no further save",
                    lambda: "新标题在构建中保存" in server.get(NEWS_URL)[2])
        status = server.wait_built(builds + 1)
        assert status["ok"] and status["builds"] == builds + 2, status
        assert "会议正文（一）" in server.get(NEWS_URL)[2]


def test_a_problem_is_shown_in_every_page_and_not_retried(tmp_path):
    with devserver(tmp_path) as server:
        code, kind, page = server.get(NEWS_URL)
        assert (code, kind) == (200, "text/html; charset=utf-8")
        assert FAILED not in page and 'id="gz-devserver"' in page
        # Pretty URLs, a redirect to the slash, the site's 404 page, types with a charset.
        assert server.get("/gzdt/2024/gzdt-1")[2] == page
        assert server.get("/")[0] == 200
        code, kind, missing = server.get("/no/such/page/")
        assert code == 404 and kind == "text/html; charset=utf-8" and 'id="gz-devserver"' in missing
        assert server.get("/theme/css/gazette.css")[1] == "text/css; charset=utf-8"
        on_disk = (tmp_path / "output" / "gzdt" / "2024" / "gzdt-1" / "index.html").read_bytes()

        builds = server.status()["builds"]
        server.edit(NEWS, "department: bgs", "department: bgs\ncolour: red")
        status = server.wait_built(builds)
        assert status["ok"] is False
        problem = server.terminal_problems()[-1]
        assert problem.startswith("content/news/gzdt-1.md: colour: unknown field")
        assert problem in status["lines"]

        for url in (NEWS_URL, "/", "/no/such/page/"):
            shown = html.unescape(server.get(url)[2])
            assert FAILED in shown and problem in shown, url
        # The failed build wrote nothing, and the bar is only in what is served.
        assert (tmp_path / "output" / "gzdt" / "2024" / "gzdt-1" / "index.html").read_bytes() == on_disk
        assert b"gz-devserver" not in on_disk
        assert OLD_TITLE in server.get(NEWS_URL)[2]

        # No retrying: with no save, no build.
        time.sleep(3)
        assert server.status() == status

        # Fixed, with a file nobody links to: the build works and the page shows the warning instead.
        (server.content / "news" / "forgotten.csv").write_text("a,b\n", encoding="utf-8")
        server.edit(NEWS, "\ncolour: red", "")
        status = server.wait_built(status["builds"])
        assert status["ok"], status
        warning = next(line for line in status["lines"] if line.startswith("content/news/forgotten.csv: (file): "))
        shown = html.unescape(server.get(NEWS_URL)[2])
        assert FAILED not in shown and "构建完成，但有以下提醒" in shown and warning in shown


def test_pages_reload_by_themselves_and_show_the_problem_until_it_is_fixed(tmp_path, browser):
    with devserver(tmp_path) as server:
        page = browser.new_page(viewport=PHONE)
        try:
            page.goto(server.url + NEWS_URL)
            assert page.title().startswith(OLD_TITLE)
            page.evaluate("window.stillTheSamePage = true")

            server.edit(NEWS, f"title: {OLD_TITLE}", "title: 自动刷新后的标题")
            page.wait_for_function("document.title.startsWith('自动刷新后的标题')", timeout=60_000)
            assert page.evaluate("window.stillTheSamePage") is None, "the page was changed, not reloaded"
            assert not page.locator("#gz-devserver [role=alert]").count()

            server.edit(NEWS, "department: bgs", "department: bgs\ncolour: red")
            overlay = page.locator("#gz-devserver [role=alert]")
            overlay.wait_for(state="visible", timeout=60_000)
            text = overlay.inner_text()
            assert FAILED in text
            problem = server.terminal_problems()[-1]
            assert problem.startswith("content/news/gzdt-1.md: colour:") and problem in text
            box = overlay.bounding_box()
            assert box and box["y"] == 0 and box["width"] == PHONE["width"], box
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "devserver-error-390.png"))

            server.edit(NEWS, "\ncolour: red", "")
            overlay.wait_for(state="detached", timeout=60_000)
            assert page.title().startswith("自动刷新后的标题")
        finally:
            page.close()


def test_a_cluster_is_served_site_by_site_and_rebuilt_whole(tmp_path):
    """In a site cluster the devserver builds as make html does: every site under /<id>/, the cluster page at /."""
    with devserver(tmp_path, cluster=True) as server:
        code, _, index = server.get("/")
        assert code == 200 and 'href="jyj/"' in index and 'id="gz-devserver"' in index
        copy = "/jyj/sjwj/2024/yl-2024-5/"
        assert "本页转载自" in server.get(copy)[2]
        assert server.get("/dq/" + NEWS_URL.lstrip("/"))[0] == 404  # the portal's own news is not the district's
        assert not (tmp_path / "output" / "gzdt").exists()  # nothing of the portal's outside its folder

        # An edit of the portal's policy reaches the department's copy on the same save.
        builds = server.status()["builds"]
        server.edit("policy/yl-2024-5.md", "title: 样例市人民政府关于加强政府网站建设的意见",
                    "title: 样例市人民政府关于加强和改进政府网站建设的意见")
        status = server.wait_built(builds)
        assert status["ok"], status
        assert "关于加强和改进政府网站建设的意见" in server.get(copy)[2]

        # A problem is shown once, though every site's build found it.
        server.edit(NEWS, "department: bgs", "department: bgs\ncolour: red")
        status = server.wait_built(status["builds"])
        assert status["ok"] is False
        shown = [line for line in status["lines"] if line.startswith("content/news/gzdt-1.md: colour: unknown field")]
        assert len(shown) == 1 and shown[0] in server.terminal_problems(), status
        assert FAILED in html.unescape(server.get(copy)[2])
