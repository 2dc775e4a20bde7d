/*
 * litmus_test.c - the memory model (memory.c) against litmus tests
 * (the .litmus files of fuzz/engine/litmus/, syntax in docs/memory-model.md).
 *
 * For each file and each model (sc, c11) every interleaving of the
 * processes' operations (program order kept) is run against the model
 * with real memory in a static array; under c11 every load also takes
 * every read-from choice (mt_mem_choose() with k = 0..MT_MEM_HISTORY-1
 * before it).  Whether the file's `exists` condition was reached in some
 * execution is compared with the expectation in its header.  Then the
 * same again through the explorer's partial-order reduction
 * (fuzz/explore/dpor.h: a step's footprint is its location, a write for
 * stores and exchanges, and one global location for seq_cst): the set of
 * final states (registers and memory) must be the same as the naive
 * enumeration's ("DPOR DIFFERS" otherwise, a failure).
 *
 * Usage: litmus_test FILE.litmus...   Exit 0: all as expected; 1: a
 * result differs (WRONG) or no file; 2: a file is malformed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/engine/memory.h"
#include "fuzz/explore/dpor.h"
#include "lib/mt_access.h"

#define MAXP 4                   /* processes P0..P3 = VCPUs 0..3 */
#define MAXOPS 8                 /* operations per process */
#define MAXLOC 8
#define MAXREG 16
#define MAXTERM 16
#define NAMELEN 16

enum op_kind { OP_LOAD, OP_STORE, OP_XCHG, OP_FENCE };

struct op {
	enum op_kind kind;
	unsigned order;              /* MT_ACC_* order bits */
	int loc, reg;                /* -1: none */
	uint32_t val;                /* what a store or xchg writes */
};

struct term {
	int is_reg, idx;
	uint32_t val;
};

struct litmus {
	const char *path;
	char name[128];
	int expect[2];               /* [0] sc, [1] c11: 1 allowed, 0 forbidden, -1 unset */
	unsigned nproc, nops[MAXP];
	struct op ops[MAXP][MAXOPS];
	unsigned nloc, nreg, nterm;
	char loc_name[MAXLOC][NAMELEN], reg_name[MAXREG][NAMELEN];
	struct term terms[MAXTERM];
};

static const char *model_name[2] = { "sc", "c11" };

