"""Compiling a user's code with the toolkit's instrumentation."""

load("//config:defs.bzl", "only_under")
load("//fuzz/instrument:stress_defs.bzl", "freelist_stress")

# Compile step only: ThreadSanitizer's calls, served by //fuzz/instrument:runtime.
# -fno-sanitize=all first: the asan configs' -fsanitize=address,undefined and
# fuzzer-no-link cannot be combined with thread (the runtime's read/write
# hooks do the ASan check instead).
# -O2 in every configuration: the instrumented code is the same program in
# the asan (fastbuild) replay build and the -c opt libFuzzer build (the same
# accesses survive optimisation, so both find the same sites and a saved
# input's run=N point counts mean the same stops); -g keeps the line tables
# that name the sites (file.line.column.kind).
# -mcx16: 16-byte atomics (a {pointer, tag} head) become
# __tsan_atomic128_* calls (served by ix_atomic128.c); without it clang
# calls libatomic, which the runtime does not serve (no link).
IX_COPTS = [
    "-fno-sanitize=all",
    "-fsanitize=thread",
    "-fno-omit-frame-pointer",
    "-O2",
    "-g",
    "-mcx16",
]

# libFuzzer's edge coverage of the instrumented code, in the libFuzzer
# build only (IX_COPTS' -fno-sanitize=all drops the config's
# fuzzer-no-link; without coverage libFuzzer sees only the interleaving
# pairs).  Edges as trace-pc-guard calls served by :coverage
# (ix_coverage.c says why not inline counters: clang 14's ThreadSanitizer
# would hook every counter update); the runtime's scan finds the same
# sites with and without (docs/figures.md, "Coverage of your code").
IX_COVERAGE_COPTS = select({
    "//config:libfuzzer": ["-fsanitize-coverage=trace-pc-guard"],
    "//conditions:default": [],
})
IX_COVERAGE_DEPS = select({
    "//config:libfuzzer": ["//fuzz/instrument:coverage"],
    "//conditions:default": [],
})

# What a volatile access of the instrumented code is (the `volatile`
# attribute below): "plain", a non-atomic access like any other (a race on
# it is finding I12); "relaxed", a relaxed atomic (kernel READ_ONCE /
# WRITE_ONCE, Xen's read_atomic): clang then calls __tsan_volatile_readN /
# writeN for it, which the runtime (ix.c) counts as relaxed atomics.
VOLATILE_COPTS = {
    "plain": [],
    "relaxed": ["-mllvm", "-tsan-distinguish-volatile=1"],
}

def _volatile_copts(volatile):
    if volatile not in VOLATILE_COPTS:
        fail("volatile = %r: want one of %s" % (volatile, sorted(VOLATILE_COPTS.keys())))
    return VOLATILE_COPTS[volatile]

def instrumented_library(name, srcs, hdrs = [], deps = [], copts = [], volatile = "plain", **kwargs):
    """A cc_library of srcs compiled with the instrumentation (clang only).

    volatile: "plain" (default) or "relaxed": what a volatile access is
    (VOLATILE_COPTS; docs/memory-model.md).  The choice is per library:
    one binary may link libraries built either way.
    """
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        copts = IX_COPTS + IX_COVERAGE_COPTS + _volatile_copts(volatile) + copts,
        deps = deps + ["//fuzz/instrument:runtime"] + IX_COVERAGE_DEPS,
        alwayslink = True,
        target_compatible_with = only_under("clang"),
        **kwargs
    )

