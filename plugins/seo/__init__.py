from gazette.plugins import plugin

from .seo import SETTINGS, register

# Descriptions and JSON-LD are made from the documents content_model has checked and frozen.
register = plugin(register, needs=["content_model"], settings=SETTINGS)

__all__ = ["register"]
