from __future__ import annotations

from .cluster import main

raise SystemExit(main())