/* Malformed input: name file:line and stop with exit status 2. */
__attribute__((format(printf, 3, 4), noreturn))
static void die(const struct litmus *t, unsigned line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: ", t->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static int order_of(const char *s, unsigned *order)
{
	static const struct { const char *name; unsigned order; } orders[] = {
		{ "relaxed", MT_ACC_RELAXED }, { "acquire", MT_ACC_ACQUIRE },
		{ "release", MT_ACC_RELEASE }, { "acq_rel", MT_ACC_ACQ_REL },
		{ "seq_cst", MT_ACC_SEQ_CST }, { "plain", MT_ACC_PLAIN },
	};
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		if (!strcmp(s, orders[i].name)) {
			*order = orders[i].order;
			return 0;
		}
	return -1;
}

static int is_reg_name(const char *s)
{
	if (s[0] != 'r' || !s[1])
		return 0;
	for (s++; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int is_ident(const char *s)
{
	if (!islower((unsigned char)s[0]) && s[0] != '_')
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return strlen(s) < NAMELEN;
}

static uint32_t parse_val(const struct litmus *t, unsigned line, const char *s)
{
	char *end;

	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end || errno || v > 0x7fffffffUL)
		die(t, line, "bad value '%s' (a decimal number below 2^31)", s);
	return (uint32_t)v;
}

static int find_name(char names[][NAMELEN], unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

static int loc_of(struct litmus *t, unsigned line, const char *s, int add)
{
	if (is_reg_name(s) || !is_ident(s))
		die(t, line, "'%s' is no location name (registers are r0, r1, ...)", s);
	int i = find_name(t->loc_name, t->nloc, s);
	if (i >= 0 || !add)
		return i;
	if (t->nloc == MAXLOC)
		die(t, line, "more than %d locations at '%s'", MAXLOC, s);
	snprintf(t->loc_name[t->nloc], NAMELEN, "%s", s);
	return (int)t->nloc++;
}

static int reg_of(struct litmus *t, unsigned line, const char *s)
{
	if (!is_reg_name(s) || strlen(s) >= NAMELEN)
		die(t, line, "'%s' is no register name (r0, r1, ...)", s);
	if (find_name(t->reg_name, t->nreg, s) >= 0)
		die(t, line, "register %s is written twice (one load or xchg per register)", s);
	if (t->nreg == MAXREG)
		die(t, line, "more than %d registers at '%s'", MAXREG, s);
	snprintf(t->reg_name[t->nreg], NAMELEN, "%s", s);
	return (int)t->nreg++;
}

/* Split s at blanks into at most max words; returns how many. */
static unsigned words(char *s, char **w, unsigned max)
{
	unsigned n = 0;

	for (char *tok = strtok(s, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		if (n == max)
			return max + 1;
		w[n++] = tok;
	}
	return n;
}

/* One operation of process p, e.g. "store x 1 release". */
static void parse_op(struct litmus *t, unsigned line, unsigned p, char *text)
{
	char copy[256], *w[8];

	snprintf(copy, sizeof(copy), "%s", text);
	unsigned n = words(text, w, 6);
	if (n == 0)
		die(t, line, "empty operation in P%u (a stray ';'?)", p);
	if (t->nops[p] == MAXOPS)
		die(t, line, "more than %d operations in P%u at '%s'", MAXOPS, p, copy);
	struct op *o = &t->ops[p][t->nops[p]++];
	o->loc = o->reg = -1;
	o->val = 0;
	if (!strcmp(w[0], "store") && n == 4) {
		o->kind = OP_STORE;
		o->loc = loc_of(t, line, w[1], 1);
		o->val = parse_val(t, line, w[2]);
	} else if (!strcmp(w[0], "load") && n == 4) {
		o->kind = OP_LOAD;
		o->reg = reg_of(t, line, w[1]);
		o->loc = loc_of(t, line, w[2], 1);
	} else if (!strcmp(w[0], "xchg") && n == 5) {
		o->kind = OP_XCHG;
		o->reg = reg_of(t, line, w[1]);
		o->loc = loc_of(t, line, w[2], 1);
		o->val = parse_val(t, line, w[3]);
	} else if (!strcmp(w[0], "fence") && n == 2) {
		o->kind = OP_FENCE;
	} else {
		die(t, line, "bad operation '%s' (store LOC VAL ORDER | load REG LOC ORDER | "
		    "xchg REG LOC VAL ORDER | fence ORDER)", copy);
	}
	if (order_of(w[n - 1], &o->order))
		die(t, line, "bad order '%s' (relaxed acquire release acq_rel seq_cst plain)", w[n - 1]);
	if (o->kind == OP_FENCE && (o->order == MT_ACC_RELAXED || o->order == MT_ACC_PLAIN))
		die(t, line, "a fence is acquire, release, acq_rel or seq_cst, not '%s'", w[n - 1]);
	if (o->kind == OP_XCHG && o->order == MT_ACC_PLAIN)
		die(t, line, "an xchg is atomic, not plain");
}

static void parse_expect(struct litmus *t, unsigned line, char *text)
{
	char *w[4];
	unsigned n = words(text, w, 3);

	if (n > 3)
		die(t, line, "'# expect' takes sc=... c11=...");
	for (unsigned i = 0; i < n; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq)
			die(t, line, "bad expectation '%s' (sc=allowed|forbidden c11=...)", w[i]);
		*eq = 0;
		int model = !strcmp(w[i], "sc") ? 0 : !strcmp(w[i], "c11") ? 1 : -1;
		if (model < 0)
			die(t, line, "unknown model '%s' (sc, c11)", w[i]);
		if (t->expect[model] >= 0)
			die(t, line, "model %s expected twice", w[i]);
		t->expect[model] = !strcmp(eq + 1, "allowed") ? 1 : !strcmp(eq + 1, "forbidden") ? 0 : -1;
		if (t->expect[model] < 0)
			die(t, line, "bad outcome '%s' (allowed, forbidden)", eq + 1);
	}
}

static void parse_exists(struct litmus *t, unsigned line, char *text)
{
	char *w[MAXTERM + 1];
	unsigned n = words(text, w, MAXTERM);

	if (n == 0 || n > MAXTERM)
		die(t, line, "'exists' takes 1 to %d terms NAME=VALUE", MAXTERM);
	for (unsigned i = 0; i < n; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq)
			die(t, line, "bad term '%s' (NAME=VALUE)", w[i]);
		*eq = 0;
		struct term *tm = &t->terms[t->nterm++];
		tm->is_reg = is_reg_name(w[i]);
		tm->idx = tm->is_reg ? find_name(t->reg_name, t->nreg, w[i]) : loc_of(t, line, w[i], 0);
		if (tm->idx < 0)
			die(t, line, "'%s' is not loaded or stored by any process", w[i]);
		tm->val = parse_val(t, line, eq + 1);
	}
}

static void parse(struct litmus *t, const char *path)
{
	char line[512];
	unsigned lineno = 0, exists_line = 0;
	FILE *f = fopen(path, "r");

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->expect[0] = t->expect[1] = -1;
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		exit(2);
	}
	const char *base = strrchr(path, '/');
	snprintf(t->name, sizeof(t->name), "%s", base ? base + 1 : path);
	char *dot = strstr(t->name, ".litmus");
	if (dot)
		*dot = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			die(t, lineno, "line longer than %zu characters", sizeof(line) - 2);
		line[strcspn(line, "\r\n")] = 0;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#') {
			s++;
			while (*s == ' ' || *s == '\t')
				s++;
			if (!strncmp(s, "expect", 6) && (s[6] == ' ' || s[6] == '\t'))
				parse_expect(t, lineno, s + 6);
			continue;
		}
		if (!*s)
			continue;
		if (exists_line)
			die(t, lineno, "nothing but comments may follow 'exists'");
		if (s[0] == 'P' && isdigit((unsigned char)s[1]) && s[2] == ':') {
			unsigned p = (unsigned)(s[1] - '0');
			if (p != t->nproc || p >= MAXP)
				die(t, lineno, "processes are P0, P1, ... P3 in order, one line each; "
				    "not P%u here", p);
			t->nproc++;
			for (char *op = s + 3, *semi; op; op = semi ? semi + 1 : NULL) {
				semi = strchr(op, ';');
				if (semi)
					*semi = 0;
				parse_op(t, lineno, p, op);
			}
			continue;
		}
		if (!strncmp(s, "exists", 6) && (s[6] == ' ' || s[6] == '\t')) {
			exists_line = lineno;
			parse_exists(t, lineno, s + 6);
			continue;
		}
		die(t, lineno, "expected '# comment', 'Pn: op; op; ...' or 'exists ...', not '%.40s'", s);
	}
	fclose(f);
	if (t->expect[0] < 0 || t->expect[1] < 0)
		die(t, lineno, "no '# expect sc=... c11=...' header naming both models");
	if (t->nproc < 2)
		die(t, lineno, "2 to 4 processes (P0: ...; P1: ...), found %u", t->nproc);
	if (!exists_line)
		die(t, lineno, "no 'exists' line");
}

