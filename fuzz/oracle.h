/*
 * oracle.h - the shadow model and the invariants I1-I10
 * (shared/maptrack-history.md section 3).
 *
 * A shadow state per handle (free / held by v / being put by an operation)
 * is updated only from what operations return, never from the library's
 * own state.  It is checked after every operation that returns, and the
 * whole table is walked independently (ops->view, list_ends, entry) at
 * every quiescent point and at the end; mt_verify() is called too and its
 * failure is a finding.  Violations go to mt_sim_fail().
 */
#ifndef MT_FUZZ_ORACLE_H
#define MT_FUZZ_ORACLE_H

#include <stdio.h>

#include "fuzz/input.h"
#include "fuzz/sim.h"
#include "lib/maptrack.h"

/* A fresh table: reset the shadow. */
void mt_oracle_begin(const struct mt_program *p, const struct mt_ops *ops, struct mt_table *t);

/* VCPU v is about to start record r's operation (kind != NOP): resolve the
 * handle of a put into op.  Returns 0 if there is nothing to do (a put with
 * no candidate handle), else 1.  in_flight: operations already running. */
int mt_oracle_start(unsigned v, const struct mt_in_record *r, struct mt_sim_op *op, unsigned in_flight);

/* VCPU v's operation returned: check its result, update the shadow. */
void mt_oracle_done(unsigned v, struct mt_sim_op *op);

/* No operation is in flight: walk the table, check I1-I10.  final: the
 * end of the run (mt_verify() is called too).  trace: print the lists
 * there (decode) or NULL. */
void mt_oracle_quiescent(FILE *trace, int final);

/* Pages allocated and not freed (0 after destroy, or the table leaks). */
int mt_oracle_pages_live(void);

/* Epilogue: a handle held by v that a put-own with idx 0 would pick, or
 * MT_INVALID_HANDLE if v holds none. */
mt_handle_t mt_oracle_first_held(unsigned v);

/* Page allocator bookkeeping (pages alive now). */
void mt_oracle_page_allocated(void);
void mt_oracle_page_freed(void);

#endif /* MT_FUZZ_ORACLE_H */
