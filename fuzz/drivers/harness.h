/*
 * harness.h - the driver library: decode, run, check, report, shared by
 * every front end (libFuzzer target, AFL++ driver, replay, coverage,
 * explore, depth, triage, bazel tests, tools/repro).
 *
 * A harness owns an engine context (fuzz/engine/sim.h) with the checkers
 * of its implementation's kind attached.  A maptrack implementation
 * (production, the bug zoo): the maptrack oracle (fuzz/checkers/oracle.h,
 * which also keeps the book of held handles), the I11 claims checker
 * (fuzz/checkers/claims.h) and the I12 race detector
 * (fuzz/checkers/races.h).  A free list behind an adapter (MT_FL_REGISTER,
 * fuzz/checkers/contract.h): the generic contract checker, and the race
 * detector when the adapter sets .races; the maptrack oracle has no
 * introspection of such a list.  Every front end (replay, explore, depth,
 * triage, coverage, the fuzzers) therefore runs either kind.  It is bound
 * to one implementation at a time, whose site tables decode the inputs;
 * binding to another kind switches to that kind's own context.
 */
#ifndef MT_FUZZ_DRIVERS_HARNESS_H
#define MT_FUZZ_DRIVERS_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/checkers/claims.h"
#include "fuzz/checkers/contract.h"
#include "fuzz/checkers/oracle.h"
#include "fuzz/checkers/races.h"
#include "fuzz/engine/sim.h"
#include "fuzz/format/input.h"
#include "fuzz/known/known.h"
#include "lib/maptrack.h"

/* Distinct new signatures a harness tells apart (a campaign says and
 * saves each once; beyond this many, each is said again). */
#define MT_HARNESS_SIGS 256u

/* The checker sets a harness has a context for (mt_harness_kind()). */
enum { MT_HARNESS_MAPTRACK, MT_HARNESS_ADAPTER, MT_HARNESS_ADAPTER_RACES, MT_HARNESS_KINDS };

