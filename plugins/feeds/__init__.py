from gazette.plugins import plugin

from .feeds import SETTINGS, register

# A feed per column, type and department: the columns exist once listings has made them.
register = plugin(register, needs=["content_model", "listings"], settings=SETTINGS)

__all__ = ["register"]
