from gazette.plugins import plugin

from .listings import SETTINGS, register

# Columns list the documents content_model has read and checked.
register = plugin(register, needs=["content_model"], settings=SETTINGS)

__all__ = ["register"]
