/*
 * shim/urcu/uatomic.h - liburcu 0.13's own generic atomics (compiler
 * __sync builtins) instead of its x86 inline assembly, without editing
 * liburcu: this directory comes first on the include path, so
 * <urcu/uatomic.h> is this file.  The instrumentation sees builtins (each
 * CAS of the lfstack a schedule point) and not inline assembly.  The
 * header guard is liburcu's, so the real file is never read after this.
 */
#ifndef _URCU_UATOMIC_H
#define _URCU_UATOMIC_H

#include <urcu/arch.h>
#include <urcu/uatomic/generic.h>

#endif /* _URCU_UATOMIC_H */
