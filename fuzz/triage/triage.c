/*
 * triage.c - verdicts, the schedule shrinker, signatures and the swimlane
 * picture (see triage.h).
 */
#include "fuzz/triage/triage.h"

#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/drivers/harness.h"

/* The harness every run of this module goes through, bound to the
 * implementation of the call (one engine context, reused). */
static struct mt_harness *tri_h;

static struct mt_harness *harness_for(const struct mt_ops *ops)
{
	if (!tri_h)
		tri_h = mt_harness_new(ops);
	mt_harness_set_impl(tri_h, ops);
	return tri_h;
}

struct mt_harness *mt_tri_harness(const struct mt_ops *ops)
{
	return harness_for(ops);
}

/* The sites of the implementation of the last call (names in traces). */
#define tri_sites (&tri_h->sites)

#define TRI_RUN_SECONDS 10u     /* a run this long is a hang ("timeout") */
#define TRI_MAX_FILE (1u << 20)

/* ---- verdicts ---- */

static int g_isolated, g_tainted;
static unsigned long g_runs;
static sigjmp_buf g_jmp;
static volatile sig_atomic_t g_in_run;

struct shared_verdict {
	int flagged;
	char finding[512];
};
static struct shared_verdict *g_shared;

void mt_tri_set_isolated(int on)
{
	g_isolated = on;
}

unsigned long mt_tri_runs(void)
{
	return g_runs;
}

static void inv_of(const char *finding, char *inv, size_t cap)
{
	size_t n = strcspn(finding, " :(");
	if (n >= cap)
		n = cap - 1;
	memcpy(inv, finding, n);
	inv[n] = '\0';
}

static void set_verdict(struct mt_tri_verdict *v, int flagged, const char *finding)
{
	v->flagged = flagged;
	snprintf(v->finding, sizeof(v->finding), "%s", flagged ? finding : "");
	if (flagged)
		inv_of(v->finding, v->inv, sizeof(v->inv));
	else
		v->inv[0] = '\0';
}

static void on_fault(int sig)
{
	if (g_in_run)
		siglongjmp(g_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static int done;
	static char altstack[1 << 16];

	if (done)
		return;
	done = 1;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
	sigaltstack(&ss, NULL);      /* a crash may happen on a VCPU stack */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

static void signal_verdict(struct mt_tri_verdict *v, int sig)
{
	char what[128];

	if (sig == SIGALRM)
		snprintf(what, sizeof(what), "timeout: the run took more than %u s", TRI_RUN_SECONDS);
	else
		snprintf(what, sizeof(what), "crash: signal %d (%s)", sig, strsignal(sig));
	set_verdict(v, 1, what);
}

static void run_in_process(const struct mt_program *p, const struct mt_ops *ops, struct mt_tri_verdict *v)
{
	install_handlers();
	int sig = sigsetjmp(g_jmp, 1);
	if (sig == 0) {
		g_in_run = 1;
		alarm(TRI_RUN_SECONDS);
		int rc = mt_harness_run_program(harness_for(ops), p, NULL);
		alarm(0);
		g_in_run = 0;
		set_verdict(v, rc, mt_harness_finding(tri_h));
		return;
	}
	alarm(0);
	g_in_run = 0;
	g_tainted = 1;               /* the heap may be damaged: children from now on */
	signal_verdict(v, sig);
}

static void run_in_child(const struct mt_program *p, const struct mt_ops *ops, struct mt_tri_verdict *v)
{
	if (!g_shared) {
		void *m = mmap(NULL, sizeof(*g_shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			fprintf(stderr, "triage: mmap: %s\n", strerror(errno));
			exit(2);
		}
		g_shared = m;
	}
	memset(g_shared, 0, sizeof(*g_shared));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "triage: fork: %s\n", strerror(errno));
		exit(2);
	}
	if (pid == 0) {
		g_in_run = 0;
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		alarm(TRI_RUN_SECONDS);
		int rc = mt_harness_run_program(harness_for(ops), p, NULL);
		g_shared->flagged = rc;
		snprintf(g_shared->finding, sizeof(g_shared->finding), "%s", mt_harness_finding(tri_h));
		_exit(0);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		signal_verdict(v, WTERMSIG(st));
	else
		set_verdict(v, g_shared->flagged, g_shared->finding);
}

void mt_tri_run(const struct mt_program *p, const struct mt_ops *ops, struct mt_tri_verdict *v)
{
	g_runs++;
	if (g_isolated || g_tainted)
		run_in_child(p, ops, v);
	else
		run_in_process(p, ops, v);
}

/* Text that is not an input: the first line that is not blank or a
 * comment starts with a header keyword or a record ("v0 get"). */
static int looks_like_text(const char *s)
{
	static const char *const keys[] = { "maptrack-input", "model", "version", "vcpus", "per_page",
	                                    "max_frames", "alloc_fail" };

	while (*s == '#' || *s == '\n' || *s == ' ' || *s == '\t' || *s == '\r') {
		if (*s == '#')
			s += strcspn(s, "\n");
		else
			s++;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strncmp(s, keys[i], strlen(keys[i])) && (s[strlen(keys[i])] == ' ' || s[strlen(keys[i])] == '\t'))
			return 1;
	return s[0] == 'v' && isdigit((unsigned char)s[1]);
}

int mt_tri_load(const char *path, const struct mt_ops *ops, struct mt_program *p, char *err, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errcap, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	uint8_t *buf = malloc(TRI_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	size_t n = fread(buf, 1, TRI_MAX_FILE, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errcap, "read error on %s", path);
		return -1;
	}
	buf[n] = 0;
	int rc = 0;
	/* Text form: no NUL byte, and the first line (after comments) is a
	 * header line or a record; with or without the maptrack-input line. */
	int is_text = !memchr(buf, 0, n) && looks_like_text((const char *)buf);
	struct mt_harness *h = harness_for(ops);
	if (is_text) {
		char perr[256];
		if (mt_harness_parse(h, (const char *)buf, p, perr, sizeof(perr))) {
			snprintf(err, errcap, "%s: text form: %s", path, perr);
			rc = -1;
		}
	} else {
		mt_harness_decode(h, buf, n, p);
	}
	free(buf);
	return rc;
}

size_t mt_tri_encode(const struct mt_program *p, uint8_t *out, size_t cap)
{
	return mt_in_encode(p, out, cap);
}

/* ---- shrinking ---- */

struct shrink_ctx {
	const struct mt_ops *ops;
	const char *inv;
	unsigned runs;
};

static int breaks(struct shrink_ctx *c, const struct mt_program *q)
{
	struct mt_tri_verdict v;
	static uint8_t buf[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];

	if (!mt_in_encode(q, buf, sizeof(buf)))
		return 0;                /* not representable: never a candidate */
	c->runs++;
	mt_tri_run(q, c->ops, &v);
	return v.flagged && !strcmp(v.inv, c->inv);
}

unsigned mt_tri_switches(const struct mt_program *p)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p->nr_records; i++)
		n += p->rec[i].run_mode != MT_RUN_ALL;
	return n;
}

