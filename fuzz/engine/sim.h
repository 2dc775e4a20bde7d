/*
 * sim.h - the engine: the deterministic VCPU simulator and its run context.
 *
 * Each simulated VCPU runs its current operation (get, put, grow) as a
 * cooperative context (a fiber with its own stack, fiber.h) inside the
 * calling thread.  The library, built with -DMT_SCHED_HOOK, calls
 * mt_sched_point() before every shared access and lock attempt; the
 * simulator decides there, from the program's records, whether the
 * running VCPU goes on or stops.  A VCPU that finds a lock held
 * (mt_sched_blocked()) stops until the lock is free; one that only seems
 * to wait (a runtime saw it spinning, mt_sched_spin_wait()) too, and is
 * re-checked before its wait counts for a deadlock.  No real threads, no
 * clocks, no randomness, no addresses in any decision: the same program
 * gives the same run, always.
 *
 * Everything a run needs lives in one context, struct mt_sim, that the
 * caller creates and passes explicitly.  Checkers watch a run through the
 * observer interface below (struct mt_sim_observer): several can be
 * attached to one context (the maptrack oracle and the I11 claims checker
 * by default, fuzz/drivers/harness.c).  The only process-wide state is the
 * pointer to the context whose run is in progress, which the library's
 * schedule hook needs (mt_sim_active()).
 *
 * Findings: every bound-exceeded run (livelock), every state where all
 * VCPUs with work wait for a lock, each spinning one re-checked
 * (deadlock), every page freed twice and
 * every leaked page are the engine's own; checkers report theirs with
 * mt_sim_fail().  The first finding stops the run.
 */
#ifndef MT_FUZZ_ENGINE_SIM_H
#define MT_FUZZ_ENGINE_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "fuzz/format/input.h"
#include "lib/maptrack.h"
#include "lib/mt_sites.h"

/* Schedule points one operation may pass before the run is called a livelock. */
#define MT_SIM_OP_POINT_BOUND 20000u

/* Observers one context can hold. */
#define MT_SIM_MAX_OBSERVERS 8u

struct mt_sim;                   /* the run context (opaque) */

/* One operation in flight on a VCPU (what checkers need to judge it). */
struct mt_sim_op {
	uint8_t kind;            /* enum mt_in_op (never NOP) */
	uint8_t arg;
	uint8_t legit;           /* put of a held handle (must succeed) */
	uint8_t bad_flavour;     /* enum mt_in_bad, for put-bad */
	uint8_t overlapped;      /* another operation was in flight at some time */
	uint8_t got_in_window;   /* put-bad: a get handed out its handle meanwhile */
	uint8_t random_calls;    /* steal random values used */
	uint8_t epilogue;        /* started by the end-of-run clean-up */
	uint8_t weak;            /* c11: a load of it read an older store than the newest */
	mt_handle_t handle;      /* put: the handle; get: the result */
	mt_handle_t limit_at_start;
	unsigned nr_frames_at_start;
	unsigned alloc_ok, alloc_fail;
	unsigned points;
	int rc;
	int holder;              /* put: who held the handle at start (-1: nobody) */
	int record;              /* index of the record that started it; -1 drain, -2 epilogue */
};

/*
 * The observer interface: what a checker sees of a run.  Every callback is
 * optional; ctx is the pointer given to mt_sim_attach().  Order within one
 * event: the order of attachment.
 *
 * The workload role (prepare, first_held) belongs to exactly one observer
 * of a run, the one that keeps the book of who holds which handle (the
 * maptrack oracle): it resolves which handle a put record puts, and which
 * handles the epilogue returns.
 */
struct mt_sim_observer {
	const char *name;
	/* A fresh table (mt_sim_table()); reset per-run state. */
	void (*begin)(void *ctx, struct mt_sim *sim);
	/* Workload: VCPU v is about to start r's operation: fill op's operands.
	 * 0: nothing to start (a put with no candidate handle). */
	int (*prepare)(void *ctx, struct mt_sim *sim, unsigned v, const struct mt_in_record *r,
	               struct mt_sim_op *op, unsigned in_flight);
	/* Workload: a handle v holds that the epilogue should put back, or
	 * MT_INVALID_HANDLE. */
	mt_handle_t (*first_held)(void *ctx, struct mt_sim *sim, unsigned v);
	/* v's operation starts (its fiber is ready, nothing has run yet). */
	void (*op_started)(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op);
	/* v makes the access of a schedule point now (site: this run's id;
	 * acc: what it does, enum mt_acc of lib/mt_access.h). */
	void (*access)(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr,
	               unsigned acc);
	/* v's operation returned (rc and result in op). */
	void (*op_returned)(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op);
	/* No operation is in flight.  final: the end of the run (the table is
	 * about to be destroyed).  trace: print what it checks there, or NULL. */
	void (*quiescent)(void *ctx, struct mt_sim *sim, FILE *trace, int final);
	/* The table was destroyed; the run's verdict is settled after this. */
	void (*end)(void *ctx, struct mt_sim *sim);
	/* v's deferred access (MT_ACC_DEFER) was made now (mt_sched_after():
	 * after its point, and after any point its address passes). */
	void (*after)(void *ctx, struct mt_sim *sim, unsigned v, const void *addr, unsigned acc);
};

