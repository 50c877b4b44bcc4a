from gazette.plugins import plugin

from .fast_build import SETTINGS, register

register = plugin(register, settings=SETTINGS)

__all__ = ["register"]