static struct mt_program cand;   /* 20 KiB scratch: not on the stack */

static void remove_range(struct mt_program *q, unsigned a, unsigned n)
{
	memmove(&q->rec[a], &q->rec[a + n], (q->nr_records - a - n) * sizeof(q->rec[0]));
	q->nr_records -= n;
}

/* q = p without VCPU v: its records go, higher VCPUs move down by one. */
static void remove_vcpu(struct mt_program *q, const struct mt_program *p, unsigned v)
{
	*q = *p;
	q->nr_records = 0;
	for (unsigned i = 0; i < p->nr_records; i++) {
		struct mt_in_record r = p->rec[i];
		if (r.vcpu == v)
			continue;
		if (r.vcpu > v)
			r.vcpu--;
		q->rec[q->nr_records++] = r;
	}
	q->nr_vcpus = p->nr_vcpus - 1;
}

static int pass_records(struct shrink_ctx *c, struct mt_program *p)
{
	int changed = 0;
	for (unsigned size = p->nr_records / 2 ? p->nr_records / 2 : 1; size >= 1; size /= 2) {
		for (unsigned a = 0; a < p->nr_records;) {
			unsigned n = a + size <= p->nr_records ? size : p->nr_records - a;
			cand = *p;
			remove_range(&cand, a, n);
			if (breaks(c, &cand)) {
				*p = cand;
				changed = 1;
			} else {
				a += n;
			}
		}
		if (size == 1)
			break;
	}
	return changed;
}

static int pass_vcpus(struct shrink_ctx *c, struct mt_program *p)
{
	int changed = 0;
	for (unsigned v = p->nr_vcpus; v-- > 0 && p->nr_vcpus > 1;) {
		remove_vcpu(&cand, p, v);
		if (breaks(c, &cand)) {
			*p = cand;
			changed = 1;
		}
	}
	return changed;
}

/* q = p with record i run to its end (no stop), moved to just after
 * record j (j == i: in place).  Stopping an operation at once and running
 * it later is often only a reordering: run it later in one piece. */
static void unswitch(struct mt_program *q, const struct mt_program *p, unsigned i, unsigned j)
{
	struct mt_in_record r = p->rec[i];

	*q = *p;
	r.run_mode = MT_RUN_ALL;
	r.run_n = 0;
	memmove(&q->rec[i], &q->rec[i + 1], (j - i) * sizeof(q->rec[0]));
	q->rec[j] = r;
}

static int pass_switches(struct shrink_ctx *c, struct mt_program *p)
{
	int changed = 0;
	for (unsigned i = 0; i < p->nr_records; i++) {
		if (p->rec[i].run_mode == MT_RUN_ALL)
			continue;
		for (unsigned j = i; j < p->nr_records; j++) {
			unswitch(&cand, p, i, j);
			if (breaks(c, &cand)) {
				*p = cand;
				changed = 1;
				break;
			}
			/* a stop can exist only to order allocation attempts
			 * against the failure pattern: try without failures too */
			if (p->alloc_fail) {
				unswitch(&cand, p, i, j);
				cand.alloc_fail = 0;
				if (breaks(c, &cand)) {
					*p = cand;
					changed = 1;
					break;
				}
			}
		}
	}
	return changed;
}

/* A stop followed at once by the same VCPU's next record is no context
 * switch: record i takes record i+1's stop, record i+1 goes. */
static int merge_candidate(struct mt_program *q, const struct mt_program *p, unsigned i)
{
	if (i + 1 >= p->nr_records || p->rec[i].vcpu != p->rec[i + 1].vcpu || p->rec[i].run_mode == MT_RUN_ALL)
		return 0;
	*q = *p;
	q->rec[i].run_mode = p->rec[i + 1].run_mode;
	q->rec[i].run_n = p->rec[i + 1].run_n;
	remove_range(q, i + 1, 1);
	return 1;
}

static int pass_merge(struct shrink_ctx *c, struct mt_program *p)
{
	int changed = 0;
	for (unsigned i = 0; i + 1 < p->nr_records; i++) {
		if (merge_candidate(&cand, p, i) && breaks(c, &cand)) {
			*p = cand;
			changed = 1;
		}
	}
	return changed;
}

static int stop_site_of_record(const struct mt_program *p, const struct mt_ops *ops, unsigned rec);

/* Canonical form: a record on a busy VCPU only resumes it (its operation
 * fields are ignored), so try "nop"; a record may belong to a lower VCPU
 * (a record whose VCPU waits for a lock lets another VCPU run: naming
 * that one makes the blocked VCPU's own records removable).  Each accepted
 * change lowers the op or the VCPU number, so the loop ends. */
static int pass_canon(struct shrink_ctx *c, struct mt_program *p)
{
	int changed = 0;
	for (unsigned i = 0; i < p->nr_records; i++) {
		if (p->rec[i].op != MT_OP_NOP) {
			cand = *p;
			cand.rec[i].op = MT_OP_NOP;
			cand.rec[i].arg = 0;
			if (breaks(c, &cand)) {
				*p = cand;
				changed = 1;
			}
		}
		for (unsigned w = 0; w < p->rec[i].vcpu; w++) {
			cand = *p;
			cand.rec[i].vcpu = (uint8_t)w;
			if (breaks(c, &cand)) {
				*p = cand;
				changed = 1;
				break;
			}
		}
	}
	return changed;
}

/* Readability, not size: smaller geometry, zero arguments, a named stop
 * instead of a count of points.  Every accepted change lowers a value or
 * turns "run=N" into "until=SITE", so the loop ends. */
