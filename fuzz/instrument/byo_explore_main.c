/*
 * byo_explore_main.c - bounded-exhaustive exploration (fuzz/explore) of a
 * free list of your own, judged by the generic contract.
 *
 *   byo_explore --impl NAME [--preemptions K] [--stale N] [--max-schedules N]
 *               [--expect clean|flagged] [--minimal] [--known FILE] [--out DIR]
 *               [--quiet] FILE...
 *
 * Each FILE (text scenario or input bytes) gives the operations of each
 * VCPU and the geometry; its schedule is replaced by every schedule with
 * at most K preemptions (default 1).  Under the c11 memory model (the
 * file's header, or MT_MEMORY_MODEL) every schedule also runs with each
 * choice of older store for at most N of its loads (--stale, default 1;
 * 0 under sc).  clean: every file's exploration is
 * complete, ran at least one schedule and found nothing.  flagged: every
 * file shows a violation (the first one is printed with its signature
 * (fuzz/known/known.h) and its schedule, a reproducer in the text form;
 * --out DIR also saves it as DIR/<file>-<impl>-kK.txt).
 * --minimal: iterative deepening (fuzz/explore/minimal.h), the violation
 * reported has the fewest preemptions, then the fewest operations.
 * --known FILE (or $MT_KNOWN; implies --minimal): a violation whose
 * signature is known, or was reported already, is counted and the search
 * goes on to the next distinct signature.  Instrumented code marks no
 * access private, so nothing is pruned.  A text made on another build of
 * the instrumented code ("# ix-build: ..." line) is refused.  Exit 0 as
 * expected, 1 not, 3 (expecting clean) violations that were all known,
 * 2 usage, a refused file or an error of the exploration.  Last line:
 * SUMMARY impl=NAME files=N flagged=N errors=N preemptions=K schedules=N
 * violations=N expect=E result=ok|fail [minimal=1 first_k=.. known=N new=N new_sigs=..].
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/explore/explore.h"
#include "fuzz/explore/minimal.h"
#include "fuzz/instrument/byo.h"
#include "fuzz/instrument/ix.h"

static struct {
	struct mt_byo *b;
	struct mt_program prog, compact;
	char finding[512], sig[MT_SIG_MAX];
	int found, minimal, quiet;
	struct mt_xp_minimal mn;
	const char *out;
} X;

static int on_violation(void *ctx, const struct mt_program *ran, const char *finding)
{
	char sig[MT_SIG_MAX] = "";

	(void)ctx;
	/* the signature as a campaign names it (mt_harness_signature): the
	 * schedule run as a program and minimised, in a child (a shrinking
	 * candidate may crash); else the run's own */
	mt_xp_compact(ran, &X.compact);
	if (mt_harness_signature_of(X.b->h, &X.compact, sig, sizeof(sig)))
		mt_signature(X.b->h->sim, sig, sizeof(sig));
	if (X.minimal && !mt_xp_minimal_new(&X.mn, sig))
		return 0;            /* known or reported already: go on */
	snprintf(X.finding, sizeof(X.finding), "%s", finding);
	snprintf(X.sig, sizeof(X.sig), "%s", sig);
	X.found = 1;
	return 1;                    /* the first (new) one is enough */
}

static int is_text(const uint8_t *d, size_t n)
{
	return (n && d[0] == '#') || (n >= 5 && !memcmp(d, "vcpus", 5)) ||
	       (n >= 14 && !memcmp(d, "maptrack-input", 14));
}

/* The violation's schedule in the text form (replayable: byo_replay). */
static void print_schedule(FILE *f)
{
	char buf[160];

	fprintf(f, MT_IX_BUILD_TAG "%#" PRIx64 "\n", mt_ix_build_id());
	mt_in_print_header(&X.compact, f);
	for (unsigned i = 0; i < X.compact.nr_records; i++)
		fprintf(f, "%s\n", mt_in_record_text(&X.compact.rec[i], &X.b->h->sites, buf, sizeof(buf)));
}

