/*
 * root_signature_main.c - root-cause signatures of saved inputs
 * (fuzz/known/root_cause.h), with what each was named from: the driver of
 * //fuzz/known:root_cause_test, and a tool for looking at a signature.
 *
 *   root_signature [--min] [--one-run] [--noise N] IMPL FILE... [-- IMPL FILE...]
 *
 * One line per file:
 *   SIG <signature> runs=N records=IN->OUT stops=N seq_replays=0|1 <file>
 *   CLEAN <file>                     it runs clean
 *   CRASH <file>                     the library crashed on it
 * seq_replays: the program named (the minimal one; with --one-run the
 * file's) with every record run to the end of its operation (no
 * preemption at all) still fails with the same invariant.
 *   --min       the minimal program's text after the line
 *   --one-run   the signature of the one run instead (mt_signature, what
 *               names findings without shrinking), for comparison
 *   --noise N   then N copies of the file with noise records inserted
 *               (other VCPUs' operations, stops anywhere; a fixed-seed
 *               generator), each named the same way:
 *               NOISE flagged=N distinct=N <sig>=<count>... <file>
 * Every program runs in a child process: a crash is reported, not fatal.
 * Exit 0, 2 on bad usage or an unreadable file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/known/root_cause.h"

static struct mt_program prog, minp, noisy, seqp;
static int one_run;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* 1-6 noise records inserted into a copy of p. */
static void noisy_copy(const struct mt_program *p, struct mt_program *q, unsigned nsites)
{
	static const uint8_t ops[] = { MT_OP_GET, MT_OP_PUT_OWN, MT_OP_PUT_OTHER, MT_OP_GROW, MT_OP_NOP };

	*q = *p;
	for (unsigned i = 0, k = 1 + rnd(6); i < k && q->nr_records < 64; i++) {
		unsigned at = rnd(q->nr_records + 1);
		memmove(&q->rec[at + 1], &q->rec[at], (q->nr_records - at) * sizeof(q->rec[0]));
		struct mt_in_record *r = &q->rec[at];
		r->vcpu = (uint8_t)rnd(q->nr_vcpus);
		r->op = ops[rnd(sizeof(ops))];
		r->arg = (uint8_t)rnd(256);
		switch (rnd(3)) {
		case 0:
			r->run_mode = MT_RUN_ALL;
			r->run_n = 0;
			break;
		case 1:
			r->run_mode = MT_RUN_POINTS;
			r->run_n = (uint16_t)rnd(8);
			break;
		default:
			r->run_mode = MT_RUN_UNTIL;
			r->run_n = (uint16_t)rnd(nsites);
			break;
		}
		q->nr_records++;
	}
}

/* Name p in a child: 1 and sig, 0 clean, -1 crash.  With out, the
 * child's line (stats, --min) is printed there too. */