struct mt_harness {
	struct mt_sim *sim;              /* the context of ops's kind (one of sims[]) */
	struct mt_sim *sims[MT_HARNESS_KINDS];   /* made on first use */
	struct mt_oracle *oracle;
	struct mt_claims *claims;
	struct mt_races *races;
	struct mt_contract *contract;    /* adapters' checker */
	const struct mt_ops *ops;
	struct mt_in_sites sites;        /* ops's sites, for decode and text */
	struct mt_program prog;          /* the program of the last mt_harness_run() */
	int model;                       /* MT_MEMORY_MODEL: every input runs under it; -1: its own */
	/* known findings (mt_harness_load_known, mt_harness_classify) */
	struct mt_known *known;          /* NULL: none loaded */
	char sig[MT_SIG_MAX];            /* signature of the last classified finding */
	unsigned long n_known, n_new;    /* findings classified known / new */
	unsigned n_new_sigs;             /* distinct new signatures seen (first MT_HARNESS_SIGS kept) */
	char new_sigs[MT_HARNESS_SIGS][MT_SIG_MAX];
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

/* The checker set ops runs with: MT_HARNESS_MAPTRACK, or an adapter's. */
int mt_harness_kind(const struct mt_ops *ops);

/* A harness for ops (exits with a message if out of memory). */
struct mt_harness *mt_harness_new(const struct mt_ops *ops);
void mt_harness_free(struct mt_harness *h);
/* Bind to another implementation.  Another kind's context is another
 * engine context: pair counters and MT_WEAKEN set on h->sim belong to the
 * kind they were set for. */
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

/* The signature of the last run's finding into buf, as every tool names
 * it: a crash by its report and first frame (crash:KIND:FRAME,
 * fuzz/engine/crash.h), any other finding by its minimised reproducer
 * (mt_root_signature, fuzz/known/root_cause.h: up to MT_ROOT_BUDGET
 * re-runs; the context holds the last run again after).  0, or -1 if the
 * last run was clean. */
int mt_harness_signature(struct mt_harness *h, char *buf, size_t cap);

/* The same for program p, run and named in a child process
 * (harness_signature.c), for callers that must not re-run h or may not
 * survive a crash: the explorers' violation callbacks.  The shrinking
 * re-runs' crashes are recovered there (a candidate that crashes is not
 * the same finding); h is untouched.  0, or -1 if p ran clean or the
 * child died. */
int mt_harness_signature_of(struct mt_harness *h, const struct mt_program *p, char *buf, size_t cap);

/* After mt_harness_run() returned 1: the finding's signature into h->sig
 * (mt_harness_signature), counted as known or new.  MT_VERDICT_KNOWN or
 * MT_VERDICT_NEW; MT_VERDICT_CLEAN if the last run was clean.  *first is
 * set to 1 when a new signature is seen for the first time here. */
int mt_harness_classify(struct mt_harness *h, int *first);

/* " known=N new=N new_sigs=a,b stale=N": the counts for a SUMMARY line
 * (new_sigs "-" if none; stale: known lines that never matched). */
void mt_harness_known_counts(const struct mt_harness *h, char *buf, size_t cap);
/* One "STALE <signature>" line per known signature that never matched. */
void mt_harness_print_stale(const struct mt_harness *h, FILE *out);

/* Replay drivers: turn SIGSEGV/SIGBUS/SIGFPE/SIGILL in the library into a
 * reported finding ("FINDING crash: ...", the interleaving, its signature
 * crash:KIND:FRAME, exit 1).  The fatal fallback of the recovery below. */
void mt_harness_catch_crashes(void);

/* In-process crash recovery (fuzz/engine/crash.h): from now on a crash of
 * the code under test inside a run (a signal, an ASan or UBSan report)
 * ends that run as a finding "crash: KIND in FRAME" whose signature is
 * crash:KIND:FRAME, and the process goes on.  Returns what is recovered
 * ("signals, ASan reports, UBSan reports"). */
const char *mt_harness_recover_crashes(void);

/* "memory model: M (what it means)": the first line of every campaign. */
const char *mt_harness_model_text(const struct mt_harness *h);

/* ---- fuzzing campaigns ----
 *
 * What a fuzzing process does with each input's verdict:
 * the one policy of every fuzz driver (libFuzzer and AFL++, on maptrack
 * implementations and on adapters: fuzz/drivers/libfuzzer_main.c,
 * fuzz/instrument/byo_fuzzer_main.c).  One campaign per process (the
 * engines call the target from one place).
 *
 * Environment (read by mt_campaign_init):
 *   MT_KNOWN=FILE         known findings (fuzz/known/known.h): a finding
 *                         whose signature is in FILE ends its input as
 *                         "known" and the campaign goes on; a malformed
 *                         FILE exits 2 before any input runs
 *   MT_CONTINUE=1         keep going after new findings too (implied by
 *                         MT_KNOWN)
 *   MT_STOP_ON_NEW=1      with MT_KNOWN: a new signature is saved, then
 *                         abort()s as without MT_KNOWN (known ones still
 *                         return): the first new finding ends the run
 *   MT_FINDINGS_DIR=DIR   where each new signature is saved once, as
 *                         DIR/new-<signature> (+ .txt), shared by every
 *                         fork job (default: the current directory); the
 *                         counts go to DIR/.counts
 * Without MT_KNOWN or MT_CONTINUE a finding prints the finding and the
 * interleaving, then abort()s so the engine saves the input.  With them,
 * findings recover in process (the engine owns every VCPU stack and the
 * table's pages; the next run starts clean): a known one returns at once,
 * a new one is printed and saved the first time its signature is seen,
 * and the input returns normally.  Crashes too (mt_harness_recover_crashes
 * is turned on with them): a signal or a sanitizer report inside a run is
 * a finding with signature crash:KIND:FRAME, and the process goes on.  At
 * exit: "WHO: SUMMARY-KNOWN execs=N known=N new=N new_sigs=... stale=N
 * crashes=N".
 */

/* Start the campaign on h (loads MT_KNOWN into it).  who prefixes every
 * message ("maptrack_fuzzer").  Returns 1 if findings continue. */
int mt_campaign_init(struct mt_harness *h, const char *who);

/* Run one input through h and deal with its verdict (may abort()).
 * Returns 0, what LLVMFuzzerTestOneInput returns. */
int mt_campaign_input(const uint8_t *data, size_t size);

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