/* --out: DIR/<file's base name>-<impl>-kK.txt */
static void save(const char *file, unsigned k)
{
	char path[4096];
	const char *base = strrchr(file, '/');

	if (mkdir(X.out, 0777) && errno != EEXIST) {
		fprintf(stderr, "byo_explore: cannot create %s: %s\n", X.out, strerror(errno));
		return;
	}
	base = base ? base + 1 : file;
	int len = (int)strcspn(base, ".");
	snprintf(path, sizeof(path), "%s/%.*s-%s-k%u.txt", X.out, len ? len : (int)strlen(base), base,
	         X.b->h->ops->name, k);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "byo_explore: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "# byo_explore %s --impl %s --preemptions %u: %s\n# signature: %s\n", file,
	        X.b->h->ops->name, k, X.finding, X.sig);
	print_schedule(f);
	fclose(f);
	printf("  saved: %s (replay: tools/repro --impl %s %s)\n", path, X.b->h->ops->name, path);
}

/* 0 clean, 1 violation, -1 error (said). */
static int explore_file(const char *file, unsigned k, int stale, uint64_t max, uint64_t *schedules,
                        uint64_t *violations)
{
	struct mt_harness *h = X.b->h;
	size_t n;
	uint8_t *d = mt_harness_read_file(file, &n);
	char err[512];

	if (!d) {
		fprintf(stderr, "byo_explore: cannot read %s\n", file);
		return -1;
	}
	if (is_text(d, n)) {
		if (mt_ix_check_build((const char *)d, file, err, sizeof(err))) {
			fprintf(stderr, "byo_explore: %s\n", err);
			free(d);
			return -1;
		}
		if (mt_harness_parse(h, (const char *)d, &X.prog, err, sizeof(err))) {
			fprintf(stderr, "byo_explore: %s: %s\n", file, err);
			free(d);
			return -1;
		}
	} else {
		mt_harness_decode(h, d, n, &X.prog);
	}
	free(d);
	struct mt_xp_scenario sc;
	if (mt_xp_scenario_of(&X.prog, h, &sc, err, sizeof(err))) {
		fprintf(stderr, "byo_explore: %s: %s\n", file, err);
		return -1;
	}
	/* c11: stale reads as tools/explore (sc: every load has one store to read). */
	unsigned nstale = X.prog.model != MT_MODEL_C11 ? 0 : stale < 0 ? 1 : (unsigned)stale;
	struct mt_xp_config cfg = { .harness = h, .preemptions = k, .stale = nstale, .max_schedules = max,
	                            .no_prune = 1, .on_violation = on_violation };
	struct mt_xp_stats st;
	X.found = 0;
	int rc = X.minimal ? mt_xp_minimal_explore(&X.mn, &sc, &cfg, &st) : mt_xp_explore(&sc, &cfg, &st);
	if (rc) {
		fprintf(stderr, "byo_explore: %s: %s\n", file, st.err);
		return -1;
	}
	*schedules += st.schedules;
	*violations += st.violations;
	if (X.found) {
		printf("FLAGGED %s: %s (schedule %llu)\n", file, X.finding, (unsigned long long)st.schedules);
		printf("  signature: %s\n", X.sig);
		if (X.minimal)
			printf("  minimal: %u preemption(s), %u operation(s) per VCPU at most\n", X.mn.cur_k,
			       X.mn.cur_n);
		if (X.out)
			save(file, X.minimal ? X.mn.cur_k : k);
		if (!X.quiet) {
			printf("  the schedule (text form):\n");
			print_schedule(stdout);
		}
		return 1;
	}
	printf("clean %s: %llu schedules, K=%u, model %s, stale reads %u, %s%s\n", file,
	       (unsigned long long)st.schedules, k, mt_in_model_name(X.prog.model), nstale,
	       st.complete ? "complete" : "cut short",
	       X.minimal && X.mn.n_known ? " (known violations skipped)" : "");
	if (!st.complete || !st.schedules) {
		fprintf(stderr, "byo_explore: %s: exploration %s\n", file,
		        st.schedules ? "cut short by --max-schedules" : "ran no schedule");
		return -1;
	}
	return 0;
}

