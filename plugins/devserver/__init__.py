"""Serve the site for editors: rebuild on every save, show content problems in the page, reload it.

Run as `python -m plugins.devserver` (make devserver). Not a Pelican plugin: it has no
`register` and never goes into PLUGINS; it runs Pelican, once per save, in a subprocess.
"""
