/*
 * crash_kinds_test.c - every kind of crash is a finding, the process goes
 * on, and each run after a crash starts clean (fuzz/engine/crash.h).
 *
 * "test-crashing" is production with a get that crashes when its record's
 * argument asks (arg 1: a store to an unmapped page; arg 2: a division by
 * zero, SIGFPE, or UBSan's integer-divide-by-zero report under UBSan; under
 * ASan, arg 3: a read after free, arg 4: a double free).  Each kind runs
 * 25 times, between clean runs of the same context: every crash must be a
 * finding named crash:KIND:FRAME with FRAME the crashing function, and
 * every clean run clean (the VCPU stacks, ASan's report lock and its crash
 * state are as before the crash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/engine/crash.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

/* Global and not inlined: the frame a signature names (dladdr sees it). */
int test_crash_store(void) __attribute__((noinline));
int test_crash_divide(int by) __attribute__((noinline));
int test_crash_read_freed(void) __attribute__((noinline));
int test_crash_free_twice(void) __attribute__((noinline));

int test_crash_store(void)
{
	*(volatile int *)(uintptr_t)16 = 1;
	return 0;
}

int test_crash_divide(int by)
{
	volatile int n = 7, d = by;
	return n / d;
}

int test_crash_read_freed(void)
{
	int *volatile p = malloc(sizeof(int));
	CHECK(p);
	*p = 1;
	free(p);
	return *p;
}

int test_crash_free_twice(void)
{
	void *volatile p = malloc(16);
	free(p);
	free(p);
	return 0;
}

static int crashing_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	struct mt_sim *sim = mt_sim_active();
	struct mt_sim_op *op = sim ? mt_sim_op_of(sim, vcpu) : NULL;
	switch (op ? op->arg : 0) {
	case 1:
		test_crash_store();
		break;
	case 2:
		test_crash_divide(0);
		break;
	case 3:
		test_crash_read_freed();
		break;
	case 4:
		test_crash_free_twice();
		break;
	}
	return mt_ops_production.get(t, vcpu, out);
}

static struct mt_ops crashing_ops;

__attribute__((constructor(101))) static void crashing_init(void)
{
	crashing_ops = mt_ops_production;
	crashing_ops.name = "test-crashing";
	crashing_ops.summary = "production with a get that crashes on request (a test of crash recovery)";
	crashing_ops.get = crashing_get;
}
MT_REGISTER_IMPL(crashing_ops, 2, NULL)

static void run(struct mt_harness *h, unsigned arg, const char *kind, const char *alt, const char *frame)
{
	static struct mt_program p;
	char text[128], err[256], want[128], want2[128];

	snprintf(text, sizeof(text), "vcpus 2\nv0 get\nv1 get arg=%u\nv0 get\n", arg);
	CHECK(mt_harness_parse(h, text, &p, err, sizeof(err)) == 0);
	int rc = mt_harness_run_program(h, &p, NULL);
	if (!kind) {
		CHECK(rc == 0);
		return;
	}
	CHECK(rc == 1);
	CHECK(mt_harness_classify(h, NULL) == MT_VERDICT_NEW);
	snprintf(want, sizeof(want), "crash:%s:%s", kind, frame);
	snprintf(want2, sizeof(want2), "crash:%s:%s", alt, frame);
	if (strcmp(h->sig, want) && strcmp(h->sig, want2)) {
		fprintf(stderr, "signature %s, want %s or %s (finding: %s)\n", h->sig, want, want2,
		        mt_harness_finding(h));
		abort();
	}
}

int main(void)
{
	const char *what = mt_harness_recover_crashes();
	struct mt_harness *h = mt_harness_new(mt_harness_impl("test-crashing"));
	unsigned kinds = 0;

	for (unsigned i = 0; i < 25; i++) {
		run(h, 0, NULL, NULL, NULL);
		run(h, 1, "SEGV", "SEGV", "test_crash_store");
		run(h, 0, NULL, NULL, NULL);
		run(h, 2, "FPE", "integer-divide-by-zero", "test_crash_divide");
#ifdef HAVE_ASAN
		run(h, 0, NULL, NULL, NULL);
		run(h, 3, "heap-use-after-free", "heap-use-after-free", "test_crash_read_freed");
		run(h, 0, NULL, NULL, NULL);
		run(h, 4, "double-free", "double-free", "test_crash_free_twice");
#endif
	}
	kinds = 2;
#ifdef HAVE_ASAN
	kinds = 4;
#endif
	CHECK(mt_crash_count() == 25u * kinds);
	mt_harness_free(h);
	printf("SUMMARY test=crash_kinds recovered=%lu kinds=%u (%s)\n", mt_crash_count(), kinds, what);
	return 0;
}
