from gazette.plugins import plugin

from .content_model import register

# The core: every other plugin works on the documents it reads and checks.
register = plugin(register)

__all__ = ["register"]