static int pass_simplify(struct shrink_ctx *c, struct mt_program *p)
{
	int changed = 0;

	if (p->version != MT_IN_VERSION) {
		cand = *p;
		cand.version = MT_IN_VERSION;
		if (breaks(c, &cand)) {
			*p = cand;
			changed = 1;
		}
	}
	for (unsigned pp = 2; pp < p->per_page; pp++) {
		cand = *p;
		cand.per_page = pp;
		if (breaks(c, &cand)) {
			*p = cand;
			changed = 1;
			break;
		}
	}
	for (unsigned mf = 1; mf < p->max_frames; mf++) {
		cand = *p;
		cand.max_frames = mf;
		if (breaks(c, &cand)) {
			*p = cand;
			changed = 1;
			break;
		}
	}
	for (unsigned b = 0; b < 8; b++) {
		if (!(p->alloc_fail >> b & 1))
			continue;
		cand = *p;
		cand.alloc_fail = (uint8_t)(p->alloc_fail & ~(1u << b));
		if (breaks(c, &cand)) {
			*p = cand;
			changed = 1;
		}
	}
	for (unsigned i = 0; i < p->nr_records; i++) {
		struct mt_in_record *r = &p->rec[i];
		if (r->arg) {
			cand = *p;
			/* put-bad keeps its flavour (bits 0-2), loses k */
			cand.rec[i].arg = r->op == MT_OP_PUT_BAD ? (uint8_t)(r->arg & 7u) : 0;
			if (cand.rec[i].arg != r->arg && breaks(c, &cand)) {
				*p = cand;
				changed = 1;
			}
		}
		if (r->run_mode == MT_RUN_POINTS) {
			int done = 0;
			/* first the site where it does stop */
			int site = stop_site_of_record(p, c->ops, i);
			if (site >= 0) {
				cand = *p;
				cand.rec[i].run_mode = MT_RUN_UNTIL;
				cand.rec[i].run_n = (uint16_t)site;
				if (breaks(c, &cand)) {
					*p = cand;
					changed = done = 1;
				}
			}
			/* a named stop: the first site that stops it with the same verdict */
			unsigned nsites = harness_for(c->ops)->sites.count;
			for (unsigned s = 0; s < nsites && s < 256 && !done; s++) {
				cand = *p;
				cand.rec[i].run_mode = MT_RUN_UNTIL;
				cand.rec[i].run_n = (uint16_t)s;
				if (breaks(c, &cand)) {
					*p = cand;
					changed = done = 1;
				}
			}
			for (unsigned n = 0; n < r->run_n && !done; n++) {
				cand = *p;
				cand.rec[i].run_n = (uint16_t)n;
				if (breaks(c, &cand)) {
					*p = cand;
					changed = done = 1;
				}
			}
		}
	}
	return changed;
}

int mt_tri_shrink(struct mt_program *p, const struct mt_ops *ops, const char *inv,
                  struct mt_tri_shrink_stats *st)
{
	struct shrink_ctx c = { ops, inv, 0 };
	struct mt_tri_shrink_stats dummy;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	st->records_before = p->nr_records;
	st->vcpus_before = p->nr_vcpus;
	st->switches_before = mt_tri_switches(p);
	if (!breaks(&c, p)) {
		st->runs = c.runs;
		return -1;
	}
	for (int changed = 1; changed;) {
		changed = 0;
		changed |= pass_records(&c, p);
		changed |= pass_vcpus(&c, p);
		changed |= pass_switches(&c, p);
		changed |= pass_merge(&c, p);
		if (!changed)
			changed |= pass_canon(&c, p);
		if (!changed)
			changed |= pass_simplify(&c, p);
	}
	st->runs = c.runs;
	st->records_after = p->nr_records;
	st->vcpus_after = p->nr_vcpus;
	st->switches_after = mt_tri_switches(p);
	return 0;
}

int mt_tri_check_minimal(const struct mt_program *p, const struct mt_ops *ops, const char *inv,
                         char *why, size_t cap)
{
	struct shrink_ctx c = { ops, inv, 0 };
	char buf[128];

	if (!breaks(&c, p)) {
		snprintf(why, cap, "does not break %s at all", inv);
		return 0;
	}
	for (unsigned i = 0; i < p->nr_records; i++) {
		cand = *p;
		remove_range(&cand, i, 1);
		if (breaks(&c, &cand)) {
			snprintf(why, cap, "record %u (%s) can be removed", i,
			         mt_in_record_text(&p->rec[i], tri_sites, buf, sizeof(buf)));
			return 0;
		}
	}
	for (unsigned v = 0; v < p->nr_vcpus && p->nr_vcpus > 1; v++) {
		remove_vcpu(&cand, p, v);
		if (breaks(&c, &cand)) {
			snprintf(why, cap, "VCPU v%u can be removed", v);
			return 0;
		}
	}
	for (unsigned i = 0; i < p->nr_records; i++) {
		if (p->rec[i].run_mode == MT_RUN_ALL)
			continue;
		for (unsigned j = i; j < p->nr_records; j++) {
			unswitch(&cand, p, i, j);
			if (breaks(&c, &cand)) {
				snprintf(why, cap, "the context switch of record %u (%s) can be removed%s", i,
				         mt_in_record_text(&p->rec[i], tri_sites, buf, sizeof(buf)),
				         j > i ? " (run it later in one piece)" : "");
				return 0;
			}
		}
	}
	for (unsigned i = 0; i + 1 < p->nr_records; i++) {
		if (merge_candidate(&cand, p, i) && breaks(&c, &cand)) {
			snprintf(why, cap, "records %u and %u (same VCPU, no switch between) can be merged", i, i + 1);
			return 0;
		}
	}
	snprintf(why, cap, "1-minimal");
	return 1;
}

/* ---- the trace, parsed back ---- */

enum row_kind {
	R_HEADER, R_RECORD, R_START, R_SKIP, R_IDLE, R_RESUME, R_INSTEAD, R_STOP, R_BLOCK,
	R_DONE, R_DRAIN, R_EPILOGUE, R_QUIESCENT, R_FINDING, R_OTHER
};

struct row {
	enum row_kind kind;
	int vcpu;                /* -1: no VCPU */
	int record;              /* input record being played (-1 none) */
	char op[16];
	char site[48];           /* site identifier, e.g. POP_READ_NEXT */
	char text[240];          /* the line without "#   vN " */
};

struct trace {
	struct row *rows;
	size_t n, cap;
	int flagged;
	char finding[512];
};

