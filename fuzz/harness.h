/*
 * harness.h - decode, run, check: the one harness behind every driver
 * (libFuzzer target, replay binary, bazel tests, tools/repro).
 */
#ifndef MT_FUZZ_HARNESS_H
#define MT_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/maptrack.h"

/* An implementation by name: builtins and the bug zoo; NULL if unknown. */
const struct mt_ops *mt_harness_impl(const char *name);

/* Print every known implementation name, one per line. */
void mt_harness_list_impls(FILE *out);

/* Decode data, run it against ops, check it.  trace: print the readable
 * interleaving there (NULL: silent).  Returns 0 clean, 1 finding (then
 * mt_harness_report() prints it). */
int mt_harness_run(const uint8_t *data, size_t size, const struct mt_ops *ops, FILE *trace);

/* The finding of the last run and its interleaving. */
void mt_harness_report(FILE *out);

/* Replay drivers: turn SIGSEGV/SIGBUS/SIGFPE/SIGILL in the library into a
 * reported finding ("FINDING crash: ...", the interleaving, exit 1). */
void mt_harness_catch_crashes(void);

#endif /* MT_FUZZ_HARNESS_H */
