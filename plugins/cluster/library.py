"""The content library parsed once for all the sites a cluster run builds.

Every site's build reads the whole library (cluster.py in content_model says why). From the
shared parse cache that was 0.5 s of each site's build at 10,000 documents: the same 10,000
entries read, checked and unpickled again by every site. cluster._Forks has its fork server
import preload.py last (after Pelican and the plugins), with the command line of a site's
build in GAZETTE_CLUSTER_LIBRARY; preload() parses the library there as that build would
(from the cache, else in worker processes) and keeps every parse in content_model's
parse_cache.PRELOADED. A site's build, forked from the server, takes a file's parse from
memory when the file's bytes are the ones parsed and its settings give the same parse salt;
anything else it parses as before. Whatever goes wrong here, the builds parse for themselves.
The server holds that one copy of the parsed library for the whole run (each build's own copy
of what it uses is its own, as before).
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import os

logger = logging.getLogger(__name__)

ENV = "GAZETTE_CLUSTER_LIBRARY"  # a site build's pelican arguments, as JSON


def preload() -> int:
    """Parse the library with the settings of the build in ENV; how many files are kept."""
    argv = json.loads(os.environ.pop(ENV, "null") or "null")
    if not argv:
        return 0
    try:
        return _preload(argv)
    except (Exception, SystemExit):  # (a build that fails the same way says why itself)
        logger.debug("cluster: the library was not read ahead", exc_info=True)
        return 0


def _preload(argv: list[str]) -> int:
    from content_model.content_model import start_build
    from content_model.parse_cache import PRELOADED
    from content_model.problems import Problems
    from content_model.reader import GazetteReader, now_in_portal_tz
    from pelican import get_config, parse_arguments
    from pelican.readers import Readers
    from pelican.settings import read_settings

    from gazette.plugins import tables
    from gazette.settings import apply

    args = parse_arguments(argv)
    settings = read_settings(args.settings, override=get_config(args))  # as pelican.get_instance reads them
    plugins = [importlib.import_module(name) for name in settings.get("PLUGINS") or [] if isinstance(name, str)]
    if apply(settings, tables(plugins)):
        return 0
    problems = Problems()
    build = start_build(settings, now_in_portal_tz(), problems)  # (a parse does not depend on the clock)
    if problems.errors or build.site_id not in build.cluster:
        return 0
    Readers(settings)  # as a build's reading starts: Pelican's Markdown reader adds its extension to MARKDOWN
    parsed = GazetteReader(settings).parse_library(PRELOADED, keep=True)
    gc.freeze()  # the forked builds' collectors leave the library alone (its pages stay shared)
    return len(parsed)