static const char *site_id_of_name(const char *name)
{
	for (unsigned i = 0; i < tri_sites->count; i++) {
		const struct mt_site *site = mt_in_site(tri_sites, i);
		if (!strcmp(site->text, name))
			return site->id;
	}
	return "?";
}

static void copy_token(char *dst, size_t cap, const char *src)
{
	size_t n = strcspn(src, " ");
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The text between the first pair of single quotes after key, as a site id. */
static void quoted_site(char *dst, size_t cap, const char *line, const char *key)
{
	const char *k = strstr(line, key);
	snprintf(dst, cap, "?");
	if (!k)
		return;
	const char *a = strchr(k, '\'');
	if (!a)
		return;
	const char *b = strchr(a + 1, '\'');
	if (!b)
		return;
	char name[128];
	size_t n = (size_t)(b - a - 1) < sizeof(name) - 1 ? (size_t)(b - a - 1) : sizeof(name) - 1;
	memcpy(name, a + 1, n);
	name[n] = '\0';
	snprintf(dst, cap, "%s", site_id_of_name(name));
}

/* Room for element n of a growable array (*cap allocated, doubling from
 * `first`): the array, moved if need be, or NULL when out of memory (the
 * old one is then untouched). */
static void *room_for_one(void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
	if (n < *cap)
		return arr;
	size_t c = *cap ? *cap * 2 : first;
	void *a = realloc(arr, c * size);
	if (a)
		*cap = c;
	return a;
}

static struct row *add_row(struct trace *t)
{
	struct row *rows = room_for_one(t->rows, t->n, &t->cap, sizeof(*rows), 256);
	if (!rows)
		return NULL;
	t->rows = rows;
	struct row *r = &rows[t->n++];
	memset(r, 0, sizeof(*r));
	r->vcpu = -1;
	r->record = -1;
	return r;
}

static void parse_line(struct trace *t, const struct mt_program *p, char *line, unsigned *next_rec,
                       int *cur_rec)
{
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (!len)
		return;
	struct row *r = add_row(t);
	if (!r)
		return;
	unsigned v, off = 0;

	if (line[0] == 'v' && isdigit((unsigned char)line[1])) {
		char buf[128];
		r->kind = R_RECORD;
		snprintf(r->text, sizeof(r->text), "%s", line);
		for (unsigned k = *next_rec; k < p->nr_records; k++)
			if (!strcmp(mt_in_record_text(&p->rec[k], tri_sites, buf, sizeof(buf)), line)) {
				*cur_rec = (int)k;
				*next_rec = k + 1;
				break;
			}
		r->record = *cur_rec;
		return;
	}
	r->record = *cur_rec;
	if (line[0] != '#') {
		r->kind = R_HEADER;
		snprintf(r->text, sizeof(r->text), "%s", line);
		return;
	}
	if (!strncmp(line, "# FINDING ", 10)) {
		r->kind = R_FINDING;
		snprintf(r->text, sizeof(r->text), "%s", line + 10);
		return;
	}
	if (sscanf(line, "# end of records: drain, v%u %n", &v, &off) == 1 && off) {
		*cur_rec = -1;
		r->record = -1;
		r->kind = R_DRAIN;
		r->vcpu = (int)v;
		snprintf(r->text, sizeof(r->text), "drain: runs %s", line + off + 5);
		return;
	}
	if (sscanf(line, "# epilogue: v%u %n", &v, &off) == 1 && off) {
		*cur_rec = -2;
		r->record = -2;
		r->kind = R_EPILOGUE;
		r->vcpu = (int)v;
		snprintf(r->text, sizeof(r->text), "epilogue: %s", line + off);
		return;
	}
	const char *s = line + 1;
	while (*s == ' ')
		s++;
	if (!strncmp(s, "quiescent:", 10)) {
		r->kind = R_QUIESCENT;
		snprintf(r->text, sizeof(r->text), "%s", s);
		return;
	}
	off = 0;
	if (sscanf(s, "v%u %n", &v, &off) != 1 || !off || v >= MT_IN_MAX_VCPUS) {
		r->kind = R_OTHER;
		snprintf(r->text, sizeof(r->text), "%s", s);
		return;
	}
	const char *rest = s + off;
	r->vcpu = (int)v;
	snprintf(r->text, sizeof(r->text), "%s", rest);
	if (!strncmp(rest, "starts ", 7)) {
		r->kind = R_START;
		copy_token(r->op, sizeof(r->op), rest + 7);
	} else if (!strncmp(rest, "resumes ", 8)) {
		r->kind = R_RESUME;
		copy_token(r->op, sizeof(r->op), rest + 8);
		quoted_site(r->site, sizeof(r->site), rest, " at ");
	} else if (!strncmp(rest, "waits for a lock", 16)) {
		unsigned w;
		const char *x = strstr(rest, ": v");
		r->kind = R_INSTEAD;
		if (x && sscanf(x, ": v%u", &w) == 1 && w < MT_IN_MAX_VCPUS)
			r->vcpu = (int)w;     /* the VCPU that runs */
		snprintf(r->text, sizeof(r->text), "runs instead of v%u (v%u waits for a lock)", v, v);
	} else if (!strncmp(rest, "has no handle", 13)) {
		r->kind = R_SKIP;
	} else if (!strncmp(rest, "is idle", 7)) {
		r->kind = R_IDLE;
	} else if (strstr(rest, " stopped before '")) {
		r->kind = R_STOP;
		copy_token(r->op, sizeof(r->op), rest);
		quoted_site(r->site, sizeof(r->site), rest, " stopped before ");
	} else if (strstr(rest, " blocked at '")) {
		r->kind = R_BLOCK;
		copy_token(r->op, sizeof(r->op), rest);
		quoted_site(r->site, sizeof(r->site), rest, " blocked at ");
	} else if (strstr(rest, " -> ")) {
		r->kind = R_DONE;
		copy_token(r->op, sizeof(r->op), rest);
	} else {
		r->kind = R_OTHER;
	}
}

/* A run that dies: trace it in a child (unbuffered into a temporary
 * file), so the steps up to the crash survive. */
static void trace_in_child(const struct mt_program *p, const struct mt_ops *ops, FILE *out)
{
	FILE *tmp = tmpfile();
	if (!tmp)
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		setvbuf(tmp, NULL, _IONBF, 0);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		alarm(TRI_RUN_SECONDS);
		mt_harness_run_program(harness_for(ops), p, tmp);
		_exit(0);
	}
	if (pid > 0) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		rewind(tmp);
		char line[1024];
		while (fgets(line, sizeof(line), tmp))
			if (strncmp(line, "# FINDING", 9))
				fputs(line, out);
	}
	fclose(tmp);
}

