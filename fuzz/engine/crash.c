/* crash.c - in-process crash recovery (see crash.h). */
#include "fuzz/engine/crash.h"

#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "fuzz/engine/fiber.h"

#if !defined(__x86_64__)
#error "fuzz/engine/crash.c: the fault redirection is written for x86-64 only"
#endif

/* The sanitizer runtime's entry points, when one is linked in (weak: the
 * default build has none; then every pointer is NULL). */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t n) __attribute__((weak));
void __asan_set_error_report_callback(void (*cb)(const char *)) __attribute__((weak));
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));
int __sanitizer_acquire_crash_state(void) __attribute__((weak));
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size) __attribute__((weak));
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old)
	__attribute__((weak));
void __ubsan_get_current_report_data(const char **kind, const char **msg, const char **file, unsigned *line,
                                     unsigned *col, char **addr) __attribute__((weak));
/* clang 14's ASan: the report lock a report leaves held when it does not
 * return (ScopedErrorReportLock::Unlock(), a static member function). */
void mt_crash_asan_unlock(void) __asm__("_ZN11__sanitizer21ScopedErrorReportLock6UnlockEv") __attribute__((weak));
/* ... and the report it is making (ErrorDescription; its first field, the
 * kind, must be back to kErrorKindInvalid (0) for the next report). */
extern uint32_t mt_crash_asan_error __asm__("_ZN6__asan19ScopedInErrorReport14current_error_E")
	__attribute__((weak));
extern uintptr_t mt_crash_asan_reporter __asm__("_ZN11__sanitizer21ScopedErrorReportLock17reporting_thread_E")
	__attribute__((weak));
/* libFuzzer's death callback (dumps the input), which ours replaces. */
void mt_crash_fuzzer_death(void) __asm__("_ZN6fuzzer6Fuzzer19StaticDeathCallbackEv") __attribute__((weak));
/* UBSan's monitor hook (overrides the runtime's weak definition). */
void __ubsan_on_report(void);

static struct mt_crash_guard *top;       /* the innermost guard pushed */
static struct mt_crash last;
static volatile sig_atomic_t busy;       /* describing a crash: a second one is fatal */
static int enabled, late_done;
static unsigned long count;
static struct sigaction old_act[NSIG];
static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
static unsigned char *asan_crash_state;  /* ASan's once-per-process crash flag */
static int asan_declined;                /* an ASan report we let die */
static char ubsan_kind[MT_CRASH_KIND_MAX];
/* The stack at the UBSan report, unwound by the DWARF unwinder (the
 * runtime's frames have no frame pointers; a scan of the stack for return
 * addresses found stale ones: a put called earlier named a division by
 * zero in a get). */
static void *ubsan_pcs[32];
static int ubsan_npcs;
static char exe_path[4096];
static char altstack[256 * 1024];        /* the symbolizer needs more than SIGSTKSZ */
static char description[96];

/* ---- which frames are the implementation's ---- */

