/*
 * triage_main.c - maptrack_triage: group, shrink and draw findings.
 *
 *   maptrack_triage group [--impl NAME] --out DIR [--save DIR] [--files-from LIST] [FILE...]
 *       [--by-shrunk | --by-first]
 *       replay every input against NAME; group the findings by the
 *       signature of the run that found them, named as a campaign names
 *       it (mt_harness_signature: the minimised reproducer's, or
 *       crash:KIND:FRAME; fuzz/known/known.h: what a known-findings file
 *       lists; --by-shrunk: by the older signature of
 *       the shrunk program, invariant + operations + preempted points;
 *       --by-first: by the signature of the shortest prefix of its records
 *       that is flagged already, the damage a later finding met, and each
 *       group lists its members' run signatures: "run signatures: A B");
 *       shrink each finding to a 1-minimal schedule that breaks the same
 *       invariant and keep the smallest reproducer of each group.  Every
 *       group reports its run signature ("run signature: SIG").  Writes DIR/<name>
 *       (bytes), DIR/<name>.txt (readable interleaving), DIR/<name>.html
 *       (swimlane picture) and DIR/triage.txt (the table).  --save DIR:
 *       copy each group's reproducer to DIR/<name> if it runs clean on
 *       production (a regression input: corpus/regress/<impl>/).
 *       Last line: SUMMARY findings=N groups=N minimized=N saved=N ...
 *   maptrack_triage shrink [--impl NAME] [--inv INV] FILE -o OUT
 *   maptrack_triage minimal [--impl NAME] [--inv INV] FILE
 *       exit 0 if FILE is 1-minimal (no single record, VCPU or context
 *       switch can go), 1 if not, with the reason.
 *   maptrack_triage signature [--impl NAME] FILE...
 *   maptrack_triage text [--impl NAME] FILE
 *   maptrack_triage timeline [--impl NAME] FILE [-o OUT.svg|OUT.html|OUT.gp] [--png PNG] [--title T]
 *       the swimlane picture (format from the extension; .gp is a gnuplot
 *       script that draws PNG into --png).
 * FILE: bytes (any byte string) or the text form ("maptrack-input v2 ...", the header line optional).
 * NAME defaults to $MT_IMPL, else production.  Exit 2: bad usage or a
 * missing file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/triage/triage.h"

#define BYTES_CAP (MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN)

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: maptrack_triage group [--impl NAME] --out DIR [--save DIR] [--files-from LIST] [--by-shrunk|--by-first] [FILE...]\n"
	        "       maptrack_triage shrink [--impl NAME] [--inv INV] FILE -o OUT\n"
	        "       maptrack_triage minimal [--impl NAME] [--inv INV] FILE\n"
	        "       maptrack_triage signature [--impl NAME] FILE...\n"
	        "       maptrack_triage text [--impl NAME] FILE\n"
	        "       maptrack_triage timeline [--impl NAME] FILE [-o OUT.svg|.html|.gp] [--png PNG] [--title T]\n"
	        "       maptrack_triage list-impls\n"
	        "       (--isolated: every run in a child process)\n"
	        "NAME defaults to $MT_IMPL, else production.\n");
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct mt_program prog;
static uint8_t bytes[BYTES_CAP];

static int write_bytes(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "maptrack_triage: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(b, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "maptrack_triage: write error on %s\n", path);
		return -1;
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---- group ---- */

struct group {
	char sig[512], name[160], inv[32], finding[512], rsig[MT_SIG_MAX];
	char members[1024];      /* --by-first: its members' run signatures, ' '-separated */
	struct mt_program *best;
	size_t best_len;
	uint8_t *best_bytes;
	unsigned count;
	char example[512];
	int minimal;
	int prod_flagged;             /* -1: not run (an adapter's finding) */
	char saved[40];
};

struct seen {
	uint64_t hash;
	size_t len;
	uint8_t *bytes;
	int group;               /* -1: clean */
};

