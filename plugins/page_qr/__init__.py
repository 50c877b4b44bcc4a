from .page_qr import register

__all__ = ["register"]
