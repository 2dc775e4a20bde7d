/* blind.c - see blind.h. */
#include "fuzz/instrument/blind.h"

#include <ctype.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/format/input.h"

#define BLIND_KINDS 4u

struct blind_fn {
	uintptr_t start, size;      /* file address (without the load bias) */
	const char *name;           /* in the mapped symbol string table */
	int instrumented, candidate;
	unsigned nkinds, count[BLIND_KINDS];
	char what[BLIND_KINDS][48];
};

static struct blind_fn *fns;
static size_t nfns;
static int symbols_read;
static unsigned nr_blind, nr_unconfirmed;
static unsigned long scan_us;
static char objdump_problem[200];

unsigned mt_blind_nr(void) { return nr_blind; }
unsigned long mt_blind_scan_us(void) { return scan_us; }

static int by_start(const void *a, const void *b)
{
	const struct blind_fn *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* The executable's function symbols (.symtab; the file stays mapped:
 * names point into it). */
static int read_symbols(void)
{
	if (symbols_read++)
		return nfns ? 0 : -1;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	const uint8_t *f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f == MAP_FAILED)
		return -1;
	size_t size = (size_t)st.st_size;
	const Elf64_Ehdr *eh = (const void *)f;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
		return -1;
	const Elf64_Shdr *sh = (const void *)(f + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *strs = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > size || strs->sh_offset + strs->sh_size > size)
			return -1;
		const Elf64_Sym *sym = (const void *)(f + sh[i].sh_offset);
		size_t n = sh[i].sh_size / sizeof(*sym);
		fns = calloc(n + 1, sizeof(*fns));
		if (!fns)
			return -1;
		for (size_t k = 0; k < n; k++) {
			if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_size ||
			    sym[k].st_shndx == SHN_UNDEF || sym[k].st_name >= strs->sh_size)
				continue;
			fns[nfns++] = (struct blind_fn){ .start = sym[k].st_value, .size = sym[k].st_size,
			                                 .name = (const char *)(f + strs->sh_offset + sym[k].st_name) };
		}
		qsort(fns, nfns, sizeof(*fns), by_start);
		return 0;
	}
	return -1;
}