void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t n) __attribute__((weak));

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* The sanitizer runtime, the C library's interceptors and the tool itself. */
static int tool_func(const char *f)
{
	static const char *const pre[] = { "__asan", "__ubsan", "__sanitizer", "__interceptor", "___interceptor",
	                                   "__lsan", "__tsan_", "vcpu_main", "mt_sim_", "mt_sched_", "mt_fiber_",
	                                   "mt_crash_", "mt_ix_", "mt_harness_", "mt_campaign_", "LLVMFuzzer",
	                                   "mt_arena_", "mt_mem_" };

	static const char *const ns[] = { "__sanitizer::", "__asan::", "__ubsan::", "__lsan::", "__interception::",
	                                  "fuzzer::" };

	for (unsigned i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (has_prefix(f, pre[i]))
			return 1;
	for (unsigned i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (strstr(f, ns[i]))
			return 1;
	return 0;
}

static int tool_file(const char *file)
{
	static const char *const part[] = { "compiler-rt/", "/sanitizer_common/", "/asan/", "/ubsan/",
	                                    "/fuzzer/Fuzzer", "fuzz/engine/", "fuzz/drivers/", "fuzz/checkers/",
	                                    "fuzz/format/", "fuzz/known/", "fuzz/explore/", "fuzz/triage/",
	                                    "fuzz/instrument/ix", "fuzz/instrument/byo.c",
	                                    "fuzz/instrument/covered.c" };

	if (strstr(file, "crtstuff.c"))
		return 1;                /* what the runtimes' line tables say */
	if (strstr(file, "_test.c"))
		return 0;                /* a test's own implementation */
	for (unsigned i = 0; i < sizeof(part) / sizeof(part[0]); i++)
		if (strstr(file, part[i]))
			return 1;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int main_module(const char *m)
{
	if (!exe_path[0]) {
		ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
		exe_path[n > 0 ? n : 0] = '\0';
	}
	return m && *m && (!strcmp(m, exe_path) || !strcmp(base_name(m), base_name(exe_path)));
}

/* A frame (function, source file or "", module or "") of the implementation? */
static int impl_frame(const char *func, const char *file, const char *module, int symbolizer)
{
	if (!*func || tool_func(func))
		return 0;
	if (*file)
		return !tool_file(file);
	/* No line table: from a symbolizer, the runtimes (the implementation
	 * is built with -g wherever a sanitizer is); from dladdr, the
	 * executable's own code. */
	return !symbolizer && main_module(module);
}

static void set_frame(struct mt_crash *c, const char *func)
{
	/* Cut to the buffer, said as a precision: gcc -O2 warns of the
	 * truncation otherwise (-Werror=format-truncation). */
	snprintf(c->frame, sizeof(c->frame), "%.*s", (int)sizeof(c->frame) - 1,
		 func && *func ? func : "unknown");
}

/* The first frame of the implementation at pcs[] by a sanitizer's
 * symbolizer (line tables: files say what is the tool's): 1 found, 0 not
 * found, -1 no frame named at all (symbolize=0, which afl-fuzz insists
 * on: then dladdr names them, below; every crash of an AFL++ campaign was
 * "unknown" before). */
static int frame_by_symbolizer(struct mt_crash *c, void *const *pcs, unsigned n, int fault)
{
	int named = 0;
	for (unsigned i = 0; i < n; i++) {
		char buf[2048];
		/* it looks up pc-1 (a return address); a fault's pc is the instruction */
		__sanitizer_symbolize_pc((char *)pcs[i] + (i == 0 && fault), "%f\x1f%s\x1f%m", buf, sizeof(buf));
		/* inlined frames first, one NUL-terminated entry each */
		for (char *e = buf; *e; e += strlen(e) + 1) {
			char *f1 = strchr(e, '\x1f'), *f2 = f1 ? strchr(f1 + 1, '\x1f') : NULL;
			if (!f1 || !f2)
				continue;
			*f1 = *f2 = '\0';
			const char *file = f1 + 1;
			if (!strcmp(file, "<null>") || !strcmp(file, "??"))
				file = "";
			if (!strcmp(e, "<null>") || !strcmp(e, "??"))
				continue;
			named = 1;
			if (impl_frame(e, file, f2 + 1, 1)) {
				set_frame(c, e);
				return 1;
			}
		}
	}
	return named ? 0 : -1;
}

/* The same by dladdr (the executable's exported functions). */
static void frame_by_dladdr(struct mt_crash *c, void *const *pcs, unsigned n, int fault)
{
	for (unsigned i = 0; i < n; i++) {
		Dl_info info;
		const ElfW(Sym) *sym = NULL;
		char *at = (char *)pcs[i] - (i == 0 && fault ? 0 : 1);
		if (!dladdr1(at, &info, (void **)&sym, RTLD_DL_SYMENT) || !main_module(info.dli_fname))
			continue;
		const char *name = NULL;
		if (sym && info.dli_sname && at >= (char *)info.dli_saddr && at < (char *)info.dli_saddr + sym->st_size)
			name = info.dli_sname;
		if (!name)
			continue;            /* static, or hidden (a runtime's): the next frame */
		/* a sanitizer's interceptor: exported under the name of the C
		 * library function it wraps (backtrace, free, sigaltstack, ...) */
		if (dlsym(RTLD_NEXT, name))
			continue;
		if (impl_frame(name, "", info.dli_fname, 0)) {
			set_frame(c, name);
			return;
		}
	}
}

/* Frames at pcs[] (innermost first; pcs[0] the faulting instruction if
 * fault, else a return address): the first of the implementation. */
static void frame_of_pcs(struct mt_crash *c, void *const *pcs, unsigned n, int fault)
{
	/* the same fault site again: the same answer, without symbolizing */
	static struct { void *pc[3]; char frame[MT_CRASH_FRAME_MAX]; } memo[64];
	uintptr_t key = 0;
	for (unsigned i = 0; i < n && i < 3; i++)
		key = key * 31u + (uintptr_t)pcs[i];
	unsigned slot = (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 58);
	if (n >= 3 && !memcmp(memo[slot].pc, pcs, sizeof(memo[slot].pc)) && memo[slot].frame[0]) {
		memcpy(c->frame, memo[slot].frame, sizeof(c->frame));
		return;
	}
	set_frame(c, NULL);
	if (!__sanitizer_symbolize_pc || frame_by_symbolizer(c, pcs, n, fault) < 0)
		frame_by_dladdr(c, pcs, n, fault);
	if (n >= 3) {
		memcpy(memo[slot].pc, pcs, sizeof(memo[slot].pc));
		memcpy(memo[slot].frame, c->frame, sizeof(c->frame));
	}
}

/* Return addresses up the frame-pointer chain from bp (at most max).
 * Frames hold ASan's stack redzones: read them unchecked. */
__attribute__((no_sanitize("address", "undefined"))) static unsigned walk_frames(void **pcs, unsigned n, unsigned max, uintptr_t bp, uintptr_t sp)
{
	while (n < max && bp && !(bp & 7) && bp >= sp && bp - sp < (1u << 20)) {
		void **f = (void **)bp;
		if (!f[1])
			break;
		pcs[n++] = f[1];
		sp = bp + 16;
		bp = (uintptr_t)f[0];
	}
	return n;
}

void mt_crash_describe_signal(int sig, void *addr, const void *ucv, struct mt_crash *c)
{
	static const struct { int sig; const char *kind; } kinds[] = {
		{ SIGSEGV, "SEGV" }, { SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGILL, "ILL" }, { SIGABRT, "ABRT" },
	};
	memset(c, 0, sizeof(*c));
	c->sig = sig;
	c->addr = addr;
	snprintf(c->kind, sizeof(c->kind), "signal-%d", sig);
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].sig == sig)
			snprintf(c->kind, sizeof(c->kind), "%s", kinds[i].kind);
	set_frame(c, NULL);
	if (!ucv)
		return;
	const ucontext_t *uc = ucv;
	void *pcs[24];
	pcs[0] = (void *)uc->uc_mcontext.gregs[REG_RIP];
	unsigned n = walk_frames(pcs, 1, 24, (uintptr_t)uc->uc_mcontext.gregs[REG_RBP],
	                         (uintptr_t)uc->uc_mcontext.gregs[REG_RSP]);
	frame_of_pcs(c, pcs, n, 1);
}

/* ---- back to the guard ---- */

static void jump_back(void) __attribute__((noreturn));
static void jump_back(void)
{
	struct mt_crash_guard *g = top;

	count++;
	g->switched = g->in_fiber && *g->in_fiber >= 0;
	/* Leave the VCPU's stack for good: ASan forgets its fake stack. */
	if (g->switched && __sanitizer_start_switch_fiber && g->host)
		__sanitizer_start_switch_fiber(NULL, g->host->bottom, g->host->size);
	siglongjmp(g->jb, 1);
}

/* Where a faulting context resumes: on the stack it faulted on, with the
 * signal mask sigreturn restored. */
static void trampoline(void) __attribute__((noreturn, used));
static void trampoline(void)
{
	jump_back();
}

static void chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *o = &old_act[sig];
	static volatile sig_atomic_t chaining;

	/* Not ours to recover (outside a run, a second fault, kill()): the
	 * handler before ours has it; if it comes back here (libFuzzer calls
	 * the handler it found before it, which may be this one), or there
	 * is none, the default action kills. */
	if (chaining || !((o->sa_flags & SA_SIGINFO) ? o->sa_sigaction != NULL
	                                               : o->sa_handler != SIG_DFL && o->sa_handler != SIG_IGN)) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	chaining = 1;
	int was = busy;
	busy = 1;                        /* no death callback jumps back meanwhile */
	if (o->sa_flags & SA_SIGINFO)
		o->sa_sigaction(sig, si, uc);
	else
		o->sa_handler(sig);
	busy = was;
	chaining = 0;
}

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	/* sent by kill(), not a fault of the code under test */
	if (!top || busy || si->si_code <= 0) {
		chain(sig, si, ucv);
		return;
	}
	busy = 1;
	mt_crash_describe_signal(sig, si->si_addr, ucv, &last);
	ucontext_t *uc = ucv;
	uintptr_t sp = ((uintptr_t)uc->uc_mcontext.gregs[REG_RSP] - 1024) & ~(uintptr_t)15;
	sp -= 8;                         /* as after a call: no return address */
	*(void **)sp = NULL;
	uc->uc_mcontext.gregs[REG_RSP] = (greg_t)sp;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)trampoline;
}

