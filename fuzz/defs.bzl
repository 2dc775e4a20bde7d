"""Build settings shared by the fuzz/ rooms."""

# The engine, checkers and format are built without libFuzzer's coverage
# instrumentation (-fno-sanitize=fuzzer-no-link): their loops would swamp
# the library's coverage and cost most of each run; the interleaving
# coverage comes from the simulator's own extra counters instead.
#
# In the libFuzzer build they also go without UBSan's pointer checks (null,
# alignment, pointer-overflow): the engine and the checkers are the tool,
# not the code under test, and keep their run context behind a pointer, so
# under those checks every field access paid a null and an alignment test
# (measured: 0.81x the old engine's exec/s with them, see README).  The
# asan suite of tools/test still builds them with every UBSan check; the
# library under test keeps every check everywhere.
NO_FUZZER_COVERAGE = select({
    "//config:libfuzzer": [
        "-fno-sanitize=fuzzer-no-link",
        "-fno-sanitize=null,alignment,pointer-overflow",
    ],
    "//conditions:default": [],
})
