from gazette.plugins import plugin

from .annual_reports import register

# The yearly reports count the documents content_model reads and checks, column by column.
register = plugin(register, needs=["content_model", "listings"])

__all__ = ["register"]
