/*
 * blind.h - what the runtime cannot see in instrumented code.
 *
 * Inline assembly is invisible to clang's ThreadSanitizer pass: an atomic
 * written as `lock cmpxchg` in an asm statement (liburcu 0.13's x86
 * uatomic, concurrencykit without CK_USE_CC_BUILTINS) calls no hook, so it
 * is no schedule point and the simulator never stops a VCPU there.  At
 * start-up (ix.c's scan) mt_blind_scan() looks at the machine code of
 * every instrumented function for atomic and fence instructions (a lock
 * prefix, xchg with memory, mfence/lfence/sfence, cmpxchg8b/16b) and
 * names each function that has them, with the count.
 *
 * How the scan works, and what it costs: the functions' bounds come from
 * the executable's symbol table; a byte scan of each function looks for
 * the encodings of those instructions.  A byte can match inside another
 * instruction (a displacement of 0xf0 is -16), so every function with a
 * match is disassembled by llvm-objdump-14 (one run, only those
 * functions), and only instructions the disassembler confirms count.  A
 * clean build usually runs no disassembler at all.
 *
 * What happens then is the runtime's policy, MT_IX_ASM:
 *   warn  (default) the warning on stderr, once, and in --sites
 *   fail  the warning, then exit 2 (freelist_fuzz_suite's fuzz and explore
 *         tests set it unless the suite says allow_asm = True)
 *   allow no warning
 *
 * A second blind spot is found while running (mt_ix_observer): an
 * adapter operation (get, or a put of a held handle) that passed no
 * schedule point in any of MT_BLIND_OPS calls of one run: its code calls
 * no hook (not built by the macro, a shared library, assembly).  Reported
 * once, on stderr; MT_IX_ASM=fail makes it exit 2 as well.
 */
#ifndef MT_FUZZ_INSTRUMENT_BLIND_H
#define MT_FUZZ_INSTRUMENT_BLIND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/engine/sim.h"

#define MT_BLIND_OPS 8u

/* pcs: return addresses of hook calls found in instrumented machine
 * functions (any number per function); bias: the executable's load bias.
 * Names the functions with blind spots (see mt_blind_print). */
void mt_blind_scan(const uintptr_t *pcs, size_t n, uintptr_t bias);

/* Functions with blind spots found by the scan. */
unsigned mt_blind_nr(void);

/* The warning: one line per function, "prefix" before each. */
void mt_blind_print(FILE *out, const char *prefix);

/* A hook called from pc, which the scan did not find (uninstrumented code:
 * a shared library such as liburcu's, the adapter): its function and
 * object ("synchronize_rcu_memb+0x4f in liburcu-memb.so.8") as text and as
 * a site identifier ([A-Za-z0-9_.-]).  Not for the hot path. */
void mt_blind_describe(uintptr_t pc, uintptr_t bias, char *id, size_t idcap, char *text, size_t cap);

/* Microseconds the scan took (its figure in docs/bring-your-own.md). */
unsigned long mt_blind_scan_us(void);

/* The observer that counts schedule points per adapter operation
 * (attached by the harness to adapter runs when the runtime is linked). */
extern const struct mt_sim_observer mt_ix_observer;

#endif