/* "SUMMARY: AddressSanitizer: KIND ..." and the first stack's frames
 * ("    #N 0xPC in FUNC FILE:LINE:COL" or "... in FUNC (MODULE+0xOFF)"). */
static void parse_asan(const char *text, struct mt_crash *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->kind, sizeof(c->kind), "asan");
	set_frame(c, NULL);
	/* The text may begin with earlier UBSan reports: this one is the last. */
	for (const char *e; (e = strstr(text + 1, "ERROR: AddressSanitizer: "));)
		text = e;
	const char *s = strstr(text, "SUMMARY: AddressSanitizer: ");
	if (s) {
		s += strlen("SUMMARY: AddressSanitizer: ");
		size_t n = strcspn(s, " \n");
		if (n && n < sizeof(c->kind))
			snprintf(c->kind, sizeof(c->kind), "%.*s", (int)n, s);
	}
	int in_stack = 0;
	void *pcs[64];                   /* the first stack's pcs, for dladdr */
	unsigned npcs = 0;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), line);
		char *p = buf;
		while (*p == ' ')
			p++;
		if (*p == '#') {
			in_stack = 1;
			char *at = strstr(p, " 0x");
			if (at && npcs < sizeof(pcs) / sizeof(pcs[0]))
				pcs[npcs++] = (void *)(uintptr_t)strtoull(at + 1, NULL, 16);
			char *in = strstr(p, " in ");
			if (in) {
				char *func = in + 4, *loc = strchr(func, ' ');
				if (loc)
					*loc++ = '\0';
				else
					loc = func + strlen(func);
				char file[512] = "", module[512] = "";
				if (*loc == '(') {
					snprintf(module, sizeof(module), "%s", loc + 1);
					module[strcspn(module, "+)")] = '\0';
				} else {
					snprintf(file, sizeof(file), "%s", loc);
					file[strcspn(file, ":")] = '\0';
				}
				if (impl_frame(func, file, module, 1)) {
					set_frame(c, func);
					return;
				}
			}
		} else if (in_stack) {
			break;               /* the first stack ended */
		}
		if (!end)
			break;
		line = end + 1;
	}
	/* No frame named in the text (symbolize=0, as afl-fuzz runs ASan):
	 * the stack's pcs by dladdr. */
	frame_of_pcs(c, pcs, npcs, 0);
}

