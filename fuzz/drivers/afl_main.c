/*
 * afl_main.c - AFL++ persistent-mode driver for the libFuzzer target
 * (fuzz/drivers/libfuzzer_main.c: LLVMFuzzerInitialize / LLVMFuzzerTestOneInput,
 * the one harness).  Built by tools/afl through .clusterfuzzlite/build.sh
 * (MT_DRIVER_SRC) with afl-clang-fast; never by Bazel.
 *
 * What it adds over AFL++'s own libFuzzer driver (-fsanitize=fuzzer):
 *   - persistent mode with shared-memory test cases (__AFL_LOOP,
 *     __AFL_FUZZ_TESTCASE_BUF), deferred fork server after initialization;
 *   - a leak check after every input when built with AFL_USE_LSAN=1
 *     (__AFL_LEAK_CHECK: LeakSanitizer's recoverable check; a leak exits
 *     23, which afl-fuzz counts as a crash), not only at process exit.
 *     As libFuzzer does (-detect_leaks), the costly whole-heap scan runs
 *     only after an input whose mallocs and frees do not balance (counted
 *     by sanitizer malloc/free hooks): every input that leaks a block it
 *     allocated is checked; MT_AFL_LEAK_CHECK=every scans after every input;
 *   - AFL++'s map kept as the input left it across the re-runs that name a
 *     finding (fuzz/known/root_cause.h), as libFuzzer's counters are;
 *   - the simulator's interleaving-pair counters (MT_PAIR_COVERAGE, which
 *     AFL++ 4.04c does not read from libFuzzer's extra-counters section)
 *     copied into AFL++'s coverage map: 4096 extra map entries, numbered
 *     by AFL's own runtime like any instrumented edge.
 *
 * Outside afl-fuzz: `afl_driver FILE...` runs each file once (exit 1 at
 * the first finding); with no argument, one input from stdin.
 *
 * Known findings (MT_KNOWN, MT_CONTINUE, MT_FINDINGS_DIR: fuzz/drivers/harness.h, "fuzzing campaigns")
 * work here unchanged: persistent mode goes on after an oracle finding,
 * and every instance saves new signatures into the one findings folder.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __AFL_LEAK_CHECK
#include <sanitizer/allocator_interface.h>
#endif


#ifndef __AFL_FUZZ_TESTCASE_LEN
#error "fuzz/drivers/afl_main.c must be compiled with afl-clang-fast (AFL++)"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The interleaving-pair counters of libfuzzer_main.c. */
#define PAIRS 4096u
extern uint8_t *mt_fuzz_pairs;

/* AFL++'s runtime (afl-compiler-rt): the coverage map and the guard
 * numbering of SanitizerCoverage's trace-pc-guard. */
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);

/* The map pointer __afl_area_ptr, loaded in assembly: AFL's
 * instrumentation pass declares its own __afl_area_ptr in every module and
 * would rename a C declaration of ours (an undefined "__afl_area_ptr.N"). */
static uint8_t *afl_map(void)
{
	uint8_t *p;

	__asm__ volatile("movq __afl_area_ptr(%%rip), %0" : "=r"(p));
	return p;
}
/* Its size (afl-compiler-rt's __afl_map_size), loaded the same way. */
static size_t afl_map_size(void)
{
	uint32_t n;

	__asm__ volatile("movl __afl_map_size(%%rip), %0" : "=r"(n));
	return n;
}

/* The map for the naming's re-runs to leave as the input left it
 * (fuzz/known/root_cause.h).  Weak: a target without the harness (the
 * probe of //tools/lib:afl_leak_test) has no naming. */
void mt_root_set_cov_map(uint8_t *(*map)(size_t *size)) __attribute__((weak));

static uint8_t *naming_map(size_t *size)
{
	*size = afl_map_size();
	return afl_map();
}

/* One map entry per interleaving pair, numbered at start-up (before the
 * fork server reports the map size). */
static uint32_t pair_guard[PAIRS];

/* Priority 1: right after the instrumented modules' own guard
 * initialization (sancov module constructors, priority 2 is theirs... and
 * AFL's runtime set-up), before AFL's runtime reports the map size at the
 * first fork server / AFL_DUMP_MAP_SIZE request. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wprio-ctor-dtor"
__attribute__((constructor(1))) static void pair_guards_init(void)
{
	__sanitizer_cov_trace_pc_guard_init(pair_guard, pair_guard + PAIRS);
}
#pragma clang diagnostic pop

static void pairs_to_map(uint8_t *counters)
{
	uint8_t *map = afl_map();
	const uint64_t *w = (const uint64_t *)(void *)counters;

	for (unsigned i = 0; i < PAIRS / 8; i++) {
		if (!w[i])
			continue;
		for (unsigned j = i * 8; j < i * 8 + 8; j++) {
			unsigned c = counters[j];
			uint32_t g = pair_guard[j];
			if (c && g && map) {
				unsigned v = map[g] + c;
				map[g] = (uint8_t)(v > 255 ? 255 : v);
			}
		}
	}
	memset(counters, 0, PAIRS);
}

#ifdef __AFL_LEAK_CHECK
/* Mallocs and frees of the running input (the harness is one thread). */
static volatile size_t n_malloc, n_free;
static int leak_check_every;

static void count_malloc(const volatile void *p, size_t size)
{
	(void)p;
	(void)size;
	n_malloc++;
}

static void count_free(const volatile void *p)
{
	(void)p;
	n_free++;
}

static void leak_check_setup(void)
{
	const char *e = getenv("MT_AFL_LEAK_CHECK");

	leak_check_every = e && !strcmp(e, "every");
	if (!leak_check_every && !__sanitizer_install_malloc_and_free_hooks(count_malloc, count_free))
		leak_check_every = 1;   /* no hooks: scan after every input */
}
#endif

static void run_one(const uint8_t *data, size_t size)
{
	uint8_t *pairs = mt_fuzz_pairs;
#ifdef __AFL_LEAK_CHECK
	size_t m0 = n_malloc, f0 = n_free;
#endif

	LLVMFuzzerTestOneInput(data, size);   /* abort()s on a finding, unless MT_KNOWN / MT_CONTINUE */
	if (pairs)
		pairs_to_map(pairs);
#ifdef __AFL_LEAK_CHECK
	if (leak_check_every || n_malloc - m0 != n_free - f0)
		__AFL_LEAK_CHECK();
#endif
}

static int run_files(int argc, char **argv)
{
	static uint8_t buf[1 << 20];

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			fprintf(stderr, "afl_driver: cannot open %s\n", argv[i]);
			return 2;
		}
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		fprintf(stderr, "afl_driver: running %s (%zu bytes)\n", argv[i], n);
		run_one(buf, n);
	}
	fprintf(stderr, "afl_driver: %d file(s) clean\n", argc - 1);
	return 0;
}

__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	if (mt_root_set_cov_map)
		mt_root_set_cov_map(naming_map);
#ifdef __AFL_LEAK_CHECK
	leak_check_setup();
#endif
	if (mt_fuzz_pairs)
		memset(mt_fuzz_pairs, 0, PAIRS);
	if (argc > 1 && !getenv("__AFL_SHM_ID"))
		return run_files(argc, argv);

	__AFL_INIT();
	uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000)) {
		size_t len = __AFL_FUZZ_TESTCASE_LEN;
		run_one(buf, len);
	}
	return 0;
}
