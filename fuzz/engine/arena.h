/*
 * arena.h - the page arena of a run.
 *
 * Pages come from a per-run arena instead of calloc: ASan's allocator
 * hands out fresh (quarantined-away) memory on every calloc, and the page
 * faults on it cost more than the rest of a small run.  Each page gets its
 * own slot, never reused within a run, with a poisoned gap of
 * MT_ARENA_REDZONE bytes on both sides; under ASan a slot is unpoisoned
 * exactly while the page is allocated, so an overflow past a page, or a use
 * of a page after it was freed within the run, is still reported
 * (use-after-poison).  The arena is reset (all poisoned) when the next run
 * starts; a run that needs more than it holds gets calloc.
 */
#ifndef MT_FUZZ_ENGINE_ARENA_H
#define MT_FUZZ_ENGINE_ARENA_H

#include <stddef.h>

#define MT_ARENA_SIZE    (160u * 1024u)
#define MT_ARENA_REDZONE 256u
#define MT_ARENA_SLOTS   128u

struct mt_arena {
	_Alignas(64) unsigned char mem[MT_ARENA_SIZE];
	size_t used;                     /* bytes handed out this run, incl. redzones */
	unsigned nr;                     /* slots handed out this run */
	struct { unsigned char *p; size_t bytes; int live; } slot[MT_ARENA_SLOTS];
	int poisoned;                    /* the whole arena was poisoned once */
};

/* Forget every page (poison everything handed out). */
void mt_arena_reset(struct mt_arena *a);

/* A zeroed page of `bytes`, or NULL when the arena is full (use calloc). */
void *mt_arena_alloc(struct mt_arena *a, size_t bytes);

enum mt_arena_free_result {
	MT_ARENA_NOT_MINE,       /* not in the arena: the caller frees it */
	MT_ARENA_FREED,
	MT_ARENA_DOUBLE_FREE,    /* a page freed twice */
	MT_ARENA_NOT_A_PAGE,     /* inside the arena but no page start */
};
enum mt_arena_free_result mt_arena_free(struct mt_arena *a, void *page);

/* Before the memory holding the arena is freed: lift every poison. */
void mt_arena_release(struct mt_arena *a);

#endif /* MT_FUZZ_ENGINE_ARENA_H */
