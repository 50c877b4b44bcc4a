"""Build and publish a site cluster (集约化平台): every site from the one content library.

Run as `python -m plugins.cluster` (make html, make publish, make sites). Not a Pelican
plugin: it has no `register` and never goes into PLUGINS; it runs one Pelican build per site.
Which documents each site shows is the content model's work (content_model/cluster.py).
"""