/* --- running ------------------------------------------------------------ */

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	exit(1); } } while (0)

static uint32_t mem[MAXLOC];     /* the real memory of a run */
static uint32_t regs[MAXREG];

struct exec {
	unsigned sched[MAXP * MAXOPS];   /* process of each step */
	unsigned choice[MAXP * MAXOPS];  /* read-from choice of each step's load */
	unsigned nsteps;
};

/* Final states seen (registers, then memory), for the reduction check. */
#define MAXOUT 1024
struct outcomes {
	unsigned n;
	int overflow;
	uint32_t v[MAXOUT][MAXREG + MAXLOC];
};

static void outcome_add(struct outcomes *o)
{
	uint32_t cur[MAXREG + MAXLOC];
	memcpy(cur, regs, sizeof(regs));
	memcpy(cur + MAXREG, mem, sizeof(mem));
	for (unsigned i = 0; i < o->n; i++)
		if (!memcmp(o->v[i], cur, sizeof(cur)))
			return;
	if (o->n == MAXOUT) {
		o->overflow = 1;
		return;
	}
	memcpy(o->v[o->n++], cur, sizeof(cur));
}

static int outcomes_same(const struct outcomes *a, const struct outcomes *b)
{
	if (a->n != b->n || a->overflow || b->overflow)
		return 0;
	for (unsigned i = 0; i < a->n; i++) {
		unsigned j = 0;
		while (j < b->n && memcmp(a->v[i], b->v[j], sizeof(a->v[i])))
			j++;
		if (j == b->n)
			return 0;
	}
	return 1;
}

struct result {
	struct outcomes out;             /* every final state */
	unsigned long executions;
	int seen;                        /* exists reached */
	struct exec witness;             /* the first execution that reached it */
	uint32_t wregs[MAXREG], wmem[MAXLOC];
};

