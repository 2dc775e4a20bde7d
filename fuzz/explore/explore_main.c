/*
 * explore_main.c - the explorer as a program (tools/explore runs it).
 *
 *   maptrack_explore [--preemptions K|all] [--max-schedules N] [--impl NAME]
 *                    [--all] [--no-prune] [--no-i11] [--strict-boundaries]
 *                    [--count-pruned] [--out DIR] [--minimal] [--known FILE]
 *                    [--name NAME] [--quiet] [--check-dpor] SCENARIO
 *
 * --preemptions all: no bound; every schedule up to equivalence (dynamic
 * partial-order reduction, dpor.h; c11: every reads-from choice); SUMMARY
 * says bound=none executions=N.  --check-dpor: that reduction against the
 * naive enumeration on this scenario (the same kinds of verdict, else
 * exit 1).
 * SCENARIO: the text form (tools/encode's) or any input's bytes; its
 * operations and geometry are kept, its schedule is replaced by every
 * schedule with at most K preemptions.  Each violation is printed with its
 * schedule in the text form (what happened at each step as comments) and
 * saved under --out as bytes (NAME-IMPL-kK-N) and text (.txt); the saved
 * bytes are replayed through the normal path before they are reported,
 * and must give the same finding.
 * --minimal: iterative deepening, first on preemptions (0, 1, .. K), then
 * on operations (a prefix of n operations of each VCPU, n = 1, 2, ..): the
 * first violation reported has the fewest preemptions, then the fewest
 * operations.  --known FILE (or $MT_KNOWN; implies --minimal): a violation
 * whose signature (the campaign's, from the minimised reproducer:
 * fuzz/known/known.h) is known, or was reported already,
 * is counted and the search goes on to the next distinct signature.
 * Exit 0: no violation (with --known: no new one); 1: violations; 3: only
 * known ones; 2: bad usage, unreadable scenario,
 * or an error of the exploration.  Last line: SUMMARY scenario=NAME
 * impl=NAME preemptions=K schedules=N violations=N ...
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz/checkers/conflicts.h"
#include "fuzz/drivers/harness.h"
#include "fuzz/explore/explore.h"
#include "fuzz/explore/minimal.h"
#include "fuzz/triage/triage.h"

static struct {
	const char *name;
	const char *impl;
	const char *out;
	unsigned k;
	int dpor;                /* --preemptions all */
	int quiet;
	int all;
	unsigned saved;
	unsigned replay_mismatch;
	double t0, last_progress;
	const struct mt_ops *ops;
	struct mt_harness *h;
	int no_i11;
	const char *conflicts;           /* --conflicts OUT */
	int minimal;             /* iterative deepening (--minimal, --known) */
	int use_known;
	struct mt_xp_minimal mn; /* its state (fuzz/explore/minimal.h) */
} M;

static struct mt_program compact, replayed;

