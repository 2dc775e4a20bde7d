"""<name>_stress: a free list of your own under real threads and clang's own ThreadSanitizer."""

load("//config:defs.bzl", "only_under")

def freelist_stress(name, srcs, adapter, hdrs = [], deps = [], copts = [], stress = {}):
    """The real-threads targets of freelist_fuzz_suite (defs.bzl calls this).

    The adapter and srcs are compiled a second time, with the configuration's
    -fsanitize=thread and linked with clang's own runtime (never with the
    toolkit's //fuzz/instrument:runtime, which defines the same __tsan_*
    entry points): only under --config=tsan.  A suite whose deps are
    instrumented libraries (//fuzz/instrument:runtime, incompatible there)
    has no stress binary.

    stress: {"impl": ["clean", flags...] or ["flagged", ATTEMPTS, WANT,
            flags...]}: one sh_test each, <name>_<impl>_stress_test
            (stress_test.sh: WANT is race, C1..C6 or crash); the flags go
            to the binary (bound it by --ops, not --seconds).

    Targets: <name>_stress_lib, <name>_stress (stress_adapter_main.c:
    --impl NAME, tools/stress --impl NAME runs it), the tests.
    """
    native.cc_library(
        name = name + "_stress_lib",
        srcs = srcs + [adapter],
        hdrs = hdrs,
        copts = copts,
        deps = deps + ["//fuzz/checkers:contract"],
        alwayslink = True,
        testonly = True,
        target_compatible_with = only_under("tsan"),
    )
    native.cc_binary(
        name = name + "_stress",
        deps = [":" + name + "_stress_lib", "//fuzz/instrument:stress_driver"],
        linkopts = ["-pthread"],
        testonly = True,
        visibility = ["//visibility:public"],
        target_compatible_with = only_under("tsan"),
    )
    for impl, spec in stress.items():
        native.sh_test(
            name = "%s_%s_stress_test" % (name, impl.replace("-", "_")),
            size = "small",
            timeout = "short",
            srcs = ["//fuzz/instrument:stress_test.sh"],
            args = ["$(location :%s_stress)" % name, impl] + spec,
            data = [":" + name + "_stress"],
            target_compatible_with = only_under("tsan"),
        )
