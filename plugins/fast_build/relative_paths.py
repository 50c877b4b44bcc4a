"""A document's source path relative to the content folder, worked out once per path.

Pelican asks Content.get_relative_source_path for it each time it formats a URL
(url_format passes it whether or not the URL uses {path}), when it creates a
document and when it records it: three to five times a document, each an abspath,
a relpath and a posixize. At 10,000 documents that was about 0.5 s of a rebuild
that adds one. The answer depends only on the working folder, PATH and the source
path, so it is kept by those; the method's behaviour is Pelican's own.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from pelican.contents import Content
from pelican.utils import posixize_path

_pelicans = Content.get_relative_source_path


@functools.lru_cache(maxsize=1 << 18)
def _relative(cwd: str, root: str, source_path: str) -> str:
    # (cwd: abspath of a relative PATH or source path depends on it)
    return posixize_path(os.path.relpath(os.path.abspath(os.path.join(root, source_path)), os.path.abspath(root)))


def get_relative_source_path(self: Content, source_path: str | None = None) -> str | None:
    if not source_path:
        source_path = self.source_path
    if source_path is None:
        return None
    return _relative(os.getcwd(), self.settings["PATH"], source_path)


def install() -> None:
    """Put the kept version in Pelican's place (once per process)."""
    Content.get_relative_source_path = get_relative_source_path  # type: ignore[method-assign]


def pelicans(content: Any, source_path: str | None = None) -> str | None:
    """Pelican's own, for comparison (tests)."""
    return _pelicans(content, source_path)