/* K as printed: a number, or "all" (no bound: partial-order reduction) */
static const char *kname(void)
{
	static char buf[16];
	if (M.dpor)
		return "all";
	snprintf(buf, sizeof(buf), "%u", M.k);
	return buf;
}
static volatile int interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;         /* the search stops before its next schedule */
}
static uint8_t bytes[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: maptrack_explore [options] SCENARIO\n"
	        "  --preemptions K     at most K preemptions per schedule (default 2)\n"
	        "  --preemptions all   no bound: every schedule up to equivalence (dynamic\n"
	        "                      partial-order reduction; c11: every reads-from choice)\n"
	        "  --max-schedules N   stop after N schedules (default: no bound)\n"
	        "  --stale N           c11 (the scenario's model or MT_MEMORY_MODEL): at most N loads per\n"
	        "                      schedule read an older store than the newest (default 1)\n"
	        "  --impl NAME         implementation (default production; --list-impls)\n"
	        "  --all               do not stop at the first violation\n"
	        "  --no-prune          also switch before private accesses\n"
	        "  --no-i11            the state invariants only: no private claims (I11), no races (I12); implies --no-prune\n"
	        "  --strict-boundaries a switch between two operations of a VCPU that has more\n"
	        "                      left costs a preemption too (default: free)\n"
	        "  --dpor-boundaries   --preemptions all orders every operation's start with the\n"
	        "                      other VCPUs' ends (no quiescent observers: docs/explore.md)\n"
	        "  --lock-reduction on|off  --preemptions all: a critical section that only\n"
	        "                      reads what is written only under its lock is one step\n"
	        "                      (docs/explore.md; default on; c11: checked per run)\n"
	        "  --check-dpor        the reduction of --preemptions all against the naive\n"
	        "                      enumeration (every switch, every reads-from choice):\n"
	        "                      the same kinds of verdict or exit 1 (--max-schedules:\n"
	        "                      the naive side's bound, default 2000000; stopped there,\n"
	        "                      what it found must be among the reduced side's kinds)\n"
	        "  --count-pruned      explore a second time without pruning and report how\n"
	        "                      many schedules the pruning removed (complete runs only)\n"
	        "  --out DIR           where violations are saved (default out/explore)\n"
	        "  --name NAME         scenario name in reports (default: the file's base name)\n"
	        "  --quiet             no schedule printouts, no progress\n"
	        "  --conflicts OUT     write the conflicting pairs of sites the schedules reach\n"
	        "                      (SITE_A<TAB>SITE_B per line; fuzz/checkers/conflicts.h)\n"
	        "  --minimal           iterative deepening: fewest preemptions, then fewest\n"
	        "                      operations (a prefix of each VCPU's) first\n"
	        "  --known FILE        known findings (default $MT_KNOWN; implies --minimal):\n"
	        "                      skipped; the search goes on to the next new signature\n"
	        "SCENARIO: text form (tools/encode) or any input's bytes.\n");
}

/* Save the bytes of a schedule under --out, and its readable text (if any)
 * beside them as .txt; returns the path written (static). */
