"""A logger for the one-line messages editors and CI read: `file: field: message`, on stderr.

Pelican's own handler (Rich) wraps long lines at the terminal's width and adds times and
levels, which breaks the one-line form CI annotations and the devserver rely on; and a
logger of our own is not stopped by Pelican's `--fatal` logger at the first line.
"""

from __future__ import annotations

import logging
import sys


def line_logger(name: str) -> logging.Logger:
    """A logger of its own (not under Pelican's root handler) that prints each message as it is."""
    logger = logging.Logger(name)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return logger