static void on_asan_report(const char *text)
{
	if (!top || busy || !asan_crash_state || !mt_crash_asan_unlock || !&mt_crash_asan_error) {
		asan_declined = 1;       /* ASan dies as it would have */
		return;
	}
	busy = 1;
	parse_asan(text, &last);
	/* What the report's end (Die) would have left: clear them. */
	*(volatile unsigned char *)asan_crash_state = 0;
	mt_crash_asan_error = 0;
	mt_crash_asan_unlock();
	if (!((uintptr_t)text & 4095))
		munmap((void *)(uintptr_t)text, 1u << 16);   /* the report's copy buffer */
	jump_back();
}

void __ubsan_on_report(void)
{
	const char *kind = NULL, *msg, *file;
	unsigned line, col;
	char *addr;

	if (!__ubsan_get_current_report_data)
		return;
	__ubsan_get_current_report_data(&kind, &msg, &file, &line, &col, &addr);
	snprintf(ubsan_kind, sizeof(ubsan_kind), "%s", kind ? kind : "undefined-behavior");
	ubsan_npcs = top ? backtrace(ubsan_pcs, (int)(sizeof(ubsan_pcs) / sizeof(ubsan_pcs[0]))) : 0;
}

/* A return address: the instruction before it is a call (e8 rel32; ff /2
 * with a register, memory or rip-relative operand). */
