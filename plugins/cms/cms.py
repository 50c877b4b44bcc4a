"""The browser editor for people who do not use git: Decap CMS at /admin/, configured from the schema.

With CMS_ENABLED, the build writes `admin/index.html`, `admin/config.yml` (plugins/cms/config.py, from the
schema tables and site.yaml's `cms:`) and copies the Decap CMS bundle from CMS_BUNDLE, which `make cms`
installs from npm (pinned in plugins/cms/package-lock.json); nothing comes from a CDN. On localhost Decap
talks to decap-server (`make cms` starts it), which writes into this repository; on the public site it
commits through GitLab, Gitea or GitHub, and the merge request's review is the review on record.
"""

from __future__ import annotations

import os
from typing import Any

import yaml
from pelican import signals
from pelican.generators import Generator

import gazette.build
import gazette.output
from gazette.lines import line_logger
from gazette.settings import Setting, Table

from .config import decap_config, platform

SETTINGS = Table("cms", "CMS_", [
    Setting("CMS_ENABLED", False, "Write the browser editor (Decap CMS) at /admin/; `make cms` switches it on."),
    Setting("CMS_BUNDLE", ".cms/node_modules/decap-cms/dist", "The folder of Decap CMS's built files "
            "(`decap-cms.js` and its chunks), relative to the project; `make cms` installs it there."),
    Setting("CMS_PATH", "admin", "Where the editor is served, relative to the site's root."),
    Setting("CMS_LOCAL_BACKEND", "http://localhost:8081/api/v1", "Where the editor finds decap-server when it "
            "is opened on this computer (`make cms` starts it there)."),
])
ADMIN_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex, nofollow">
  <title>内容管理 - {name}</title>
  <link href="config.yml" type="text/yaml" rel="cms-config-url">
  <link rel="stylesheet" href="gazette-cms.css">
</head>
<body>
  <script src="decap-cms.js"></script>
</body>
</html>
"""
_report = line_logger("gazette.cms")
_HERE = os.path.dirname(os.path.abspath(__file__))


class CmsBundleMissing(SystemExit):
    """CMS_ENABLED without the Decap CMS files."""


def _bundle(settings: dict[str, Any]) -> str:
    folder = settings["CMS_BUNDLE"]
    return folder if os.path.isabs(folder) else os.path.join(os.path.dirname(settings["PATH"]), folder)


def get_generators(pelican: Any) -> type[Generator]:
    """Stop before reading anything when the editor is on and its files are not installed."""
    settings = pelican.settings
    if settings["CMS_ENABLED"] and not os.path.isfile(os.path.join(_bundle(settings), "decap-cms.js")):
        _report.error("pelicanconf.py: CMS_BUNDLE: no decap-cms.js in %s; run `make cms` once to install it",
                      _bundle(settings))
        raise CmsBundleMissing(1)
    return AdminGenerator


class AdminGenerator(Generator):
    """Write the editor's page, its configuration and the bundle into the output, with the other pages."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        if self.settings["CMS_ENABLED"]:
            write_admin(self.settings)


def write_admin(settings: dict[str, Any]) -> None:
    """The editor's page, its configuration and the bundle."""
    build = gazette.build.current()
    site = build.site
    output = gazette.output.current()
    folder = settings["CMS_PATH"].strip("/")
    portal, *others = build.cluster.values()
    # In a cluster, editors choose which site a document belongs to and which others show it.
    sites = {sid: data["site"].get("name", sid) for sid, data in build.cluster.items()} if others else {}
    cms = site.get("cms") or {}  # a site file without `cms:` has the portal's (site_data)
    if not others:
        config = decap_config(site, cms, settings["CMS_LOCAL_BACKEND"])
    elif build.site_id == portal["id"]:
        config = decap_config(platform(build.cluster), cms, settings["CMS_LOCAL_BACKEND"], sites)
    else:
        config = decap_config(site, cms, settings["CMS_LOCAL_BACKEND"], sites, own=build.site_id)
    output.write(f"{folder}/config.yml", yaml.safe_dump(config, allow_unicode=True, sort_keys=False).encode())
    output.write(f"{folder}/index.html", ADMIN_PAGE.format(name=site["site"].get("name", "")).encode())
    with open(os.path.join(_HERE, "gazette-cms.css"), "rb") as fh:
        output.write(f"{folder}/gazette-cms.css", fh.read())
    bundle = _bundle(settings)
    for name in sorted(os.listdir(bundle)):
        if (name == "decap-cms.js" or name.endswith((".decap-cms.js", ".wasm"))) and \
                os.path.isfile(os.path.join(bundle, name)):
            with open(os.path.join(bundle, name), "rb") as fh:
                output.write(f"{folder}/{name}", fh.read())


def register() -> None:
    # get_generators: fail early without the bundle; the editor is written with the other pages.
    signals.get_generators.connect(get_generators)
