from gazette.plugins import plugin

from .share import SETTINGS, register

# The address in the links comes from site.yaml, which content_model reads.
register = plugin(register, needs=["content_model"], settings=SETTINGS)

__all__ = ["register"]
