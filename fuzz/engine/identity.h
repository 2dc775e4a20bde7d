/*
 * identity.h - each simulated VCPU its own thread identity.
 *
 * Off (the default), a VCPU is a fiber of the scheduler's thread
 * (fiber.c): every VCPU sees the same _Thread_local / __thread variables,
 * pthread_self(), pthread_getspecific() and gettid().  On, each VCPU is a
 * real thread of its own, and the scheduler hands it a baton at every
 * switch (fiber.c calls these functions instead of its context switch):
 * only the thread holding the baton runs, so the run is as deterministic
 * as with fibers, and everything keyed by thread is per VCPU, in
 * instrumented code and in the libraries it calls (liburcu's reader
 * registration, glibc's errno).  The threads are made once per VCPU and
 * kept across runs; an operation abandoned mid-way (after a finding) is
 * left by a longjmp to the thread's start.
 *
 * On when a binary links //fuzz/instrument:identity (freelist_fuzz_suite's
 * thread_identity = True), or with MT_THREAD_IDENTITY=1 in the
 * environment (any binary: the cost figures of docs/bring-your-own.md).
 * Why threads and not a TLS base per fiber: docs/bring-your-own.md,
 * "Thread identity".
 */
#ifndef MT_FUZZ_ENGINE_IDENTITY_H
#define MT_FUZZ_ENGINE_IDENTITY_H

struct mt_fiber;
struct mt_fiber_host;

/* Non-zero: VCPUs are threads.  Set before main (constructors), read at
 * every switch. */
extern int mt_identity_on;

/* Turn it on (before the first run). */
void mt_identity_enable(void);

/* fiber.c's operations, with a thread per fiber. */
int mt_identity_setup(struct mt_fiber *f, struct mt_fiber_host *h, void (*entry)(void));
void mt_identity_enter(struct mt_fiber *f);
void mt_identity_leave(struct mt_fiber *f, int final);
void mt_identity_free(struct mt_fiber *f);

/* Run fn(arg) on f's thread (made if it has none) and wait for it: a
 * call the scheduler makes for a VCPU outside its operations (the
 * contract's end-of-run gets), with no schedule points.  f is idle. */
void mt_identity_call(struct mt_fiber *f, struct mt_fiber_host *h, void (*fn)(void *), void *arg);

/* On a VCPU's thread: the host it belongs to; elsewhere NULL. */
struct mt_fiber_host *mt_identity_host(void);

#endif /* MT_FUZZ_ENGINE_IDENTITY_H */
