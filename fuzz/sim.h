/*
 * sim.h - the deterministic VCPU simulator.
 *
 * Each simulated VCPU runs its current operation (get, put, grow) as a
 * cooperative context (a fiber with its own stack) inside the calling
 * thread.  The library, built with -DMT_SCHED_HOOK, calls mt_sched_point()
 * before every shared access and lock attempt; the simulator decides there,
 * from the program's records, whether the running VCPU goes on or stops.
 * A VCPU that finds a lock held (mt_sched_blocked()) stops until the lock
 * is free.  No real threads, no clocks, no randomness, no addresses in any
 * decision: the same program gives the same run, always.
 *
 * Findings: every bound-exceeded run (livelock), every state where all
 * VCPUs with work wait for a lock (deadlock), and every oracle violation
 * stop the run; mt_sim_run() returns 1 and mt_sim_finding() says why.
 */
#ifndef MT_FUZZ_SIM_H
#define MT_FUZZ_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "fuzz/input.h"
#include "lib/maptrack.h"

/* Schedule points one operation may pass before the run is called a livelock. */
#define MT_SIM_OP_POINT_BOUND 20000u

/* One operation in flight on a VCPU (what the oracle needs to judge it). */
struct mt_sim_op {
	uint8_t kind;            /* enum mt_in_op (never NOP) */
	uint8_t arg;
	uint8_t legit;           /* put of a held handle (must succeed) */
	uint8_t bad_flavour;     /* enum mt_in_bad, for put-bad */
	uint8_t overlapped;      /* another operation was in flight at some time */
	uint8_t got_in_window;   /* put-bad: a get handed out its handle meanwhile */
	uint8_t random_calls;    /* steal random values used */
	uint8_t epilogue;        /* started by the end-of-run clean-up */
	mt_handle_t handle;      /* put: the handle; get: the result */
	mt_handle_t limit_at_start;
	unsigned nr_frames_at_start;
	unsigned alloc_ok, alloc_fail;
	unsigned points;
	int rc;
	int holder;              /* put: who held the handle at start (-1: nobody) */
	int record;              /* index of the record that started it; -1 drain, -2 epilogue */
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
};

struct mt_ev {
	int32_t record;
	uint8_t type, vcpu, op, aux;
	int16_t site;
	int32_t rc;
	uint32_t handle;
	uint32_t points;
};

#define MT_SIM_TRACE_RING 1024u

/* Run a program against ops.  trace: NULL for silent (fuzzing), else the
 * readable interleaving is printed there as it happens (decode).  Returns 0
 * clean, 1 finding. */
int mt_sim_run(const struct mt_program *p, const struct mt_ops *ops, FILE *trace);

/* After a run that returned 1: the finding's one-line description. */
const char *mt_sim_finding(void);

/* Print the finding and the interleaving that led to it (the trace ring). */
void mt_sim_report(FILE *out);

/* From a fatal signal handler (best effort, not async-signal-safe: the
 * process is about to die anyway): report a crash of the running VCPU as
 * a finding, with the interleaving up to it. */
void mt_sim_report_crash(FILE *out, const char *what);

/* Interleaving coverage: if set (a 64 x 64 array), the simulator bumps
 * counters[(preempted site % 64) * 64 + (site run next % 64)] at every
 * switch between VCPUs.  NULL: off. */
extern uint8_t *mt_sim_pair_counters;

/* Statistics of the last run (for tests and tools). */
struct mt_sim_stats {
	unsigned ops_started, ops_done, stops, blocks, quiescent_checks, points;
	unsigned claim_overflows;    /* private accesses not tracked (too many in a row) */
};
const struct mt_sim_stats *mt_sim_stats(void);

/* ---- used by the explorer (tools/explore) ---- */

/* 1 (default): check every private claim of the site table (I11).  0: do
 * not (tools/explore --depth --no-i11 measures how deep a bug is before
 * it corrupts the lists; the explorer must not prune then). */
extern int mt_sim_check_claims;

/* Called for every trace event with the record being played (NULL in the
 * drain and the epilogue).  NULL: off. */
extern void (*mt_sim_event_hook)(const struct mt_ev *e, const struct mt_in_record *r);

/* A record source: fill *r and return 1, or return 0 (no more records). */
typedef int (*mt_sim_feed_fn)(void *ctx, struct mt_in_record *r);

/* Run p's header against ops with records from feed instead of p's own:
 * each record is appended to p (p->nr_records starts at 0) before it is
 * played, so p ends as the program that was run, replayable by
 * mt_sim_run().  The feed is asked for the next record whenever the
 * previous one has ended, and may look at the VCPUs with mt_sim_vcpu(). */
int mt_sim_run_fed(struct mt_program *p, const struct mt_ops *ops, FILE *trace,
                   mt_sim_feed_fn feed, void *ctx);

/* What VCPU v is doing between records. */
enum mt_sim_vcpu_state {
	MT_SIM_IDLE,      /* no operation */
	MT_SIM_PARKED,    /* stopped by the schedule before *site */
	MT_SIM_BLOCKED,   /* waiting at *site for a lock that is held */
	MT_SIM_WAKEABLE,  /* waiting at *site for a lock that is free now */
	MT_SIM_DEAD,      /* stopped for good (livelock) */
};
int mt_sim_vcpu(unsigned v, int *site);

/* ---- used by the oracle ---- */

/* Record the first finding of this run (later ones are ignored).
 * inv: "I7", "deadlock", ...; handle: MT_INVALID_HANDLE if none. */
void mt_sim_fail(const char *inv, mt_handle_t handle, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int mt_sim_failed(void);

/* The operation in flight on VCPU v, or NULL if v is idle. */
struct mt_sim_op *mt_sim_op_of(unsigned v);

#endif /* MT_FUZZ_SIM_H */
