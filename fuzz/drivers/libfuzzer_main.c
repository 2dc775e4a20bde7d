/*
 * libfuzzer_main.c - the libFuzzer target (maptrack_fuzzer): decode, run, check.
 *
 * Environment:
 *   MT_IMPL=name          implementation (default "production"; any builtin
 *                         or bug-zoo name, see maptrack_replay --list-impls)
 *   MT_PAIR_COVERAGE=0    turn off the interleaving coverage (extra counters
 *                         indexed by (preempted site, site run next): exact
 *                         for up to 64 sites, hashed beyond)
 *   MT_I11=0              do not check private claims (I11): a bug that I11
 *                         would stop first shows its own corruption
 *   MT_RACES=0            do not look for data races (I12, the happens-before
 *                         detector): the engine as it was before it
 *   MT_MEMORY_MODEL=c11   run every input under the c11 memory model (else
 *                         each input's header says: v1 inputs are sc); the
 *                         reproducers saved per signature carry the model
 *   MT_KNOWN=FILE         known findings (fuzz/known/known.h): a finding
 *                         whose signature is in FILE ends its input as
 *                         "known" and the campaign goes on; a malformed
 *                         FILE exits 2 before any input runs
 *   MT_CONTINUE=1         keep going after new findings too (implied by
 *                         MT_KNOWN)
 *   MT_STOP_ON_NEW=1      with MT_KNOWN: a new signature is saved, then
 *                         abort()s as without MT_KNOWN (known ones still
 *                         return): the first new finding ends the run
 *                         (tools/bugbench --known, --multi)
 *   MT_FINDINGS_DIR=DIR   where each new signature is saved once, as
 *                         DIR/new-<signature> (+ .txt), shared by every
 *                         fork job (default: the current directory)
 * Without MT_KNOWN or MT_CONTINUE a finding prints the invariant, the
 * handle and the interleaving, then abort()s so libFuzzer saves the input.
 * With them, oracle findings recover in process (the engine owns every
 * VCPU stack and the table's pages; the next run starts clean): a known
 * one returns at once, a new one is printed and saved the first time its
 * signature is seen, and the input returns normally.  Signals and
 * sanitizer reports still end the process.  At exit:
 * "maptrack_fuzzer: SUMMARY-KNOWN execs=N known=N new=N new_sigs=... stale=N".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/drivers/harness.h"

/* libFuzzer treats this section as extra coverage counters.  Not static:
 * the AFL++ driver (afl_main.c) copies them into AFL's map. */
#define MT_PAIR_COUNTERS 4096u
__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t mt_fuzz_pair_counters[MT_PAIR_COUNTERS];
/* The counters in use (NULL: MT_PAIR_COVERAGE=0). */
uint8_t *mt_fuzz_pairs;

static struct mt_harness *harness;
static int keep_going;                 /* MT_KNOWN or MT_CONTINUE */
static int stop_on_new;                /* MT_STOP_ON_NEW=1 */
static const char *findings_dir = ".";
static struct timespec t0;
static unsigned long execs;

static double elapsed_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

/* The counts so far not yet in MT_FINDINGS_DIR/.counts. */
static unsigned long flushed_execs, flushed_known, flushed_new;

/* Append "execs=N known=N new=N matched=SIG,SIG," (the counts since the
 * last append) to MT_FINDINGS_DIR/.counts: tools/fuzz and tools/afl sum
 * the lines of every process (fork jobs' logs are not kept; AFL++
 * persistent processes rarely exit).  Every 4096 findings and at exit. */
static void flush_counts(void)
{
	char line[4096];
	unsigned long m;
	const char *k;

	if (!getenv("MT_FINDINGS_DIR") || execs == flushed_execs)
		return;
	size_t n = (size_t)snprintf(line, sizeof(line), "execs=%lu known=%lu new=%lu matched=", execs - flushed_execs,
	                            harness->n_known - flushed_known, harness->n_new - flushed_new);
	for (unsigned i = 0; (k = mt_known_at(harness->known, i, &m)) && n < sizeof(line) - 1; i++)
		if (m)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s,", k);
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	flushed_execs = execs;
	flushed_known = harness->n_known;
	flushed_new = harness->n_new;
	char path[4096];
	snprintf(path, sizeof(path), "%s/.counts", findings_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);   /* one write: atomic append */
	if (fd >= 0) {
		if (write(fd, line, n) < 0)
			fprintf(stderr, "maptrack_fuzzer: cannot append to %s\n", path);
		close(fd);
	}
}

