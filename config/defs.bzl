"""Helpers for targets that only make sense under one build configuration."""

INCOMPATIBLE = ["//config:incompatible"]

def only_under(setting):
    """target_compatible_with value: build/test this target only under //config:<setting>."""
    return select({
        "//config:" + setting: [],
        "//conditions:default": INCOMPATIBLE,
    })
