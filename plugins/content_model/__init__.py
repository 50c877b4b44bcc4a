from gazette.plugins import plugin

from .content_model import SETTINGS, register

# The core: every other plugin works on the documents it reads and checks.
register = plugin(register, settings=SETTINGS)

__all__ = ["register"]
