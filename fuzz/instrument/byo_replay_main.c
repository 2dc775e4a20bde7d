/*
 * byo_replay_main.c - replay inputs against a free list of your own.
 *
 *   byo_replay --impl NAME [--expect clean|flagged] [--known FILE] [--trace] FILE|DIR...
 *   byo_replay --impl NAME --sites        print the instrumented sites
 *   byo_replay --list-impls
 *
 * A file is read as text when it starts with '#', "vcpus" or
 * "maptrack-input", else as bytes.  A text may name the build it was made
 * on ("# ix-build: 0x..."; --sites and --trace print this build's): a
 * file of another build is refused (exit 2) when it names a site this
 * build lacks.  Bytes name no build: sites are named by their source and
 * their byte ids are hashes of those names (fuzz/format/input.h).
 * Every finding prints "FLAGGED FILE: finding", the interleaving that led
 * to it and "SIGNATURE <sig>" (fuzz/known/known.h), as maptrack_replay.
 * --known FILE (or $MT_KNOWN): a finding whose signature is in FILE is
 * "KNOWN" (one line and its signature); expecting clean, a replay whose
 * every finding is known exits 3.  A crash of the library is a finding
 * like the others (signature crash:KIND:FRAME, fuzz/engine/crash.h; the
 * replay goes on with the next file; exit 1, 3 if known).
 * Exit: 0 as expected (default: every input clean), 1 not, 3 findings
 * that are all known, 2 usage, a refused file or a malformed known file.
 * Last line: SUMMARY impl=NAME files=N flagged=N refused=N expect=E
 * result=ok|fail [known=N new=N new_sigs=.. stale=N].
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/instrument/byo.h"
#include "fuzz/instrument/ix.h"

struct replay {
	struct mt_byo *b;
	int trace;
	unsigned files, flagged, refused, known;
};

static int is_text(const uint8_t *d, size_t n)
{
	return (n && d[0] == '#') || (n >= 5 && !memcmp(d, "vcpus", 5)) ||
	       (n >= 14 && !memcmp(d, "maptrack-input", 14));
}

static void one(void *ctx, const char *file)
{
	struct replay *r = ctx;
	size_t n;
	uint8_t *d = mt_harness_read_file(file, &n);

	if (!d) {
		fprintf(stderr, "byo_replay: cannot read %s\n", file);
		r->refused++;
		return;
	}
	r->files++;
	int rc;
	if (is_text(d, n)) {
		char err[512];
		if (mt_ix_check_build((const char *)d, file, err, sizeof(err))) {
			fprintf(stderr, "byo_replay: %s\n", err);
			r->refused++;
			free(d);
			return;
		}
		if (r->trace)
			printf(MT_IX_BUILD_TAG "%#" PRIx64 "\n", mt_ix_build_id());
		rc = mt_byo_run_text(r->b, (const char *)d, r->trace ? stdout : NULL);
		if (rc < 0) {
			r->refused++;
			free(d);
			return;
		}
	} else {
		if (r->trace)
			printf(MT_IX_BUILD_TAG "%#" PRIx64 "\n", mt_ix_build_id());
		rc = mt_byo_run(r->b, d, n, r->trace ? stdout : NULL);
	}
	free(d);
	if (!rc) {
		printf("clean %s\n", file);
		return;
	}
	r->flagged++;
	struct mt_harness *h = r->b->h;
	if (mt_harness_classify(h, NULL) == MT_VERDICT_KNOWN) {
		r->known++;
		printf("KNOWN %s: %s\nSIGNATURE %s\n", file, mt_harness_finding(h), h->sig);
		return;
	}
	printf("FLAGGED %s: %s\n", file, mt_harness_finding(h));
	mt_harness_report(h, stdout);
	printf("SIGNATURE %s\n", h->sig);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *impl = NULL, *expect = "clean", *known = NULL;
	struct replay r = { 0 };
	int sites = 0, first = argc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--impl") && i + 1 < argc)
			impl = argv[++i];
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = argv[++i];
		else if (!strcmp(argv[i], "--known") && i + 1 < argc)
			known = argv[++i];
		else if (!strcmp(argv[i], "--trace"))
			r.trace = 1;
		else if (!strcmp(argv[i], "--sites"))
			sites = 1;
		else if (!strcmp(argv[i], "--list-impls")) {
			mt_byo_list(stdout);
			return 0;
		} else {
			first = i;
			break;
		}
	}
	if (sites) {
		mt_ix_print_sites(stdout);
		printf(MT_IX_BUILD_TAG "%#" PRIx64 "\n", mt_ix_build_id());
		printf("SUMMARY sites=%u build=%#" PRIx64 "%s%s\n", mt_ix_nr_found(), mt_ix_build_id(),
		       mt_ix_problem()[0] ? " problem=" : "", mt_ix_problem()[0] ? "yes" : "");
		return 0;
	}
	if (!impl || first == argc || (strcmp(expect, "clean") && strcmp(expect, "flagged"))) {
		fprintf(stderr, "usage: byo_replay --impl NAME [--expect clean|flagged] [--known FILE] [--trace] FILE|DIR...\n");
		return 2;
	}
	r.b = mt_byo_new(impl);
	int use_known = mt_harness_load_known(r.b->h, "byo_replay", known);
	mt_harness_catch_crashes();
	if (!r.trace)
		mt_harness_recover_crashes();   /* a crash in a run: a finding, next file */
	for (int i = first; i < argc; i++)
		if (mt_harness_each_file("byo_replay", argv[i], one, &r) < 0)
			r.refused++;
	int want_flagged = !strcmp(expect, "flagged");
	int ok = !r.refused && r.files && (want_flagged ? r.flagged == r.files : r.flagged == 0);
	char counts[2048] = "";
	if (use_known) {
		mt_harness_known_counts(r.b->h, counts, sizeof(counts));
		mt_harness_print_stale(r.b->h, stdout);
	}
	printf("SUMMARY impl=%s files=%u flagged=%u refused=%u expect=%s result=%s%s\n", impl, r.files,
	       r.flagged, r.refused, expect, ok ? "ok" : "fail", counts);
	mt_byo_free(r.b);
	if (r.refused)
		return 2;
	if (!ok && !want_flagged && r.flagged == r.known)
		return 3;            /* every finding known */
	return !ok;
}
