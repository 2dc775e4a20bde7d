/* harness.c - decode, run, check (see harness.h). */
#include "fuzz/drivers/harness.h"

#include "fuzz/engine/crash.h"
#include "fuzz/known/root_cause.h"
#include "lib/mt_access.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const struct mt_ops *mt_harness_impl(const char *name)
{
	return mt_ops_find(name);
}

void mt_harness_list_impls(FILE *out)
{
	const struct mt_registration *r;

	for (unsigned i = 0; (r = mt_ops_at(i)) != NULL; i++)
		fprintf(out, "%s\n", r->ops->name);
}

int mt_harness_kind(const struct mt_ops *ops)
{
	const struct mt_fl_adapter *a = mt_fl_adapter_of(ops);

	return !a ? MT_HARNESS_MAPTRACK : a->races ? MT_HARNESS_ADAPTER_RACES : MT_HARNESS_ADAPTER;
}

/* The instrumentation runtime's (fuzz/instrument/ix.h); weak: binaries
 * without instrumented code link no runtime. */
void mt_ix_settle(void) __attribute__((weak));
/* ... and its observer of blind spots (fuzz/instrument/blind.h). */
extern const struct mt_sim_observer mt_ix_observer __attribute__((weak));

/* An adapter's operation returned: a volatile load's restore still due
 * (ix.c, ix_settle(); only for code built without __tsan_func_exit) is
 * done before any checker sees memory.  Attached first: observers are
 * told in the order of attachment. */
static void settle_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	(void)ctx;
	(void)sim;
	(void)v;
	(void)op;
	mt_ix_settle();
}

static const struct mt_sim_observer settle_observer = {
	.name = "ix-settle",
	.op_returned = settle_returned,
};

/* The context of one kind, made with its checkers on first use. */
static struct mt_sim *sim_of_kind(struct mt_harness *h, int kind)
{
	struct mt_sim *sim = h->sims[kind];

	if (sim)
		return sim;
	int bad = !(sim = mt_sim_new());
	if (!bad && kind == MT_HARNESS_MAPTRACK)
		bad = mt_sim_attach(sim, &mt_oracle_observer, h->oracle) ||
		      mt_sim_attach(sim, &mt_claims_observer, h->claims) ||
		      mt_sim_attach(sim, &mt_races_observer, h->races);
	else if (!bad)
		bad = (mt_ix_settle && mt_sim_attach(sim, &settle_observer, NULL)) ||
		      (&mt_ix_observer && mt_sim_attach(sim, &mt_ix_observer, NULL)) ||
		      mt_sim_attach(sim, &mt_contract_observer, h->contract) ||
		      (kind == MT_HARNESS_ADAPTER_RACES && mt_sim_attach(sim, &mt_races_observer, h->races));
	if (bad) {
		fprintf(stderr, "harness: out of memory\n");
		exit(2);
	}
	return h->sims[kind] = sim;
}

struct mt_harness *mt_harness_new(const struct mt_ops *ops)
{
	struct mt_harness *h = calloc(1, sizeof(*h));

	if (!h || !(h->oracle = mt_oracle_new()) || !(h->claims = mt_claims_new()) ||
	    !(h->races = mt_races_new()) || !(h->contract = mt_contract_new())) {
		fprintf(stderr, "harness: out of memory\n");
		exit(2);
	}
	mt_harness_set_impl(h, ops);
	h->model = -1;
	if (mt_harness_weaken(h, getenv("MT_WEAKEN"))) {
		fprintf(stderr, "harness: MT_WEAKEN='%s': want SITE or SITE=ORDER (ORDER relaxed, acquire, "
		        "release; SITE a site identifier of %s, e.g. PUT_LINK)\n", getenv("MT_WEAKEN"), ops->name);
		exit(2);
	}
	if (mt_harness_set_model(h, getenv("MT_MEMORY_MODEL"))) {
		fprintf(stderr, "harness: MT_MEMORY_MODEL='%s' is not a memory model (sc, c11)\n",
		        getenv("MT_MEMORY_MODEL"));
		exit(2);
	}
	return h;
}