/* Trace events (binary; formatted only when printed). */
enum mt_ev_type {
	MT_EV_START,     /* op started on vcpu */
	MT_EV_SKIP,      /* record's put had nothing to put: nothing started */
	MT_EV_IDLE,      /* nop on an idle VCPU */
	MT_EV_RESUME,    /* vcpu resumes at site */
	MT_EV_INSTEAD,   /* record's VCPU is blocked: another one runs (aux = record's VCPU) */
	MT_EV_STOP,      /* vcpu stopped before site (points = points of its op so far) */
	MT_EV_BLOCK,     /* vcpu found the lock at site held */
	MT_EV_DONE,      /* op ended: rc, handle */
	MT_EV_DRAIN,     /* end of records: unfinished operations run to their end */
	MT_EV_EPILOGUE,  /* end of run: every held handle is put back */
	MT_EV_READ_FROM, /* a read-from record (handle: the choice) */
	MT_EV_WEAK_READ, /* c11: vcpu's load at site read an older store than the newest
	                  * (handle: value read, rc: the newest value, aux: how far back) */
	MT_EV_RECHECK,   /* every VCPU with work waits; vcpu, parked as spinning at site,
	                  * runs up to MT_SIM_RECHECK_POINTS more to confirm it */
};

struct mt_ev {
	int32_t record;
	uint8_t type, vcpu, op, aux;
	int32_t site;            /* this run's site id, -1 if none */
	int32_t rc;
	uint32_t handle;
	uint32_t points;
	int8_t from_v, newer_v;  /* MT_EV_WEAK_READ: the writers (-1: before the run) */
	uint8_t pointer;         /* MT_EV_WEAK_READ: the values are pointers (printed as NULL or not) */
	int32_t from_site, newer_site;
};

#define MT_SIM_TRACE_RING 1024u

/* ---- the context ---- */

/* A new context (VCPU stacks and the page arena are allocated here and
 * reused by every run).  NULL if out of memory. */
struct mt_sim *mt_sim_new(void);
void mt_sim_free(struct mt_sim *sim);

/* Attach an observer for every later run; 0 ok, -1 full (or a second
 * observer with the workload role). */
int mt_sim_attach(struct mt_sim *sim, const struct mt_sim_observer *obs, void *ctx);

/* Run a program against ops.  trace: NULL for silent (fuzzing), else the
 * readable interleaving is printed there as it happens (decode).  Returns
 * 0 clean, 1 finding. */
int mt_sim_run(struct mt_sim *sim, const struct mt_program *p, const struct mt_ops *ops, FILE *trace);

/* A record source: fill *r and return 1, or return 0 (no more records). */
typedef int (*mt_sim_feed_fn)(void *ctx, struct mt_in_record *r);

/* Run p's header against ops with records from feed instead of p's own:
 * each record is appended to p (p->nr_records starts at 0) before it is
 * played, so p ends as the program that was run, replayable by
 * mt_sim_run().  The feed is asked for the next record whenever the
 * previous one has ended, and may look at the VCPUs with mt_sim_vcpu(). */
int mt_sim_run_fed(struct mt_sim *sim, struct mt_program *p, const struct mt_ops *ops, FILE *trace,
                   mt_sim_feed_fn feed, void *ctx);

/* After a run that returned 1: the finding's one-line description ("" if none). */
const char *mt_sim_finding(const struct mt_sim *sim);

/* Print the finding and the interleaving that led to it (the trace ring). */
void mt_sim_report(struct mt_sim *sim, FILE *out);

/* Happens-before clocks (fuzz/engine/memory.h): an observer that needs
 * them asks in its begin callback; then mt_sim_clock() is v's clock
 * (MT_IN_MAX_VCPUS entries) at every access callback.  Runs under the c11
 * model have them anyway. */
void mt_sim_use_clocks(struct mt_sim *sim);
const uint32_t *mt_sim_clock(const struct mt_sim *sim, unsigned v);
/* With clocks, at an access callback: the number of the location accessed,
 * dense from 0 in the order this run first touched them (below
 * MT_MEM_LOCS), -1 if the model does not track it: observers key their own
 * shadow on it instead of hashing the address again. */
