from gazette.plugins import plugin

from .cms import SETTINGS, register

# The editor's forms come from content_model's schema tables and site.yaml.
register = plugin(register, needs=["content_model"], settings=SETTINGS)

__all__ = ["register"]
