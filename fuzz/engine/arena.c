/* arena.c - the page arena of a run (see arena.h). */
#include "fuzz/engine/arena.h"

#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MT_ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(MT_ARENA_ASAN)
#define MT_ARENA_ASAN 1
#endif
/* Built uninstrumented into an ASan binary (fuzz/defs.bzl): still
 * announce fiber switches and poison pages through the ASan runtime. */
#if defined(MT_ASAN_RUNTIME) && !defined(MT_ARENA_ASAN)
#define MT_ARENA_ASAN 1
#endif
#ifdef MT_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#endif

void mt_arena_reset(struct mt_arena *a)
{
#ifdef MT_ARENA_ASAN
	if (!a->poisoned) {
		__asan_poison_memory_region(a->mem, sizeof(a->mem));
		a->poisoned = 1;
	} else if (a->used) {
		__asan_poison_memory_region(a->mem, a->used);
	}
#endif
	a->used = MT_ARENA_REDZONE;
	a->nr = 0;
}

void *mt_arena_alloc(struct mt_arena *a, size_t bytes)
{
	size_t sz = (bytes + 63u) & ~(size_t)63u;

	if (a->nr >= MT_ARENA_SLOTS || bytes == 0 || sz > MT_ARENA_SIZE - MT_ARENA_REDZONE ||
	    a->used > MT_ARENA_SIZE - MT_ARENA_REDZONE - sz)
		return NULL;
	unsigned char *p = a->mem + a->used;
	a->used += sz + MT_ARENA_REDZONE;
	a->slot[a->nr].p = p;
	a->slot[a->nr].bytes = bytes;
	a->slot[a->nr].live = 1;
	a->nr++;
#ifdef MT_ARENA_ASAN
	__asan_unpoison_memory_region(p, bytes);
#endif
	memset(p, 0, bytes);
	return p;
}

enum mt_arena_free_result mt_arena_free(struct mt_arena *a, void *page)
{
	unsigned char *p = page;

	if (p < a->mem || p >= a->mem + sizeof(a->mem))
		return MT_ARENA_NOT_MINE;
	for (unsigned i = 0; i < a->nr; i++) {
		if (a->slot[i].p != p)
			continue;
		if (!a->slot[i].live)
			return MT_ARENA_DOUBLE_FREE;
		a->slot[i].live = 0;
#ifdef MT_ARENA_ASAN
		__asan_poison_memory_region(p, a->slot[i].bytes);
#endif
		return MT_ARENA_FREED;
	}
	return MT_ARENA_NOT_A_PAGE;
}

void mt_arena_release(struct mt_arena *a)
{
#ifdef MT_ARENA_ASAN
	__asan_unpoison_memory_region(a->mem, sizeof(a->mem));
#endif
	a->poisoned = 0;
	a->used = 0;
	a->nr = 0;
}
