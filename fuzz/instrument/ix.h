/*
 * ix.h - schedule points from the compiler: the toolkit's own runtime for
 * ThreadSanitizer's instrumentation entry points.
 *
 * Code under test is compiled with clang -fsanitize=thread (compile step
 * only; its TSan calls are linked against this runtime, never against the
 * TSan runtime).  Every read, write and atomic of that code then calls one
 * of the __tsan_* functions defined in ix.c, which
 *   - outside a simulated run: checks the address with ASan (when the
 *     binary has ASan) and lets the access happen (atomics are performed
 *     here, with __atomic builtins);
 *   - inside a run, on a simulated VCPU: the same check, then a schedule
 *     point of the engine (mt_sched_point) at the site of the access.
 *
 * Sites.  A site is one access of the source: the calls of the __tsan_*
 * access hooks in the machine code are found at start-up (a constructor
 * scans the executable's code for direct calls to the hooks), symbolized
 * in one run of LLVM's symbolizer (llvm-symbolizer-14; MT_IX_SYMBOLIZER
 * names another) with inlined frames, and named after the innermost
 * frame: "file.line.column.kind" ("treiber.c.41.7.cas64"; the function
 * and file:line:column in its text).  Calls with one name (copies the
 * compiler made by inlining or unrolling) are one site, so a site keeps
 * its name in every build configuration that compiles that access, and
 * when unrelated code is added.  mt_ix_site_tables is sorted by name; the
 * id inputs carry in bytes is a hash of the name (fuzz/format/input.h,
 * mt_in_ids_by_name; docs/input-format.md).  Code with line 0 (merged by
 * the optimizer) is "function.0.0.kind"; code without line tables
 * "pc_<offset>.kind", which changes with every build (--sites says so):
 * clang builds keep line tables (.bazelrc: --strip=never).  What still
 * differs between builds is which sites exist (an optimizer drops, merges
 * or widens accesses): mt_ix_build_id() fingerprints the set of names,
 * and mt_ix_check_build() refuses a text made on another build only if it
 * names a site this build lacks.  Instrumented code must be linked
 * statically into the executable (linkstatic; the Bazel macro does it).
 * A hook called from an address the scan did not find gets a spare slot
 * (discovery order; no byte id), named by the function and object it
 * comes from ("cds_lfs_pop_blocking+0x13 in liburcu-cds.so.8": a lock
 * call of a shared library; blind.h).  Inline assembly in instrumented
 * code is reported at start-up (blind.h, MT_IX_ASM).  Symbolizing is never
 * skipped (MT_IX_SYMBOLIZE, which once could turn it off, is ignored):
 * byte ids need the names.
 *
 * Spinning.  Each read is counted after its schedule point, with the
 * value it reads.  A VCPU that re-reads memory it read before and finds
 * the value it read there last time, MT_IX_SPIN_READS times in a row (no
 * write of its own, no new address, no changed value in between), is
 * parked before its next such re-read, but only if memory still holds
 * what it read at every address of those re-reads: no write by another
 * VCPU since could change what it reads.  A yield (sched_yield(), and on
 * a VCPU poll(), usleep(), nanosleep(), sleep(): no real sleep) with
 * nothing it read changed parks it too, and so does a pthread mutex or
 * spinlock found held.  It waits until another VCPU writes one of the
 * addresses it read (or unlocks the lock).  When every VCPU with work
 * waits, the engine re-checks each one parked as spinning (resumed for up
 * to MT_SIM_RECHECK_POINTS points, parked again only after
 * MT_IX_SPIN_RECHECK_READS re-reads; its yields do not park) and reports
 * a deadlock only if they all wait again with none able to run.
 */
#ifndef MT_FUZZ_INSTRUMENT_IX_H
#define MT_FUZZ_INSTRUMENT_IX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/mt_sites.h"

/* Re-reads with no own write before a VCPU counts as spinning. */
#define MT_IX_SPIN_READS 16u
/* ... and while the engine re-checks it (fuzz/engine/sim.h): a bounded
 * wait shorter than this is not a deadlock (MT_SIM_RECHECK_POINTS leaves
 * room for it). */
#define MT_IX_SPIN_RECHECK_READS 256u

/* Every site of the instrumented code of this executable (NULL-terminated
 * list for struct mt_ops.site_tables). */
extern const struct mt_site_table *const mt_ix_site_tables[];

/* Sites found by the start-up scan (spare slots excluded). */
unsigned mt_ix_nr_found(void);

/* A fingerprint of the set of site names: builds with the same sites give
 * equal ids (whatever their pcs and copies). */
uint64_t mt_ix_build_id(void);

/* The build line of texts and known-findings files made on this build:
 * "# ix-build: 0x<mt_ix_build_id()>" (a comment: every reader of texts
 * accepts it; byo_replay --sites, maptrack_replay --decode print it). */
#define MT_IX_BUILD_TAG "# ix-build: "

/* text (an input's text form, a known-findings file) names the build it
 * was made on with a line MT_IX_BUILD_TAG...: -1 if that is another build
 * and the text (outside comments) names a site this build does not have,
 * with what, the site and both build ids in err; 0 if it is this build,
 * names no build, or every site it names is here. */
int mt_ix_check_build(const char *text, const char *what, char *err, size_t errcap);

/* "" or why the runtime has no sites (no instrumented code, scan failed). */
const char *mt_ix_problem(void);

/* Statistics since start-up (tests). */
struct mt_ix_stats {
	unsigned long accesses, points, spin_parks, yield_parks, lock_parks, wakes, spare_sites;
	unsigned long abandoned_locks;  /* locks released at destroy after a finding */
	unsigned long sleeps;            /* poll, usleep, nanosleep, sleep on a VCPU: yields */
	unsigned long stale_volatile;    /* c11: volatile loads that read an older store */
	unsigned long restores;          /* ... and the newest values written back after them */
};
const struct mt_ix_stats *mt_ix_stats(void);

/* Finish the volatile access a VCPU made last, if its after-half is still
 * due (c11, volatile = "relaxed"; ix.c, ix_settle): write memory's newest
 * value back over the older one a volatile load was handed.  Every hook
 * does it first; the byo driver calls it when an operation returns,
 * before the checkers look. */
void mt_ix_settle(void);

/* Print the site table, one per line: byte id, name, text (function
 * file:line:column kind), in name order. */
void mt_ix_print_sites(FILE *out);

#endif /* MT_FUZZ_INSTRUMENT_IX_H */
