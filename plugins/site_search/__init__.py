from gazette.plugins import plugin

from .site_search import SETTINGS, register

# The index holds the documents content_model has read and checked, as the pages fast_build
# writes show them.
register = plugin(register, needs=["content_model"], after=["fast_build"], settings=SETTINGS)

__all__ = ["register"]
