"""Imported by the cluster's fork server, last: reads the library ahead for the sites (library.py)."""

from .library import preload

preload()
