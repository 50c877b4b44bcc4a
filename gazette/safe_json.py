"""JSON that can sit inside HTML or be served beside it: no '<', '>' or '&' as they are."""

from __future__ import annotations

import json
from typing import Any


def safe_json(value: Any, **dumps: Any) -> str:
    """json.dumps (UTF-8 kept) with <, > and & as \\u escapes: a `</script>` or markup in a title never ends an
    element early or shows up raw in any file. Keyword arguments go to json.dumps."""
    text = json.dumps(value, ensure_ascii=False, **dumps)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