/* Run p with the readable trace and parse it back into rows. */
static int trace_run(const struct mt_program *p, const struct mt_ops *ops, struct trace *t)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	memset(t, 0, sizeof(*t));
	if (!f)
		return -1;
	struct mt_tri_verdict v;
	/* A crash cannot be traced in process: the verdict comes from a safe
	 * run first; only a clean or oracle finding is traced here. */
	mt_tri_run(p, ops, &v);
	if (v.flagged && (!strcmp(v.inv, "crash") || !strcmp(v.inv, "timeout"))) {
		trace_in_child(p, ops, f);
		fprintf(f, "# FINDING %s\n", v.finding);
	} else {
		install_handlers();
		int rc = mt_harness_run_program(harness_for(ops), p, f);
		(void)rc;
	}
	fclose(f);
	t->flagged = v.flagged;
	snprintf(t->finding, sizeof(t->finding), "%s", v.finding);
	unsigned next_rec = 0;
	int cur_rec = -1;
	for (char *line = buf, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		parse_line(t, p, line, &next_rec, &cur_rec);
	}
	free(buf);
	return 0;
}

static void trace_free(struct trace *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static int stop_site_of_record(const struct mt_program *p, const struct mt_ops *ops, unsigned rec)
{
	struct trace t;
	int site = -1;

	if (trace_run(p, ops, &t))
		return -1;
	for (size_t i = 0; i < t.n && site < 0; i++)
		if (t.rows[i].kind == R_STOP && t.rows[i].record == (int)rec)
			site = mt_in_site_lookup(tri_sites, t.rows[i].site);
	trace_free(&t);
	return site;
}

/* Row i stops or blocks VCPU v: did another VCPU run before v went on? */
static int preempted(const struct trace *t, size_t i)
{
	int v = t->rows[i].vcpu;
	for (size_t k = i + 1; k < t->n; k++) {
		const struct row *r = &t->rows[k];
		if (r->kind == R_FINDING)
			return 1;        /* stopped for good while the finding was made */
		if (r->vcpu < 0 || r->kind == R_RECORD)
			continue;
		if (r->vcpu != v && r->kind != R_IDLE && r->kind != R_SKIP)
			return 1;
		if (r->vcpu == v && (r->kind == R_RESUME || r->kind == R_DONE || r->kind == R_STOP))
			return 0;
	}
	return 0;
}

/* ---- signature ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			*s = '_';
}

int mt_tri_signature(const struct mt_program *p, const struct mt_ops *ops, struct mt_tri_sig *s)
{
	struct trace t;
	char *pre[64];
	char pre_buf[64][72];
	unsigned npre = 0, ops_mask = 0;
	int epilogue = 0;

	memset(s, 0, sizeof(*s));
	if (trace_run(p, ops, &t))
		return -1;
	if (!t.flagged) {
		trace_free(&t);
		return -1;
	}
	inv_of(t.finding, s->inv, sizeof(s->inv));
	for (size_t i = 0; i < t.n; i++) {
		const struct row *r = &t.rows[i];
		if (r->kind == R_EPILOGUE)
			epilogue = 1;
		if (r->kind == R_START && !epilogue)
			for (unsigned k = 0; k < MT_OP_COUNT; k++)
				if (!strcmp(r->op, mt_in_op_name(k)))
					ops_mask |= 1u << k;
		/* a stop is a schedule choice; a block follows from the locks
		 * (it only shapes a deadlock) */
		int counts = r->kind == R_STOP || (r->kind == R_BLOCK && !strcmp(s->inv, "deadlock"));
		if (counts && npre < 64 && preempted(&t, i)) {
			char one[72];
			snprintf(one, sizeof(one), "%s@%s", r->op, r->site);
			int seen = 0;
			for (unsigned k = 0; k < npre; k++)
				seen |= !strcmp(pre[k], one);
			if (!seen) {
				snprintf(pre_buf[npre], sizeof(pre_buf[npre]), "%s", one);
				pre[npre] = pre_buf[npre];
				npre++;
			}
		}
	}
	trace_free(&t);
	qsort(pre, npre, sizeof(pre[0]), cmp_str);

	char opsl[128] = "", prel[384] = "";
	size_t ol = 0, pl = 0;
	for (unsigned k = 0; k < MT_OP_COUNT; k++)
		if (ops_mask >> k & 1)
			ol += (size_t)snprintf(opsl + ol, sizeof(opsl) - ol, "%s%s", ol ? "," : "", mt_in_op_name(k));
	for (unsigned k = 0; k < npre && pl < sizeof(prel); k++)
		pl += (size_t)snprintf(prel + pl, sizeof(prel) - pl, "%s%s", pl ? "," : "", pre[k]);
	snprintf(s->sig, sizeof(s->sig), "%.31s|ops=%.100s|preempt=%.360s", s->inv, opsl, npre ? prel : "none");

	/* The file name: INV-<op>-at-<SITE>[-and-...]-vs-<ops>, or INV-seq-<ops>. */
	char name[512];
	size_t nl = (size_t)snprintf(name, sizeof(name), "%s", s->inv);
	if (!npre)
		nl += (size_t)snprintf(name + nl, sizeof(name) - nl, "-seq");
	for (unsigned k = 0; k < npre && nl < sizeof(name); k++) {
		char op[24], site[48];
		const char *at = strchr(pre[k], '@');
		size_t on = at ? (size_t)(at - pre[k]) : strlen(pre[k]);
		if (on >= sizeof(op))
			on = sizeof(op) - 1;
		memcpy(op, pre[k], on);
		op[on] = '\0';
		snprintf(site, sizeof(site), "%s", at ? at + 1 : "?");
		nl += (size_t)snprintf(name + nl, sizeof(name) - nl, "%s%s-at-%s", k ? "-and-" : "-", op, site);
	}
	if (npre && nl < sizeof(name))
		nl += (size_t)snprintf(name + nl, sizeof(name) - nl, "-vs");
	for (unsigned k = 0; k < MT_OP_COUNT && nl < sizeof(name); k++)
		if (ops_mask >> k & 1)
			nl += (size_t)snprintf(name + nl, sizeof(name) - nl, "-%s", mt_in_op_name(k));
	sanitize(name);
	snprintf(s->name, sizeof(s->name), "%.127s", name);
	return 0;
}

