/*
 * zoo.h - the bug zoo: one per-VCPU implementation per historical or seeded
 * bug, behind the same operations table as the production library.
 *
 * Never linked into //lib:maptrack: the zoo is built only against
 * //lib:maptrack_hooked (the schedule hook is what lets the simulator, the
 * fuzzers and the scripted tests reach each bug's window).  Each variant is
 * a file in this directory that reuses every production step of
 * lib/mt_internal.h but the one it breaks; its header comment gives the
 * origin, the change, the triggering interleaving and what breaks.
 *
 * Each variant registers itself in its own file (MT_ZOO_REGISTER, below):
 * linking the file is what puts it in the zoo.  Names, origins and
 * expected violations: mt_zoo_at(), mt_variant_info() (and docs/library.md).
 */
#ifndef MT_VARIANTS_ZOO_H
#define MT_VARIANTS_ZOO_H

#include "lib/maptrack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Any registered implementation by name (mt_ops_find); NULL if unknown. */
const struct mt_ops *mt_impl_find(const char *name);

/* What a variant is and who can see it. */
struct mt_variant_info {
	const struct mt_ops *ops;
	/* where the bug comes from: "XSA-228 part 1 (B1), Xen e76ff6c156..02cbeeb620",
	 * or "mutant" for a seeded slip */
	const char *origin;
	/* invariants expected to break (shared/maptrack-history.md section 3),
	 * space-separated, most telling first: "I5 I7 I2"; "race" for a data race
	 * that breaks no invariant */
	const char *breaks;
	/* engines that can see it, space-separated:
	 *   sim     deterministic simulator / fuzzers (oracle + mt_verify)
	 *   race    the simulator's happens-before race detector (finding I12;
	 *           fuzzers, explorer, replay)
	 *   c11     the simulator under the c11 memory model (a load reading an
	 *           older store, chosen by the input's read-from records)
	 *   tsan    ThreadSanitizer data race
	 *   stress  real-thread invariant check (conservation + mt_verify)
	 *   lsan    leak at destroy */
	const char *detected_by;
	/* 1 if a single-threaded schedule triggers it with operations run one
	 * after another (no operation stalled inside another); 0 if it needs an
	 * interleaving (a simulator schedule point, or real threads) */
	int sequential;
	/* the stress/ scenarios (//stress:stress --scenario) whose window fits
	 * the bug, space-separated, best first: "grow", "steal mixed".
	 * bugbench's TSan column runs them in turn; "" = every scenario */
	const char *stress_scenarios;
	/* 0 or 1: one bug (every MT_ZOO_REGISTER variant).  >= 2: a multi-bug
	 * variant (MT_ZOO_REGISTER_MULTI): tests that take one bug per variant
	 * (scripted detection) skip it; `sequential` and `breaks` describe
	 * its shallowest bug. */
	unsigned bugs;
};

/* The i-th variant in listing order (by name), or NULL past the end. */
const struct mt_variant_info *mt_zoo_at(unsigned i);

/* In a variant's file: its description, and its registration (rank 2). */
#define MT_ZOO_REGISTER(sym, origin_, breaks_, detected_by_, sequential_, stress_)   \
	static const struct mt_variant_info mt_variant_info_##sym = {           \
		.ops = &sym, .origin = origin_, .breaks = breaks_,              \
		.detected_by = detected_by_, .sequential = sequential_,         \
		.stress_scenarios = stress_ };                                  \
	MT_REGISTER_IMPL(sym, 2, &mt_variant_info_##sym)

/* A variant with several bugs of different depth (lib/variants/multi_bug.c). */
#define MT_ZOO_REGISTER_MULTI(sym, origin_, breaks_, detected_by_, sequential_, bugs_)      \
	static const struct mt_variant_info mt_variant_info_##sym = {           \
		.ops = &sym, .origin = origin_, .breaks = breaks_,              \
		.detected_by = detected_by_, .sequential = sequential_,         \
		.bugs = bugs_, .stress_scenarios = "" };                        \
	MT_REGISTER_IMPL(sym, 2, &mt_variant_info_##sym)

/* The info of a zoo variant by name; NULL for builtins and unknown names. */
const struct mt_variant_info *mt_variant_info(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* MT_VARIANTS_ZOO_H */
