/*
 * signature_test.c - a signature from one run is stable under noise.
 *
 *   signature_test IMPL FILE... [-- IMPL FILE... ...]
 *
 * For every shrunk reproducer FILE of IMPL (from corpus/regress/IMPL): it
 * must be flagged, and of 30 unshrunk copies of it (noise records
 * inserted at random places by a fixed-seed generator: other VCPUs'
 * operations, stops at any site, idle turns) that are still flagged, at
 * least 20 must give the reproducer's signature; over all of them at
 * least 90% must, and the zoo must give at least 6 distinct signatures
 * (a constant signature would agree everywhere).  Every run is made in a child process,
 * so a reproducer that crashes the library (signals end the process) is
 * reported and skipped, not fatal.  Prints one line per reproducer and
 * the number of distinct signatures per implementation (for docs/figures.md);
 * exit 1 on any mismatch or a reproducer that runs clean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/known/known.h"

#define NOISY 20u     /* unshrunk copies that must give the reproducer's signature */
#define FLAGGED 30u   /* flagged noisy copies tried per reproducer */
#define TRIES 400u

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Run progs[from..n) in one child, in process, one "i SIG" line each on
 * the pipe ("i -" if clean); returns the index the child got to (n if it
 * ran them all; a crash ends the child at the program that crashed). */
static unsigned run_batch(struct mt_harness *h, const struct mt_program *progs, unsigned from, unsigned n,
                          char sigs[][MT_SIG_MAX])
{
	int fd[2];
	if (pipe(fd))
		return n;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		FILE *w = fdopen(fd[1], "w");
		setvbuf(w, NULL, _IOLBF, 0);
		for (unsigned i = from; i < n; i++) {
			char s[MT_SIG_MAX] = "-";
			if (mt_harness_run_program(h, &progs[i], NULL))
				mt_signature(h->sim, s, sizeof(s));
			fprintf(w, "%u %s\n", i, s);
		}
		fclose(w);
		_exit(0);
	}
	close(fd[1]);
	FILE *r = fdopen(fd[0], "r");
	char line[256];
	unsigned next = from;
	while (r && fgets(line, sizeof(line), r)) {
		unsigned i;
		char s[MT_SIG_MAX];
		if (sscanf(line, "%u %127s", &i, s) == 2 && i < n) {
			snprintf(sigs[i], MT_SIG_MAX, "%s", strcmp(s, "-") ? s : "");
			next = i + 1;
		}
	}
	if (r)
		fclose(r);
	waitpid(pid, NULL, 0);
	return next;
}

/* Run every program, each once; a program that crashes the library gets
 * the signature "" (not flagged: signals end the process). */
static void run_all(struct mt_harness *h, const struct mt_program *progs, unsigned n, char sigs[][MT_SIG_MAX])
{
	for (unsigned i = 0; i < n; i++)
		sigs[i][0] = '\0';
	for (unsigned from = 0; from < n;) {
		unsigned got = run_batch(h, progs, from, n, sigs);
		from = got < n ? got + 1 : n;  /* skip the one that crashed */
	}
}