/* The executable's code: its r-x mappings (/proc/self/maps, read once). */
static struct { uintptr_t lo, hi; } code[8];
static unsigned ncode;
static int code_read;

static void read_code_ranges(void)
{
	char line[4352], path[4096];
	FILE *f;

	code_read = 1;
	main_module("");
	if (!(f = fopen("/proc/self/maps", "r")))
		return;
	while (ncode < 8 && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perm[8];
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &lo, &hi, perm, path) >= 3 && perm[0] == 'r' &&
		    perm[2] == 'x' && main_module(path)) {
			code[ncode].lo = lo;
			code[ncode].hi = hi;
			ncode++;
		}
	}
	fclose(f);
}

static int in_code(const unsigned char *r)
{
	for (unsigned i = 0; i < ncode; i++)
		if ((uintptr_t)r >= code[i].lo + 8 && (uintptr_t)r < code[i].hi)
			return 1;
	return 0;
}

__attribute__((no_sanitize("address", "undefined"))) static int after_call(const unsigned char *r)
{
	if (!in_code(r))
		return 0;                /* not code of the executable */
	return r[-5] == 0xe8 || (r[-2] == 0xff && (r[-1] & 0x38) == 0x10) ||
	       (r[-3] == 0xff && (r[-2] & 0x38) == 0x10) || (r[-6] == 0xff && (r[-5] & 0x38) == 0x10) ||
	       (r[-7] == 0xff && (r[-6] & 0x38) == 0x10);
}

/* The sanitizer runtime keeps no frame pointers: the words above sp that
 * are return addresses into the executable, innermost first (at most
 * max, within 32 KB). */
__attribute__((no_sanitize("address", "undefined"))) static unsigned scan_frames(void **pcs, unsigned max,
                                                                                  uintptr_t sp)
{
	unsigned n = 0;
	for (uintptr_t a = sp & ~(uintptr_t)7; a < sp + 32768 && n < max; a += 8) {
		void *w = *(void *volatile *)a;
		if (after_call(w))       /* in the executable's code, after a call */
			pcs[n++] = w;
	}
	return n;
}

static void on_death(void)
{
	if (top && !busy && !asan_declined) {
		busy = 1;
		memset(&last, 0, sizeof(last));
		snprintf(last.kind, sizeof(last.kind), "%s", ubsan_kind[0] ? ubsan_kind : "sanitizer");
		void *pcs[32];
		uintptr_t bp = (uintptr_t)__builtin_frame_address(0);
		unsigned n = 0;
		if (ubsan_npcs > 0)      /* a UBSan report: its stack, unwound there */
			frame_of_pcs(&last, ubsan_pcs, (unsigned)ubsan_npcs, 0);
		ubsan_npcs = 0;
		if (!last.frame[0] || !strcmp(last.frame, "unknown")) {
			n = walk_frames(pcs, 0, 32, bp, bp);
			frame_of_pcs(&last, pcs, n, 0);
		}
		if (!strcmp(last.frame, "unknown")) {
			n = scan_frames(pcs, 32, bp);
			frame_of_pcs(&last, pcs, n < 3 ? n : 2, 0);   /* n < 3: not memoized */
			for (unsigned i = 0; i < n && !strcmp(last.frame, "unknown"); i++)
				frame_of_pcs(&last, pcs + i, 1, 0);
		}
		ubsan_kind[0] = '\0';
		/* UBSan with halt_on_error=1 dies inside its report, holding
		 * the report lock: release it as after an ASan report. */
		if (&mt_crash_asan_reporter && mt_crash_asan_unlock &&
		    __atomic_load_n(&mt_crash_asan_reporter, __ATOMIC_RELAXED) == (uintptr_t)pthread_self())
			mt_crash_asan_unlock();
		jump_back();
	}
	if (mt_crash_fuzzer_death)
		mt_crash_fuzzer_death();
}

