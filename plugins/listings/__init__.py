from gazette.plugins import plugin

from .listings import register

# Columns list the documents content_model has read and checked.
register = plugin(register, needs=["content_model"])

__all__ = ["register"]