/* ---- readable interleaving ---- */

int mt_tri_print_text(const struct mt_program *p, const struct mt_ops *ops, FILE *out)
{
	struct mt_tri_verdict v;

	mt_tri_run(p, ops, &v);
	fprintf(out, "# impl=%s verdict=%s\n", ops->name, v.flagged ? "FINDING" : "clean");
	if (v.flagged && (!strcmp(v.inv, "crash") || !strcmp(v.inv, "timeout"))) {
		fprintf(out, "# the run dies; its steps up to the %s:\n", v.inv);
		trace_in_child(p, ops, out);
		fprintf(out, "# FINDING %s\n# verdict: FINDING\n", v.finding);
		return 1;
	}
	fflush(out);
	install_handlers();
	int rc = mt_harness_run_program(harness_for(ops), p, out);
	fprintf(out, "# verdict: %s\n", rc ? "FINDING" : "clean");
	return rc;
}

/* ---- the picture: a list of boxes and texts, drawn as SVG or gnuplot ---- */

struct shape {
	int is_text;
	int x, y, w, h;          /* box; text: x, y = left end, vertical middle */
	const char *fill, *stroke;
	int size, bold;
	char text[260];
};

struct picture {
	struct shape *s;
	size_t n, cap;
	int width, height;
};

static struct shape *shape_add(struct picture *pic)
{
	struct shape *shapes = room_for_one(pic->s, pic->n, &pic->cap, sizeof(*shapes), 512);
	if (!shapes)
		return NULL;
	pic->s = shapes;
	struct shape *s = &shapes[pic->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

static void box(struct picture *pic, int x, int y, int w, int h, const char *fill, const char *stroke)
{
	struct shape *s = shape_add(pic);
	if (!s)
		return;
	s->x = x;
	s->y = y;
	s->w = w;
	s->h = h;
	s->fill = fill;
	s->stroke = stroke;
}

/* Text clipped to max_px (about 7 px a character at size 12). */
static void text(struct picture *pic, int x, int y, int max_px, int size, int bold, const char *color,
                 const char *str)
{
	struct shape *s = shape_add(pic);
	if (!s)
		return;
	s->is_text = 1;
	s->x = x;
	s->y = y;
	s->size = size;
	s->bold = bold;
	s->fill = color;
	size_t max_chars = (size_t)(max_px / (size * 6 / 10 + 1));
	if (max_chars < 4)
		max_chars = 4;
	if (max_chars >= sizeof(s->text))
		max_chars = sizeof(s->text) - 1;
	if (strlen(str) > max_chars)
		snprintf(s->text, sizeof(s->text), "%.*s...", (int)(max_chars - 3), str);
	else
		snprintf(s->text, sizeof(s->text), "%s", str);
}

#define PIC_MARGIN 12
#define PIC_REC_W 380
#define PIC_VCPU_W 330
#define PIC_ROW_H 22
#define PIC_NOTE_H 17
#define PIC_TOP 96
#define PIC_MAX_ROWS 3000

enum lane { LANE_IDLE, LANE_RUN, LANE_STOPPED, LANE_BLOCKED, LANE_READY };

static const char *lane_color(enum lane l)
{
	switch (l) {
	case LANE_RUN:     return "#2e9e44";
	case LANE_STOPPED: return "#f0a030";
	case LANE_BLOCKED: return "#c0392b";
	case LANE_READY:   return "#9bb7d4";
	default:           return NULL;
	}
}

static const char *cell_color(enum row_kind k)
{
	switch (k) {
	case R_START:    return "#e3eefb";
	case R_STOP:     return "#fde9c8";
	case R_BLOCK:    return "#f7d4d0";
	case R_RESUME:   return "#dff3e2";
	case R_DONE:     return "#eef0f2";
	case R_INSTEAD:  return "#f7d4d0";
	case R_EPILOGUE: return "#f4f4f4";
	case R_DRAIN:    return "#f4f4f4";
	default:         return "#ffffff";
	}
}

static void build_picture(struct picture *pic, const struct trace *t, const struct mt_program *p,
                          const struct mt_ops *ops, const char *title)
{
	unsigned nv = p->nr_vcpus;
	int x_v0 = PIC_MARGIN + PIC_REC_W;
	int width = x_v0 + (int)nv * PIC_VCPU_W + PIC_MARGIN;
	enum lane lane[MT_IN_MAX_VCPUS] = { LANE_IDLE };
	char buf[300];

	if (width < 900)
		width = 900;
	pic->width = width;
	/* title and legend */
	text(pic, PIC_MARGIN, 18, width - 2 * PIC_MARGIN, 15, 1, "#111111", title);
	snprintf(buf, sizeof(buf), "impl=%s  vcpus=%u  per_page=%u  max_frames=%u  alloc_fail=0x%02x  records=%u  verdict: %.180s",
	         ops->name, p->nr_vcpus, p->per_page, p->max_frames, p->alloc_fail, p->nr_records,
	         t->flagged ? t->finding : "clean");
	text(pic, PIC_MARGIN, 40, width - 2 * PIC_MARGIN, 12, 0, t->flagged ? "#b00020" : "#1b5e20", buf);
	int lx = PIC_MARGIN;
	static const struct { enum lane l; const char *what; } legend[] = {
		{ LANE_RUN, "running" }, { LANE_STOPPED, "stopped by the schedule (preempted)" },
		{ LANE_BLOCKED, "waiting for a lock" }, { LANE_READY, "started, not run yet" },
	};
	for (unsigned i = 0; i < sizeof(legend) / sizeof(legend[0]); i++) {
		box(pic, lx, 54, 8, 14, lane_color(legend[i].l), NULL);
		text(pic, lx + 12, 61, 300, 11, 0, "#333333", legend[i].what);
		lx += 20 + (int)strlen(legend[i].what) * 7;
	}
	/* column heads */
	int y = PIC_TOP - 22;
	box(pic, PIC_MARGIN, y, width - 2 * PIC_MARGIN, 20, "#37474f", NULL);
	text(pic, PIC_MARGIN + 6, y + 10, PIC_REC_W - 10, 12, 1, "#ffffff", "schedule (input record)");
	for (unsigned v = 0; v < nv; v++) {
		snprintf(buf, sizeof(buf), "VCPU v%u", v);
		text(pic, x_v0 + (int)v * PIC_VCPU_W + 6, y + 10, PIC_VCPU_W - 10, 12, 1, "#ffffff", buf);
	}

	y = PIC_TOP;
	const char *pending = NULL;
	char pending_buf[300];
	int last_event_y = -1, last_event_v = -1, last_event_h = PIC_ROW_H;
	size_t rows = 0;
	int sep_end = y;
	for (size_t i = 0; i < t->n && rows < PIC_MAX_ROWS; i++) {
		const struct row *r = &t->rows[i];
		if (r->kind == R_HEADER)
			continue;
		if (r->kind == R_RECORD) {
			snprintf(pending_buf, sizeof(pending_buf), "#%d  %s", r->record, r->text);
			pending = pending_buf;
			continue;
		}
		rows++;
		if (r->kind == R_FINDING) {
			int h = 2 * PIC_ROW_H;
			if (last_event_y >= 0) {
				/* the step where it was detected: red frame */
				int x = last_event_v >= 0 ? x_v0 + last_event_v * PIC_VCPU_W : x_v0;
				int w = last_event_v >= 0 ? PIC_VCPU_W : (int)nv * PIC_VCPU_W;
				box(pic, x + 1, last_event_y + 1, w - 2, last_event_h - 2, NULL, "#d50000");
				box(pic, x + 2, last_event_y + 2, w - 4, last_event_h - 4, NULL, "#d50000");
			}
			box(pic, PIC_MARGIN, y, width - 2 * PIC_MARGIN, h, "#ffebee", "#d50000");
			text(pic, PIC_MARGIN + 8, y + 13, width - 2 * PIC_MARGIN - 16, 13, 1, "#b00020",
			     "BROKEN INVARIANT (detected at the step framed in red above):");
			text(pic, PIC_MARGIN + 8, y + 31, width - 2 * PIC_MARGIN - 16, 13, 1, "#b00020", r->text);
			y += h + 4;
			continue;
		}
		int h = r->kind == R_QUIESCENT || r->kind == R_OTHER ? PIC_NOTE_H : PIC_ROW_H;
		/* row background stripes and lanes */
		box(pic, PIC_MARGIN, y, width - 2 * PIC_MARGIN, h, rows % 2 ? "#fafafa" : "#ffffff", NULL);
		if (r->kind == R_START && r->vcpu >= 0)
			lane[r->vcpu] = LANE_RUN;
		if (r->kind == R_RESUME && r->vcpu >= 0)
			lane[r->vcpu] = LANE_RUN;
		if ((r->kind == R_DRAIN || r->kind == R_INSTEAD) && r->vcpu >= 0)
			lane[r->vcpu] = LANE_RUN;
		for (unsigned v = 0; v < nv; v++) {
			enum lane l = lane[v];
			if (r->kind == R_STOP && (int)v == r->vcpu)
				l = LANE_RUN;
			if (r->kind == R_BLOCK && (int)v == r->vcpu)
				l = LANE_RUN;
			if (r->kind == R_DONE && (int)v == r->vcpu)
				l = LANE_RUN;
			const char *c = lane_color(l);
			if (c)
				box(pic, x_v0 + (int)v * PIC_VCPU_W + 3, y, 7, h, c, NULL);
		}
		if (pending) {
			text(pic, PIC_MARGIN + 6, y + h / 2, PIC_REC_W - 12, 12, 1, "#263238", pending);
			pending = NULL;
		} else if (r->kind == R_DRAIN) {
			text(pic, PIC_MARGIN + 6, y + h / 2, PIC_REC_W - 12, 12, 0, "#555555", "(end of records: drain)");
		} else if (r->kind == R_EPILOGUE) {
			text(pic, PIC_MARGIN + 6, y + h / 2, PIC_REC_W - 12, 12, 0, "#555555", "(epilogue: puts back)");
		}
		if (r->kind == R_QUIESCENT || r->kind == R_OTHER) {
			text(pic, x_v0 + 14, y + h / 2, (int)nv * PIC_VCPU_W - 20, 10, 0, "#78909c", r->text);
			last_event_y = y;
			last_event_v = -1;
			last_event_h = h;
		} else if (r->vcpu >= 0 && (unsigned)r->vcpu < nv) {
			int x = x_v0 + r->vcpu * PIC_VCPU_W;
			box(pic, x + 13, y + 2, PIC_VCPU_W - 18, h - 4, cell_color(r->kind), "#cfd8dc");
			if (r->kind == R_STOP || r->kind == R_BLOCK) {
				snprintf(buf, sizeof(buf), "%s %s at %s", r->op,
				         r->kind == R_STOP ? "STOPPED" : "BLOCKED", r->site);
				text(pic, x + 18, y + h / 2, PIC_VCPU_W - 26, 12, 1, r->kind == R_STOP ? "#8a4b00" : "#8e1b10", buf);
			} else if (r->kind == R_RESUME) {
				snprintf(buf, sizeof(buf), "resumes %s at %s", r->op, r->site);
				text(pic, x + 18, y + h / 2, PIC_VCPU_W - 26, 12, 1, "#1b5e20", buf);
			} else {
				text(pic, x + 18, y + h / 2, PIC_VCPU_W - 26, 12, r->kind == R_START, "#1a1a1a", r->text);
			}
			last_event_y = y;
			last_event_v = r->vcpu;
			last_event_h = h;
		}
		/* lane state after this row */
		if (r->vcpu >= 0 && (unsigned)r->vcpu < nv) {
			if (r->kind == R_STOP)
				lane[r->vcpu] = LANE_STOPPED;
			else if (r->kind == R_BLOCK)
				lane[r->vcpu] = LANE_BLOCKED;
			else if (r->kind == R_DONE)
				lane[r->vcpu] = LANE_IDLE;
			else if (r->kind == R_START)
				lane[r->vcpu] = LANE_READY;
		}
		y += h;
		sep_end = y;
	}
	/* what the schedule points in the picture mean */
	const char *seen[64];
	unsigned nseen = 0;
	for (size_t i = 0; i < t->n && nseen < 64; i++) {
		const struct row *r = &t->rows[i];
		if (r->kind != R_STOP && r->kind != R_BLOCK && r->kind != R_RESUME)
			continue;
		int dup = 0;
		for (unsigned k = 0; k < nseen; k++)
			dup |= !strcmp(seen[k], r->site);
		if (!dup)
			seen[nseen++] = r->site;
	}
	if (nseen) {
		y += 8;
		text(pic, PIC_MARGIN, y + 8, width, 12, 1, "#37474f", "Schedule points in this picture:");
		y += 18;
	}
	for (unsigned k = 0; k < nseen; k++) {
		int site = mt_in_site_lookup(tri_sites, seen[k]);
		if (site >= 0) {
			snprintf(buf, sizeof(buf), "%-20s %s", seen[k], mt_in_site(tri_sites, (unsigned)site)->text);
			text(pic, PIC_MARGIN + 12, y + 8, width - 2 * PIC_MARGIN, 12, 0, "#37474f", buf);
			y += 17;
		}
	}
	if (rows >= PIC_MAX_ROWS) {
		text(pic, PIC_MARGIN, y + 10, width, 12, 1, "#b00020", "... more steps not drawn (shrink the input first)");
		y += 20;
	}
	/* column separators */
	for (unsigned v = 0; v <= nv; v++)
		box(pic, x_v0 + (int)v * PIC_VCPU_W, PIC_TOP - 22, 1, sep_end - PIC_TOP + 22, "#b0bec5", NULL);
	pic->height = y + PIC_MARGIN;
}

static void xml_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n')
				fputc(*s, out);
		}
	}
}

