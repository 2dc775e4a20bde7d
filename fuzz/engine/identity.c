/* identity.c - a thread per VCPU, handed a baton at each switch (identity.h). */
#include "fuzz/engine/identity.h"

#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "fuzz/engine/fiber.h"

int mt_identity_on;

/* One VCPU's thread.  Two futex words: turn (1: the thread may run) and
 * back (1: the thread has handed the baton back).  Only one of the host
 * and its threads runs at any time; the release store and the acquire
 * load of each hand-off order everything else. */
struct mt_identity_thread {
	_Atomic int turn;
	_Atomic int back;
	pthread_t th;
	struct mt_fiber_host *host;
	void (*entry)(void);
	void (*call)(void *);        /* next turn: run call(call_arg), hand back */
	void *call_arg;
	int restart;                 /* next turn: start entry afresh */
	int quit;                    /* next turn: end the thread */
	jmp_buf top;
};

/* Each VCPU thread's own struct.  A pthread key, not a _Thread_local: in
 * fastbuild the engine is a shared library, and there a thread made
 * here saw this file's local-dynamic TLS and sim.c's initial-exec
 * `active` at one address. */
static pthread_key_t self_key;
static pthread_once_t self_once = PTHREAD_ONCE_INIT;

static void make_key(void)
{
	if (pthread_key_create(&self_key, NULL)) {
		fprintf(stderr, "identity: pthread_key_create failed\n");
		abort();
	}
}

struct mt_fiber_host *mt_identity_host(void)
{
	struct mt_identity_thread *t;

	pthread_once(&self_once, make_key);
	t = pthread_getspecific(self_key);
	return t ? t->host : NULL;
}

void mt_identity_enable(void)
{
	mt_identity_on = 1;
}

__attribute__((constructor)) static void identity_from_env(void)
{
	const char *e = getenv("MT_THREAD_IDENTITY");

	if (e && strcmp(e, "0") != 0)
		mt_identity_enable();
}

/* The futex calls are made directly: an instrumented binary may define
 * syscall() itself (ix_identity.c: a VCPU's futex wait is a yield). */
static long raw_futex(_Atomic int *word, int op, int val)
{
	long rc;
	register long r10 __asm__("r10") = 0;

	__asm__ volatile("syscall"
	                 : "=a"(rc)
	                 : "0"((long)SYS_futex), "D"(word), "S"((long)op), "d"((long)val), "r"(r10)
	                 : "rcx", "r11", "memory");
	return rc;
}

static void give(_Atomic int *word)
{
	atomic_store_explicit(word, 1, memory_order_release);
	raw_futex(word, FUTEX_WAKE_PRIVATE, 1);
}

/* No spin before the sleep: tried (2000 pauses), slower on this
 * 2-core machine under load, where the other side rarely runs at once. */
static void take(_Atomic int *word)
{
	while (!atomic_load_explicit(word, memory_order_acquire))
		raw_futex(word, FUTEX_WAIT_PRIVATE, 0);
	atomic_store_explicit(word, 0, memory_order_relaxed);
}

/* The thread's wait for its turn; calls made meanwhile run here. */
static void take_turn(struct mt_identity_thread *t)
{
	for (;;) {
		take(&t->turn);
		if (!t->call)
			return;
		t->call(t->call_arg);
		t->call = NULL;
		give(&t->back);
	}
}

static void *thread_main(void *arg)
{
	struct mt_identity_thread *t = arg;

	pthread_setspecific(self_key, t);
	take_turn(t);
	setjmp(t->top);              /* a restart lands here, holding the baton */
	if (t->quit) {
		give(&t->back);
		return NULL;
	}
	t->restart = 0;
	t->entry();
	fprintf(stderr, "identity: a VCPU's entry returned\n");
	abort();
}

static struct mt_identity_thread *thread_of(struct mt_fiber *f, struct mt_fiber_host *h)
{
	struct mt_identity_thread *t = f->thread;

	if (!t) {
		pthread_once(&self_once, make_key);
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		t->host = h;
		if (pthread_create(&t->th, NULL, thread_main, t)) {
			free(t);
			return NULL;
		}
		f->thread = t;
	}
	return t;
}

int mt_identity_setup(struct mt_fiber *f, struct mt_fiber_host *h, void (*entry)(void))
{
	struct mt_identity_thread *t = thread_of(f, h);

	if (!t)
		return -1;
	t->entry = entry;
	t->restart = 1;              /* wherever it waits, it starts afresh */
	f->dirty = 0;
	return 0;
}

void mt_identity_enter(struct mt_fiber *f)
{
	struct mt_identity_thread *t = f->thread;

	give(&t->turn);
	take(&t->back);
}

void mt_identity_leave(struct mt_fiber *f, int final)
{
	struct mt_identity_thread *t = f->thread;

	give(&t->back);
	take_turn(t);
	if (final || t->restart || t->quit)
		longjmp(t->top, 1);
}

void mt_identity_call(struct mt_fiber *f, struct mt_fiber_host *h, void (*fn)(void *), void *arg)
{
	struct mt_identity_thread *t = thread_of(f, h);

	if (!t) {
		fprintf(stderr, "identity: cannot make a thread for a VCPU\n");
		abort();
	}
	t->call = fn;
	t->call_arg = arg;
	give(&t->turn);
	take(&t->back);
}

void mt_identity_free(struct mt_fiber *f)
{
	struct mt_identity_thread *t = f->thread;

	if (!t)
		return;
	t->quit = 1;
	give(&t->turn);
	take(&t->back);
	pthread_join(t->th, NULL);
	free(t);
	f->thread = NULL;
}