/* Insert 1-6 noise records into a copy of p. */
static void noisy_copy(const struct mt_program *p, struct mt_program *q, unsigned nsites)
{
	*q = *p;
	unsigned k = 1 + rnd(6);
	for (unsigned i = 0; i < k && q->nr_records < 64; i++) {
		unsigned at = rnd(q->nr_records + 1);
		memmove(&q->rec[at + 1], &q->rec[at], (q->nr_records - at) * sizeof(q->rec[0]));
		struct mt_in_record *r = &q->rec[at];
		static const uint8_t ops[] = { MT_OP_GET, MT_OP_PUT_OWN, MT_OP_PUT_OTHER, MT_OP_GROW, MT_OP_NOP };
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

int main(int argc, char **argv)
{
	unsigned bad = 0, checked = 0, skipped = 0, all_same = 0, all_flagged = 0, nall = 0;
	static char all[64][MT_SIG_MAX];
	static struct mt_program p;
	int i = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: signature_test IMPL FILE... [-- IMPL FILE...]\n");
		return 2;
	}
	while (i < argc) {
		const struct mt_ops *ops = mt_harness_impl(argv[i]);
		if (!ops) {
			fprintf(stderr, "signature_test: unknown implementation %s\n", argv[i]);
			return 2;
		}
		struct mt_harness *h = mt_harness_new(ops);
		char distinct[16][MT_SIG_MAX];
		unsigned nd = 0;
		for (i++; i < argc && strcmp(argv[i], "--"); i++) {
			size_t size;
			uint8_t *data = mt_harness_read_file(argv[i], &size);
			char sig[MT_SIG_MAX], err[256];
			if (!data) {
				fprintf(stderr, "signature_test: cannot read %s\n", argv[i]);
				return 2;
			}
			if (!strncmp((const char *)data, "maptrack-input", 14)) {
				if (mt_harness_parse(h, (const char *)data, &p, err, sizeof(err))) {
					fprintf(stderr, "signature_test: %s: %s\n", argv[i], err);
					return 2;
				}
			} else {
				mt_harness_decode(h, data, size, &p);
			}
			free(data);
			/* the reproducer, then TRIES noisy copies, in batches */
			static struct mt_program progs[1 + TRIES];
			static char sigs[1 + TRIES][MT_SIG_MAX];
			progs[0] = p;
			for (unsigned k = 1; k <= TRIES; k++)
				noisy_copy(&p, &progs[k], h->sites.count);
			unsigned want = 1 + FLAGGED * 3;   /* enough copies for FLAGGED flagged ones, usually */
			run_all(h, progs, want, sigs);
			snprintf(sig, sizeof(sig), "%s", sigs[0]);
			if (!sig[0]) {
				int crashed = run_batch(h, progs, 0, 1, sigs) == 0;
				if (crashed) {
					printf("SKIP %s %s: the library crashed (a signal ends the process)\n", ops->name, argv[i]);
					skipped++;
				} else {
					printf("FAIL %s %s: runs clean\n", ops->name, argv[i]);
					bad++;
				}
				continue;
			}
			unsigned flagged = 0;
			for (unsigned k = 1; k < want; k++)
				flagged += sigs[k][0] != '\0';
			if (flagged < FLAGGED) {         /* few copies stay flagged: try them all */
				run_all(h, progs, 1 + TRIES, sigs);
				want = 1 + TRIES;
			}
			unsigned same = 0, other = 0;
			char other_sig[MT_SIG_MAX] = "";
			for (unsigned k = 1; k < want && same + other < FLAGGED; k++) {
				if (!sigs[k][0])
					continue;
				if (!strcmp(sigs[k], sig)) {
					same++;
				} else {
					other++;
					snprintf(other_sig, sizeof(other_sig), "%s", sigs[k]);
				}
			}
			int ok = same >= NOISY;
			all_same += same;
			all_flagged += same + other;
			printf("%s %s %s: %s; %u/%u noisy copies agree%s%s\n", ok ? "OK  " : "FAIL", ops->name, argv[i],
			       sig, same, same + other, other ? ", e.g. " : "", other_sig);
			bad += !ok;
			checked++;
			unsigned k = 0;
			while (k < nd && strcmp(distinct[k], sig))
				k++;
			if (k == nd && nd < 16)
				snprintf(distinct[nd++], MT_SIG_MAX, "%s", sig);
			k = 0;
			while (k < nall && strcmp(all[k], sig))
				k++;
			if (k == nall && nall < 64)
				snprintf(all[nall++], MT_SIG_MAX, "%s", sig);
		}
		printf("IMPL %s distinct_signatures=%u\n", ops->name, nd);
		mt_harness_free(h);
		if (i < argc)
			i++;         /* "--" */
	}
	/* A blind signature (one constant) would agree everywhere: the zoo's
	 * bugs must also be told apart. */
	unsigned pct = all_flagged ? 100u * all_same / all_flagged : 0;
	printf("SUMMARY reproducers=%u skipped_crash=%u failed=%u agree=%u/%u (%u%%) distinct=%u\n", checked,
	       skipped, bad, all_same, all_flagged, pct, nall);
	if (pct < 90) {
		printf("FAIL fewer than 90%% of noisy copies keep their reproducer's signature\n");
		bad++;
	}
	if (nall < 6) {
		printf("FAIL only %u distinct signatures over the zoo (want >= 6)\n", nall);
		bad++;
	}
	return bad ? 1 : 0;
}
