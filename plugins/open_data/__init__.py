from gazette.plugins import plugin

from .open_data import SETTINGS, register

# Datasets are documents content_model reads and checks; the catalogue sits under their column.
register = plugin(register, needs=["content_model", "listings"], settings=SETTINGS)

__all__ = ["register"]
