/*
 * zoo.c - the registry of the bug zoo: every variant, its origin, the
 * invariants it breaks and the engines that can see it.  One line per
 * variant in MT_ZOO_LIST keeps mt_zoo[] and mt_zoo_info[] in step.
 * Engines are named as in zoo.h; the "I*" codes are those of
 * shared/maptrack-history.md section 3 (mt_verify() reports I1-I9).
 */
#include <string.h>

#include "lib/variants/zoo.h"

/* X(symbol, origin, breaks, detected_by, sequential, stress_scenarios) */
#define MT_ZOO_LIST(X) \
	/* historical */ \
	X(mt_zoo_v7_plain_link, "v7 review of the 2015 per-VCPU lists (plain link store/reads; merged dff515dfea used atomics)", \
	  "race", "tsan", 0, "remote_put") \
	X(mt_zoo_v7_take_last, "v7 restriction dropped (2015 design rule: keep one entry per list)", \
	  "I3 I1 I9 I6", "sim stress", 1, "grow") \
	X(mt_zoo_b1_xsa228_aba, "XSA-228 part 1 (B1), Xen e76ff6c156..02cbeeb620", \
	  "I5 I4 I7 I9 I6", "sim stress", 0, "steal") \
	X(mt_zoo_b2_stale_sentinel, "XSA-228 part 2 (B2), Xen e76ff6c156..02cbeeb620", \
	  "I2 I5 I7 I9", "sim stress", 1, "steal") \
	X(mt_zoo_b3_double_put, "XSA-218 bug 2 / CVE-2017-10914 (B3), Xen dff515dfea..b7f6cbb9d4", \
	  "I7 I2", "sim stress", 1, "hostile") \
	X(mt_zoo_b4a_limit_before_page, "XSA-218 maptrack accesses (B4a), Xen dff515dfea..4b78efa91c", \
	  "I8", "sim stress", 0, "grow") \
	X(mt_zoo_b4b_grow_plain_head, "XSA-218 maptrack accesses (B4b), Xen dff515dfea..4b78efa91c (reachable with d02f1a0b75)", \
	  "I5 I4 I6 I7", "sim stress", 0, "grow") \
	X(mt_zoo_b5_oom_no_steal, "spurious allocation failure (B5), Xen 02cbeeb620..d02f1a0b75", \
	  "I10", "sim", 1, "") \
	/* seeded mutants */ \
	X(mt_zoo_m_sentinel_no_owner, "mutant", "I4", "sim stress", 1, "grow") \
	X(mt_zoo_m_destroy_leak, "mutant", "leak", "lsan", 1, "") \
	X(mt_zoo_m_hand_out_early, "mutant", "I5 I4 I7 I9", "sim stress", 0, "grow") \
	X(mt_zoo_m_steal_takes_last, "mutant", "I3 I1", "sim stress", 1, "grow") \
	X(mt_zoo_m_prepend_resets_tail, "mutant", "I2 I6", "sim stress", 1, "grow") \
	X(mt_zoo_m_slow_threads_first, "mutant", "I5 I7 I4", "sim stress", 1, "grow") \
	X(mt_zoo_m_first_fill_no_tail, "mutant", "I1", "sim stress", 1, "grow") \
	X(mt_zoo_m_pop_unlock_early, "mutant", "I7 I5", "sim stress", 0, "steal")

#define ZOO_DECLARE(sym, origin, breaks, engines, seq, scenarios) extern const struct mt_ops sym;
MT_ZOO_LIST(ZOO_DECLARE)
#undef ZOO_DECLARE

const struct mt_ops *const mt_zoo[] = {
#define ZOO_OPS(sym, origin, breaks, engines, seq, scenarios) &sym,
	MT_ZOO_LIST(ZOO_OPS)
#undef ZOO_OPS
	NULL,
};

const struct mt_variant_info mt_zoo_info[] = {
#define ZOO_INFO(sym, origin_, breaks_, engines, seq, scenarios) \
	{ .ops = &sym, .origin = origin_, .breaks = breaks_, .detected_by = engines, .sequential = seq, \
	  .stress_scenarios = scenarios },
	MT_ZOO_LIST(ZOO_INFO)
#undef ZOO_INFO
	{ 0 },
};

const struct mt_ops *mt_impl_find(const char *name)
{
	const struct mt_ops *ops = mt_ops_find(name);

	if (ops || !name)
		return ops;
	for (const struct mt_ops *const *o = mt_zoo; *o; o++)
		if (!strcmp((*o)->name, name))
			return *o;
	return NULL;
}

const struct mt_variant_info *mt_variant_info(const char *name)
{
	if (!name)
		return NULL;
	for (const struct mt_variant_info *i = mt_zoo_info; i->ops; i++)
		if (!strcmp(i->ops->name, name))
			return i;
	return NULL;
}
