/*
 * known.h - finding signatures from one run, and the known-findings file.
 *
 * What names findings in campaigns, replays and known files is
 * mt_root_signature() (root_cause.h, through mt_harness_classify()): the
 * signature of the minimised reproducer, "INV:seq:OP", "INV:order:OP" or
 * "INV:SITE:SITE"; a crash is "crash:KIND:FRAME" (fuzz/engine/crash.h).
 * Every tool names findings so, through mt_harness_signature() (campaigns,
 * replays, triage and --accept, the explorers), so a signature one tool
 * prints is what the others match.  mt_signature() below is the older
 * one-run form, kept for root_signature --one-run and signature_test (the
 * measurement of the noise it lets in) and as root_cause.c's fallback.
 *
 * The one-run form names a finding from the run that found it, without
 * shrinking: "INV:DETECTOR:STOP", three tokens of [A-Za-z0-9_.-]:
 *
 *   INV       the invariant that broke ("I7", "I10", "I11", "deadlock",
 *             "leak", ...); the list-shape invariants the quiescent walk
 *             checks in one pass (I1-I6, I9) are one class, "list": which
 *             of them the walk meets first depends on the noise around a
 *             bug (other lists, other handles), not on the bug
 *   DETECTOR  what detected it: the kind of the operation that was running
 *             or returning ("get", "put-own", "put-bad", "grow"),
 *             "quiescent" for the walk between operations and at the end,
 *             "end" after destroy (leaks, deadlocks, create failures)
 *   STOP      the site id ("POP_WRITE_HEAD") where the decisive VCPU was
 *             stopped, "seq" if none: for I11 the other VCPU's private
 *             access it was stopped after (the checker names it); for an
 *             operation's own check, the last place where that operation
 *             was preempted and then met a write another VCPU made in the
 *             meantime (a preemption nothing conflicted with is noise)
 *
 * Findings made of two accesses, I11 (a private claim and the access of
 * another VCPU that broke it) and I12 (two racing accesses), are named by
 * the pair instead: "INV:SITE_A:SITE_B", the two site ids sorted
 * ("I11:POP_READ_HEAD:THREAD_WRITE_HEAD"): which VCPU reached the pair
 * second, in which operation, and where it had been stopped, is noise
 * (one ABA on B1 showed as four I11 signatures of the older form
 * I11:OP:CLAIM_SITE, the same pair seen in both orders among them).
 *
 * No handle numbers, VCPU numbers or record counts.  Measured on the zoo's
 * reproducers with noise records inserted (//fuzz/known:signature_test):
 * 98% of noisy copies keep the reproducer's signature (95% over every
 * reproducer of corpus/regress: an ABA that noise shows to another check
 * first, an I11 pair, I7 or the walk, cannot keep it).  Known limit: a
 * race that only the quiescent walk sees gets STOP "seq" (which operation
 * returned last, and how it was stopped, is noise there), so it shares a
 * signature with a sequential slip that breaks the same class.
 *
 * The known-findings file: one signature per line; '#' starts a comment
 * (a whole line, or after the signature); blank lines are ignored.  A line
 * that is no signature is an error with its line number.  Lines of the
 * one-run form load (they never match a root-cause signature): one warning
 * on stderr names the first of them.
 */
#ifndef MT_FUZZ_KNOWN_H
#define MT_FUZZ_KNOWN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/engine/sim.h"

#define MT_SIG_MAX 128u

/* The signature of the last run's finding into buf; 0, or -1 if it ran clean. */
int mt_signature(const struct mt_sim *sim, char *buf, size_t cap);

/* 1 if s is a well-formed signature (three ':'-separated tokens). */
int mt_signature_valid(const char *s);

/* ---- the known-findings file ---- */

struct mt_known;

/* Load path; NULL with "PATH:LINE: why" in err if it cannot be read or a
 * line is malformed (callers exit 2 before any work). */
struct mt_known *mt_known_load(const char *path, char *err, size_t errcap);
/* An empty set (no file). */
struct mt_known *mt_known_empty(void);
void mt_known_free(struct mt_known *k);

/* 1 if sig is known (and counts the match), else 0. */
int mt_known_match(struct mt_known *k, const char *sig);
unsigned mt_known_count(const struct mt_known *k);
/* The i-th signature of the file and how often it matched. */
const char *mt_known_at(const struct mt_known *k, unsigned i, unsigned long *matches);

/* ---- new signatures, saved once ---- */

/* A file name for sig: "new-" + sig with every character outside
 * [A-Za-z0-9_.-] turned into '_'. */
void mt_signature_file_name(const char *sig, char *buf, size_t cap);

/* Save data as DIR/new-<sig> unless that file exists: written to a
 * private temporary file, then link()ed into place, so exactly one of any
 * number of processes (fork jobs, AFL++ instances) creates it, and a
 * reader never sees it half written.  A second file DIR/new-<sig>.txt
 * gets the one-line finding.  1: created now; 0: it existed; -1: error
 * (errno). */
int mt_known_save_once(const char *dir, const char *sig, const char *finding, const uint8_t *data,
                       size_t size);

#endif /* MT_FUZZ_KNOWN_H */
