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
	@echo '   make html                  (re)generate the web site into OUTPUTDIR'
	@echo '   make clean                 remove the generated files'
	@echo '   make serve [PORT=8000]     build the demo portal and serve it at http://127.0.0.1:8000'
	@echo '   make devserver [PORT=8000] serve and regenerate on every change'
	@echo '   make publish               generate using production settings (publishconf.py)'
	@echo '   make check [TODAY=…]       inspect content and output against the national indicators'
	@echo '   make test                  run the whole test suite'
	@echo '   make lint                  ruff on the Python code; docs/content.md up to date'
	@echo '   make docs                  regenerate docs/content.md from the schema tables'
	@echo '   make a11y                  Lighthouse + axe-core on key pages (needs node, chromium)'
	@echo '   make bench                 time Gazette against stock Pelican (1,000 and 10,000 documents)'
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

html: $(STAMP)
	$(PELICAN) "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

clean:
	[ ! -d "$(OUTPUTDIR)" ] || rm -rf "$(OUTPUTDIR)"

serve: html
	$(PELICAN) -l "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS) -p $(PORT) -b $(BIND)

# Shows drafts, items under review and embargoed items with a banner; never use its output.
devserver: $(STAMP)
	$(PELICAN) -lr "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS) -p $(PORT) -b $(BIND) \
		-e GAZETTE_SHOW_DRAFTS=true

# Builds into OUTPUTDIR.next, inspects it, and swaps it in only if nothing must-not-publish was found.
publish: $(STAMP)
	$(VENV)/bin/python plugins/inspection/publish.py --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" \
		--settings "$(PUBLISHCONF)" $(if $(TODAY),--today $(TODAY)) -- $(PELICANOPTS)

# Inspection against the national indicators; TODAY=YYYY-MM-DD fixes the date it judges by.
check: $(STAMP)
	$(PELICAN) "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS) \
		-e INSPECTION_ENABLED=true $(if $(TODAY),'INSPECTION_TODAY="$(TODAY)"')
	$(VENV)/bin/python plugins/inspection/gate.py "$(OUTPUTDIR)/inspection/report.json" --fail-on veto block

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTESTOPTS)

lint: $(STAMP)
	$(VENV)/bin/ruff check plugins tests pelicanconf.py publishconf.py
	$(VENV)/bin/python -m plugins.content_model.docs --check docs/content.md

# Lighthouse (mobile) and axe-core on the demo's home, a column, a policy and an interpretation.
A11Y_PAGES ?= / /zcwj/ /zcwj/2026/bzbf-2026-18/ /zcjd/2026/jd-bzbf-2026-18/
a11y: html
	@test -d tests/a11y/node_modules || (cd tests/a11y && npm ci --no-audit --no-fund --loglevel=error)
	node tests/a11y/run.mjs "$(OUTPUTDIR)" $(A11Y_PAGES)

# Gazette (all plugins, publish settings) vs stock Pelican on the same synthetic corpus.
BENCH_SIZES ?= 1000 10000
bench: $(STAMP)
	$(VENV)/bin/python bench/bench.py --sizes $(BENCH_SIZES)

golden: $(STAMP)
	$(VENV)/bin/python -m pytest -q tests/test_golden.py --update-goldens

docs: $(STAMP)
	$(VENV)/bin/python -m plugins.content_model.docs > docs/content.md

.PHONY: help venv html clean serve devserver publish check test lint docs golden a11y bench
