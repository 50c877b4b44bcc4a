from .preview import register

__all__ = ["register"]