static int name_in_child(struct mt_harness *h, const struct mt_program *p, char *sig, size_t cap, int print_min,
                         const char *file)
{
	int fd[2];
	if (pipe(fd))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		FILE *w = fdopen(fd[1], "w");
		char s[MT_SIG_MAX];
		/* as in a campaign: a shrinking candidate that crashes is a
		 * finding of its own (rejected), not the end of the naming */
		mt_harness_recover_crashes();
		if (!mt_harness_run_program(h, p, NULL)) {
			fprintf(w, "CLEAN\n");
			fclose(w);
			_exit(0);
		}
		if (one_run) {
			mt_signature(h->sim, s, sizeof(s));
			fprintf(w, "SIG %s", s);
		} else {
			mt_root_signature_min(h->sim, s, sizeof(s), &minp);
			const struct mt_root_stats *st = mt_root_last_stats();
			fprintf(w, "SIG %s runs=%u records=%u->%u stops=%u%s", s, st->runs, st->records_in,
			        st->records_out, st->stops_out, st->budget_out ? " budget-out" : "");
		}
		/* the program named (the minimal one; with --one-run the
		 * program itself), every record run to its end */
		char inv[32];
		if (one_run)
			minp = *p;
		mt_harness_run_program(h, &minp, NULL);
		snprintf(inv, sizeof(inv), "%s", mt_sim_blame(h->sim)->inv);
		seqp = minp;
		for (unsigned r = 0; r < seqp.nr_records; r++) {
			seqp.rec[r].run_mode = MT_RUN_ALL;
			seqp.rec[r].run_n = 0;
		}
		int sr = mt_harness_run_program(h, &seqp, NULL) && !strcmp(mt_sim_blame(h->sim)->inv, inv);
		fprintf(w, " seq_replays=%d %s\n", sr, file);
		if (print_min && !one_run) {
			char line[256];
			mt_in_print_header(&minp, w);
			for (unsigned r = 0; r < minp.nr_records; r++)
				fprintf(w, "  %s\n", mt_in_record_text(&minp.rec[r], &h->sites, line, sizeof(line)));
		}
		fclose(w);
		_exit(0);
	}
	close(fd[1]);
	FILE *r = fdopen(fd[0], "r");
	char line[512];
	int rc = -1, first = 1;
	while (r && fgets(line, sizeof(line), r)) {
		if (first && !strncmp(line, "CLEAN", 5))
			rc = 0;
		else if (first && sscanf(line, "SIG %127s", sig) == 1)
			rc = 1;
		if (file && rc)
			fputs(line, stdout);
		first = 0;
	}
	if (r)
		fclose(r);
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st))
		rc = -1;
	(void)cap;
	return rc;
}

int main(int argc, char **argv)
{
	struct mt_harness *h = NULL;
	int print_min = 0;
	unsigned noise = 0;

	for (; argc > 1 && !strncmp(argv[1], "--", 2) && argv[1][2]; argv++, argc--) {
		if (!strcmp(argv[1], "--min"))
			print_min = 1;
		else if (!strcmp(argv[1], "--one-run"))
			one_run = 1;
		else if (!strcmp(argv[1], "--noise") && argc > 2) {
			noise = (unsigned)atoi(argv[2]);
			argv++;
			argc--;
		} else {
			fprintf(stderr, "root_signature: unknown option %s\n", argv[1]);
			return 2;
		}
	}
	if (argc < 3) {
		fprintf(stderr, "usage: root_signature [--min] [--one-run] [--noise N] IMPL FILE... [-- IMPL FILE...]\n");
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
		mt_harness_decode(h, data, n, &prog);
		free(data);
		char sig[MT_SIG_MAX] = "";
		int rc = name_in_child(h, &prog, sig, sizeof(sig), print_min, argv[i]);
		if (rc <= 0)
			printf("%s %s\n", rc ? "CRASH" : "CLEAN", argv[i]);
		if (!noise)
			continue;
		char seen[64][MT_SIG_MAX];
		unsigned count[64], nseen = 0, flagged = 0;
		for (unsigned c = 0; c < noise; c++) {
			char s[MT_SIG_MAX];
			noisy_copy(&prog, &noisy, h->sites.count);
			if (name_in_child(h, &noisy, s, sizeof(s), 0, NULL) != 1)
				continue;
			flagged++;
			unsigned j;
			for (j = 0; j < nseen && strcmp(seen[j], s); j++)
				;
			if (j == nseen && nseen < 64) {
				snprintf(seen[nseen], MT_SIG_MAX, "%s", s);
				count[nseen++] = 0;
			}
			if (j < 64)
				count[j]++;
		}
		printf("NOISE flagged=%u distinct=%u", flagged, nseen);
		for (unsigned j = 0; j < nseen; j++)
			printf(" %s=%u", seen[j], count[j]);
		printf(" %s\n", argv[i]);
		fflush(stdout);
	}
	mt_harness_free(h);
	return 0;
}
