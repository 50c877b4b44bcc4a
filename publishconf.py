"""Production settings: `make publish` builds with these."""

from __future__ import annotations

import os
import sys

# pelican-quickstart appends os.curdir; use this file's folder so any working directory works.
sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *

SITEURL = PORTAL_URL  # absolute links; site.yaml `site.url` replaces both
RELATIVE_URLS = False
MINIFY_ENABLED = True
GAZETTE_SHOW_DRAFTS = False  # never, whatever the command line says (see publish.py)
# A failed build must not remove the published site; safe swapping arrives with `make publish`
# building into a temporary folder (see the inspection issue), so never wipe OUTPUTDIR here.
DELETE_OUTPUT_DIRECTORY = False
