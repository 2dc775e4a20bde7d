/*
 * adapter.c - our production library (lib/maptrack.c) and every variant of
 * the bug zoo (lib/variants/), as free lists judged by the generic
 * contract ALONE (fuzz/checkers/contract.h): no maptrack oracle, no
 * introspection beyond two counts the contract asks for.
 *
 * Each adapter drives an instrumented copy that already exists
 * (fuzz/instrument: production_ix.c registers "production-ix", zoo_ix.c
 * "<variant>-ix"), found by name when a table is made.  What production
 * promises, told the contract:
 *   - every put of a handle in use is accepted from any VCPU (remote_put);
 *   - every other put (out of range, never handed out, already put) is
 *     refused (bad_puts_refused: the fuzzer then issues hostile puts);
 *   - gets hand out max_frames * per_page handles in all (capacity_exact),
 *     except one entry per initialised list: the tail sentinel that no get
 *     takes (kept_per_list = 1; a list is initialised once its head is set);
 *   - pages come from the engine's allocator: after a failure, only the
 *     handles below the table's limit exist (handles_now).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/checkers/contract.h"
#include "lib/mt_internal.h"

static void *create_named(const char *impl, const struct mt_config *cfg)
{
	const struct mt_ops *ops = mt_ops_find(impl);
	struct mt_table *t = NULL;

	if (!ops) {
		fprintf(stderr, "production_contract: '%s' is not linked in (fuzz/instrument:zoo_ix)\n", impl);
		abort();
	}
	return ops->create(cfg, &t) == MT_OK ? t : NULL;
}

static void destroy(void *fl) { mt_destroy(fl); }
static int get(void *fl, unsigned v, uint32_t *h) { return mt_get(fl, v, h) == MT_OK; }
static int put(void *fl, unsigned v, uint32_t h) { return mt_put(fl, v, h) == MT_OK ? 0 : -1; }
static int grow(void *fl, unsigned v) { return mt_grow(fl, v) == MT_OK ? 0 : -1; }

static unsigned limit(void *fl)
{
	const struct mt_table *t = fl;
	return t->cfg.max_frames * t->cfg.per_page;
}

/* Read as the maptrack oracle reads a quiescent table (relaxed loads of
 * the fields, outside the instrumentation). */
static unsigned lists_initialised(void *fl)
{
	const struct mt_pv_table *t = fl;
	unsigned n = 0;

	for (unsigned v = 0; v < t->base.cfg.nr_vcpus; v++)
		n += atomic_load_explicit(&t->vcpus[v].head, memory_order_relaxed) != MT_TAIL;
	return n;
}

static unsigned handles_now(void *fl)
{
	const struct mt_pv_table *t = fl;
	return atomic_load_explicit(&t->limit, memory_order_relaxed);
}

#define PV_ADAPTER(sym, impl, name_, summary_, ...)                                   \
	static void *create_##sym(const struct mt_config *cfg) { return create_named(impl, cfg); } \
	static const struct mt_fl_adapter sym = {                                     \
		.name = name_, .summary = summary_, .create = create_##sym,           \
		.destroy = destroy, .get = get, .put = put, .grow = grow,             \
		.handle_limit = limit, .capacity_exact = true, .kept_per_list = 1,    \
		.lists_initialised = lists_initialised, .handles_now = handles_now,   \
		.remote_put = true, .bad_puts_refused = true, __VA_ARGS__ };          \
	MT_FL_REGISTER(sym)

PV_ADAPTER(production_contract, "production-ix", "production-contract",
           "lib/maptrack.c (instrumented) judged by the generic contract alone")

/* Every zoo variant, as <variant>-contract (the registry check of
 * contract_oracle_test.c fails when one is missing). */
#define ZOO(sym, name_) \
	PV_ADAPTER(zoo_##sym, name_ "-ix", name_ "-contract", name_ " (instrumented) judged by the generic contract alone")

ZOO(v7_plain_link, "v7-plain-link")
ZOO(v7_take_last, "v7-take-last")
ZOO(b1, "b1-xsa228-aba")
ZOO(b2, "b2-stale-sentinel")
ZOO(b3, "b3-double-put")
ZOO(b4a, "b4a-limit-before-page")
ZOO(b4b, "b4b-grow-plain-head")
ZOO(b5, "b5-oom-no-steal")
ZOO(m_sentinel_no_owner, "m-sentinel-no-owner")
ZOO(m_destroy_leak, "m-destroy-leak")
ZOO(m_hand_out_early, "m-hand-out-early")
ZOO(m_steal_takes_last, "m-steal-takes-last")
ZOO(m_prepend_resets_tail, "m-prepend-resets-tail")
ZOO(m_slow_threads_first, "m-slow-threads-first")
ZOO(m_first_fill_no_tail, "m-first-fill-no-tail")
ZOO(m_pop_unlock_early, "m-pop-unlock-early")
ZOO(w_relaxed_next, "w-relaxed-next")
ZOO(w_relaxed_limit, "w-relaxed-limit")
ZOO(w_plain_limit_read, "w-plain-limit-read")
ZOO(multi_b2_b1, "multi-b2-b1")
ZOO(multi_b5_b1, "multi-b5-b1")
ZOO(multi_b3_pop_unlock, "multi-b3-pop-unlock")

/* The two data-race variants break no clause of the contract (their lists
 * stay right under every schedule): with .races the byo harness adds the
 * race detector (I12), as the oracle's harness always has it. */
PV_ADAPTER(races_v7_plain_link, "v7-plain-link-ix", "v7-plain-link-contract-races",
           "v7-plain-link (instrumented), the contract and the race detector", .races = true)
PV_ADAPTER(races_w_plain_limit_read, "w-plain-limit-read-ix", "w-plain-limit-read-contract-races",
           "w-plain-limit-read (instrumented), the contract and the race detector", .races = true)
