"""Dataset licences as URLs: what search engines and open-data catalogues (DCAT) need to name a licence."""

from __future__ import annotations

import re
from typing import Any

from gazette.urls import public_url

# Licences catalogues and search engines know by URL, by their names with case, spaces and punctuation left out.
LICENCES = {
    **dict.fromkeys(("cc0", "cc010", "cc0publicdomaindedication"), "https://creativecommons.org/publicdomain/zero/1.0/"),
    **dict.fromkeys(("ccby40", "知识共享署名40", "知识共享署名40国际", "知识共享署名40国际许可协议"),
                    "https://creativecommons.org/licenses/by/4.0/"),
    "ccbysa40": "https://creativecommons.org/licenses/by-sa/4.0/",
    "ccbync40": "https://creativecommons.org/licenses/by-nc/4.0/",
    "ccbynd40": "https://creativecommons.org/licenses/by-nd/4.0/",
    "ccbyncsa40": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    **dict.fromkeys(("odbl", "odbl10"), "https://opendatacommons.org/licenses/odbl/1-0/"),
    **dict.fromkeys(("odcby", "odcby10"), "https://opendatacommons.org/licenses/by/1-0/"),
    **dict.fromkeys(("pddl", "pddl10"), "https://opendatacommons.org/licenses/pddl/1-0/"),
}


def licence_url(doc: Any, settings: dict[str, Any]) -> str | None:
    """The dataset's licence as a URL: its license_url, a URL given as licence, or a known licence's; else None."""
    given = getattr(doc, "license_url", None) or ""
    if given.startswith("/"):
        return public_url(settings, given)
    if given.startswith(("https://", "http://")):
        return given
    name = getattr(doc, "license", None) or ""
    if name.startswith(("https://", "http://")):
        return name
    return LICENCES.get(re.sub(r"[\s\-_.()（）·]", "", name.lower()))
