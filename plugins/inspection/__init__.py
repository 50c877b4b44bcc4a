from .inspection import register

__all__ = ["register"]
