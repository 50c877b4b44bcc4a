"""Preview settings: `make preview` builds what reviewers approve. Never publish its output.

The production build with drafts, items under review and embargoed items shown (each with
a banner saying so), a 预览 banner and a robots noindex tag on every page, and relative
links, so the folder works from a downloaded zip or any server path (plugins/preview).
"""

from __future__ import annotations

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from publishconf import *

SITEURL = ""
GAZETTE_PREVIEW = True
GAZETTE_SHOW_DRAFTS = True
PLUGINS = [*PLUGINS, "preview"]
MINIFY_ENABLED = False  # plugins/preview rewrites links in readable HTML
GAZETTE_CACHE = False  # nothing from production builds is reused, and nothing is kept for them
DELETE_OUTPUT_DIRECTORY = True
