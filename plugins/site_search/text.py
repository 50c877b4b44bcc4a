"""What a page says, as the search index and search.js both see it.

A document's searchable text is what its page shows inside the element marked
`data-search-body` (document.html's <article>: the disclosure table, title, byline, body,
attachments and related documents), so a word the page shows is found and a word it does
not show is not. Navigation, share links and footer are outside it.

Text is normalised the same way here and in search.js (`normalize` there): Unicode NFKC
(full-width letters and digits become ASCII), lower case, the brackets and joiners of
document numbers removed (so 滨政办发〔2026〕18号, 滨政办发[2026]18号 and 滨政办发(2026)18号
are one string, and so are 索引号 with or without their "-" and "/"), and every other
character that is not a letter or a digit turned into a break: a match never spans a
punctuation mark, a line or a cell of a table.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Removed before matching, in index and query alike (search.js: JOINERS).
JOINERS = "〔〕[]【】()-/"
_JOIN = str.maketrans("", "", JOINERS)
_BREAKS = re.compile(r"[\W_]+")
BREAK = "\x00"

MARK = "data-search-body"
_SKIP = re.compile(r"<(script|style|svg|template)\b.*?</\1>", re.S | re.I)
# Tags that start a new block: their edge is a break, as the browser shows it on a new line.
_BLOCK = re.compile(r"</?(?:p|div|li|ul|ol|dl|dt|dd|td|th|tr|table|caption|thead|tbody|h[1-6]|br|hr|section|"
                    r"header|footer|nav|aside|figure|figcaption|blockquote|pre|details|summary|article)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def normalize(text: str) -> str:
    """Text as it is matched: NFKC, lower case, joiners removed, runs of anything else as one BREAK."""
    return _BREAKS.sub(BREAK, unicodedata.normalize("NFKC", text).lower().translate(_JOIN))


def page_text(page: str) -> str:
    """The visible text of a page's data-search-body element ("" if it has none), blocks on their own lines."""
    mark = page.find(MARK)
    start = page.rfind("<", 0, mark)
    if mark < 0 or start < 0:
        return ""
    tag = page[start + 1: mark].split(None, 1)[0].lower()
    end = page.lower().rfind(f"</{tag}>")
    body = _SKIP.sub(" ", page[page.find(">", mark) + 1: end if end > mark else len(page)])
    return html.unescape(_TAG.sub("", _BLOCK.sub("\n", body)))
