from gazette.plugins import plugin

from .site_search import SETTINGS, register

# The index holds the documents content_model has read and checked.
register = plugin(register, needs=["content_model"], settings=SETTINGS)

__all__ = ["register"]