def freelist_fuzz_suite(
        name,
        srcs,
        adapter,
        hdrs = [],
        deps = [],
        scenarios = {},
        fuzz = {},
        stress = {},
        copts = [],
        volatile = "plain",
        export_scenarios = True,
        thread_identity = False,
        allow_asm = False,
        test_tags = []):
    """Everything to fuzz a free list of your own, from one call.

    name:      prefix of the targets
    srcs/hdrs: the free list's own code, compiled with the instrumentation
    adapter:   the adapter source (MT_FL_REGISTER), compiled normally
    scenarios: {"impl": {"clean": [files], "flagged": [files]}}: replay tests
               (a scenario's header may say "model c11")
    fuzz:      {"impl": ["clean"|"flagged", seed, runs, ...]}: bounded
               libFuzzer runs from an empty corpus (only under
               --config=asan-libfuzzer); after runs, optionally a pattern
               the finding must match and "model=sc|c11" (every input
               runs under that memory model)
    stress:    {"impl": ["clean", flags...] or ["flagged", attempts, want,
               flags...]}: real-threads tests under --config=tsan
               (stress_defs.bzl)
    volatile:  "plain" or "relaxed" (instrumented_library)
    export_scenarios: False when another suite of the package exports
               the same scenario files already
    thread_identity: True when the code keys anything by thread
               (_Thread_local, pthread_self, pthread_getspecific, gettid,
               liburcu's RCU readers): each VCPU then runs as a thread of
               its own (docs/bring-your-own.md, "Thread identity")
    allow_asm: False (default): the fuzz and explore tests fail when the
               runtime finds atomic or fence instructions it cannot see
               (inline assembly) in the instrumented code, or an
               operation that never reaches a schedule point
               (fuzz/instrument/blind.h, MT_IX_ASM=fail); True: warned only
    test_tags: tags of every test made here (["manual"] for a suite whose
               tests are expected to fail, run by a test of its own)

    Targets: <name>_lib, <name>_adapter, <name>_replay (every adapter of
    the suite, by --impl), <name>_explore (every schedule of a scenario's
    operations with at most K preemptions), <name>_fuzzer (libFuzzer;
    MT_IMPL picks the adapter), <name>_triage and <name>_depth (manual:
    tools/triage and tools/explore --depth build them), <name>_<impl>_<verdict>_test (replay),
    <name>_<impl>_<verdict>_explore_test (exploration at K = 1: clean
    complete, or flagged), <name>_<impl>_fuzz_test, <name>_stress and
    <name>_<impl>_stress_test (real threads, clang's ThreadSanitizer:
    stress_defs.bzl).
    """
    freelist_stress(name, srcs, adapter, hdrs, deps, _volatile_copts(volatile) + copts, stress)
    instrumented_library(
        name = name + "_lib",
        srcs = srcs,
        hdrs = hdrs,
        deps = deps,
        copts = copts,
        volatile = volatile,
        testonly = True,
    )
    native.cc_library(
        name = name + "_adapter",
        srcs = [adapter],
        deps = [":" + name + "_lib", "//fuzz/checkers:contract"] +
               (["//fuzz/instrument:identity"] if thread_identity else []),
        alwayslink = True,
        testonly = True,
        target_compatible_with = only_under("clang"),
    )
    # The drivers over the adapter: suffix, main source, extra deps, link
    # options, the configuration they build under, tags.  replay, explore
    # and fuzzer are the suite's own (byo_*_main.c, the tests below);
    # triage and depth are the maptrack front ends (the harness runs an
    # adapter under the contract), built when a tool asks (tools/triage,
    # tools/explore --depth).
    for suffix, src, extra, linkopts, setting, tags in [
        ("replay", "//fuzz/instrument:byo_replay_main.c", [], [], "clang", []),
        ("explore", "//fuzz/instrument:byo_explore_main.c", ["//fuzz/explore"], [], "clang", []),
        ("fuzzer", "//fuzz/instrument:byo_fuzzer_main.c", [], ["-fsanitize=fuzzer"], "libfuzzer", []),
        ("triage", "//fuzz/triage:triage_main.c", ["//fuzz/triage"], [], "clang", ["manual"]),
        ("depth", "//fuzz/explore:depth_main.c", ["//fuzz/explore"], [], "clang", ["manual"]),
    ]:
        native.cc_binary(
            name = name + "_" + suffix,
            visibility = ["//visibility:public"],
            srcs = [src],
            deps = [":" + name + "_adapter", "//fuzz/instrument:byo"] + extra,
            linkopts = linkopts,
            linkstatic = True,
            testonly = True,
            tags = tags,
            target_compatible_with = only_under(setting),
        )
    # The scenarios, for tools and tests outside the folder.
    exported = {}
    for verdicts in scenarios.values():
        for files in verdicts.values():
            for f in files:
                exported[f] = True
    if export_scenarios:
        native.exports_files(sorted(exported.keys()))
    asm = "allow" if allow_asm else "fail"
    for impl, verdicts in scenarios.items():
        for verdict, files in verdicts.items():
            native.sh_test(
                name = "%s_%s_%s_test" % (name, impl.replace("-", "_"), verdict),
                size = "small",
                timeout = "short",
                srcs = ["//fuzz/instrument:replay_test.sh"],
                args = ["$(location :%s_replay)" % name, impl, verdict] + ["$(location %s)" % f for f in files],
                data = [":" + name + "_replay"] + files,
                tags = test_tags,
                target_compatible_with = only_under("clang"),
            )
            native.sh_test(
                name = "%s_%s_%s_explore_test" % (name, impl.replace("-", "_"), verdict),
                size = "small",
                timeout = "short",
                srcs = ["//fuzz/instrument:replay_test.sh"],
                args = ["--asm", asm, "$(location :%s_explore)" % name, impl, verdict] + ["$(location %s)" % f for f in files],
                data = [":" + name + "_explore"] + files,
                tags = test_tags,
                target_compatible_with = only_under("clang"),
            )
    for impl, spec in fuzz.items():
        native.sh_test(
            name = "%s_%s_fuzz_test" % (name, impl.replace("-", "_")),
            size = "medium",
            timeout = "moderate",
            srcs = ["//fuzz/instrument:fuzz_test.sh"],
            args = ["$(location :%s_fuzzer)" % name, impl, spec[0], str(spec[1]), str(spec[2])] + spec[3:] + ["asm=" + asm],
            data = [":" + name + "_fuzzer"],
            tags = test_tags,
            target_compatible_with = only_under("libfuzzer"),
        )