static uint64_t fnv(const uint8_t *b, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static int better(const struct mt_program *a, size_t alen, const uint8_t *ab, const struct mt_program *b,
                  size_t blen, const uint8_t *bb)
{
	if (a->nr_records != b->nr_records)
		return a->nr_records < b->nr_records;
	if (a->nr_vcpus != b->nr_vcpus)
		return a->nr_vcpus < b->nr_vcpus;
	if (alen != blen)
		return alen < blen;
	return memcmp(ab, bb, alen) < 0;
}

static int files_equal(const char *path, const uint8_t *b, size_t n, size_t *old_len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	static uint8_t old[BYTES_CAP + 1];
	size_t m = fread(old, 1, sizeof(old), f);
	fclose(f);
	*old_len = m;
	return m == n && !memcmp(old, b, n);
}

static int mkdir_p(const char *dir)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *s = buf + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			if (mkdir(buf, 0777) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -1;
	return 0;
}

/* The signature of p's run as a campaign names it (mt_harness_signature:
 * from the minimised reproducer, a crash by its report and frame), in a
 * child: the shrinking re-runs may crash the library (recovered there as
 * in a campaign, fuzz/engine/crash.h) and a damaged heap dies with the
 * child; a crash outside a run is reported by the crash reporter, which
 * prints the signature too. */
static void run_signature(const struct mt_program *p, const struct mt_ops *ops, const struct mt_tri_verdict *v,
                          char *sig, size_t cap)
{
	struct mt_harness *h = mt_tri_harness(ops);

	snprintf(sig, cap, "%s:end:seq", v->inv);
	int fd[2];
	if (pipe(fd))
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		alarm(30);
		mt_harness_catch_crashes();
		mt_harness_recover_crashes();
		/* the crash handler prints SIGNATURE on stdout: send stdout down the pipe */
		dup2(fd[1], 1);
		char s[MT_SIG_MAX];
		if (mt_harness_run_program(h, p, NULL) && !mt_harness_signature(h, s, sizeof(s)))
			printf("SIGNATURE %s\n", s);
		fflush(stdout);
		_exit(0);
	}
	close(fd[1]);
	char buf[8192];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(buf) - 1 && (r = read(fd[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd[0]);
	waitpid(pid, NULL, 0);
	const char *at = strstr(buf, "SIGNATURE ");
	if (at) {
		at += strlen("SIGNATURE ");
		size_t l = strcspn(at, "\n");
		snprintf(sig, cap, "%.*s", (int)l, at);
	}
}

/* --by-first: the signature of the shortest prefix of p's records that
 * is flagged already (the unfinished operations drain to their end, as
 * at the end of any input): a finding that met damage an earlier one
 * left (a corrupt list met by a later claim or get) is named by the
 * damage.  sig keeps the full run's if no shorter prefix is flagged. */
static void first_signature(const struct mt_program *p, const struct mt_ops *ops, char *sig, size_t cap)
{
	static struct mt_program q;
	struct mt_tri_verdict v;

	q = *p;
	for (unsigned k = 1; k < p->nr_records; k++) {
		q.nr_records = k;
		mt_tri_run(&q, ops, &v);
		if (v.flagged) {
			run_signature(&q, ops, &v, sig, cap);
			return;
		}
	}
}

static int cmd_group(const struct mt_ops *ops, const char *out, const char *save, char **files, int nfiles,
                     int by_shrunk)
{
	const struct mt_ops *prod = mt_harness_impl("production");
	struct group *g = NULL;
	struct seen *seen = NULL;
	unsigned ng = 0, nseen = 0, findings = 0, clean = 0, unreadable = 0, minimized = 0, saved = 0;
	double t0 = now_ms();
	char err[512], path[4096];

	if (mkdir_p(out)) {
		fprintf(stderr, "maptrack_triage: cannot create %s: %s\n", out, strerror(errno));
		return 2;
	}
	g = calloc((size_t)nfiles + 1, sizeof(*g));
	seen = calloc((size_t)nfiles + 1, sizeof(*seen));
	if (!g || !seen)
		return 2;
	fprintf(stderr, "triage: %d input(s), impl=%s, out=%s\n", nfiles, ops->name, out);
	for (int i = 0; i < nfiles; i++) {
		double t1 = now_ms();
		unsigned long runs0 = mt_tri_runs();
		if (mt_tri_load(files[i], ops, &prog, err, sizeof(err))) {
			fprintf(stderr, "[%d/%d] %s: skipped: %s\n", i + 1, nfiles, base_name(files[i]), err);
			unreadable++;
			continue;
		}
		size_t len = mt_tri_encode(&prog, bytes, sizeof(bytes));
		uint64_t h = fnv(bytes, len);
		int dup = -2;
		for (unsigned k = 0; k < nseen; k++)
			if (seen[k].hash == h && seen[k].len == len && !memcmp(seen[k].bytes, bytes, len))
				dup = seen[k].group;
		if (dup != -2) {
			if (dup >= 0) {
				findings++;
				g[dup].count++;
			} else {
				clean++;
			}
			fprintf(stderr, "[%d/%d] %s: same program as an earlier input: %s\n", i + 1, nfiles,
			        base_name(files[i]), dup >= 0 ? g[dup].name : "clean");
			continue;
		}
		seen[nseen].hash = h;
		seen[nseen].len = len;
		seen[nseen].bytes = malloc(len ? len : 1);
		if (!seen[nseen].bytes)
			return 2;
		memcpy(seen[nseen].bytes, bytes, len);
		seen[nseen].group = -1;
		nseen++;

		struct mt_tri_verdict v;
		mt_tri_run(&prog, ops, &v);
		if (!v.flagged) {
			clean++;
			fprintf(stderr, "[%d/%d] %s: clean on %s (not a finding here)\n", i + 1, nfiles,
			        base_name(files[i]), ops->name);
			continue;
		}
		findings++;
		char rsig[MT_SIG_MAX];
		run_signature(&prog, ops, &v, rsig, sizeof(rsig));
		char key[MT_SIG_MAX];
		snprintf(key, sizeof(key), "%s", rsig);
		if (by_shrunk == 2)
			first_signature(&prog, ops, key, sizeof(key));
		struct mt_tri_shrink_stats st;
		mt_tri_shrink(&prog, ops, v.inv, &st);
		struct mt_tri_sig sig;
		if (mt_tri_signature(&prog, ops, &sig)) {
			fprintf(stderr, "[%d/%d] %s: %s; the shrunk program no longer breaks it (nondeterminism?)\n",
			        i + 1, nfiles, base_name(files[i]), v.inv);
			continue;
		}
		minimized++;
		size_t blen = mt_tri_encode(&prog, bytes, sizeof(bytes));
		int gi = -1;
		if (by_shrunk != 1) {
			/* group by the run's signature (--by-first: the shortest
			 * flagged prefix's); the name is it, file-name safe */
			snprintf(sig.sig, sizeof(sig.sig), "%s", key);
			snprintf(sig.name, sizeof(sig.name), "%s", key);
			for (char *c = sig.name; *c; c++)
				if (*c == ':')
					*c = '-';
		}
		for (unsigned k = 0; k < ng; k++)
			if (!strcmp(g[k].sig, sig.sig))
				gi = (int)k;
		if (gi < 0) {
			gi = (int)ng++;
			snprintf(g[gi].sig, sizeof(g[gi].sig), "%s", sig.sig);
			snprintf(g[gi].rsig, sizeof(g[gi].rsig), "%s", rsig);
			snprintf(g[gi].inv, sizeof(g[gi].inv), "%s", sig.inv);
			/* names are unique per signature; a clash (truncation) gets a suffix */
			snprintf(g[gi].name, sizeof(g[gi].name), "%s", sig.name);
			for (unsigned k = 0, sfx = 2; k < (unsigned)gi; k++)
				if (!strcmp(g[k].name, g[gi].name)) {
					snprintf(g[gi].name, sizeof(g[gi].name), "%.120s-%u", sig.name, sfx++);
					k = (unsigned)-1;
				}
			g[gi].best = malloc(sizeof(*g[gi].best));
			g[gi].best_bytes = malloc(BYTES_CAP);
			if (!g[gi].best || !g[gi].best_bytes)
				return 2;
			*g[gi].best = prog;
			g[gi].best_len = blen;
			memcpy(g[gi].best_bytes, bytes, blen);
			snprintf(g[gi].example, sizeof(g[gi].example), "%s", files[i]);
			snprintf(g[gi].finding, sizeof(g[gi].finding), "%s", v.finding);
		} else if (better(&prog, blen, bytes, g[gi].best, g[gi].best_len, g[gi].best_bytes)) {
			/* by run signature a group may hold several invariants:
			 * the best reproducer's is the one it is minimal for */
			snprintf(g[gi].inv, sizeof(g[gi].inv), "%s", sig.inv);
			*g[gi].best = prog;
			g[gi].best_len = blen;
			memcpy(g[gi].best_bytes, bytes, blen);
			snprintf(g[gi].example, sizeof(g[gi].example), "%s", files[i]);
			snprintf(g[gi].finding, sizeof(g[gi].finding), "%s", v.finding);
		}
		g[gi].count++;
		if (by_shrunk == 2) {
			/* the signatures a campaign will meet (what --accept lists) */
			size_t ml = strlen(g[gi].members), rl = strlen(rsig);
			int have = 0;
			for (const char *m = g[gi].members; *m;) {
				size_t l = strcspn(m, " ");
				if (l == rl && !strncmp(m, rsig, rl))
					have = 1;
				m += l + (m[l] == ' ');
			}
			if (!have && ml + rl + 2 < sizeof(g[gi].members))
				snprintf(g[gi].members + ml, sizeof(g[gi].members) - ml, "%s%s", ml ? " " : "", rsig);
		}
		seen[nseen - 1].group = gi;
		fprintf(stderr, "[%d/%d] %s: %s -> %u->%u records, %u->%u vcpus, %u->%u switches (%lu runs, %.0f ms) => %s\n",
		        i + 1, nfiles, base_name(files[i]), v.inv, st.records_before, st.records_after,
		        st.vcpus_before, st.vcpus_after, st.switches_before, st.switches_after,
		        mt_tri_runs() - runs0, now_ms() - t1, g[gi].name);
	}

	/* per group: verify, write, save */
	snprintf(path, sizeof(path), "%s/triage.txt", out);
	FILE *rep = fopen(path, "w");
	if (!rep) {
		fprintf(stderr, "maptrack_triage: cannot write %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (save && mkdir_p(save)) {
		fprintf(stderr, "maptrack_triage: cannot create %s: %s\n", save, strerror(errno));
		fclose(rep);
		return 2;
	}
	for (unsigned k = 0; k < ng; k++) {
		struct group *gr = &g[k];
		char why[256];
		gr->minimal = mt_tri_check_minimal(gr->best, ops, gr->inv, why, sizeof(why));
		struct mt_tri_verdict pv;
		if (mt_harness_kind(ops) == MT_HARNESS_MAPTRACK) {
			mt_tri_run(gr->best, prod, &pv);
			gr->prod_flagged = pv.flagged;
		} else {
			gr->prod_flagged = -1;     /* an adapter's program means nothing to production */
		}
		snprintf(path, sizeof(path), "%s/%s", out, gr->name);
		write_bytes(path, gr->best_bytes, gr->best_len);
		snprintf(path, sizeof(path), "%s/%s.txt", out, gr->name);
		FILE *f = fopen(path, "w");
		if (f) {
			fprintf(f, "# group %s: %u finding(s); signature %s\n# smallest from %s\n", gr->name, gr->count,
			        gr->sig, gr->example);
			mt_tri_print_text(gr->best, ops, f);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/%s.html", out, gr->name);
		f = fopen(path, "w");
		if (f) {
			char title[300];
			snprintf(title, sizeof(title), "%s on %s", gr->name, ops->name);
			mt_tri_picture(gr->best, ops, f, MT_TRI_HTML, title, NULL);
			fclose(f);
		}
		snprintf(gr->saved, sizeof(gr->saved), "-");
		if (save) {
			if (!strcmp(ops->name, "production")) {
				snprintf(gr->saved, sizeof(gr->saved), "no(production)");
			} else if (gr->prod_flagged > 0) {
				snprintf(gr->saved, sizeof(gr->saved), "no(flagged-on-production)");
			} else if (!gr->minimal) {
				snprintf(gr->saved, sizeof(gr->saved), "no(not-minimal)");
			} else {
				size_t old_len = 0;
				snprintf(path, sizeof(path), "%s/%s", save, gr->name);
				int eq = files_equal(path, gr->best_bytes, gr->best_len, &old_len);
				if (eq == 1) {
					snprintf(gr->saved, sizeof(gr->saved), "already");
					saved++;
				} else if (eq == 0 && old_len <= gr->best_len) {
					snprintf(gr->saved, sizeof(gr->saved), "kept-existing");
					saved++;
				} else if (!write_bytes(path, gr->best_bytes, gr->best_len)) {
					snprintf(gr->saved, sizeof(gr->saved), "saved");
					saved++;
				} else {
					snprintf(gr->saved, sizeof(gr->saved), "write-error");
				}
			}
		}
	}
	double ms = now_ms() - t0;
	FILE *outs[2] = { stdout, rep };
	for (int o = 0; o < 2; o++) {
		FILE *f = outs[o];
		fprintf(f, "# triage impl=%s inputs=%d findings=%u clean=%u unreadable=%u groups=%u time=%.0fms\n",
		        ops->name, nfiles, findings, clean, unreadable, ng, ms);
		fprintf(f, "%-4s %-8s %8s %7s %5s %8s %5s %-7s %-10s %s\n", "#", "inv", "findings", "records", "vcpus",
		        "switches", "bytes", "1-min", "production", "name (saved)");
		for (unsigned k = 0; k < ng; k++) {
			struct group *gr = &g[k];
			fprintf(f, "%-4u %-8s %8u %7u %5u %8u %5zu %-7s %-10s %s (%s)\n", k + 1, gr->inv, gr->count,
			        gr->best->nr_records, gr->best->nr_vcpus, mt_tri_switches(gr->best), gr->best_len,
			        gr->minimal ? "yes" : "NO", gr->prod_flagged < 0 ? "n/a" : gr->prod_flagged ? "FLAGGED" : "clean",
			        gr->name, gr->saved);
		}
		for (unsigned k = 0; k < ng; k++) {
			struct group *gr = &g[k];
			fprintf(f, "group %u %s\n  signature: %s\n  run signature: %s\n", k + 1, gr->name, gr->sig, gr->rsig);
			if (gr->members[0])
				fprintf(f, "  run signatures: %s\n", gr->members);
			fprintf(f, "  finding:   %s\n  smallest from: %s\n  files: %s/%s{,.txt,.html}\n", gr->finding,
			        gr->example, out, gr->name);
		}
	}
	fclose(rep);
	printf("SUMMARY findings=%u groups=%u minimized=%u saved=%u clean=%u unreadable=%u runs=%lu time_ms=%.0f report=%s/triage.txt\n",
	       findings, ng, minimized, saved, clean, unreadable, mt_tri_runs(), ms, out);
	for (unsigned k = 0; k < ng; k++) {
		free(g[k].best);
		free(g[k].best_bytes);
	}
	for (unsigned k = 0; k < nseen; k++)
		free(seen[k].bytes);
	free(g);
	free(seen);
	return 0;
}

/* ---- single-file commands ---- */

static int load_or_die(const struct mt_ops *ops, const char *path)
{
	char err[512];
	if (mt_tri_load(path, ops, &prog, err, sizeof(err))) {
		fprintf(stderr, "maptrack_triage: %s\n", err);
		return -1;
	}
	return 0;
}

static int cmd_shrink(const struct mt_ops *ops, const char *inv, const char *in, const char *out)
{
	if (load_or_die(ops, in))
		return 2;
	struct mt_tri_verdict v;
	mt_tri_run(&prog, ops, &v);
	if (!v.flagged) {
		fprintf(stderr, "maptrack_triage: %s runs clean on %s: nothing to shrink\n", in, ops->name);
		printf("SUMMARY shrink=clean\n");
		return 1;
	}
	if (!inv)
		inv = v.inv;
	else if (strcmp(inv, v.inv)) {
		fprintf(stderr, "maptrack_triage: %s breaks %s, not %s\n", in, v.inv, inv);
		return 1;
	}
	double t0 = now_ms();
	struct mt_tri_shrink_stats st;
	char inv_copy[32];
	snprintf(inv_copy, sizeof(inv_copy), "%s", inv);
	mt_tri_shrink(&prog, ops, inv_copy, &st);
	size_t len = mt_tri_encode(&prog, bytes, sizeof(bytes));
	if (!len || write_bytes(out, bytes, len))
		return 2;
	printf("shrunk %s: %s; records %u -> %u, vcpus %u -> %u, switches %u -> %u, %u runs, %.0f ms -> %s\n", in,
	       inv_copy, st.records_before, st.records_after, st.vcpus_before, st.vcpus_after, st.switches_before,
	       st.switches_after, st.runs, now_ms() - t0, out);
	printf("SUMMARY shrink=ok inv=%s records=%u vcpus=%u switches=%u bytes=%zu runs=%u\n", inv_copy,
	       st.records_after, st.vcpus_after, st.switches_after, len, st.runs);
	return 0;
}

static int cmd_minimal(const struct mt_ops *ops, const char *inv, const char *in)
{
	if (load_or_die(ops, in))
		return 2;
	struct mt_tri_verdict v;
	mt_tri_run(&prog, ops, &v);
	if (!v.flagged) {
		printf("%s: clean on %s\nSUMMARY minimal=no reason=clean\n", in, ops->name);
		return 1;
	}
	char why[256];
	int ok = mt_tri_check_minimal(&prog, ops, inv ? inv : v.inv, why, sizeof(why));
	printf("%s: %s on %s: %s\nSUMMARY minimal=%s records=%u\n", in, inv ? inv : v.inv, ops->name, why,
	       ok ? "yes" : "no", prog.nr_records);
	return ok ? 0 : 1;
}

static int cmd_signature(const struct mt_ops *ops, char **files, int nfiles)
{
	int rc = 0;
	for (int i = 0; i < nfiles; i++) {
		if (load_or_die(ops, files[i]))
			return 2;
		struct mt_tri_sig s;
		if (mt_tri_signature(&prog, ops, &s))
			printf("%s\tclean\n", files[i]);
		else
			printf("%s\t%s\t%s\n", files[i], s.sig, s.name);
	}
	return rc;
}

static int cmd_timeline(const struct mt_ops *ops, const char *in, const char *out, const char *png,
                        const char *title)
{
	if (load_or_die(ops, in))
		return 2;
	enum mt_tri_picture fmt = MT_TRI_HTML;
	if (out) {
		size_t n = strlen(out);
		if (n > 4 && !strcmp(out + n - 4, ".svg"))
			fmt = MT_TRI_SVG;
		else if (n > 3 && !strcmp(out + n - 3, ".gp"))
			fmt = MT_TRI_GNUPLOT;
		else if (!(n > 5 && !strcmp(out + n - 5, ".html")) && !(n > 4 && !strcmp(out + n - 4, ".htm"))) {
			fprintf(stderr, "maptrack_triage: -o wants .svg, .html or .gp, got %s\n", out);
			return 2;
		}
	}
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		fprintf(stderr, "maptrack_triage: cannot write %s: %s\n", out, strerror(errno));
		return 2;
	}
	char t[600];
	snprintf(t, sizeof(t), "%s", title ? title : base_name(in));
	int rc = mt_tri_picture(&prog, ops, f, fmt, t, png);
	if (out && fclose(f) != 0) {
		fprintf(stderr, "maptrack_triage: write error on %s\n", out);
		return 2;
	}
	if (rc < 0)
		return 2;
	fprintf(stderr, "SUMMARY timeline=%s verdict=%s records=%u vcpus=%u\n", out ? out : "-",
	        rc ? "finding" : "clean", prog.nr_records, prog.nr_vcpus);
	return 0;
}

/* Read one path per line. */
static int read_list(const char *list, char ***files, int *nfiles, int *cap)
{
	FILE *f = fopen(list, "r");
	if (!f) {
		fprintf(stderr, "maptrack_triage: cannot read %s: %s\n", list, strerror(errno));
		return -1;
	}
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (*nfiles == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			char **nf = realloc(*files, (size_t)*cap * sizeof(**files));
			if (!nf) {
				fclose(f);
				return -1;
			}
			*files = nf;
		}
		(*files)[(*nfiles)++] = strdup(line);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "list-impls") || !strcmp(cmd, "--list-impls")) {
		mt_harness_list_impls(stdout);
		return 0;
	}
	const char *impl_name = getenv("MT_IMPL"), *inv = NULL, *out = NULL, *save = NULL, *png = NULL, *title = NULL;
	int by_shrunk = 0;
	char **files = NULL;
	int nfiles = 0, cap = 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--impl") && i + 1 < argc) {
			impl_name = argv[++i];
		} else if (!strncmp(a, "--impl=", 7)) {
			impl_name = a + 7;
		} else if (!strcmp(a, "--inv") && i + 1 < argc) {
			inv = argv[++i];
		} else if ((!strcmp(a, "--out") || !strcmp(a, "-o")) && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(a, "--save") && i + 1 < argc) {
			save = argv[++i];
		} else if (!strcmp(a, "--png") && i + 1 < argc) {
			png = argv[++i];
		} else if (!strcmp(a, "--title") && i + 1 < argc) {
			title = argv[++i];
		} else if (!strcmp(a, "--by-shrunk")) {
			by_shrunk = 1;
		} else if (!strcmp(a, "--by-first")) {
			by_shrunk = 2;
		} else if (!strcmp(a, "--isolated")) {
			mt_tri_set_isolated(1);
		} else if (!strcmp(a, "--files-from") && i + 1 < argc) {
			if (read_list(argv[++i], &files, &nfiles, &cap))
				return 2;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "maptrack_triage: unknown or incomplete flag '%s'\n", a);
			usage(stderr);
			return 2;
		} else {
			if (nfiles == cap) {
				cap = cap ? cap * 2 : 64;
				char **nf = realloc(files, (size_t)cap * sizeof(*files));
				if (!nf)
					return 2;
				files = nf;
			}
			files[nfiles++] = strdup(a);
		}
	}
	if (!impl_name || !*impl_name)
		impl_name = "production";
	const struct mt_ops *ops = mt_harness_impl(impl_name);
	if (!ops) {
		fprintf(stderr, "maptrack_triage: unknown implementation '%s'; known:\n", impl_name);
		mt_harness_list_impls(stderr);
		return 2;
	}
	int rc;
	if (!strcmp(cmd, "group")) {
		if (!out) {
			fprintf(stderr, "maptrack_triage: group needs --out DIR\n");
			return 2;
		}
		rc = cmd_group(ops, out, save, files, nfiles, by_shrunk);
	} else if (!strcmp(cmd, "shrink") && nfiles == 1 && out) {
		rc = cmd_shrink(ops, inv, files[0], out);
	} else if (!strcmp(cmd, "minimal") && nfiles == 1) {
		rc = cmd_minimal(ops, inv, files[0]);
	} else if (!strcmp(cmd, "signature") && nfiles >= 1) {
		rc = cmd_signature(ops, files, nfiles);
	} else if (!strcmp(cmd, "text") && nfiles == 1) {
		rc = load_or_die(ops, files[0]) ? 2 : mt_tri_print_text(&prog, ops, stdout) ? 1 : 0;
	} else if (!strcmp(cmd, "timeline") && nfiles == 1) {
		rc = cmd_timeline(ops, files[0], out, png, title);
	} else {
		fprintf(stderr, "maptrack_triage: bad command line for '%s'\n", cmd);
		usage(stderr);
		rc = 2;
	}
	for (int i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return rc;
}
