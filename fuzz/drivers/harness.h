/*
 * harness.h - the driver library: decode, run, check, report, shared by
 * every front end (libFuzzer target, AFL++ driver, replay, coverage,
 * explore, depth, triage, bazel tests, tools/repro).
 *
 * A harness owns one engine context (fuzz/engine/sim.h) with the standard
 * checkers attached: the maptrack oracle (fuzz/checkers/oracle.h, which
 * also keeps the book of held handles), the I11 claims checker
 * (fuzz/checkers/claims.h) and the I12 race detector
 * (fuzz/checkers/races.h).  It is bound to one implementation at a time,
 * whose site tables decode the inputs.
 */
#ifndef MT_FUZZ_DRIVERS_HARNESS_H
#define MT_FUZZ_DRIVERS_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/checkers/claims.h"
#include "fuzz/checkers/oracle.h"
#include "fuzz/checkers/races.h"
#include "fuzz/engine/sim.h"
#include "fuzz/format/input.h"
#include "fuzz/known/known.h"
#include "lib/maptrack.h"

struct mt_harness {
	struct mt_sim *sim;
	struct mt_oracle *oracle;
	struct mt_claims *claims;
	struct mt_races *races;
	const struct mt_ops *ops;
	struct mt_in_sites sites;        /* ops's sites, for decode and text */
	struct mt_program prog;          /* the program of the last mt_harness_run() */
	int model;                       /* MT_MEMORY_MODEL: every input runs under it; -1: its own */
	/* known findings (mt_harness_load_known, mt_harness_classify) */
	struct mt_known *known;          /* NULL: none loaded */
	char sig[MT_SIG_MAX];            /* signature of the last classified finding */
	unsigned long n_known, n_new;    /* findings classified known / new */
	unsigned n_new_sigs;             /* distinct new signatures seen (first 32 kept) */
	char new_sigs[32][MT_SIG_MAX];
};

/* The memory model every input runs under whatever its header says
 * (MT_MEMORY_MODEL=sc|c11, or a tool's --memory-model); name NULL or ""
 * keeps each input's own.  0 ok, -1 unknown name (the caller exits 2). */
int mt_harness_set_model(struct mt_harness *h, const char *name);
/* MT_WEAKEN=SITE[=ORDER]: the production orderings table's mutation (one
 * access's memory order weakened, to relaxed by default; mt_sim_weaken()).
 * NULL or "": off.  0 ok, -1 bad spec or unknown site. */
int mt_harness_weaken(struct mt_harness *h, const char *spec);
/* The bytes that replay the last mt_harness_run() as it ran: data itself,
 * or (model overridden) the program re-encoded as v2 with the model in its
 * header, into buf.  Sets *len. */
const uint8_t *mt_harness_replayable(struct mt_harness *h, const uint8_t *data, size_t size, uint8_t *buf,
                                     size_t cap, size_t *len);

/* Verdicts of mt_harness_classify(). */
enum { MT_VERDICT_CLEAN = 0, MT_VERDICT_NEW = 1, MT_VERDICT_KNOWN = 3 };

/* An implementation by name (every registered one); NULL if unknown. */
const struct mt_ops *mt_harness_impl(const char *name);

/* Print every known implementation name, one per line. */
void mt_harness_list_impls(FILE *out);

/* A harness for ops (exits with a message if out of memory). */
struct mt_harness *mt_harness_new(const struct mt_ops *ops);
void mt_harness_free(struct mt_harness *h);
/* Bind to another implementation. */
void mt_harness_set_impl(struct mt_harness *h, const struct mt_ops *ops);

/* Bytes -> program in ops's terms. */
void mt_harness_decode(const struct mt_harness *h, const uint8_t *data, size_t size, struct mt_program *p);
/* Text -> program; -1 with "line N: ..." in err, or (instrumented
 * builds, fuzz/instrument/ix.h) a text whose "# ix-build: " line names
 * another build. */
int mt_harness_parse(const struct mt_harness *h, const char *text, struct mt_program *p, char *err, size_t errcap);

/* Decode data, run it, check it.  trace: print the readable interleaving
 * there (NULL: silent).  Returns 0 clean, 1 finding (then
 * mt_harness_report() prints it). */
int mt_harness_run(struct mt_harness *h, const uint8_t *data, size_t size, FILE *trace);
/* The same for a program. */
int mt_harness_run_program(struct mt_harness *h, const struct mt_program *p, FILE *trace);

/* The finding of the last run ("" if clean) and its interleaving. */
const char *mt_harness_finding(const struct mt_harness *h);
void mt_harness_report(struct mt_harness *h, FILE *out);

/* A text (input or known file) made on instrumented code names its build
 * ("# ix-build: 0x...", fuzz/instrument/ix.h): -1 with what in err if it
 * names another build than this binary's; 0 if this one, none, or the
 * binary has no instrumented code. */
int mt_harness_check_build(const char *text, const char *what, char *err, size_t errcap);

/* "# ix-build: 0x..." if h's implementation has the instrumented code's
 * sites (texts made on it then name this build), else nothing. */
void mt_harness_print_build(const struct mt_harness *h, FILE *out);

/* Known findings: load path (NULL: $MT_KNOWN; neither: none).  A file
 * that cannot be read or has a malformed line is said on stderr with its
 * line number, prefixed by who, and the process exits 2 (before any work);
 * so does a file whose "# ix-build: " line names another instrumented build.
 * Returns 1 if a known-findings file is in use. */
int mt_harness_load_known(struct mt_harness *h, const char *who, const char *path);

/* After mt_harness_run() returned 1: the finding's signature into h->sig
 * (mt_signature), counted as known or new.  MT_VERDICT_KNOWN or
 * MT_VERDICT_NEW; MT_VERDICT_CLEAN if the last run was clean.  *first is
 * set to 1 when a new signature is seen for the first time here. */
int mt_harness_classify(struct mt_harness *h, int *first);

/* " known=N new=N new_sigs=a,b stale=N": the counts for a SUMMARY line
 * (new_sigs "-" if none; stale: known lines that never matched). */
void mt_harness_known_counts(const struct mt_harness *h, char *buf, size_t cap);
/* One "STALE <signature>" line per known signature that never matched. */
void mt_harness_print_stale(const struct mt_harness *h, FILE *out);

/* Replay drivers: turn SIGSEGV/SIGBUS/SIGFPE/SIGILL in the library into a
 * reported finding ("FINDING crash: ...", the interleaving, exit 1). */
void mt_harness_catch_crashes(void);

/* ---- files (shared by the front ends that read inputs) ---- */

#define MT_HARNESS_MAX_INPUT (1u << 20)

/* A whole file (at most MT_HARNESS_MAX_INPUT bytes, NUL-terminated), or
 * NULL with errno set.  Free it. */
uint8_t *mt_harness_read_file(const char *path, size_t *size);

/* Call fn on path, or on every regular file in it if it is a directory
 * (sorted by name; dot files and libFuzzer's .dict/.options skipped).
 * -1 if path does not exist or cannot be read (said on stderr with
 * `who`), else the number of files visited. */
long mt_harness_each_file(const char *who, const char *path, void (*fn)(void *ctx, const char *file),
                          void *ctx);

#endif /* MT_FUZZ_DRIVERS_HARNESS_H */
