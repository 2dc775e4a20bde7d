"""The zoo's sources, for lib/variants/BUILD and the instrumented copy
(fuzz/instrument/BUILD: zoo_ix)."""

VARIANT_SRCS = [
    # historical
    "v7_plain_link.c",
    "v7_take_last.c",
    "b1_xsa228_aba.c",
    "b2_stale_sentinel.c",
    "b3_double_put.c",
    "b4a_limit_before_page.c",
    "b4b_grow_plain_head.c",
    "b5_oom_no_steal.c",
    # seeded mutants
    "m_sentinel_no_owner.c",
    "m_destroy_leak.c",
    "m_hand_out_early.c",
    "m_steal_takes_last.c",
    "m_prepend_resets_tail.c",
    "m_slow_threads_first.c",
    "m_first_fill_no_tail.c",
    "m_pop_unlock_early.c",
    # weak memory: orderings weakened (seen under the c11 model) and a
    # plain read of an atomically written field (a data race)
    "w_relaxed_next.c",
    "w_relaxed_limit.c",
    "w_plain_limit_read.c",
    # several bugs of different depth in one implementation
    "multi_bug.c",
]