/* At exit: the counts on stderr and in MT_FINDINGS_DIR/.counts. */
static void known_summary(void)
{
	char counts[2048];

	mt_harness_known_counts(harness, counts, sizeof(counts));
	fprintf(stderr, "maptrack_fuzzer: SUMMARY-KNOWN execs=%lu%s\n", execs, counts);
	mt_harness_print_stale(harness, stderr);
	flush_counts();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *name = getenv("MT_IMPL");
	if (!name || !*name)
		name = "production";
	const struct mt_ops *impl = mt_harness_impl(name);
	if (!impl) {
		fprintf(stderr, "maptrack_fuzzer: unknown MT_IMPL '%s'; known:\n", name);
		mt_harness_list_impls(stderr);
		exit(2);
	}
	const char *pc = getenv("MT_PAIR_COVERAGE");
	harness = mt_harness_new(impl);
	const char *cont = getenv("MT_CONTINUE");
	const char *i11 = getenv("MT_I11");
	mt_claims_enable(harness->claims, !(i11 && !strcmp(i11, "0")));
	const char *races = getenv("MT_RACES");
	mt_races_enable(harness->races, !(races && !strcmp(races, "0")));
	keep_going = mt_harness_load_known(harness, "maptrack_fuzzer", NULL) || (cont && !strcmp(cont, "1"));
	const char *son = getenv("MT_STOP_ON_NEW");
	stop_on_new = son && !strcmp(son, "1");
	if (getenv("MT_FINDINGS_DIR") && *getenv("MT_FINDINGS_DIR"))
		findings_dir = getenv("MT_FINDINGS_DIR");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (keep_going)
		atexit(known_summary);
	mt_fuzz_pairs = pc && !strcmp(pc, "0") ? NULL : mt_fuzz_pair_counters;
	mt_sim_set_pair_counters(harness->sim, mt_fuzz_pairs, MT_PAIR_COUNTERS);
	fprintf(stderr, "maptrack_fuzzer: impl=%s model=%s pair_coverage=%s sites=%u i11=%s known=%u%s\n",
	        impl->name, harness->model < 0 ? "input" : mt_in_model_name((unsigned)harness->model),
	        mt_fuzz_pairs ? "on" : "off", harness->sites.count, mt_claims_enabled(harness->claims) ? "on" : "off",
	        mt_known_count(harness->known), keep_going ? " (findings continue)" : "");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	execs++;
	if (!mt_harness_run(harness, data, size, NULL))
		return 0;
	if (!keep_going) {
		mt_harness_report(harness, stderr);
		if (harness->model >= 0)
			fprintf(stderr, "maptrack_fuzzer: ran under MT_MEMORY_MODEL=%s: replay the saved input "
			        "with the same setting\n", mt_in_model_name((unsigned)harness->model));
		fflush(stderr);
		abort();
	}
	int first;
	int verdict = mt_harness_classify(harness, &first);
	if (((harness->n_known + harness->n_new) & 4095u) == 0)
		flush_counts();
	if (verdict == MT_VERDICT_KNOWN || (!first && !stop_on_new))
		return 0;
	/* A signature this process has not seen: say it, save it once. */
	static uint8_t again[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];
	size_t len;
	const uint8_t *rep = mt_harness_replayable(harness, data, size, again, sizeof(again), &len);
	int saved = mt_known_save_once(findings_dir, harness->sig, mt_harness_finding(harness), rep, len);
	fprintf(stderr, "maptrack_fuzzer: NEW SIGNATURE %s after %.2fs, exec %lu: %s%s\n", harness->sig,
	        elapsed_s(), execs, mt_harness_finding(harness),
	        saved == 1 ? " (saved)" : saved == 0 ? " (saved before by another job)" : " (not saved: error)");
	if (saved == 1 || stop_on_new)
		mt_harness_report(harness, stderr);
	fflush(stderr);
	if (stop_on_new)
		abort();
	return 0;
}
