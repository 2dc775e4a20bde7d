"""Build settings shared by the fuzz/ rooms."""

# The engine, checkers and format are built without libFuzzer's coverage
# instrumentation (-fno-sanitize=fuzzer-no-link): their loops would swamp
# the library's coverage and cost most of each run; the interleaving
# coverage comes from the simulator's own extra counters instead.
NO_FUZZER_COVERAGE = select({
    "//config:libfuzzer": ["-fno-sanitize=fuzzer-no-link"],
    "//conditions:default": [],
})