int mt_sim_loc(const struct mt_sim *sim);
/* A 16-byte access: the number of its upper half (addr + 8), else -1. */
int mt_sim_loc2(const struct mt_sim *sim);
/* The explorer's lock reduction under c11 (fuzz/engine/memory.h,
 * mt_mem_set_shadow and the two after it). */
void mt_sim_set_shadow(struct mt_sim *sim, int on);
unsigned mt_sim_narrowed(const struct mt_sim *sim);
void mt_sim_section_end(struct mt_sim *sim, unsigned v, const void *lock, int merged);
/* c11: how many stores v's last access could have read (>1: a load whose
 * read-from choice matters), else 0 or 1. */
unsigned mt_sim_last_allowed(const struct mt_sim *sim, unsigned v);
/* Mutation for the orderings table (docs/memory-model.md): the access at
 * site id (this run's numbering) is told to the checkers and the memory
 * model with the memory order `order` (enum mt_acc's order bits, e.g.
 * MT_ACC_RELAXED) instead of its own, as if the code said so.  Plain
 * accesses stay plain.  id -1: off (the default). */
void mt_sim_weaken(struct mt_sim *sim, int id, unsigned order);
/* A fence by the running VCPU (order: enum mt_acc's order bits), for
 * runtimes that see fences (fuzz/instrument/). */
void mt_sim_fence(struct mt_sim *sim, unsigned order);

/* The context whose run is in progress in this thread, or NULL. */
struct mt_sim *mt_sim_active(void);
/* The VCPU running now in sim, or -1 (the scheduler's own calls: create,
 * verify, destroy).  For runtimes that make schedule points of their own
 * (fuzz/instrument/). */
int mt_sim_current(const struct mt_sim *sim);

/* fn(arg) as VCPU v's thread (fuzz/engine/identity.h; without thread
 * identity, here): a call for v outside its operations, no schedule points. */
void mt_sim_call_on(struct mt_sim *sim, unsigned v, void (*fn)(void *), void *arg);

/*
 * Spinning (for runtimes that detect it, fuzz/instrument/ix.c).  A VCPU
 * that a runtime saw spinning, with nothing it reads changed, waits at
 * site until *wake (a struct mt_lock) is released, as with
 * mt_sched_blocked(); but that wait is a guess.  When every VCPU with work
 * waits, the engine does not report a deadlock at once: it resumes each
 * VCPU that waits on a guess (lowest first, *wake still held: the call
 * returns and the VCPU goes on where it was) for at most
 * MT_SIM_RECHECK_POINTS schedule points, while mt_sim_rechecking() says so
 * (the runtime then parks it only after a longer spin).  If it waits
 * again and no VCPU can run, it is a deadlock; if it ran out of points,
 * finished, or let another VCPU run, the run goes on.  Deterministic:
 * the same program re-checks the same VCPUs at the same points.
 */
#define MT_SIM_RECHECK_POINTS 1024u
void mt_sched_spin_wait(const struct mt_site *site, const void *wake);
/* The running VCPU is being re-checked (see above); 0 outside a run. */
int mt_sim_rechecking(void);

/* From a fatal signal handler (best effort, not async-signal-safe: the
 * process is about to die anyway): report a crash of the running VCPU as
 * a finding, with the interleaving up to it. */
void mt_sim_report_crash(struct mt_sim *sim, FILE *out, const char *what);

/* Interleaving coverage: if set (n counters), the simulator bumps
 * counters[mt_sim_pair_index(a, b, sites, n)] at every switch between
 * VCPUs (a: the site the last VCPU stopped before, b: the site run next).
 * NULL: off. */
void mt_sim_set_pair_counters(struct mt_sim *sim, uint8_t *counters, size_t n);
/* The counter of pair (a, b) among `sites` sites: a * sites + b when that
 * fits in n (exact), else a hash of the pair modulo n. */
size_t mt_sim_pair_index(unsigned a, unsigned b, unsigned sites, size_t n);

/* Statistics of the last run (for tests and tools). */
struct mt_sim_stats {
	unsigned ops_started, ops_done, stops, blocks, quiescent_checks, points;
	unsigned pages_live;         /* pages allocated and not freed, now */
	unsigned weak_reads;         /* c11: loads that read an older store than the newest */
	unsigned rechecks;           /* spinning VCPUs resumed to confirm a deadlock */
};
const struct mt_sim_stats *mt_sim_stats(const struct mt_sim *sim);

/* Called for every trace event with the record being played (NULL in the
 * drain and the epilogue).  NULL: off. */
