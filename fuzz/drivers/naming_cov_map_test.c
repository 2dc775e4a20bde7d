/*
 * naming_cov_map_test.c - a driver's own coverage map (AFL++'s, given by
 * afl_main.c through mt_root_set_cov_map) comes out of a finding's naming
 * as the input's run left it: the naming re-runs the program many times
 * (shrinking), and without the save and restore a failing input lit their
 * edges only on its first run (a program named before is not re-run):
 * AFL++ measured 51% stability on b3-double-put, 92% with it.
 *
 * The "map" here is written by the implementation itself: b3-double-put
 * with a get that bumps the next map byte, as instrumented code would.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/known/root_cause.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	exit(1); } } while (0)

static uint8_t map[64];
static unsigned gets;
static const struct mt_ops *b3;
static struct mt_ops counting;

static uint8_t *the_map(size_t *size)
{
	*size = sizeof(map);
	return map;
}

static int counting_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	map[gets++ % sizeof(map)]++;
	return b3->get(t, vcpu, out);
}

/* The program's run, its map, then its naming: whether the map is back. */
static int map_kept(struct mt_harness *h, const struct mt_program *p, unsigned *reruns)
{
	uint8_t after_run[sizeof(map)];

	memset(map, 0, sizeof(map));
	gets = 0;
	CHECK(mt_harness_run_program(h, p, NULL) == 1);
	memcpy(after_run, map, sizeof(map));
	unsigned g = gets;
	CHECK(mt_harness_classify(h, NULL) == MT_VERDICT_NEW);
	*reruns = gets - g;
	printf("signature %s after %u gets of naming re-runs\n", h->sig, *reruns);
	return !memcmp(after_run, map, sizeof(map));
}

int main(void)
{
	static struct mt_program p;
	char err[256];
	unsigned reruns;

	b3 = mt_harness_impl("b3-double-put");
	CHECK(b3);
	counting = *b3;
	counting.get = counting_get;
	struct mt_harness *h = mt_harness_new(&counting);
	CHECK(h);
	CHECK(mt_harness_parse(h, "vcpus 1\nper_page 2\nmax_frames 1\nv0 get\nv0 put-bad bad=double\n"
	                          "v0 get\nv0 get\n", &p, err, sizeof(err)) == 0);

	/* Without the driver's map registered, the naming lights it (the
	 * check that the test sees the re-runs at all). */
	CHECK(!map_kept(h, &p, &reruns));
	CHECK(reruns > 0);

	/* With it, the map is as the run left it.  (The program was named
	 * above and is remembered: a second program for the first naming.) */
	mt_root_set_cov_map(the_map);
	CHECK(mt_harness_parse(h, "vcpus 1\nper_page 2\nmax_frames 1\nv0 get\nv0 get\nv0 put-bad bad=double\n"
	                          "v0 get\n", &p, err, sizeof(err)) == 0);
	CHECK(map_kept(h, &p, &reruns));
	CHECK(reruns > 0);
	mt_root_set_cov_map(NULL);
	mt_harness_free(h);
	printf("naming_cov_map_test: ok\n");
	return 0;
}
