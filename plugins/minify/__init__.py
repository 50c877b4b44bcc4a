from gazette.plugins import plugin

from .minify import SETTINGS, register

# Needs fast_build only with MINIFY_ENABLED, which minify.configure checks.
register = plugin(register, settings=SETTINGS)

__all__ = ["register"]