typedef void (*mt_sim_event_fn)(void *ctx, const struct mt_ev *e, const struct mt_in_record *r);
void mt_sim_set_event_hook(struct mt_sim *sim, mt_sim_event_fn fn, void *ctx);

/* ---- what observers and front ends may ask during or after a run ---- */

const struct mt_program *mt_sim_program(const struct mt_sim *sim);
const struct mt_ops *mt_sim_ops(const struct mt_sim *sim);
struct mt_table *mt_sim_table(const struct mt_sim *sim);

/* This run's sites: the concatenation of ops->site_tables. */
unsigned mt_sim_nr_sites(const struct mt_sim *sim);
const struct mt_site *mt_sim_site(const struct mt_sim *sim, unsigned id);
/* All of them, by id (mt_sim_nr_sites() entries; valid from begin to the
 * next run): for observers on the hot path. */
const struct mt_site *const *mt_sim_sites(const struct mt_sim *sim);
/* A site's name for reports ("pop: lock freelist"); "?" if out of range. */
const char *mt_sim_site_text(const struct mt_sim *sim, int id);

/* What VCPU v is doing between records. */
enum mt_sim_vcpu_state {
	MT_SIM_IDLE,      /* no operation */
	MT_SIM_PARKED,    /* stopped by the schedule before *site */
	MT_SIM_BLOCKED,   /* waiting at *site for a lock that is held */
	MT_SIM_WAKEABLE,  /* waiting at *site for a lock that is free now */
	MT_SIM_DEAD,      /* stopped for good (livelock) */
};
int mt_sim_vcpu(const struct mt_sim *sim, unsigned v, int *site);
/* What VCPU v does first when it runs again: parked, the access of its
 * schedule point (address and enum mt_acc as the library passed them);
 * waiting for a lock, the lock (acc 0).  0 if idle (the explorer keys
 * footprints on it: dpor.h). */
int mt_sim_pending(const struct mt_sim *sim, unsigned v, const void **addr, unsigned *acc);

/* The operation in flight on VCPU v, or NULL if v is idle. */
struct mt_sim_op *mt_sim_op_of(struct mt_sim *sim, unsigned v);

/* Record the first finding of this run (later ones are ignored).
 * inv: "I7", "deadlock", ...; handle: MT_INVALID_HANDLE if none. */
void mt_sim_fail(struct mt_sim *sim, const char *inv, mt_handle_t handle, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int mt_sim_failed(const struct mt_sim *sim);

/*
 * Blame: what the engine knew when the first finding of a run was
 * recorded, for a signature computed from that one run (fuzz/known).
 * A preemption is a stop by the schedule (not a lock wait) after which
 * another VCPU ran before the stopped one resumed; the window holds the
 * preemptions since the last quiescent point that passed, in order.
 */
enum mt_sim_phase {
	MT_PHASE_NONE,       /* no finding */
	MT_PHASE_OP,         /* while an operation ran or returned (vcpu, op) */
	MT_PHASE_QUIESCENT,  /* at a quiescent point (op: the last to return, or NOP) */
	MT_PHASE_FINAL,      /* at the final check of the run */
	MT_PHASE_END,        /* after destroy (leaks), create, deadlocks */
};
#define MT_SIM_BLAME_WINDOW 16u
struct mt_sim_preemption {
	uint8_t vcpu, op;    /* op: enum mt_in_op */
	int site;            /* this run's site id */
};
struct mt_sim_blame {
	enum mt_sim_phase phase;
	char inv[32];        /* "I5", "deadlock", ... */
	int vcpu;            /* the detecting VCPU, -1 if none */
	uint8_t op;          /* its operation (enum mt_in_op), or MT_OP_NOP */
	int op_preempt;      /* the last site where that operation was preempted, -1 */
	int hint;            /* mt_sim_blame_site() before the finding, else -1 */
	int other;           /* mt_sim_blame_pair()'s second site, else -1 */
	unsigned nwin;       /* preemptions in the window (capped) */
	struct mt_sim_preemption win[MT_SIM_BLAME_WINDOW];
};
/* A checker about to report may name the site that decided the finding
 * (I11: where the other VCPU made the private access it was stopped
 * after); it becomes the blame's hint.  -1: none (the default). */
void mt_sim_blame_site(struct mt_sim *sim, int site);
/* The same for a finding made of two accesses (I11: the claim and the
 * access that broke it; I12: the two racing accesses): site becomes the
 * hint, other the blame's other.  The signature names the pair, sorted. */
void mt_sim_blame_pair(struct mt_sim *sim, int site, int other);
/* The blame of the last run's finding (phase NONE if it ran clean). */
const struct mt_sim_blame *mt_sim_blame(const struct mt_sim *sim);

#endif /* MT_FUZZ_ENGINE_SIM_H */
