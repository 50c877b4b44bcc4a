"""An editor's loop without a browser: `make new`, `make validate FILE=…`, the pre-commit hook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from content_model import scaffold
from content_model.schema import TYPES

NOW = "2024-05-20 09:30"  # before conftest's build clock (2024-06-01): a new item is not scheduled


def make(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "LC_ALL": "C.UTF-8"})


@pytest.mark.parametrize("name", list(TYPES))
def test_make_new_writes_every_field_of_the_type_commented_in_chinese(sample_content, name, capsys):
    ctype = TYPES[name]
    assert scaffold.main([name, "--content", str(sample_content), "--now", NOW]) == 0
    path = capsys.readouterr().out.strip()
    folder = os.path.join(str(sample_content), ctype.folder)
    assert path.startswith(folder + os.sep) and path.endswith(".md")
    if name != "page":
        assert f"{os.sep}2024{os.sep}" in path and re.search(r"-20240520\.md$", path)
    with open(path, encoding="utf-8") as fh:
        header = fh.read().split("---\n")[1]
    values = yaml.safe_load(header)
    assert values["status"] == "draft"  # never published until an editor says so
    blocks = {re.match(r"(?:# )?(\w+):", block.splitlines()[-1])[1]: block for block in header.split("\n\n")[1:]}
    assert list(blocks) == [f.name for f in ctype.fields]  # every field, in the table's order
    for f in ctype.fields:
        assert f.label in blocks[f.name] and ("必填" in blocks[f.name]) == f.required, f.name
        assert (f.name in values) == (f.required or f.name == "status"), f.name  # optional ones commented out
        if f.choices:
            assert all(f"{key}（{label}）" in header for key, label in f.choices.items()), f.name
    # A second one on the same day gets its own name.
    assert scaffold.main([name, "--content", str(sample_content), "--now", NOW]) == 0
    assert capsys.readouterr().out.strip().endswith("-2.md")


def test_a_new_policy_is_refused_until_filled_in_and_published_only_when_marked(sample_content, build_site):
    made = make("new", "TYPE=policy", "SLUG=new-policy", f"INPUTDIR={sample_content}", f"NOW={NOW}")
    assert made.returncode == 0, made.stderr
    path = made.stdout.strip()
    assert path == str(sample_content / "policy" / str(_year()) / "new-policy.md")
    checked = make("validate", f"FILE={path}", f"INPUTDIR={sample_content}", f"NOW={NOW}")
    assert checked.returncode != 0
    rel = path  # outside the project: shown whole
    assert [line for line in checked.stderr.splitlines() if line.startswith(rel)] == [
        f"{rel}: title: is empty (标题 is required for type policy)",
        f"{rel}: doc_no: is empty (发文字号 is required for type policy)",
        f"{rel}: issuer: is empty (发文机关 is required for type policy)",
    ]
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    text = text.replace("\ntitle:\n", "\ntitle: 新建的测试文件\n").replace("\ndoc_no:\n", "\ndoc_no: 样政发〔2024〕99号\n")
    text = text.replace("\nissuer:\n", "\nissuer: 样例市人民政府\n")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    checked = make("validate", f"FILE={path}", f"INPUTDIR={sample_content}", f"NOW={NOW}")
    assert checked.returncode == 0, checked.stderr
    assert "1 file checked with the" in checked.stderr
    draft = build_site(sample_content)
    assert draft.returncode == 0, draft.stderr
    assert "新建的测试文件" not in "".join(p.read_text(encoding="utf-8", errors="replace")
                                      for p in draft.output.rglob("*") if p.is_file() and p.suffix in (".html", ".xml"))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace("status: draft", "status: published"))
    published = build_site(sample_content)
    assert published.returncode == 0, published.stderr
    assert "新建的测试文件" in published.html(f"zcwj/{_year()}/new-policy/index.html")


def _year() -> int:
    return int(NOW[:4])


def test_validate_file_shows_only_the_named_files_problems(sample_content):
    broken = sample_content / "news" / "broken.md"
    broken.write_text("---\ntitle: 坏文件\ndate: 2024-02-30 09:00\n---\n正文。\n", encoding="utf-8")
    other = sample_content / "news" / "other.md"
    other.write_text("---\ntitle: 另一个坏文件\ndate: 2024-05-01\nstatus: maybe\n---\n正文。\n", encoding="utf-8")
    good = next((sample_content / "policy").rglob("*.md"))
    only_broken = make("validate", f"FILE={broken}", f"INPUTDIR={sample_content}", f"NOW={NOW}")
    assert only_broken.returncode != 0
    shown = [line for line in only_broken.stderr.splitlines() if ": " in line and line.endswith(")")]
    assert len(shown) == 1 and "broken.md: date: '2024-02-30 09:00' is not a day of the calendar" in shown[0]
    assert "other.md" not in only_broken.stderr
    only_good = make("validate", f"FILE={good}", f"INPUTDIR={sample_content}", f"NOW={NOW}")
    assert only_good.returncode == 0, only_good.stderr
    assert "(2 problems in other files not shown)" in only_good.stderr
    everything = make("validate", f"INPUTDIR={sample_content}", f"NOW={NOW}")
    assert everything.returncode != 0 and "broken.md" in everything.stderr and "other.md" in everything.stderr


def test_make_new_refuses_unknown_types_and_bad_names(sample_content):
    wrong = make("new", "TYPE=polcy", f"INPUTDIR={sample_content}")
    assert wrong.returncode != 0 and "make new: TYPE=polcy: not a content type; one of policy (政策文件)" in wrong.stderr
    bad = make("new", "TYPE=news", "SLUG=新闻", f"INPUTDIR={sample_content}")
    assert bad.returncode != 0 and "make new: SLUG=新闻: use a-z, 0-9 and -" in bad.stderr
    assert make("new", "TYPE=政策文件", f"INPUTDIR={sample_content}").returncode == 0  # the Chinese name works too


def test_the_pre_commit_hook_refuses_a_commit_with_a_broken_content_file(tmp_path):
    """`make hooks` in a throw-away clone; the hook validates what is staged under content/."""
    if not shutil.which("git"):
        pytest.fail("git is needed")
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    # The clone gets this tree's Makefile, hook, plugins and shared code (they may not be committed yet) and its venv.
    for name in ("Makefile", "pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, repo / name)
    shutil.copytree(ROOT / ".ci", repo / ".ci", dirs_exist_ok=True)
    for name in ("plugins", "gazette"):
        shutil.rmtree(repo / name)
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "LC_ALL": "C.UTF-8"}
    installed = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "hooks"], cwd=repo,
                               capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stderr
    bad = repo / "content" / "news" / "hook-test.md"
    bad.write_text("---\ntitle: 钩子测试\ndate: 2024-13-01\n---\n正文。\n", encoding="utf-8")
    subprocess.run(["git", "add", str(bad)], cwd=repo, check=True)
    hook_env = {**env, "MAKEFLAGS": "-o .venv/.installed"}
    refused = subprocess.run(["git", "commit", "-q", "-m", "bad"], cwd=repo, capture_output=True, text=True,
                             env=hook_env)
    assert refused.returncode != 0
    assert "content/news/hook-test.md: date: '2024-13-01' is not a day of the calendar" in refused.stderr
    bad.write_text("---\ntitle: 钩子测试\ndate: 2024-12-01\n---\n正文。\n", encoding="utf-8")
    subprocess.run(["git", "add", str(bad)], cwd=repo, check=True)
    accepted = subprocess.run(["git", "commit", "-q", "-m", "good"], cwd=repo, capture_output=True, text=True,
                              env=hook_env)
    assert accepted.returncode == 0, accepted.stderr