int mt_harness_weaken(struct mt_harness *h, const char *spec)
{
	char site[128];
	unsigned order = MT_ACC_RELAXED;

	if (!spec || !*spec) {
		mt_sim_weaken(h->sim, -1, 0);
		return 0;
	}
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
	if (n == 0 || n >= sizeof(site))
		return -1;
	memcpy(site, spec, n);
	site[n] = '\0';
	if (eq) {
		if (!strcmp(eq + 1, "relaxed"))
			order = MT_ACC_RELAXED;
		else if (!strcmp(eq + 1, "acquire"))
			order = MT_ACC_ACQUIRE;
		else if (!strcmp(eq + 1, "release"))
			order = MT_ACC_RELEASE;
		else
			return -1;
	}
	int id = mt_in_site_lookup(&h->sites, site);
	if (id < 0 || id == MT_IN_NO_SITE)
		return -1;
	mt_sim_weaken(h->sim, id, order);
	return 0;
}

int mt_harness_set_model(struct mt_harness *h, const char *name)
{
	if (!name || !*name) {
		h->model = -1;
		return 0;
	}
	int m = mt_in_model_of(name);
	if (m < 0)
		return -1;
	h->model = m;
	return 0;
}

const uint8_t *mt_harness_replayable(struct mt_harness *h, const uint8_t *data, size_t size, uint8_t *buf,
                                     size_t cap, size_t *len)
{
	*len = size;
	if (h->model < 0)
		return data;
	size_t n = mt_in_encode(&h->prog, buf, cap);
	if (!n)
		return data;
	*len = n;
	return buf;
}

void mt_harness_free(struct mt_harness *h)
{
	if (!h)
		return;
	for (unsigned k = 0; k < MT_HARNESS_KINDS; k++)
		mt_sim_free(h->sims[k]);
	mt_oracle_free(h->oracle);
	mt_claims_free(h->claims);
	mt_races_free(h->races);
	mt_contract_free(h->contract);
	mt_known_free(h->known);
	free(h);
}

void mt_harness_set_impl(struct mt_harness *h, const struct mt_ops *ops)
{
	if (h->ops == ops)
		return;
	h->ops = ops;
	h->sim = sim_of_kind(h, mt_harness_kind(ops));
	mt_in_sites_init(&h->sites, ops->site_tables);
}

void mt_harness_decode(const struct mt_harness *h, const uint8_t *data, size_t size, struct mt_program *p)
{
	mt_in_decode(data, size, &h->sites, p);
	if (h->model >= 0)
		p->model = (uint8_t)h->model;
}

/* The instrumentation runtime (fuzz/instrument/ix.h), when linked in: its
 * sites are numbered per build, so texts and known files name the build. */
extern const struct mt_site_table *const mt_ix_site_tables[] __attribute__((weak));
uint64_t mt_ix_build_id(void) __attribute__((weak));
int mt_ix_check_build(const char *text, const char *what, char *err, size_t errcap) __attribute__((weak));

int mt_harness_check_build(const char *text, const char *what, char *err, size_t errcap)
{
	return mt_ix_check_build ? mt_ix_check_build(text, what, err, errcap) : 0;
}

int mt_harness_parse(const struct mt_harness *h, const char *text, struct mt_program *p, char *err, size_t errcap)
{
	if (mt_harness_check_build(text, "the text", err, errcap))
		return -1;
	int rc = mt_in_parse_text(text, &h->sites, p, err, errcap);
	if (rc == 0 && h->model >= 0)
		p->model = (uint8_t)h->model;
	return rc;
}

void mt_harness_print_build(const struct mt_harness *h, FILE *out)
{
	if (mt_ix_build_id && mt_ix_site_tables && h->ops->site_tables == mt_ix_site_tables)
		fprintf(out, "# ix-build: %#llx\n", (unsigned long long)mt_ix_build_id());
}

int mt_harness_run(struct mt_harness *h, const uint8_t *data, size_t size, FILE *trace)
{
	mt_harness_decode(h, data, size, &h->prog);
	return mt_sim_run(h->sim, &h->prog, h->ops, trace);
}