static void run_op(struct mt_mem *m, unsigned p, unsigned i, const struct op *o, unsigned choice)
{
	int site = (int)(p * MAXOPS + i);
	uint32_t *a = o->loc >= 0 ? &mem[o->loc] : NULL;
	unsigned acc;

	switch (o->kind) {
	case OP_STORE:
		acc = MT_ACC_STORE | o->order | MT_ACC_SZ(4) | MT_ACC_DEFER;
		mt_mem_access(m, p, site, a, acc);
		*a = o->val;
		mt_mem_after(m, p, a, acc, NULL, NULL);
		break;
	case OP_LOAD: {
		acc = MT_ACC_LOAD | o->order | MT_ACC_SZ(4) | MT_ACC_DEFER;
		mt_mem_choose(m, p, choice);
		mt_mem_access(m, p, site, a, acc);
		uint32_t x = *a;
		mt_mem_after(m, p, a, acc, &x, NULL);
		regs[o->reg] = x;
		break;
	}
	case OP_XCHG: {
		acc = MT_ACC_RMW | o->order | MT_ACC_SZ(4) | MT_ACC_DEFER;
		mt_mem_access(m, p, site, a, acc);
		uint32_t old = *a;
		*a = o->val;
		mt_mem_after(m, p, a, acc, NULL, NULL);
		regs[o->reg] = old;
		break;
	}
	case OP_FENCE:
		mt_mem_fence(m, p, o->order);
		break;
	}
}

static int exists_holds(const struct litmus *t)
{
	for (unsigned i = 0; i < t->nterm; i++) {
		const struct term *tm = &t->terms[i];
		if ((tm->is_reg ? regs[tm->idx] : mem[tm->idx]) != tm->val)
			return 0;
	}
	return 1;
}

/* One execution: the schedule in e, each load's choice from e->choice. */
static void run_one(const struct litmus *t, struct mt_mem *m, int c11, const struct exec *e,
                    struct result *res)
{
	unsigned next[MAXP] = { 0 };

	memset(mem, 0, sizeof(mem));
	memset(regs, 0, sizeof(regs));
	mt_mem_begin(m, c11);
	for (unsigned s = 0; s < e->nsteps; s++) {
		unsigned p = e->sched[s];
		CHECK(next[p] < t->nops[p]);
		run_op(m, p, next[p], &t->ops[p][next[p]], e->choice[s]);
		next[p]++;
	}
	CHECK(mt_mem_untracked(m) == 0);
	res->executions++;
	outcome_add(&res->out);
	if (!res->seen && exists_holds(t)) {
		res->seen = 1;
		res->witness = *e;
		memcpy(res->wregs, regs, sizeof(regs));
		memcpy(res->wmem, mem, sizeof(mem));
	}
}

/* Every read-from choice for the loads of the schedule, from step s on. */
static void choices(const struct litmus *t, struct mt_mem *m, int c11, struct exec *e,
                    unsigned s, const unsigned *idx, struct result *res)
{
	for (; s < e->nsteps; s++) {
		const struct op *o = &t->ops[e->sched[s]][idx[s]];
		if (o->kind == OP_LOAD && c11)
			break;
		e->choice[s] = 0;
	}
	if (s == e->nsteps) {
		run_one(t, m, c11, e, res);
		return;
	}
	for (unsigned k = 0; k < MT_MEM_HISTORY; k++) {
		e->choice[s] = k;
		choices(t, m, c11, e, s + 1, idx, res);
	}
}

/* Every interleaving (program order kept), from step s on. */
static void interleave(const struct litmus *t, struct mt_mem *m, int c11, struct exec *e,
                       unsigned s, unsigned *next, unsigned *idx, struct result *res)
{
	if (s == e->nsteps) {
		choices(t, m, c11, e, 0, idx, res);
		return;
	}
	for (unsigned p = 0; p < t->nproc; p++) {
		if (next[p] == t->nops[p])
			continue;
		e->sched[s] = p;
		idx[s] = next[p]++;
		interleave(t, m, c11, e, s + 1, next, idx, res);
		next[p]--;
	}
}

/* Every execution up to equivalence, through the reduction (dpor.h): the
 * final states into out; returns the executions run. */
