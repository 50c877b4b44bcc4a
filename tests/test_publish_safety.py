"""Issue 11, items 8 and 9: `make publish` under faults, at the same time as another, and for nginx.

Each test publishes the sample site with publish.py as `make publish` does, then kills,
races, truncates or edits what a real fault would, and checks that the published folder
is always one whole build, readable by the web server, and never made of damaged cache.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, build, write_settings

sys.path.insert(0, str(ROOT / "plugins"))
from gazette.files import load_verified

PUBLISH = ROOT / "plugins" / "inspection" / "publish.py"
GATE = ROOT / "plugins" / "inspection" / "gate.py"
TODAY = "2024-05-10"
BROKEN = "---\ntitle: 坏\n---\n"  # no date: the build fails


def command(content: Path, output: Path, *options: str) -> list[str]:
    settings = write_settings(output.parent, content, "publishconf")
    return [sys.executable, str(PUBLISH), "--content", str(content), "--output", str(output),
            "--settings", str(settings), "--today", TODAY, *options]


def publish(content: Path, output: Path, *options: str, **popen: object) -> subprocess.CompletedProcess:
    return subprocess.run(command(content, output, *options), capture_output=True, text=True,
                          cwd=output.parent, timeout=300, **popen)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(output.name + "."))


def assert_complete(output: Path) -> None:
    for rel in ("index.html", "sitemap.xml", "search-index/zh-cn/index.json", "search/index.html", "theme/css/gazette.css"):
        assert (output / rel).is_file(), rel


def test_a_publish_killed_between_the_renames_is_repaired_by_the_next(sample_content, tmp_path):
    output = tmp_path / "output"
    assert publish(sample_content, output).returncode == 0
    before = snapshot(output)
    # What a kill between the fallback's two renames leaves: the old site put aside, no site
    # in place, and a new build beside it.
    output.rename(tmp_path / "output.previous")
    (tmp_path / "output.next").mkdir()
    (tmp_path / "output.next" / "index.html").write_text("<!DOCTYPE", encoding="utf-8")

    (sample_content / "news" / "broken.md").write_text(BROKEN, encoding="utf-8")
    failed = publish(sample_content, output)
    assert failed.returncode == 1
    assert f"publish: restored {output} from output.previous (an earlier publish was interrupted)." in failed.stderr
    assert failed.stderr.splitlines()[-1] == f"publish: 构建失败，未发布；{output} 保持原样。"
    assert snapshot(output) == before  # the complete site, not deleted as "not touched"
    assert leftovers(output) == ["output.lock"]

    (sample_content / "news" / "broken.md").write_text(
        "---\ntitle: 修复后的消息\ndate: 2024-05-09\n---\n正文\n", encoding="utf-8")
    good = publish(sample_content, output)
    assert good.returncode == 0, good.stderr
    assert "restored" not in good.stderr
    assert (output / "gzdt/2024/broken/index.html").is_file()
    assert leftovers(output) == ["output.lock"]


def test_the_swap_leaves_no_moment_without_a_site(sample_content, tmp_path):
    output = tmp_path / "output"
    assert publish(sample_content, output).returncode == 0
    (sample_content / "news" / "fresh.md").write_text("---\ntitle: 新消息\ndate: 2024-05-09\n---\n正文\n",
                                                      encoding="utf-8")
    missing: list[float] = []
    done = threading.Event()

    def watch() -> None:  # a reader asking for the home page all through the publish
        while not done.is_set():
            if not (output / "index.html").is_file():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = publish(sample_content, output)
    finally:
        done.set()
        watcher.join()
    assert result.returncode == 0, result.stderr
    assert missing == []
    assert (output / "gzdt/2024/fresh/index.html").is_file()
    assert_complete(output)
    assert leftovers(output) == ["output.lock"]


def test_without_an_exchange_two_renames_still_publish(sample_content, tmp_path, monkeypatch, capsys):
    """Kernels and systems without renameat2's exchange: the old swap, and no leftovers."""
    spec = importlib.util.spec_from_file_location("publish_under_test", PUBLISH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "exchange", lambda a, b: False)
    output = tmp_path / "output"
    argv = command(sample_content, output)[2:]
    monkeypatch.chdir(tmp_path)
    assert module.main(argv) == 0
    (sample_content / "news" / "fresh.md").write_text("---\ntitle: 新消息\ndate: 2024-05-09\n---\n正文\n",
                                                      encoding="utf-8")
    assert module.main(argv) == 0
    assert f"publish: 已发布到 {output}。" in capsys.readouterr().err
    assert (output / "gzdt/2024/fresh/index.html").is_file()
    assert_complete(output)
    assert leftovers(output) == ["output.lock"]