int mt_harness_run_program(struct mt_harness *h, const struct mt_program *p, FILE *trace)
{
	return mt_sim_run(h->sim, p, h->ops, trace);
}

const char *mt_harness_finding(const struct mt_harness *h)
{
	return mt_sim_finding(h->sim);
}

void mt_harness_report(struct mt_harness *h, FILE *out)
{
	mt_sim_report(h->sim, out);
}

/* The harness whose known findings the crash handler consults. */
static struct mt_harness *crash_known;

int mt_harness_load_known(struct mt_harness *h, const char *who, const char *path)
{
	char err[512];

	if (!path || !*path)
		path = getenv("MT_KNOWN");
	if (!path || !*path)
		return 0;
	struct mt_known *k = mt_known_load(path, err, sizeof(err));
	if (!k) {
		fprintf(stderr, "%s: %s\n", who, err);
		exit(2);
	}
	/* Signatures name sites: a file made on another instrumented build. */
	size_t n;
	uint8_t *text = mt_ix_check_build ? mt_harness_read_file(path, &n) : NULL;
	if (text && mt_harness_check_build((const char *)text, path, err, sizeof(err))) {
		fprintf(stderr, "%s: known findings: %s\n", who, err);
		exit(2);
	}
	free(text);
	mt_known_free(h->known);
	h->known = k;
	crash_known = h;
	return 1;
}

int mt_harness_signature(struct mt_harness *h, char *buf, size_t cap)
{
	/* A crash is named by its report and first frame (fuzz/engine/crash.h),
	 * with no shrinking re-runs; any other finding by its minimised
	 * reproducer (fuzz/known/root_cause.h). */
	if (mt_sim_crash(h->sim)) {
		mt_crash_signature(mt_sim_crash(h->sim), buf, cap);
		return 0;
	}
	return mt_root_signature(h->sim, buf, cap) ? -1 : 0;
}

int mt_harness_classify(struct mt_harness *h, int *first)
{
	if (first)
		*first = 0;
	if (mt_harness_signature(h, h->sig, sizeof(h->sig)))
		return MT_VERDICT_CLEAN;
	if (mt_known_match(h->known, h->sig)) {
		h->n_known++;
		return MT_VERDICT_KNOWN;
	}
	h->n_new++;
	for (unsigned i = 0; i < h->n_new_sigs && i < MT_HARNESS_SIGS; i++)
		if (!strcmp(h->new_sigs[i], h->sig))
			return MT_VERDICT_NEW;
	if (h->n_new_sigs < MT_HARNESS_SIGS)
		snprintf(h->new_sigs[h->n_new_sigs], MT_SIG_MAX, "%s", h->sig);
	h->n_new_sigs++;
	if (first)
		*first = 1;
	return MT_VERDICT_NEW;
}

static unsigned stale_count(const struct mt_harness *h)
{
	unsigned long m;
	unsigned n = 0;

	for (unsigned i = 0; mt_known_at(h->known, i, &m); i++)
		n += m == 0;
	return n;
}

void mt_harness_known_counts(const struct mt_harness *h, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, " known=%lu new=%lu new_sigs=", h->n_known, h->n_new);

	for (unsigned i = 0; i < h->n_new_sigs && i < MT_HARNESS_SIGS && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", h->new_sigs[i]);
	if (!h->n_new_sigs && n < cap)
		n += (size_t)snprintf(buf + n, cap - n, "-");
	if (n < cap)
		snprintf(buf + n, cap - n, " stale=%u", stale_count(h));
}

