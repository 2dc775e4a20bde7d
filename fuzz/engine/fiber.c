/* fiber.c - cooperative contexts (see fiber.h). */
#include "fuzz/engine/fiber.h"
#include "fuzz/engine/identity.h"

#include <stdint.h>
#include <stdlib.h>

#if !defined(__x86_64__)
#error "fuzz/engine/fiber.c: the context switch is written for x86-64 only"
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MT_FIBER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define MT_FIBER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(MT_FIBER_ASAN)
#define MT_FIBER_ASAN 1
#endif
/* Built uninstrumented into an ASan binary (fuzz/defs.bzl): still
 * announce fiber switches and poison pages through the ASan runtime. */
#if defined(MT_ASAN_RUNTIME) && !defined(MT_FIBER_ASAN)
#define MT_FIBER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(MT_FIBER_TSAN)
#define MT_FIBER_TSAN 1
#endif

#ifdef MT_FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define STACK_SIZE (512u * 1024u)   /* ASan frames are large */
#else
#define STACK_SIZE (128u * 1024u)
#endif
#ifdef MT_FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* mt_fiber_switch(&save_sp, new_sp): push the callee-saved registers, save
 * rsp in *save_sp, load new_sp, pop the other context's registers, return
 * into it. */
void mt_fiber_switch(void **save_sp, void *new_sp);
__asm__(
	".text\n"
	".globl mt_fiber_switch\n"
	".hidden mt_fiber_switch\n"
	".type mt_fiber_switch,@function\n"
	"mt_fiber_switch:\n"
	"\tpushq %rbp\n"
	"\tpushq %rbx\n"
	"\tpushq %r12\n"
	"\tpushq %r13\n"
	"\tpushq %r14\n"
	"\tpushq %r15\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tpopq %r15\n"
	"\tpopq %r14\n"
	"\tpopq %r13\n"
	"\tpopq %r12\n"
	"\tpopq %rbx\n"
	"\tpopq %rbp\n"
	"\tret\n"
	".size mt_fiber_switch, .-mt_fiber_switch\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

int mt_fiber_setup(struct mt_fiber *f, struct mt_fiber_host *h, void (*entry)(void))
{
	if (mt_identity_on)          /* a thread per VCPU (identity.h) */
		return mt_identity_setup(f, h, entry);
	if (!f->stack) {
		f->stack = aligned_alloc(64, STACK_SIZE);
		if (!f->stack)
			return -1;
	}
#ifdef MT_FIBER_ASAN
	if (f->dirty)            /* frames abandoned mid-operation left poison */
		__asan_unpoison_memory_region(f->stack, STACK_SIZE);
#endif
	f->dirty = 0;
#ifdef MT_FIBER_TSAN
	/* entry never returns: a fresh TSan fiber per start keeps TSan's
	 * shadow call stack from growing with every operation. */
	if (f->tsan_fiber)
		__tsan_destroy_fiber(f->tsan_fiber);
	f->tsan_fiber = __tsan_create_fiber(0);
	h->tsan_fiber = __tsan_get_current_fiber();
#endif
	uintptr_t top = ((uintptr_t)f->stack + STACK_SIZE) & ~(uintptr_t)15;
	void **sp = (void **)top;
	*--sp = NULL;                    /* entry's return address: none */
	*--sp = (void *)(uintptr_t)entry;  /* where mt_fiber_switch returns to */
	for (int i = 0; i < 6; i++)
		*--sp = NULL;            /* rbp rbx r12-r15 */
	f->sp = sp;
	f->fake_stack = NULL;
	return 0;
}

void mt_fiber_started(struct mt_fiber_host *h)
{
	if (mt_identity_on)
		return;
#ifdef MT_FIBER_ASAN
	__sanitizer_finish_switch_fiber(NULL, &h->bottom, &h->size);
#else
	(void)h;
#endif
}

void mt_fiber_enter(struct mt_fiber_host *h, struct mt_fiber *f)
{
	if (mt_identity_on) {
		mt_identity_enter(f);
		return;
	}
#ifdef MT_FIBER_TSAN
	__tsan_switch_to_fiber(f->tsan_fiber, 0);
#endif
#ifdef MT_FIBER_ASAN
	__sanitizer_start_switch_fiber(&h->fake_stack, f->stack, STACK_SIZE);
#endif
	mt_fiber_switch(&h->sp, f->sp);
#ifdef MT_FIBER_ASAN
	__sanitizer_finish_switch_fiber(h->fake_stack, NULL, NULL);
#endif
}

void mt_fiber_leave(struct mt_fiber_host *h, struct mt_fiber *f, int final)
{
	if (mt_identity_on) {
		mt_identity_leave(f, final);
		return;
	}
#ifdef MT_FIBER_ASAN
	__sanitizer_start_switch_fiber(final ? NULL : &f->fake_stack, h->bottom, h->size);
#else
	(void)final;
#endif
#ifdef MT_FIBER_TSAN
	__tsan_switch_to_fiber(h->tsan_fiber, 0);
#endif
	mt_fiber_switch(&f->sp, h->sp);
#ifdef MT_FIBER_ASAN
	__sanitizer_finish_switch_fiber(f->fake_stack, &h->bottom, &h->size);
#endif
}

void mt_fiber_free(struct mt_fiber *f)
{
	mt_identity_free(f);
#ifdef MT_FIBER_ASAN
	if (f->stack)
		__asan_unpoison_memory_region(f->stack, STACK_SIZE);
#endif
#ifdef MT_FIBER_TSAN
	if (f->tsan_fiber)
		__tsan_destroy_fiber(f->tsan_fiber);
	f->tsan_fiber = NULL;
#endif
	free(f->stack);
	f->stack = NULL;
}