static struct blind_fn *fn_at(uintptr_t a)
{
	size_t lo = 0, hi = nfns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (fns[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || a >= fns[lo - 1].start + fns[lo - 1].size)
		return NULL;
	return &fns[lo - 1];
}

static int lockable(const uint8_t *b, const uint8_t *end)
{
	if (b < end && *b == 0x66)
		b++;
	if (b < end && (*b & 0xf0) == 0x40)
		b++;                            /* REX */
	if (b + 1 >= end)
		return 0;
	uint8_t op = b[0], mod = b[1] >> 6;
	if (op == 0x0f) {
		if (b + 2 >= end)
			return 0;
		op = b[1];
		mod = b[2] >> 6;
		return mod != 3 && (op == 0xb0 || op == 0xb1 || op == 0xc0 || op == 0xc1 || op == 0xc7 ||
		                    op == 0xab || op == 0xb3 || op == 0xbb || op == 0xba);
	}
	return mod != 3 && ((op < 0x40 && (op & 7) < 2) || op == 0x80 || op == 0x81 || op == 0x83 ||
	                    op == 0x86 || op == 0x87 || op == 0xf6 || op == 0xf7 || op == 0xfe || op == 0xff);
}

/* Could [b, end) hold a lock-prefixed instruction, an xchg with memory, a
 * fence or cmpxchg8b/16b?  (A byte match: llvm-objdump confirms.)  Reads
 * code ASan may see as poisoned (global redzones in executable segments). */
/* The bytes at b are a call or jump with a 32-bit displacement whose
 * target is a function's first byte or inside this function [lo, end):
 * its length (5 or 6), else 0.  (The displacement bytes are not
 * instructions: a 0xf0 there is no lock prefix.  A stray 0xe8 whose
 * displacement lands exactly on such a target is rare; skipping it could
 * only hide a match in the next 4 bytes.) */
__attribute__((no_sanitize("address")))
static unsigned branch_len(const uint8_t *b, const uint8_t *lo, const uint8_t *end, uintptr_t bias)
{
	unsigned len;

	if (b[0] == 0xe8 || b[0] == 0xe9)
		len = 5;
	else if (b[0] == 0x0f && b + 1 < end && (b[1] & 0xf0) == 0x80)
		len = 6;
	else
		return 0;
	if (b + len > end)
		return 0;
	const uint8_t *d = b + len - 4;
	int32_t rel = (int32_t)((uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24);
	uintptr_t target = (uintptr_t)(b + len) + (uintptr_t)(intptr_t)rel;
	if (target >= (uintptr_t)lo && target < (uintptr_t)end)
		return len;
	if (len == 6)
		return 0;
	const struct blind_fn *f = fn_at(target - bias);
	return f && f->start == target - bias ? len : 0;
}

__attribute__((no_sanitize("address")))
static int candidate(const uint8_t *b, const uint8_t *end, uintptr_t bias)
{
	const uint8_t *lo = b;

	for (; b < end; b++) {
		unsigned skip = branch_len(b, lo, end, bias);
		if (skip) {
			b += skip - 1;
			continue;
		}
		if (*b == 0xf0 && lockable(b + 1, end))
			return 1;
		if ((*b == 0x86 || *b == 0x87) && b + 1 < end && b[1] >> 6 != 3)
			return 1;
		if (*b == 0x0f && b + 2 < end && b[1] == 0xae && (b[2] == 0xf0 || b[2] == 0xe8 || b[2] == 0xf8))
			return 1;
		if (*b == 0x0f && b + 2 < end && b[1] == 0xc7 && b[2] >> 6 != 3 && ((b[2] >> 3) & 7) == 1)
			return 1;
	}
	return 0;
}

static const char *objdump_path(void)
{
	static const char *const known[] = {
		"/usr/bin/llvm-objdump-14", "/usr/lib/llvm-14/bin/llvm-objdump",
	};
	const char *env = getenv("MT_IX_OBJDUMP");

	if (env && *env)
		return env;
	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (access(known[i], X_OK) == 0)
			return known[i];
	return "llvm-objdump";
}

static void note(struct blind_fn *fn, const char *what)
{
	unsigned k;

	for (k = 0; k < fn->nkinds; k++)
		if (!strcmp(fn->what[k], what))
			break;
	if (k == fn->nkinds) {
		if (k == BLIND_KINDS)
			k--;                        /* the last kind counts the rest */
		else
			snprintf(fn->what[fn->nkinds++], sizeof(fn->what[0]), "%s", what);
	}
	fn->count[k]++;
}

/* One llvm-objdump run over the candidate functions: count what it
 * confirms.  0 ran, -1 could not. */
static int confirm(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	size_t cap = 256 + strlen(exe), len = 0;
	for (size_t i = 0; i < nfns; i++)
		if (fns[i].candidate)
			cap += strlen(fns[i].name) + 1;
	char *cmd = malloc(cap);
	if (!cmd)
		return -1;
	len = (size_t)snprintf(cmd, cap, "'%s' -d --no-show-raw-insn --disassemble-symbols=", objdump_path());
	for (size_t i = 0; i < nfns; i++) {
		if (!fns[i].candidate || strchr(fns[i].name, '\''))
			continue;
		len += (size_t)snprintf(cmd + len, cap - len, "%s%s", cmd[len - 1] == '=' ? "" : ",", fns[i].name);
	}
	snprintf(cmd + len, cap - len, " '%s' 2>/dev/null", exe);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	char line[512];
	struct blind_fn *cur = NULL;
	int lock = 0, lines = 0;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a;
		char c;
		if (sscanf(line, "%llx <%*[^>]>%c", &a, &c) == 2 && c == ':') {
			struct blind_fn *f = fn_at((uintptr_t)a);
			cur = f && f->start == a && f->candidate ? f : NULL;   /* a same-named other function: not ours */
			lock = 0;
			lines++;
			continue;
		}
		char *colon = strchr(line, ':');
		if (!cur || !colon || line[0] != ' ')
			continue;
		char mn[32] = "", ops[256] = "";
		if (sscanf(colon + 1, " %31s %255[^\n]", mn, ops) < 1)
			continue;
		if (!strcmp(mn, "lock")) {
			lock = 1;
			if (!ops[0])
				continue;
			if (sscanf(ops, "%31s %255[^\n]", mn, ops) < 1)
				continue;
		}
		char what[48] = "";
		if (lock)
			snprintf(what, sizeof(what), "lock %s", mn);
		else if (!strncmp(mn, "xchg", 4) && strchr(ops, '('))
			snprintf(what, sizeof(what), "%s (memory)", mn);
		else if (!strcmp(mn, "mfence") || !strcmp(mn, "lfence") || !strcmp(mn, "sfence") ||
		         !strncmp(mn, "cmpxchg8b", 9) || !strncmp(mn, "cmpxchg16b", 10))
			snprintf(what, sizeof(what), "%s", mn);
		lock = 0;
		if (what[0])
			note(cur, what);
	}
	int rc = pclose(p);
	return rc == 0 && lines ? 0 : -1;
}

void mt_blind_scan(const uintptr_t *pcs, size_t n, uintptr_t bias)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (n && read_symbols() == 0) {
		size_t cands = 0;
		for (size_t i = 0; i < n; i++) {
			struct blind_fn *f = fn_at(pcs[i] - 1 - bias);
			if (f && !f->instrumented) {
				f->instrumented = 1;
				const uint8_t *b = (const uint8_t *)(f->start + bias);
				f->candidate = candidate(b, b + f->size, bias);
				cands += (size_t)f->candidate;
				if (f->candidate && getenv("MT_IX_BLIND_DEBUG"))
					fprintf(stderr, "ix: blind-spot candidate: %s\n", f->name);
			}
		}
		if (cands && confirm() < 0) {
			snprintf(objdump_problem, sizeof(objdump_problem),
			         "%zu instrumented function(s) may hold atomic instructions, but %s could not "
			         "disassemble them (install llvm-14: tools/setup, or set MT_IX_OBJDUMP)",
			         cands, objdump_path());
			nr_unconfirmed = (unsigned)cands;
		}
		for (size_t i = 0; i < nfns; i++)
			nr_blind += fns[i].nkinds != 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	scan_us = (unsigned long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
}

void mt_blind_print(FILE *out, const char *prefix)
{
	if (nr_blind)
		fprintf(out, "%sBLIND SPOT: %u instrumented function(s) make atomic or fence instructions the "
		        "toolkit cannot see (inline assembly: no schedule point there, interleavings at them are "
		        "never tried):\n", prefix, nr_blind);
	for (size_t i = 0; i < nfns; i++) {
		if (!fns[i].nkinds)
			continue;
		fprintf(out, "%s  %s:", prefix, fns[i].name);
		for (unsigned k = 0; k < fns[i].nkinds; k++)
			fprintf(out, "%s %u x %s", k ? "," : "", fns[i].count[k], fns[i].what[k]);
		fprintf(out, "\n");
	}
	if (nr_blind)
		fprintf(out, "%s  build the library with compiler builtins (docs/bring-your-own.md, \"Inline "
		        "assembly\": CK_USE_CC_BUILTINS, liburcu's generic uatomic), or accept it with "
		        "allow_asm = True in freelist_fuzz_suite (MT_IX_ASM=allow)\n", prefix);
	if (objdump_problem[0])
		fprintf(out, "%s%s\n", prefix, objdump_problem);
}

/* ---- calls from code the scan did not find ---- */

void mt_blind_describe(uintptr_t pc, uintptr_t bias, char *id, size_t idcap, char *text, size_t cap)
{
	uintptr_t a = pc - 1;        /* inside the call instruction */
	struct blind_fn *f = read_symbols() == 0 ? fn_at(a - bias) : NULL;
	Dl_info di;

	if (f) {
		snprintf(text, cap, "%s+%#lx (the executable's code, not instrumented: no line)", f->name,
		         (unsigned long)(pc - bias - f->start));
		snprintf(id, idcap, "exe.%s.%lx", f->name, (unsigned long)(pc - bias - f->start));
	} else if (dladdr((void *)a, &di) && di.dli_fname) {
		const char *obj = strrchr(di.dli_fname, '/');
		obj = obj ? obj + 1 : di.dli_fname;
		if (di.dli_sname && di.dli_saddr) {
			snprintf(text, cap, "%s+%#lx in %s (a library, not instrumented)", di.dli_sname,
			         (unsigned long)(pc - (uintptr_t)di.dli_saddr), obj);
			snprintf(id, idcap, "%s.%s.%lx", obj, di.dli_sname, (unsigned long)(pc - (uintptr_t)di.dli_saddr));
		} else {
			snprintf(text, cap, "%#lx in %s (a library, not instrumented)",
			         (unsigned long)(pc - (uintptr_t)di.dli_fbase), obj);
			snprintf(id, idcap, "%s.%lx", obj, (unsigned long)(pc - (uintptr_t)di.dli_fbase));
		}
	} else {
		snprintf(text, cap, "unscanned code at pc %#lx", (unsigned long)pc);
		snprintf(id, idcap, "pc_%lx", (unsigned long)pc);
	}
	for (char *c = id; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
			*c = '_';
}

/* ---- operations that pass no schedule point ---- */

/* Per run: how many gets and legit puts returned, and how many of them
 * passed a schedule point. */
static struct { unsigned ops[2], with_points[2]; int told[2]; } blind_ops;

static void blind_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	(void)ctx;
	(void)sim;
	(void)v;
	int k = op->kind == MT_OP_GET ? 0 : (op->kind == MT_OP_PUT_OWN || op->kind == MT_OP_PUT_OTHER) && op->legit ? 1 : -1;
	if (k < 0 || op->epilogue)
		return;
	blind_ops.ops[k]++;
	blind_ops.with_points[k] += op->points != 0;
}

static void blind_end(void *ctx, struct mt_sim *sim)
{
	static const char *const name[2] = { "get", "put" };

	(void)ctx;
	(void)sim;
	for (int k = 0; k < 2; k++) {
		if (blind_ops.ops[k] >= MT_BLIND_OPS && !blind_ops.with_points[k] && !blind_ops.told[k]) {
			blind_ops.told[k] = 1;
			fprintf(stderr, "ix: BLIND SPOT: your %s touched no shared memory the toolkit can see "
			        "(%u calls in one run, no schedule point in any): is it built by the macro "
			        "(freelist_fuzz_suite srcs), not a library linked in or inline assembly? "
			        "(docs/bring-your-own.md, \"Inline assembly\")\n", name[k], blind_ops.ops[k]);
			const char *policy = getenv("MT_IX_ASM");
			if (policy && !strcmp(policy, "fail")) {
				fprintf(stderr, "ix: MT_IX_ASM=fail: exit 2\n");
				exit(2);
			}
		}
		blind_ops.ops[k] = blind_ops.with_points[k] = 0;
	}
}

const struct mt_sim_observer mt_ix_observer = {
	.name = "ix-blind",
	.op_returned = blind_returned,
	.end = blind_end,
};