static unsigned long reduced(const struct litmus *t, struct mt_mem *m, int c11, struct outcomes *out)
{
	static char seq_cst_loc;
	unsigned long runs = 0;
	int more = 1, counted;

	mt_dp_reset(t->nproc);
	while (more) {
		unsigned next[MAXP] = { 0 };
		memset(mem, 0, sizeof(mem));
		memset(regs, 0, sizeof(regs));
		mt_mem_begin(m, c11);
		mt_dp_begin();
		for (;;) {
			unsigned enabled = 0, p, rf;
			for (unsigned q = 0; q < t->nproc; q++)
				if (next[q] < t->nops[q])
					enabled |= 1u << q;
			if (!enabled)
				break;
			CHECK(mt_dp_choose(enabled, 0, &p, &rf) == 0);
			const struct op *o = &t->ops[p][next[p]];
			run_op(m, p, next[p], o, rf);
			next[p]++;
			struct mt_dp_fp fp;
			memset(&fp, 0, sizeof(fp));
			if (o->loc >= 0)
				mt_dp_fp_add(&fp, &mem[o->loc], o->kind != OP_LOAD);
			if (o->order == MT_ACC_SEQ_CST)
				mt_dp_fp_add(&fp, &seq_cst_loc, 1);
			mt_dp_step(&fp, o->kind == OP_LOAD && c11 ? mt_mem_last_allowed(m, p) : 1);
		}
		if (!mt_dp_blocked()) {
			runs++;
			outcome_add(out);
		}
		more = mt_dp_end(0, &counted);
	}
	return runs;
}

static void print_witness(const struct litmus *t, const struct result *res)
{
	const struct exec *e = &res->witness;
	unsigned next[MAXP] = { 0 };

	printf("  reached by:");
	for (unsigned s = 0; s < e->nsteps; s++) {
		unsigned p = e->sched[s];
		const struct op *o = &t->ops[p][next[p]++];
		static const char *kind[] = { "load", "store", "xchg", "fence" };
		printf(" P%u:%s", p, kind[o->kind]);
		if (o->loc >= 0)
			printf(" %s", t->loc_name[o->loc]);
		if (o->kind == OP_LOAD)
			printf("(k=%u)", e->choice[s]);
		printf(";");
	}
	printf("\n  registers:");
	for (unsigned r = 0; r < t->nreg; r++)
		printf(" %s=%u", t->reg_name[r], res->wregs[r]);
	printf("  memory:");
	for (unsigned l = 0; l < t->nloc; l++)
		printf(" %s=%u", t->loc_name[l], res->wmem[l]);
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned files = 0, checks = 0, wrong = 0, differ = 0;
	struct mt_mem *m = mt_mem_new();
	static struct litmus t;

	CHECK(m);
	for (int a = 1; a < argc; a++) {
		parse(&t, argv[a]);
		files++;
		for (int c11 = 0; c11 <= 1; c11++) {
			static struct result res;
			static struct outcomes red;
			memset(&res, 0, sizeof(res));
			memset(&red, 0, sizeof(red));
			struct exec e = { .nsteps = 0 };
			unsigned next[MAXP] = { 0 }, idx[MAXP * MAXOPS];

			for (unsigned p = 0; p < t.nproc; p++)
				e.nsteps += t.nops[p];
			interleave(&t, m, c11, &e, 0, next, idx, &res);
			CHECK(res.executions > 0);
			checks++;
			int ok = res.seen == t.expect[c11];
			wrong += !ok;
			printf("%s %s %s %s (%lu executions)", ok ? "ok" : "WRONG", t.name, model_name[c11],
			       res.seen ? "allowed" : "forbidden", res.executions);
			if (!ok)
				printf(", expected %s", t.expect[c11] ? "allowed" : "forbidden");
			printf("\n");
			if (res.seen && (!ok || getenv("LITMUS_VERBOSE")))
				print_witness(&t, &res);
			unsigned long runs = reduced(&t, m, c11, &red);
			int same = outcomes_same(&res.out, &red);
			differ += !same;
			printf("%s %s %s reduced: %lu executions, %u final states%s\n", same ? "ok" : "DPOR DIFFERS",
			       t.name, model_name[c11], runs, red.n, same ? " (the same)" : "");
			if (!same)
				printf("  naive: %u final states%s\n", res.out.n, res.out.overflow ? " (too many)" : "");
		}
	}
	mt_mem_free(m);
	printf("SUMMARY test=litmus files=%u checks=%u wrong=%u dpor_differs=%u\n", files, checks, wrong, differ);
	if (files == 0)
		fprintf(stderr, "litmus_test: no litmus files given\n");
	return wrong || differ || files == 0;
}