def test_a_second_publish_waits_for_the_first_or_says_why_it_does_not(sample_content, tmp_path):
    output = tmp_path / "output"
    lock = tmp_path / "output.lock"
    first = subprocess.Popen(command(sample_content, output), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert time.monotonic() < deadline and first.poll() is None, "the first publish never took the lock"
        time.sleep(0.01)
    refused = publish(sample_content, output, "--no-wait")
    second = subprocess.Popen(command(sample_content, output), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path)
    first_err = first.communicate(timeout=300)[1]
    second_err = second.communicate(timeout=300)[1]
    assert refused.returncode == 1
    assert refused.stderr == (f"publish: another publish of {output} is running (pid {first.pid}); "
                              "not publishing (run again when it is done, or without --no-wait)\n")
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert f"publish: another publish of {output} is running (pid {first.pid}); waiting…" in second_err
    for err in (first_err, second_err):
        assert "Traceback" not in err and "：禁止发布 0 项，" in err
    assert_complete(output)
    assert leftovers(output) == ["output.lock"]


def test_published_files_are_world_readable_whatever_the_umask(sample_content, tmp_path):
    """nginx runs as another user: a 0700 search-index/ folder means 403 and no search."""
    output = tmp_path / "output"
    result = publish(sample_content, output, preexec_fn=lambda: os.umask(0o077))
    assert result.returncode == 0, result.stderr
    unreadable = []
    for path in [output, *output.rglob("*")]:
        mode = path.lstat().st_mode
        bits = 0o555 if stat.S_ISDIR(mode) else 0o444
        if mode & bits != bits:
            unreadable.append(f"{path.relative_to(output)} {stat.filemode(mode)}")
    assert unreadable == []
    assert stat.S_IMODE((output / "search-index").stat().st_mode) & 0o555 == 0o555
    assert any(p.is_dir() for p in (output / "search-index/zh-cn").iterdir())  # its folders were checked too


def test_a_full_disk_during_the_build_leaves_the_site_as_it_was(sample_content, tmp_path):
    output = tmp_path / "output"
    assert publish(sample_content, output).returncode == 0
    before = snapshot(output)
    (sample_content / "news" / "fresh.md").write_text("---\ntitle: 新消息\ndate: 2024-05-09\n---\n正文\n",
                                                      encoding="utf-8")
    limit = 16 * 1024  # no file may grow past 16 KB: writes fail as on a full disk

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = publish(sample_content, output, preexec_fn=small_disk)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"publish: 构建失败，未发布；{output} 保持原样。"
    assert snapshot(output) == before
    assert leftovers(output) == ["output.lock"]


def test_a_truncated_cached_qr_code_is_made_again_not_published(sample_content, tmp_path):
    clean = build(sample_content, tmp_path / "output")
    assert clean.returncode == 0, clean.stderr
    entries = sorted(p for p in (tmp_path / "cache" / "page_qr").glob("*/*/*") if p.is_file())
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:-200])
    again = build(sample_content, tmp_path / "again")  # a fresh folder: every page rendered
    assert again.returncode == 0, again.stderr
    pages = {rel: data for rel, data in snapshot(clean.output).items() if rel.endswith(".html")}
    assert sum(b'class="gz-qr__img"' in data for data in pages.values()) >= len(entries)
    assert {rel: data for rel, data in snapshot(again.output).items() if rel.endswith(".html")} == pages
    assert all(load_verified(str(entry)) for entry in entries)  # the cache holds whole codes again


@pytest.mark.parametrize("rel", ["search-index/zh-cn/index.json", "index.html"])
def test_a_published_file_edited_in_place_is_not_published_again(sample_content, tmp_path, rel):
    """Pages come from a cache that shares its files with the output; the search index is compared byte for byte."""
    output = tmp_path / "output"
    assert publish(sample_content, output).returncode == 0
    path = output / rel
    original, before = path.read_bytes(), path.stat()
    with path.open("r+b") as fh:  # same size, same mtime: only the bytes say it changed
        fh.write(b"X" * 8)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.read_bytes() != original

    result = publish(sample_content, output)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == original


def test_the_gate_says_in_one_line_that_a_report_is_damaged(tmp_path):
    report = tmp_path / "report.json"
    report.write_text('{"summary": {"block": 0', encoding="utf-8")
    result = subprocess.run([sys.executable, GATE, report, "--fail-on", "block"], capture_output=True, text=True)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"gate: 无法读取检查报告 {report}（")
