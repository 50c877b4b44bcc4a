from gazette.plugins import plugin

from .seo import SETTINGS, register

# Descriptions and JSON-LD are made from the documents content_model has checked and frozen;
# the sitemap lists the pages fast_build wrote, so its finalized receiver must run first.
register = plugin(register, needs=["content_model", "fast_build"], settings=SETTINGS)

__all__ = ["register"]
