from gazette.plugins import plugin

from .minify import register

# Needs fast_build only with MINIFY_ENABLED, which minify.configure checks.
register = plugin(register)

__all__ = ["register"]
