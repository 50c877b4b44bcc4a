"""python -m plugins.devserver --content DIR --output DIR --settings FILE [--port N] [--bind ADDR] [-- PELICANOPTS]"""

from __future__ import annotations

from .devserver import main

raise SystemExit(main())