void mt_harness_print_stale(const struct mt_harness *h, FILE *out)
{
	unsigned long m;
	const char *s;

	for (unsigned i = 0; (s = mt_known_at(h->known, i, &m)); i++)
		if (!m)
			fprintf(out, "STALE %s (in the known file, never matched)\n", s);
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
	char what[160];
	struct mt_crash c;

	/* The signature a recovered crash gets (crash.h): the same here. */
	mt_crash_describe_signal(sig, si ? si->si_addr : NULL, uc, &c);
	snprintf(what, sizeof(what), "%s in %s", c.kind, c.frame);
	fflush(stdout);
	printf("FINDING crash: %s\n", what);
	int known = 0;
	if (mt_sim_active()) {
		char s[MT_SIG_MAX];
		mt_sim_report_crash(mt_sim_active(), stdout, what);
		mt_crash_signature(&c, s, sizeof(s));
		known = crash_known && mt_known_match(crash_known->known, s);
		printf("%s %s\n", known ? "KNOWN-SIGNATURE" : "SIGNATURE", s);
	}
	printf("SUMMARY crash=1 signal=%d%s\n", sig, known ? " known=1" : "");
	fflush(stdout);
	_exit(known ? 3 : 1);
}

void mt_harness_catch_crashes(void)
{
	static char altstack[1 << 16];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
	struct sigaction sa;

	sigaltstack(&ss, NULL);      /* the crash may be on a VCPU stack */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

const char *mt_harness_recover_crashes(void)
{
	return mt_crash_recovery();
}

const char *mt_harness_model_text(const struct mt_harness *h)
{
	if (h->model < 0)
		return "memory model: input (each input's header picks sc or c11; v1 inputs are sc; "
		       "--memory-model sc|c11 or MT_MEMORY_MODEL runs every input under one)";
	if (h->model == MT_MODEL_C11)
		return "memory model: c11 (every input: a load may read an older store its memory order allows, "
		       "so relaxed and acquire/release slips show; docs/memory-model.md)";
	return "memory model: sc (every input: sequential consistency, each load reads the newest store; "
	       "ordering slips do not show)";
}

/* ---- fuzzing campaigns ---- */

/* The campaign of this process (the engines call one target). */
static struct {
	struct mt_harness *h;
	const char *who;
	int keep_going;                 /* MT_KNOWN or MT_CONTINUE */
	int stop_on_new;                /* MT_STOP_ON_NEW=1 */
	const char *findings_dir;
	struct timespec t0;
	unsigned long execs;
	/* The counts so far not yet in MT_FINDINGS_DIR/.counts. */
	unsigned long flushed_execs, flushed_known, flushed_new, flushed_crashes;
} camp = { .findings_dir = "." };

static double elapsed_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - camp.t0.tv_sec) + (double)(t.tv_nsec - camp.t0.tv_nsec) / 1e9;
}

/* Append "execs=N known=N new=N matched=SIG,SIG," (the counts since the
 * last append) to MT_FINDINGS_DIR/.counts: tools/fuzz and tools/afl sum
 * the lines of every process (fork jobs' logs are not kept; AFL++
 * persistent processes rarely exit).  Every 4096 findings and at exit. */
static void flush_counts(void)
{
	char line[4096];
	unsigned long m;
	const char *k;

	if (!getenv("MT_FINDINGS_DIR") || camp.execs == camp.flushed_execs)
		return;
	size_t n = (size_t)snprintf(line, sizeof(line), "execs=%lu known=%lu new=%lu crashes=%lu matched=",
	                            camp.execs - camp.flushed_execs, camp.h->n_known - camp.flushed_known,
	                            camp.h->n_new - camp.flushed_new, mt_crash_count() - camp.flushed_crashes);
	for (unsigned i = 0; (k = mt_known_at(camp.h->known, i, &m)) && n < sizeof(line) - 1; i++)
		if (m)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s,", k);
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	camp.flushed_execs = camp.execs;
	camp.flushed_known = camp.h->n_known;
	camp.flushed_new = camp.h->n_new;
	camp.flushed_crashes = mt_crash_count();
	char path[4096];
	snprintf(path, sizeof(path), "%s/.counts", camp.findings_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);   /* one write: atomic append */
	if (fd >= 0) {
		if (write(fd, line, n) < 0)
			fprintf(stderr, "%s: cannot append to %s\n", camp.who, path);
		close(fd);
	}
}

/* At exit: the counts on stderr and in MT_FINDINGS_DIR/.counts. */
static void known_summary(void)
{
	char counts[2048];

	mt_harness_known_counts(camp.h, counts, sizeof(counts));
	fprintf(stderr, "%s: SUMMARY-KNOWN execs=%lu%s crashes=%lu\n", camp.who, camp.execs, counts,
	        mt_crash_count());
	mt_harness_print_stale(camp.h, stderr);
	flush_counts();
}