static void emit_svg(FILE *out, const struct picture *pic)
{
	fprintf(out,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	        "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\">\n",
	        pic->width, pic->height, pic->width, pic->height);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", pic->width, pic->height);
	for (size_t i = 0; i < pic->n; i++) {
		const struct shape *s = &pic->s[i];
		if (s->is_text) {
			fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" dominant-baseline=\"middle\" fill=\"%s\"%s>",
			        s->x, s->y, s->size, s->fill, s->bold ? " font-weight=\"bold\"" : "");
			xml_escape(out, s->text);
			fputs("</text>\n", out);
		} else {
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"", s->x, s->y, s->w,
			        s->h, s->fill ? s->fill : "none");
			if (s->stroke)
				fprintf(out, " stroke=\"%s\" stroke-width=\"1\"", s->stroke);
			fputs("/>\n", out);
		}
	}
	fputs("</svg>\n", out);
}

static void gp_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
}

static void emit_gnuplot(FILE *out, const struct picture *pic, const char *png)
{
	fprintf(out, "# gnuplot script: the swimlane picture as PNG (written by maptrack_triage)\n");
	fprintf(out, "set terminal pngcairo size %d,%d font \"DejaVu Sans Mono,9\" background rgb \"#ffffff\"\n",
	        pic->width, pic->height);
	fprintf(out, "set output \"");
	gp_escape(out, png ? png : "timeline.png");
	fprintf(out, "\"\nunset key\nunset border\nunset tics\n");
	fprintf(out, "set lmargin at screen 0\nset rmargin at screen 1\nset tmargin at screen 1\nset bmargin at screen 0\n");
	fprintf(out, "set xrange [0:%d]\nset yrange [%d:0]\n", pic->width, pic->height);
	int obj = 1, lab = 1;
	for (size_t i = 0; i < pic->n; i++) {
		const struct shape *s = &pic->s[i];
		if (s->is_text) {
			fprintf(out, "set label %d \"", lab++);
			gp_escape(out, s->text);
			/* pngcairo points at 96 dpi: size px * 0.75 */
			fprintf(out, "\" at %d,%d left front font \"%s,%d\" textcolor rgb \"%s\" noenhanced\n", s->x, s->y,
			        s->bold ? "DejaVu Sans Mono:Bold" : "DejaVu Sans Mono", s->size * 3 / 4, s->fill);
		} else {
			fprintf(out, "set object %d rect from %d,%d to %d,%d", obj++, s->x, s->y, s->x + s->w, s->y + s->h);
			if (s->fill)
				fprintf(out, " fc rgb \"%s\" fs solid 1.0", s->fill);
			else
				fprintf(out, " fs empty");
			if (s->stroke)
				fprintf(out, " border lc rgb \"%s\" lw 1", s->stroke);
			else
				fprintf(out, " noborder");
			fprintf(out, " %s\n", s->fill ? "behind" : "front");
		}
	}
	fprintf(out, "plot NaN notitle\n");
}

