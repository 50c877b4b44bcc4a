from gazette.plugins import plugin

from .page_qr import register

# The address in the codes comes from site.yaml, which content_model reads.
register = plugin(register, needs=["content_model"])

__all__ = ["register"]
