from gazette.plugins import plugin

from .inspection import SETTINGS, register

# Inspects the documents and columns; the pages it reads are written by fast_build, and the
# search index they link to is under way by site_search: both must come first when the build
# is finalized.
register = plugin(register, needs=["content_model", "listings"], after=["fast_build", "site_search"],
                  settings=SETTINGS)

__all__ = ["register"]