int mt_campaign_init(struct mt_harness *h, const char *who)
{
	const char *cont = getenv("MT_CONTINUE");
	const char *son = getenv("MT_STOP_ON_NEW");
	const char *dir = getenv("MT_FINDINGS_DIR");

	camp.h = h;
	camp.who = who;
	camp.keep_going = mt_harness_load_known(h, who, NULL) || (cont && !strcmp(cont, "1"));
	camp.stop_on_new = son && !strcmp(son, "1");
	if (dir && *dir)
		camp.findings_dir = dir;
	clock_gettime(CLOCK_MONOTONIC, &camp.t0);
	if (camp.keep_going)
		atexit(known_summary);
	/* Crashes are findings like the others: recovered in process. */
	if (camp.keep_going)
		fprintf(stderr, "%s: crashes recovered in process (%s)\n", who, mt_harness_recover_crashes());
	return camp.keep_going;
}

int mt_campaign_input(const uint8_t *data, size_t size)
{
	struct mt_harness *h = camp.h;

	camp.execs++;
	if (!mt_harness_run(h, data, size, NULL))
		return 0;
	if (!camp.keep_going) {
		mt_harness_report(h, stderr);
		if (h->model >= 0)
			fprintf(stderr, "%s: ran under MT_MEMORY_MODEL=%s: replay the saved input "
			        "with the same setting\n", camp.who, mt_in_model_name((unsigned)h->model));
		fflush(stderr);
		abort();
	}
	int first;
	int verdict = mt_harness_classify(h, &first);
	if (((h->n_known + h->n_new) & 4095u) == 0)
		flush_counts();
	if (verdict == MT_VERDICT_KNOWN || (!first && !camp.stop_on_new))
		return 0;
	/* A signature this process has not seen: say it, save it once. */
	static uint8_t again[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];
	size_t len;
	const uint8_t *rep = mt_harness_replayable(h, data, size, again, sizeof(again), &len);
	int saved = mt_known_save_once(camp.findings_dir, h->sig, mt_harness_finding(h), rep, len);
	fprintf(stderr, "%s: NEW SIGNATURE %s after %.2fs, exec %lu: %s%s\n", camp.who, h->sig, elapsed_s(), camp.execs,
	        mt_harness_finding(h),
	        saved == 1 ? " (saved)" : saved == 0 ? " (saved before by another job)" : " (not saved: error)");
	if (saved == 1 || camp.stop_on_new)
		mt_harness_report(h, stderr);
	fflush(stderr);
	/* A new signature is rare: its counts reach .counts now, so a campaign
	 * that ends here (tools/fuzz --stop-on-first kills the job) counts it. */
	flush_counts();
	if (camp.stop_on_new)
		abort();
	return 0;
}

/* ---- files ---- */

uint8_t *mt_harness_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = malloc(MT_HARNESS_MAX_INPUT + 1);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	*size = fread(buf, 1, MT_HARNESS_MAX_INPUT, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[*size] = 0;
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int skipped(const char *name)
{
	size_t l = strlen(name);

	return name[0] == '.' || (l > 5 && !strcmp(name + l - 5, ".dict")) ||
	       (l > 8 && !strcmp(name + l - 8, ".options"));
}

long mt_harness_each_file(const char *who, const char *path, void (*fn)(void *ctx, const char *file), void *ctx)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: no such file or directory: %s\n", who, path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fn(ctx, path);
		return 1;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot open directory %s: %s\n", who, path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (skipped(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				abort();
			names = nn;
		}
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		names[n] = malloc(len);
		if (!names[n])
			abort();
		snprintf(names[n], len, "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	long visited = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat fst;
		if (stat(names[i], &fst) == 0 && S_ISREG(fst.st_mode)) {
			fn(ctx, names[i]);
			visited++;
		}
		free(names[i]);
	}
	free(names);
	return visited;
}
