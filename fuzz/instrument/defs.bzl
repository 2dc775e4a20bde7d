"""Compiling a user's code with the toolkit's instrumentation."""

load("//config:defs.bzl", "only_under")

# Compile step only: ThreadSanitizer's calls, served by //fuzz/instrument:runtime.
# -fno-sanitize=all first: the asan configs' -fsanitize=address,undefined and
# fuzzer-no-link cannot be combined with thread (the runtime's read/write
# hooks do the ASan check instead).
IX_COPTS = [
    "-fno-sanitize=all",
    "-fsanitize=thread",
    "-fno-omit-frame-pointer",
    "-g",
]

def instrumented_library(name, srcs, hdrs = [], deps = [], copts = [], **kwargs):
    """A cc_library of srcs compiled with the instrumentation (clang only)."""
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        copts = IX_COPTS + copts,
        deps = deps + ["//fuzz/instrument:runtime"],
        alwayslink = True,
        target_compatible_with = only_under("clang"),
        **kwargs
    )
