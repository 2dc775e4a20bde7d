/*
 * root_signature_main.c - root-cause signatures of saved inputs, with the
 * minimal program each was named from (a development and test driver).
 *
 *   root_signature [--min] IMPL FILE... [-- IMPL FILE...]
 *
 * One line per file: "SIG <signature> runs=N records=IN->OUT stops=N
 * <file>" ("CLEAN <file>" if it runs clean); --min prints the minimal
 * program's text after it.  Exit 0, 2 on bad usage or an unreadable file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/known/root_cause.h"

static struct mt_program minp;

int main(int argc, char **argv)
{
	struct mt_harness *h = NULL;
	int print_min = 0;

	if (argc > 1 && !strcmp(argv[1], "--min")) {
		print_min = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: root_signature [--min] IMPL FILE... [-- IMPL FILE...]\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (!h || !strcmp(argv[i], "--")) {
			if (!strcmp(argv[i], "--"))
				i++;
			const struct mt_ops *ops = i < argc ? mt_harness_impl(argv[i]) : NULL;
			if (!ops) {
				fprintf(stderr, "root_signature: unknown implementation '%s'\n", i < argc ? argv[i] : "");
				return 2;
			}
			if (!h)
				h = mt_harness_new(ops);
			else
				mt_harness_set_impl(h, ops);
			continue;
		}
		size_t n;
		uint8_t *data = mt_harness_read_file(argv[i], &n);
		if (!data) {
			fprintf(stderr, "root_signature: cannot read %s\n", argv[i]);
			return 2;
		}
		char sig[MT_SIG_MAX];
		if (!mt_harness_run(h, data, n, NULL) || mt_root_signature_min(h->sim, sig, sizeof(sig), &minp)) {
			printf("CLEAN %s\n", argv[i]);
		} else {
			const struct mt_root_stats *st = mt_root_last_stats();
			printf("SIG %s runs=%u records=%u->%u stops=%u%s %s\n", sig, st->runs, st->records_in,
			       st->records_out, st->stops_out, st->budget_out ? " budget-out" : "", argv[i]);
			if (print_min) {
				char line[256];
				mt_in_print_header(&minp, stdout);
				for (unsigned r = 0; r < minp.nr_records; r++)
					printf("  %s\n", mt_in_record_text(&minp.rec[r], &h->sites, line, sizeof(line)));
			}
		}
		fflush(stdout);
		free(data);
	}
	mt_harness_free(h);
	return 0;
}
