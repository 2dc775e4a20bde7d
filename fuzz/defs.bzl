"""Build settings shared by the fuzz/ rooms."""

# The engine, checkers, format and driver library are built without
# libFuzzer's coverage instrumentation (-fno-sanitize=fuzzer-no-link):
# their loops would swamp the library's coverage and cost most of each run;
# the interleaving coverage comes from the simulator's own extra counters
# instead.
#
# In the libFuzzer build they also go without ASan and UBSan
# instrumentation of their own: they are the tool, not the code under test,
# and keep their run context behind a pointer, so every field access paid a
# shadow-memory and a null/alignment check (measured: 0.7-0.85x the old
# engine's exec/s with them; README, "Fuzzer speed").  The ASan runtime is
# still linked and still used (MT_ASAN_RUNTIME): fiber switches are
# announced, arena pages are poisoned, and the library under test keeps
# every check.  The asan suite of tools/test builds all of fuzz/ with every
# ASan and UBSan check.
NO_FUZZER_COVERAGE = select({
    "//config:libfuzzer": [
        "-fno-sanitize=fuzzer-no-link",
        "-fno-sanitize=address,undefined",
        "-DMT_ASAN_RUNTIME=1",
    ],
    "//conditions:default": [],
})
