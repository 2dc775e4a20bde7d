/*
 * arena_test.c - the simulator's page arena (fuzz/sim.c) still catches
 * what calloc/free under AddressSanitizer caught: a page freed twice is a
 * finding ("page") in every build; under ASan a use of a page after
 * free_page() and a read past the end of a page kill the run
 * (use-after-poison).  A control run that uses its page correctly is clean,
 * so the death tests cannot pass on a run that dies for another reason.
 *
 * The implementation under test is a stub table whose put (a hostile put of
 * an out-of-range handle, which it refuses as it must) plays one page game.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/drivers/harness.h"
#include "lib/mt_internal.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(ARENA_TEST_ASAN)
#define ARENA_TEST_ASAN 1
#endif

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

enum game { G_CLEAN, G_DOUBLE_FREE, G_USE_AFTER_FREE, G_OVERFLOW };
static enum game game;

#define PAGE_BYTES 64u

static int stub_create(const struct mt_config *cfg, struct mt_table **out);

static void stub_destroy(struct mt_table *t)
{
	free(t);
}

static int stub_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	(void)t, (void)vcpu, (void)out;
	return MT_ERR_NOSPACE;
}

static int stub_put(struct mt_table *t, unsigned vcpu, mt_handle_t h)
{
	(void)vcpu, (void)h;
	const struct mt_allocator *a = &t->cfg.alloc;
	volatile unsigned char *p = a->alloc_page(a->ctx, PAGE_BYTES);

	CHECK(p);
	for (unsigned i = 0; i < PAGE_BYTES; i++)
		CHECK(p[i] == 0);    /* pages come zeroed */
	p[0] = 1;
	p[PAGE_BYTES - 1] = 1;
	switch (game) {
	case G_CLEAN:
		a->free_page(a->ctx, (void *)p);
		break;
	case G_DOUBLE_FREE:
		a->free_page(a->ctx, (void *)p);
		a->free_page(a->ctx, (void *)p);
		break;
	case G_USE_AFTER_FREE:
		a->free_page(a->ctx, (void *)p);
		fprintf(stderr, "arena_test: read after free: %u\n", p[0]);
		break;
	case G_OVERFLOW:
		fprintf(stderr, "arena_test: read past the page: %u\n", p[PAGE_BYTES]);
		a->free_page(a->ctx, (void *)p);
		break;
	}
	return MT_ERR_RANGE;         /* no handle is below the limit (0) */
}

static int stub_grow(struct mt_table *t, unsigned vcpu)
{
	(void)t, (void)vcpu;
	return MT_ERR_LIMIT;
}

static int stub_verify(struct mt_table *t, struct mt_report *r)
{
	(void)t;
	memset(r, 0, sizeof(*r));
	r->list = -1u;
	r->handle = MT_INVALID_HANDLE;
	return MT_OK;
}

static void stub_view(struct mt_table *t, struct mt_view *v)
{
	v->nr_lists = t->cfg.nr_vcpus;
	v->has_tail = 1;
	v->per_page = t->cfg.per_page;
	v->max_frames = t->cfg.max_frames;
	v->nr_frames = 0;
	v->limit = 0;
}

static void stub_list_ends(struct mt_table *t, unsigned list, mt_handle_t *head, mt_handle_t *tail)
{
	(void)t, (void)list;
	*head = *tail = MT_TAIL;
}

static int stub_entry(struct mt_table *t, mt_handle_t h, struct mt_entry_view *e)
{
	(void)t, (void)h, (void)e;
	return MT_ERR_RANGE;
}

static const struct mt_ops stub_ops = {
	.name = "arena-test-stub", .summary = "plays one page game per put",
	.create = stub_create, .destroy = stub_destroy, .get = stub_get, .put = stub_put,
	.grow = stub_grow, .verify = stub_verify, .view = stub_view,
	.list_ends = stub_list_ends, .entry = stub_entry,
};

static int stub_create(const struct mt_config *cfg, struct mt_table **out)
{
	struct mt_table *t = calloc(1, sizeof(*t));

	if (!t)
		return MT_ERR_NOMEM;
	t->ops = &stub_ops;
	t->cfg = *cfg;
	*out = t;
	return MT_OK;
}

/* 1 VCPU, 4 per page, 1 frame; one record: v0 put-bad bad=range k=0, run=all. */
static const uint8_t input[] = { 0x01, 0x00, 0x02, 0x00, 0x00, 22u << 3, 0x00, 0xff };

static struct mt_harness *H;

static int run_game(enum game g)
{
	game = g;
	if (!H)
		H = mt_harness_new(&stub_ops);
	return mt_harness_run(H, input, sizeof(input), NULL);
}

#ifdef ARENA_TEST_ASAN
/* Run game g in a child, its stderr in a file; 1 if it died reporting `want`. */
static int dies_with(enum game g, const char *want)
{
	char path[] = "/tmp/arena_test.XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fd, 2);
		int rc = run_game(g);
		fprintf(stderr, "arena_test: child survived (rc %d)\n", rc);
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	static char buf[1 << 16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	buf[n > 0 ? n : 0] = '\0';
	int died = WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0);
	int found = strstr(buf, want) != NULL;
	if (!died || !found)
		fprintf(stderr, "arena_test: game %d: died=%d, report has '%s': %d\n--- child stderr ---\n%s\n---\n",
		        (int)g, died, want, found, buf);
	return died && found;
}
#endif

int main(void)
{
	/* Control: a correct page life is clean, twice (the arena resets). */
	CHECK(run_game(G_CLEAN) == 0);
	CHECK(run_game(G_CLEAN) == 0);

	/* A page freed twice: a finding of its own, in every build. */
	CHECK(run_game(G_DOUBLE_FREE) == 1);
	CHECK(strstr(mt_harness_finding(H), "page") == mt_harness_finding(H));
	CHECK(strstr(mt_harness_finding(H), "freed twice") != NULL);
	CHECK(run_game(G_CLEAN) == 0);    /* and the next run starts clean */

#ifdef ARENA_TEST_ASAN
	CHECK(dies_with(G_USE_AFTER_FREE, "use-after-poison"));
	CHECK(dies_with(G_OVERFLOW, "use-after-poison"));
	printf("SUMMARY arena_test=pass asan_death_tests=2\n");
#else
	printf("SUMMARY arena_test=pass asan_death_tests=0 (not an ASan build)\n");
#endif
	return 0;
}