/* A flag's count: digits only (a bad value exits 2, never reads as 0). */
static unsigned long long count_arg(const char *flag, const char *v)
{
	char *end;

	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || n > 1000000000000ULL) {
		fprintf(stderr, "byo_explore: %s %s: not a count\n", flag, v);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *impl = NULL, *expect = "clean", *known = NULL;
	unsigned k = 1;
	int stale = -1;
	uint64_t max = 0, schedules = 0, violations = 0;
	int first = argc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--impl") && i + 1 < argc)
			impl = argv[++i];
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = argv[++i];
		else if (!strcmp(argv[i], "--preemptions") && i + 1 < argc) {
			if (!strcmp(argv[i + 1], "all")) {
				fprintf(stderr, "byo_explore: --preemptions all: no bound-free search for a free list "
				        "of your own yet (the reduction's dependences are the maptrack oracle's; "
				        "docs/explore.md); give a bound K\n");
				return 2;
			}
			k = (unsigned)count_arg("--preemptions", argv[++i]);
		} else if (!strcmp(argv[i], "--stale") && i + 1 < argc)
			stale = (int)count_arg("--stale", argv[++i]);
		else if (!strcmp(argv[i], "--max-schedules") && i + 1 < argc)
			max = count_arg("--max-schedules", argv[++i]);
		else if (!strcmp(argv[i], "--known") && i + 1 < argc)
			known = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			X.out = argv[++i];
		else if (!strcmp(argv[i], "--minimal"))
			X.minimal = 1;
		else if (!strcmp(argv[i], "--quiet"))
			X.quiet = 1;
		else {
			first = i;
			break;
		}
	}
	if (!impl || first == argc || (strcmp(expect, "clean") && strcmp(expect, "flagged")) ||
	    argv[first][0] == '-') {
		fprintf(stderr, "usage: byo_explore --impl NAME [--preemptions K] [--stale N] [--max-schedules N] "
		        "[--expect clean|flagged] [--minimal] [--known FILE] [--out DIR] [--quiet] FILE...\n");
		return 2;
	}
	X.b = mt_byo_new(impl);
	if (mt_harness_load_known(X.b->h, "byo_explore", known))
		X.minimal = 1;
	X.mn.known = X.b->h->known;
	X.mn.max_k = k;
	X.mn.quiet = X.quiet;
	unsigned files = 0, flagged = 0, errors = 0;
	for (int i = first; i < argc; i++) {
		int rc = explore_file(argv[i], k, stale, max, &schedules, &violations);
		files++;
		flagged += rc == 1;
		errors += rc < 0;
	}
	int want_flagged = !strcmp(expect, "flagged");
	int ok = !errors && (want_flagged ? flagged == files : flagged == 0);
	char minimal[1400] = "";
	if (X.minimal) {
		mt_xp_minimal_summary(&X.mn, minimal, sizeof(minimal));
		if (X.b->h->known)
			mt_harness_print_stale(X.b->h, stdout);
	}
	printf("SUMMARY impl=%s files=%u flagged=%u errors=%u preemptions=%u schedules=%llu violations=%llu "
	       "expect=%s result=%s%s\n", impl, files, flagged, errors, k, (unsigned long long)schedules,
	       (unsigned long long)violations, expect, ok ? "ok" : "fail", minimal);
	mt_byo_free(X.b);
	if (errors)
		return 2;
	if (ok && !want_flagged && X.mn.n_known)
		return 3;            /* clean but for known violations */
	return !ok;
}