static const char *save(size_t len, unsigned n, const char *text, size_t text_len)
{
	static char path[4096];

	if (mkdir(M.out, 0777) && errno != EEXIST) {
		fprintf(stderr, "explore: cannot create %s: %s\n", M.out, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s-%s-k%s-%u", M.out, M.name, M.impl, kname(), n);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "explore: cannot write %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (!text)
		return path;
	char tpath[4200];
	snprintf(tpath, sizeof(tpath), "%s.txt", path);
	f = fopen(tpath, "w");
	if (!f || fprintf(f, "# tools/explore %s --impl %s --preemptions %s: violation %u\n", M.name,
	                  M.impl, kname(), n) < 0 ||
	    fwrite(text, 1, text_len, f) != text_len || fclose(f))
		fprintf(stderr, "explore: cannot write %s: %s\n", tpath, strerror(errno));
	return path;
}

static int on_violation(void *ctx, const struct mt_program *ran, const char *finding)
{
	(void)ctx;
	static char first[512];
	unsigned n = ++M.saved;
	char *text = NULL;
	size_t text_len = 0;

	snprintf(first, sizeof(first), "%s", finding);
	/* The signature as a campaign names it (mt_harness_signature): the
	 * saved schedule run through the normal path and minimised, in a
	 * child (a shrinking candidate may crash); else the run's own. */
	char sig[MT_SIG_MAX] = "";
	mt_xp_compact(ran, &compact);
	size_t len = mt_in_encode(&compact, bytes, sizeof(bytes));
	mt_harness_decode(M.h, bytes, len, &replayed);
	if (mt_harness_signature_of(M.h, &replayed, sig, sizeof(sig)))
		mt_signature(M.h->sim, sig, sizeof(sig));
	if (M.minimal && !mt_xp_minimal_new(&M.mn, sig)) {
		M.saved--;
		return 0;                  /* known or reported already: go on */
	}
	printf("VIOLATION %u: %s\n", n, first);
	printf("  signature: %s\n", sig);
	if (M.minimal)
		printf("  minimal: %u preemption(s), %u operation(s) per VCPU at most\n", M.mn.cur_k, M.mn.cur_n);
	/* The saved bytes through the normal path, once, tracing: the same
	 * finding, or it is no reproducer; the trace is the readable schedule. */
	FILE *mem = open_memstream(&text, &text_len);
	int again = mt_harness_run_program(M.h, &replayed, mem);
	if (mem)
		fclose(mem);
	if (!again || strcmp(mt_harness_finding(M.h), first)) {
		M.replay_mismatch++;
		printf("  REPLAY MISMATCH: the saved schedule gives %s\n",
		       again ? mt_harness_finding(M.h) : "no finding");
	}
	const char *path = save(len, n, text, text_len);
	if (path)
		printf("  saved: %s (+ .txt); replay: tools/repro --impl %s %s\n"
		       "  picture: tools/repro --impl %s --timeline %s.html %s\n",
		       path, M.impl, path, M.impl, path, path);
	if (!M.quiet && text) {
		printf("  the schedule (text form; tools/encode reads it back):\n");
		fwrite(text, 1, text_len, stdout);
	}
	free(text);
	fflush(stdout);
	return !M.all;
}

/* A file of printable text (a scenario that failed to read as text). */
static int mostly_text(const char *path)
{
	size_t n;
	uint8_t *b = mt_harness_read_file(path, &n);
	int text = b && n > 0;

	for (size_t i = 0; text && i < n; i++)
		text = b[i] == '\n' || b[i] == '\t' || b[i] == '\r' || (b[i] >= 0x20 && b[i] < 0x7f);
	free(b);
	return text;
}

static void on_progress(void *ctx, const struct mt_xp_stats *st)
{
	(void)ctx;
	double t = now();
	if (M.quiet || t - M.last_progress < 1.0)
		return;
	M.last_progress = t;
	if (M.dpor)
		fprintf(stderr, "explore: %llu executions (+%llu cut short by sleep sets), %llu violations, "
		        "%.0f runs/s\n", (unsigned long long)st->executions, (unsigned long long)st->sleep_blocked,
		        (unsigned long long)st->violations, st->schedules / (t - M.t0));
	else
		fprintf(stderr, "explore: %llu schedules, %llu violations, %.0f schedules/s\n",
		        (unsigned long long)st->schedules, (unsigned long long)st->violations,
		        st->schedules / (t - M.t0));
}

/* A crash of the library while exploring: report it with the schedule so
 * far (saved like a violation), then die. */
static void on_crash(int sig)
{
	char what[64];
	snprintf(what, sizeof(what), "signal %d (%s)", sig, strsignal(sig));
	fflush(stdout);
	printf("VIOLATION %u: crash: %s\n", M.saved + 1, what);
	mt_xp_compact(mt_xp_current(), &compact);
	/* bytes only: no re-run for the text, we are inside a run */
	const char *path = save(mt_in_encode(&compact, bytes, sizeof(bytes)), ++M.saved, NULL, 0);
	if (path)
		printf("  saved: %s; replay: tools/repro --impl %s %s\n", path, M.impl, path);
	if (mt_sim_active())
		mt_sim_report_crash(mt_sim_active(), stdout, what);
	printf("SUMMARY scenario=%s impl=%s preemptions=%s schedules=unknown violations=1 crash=1\n",
	       M.name, M.impl, kname());
	fflush(stdout);
	signal(sig, SIG_DFL);
	_exit(1);
}

/* A crash while the scenario's own program runs (to read its operations):
 * the input itself is a crashing reproducer; say so, then die. */
static void on_crash_reading(int sig)
{
	fflush(stdout);
	printf("explore: the scenario's program, run as written to read its operations, crashed %s "
	       "(signal %d, %s): it is a reproducer already (tools/repro --impl %s)\n", M.impl, sig,
	       strsignal(sig), M.impl);
	printf("SUMMARY scenario=%s impl=%s preemptions=%s schedules=0 violations=1 crash=1\n", M.name, M.impl,
	       kname());
	fflush(stdout);
	signal(sig, SIG_DFL);
	_exit(1);
}

static int parse_uint(const char *flag, const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno || v > max || *s == '-') {
		fprintf(stderr, "explore: %s needs a number up to %llu, not '%s'\n", flag, max, s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static struct mt_program prog;
	static struct mt_xp_scenario sc;
	struct mt_xp_config cfg;
	struct mt_xp_stats st, st2;
	const char *file = NULL;
	unsigned long long v;
	int count_pruned = 0, stale_set = 0, check_dpor = 0, mutant = 0;
	const char *known = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.lock_reduction = MT_XP_LOCK_REDUCTION_DEFAULT;
	M.impl = getenv("MT_IMPL") ? getenv("MT_IMPL") : "production";
	M.out = "out/explore";
	M.k = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--preemptions") && val && !strcmp(val, "all")) {
			M.dpor = 1;
			i++;
		} else if (!strcmp(a, "--preemptions")) {
			M.dpor = 0;
			if (parse_uint(a, val, 16, &v))
				return 2;
			M.k = (unsigned)v;
			i++;
		} else if (!strcmp(a, "--stale")) {
			if (parse_uint(a, val, 16, &v))
				return 2;
			cfg.stale = (unsigned)v;
			stale_set = 1;
			i++;
		} else if (!strcmp(a, "--max-schedules")) {
			if (parse_uint(a, val, ~0ull, &v))
				return 2;
			cfg.max_schedules = v;
			i++;
		} else if (!strcmp(a, "--impl") && val) {
			M.impl = val;
			i++;
		} else if (!strcmp(a, "--out") && val) {
			M.out = val;
			i++;
		} else if (!strcmp(a, "--name") && val) {
			M.name = val;
			i++;
		} else if (!strcmp(a, "--all")) {
			M.all = 1;
		} else if (!strcmp(a, "--no-prune")) {
			cfg.no_prune = 1;
		} else if (!strcmp(a, "--strict-boundaries")) {
			cfg.strict_boundaries = 1;
		} else if (!strcmp(a, "--no-i11")) {
			M.no_i11 = 1;
			cfg.no_prune = 1;
		} else if (!strcmp(a, "--check-dpor")) {
			check_dpor = 1;
		} else if (!strcmp(a, "--dpor-mutant")) {
			mutant = 1;
		} else if (!strcmp(a, "--dpor-mutant-observers")) {
			mutant = 2;
		} else if (!strcmp(a, "--dpor-mutant-locks")) {
			mutant = 3;
		} else if (!strcmp(a, "--dpor-boundaries")) {
			cfg.dpor_boundaries = 1;
		} else if (!strcmp(a, "--lock-reduction") && val && (!strcmp(val, "on") || !strcmp(val, "off"))) {
			cfg.lock_reduction = !strcmp(val, "on");
			i++;
		} else if (!strcmp(a, "--count-pruned")) {
			count_pruned = 1;
		} else if (!strcmp(a, "--quiet")) {
			M.quiet = 1;
		} else if (!strcmp(a, "--conflicts") && val) {
			M.conflicts = val;
			i++;
		} else if (!strcmp(a, "--minimal")) {
			M.minimal = 1;
		} else if (!strcmp(a, "--known") && val) {
			known = val;
			i++;
		} else if (!strcmp(a, "--list-impls")) {
			mt_harness_list_impls(stdout);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "explore: unknown or incomplete flag %s\n", a);
			usage(stderr);
			return 2;
		} else if (file) {
			fprintf(stderr, "explore: one scenario at a time (%s and %s)\n", file, a);
			return 2;
		} else {
			file = a;
		}
	}
	if (!file) {
		fprintf(stderr, "explore: no scenario given\n");
		usage(stderr);
		return 2;
	}
	M.ops = mt_harness_impl(M.impl);
	if (!M.ops) {
		fprintf(stderr, "explore: unknown implementation '%s'; known:\n", M.impl);
		mt_harness_list_impls(stderr);
		return 2;
	}
	M.h = mt_harness_new(M.ops);
	mt_claims_enable(M.h->claims, !M.no_i11);
	mt_races_enable(M.h->races, !M.no_i11);  /* --no-i11: the state invariants only */
	M.use_known = mt_harness_load_known(M.h, "explore", known);
	if (M.use_known)
		M.minimal = 1;
	M.mn.known = M.h->known;
	if (!M.name) {
		static char base[256];
		const char *b = strrchr(file, '/');
		snprintf(base, sizeof(base), "%s", b ? b + 1 : file);
		char *dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		M.name = base;
	}
	char err[512];
	if (mt_tri_load(file, M.ops, &prog, err, sizeof(err))) {
		fprintf(stderr, "explore: %s\n", err);
		printf("SUMMARY scenario=%s impl=%s preemptions=%s schedules=0 violations=0 error=unreadable\n",
		       M.name, M.impl, kname());
		return 2;
	}
	signal(SIGSEGV, on_crash_reading);
	signal(SIGBUS, on_crash_reading);
	signal(SIGFPE, on_crash_reading);
	signal(SIGILL, on_crash_reading);
	if (mt_xp_scenario_of(&prog, M.h, &sc, err, sizeof(err))) {
		fprintf(stderr, "explore: %s: %s\n", file, err);
		if (mostly_text(file))
			fprintf(stderr, "explore: %s was read as bytes: it has no NUL byte, but its first line "
			        "is neither a header line (maptrack-input, vcpus, per_page, ...) nor a record "
			        "(v0 get ...), so it is not the text form either\n", file);
		printf("SUMMARY scenario=%s impl=%s preemptions=%s schedules=0 violations=0 error=too-big\n",
		       M.name, M.impl, kname());
		return 2;
	}
	/* c11: one stale read per schedule unless --stale says otherwise
	 * (sc: every load has one store to read, nothing to enumerate). */
	if (sc.hdr.model != MT_MODEL_C11)
		cfg.stale = 0;
	else if (M.dpor)
		cfg.stale = 255;         /* no bound: every reads-from choice (--stale is for K) */
	else if (!stale_set)
		cfg.stale = 1;
	if (!M.quiet) {
		printf("explore: scenario %s, impl %s, model %s, %s%s preemptions%s%s%s; operations:\n",
		       M.name, M.impl, mt_in_model_name(sc.hdr.model), M.dpor ? "" : "at most ",
		       M.dpor ? "all schedules up to equivalence, any number of" : kname(), cfg.no_prune ? ", no pruning" : "",
		       cfg.strict_boundaries ? " (operation boundaries count)" : "",
		       cfg.stale ? (cfg.stale == 1 ? ", at most 1 stale read" : M.dpor ? ", every reads-from choice"
		                                                        : ", stale reads bounded") : "");
		mt_xp_print_scenario(&sc, &M.h->sites, stdout);
		fflush(stdout);
	}
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);

	cfg.harness = M.h;
	if (check_dpor) {
		/* the reduction against the naive enumeration, on this scenario */
		static struct mt_xp_check ck;
		cfg.dpor_mutant = mutant;
		M.t0 = now();
		if (mt_xp_check_dpor(&sc, &cfg, cfg.max_schedules ? cfg.max_schedules : 2000000, &ck)) {
			fprintf(stderr, "explore: %s\n", ck.err);
			return 2;
		}
		int differ = mt_xp_check_differs(&ck);
		printf("%s: reduced ", differ ? "UNSOUND: verdicts differ"
		                       : ck.naive_complete ? "same verdicts"
		                       : "the naive search's verdicts so far are among the reduced ones");
		mt_xp_print_kinds(&ck, ck.reduced, stdout);
		printf(" (%llu executions), naive ", (unsigned long long)ck.executions);
		mt_xp_print_kinds(&ck, ck.naive, stdout);
		printf(" (%llu schedules%s)\n", (unsigned long long)ck.naive_schedules,
		       ck.naive_complete ? "" : ", stopped");
		if (ck.states_compared)
			printf("quiescent states: naive %llu, reduced %llu, %llu of the naive ones missing\n",
			       (unsigned long long)ck.states_naive, (unsigned long long)ck.states_reduced,
			       (unsigned long long)ck.states_missing);
		printf("SUMMARY scenario=%s impl=%s check=dpor model=%s executions=%llu naive_schedules=%llu "
		       "complete=%d differ=%d reduced=", M.name, M.impl, mt_in_model_name(sc.hdr.model),
		       (unsigned long long)ck.executions, (unsigned long long)ck.naive_schedules, ck.naive_complete,
		       differ);
		mt_xp_print_kinds(&ck, ck.reduced, stdout);
		printf(" naive=");
		mt_xp_print_kinds(&ck, ck.naive, stdout);
		printf(" states_compared=%d states_naive=%llu states_missing=%llu lock_restarts=%llu lock_narrowed=%llu seconds=%.2f\n",
		       ck.states_compared, (unsigned long long)ck.states_naive, (unsigned long long)ck.states_missing,
		       (unsigned long long)ck.lock_restarts, (unsigned long long)ck.lock_narrowed, now() - M.t0);
		return differ ? 1 : 0;
	}
	cfg.preemptions = M.k;
	cfg.dpor = M.dpor;
	if (M.dpor && (M.minimal || count_pruned)) {
		fprintf(stderr, "explore: --preemptions all takes neither --minimal/--known nor --count-pruned\n");
		return 2;
	}
	cfg.on_violation = on_violation;
	cfg.on_progress = on_progress;
	cfg.stop = &interrupted;
	M.t0 = M.last_progress = now();
	struct mt_conflicts *cf = NULL;
	if (M.conflicts && (!(cf = mt_conflicts_new()) || mt_sim_attach(M.h->sim, &mt_conflicts_observer, cf))) {
		fprintf(stderr, "explore: cannot count conflicting pairs\n");
		return 2;
	}
	int rc;
	M.mn.max_k = M.k;
	M.mn.all = M.all;
	M.mn.quiet = M.quiet;
	M.mn.stop = &interrupted;
	if (M.minimal)
		rc = mt_xp_minimal_explore(&M.mn, &sc, &cfg, &st);
	else
		rc = mt_xp_explore(&sc, &cfg, &st);
	double secs = now() - M.t0;
	if (cf) {
		FILE *f = fopen(M.conflicts, "w");
		if (!f) {
			fprintf(stderr, "explore: cannot write %s: %s\n", M.conflicts, strerror(errno));
			return 2;
		}
		printf("explore: %u conflicting pairs of sites reached (%s)\n", mt_conflicts_write(cf, f), M.conflicts);
		fclose(f);
	}
	if (rc) {
		fprintf(stderr, "explore: %s\n", st.err);
		printf("SUMMARY scenario=%s impl=%s preemptions=%s schedules=%llu violations=%llu error=explore\n",
		       M.name, M.impl, kname(), (unsigned long long)st.schedules,
		       (unsigned long long)st.violations);
		return 2;
	}
	double rate = secs > 0 ? st.schedules / secs : 0;
	char pruned_schedules[64] = "";
	if (interrupted)
		fprintf(stderr, "explore: interrupted: %llu schedules run, every violation so far saved\n",
		        (unsigned long long)st.schedules);
	if (count_pruned && !cfg.no_prune && !interrupted && st.complete) {
		struct mt_xp_config c2 = cfg;
		c2.no_prune = 1;
		c2.on_violation = NULL;
		c2.on_progress = on_progress;
		c2.max_schedules = 0;
		if (!M.quiet)
			fprintf(stderr, "explore: again without pruning, to count what it removed\n");
		M.t0 = M.last_progress = now();
		if (mt_xp_explore(&sc, &c2, &st2)) {
			fprintf(stderr, "explore: (without pruning) %s\n", st2.err);
			return 2;
		}
		snprintf(pruned_schedules, sizeof(pruned_schedules), " unpruned_schedules=%llu pruned_schedules=%llu",
		         (unsigned long long)st2.schedules,
		         (unsigned long long)(st2.schedules - st.schedules));
		printf("without pruning: %llu schedules, %llu violations (pruning removed %llu schedules, %.1f%%)\n",
		       (unsigned long long)st2.schedules, (unsigned long long)st2.violations,
		       (unsigned long long)(st2.schedules - st.schedules),
		       st2.schedules ? 100.0 * (double)(st2.schedules - st.schedules) / (double)st2.schedules : 0.0);
	}
	char dp[320] = "";
	if (M.dpor) {
		snprintf(dp, sizeof(dp), " bound=none executions=%llu sleep_blocked=%llu races=%llu observers=%d "
		         "observer_runs=%llu lock_reduction=%d lock_merges=%llu lock_restarts=%llu lock_narrowed=%llu seconds=%.2f",
		         (unsigned long long)st.executions, (unsigned long long)st.sleep_blocked,
		         (unsigned long long)st.races, st.observers, (unsigned long long)st.observer_runs,
		         st.lock_reduction, (unsigned long long)st.lock_merges, (unsigned long long)st.lock_restarts, (unsigned long long)st.lock_narrowed, secs);
		printf("explored: %llu executions (equivalence classes: %s), %llu runs cut short by sleep sets, "
		       "%llu races reversed, %llu observer runs (quiescent points: %s)\n",
		       (unsigned long long)st.executions, st.complete ? "all of them" : "stopped early",
		       (unsigned long long)st.sleep_blocked, (unsigned long long)st.races,
		       (unsigned long long)st.observer_runs,
		       st.observers ? "observed" : "boundaries ordered");
	}
	printf("explored: %llu schedules (%s), %llu violations, %llu switches pruned%s, %llu cut by "
	       "the bound, %u decisions in the longest, %.2f s, %.0f schedules/s\n",
	       (unsigned long long)st.schedules,
	       st.complete ? (M.dpor ? "every class" : "all within the bound") : "stopped early",
	       (unsigned long long)st.violations, (unsigned long long)st.pruned,
	       count_pruned || cfg.no_prune ? "" : " (--count-pruned: the schedules they remove)",
	       (unsigned long long)st.budget_cut, st.max_depth, secs, rate);
	char minimal[1400] = "";
	if (M.minimal) {
		mt_xp_minimal_summary(&M.mn, minimal, sizeof(minimal));
		if (M.use_known)
			mt_harness_print_stale(M.h, stdout);
	}
	printf("SUMMARY scenario=%s impl=%s preemptions=%s schedules=%llu violations=%llu "
	       "pruned_switches=%llu%s complete=%d%s schedules_per_s=%.0f vcpus=%u ops=%u replay_mismatch=%u "
	       "model=%s stale=%u%s%s\n",
	       M.name, M.impl, kname(), (unsigned long long)st.schedules, (unsigned long long)st.violations,
	       (unsigned long long)st.pruned, pruned_schedules, st.complete, dp, rate, sc.hdr.nr_vcpus,
	       mt_xp_nr_ops(&sc), M.replay_mismatch, mt_in_model_name(sc.hdr.model), cfg.stale,
	       interrupted ? " interrupted=1" : "", minimal);
	if (M.replay_mismatch)
		return 2;
	if (M.minimal)
		return mt_xp_minimal_status(&M.mn) ? mt_xp_minimal_status(&M.mn) : (interrupted ? 130 : 0);
	if (st.violations)
		return 1;
	return interrupted ? 130 : 0;
}
