/*
 * fiber.h - cooperative contexts for simulated VCPUs.
 *
 * A few lines of x86-64 assembly save the callee-saved registers and the
 * stack pointer of one context and load another's (no syscall, unlike
 * glibc swapcontext, which costs a sigprocmask).  Every switch goes through
 * the host (the scheduler's own stack): host -> fiber -> host.  Under
 * AddressSanitizer each switch is announced with
 * __sanitizer_start_switch_fiber and confirmed with
 * __sanitizer_finish_switch_fiber; under ThreadSanitizer each fiber is a
 * TSan fiber.  Stacks are allocated once and reused.
 */
#ifndef MT_FUZZ_ENGINE_FIBER_H
#define MT_FUZZ_ENGINE_FIBER_H

#include <stddef.h>

/* The scheduler's side of every switch. */
struct mt_fiber_host {
	void *sp;
	void *fake_stack;            /* ASan fake stack of the host */
	void *tsan_fiber;
	const void *bottom;          /* the host stack, as ASan reports it */
	size_t size;
};

struct mt_fiber {
	void *sp;
	unsigned char *stack;
	int dirty;                   /* abandoned in the middle of its function */
	void *fake_stack;            /* ASan fake stack of this context */
	void *tsan_fiber;            /* TSan's view of it (one per start) */
	struct mt_identity_thread *thread;   /* identity.h: its thread, when on */
};

/* Make f start at entry (a function that never returns) on its next
 * mt_fiber_enter().  0, or -1 if out of memory. */
int mt_fiber_setup(struct mt_fiber *f, struct mt_fiber_host *h, void (*entry)(void));

/* The first call in entry. */
void mt_fiber_started(struct mt_fiber_host *h);

/* Host -> f, until f leaves. */
void mt_fiber_enter(struct mt_fiber_host *h, struct mt_fiber *f);

/* f -> host.  final: f is never entered again (until set up anew). */
void mt_fiber_leave(struct mt_fiber_host *h, struct mt_fiber *f, int final);

/* Release f's stack. */
void mt_fiber_free(struct mt_fiber *f);

#endif /* MT_FUZZ_ENGINE_FIBER_H */
