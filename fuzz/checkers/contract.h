/*
 * contract.h - the generic free-list contract, for code that exposes only
 * its API (no maptrack introspection).
 *
 * A user's free list plugs in through an adapter (struct mt_fl_adapter):
 * create, destroy, get(vcpu) -> handle or empty, put(vcpu, handle), and
 * what it promises.  MT_FL_REGISTER(adapter) turns it into an
 * implementation of the registry (struct mt_ops, found by --impl / MT_IMPL
 * like any other), whose sites are the instrumented code's
 * (fuzz/instrument/ix.h) unless the adapter names its own.
 *
 * The contract observer (mt_contract_observer) takes the workload role
 * (it keeps the book of who holds which handle) and checks:
 *   C1 no handle handed out twice (a get returns a handle somebody holds)
 *   C2 a valid put (a handle its caller, or with remote_put any VCPU,
 *      holds) is accepted
 *   C3 a bad put (declared refused) is refused, unless a get that
 *      overlapped it could have handed its handle out meanwhile
 *   C4 a get that runs alone fails only when the free handles are within
 *      the kept entries of the initialised lists and the other VCPUs'
 *      reserves (after an injected allocation failure: the free handles
 *      that exist; under c11: a get whose loads all read the newest
 *      store; a stale read may fail a get)
 *   C5 at the end, with every handle put back and the VCPUs drained, gets
 *      hand out exactly the capacity minus the kept entries (when
 *      declared), no duplicates
 *   C6 every handle is below the adapter's handle limit (garbage handles
 *      are a finding naming the adapter, never a crash of the tool)
 * Crashes, ASan reports, deadlocks and livelocks are the engine's.
 *
 * What the input's fields mean for an adapter: nr_vcpus is passed to
 * create; per_page and max_frames are passed too (an adapter may size
 * itself from them, or ignore them); grow records call the adapter's grow
 * if it has one and are no-ops otherwise; allocation failures are injected
 * only where the adapter takes the engine's allocator (cfg->alloc), never
 * into malloc calls inside user code.
 */
#ifndef MT_FUZZ_CHECKERS_CONTRACT_H
#define MT_FUZZ_CHECKERS_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz/engine/sim.h"
#include "lib/maptrack.h"

struct mt_fl_adapter {
	const char *name;            /* implementation name (--impl) */
	const char *summary;
	/* A fresh free list; NULL on failure.  cfg: geometry and allocator. */
	void *(*create)(const struct mt_config *cfg);
	void (*destroy)(void *fl);
	/* 1: *out is a handle now held by vcpu; 0: empty. */
	int (*get)(void *fl, unsigned vcpu, uint32_t *out);
	/* 0: accepted; anything else: refused. */
	int (*put)(void *fl, unsigned vcpu, uint32_t h);
	/* Optional: add capacity (0 ok). */
	int (*grow)(void *fl, unsigned vcpu);
	/* Handles the list can ever hand out are < this (given the list);
	 * also the capacity checked by C5 when capacity_exact is set. */
	unsigned (*handle_limit)(void *fl);
	bool capacity_exact;         /* C4, C5: gets hand out exactly handle_limit() minus
	                              * kept_per_list for each initialised list */
	unsigned reserve;            /* free handles one VCPU may keep from the others (C4) */
	/* Free entries each initialised list keeps that no get ever hands out
	 * (a tail sentinel: 1; Xen's maptrack and lib/maptrack.c). */
	unsigned kept_per_list;
	/* Optional: how many lists keep kept_per_list entries now (called at
	 * quiescent points only).  NULL: every VCPU's list, from creation. */
	unsigned (*lists_initialised)(void *fl);
	/* Optional: how many handles exist now (below it; pages allocated so
	 * far), for a list that allocates through cfg->alloc.  After an
	 * allocation the engine failed, C4 and C5 count only these; without
	 * it such a failed get is not judged, nor C5's count after a failed
	 * allocation in the end-of-run gets.  Bad puts aim at its end (as the
	 * maptrack oracle's aim at the table's limit).  Called between
	 * operations, also while others are stopped inside theirs: it must
	 * only read (no lock). */
	unsigned (*handles_now)(void *fl);
	bool remote_put;             /* put from a VCPU other than the getter allowed */
	bool bad_puts_refused;       /* false: bad puts are undefined, the fuzzer issues none */
	bool races;                  /* I12: a data race (a plain access unordered by happens-
	                              * before with another access of it) is a finding */
	/* Sites: NULL = the instrumented code's (fuzz/instrument). */
	const struct mt_site_table *const *site_tables;
};

/* The bridge: an mt_ops for an adapter (MT_FL_REGISTER defines one). */
int mt_fl_create(const struct mt_fl_adapter *a, const struct mt_ops *ops, const struct mt_config *cfg,
                 struct mt_table **out);
void mt_fl_destroy(struct mt_table *t);
int mt_fl_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out);
int mt_fl_put(struct mt_table *t, unsigned vcpu, mt_handle_t h);
int mt_fl_grow(struct mt_table *t, unsigned vcpu);
/* The adapter of a table made by mt_fl_create, or NULL for any other table. */
const struct mt_fl_adapter *mt_fl_adapter_of(const struct mt_ops *ops);

/* The instrumented code's sites (fuzz/instrument/ix.h); weak: adapters
 * with their own tables link without the instrumentation runtime. */
extern const struct mt_site_table *const mt_ix_site_tables[] __attribute__((weak));

#define MT_FL_REGISTER(adapter)                                                         \
	static struct mt_ops mt_fl_ops_##adapter;                                       \
	static int mt_fl_create_##adapter(const struct mt_config *cfg, struct mt_table **out) \
	{ return mt_fl_create(&adapter, &mt_fl_ops_##adapter, cfg, out); }             \
	__attribute__((constructor(101))) static void mt_fl_init_##adapter(void)        \
	{                                                                               \
		mt_fl_ops_##adapter = (struct mt_ops){                                  \
			.name = adapter.name, .summary = adapter.summary,               \
			.create = mt_fl_create_##adapter, .destroy = mt_fl_destroy,     \
			.get = mt_fl_get, .put = mt_fl_put, .grow = mt_fl_grow,         \
			.site_tables = adapter.site_tables ? adapter.site_tables        \
			                                   : mt_ix_site_tables };       \
		mt_fl_register_adapter(&mt_fl_ops_##adapter, &adapter);                 \
	}                                                                               \
	MT_REGISTER_IMPL(mt_fl_ops_##adapter, 3, &adapter)

void mt_fl_register_adapter(const struct mt_ops *ops, const struct mt_fl_adapter *a);

/* ---- the observer ---- */

struct mt_contract;
struct mt_contract *mt_contract_new(void);
void mt_contract_free(struct mt_contract *c);
extern const struct mt_sim_observer mt_contract_observer;

#endif /* MT_FUZZ_CHECKERS_CONTRACT_H */
