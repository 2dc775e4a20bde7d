/*
 * triage.h - what a user needs to understand a finding in minutes:
 * a verdict per input, a schedule shrinker (1-minimal), a signature that
 * groups findings by the race they show, and the readable interleaving as
 * text or as a swimlane picture (SVG, HTML, or a gnuplot script for PNG).
 *
 * Built only on what fuzz/input.h and fuzz/sim.h export: programs are
 * decoded and encoded with mt_in_*, run through fuzz/drivers/harness.h, and the trace
 * is the simulator's own readable interleaving, parsed back line by line.
 */
#ifndef MT_FUZZ_TRIAGE_H
#define MT_FUZZ_TRIAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/format/input.h"
#include "lib/maptrack.h"

/* ---- verdicts ---- */

struct mt_tri_verdict {
	int flagged;          /* 0 clean, 1 finding */
	char inv[32];         /* "I5", "deadlock", "livelock", "crash", "timeout", ... */
	char finding[512];    /* the simulator's one-line finding */
};

/* Run p against ops.  A crash or hang of the library is a verdict too
 * (inv "crash" / "timeout"), never the end of the caller. */
void mt_tri_run(const struct mt_program *p, const struct mt_ops *ops, struct mt_tri_verdict *v);

/* Run every program in a child process (slower; default: in process,
 * switching to children by itself after the first crash). */
void mt_tri_set_isolated(int on);

/* The harness (engine context and checkers) the runs of this module use,
 * bound to ops: set pair counters or an event hook on its engine. */
struct mt_harness *mt_tri_harness(const struct mt_ops *ops);

/* Runs made so far (all callers). */
unsigned long mt_tri_runs(void);

/* A file: the text form if it starts with "maptrack-input", else bytes
 * (every byte string decodes).  -1 and err if it cannot be read/parsed. */
int mt_tri_load(const char *path, const struct mt_ops *ops, struct mt_program *p, char *err, size_t errcap);

/* Canonical bytes of p (mt_in_encode); 0 if p cannot be encoded. */
size_t mt_tri_encode(const struct mt_program *p, uint8_t *out, size_t cap);

/* ---- shrinking ---- */

struct mt_tri_shrink_stats {
	unsigned runs;
	unsigned records_before, records_after;
	unsigned vcpus_before, vcpus_after;
	unsigned switches_before, switches_after;
};

/* Records that stop their VCPU before its operation ends (the places
 * where the schedule can switch VCPUs). */
unsigned mt_tri_switches(const struct mt_program *p);

/* Shrink p in place while it still breaks invariant inv on ops: drop
 * records (chunks, then one by one), VCPUs (with their records),
 * context switches (a stopping record runs its operation to the end, in
 * place or moved later: a stop at once is often only a reordering),
 * then simplify the header and arguments; repeat until nothing changes.
 * The result is 1-minimal (mt_tri_check_minimal).  Returns 0, or -1 if p
 * does not break inv to begin with (p unchanged). */
int mt_tri_shrink(struct mt_program *p, const struct mt_ops *ops, const char *inv,
                  struct mt_tri_shrink_stats *st);

/* 1 if removing any one record, any one VCPU or any one context switch
 * (in place or by running the stopped operation later in one piece), or
 * merging two records of one VCPU, loses the finding (inv no longer
 * breaks); else 0 and why says which. */
int mt_tri_check_minimal(const struct mt_program *p, const struct mt_ops *ops, const char *inv,
                         char *why, size_t cap);

/* ---- signature ---- */

struct mt_tri_sig {
	char inv[32];
	char sig[512];    /* "I5|ops=get,put-own|preempt=get@ZOO_POP_CAS_HEAD" */
	char name[128];   /* "I5-get-at-ZOO_POP_CAS_HEAD-vs-get-put-own" (file name safe) */
};

/* The signature of a finding: the broken invariant, the set of operation
 * kinds that ran, and the set of (operation kind, schedule point) where the
 * schedule stopped an operation while others ran (lock waits count only
 * for a deadlock).  No handle numbers,
 * no VCPU numbers, no stack frames.  Meant for shrunk programs (noise
 * removed).  Returns 0, or -1 if p runs clean. */
int mt_tri_signature(const struct mt_program *p, const struct mt_ops *ops, struct mt_tri_sig *s);

/* ---- readable interleaving ---- */

/* The text form of p with every step (the simulator's decode trace). */
int mt_tri_print_text(const struct mt_program *p, const struct mt_ops *ops, FILE *out);

enum mt_tri_picture { MT_TRI_SVG, MT_TRI_HTML, MT_TRI_GNUPLOT };

/* The swimlane picture: one column per VCPU, one row per step, the
 * schedule (input records) on the left, the finding in red at the step
 * where it was detected.  MT_TRI_GNUPLOT writes a gnuplot script that
 * draws the same picture into png_path (pngcairo).  Returns the verdict
 * (0 clean, 1 finding), -1 on error. */
int mt_tri_picture(const struct mt_program *p, const struct mt_ops *ops, FILE *out,
                   enum mt_tri_picture fmt, const char *title, const char *png_path);

#endif /* MT_FUZZ_TRIAGE_H */
