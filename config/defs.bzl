"""Helpers for targets that only make sense under one build configuration."""

INCOMPATIBLE = ["//config:incompatible"]

def only_under(setting):
    """target_compatible_with value: build/test this target only under //config:<setting>."""
    return select({
        "//config:" + setting: [],
        "//conditions:default": INCOMPATIBLE,
    })

def default_config_only():
    """target_compatible_with value: the default (gcc, no sanitizer) build only.

    For tests whose result cannot depend on a sanitizer (a property of the
    input format, say) and whose cost is many runs: once is enough."""
    return select({
        "//config:asan": INCOMPATIBLE,
        "//config:tsan": INCOMPATIBLE,
        "//conditions:default": [],
    })
