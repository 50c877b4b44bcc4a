from __future__ import annotations

from .ci_report import main

raise SystemExit(main())
