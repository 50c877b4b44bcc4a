from gazette.plugins import plugin

from .preview import register

# Rewrites the written pages, which fast_build writes when the build is finalized.
register = plugin(register, after=["fast_build"])

__all__ = ["register"]