int mt_tri_picture(const struct mt_program *p, const struct mt_ops *ops, FILE *out,
                   enum mt_tri_picture fmt, const char *title, const char *png_path)
{
	struct trace t;
	struct picture pic;

	if (trace_run(p, ops, &t))
		return -1;
	memset(&pic, 0, sizeof(pic));
	build_picture(&pic, &t, p, ops, title);
	switch (fmt) {
	case MT_TRI_SVG:
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
		emit_svg(out, &pic);
		break;
	case MT_TRI_GNUPLOT:
		emit_gnuplot(out, &pic, png_path);
		break;
	case MT_TRI_HTML:
		fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", out);
		xml_escape(out, title);
		fputs("</title>\n<style>body{font-family:sans-serif;margin:16px;color:#111}"
		      "pre{background:#f6f8fa;padding:8px;border:1px solid #ddd;font-size:12px}"
		      ".bad{color:#b00020;font-weight:bold}</style></head><body>\n", out);
		fprintf(out, "<h2>");
		xml_escape(out, title);
		fprintf(out, "</h2>\n<p>Implementation <b>%s</b>: ", ops->name);
		if (t.flagged) {
			fputs("<span class=\"bad\">FINDING ", out);
			xml_escape(out, t.finding);
			fputs("</span>", out);
		} else {
			fputs("clean", out);
		}
		fputs("</p>\n<p>One column per VCPU, one row per step, time flows down. The left column is the "
		      "input record that caused the step; the bar at the left of each VCPU column shows its "
		      "operation in flight.</p>\n", out);
		emit_svg(out, &pic);
		fputs("<h3>Text form (replayable with tools/encode)</h3>\n<pre>", out);
		{
			char *buf = NULL;
			size_t size = 0;
			FILE *f = open_memstream(&buf, &size);
			if (f) {
				mt_tri_print_text(p, ops, f);
				fclose(f);
				xml_escape(out, buf);
			}
			free(buf);
		}
		fputs("</pre>\n</body></html>\n", out);
		break;
	}
	free(pic.s);
	int flagged = t.flagged;
	trace_free(&t);
	return flagged;
}
