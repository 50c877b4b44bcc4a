"""Code the Gazette plugins share: file helpers, worker processes, public URLs, plugin order.

Pelican loads each plugin from PLUGIN_PATHS in the order of PLUGINS and never puts that
folder on sys.path, so helpers kept inside one plugin are importable only once that plugin
is loaded: listing `seo` before `content_model` used to drop seo ("No module named
'content_model'"). Shared plumbing lives here instead, beside plugins/, and a plugin that
needs another says so once (gazette/plugins.py); the content model itself (schema, fields,
problems) stays in content_model.

This package and plugins/ are found through sys.path, which pelicanconf.py extends with its
own folder and plugins/. Every way Gazette builds reads pelicanconf.py, so every way finds
the same files without a step of its own: `make` targets, `pelican -s pelicanconf.py` from
the project root or anywhere else, publishconf.py and previewconf.py (they import it), the
tests' settings (they import it too), and worker processes (forked, they inherit sys.path).
Tools started as `python -m plugins.<tool>` or `python plugins/inspection/publish.py` have
the project root on sys.path already, and pytest adds both (`pythonpath` in pyproject.toml).
The project is not installed into the venv: an installed copy goes stale at every edit, an
editable one needs a build backend and a package table for this flat layout, and neither
would make plugins/ importable, which lets a plugin import another plugin's modules
(inspection uses content_model's field parsers) whatever the order of PLUGINS.
"""
