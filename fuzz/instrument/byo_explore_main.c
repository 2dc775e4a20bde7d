/*
 * byo_explore_main.c - bounded-exhaustive exploration (fuzz/explore) of a
 * free list of your own, judged by the generic contract.
 *
 *   byo_explore --impl NAME [--preemptions K] [--stale N] [--max-schedules N]
 *               [--expect clean|flagged] FILE...
 *
 * Each FILE (text scenario or input bytes) gives the operations of each
 * VCPU and the geometry; its schedule is replaced by every schedule with
 * at most K preemptions (default 1).  Under the c11 memory model (the
 * file's header, or MT_MEMORY_MODEL) every schedule also runs with each
 * choice of older store for at most N of its loads (--stale, default 1;
 * 0 under sc).  clean: every file's exploration is
 * complete, ran at least one schedule and found nothing.  flagged: every
 * file shows a violation (the first one is printed with its schedule, a
 * reproducer in the text form).  Instrumented code marks no access
 * private, so nothing is pruned.  A text made on another build of the
 * instrumented code ("# ix-build: ..." line) is refused.  Exit 0 as
 * expected, 1 not, 2 usage, a refused file or an error of the exploration.  Last line: SUMMARY.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/explore/explore.h"
#include "fuzz/instrument/byo.h"
#include "fuzz/instrument/ix.h"

static struct {
	struct mt_byo *b;
	struct mt_harness h;         /* the explorer's view: the byo engine, no maptrack oracle */
	struct mt_program prog, compact;
	char finding[512];
	int found;
} X;

static int on_violation(void *ctx, const struct mt_program *ran, const char *finding)
{
	(void)ctx;
	snprintf(X.finding, sizeof(X.finding), "%s", finding);
	X.found = 1;
	mt_xp_compact(ran, &X.compact);
	return 1;                    /* the first is enough */
}

static int is_text(const uint8_t *d, size_t n)
{
	return (n && d[0] == '#') || (n >= 5 && !memcmp(d, "vcpus", 5)) ||
	       (n >= 14 && !memcmp(d, "maptrack-input", 14));
}

/* 0 clean, 1 violation, -1 error (said). */
static int explore_file(const char *file, unsigned k, int stale, uint64_t max, uint64_t *schedules)
{
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
		if (mt_in_parse_text((const char *)d, &X.b->sites, &X.prog, err, sizeof(err))) {
			fprintf(stderr, "byo_explore: %s: %s\n", file, err);
			free(d);
			return -1;
		}
	} else {
		mt_in_decode(d, n, &X.b->sites, &X.prog);
	}
	free(d);
	if (X.b->model >= 0)
		X.prog.model = (uint8_t)X.b->model;
	struct mt_xp_scenario sc;
	if (mt_xp_scenario_of(&X.prog, &X.h, &sc, err, sizeof(err))) {
		fprintf(stderr, "byo_explore: %s: %s\n", file, err);
		return -1;
	}
	/* c11: stale reads as tools/explore (sc: every load has one store to read). */
	unsigned nstale = X.prog.model != MT_MODEL_C11 ? 0 : stale < 0 ? 1 : (unsigned)stale;
	struct mt_xp_config cfg = { .harness = &X.h, .preemptions = k, .stale = nstale, .max_schedules = max,
	                            .no_prune = 1, .on_violation = on_violation };
	struct mt_xp_stats st;
	X.found = 0;
	if (mt_xp_explore(&sc, &cfg, &st)) {
		fprintf(stderr, "byo_explore: %s: %s\n", file, st.err);
		return -1;
	}
	*schedules += st.schedules;
	if (X.found) {
		printf("FLAGGED %s: %s (schedule %llu)\n", file, X.finding, (unsigned long long)st.schedules);
		printf("  the schedule (text form):\n");
		printf(MT_IX_BUILD_TAG "%#" PRIx64 "\n", mt_ix_build_id());
		mt_in_print_header(&X.compact, stdout);
		char buf[160];
		for (unsigned i = 0; i < X.compact.nr_records; i++)
			printf("%s\n", mt_in_record_text(&X.compact.rec[i], &X.b->sites, buf, sizeof(buf)));
		return 1;
	}
	printf("clean %s: %llu schedules, K=%u, model %s, stale reads %u, %s\n", file,
	       (unsigned long long)st.schedules, k, mt_in_model_name(X.prog.model), nstale,
	       st.complete ? "complete" : "cut short");
	if (!st.complete || !st.schedules) {
		fprintf(stderr, "byo_explore: %s: exploration %s\n", file,
		        st.schedules ? "cut short by --max-schedules" : "ran no schedule");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *impl = NULL, *expect = "clean";
	unsigned k = 1;
	int stale = -1;
	uint64_t max = 0, schedules = 0;
	int first = argc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--impl") && i + 1 < argc)
			impl = argv[++i];
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = argv[++i];
		else if (!strcmp(argv[i], "--preemptions") && i + 1 < argc)
			k = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--stale") && i + 1 < argc)
			stale = (int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--max-schedules") && i + 1 < argc)
			max = strtoull(argv[++i], NULL, 10);
		else {
			first = i;
			break;
		}
	}
	if (!impl || first == argc || (strcmp(expect, "clean") && strcmp(expect, "flagged"))) {
		fprintf(stderr, "usage: byo_explore --impl NAME [--preemptions K] [--stale N] [--max-schedules N] "
		        "[--expect clean|flagged] FILE...\n");
		return 2;
	}
	X.b = mt_byo_new(impl);
	X.h.sim = X.b->sim;
	X.h.ops = X.b->ops;
	X.h.sites = X.b->sites;
	unsigned files = 0, flagged = 0, errors = 0;
	for (int i = first; i < argc; i++) {
		int rc = explore_file(argv[i], k, stale, max, &schedules);
		files++;
		flagged += rc == 1;
		errors += rc < 0;
	}
	int want_flagged = !strcmp(expect, "flagged");
	int ok = !errors && (want_flagged ? flagged == files : flagged == 0);
	printf("SUMMARY impl=%s files=%u flagged=%u errors=%u preemptions=%u schedules=%llu expect=%s "
	       "result=%s\n", impl, files, flagged, errors, k, (unsigned long long)schedules, expect,
	       ok ? "ok" : "fail");
	mt_byo_free(X.b);
	return errors ? 2 : !ok;
}
