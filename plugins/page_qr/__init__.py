from gazette.plugins import plugin

from .page_qr import SETTINGS, register

# The address in the codes comes from site.yaml, which content_model reads.
register = plugin(register, needs=["content_model"], settings=SETTINGS)

__all__ = ["register"]
