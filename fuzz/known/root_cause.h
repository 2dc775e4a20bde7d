/*
 * root_cause.h - a finding's signature from its minimised reproducer.
 *
 * mt_signature() (known.h) names a finding from the one run that found it,
 * so the noise around a bug (other VCPUs' operations, stops that did not
 * matter) shows in the name: one double put gave 9-13 signatures in a
 * minute, an ABA 8.  mt_root_signature() shrinks the program first, in
 * process and bounded, then names what is left:
 *
 *   1. shrink: re-run candidates of the program (records cut after the
 *      finding; the program with no preemption at all, every record run
 *      to the end of its operation or every stopped operation run where it
 *      would have resumed; chunks of records removed; each stop turned
 *      into "run to the end"; the smallest geometry; VCPUs renumbered;
 *      arguments 0), keeping a candidate when it fails with the same
 *      invariant (the walk's I1-I6/I9 one class, the contract's C1/C4/C5
 *      one class) and, if the finding needs a preemption, still needs
 *      one; at most MT_ROOT_BUDGET re-runs, in a fixed order, so one
 *      program always shrinks to the same one;
 *   1b. canonical form: inputs of one bug come by different routes and
 *      shrink to different local minima; each is walked upwards from the
 *      smallest value and the first that still fails taken (entries per
 *      page 2, 3, ...; frames 1, 2, ...; the allocation-failure pattern
 *      1, 2, ...; each stop at 0, 1, ... schedule points; each argument
 *      1, 2, ...), then records and stops removed again;
 *   1c. earliest detection: the shortest prefix of that program (later
 *      records dropped, operations in flight drained) that fails with an
 *      invariant (I*, C*) is taken, and shrunk again, with the invariant
 *      it fails with: a later symptom of one corruption (I7 at a get, I11
 *      at a pop, each reached by its own route) is named by the check
 *      that sees the corruption first.  It may need no preemption where
 *      the finding did: a route to a sequential slip is named as that
 *      slip;
 *   2. name the minimal run:
 *        INV:seq:OP        it fails with no preemption; OP is the
 *                          operation that met the check ("get",
 *                          "put-bad", ...), "quiescent" for the walk
 *                          (between operations or at the end of the
 *                          run: one walk), "end" after destroy;
 *        INV:SITE:SITE     it needs a preemption: the conflicting pair of
 *                          accesses (same memory, one a write, lock words
 *                          aside) of the last preemption before the
 *                          finding that met one: what the stopped
 *                          operation read or wrote before its stop, earliest
 *                          first, and another VCPU's write to it meanwhile
 *                          (else its pending access, then its later ones);
 *                          sorted.  I11 and I12 are named by the pair their
 *                          checker reports;
 *        INV:order:OP      it needs its stops, but no conflicting pair
 *                          passed a schedule point (an operation in flight
 *                          whose operands were chosen at its start, a lock
 *                          held, the order of allocation attempts).
 *      INV is the invariant exactly (I1..I12, C1..C6, deadlock, leak ...).
 *
 * Sites are named by their stable identifiers (the hooked library's
 * "POP_READ_HEAD"; instrumented code's "file.line.column.kind"): no
 * handle, VCPU or record numbers, so the name does not change with a
 * rebuild.  Deterministic: the same program gives the same signature.
 *
 * After the call the context holds the run of the original program again
 * (mt_sim_report() prints the finding as found), and libFuzzer's coverage
 * counters are as the input left them (the re-runs would make failing
 * inputs look new).  A program named before is remembered.  Not for use
 * inside an exploration's callback (it re-runs the context) or a signal
 * handler; a re-run that crashes the library ends the process as the
 * input would have (a crash in process is not recovered here).
 */
#ifndef MT_FUZZ_KNOWN_ROOT_CAUSE_H
#define MT_FUZZ_KNOWN_ROOT_CAUSE_H

#include <stddef.h>

#include "fuzz/engine/sim.h"

/* Re-runs one signature may spend shrinking (MT_ROOT_BUDGET=N overrides;
 * 0: no shrinking, the one run is named as it is, and never "seq" if it
 * has a stop).  Each re-run costs about one execution of a small program;
 * a program named before is remembered.  A campaign whose inputs fail
 * often runs at a fraction of its speed (docs/bugbench.md).  256: the
 * canonical form needs it (64 left most inputs at their local minima). */
#define MT_ROOT_BUDGET 256u

/* What the last mt_root_signature() did (for tests and tools). */
struct mt_root_stats {
	unsigned runs;                 /* re-runs, the final restoring one included */
	unsigned records_in, records_out;
	unsigned stops_out;            /* records left that stop their VCPU mid-way */
	int seq;                       /* named INV:seq:OP */
	int budget_out;                /* shrinking stopped at the budget */
};

/* The signature of the last run of sim (which must have failed) from its
 * minimised program, into buf.  0, or -1 if the last run was clean. */
int mt_root_signature(struct mt_sim *sim, char *buf, size_t cap);

/* The same with the minimal program copied to *min if min is not NULL. */
int mt_root_signature_min(struct mt_sim *sim, char *buf, size_t cap, struct mt_program *min);

const struct mt_root_stats *mt_root_last_stats(void);

/* A driver whose engine keeps its coverage map elsewhere (AFL++'s shared
 * map: fuzz/drivers/afl_main.c) gives it here: map() returns the map and
 * its size at the time of the call.  It is saved before the re-runs of a
 * naming and put back after, as libFuzzer's counters are. */
void mt_root_set_cov_map(uint8_t *(*map)(size_t *size));

#endif /* MT_FUZZ_KNOWN_ROOT_CAUSE_H */
