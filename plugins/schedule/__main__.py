from __future__ import annotations

from .schedule import main

raise SystemExit(main())
