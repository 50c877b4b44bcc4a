"""Gazette settings for local builds (`make html`, `make serve`); publishconf.py builds on these."""

from __future__ import annotations

import os
import sys

# The shared code (gazette/) and the plugins, importable wherever Pelican runs: gazette/__init__.py says why.
# First and once, however often the settings are read (the devserver rereads them).
_root = os.path.dirname(os.path.abspath(__file__))
_ours = [_root, os.path.join(_root, "plugins")]
sys.path[:] = _ours + [path for path in sys.path if path not in _ours]

# No AUTHOR: pages name their own source (发文机关, 来源), and Pelican would give every document
# this one author and then match author against date lists in time growing with the square of
# the site (about 1 s at 10,000 documents) for author pages that are switched off anyway.
SITENAME = "滨海市人民政府"
SITEURL = ""
# The portal's public address: QR codes, share links, canonical URLs and feeds use it even
# in local previews, where SITEURL stays empty so links work on http://127.0.0.1:8000.
PORTAL_URL = "https://www.binhai.gov.cn"  # used when content/_data/site.yaml gives no `url`

PATH = "content"
THEME = "themes/gazette"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

PLUGIN_PATHS = ["plugins"]
# Each capability is one plugin package; remove one from the list to switch it off. The order
# matters only where a plugin says so (gazette/plugins.py): inspection and preview come after fast_build.
PLUGINS = ["content_model", "listings", "fast_build", "page_qr", "share", "seo", "feeds", "site_search", "minify",
           "open_data", "annual_reports", "cms", "inspection"]
# The inspection report (make check) is for the office, not for search engines.
SEO_ROBOTS_DISALLOW = ["/inspection/", "/admin/"]
# Common mis-writings reported by the inspection with file and line: {"wrong": "right"}.
INSPECTION_FORBIDDEN_TERMS = {
    "中华人民共和国国务院办公室": "国务院办公厅",
    "滨海市人民政府办公厅": "滨海市人民政府办公室",
    "原则上同意": "",
}

# Every document type except `page` is a Pelican article; `pages/` holds the static pages.
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = [""]
ARTICLE_EXCLUDES = ["_data"]
STATIC_PATHS = [""]  # attachments, images and data files live beside their documents
STATIC_EXCLUDES = ["_data"]
IGNORE_FILES = [".*", "_*", "README.md"]

# Short, stable ASCII URLs: column / year / file name or slug.
ARTICLE_URL = "{column}/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
ARTICLE_LANG_URL = "{lang}/{column}/{date:%Y}/{slug}/"
ARTICLE_LANG_SAVE_AS = ARTICLE_LANG_URL + "index.html"
# Article slugs repeat across columns and years; only pages pair translations by slug.
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = "slug"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = PAGE_LANG_URL + "index.html"
# Drafts never reach Pelican (content_model holds them back); these are a second guard.
DRAFT_URL = DRAFT_SAVE_AS = DRAFT_LANG_URL = DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_URL = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_URL = DRAFT_PAGE_LANG_SAVE_AS = ""

# Columns replace Pelican's blog taxonomies (listings plugin writes them).
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = TAG_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "404"]
# Columns and catalogue pages paginate themselves (listings.Pager): the front page shows the
# newest DEFAULT_PAGINATION items, and archive pages are numbered from the oldest, so a new
# document leaves old pages as they are. Pelican paginates nothing.
PAGINATED_TEMPLATES: dict[str, None] = {}
DEFAULT_PAGINATION = 20

# Feeds come from the distribution plugins; Pelican's own writer stays off.
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = TAG_FEED_RSS = None

MARKDOWN = {
    "extensions": ["markdown.extensions.extra", "markdown.extensions.sane_lists"],
    "extension_configs": {},
}

# Every value a template prints is escaped for HTML; only sanitised body HTML, QR-code SVG and
# JSON-LD (each escaped for its own context by the plugin that makes it) are marked safe.
# content_model refuses to build with autoescape switched off.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True}

# Root-relative links: they work from every page, including 404.html served at any path.
RELATIVE_URLS = False
# Fixed "now" for reproducible demo builds would go here; None means the real time.
GAZETTE_BUILD_TIME = None