/* clang 14: __sanitizer_acquire_crash_state is "mov $1,%cl; xchg
 * %cl,flag(%rip); ...": the flag's address from the xchg. */
static unsigned char *find_asan_crash_state(void)
{
	const unsigned char *f = (const unsigned char *)(uintptr_t)__sanitizer_acquire_crash_state;

	if (!f || f[0] != 0xb1 || f[1] != 0x01 || f[2] != 0x86 || f[3] != 0x0d)
		return NULL;
	int32_t rel;
	memcpy(&rel, f + 4, sizeof(rel));
	return (unsigned char *)(uintptr_t)(f + 8 + rel);
}

static void install_signals(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
	sigaltstack(&ss, NULL);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa, cur;
		sigaction(sigs[i], NULL, &cur);
		if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_signal)
			continue;
		old_act[sigs[i]] = cur;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

const char *mt_crash_recovery(void)
{
	if (enabled)
		return description;
	enabled = 1;
	read_code_ranges();              /* the executable's path and code, now */
	/* The handlers are installed at the first guarded run, after the
	 * fuzzing engine installed its own (theirs are then chained). */
	if (__asan_set_error_report_callback) {
		asan_crash_state = find_asan_crash_state();
		if (asan_crash_state && mt_crash_asan_unlock && &mt_crash_asan_error)
			__asan_set_error_report_callback(on_asan_report);
	}
	snprintf(description, sizeof(description), "signals%s%s",
	         !__asan_set_error_report_callback ? ""
	         : asan_crash_state && mt_crash_asan_unlock && &mt_crash_asan_error ? ", ASan reports"
	                                                                              : ", not ASan reports (unknown runtime)",
	         __sanitizer_set_death_callback ? ", UBSan reports" : "");
	return description;
}

int mt_crash_recovery_on(void)
{
	return enabled;
}

void mt_crash_push(struct mt_crash_guard *g)
{
	if (!late_done) {
		/* After the fuzzing engine set its own handlers (libFuzzer does
		 * after LLVMFuzzerInitialize): ours first, theirs chained. */
		late_done = 1;
		install_signals();
		if (__sanitizer_set_death_callback)
			__sanitizer_set_death_callback(on_death);
	}
	g->outer = top;
	g->switched = 0;
	top = g;
}

void mt_crash_pop(struct mt_crash_guard *g)
{
	top = g->outer;
}

void mt_crash_landed(struct mt_crash_guard *g)
{
	if (g->switched && __sanitizer_finish_switch_fiber && g->host)
		__sanitizer_finish_switch_fiber(g->host->fake_stack, NULL, NULL);
	g->switched = 0;
	asan_declined = 0;
	busy = 0;
}

const struct mt_crash *mt_crash_last(void)
{
	return &last;
}

unsigned long mt_crash_count(void)
{
	return count;
}

void mt_crash_signature(const struct mt_crash *c, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "crash:%s:%s", c->kind[0] ? c->kind : "unknown",
	                            c->frame[0] ? c->frame : "unknown");
	unsigned colons = 0;
	for (size_t i = 0; i < n && i < cap && buf[i]; i++) {
		char ch = buf[i];
		if (ch == ':' && colons < 2) {
			colons++;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '.' || ch == '-'))
			buf[i] = '_';
	}
}
