/* shim/urcu/uatomic.h - liburcu 0.13's generic uatomic (compiler
 * builtins) in place of its x86 inline assembly, without editing liburcu.
 * Found before the system's <urcu/uatomic.h> through -I (BUILD); takes
 * that header's include guard, so the x86 file is never read.  The two
 * defines are what urcu/uatomic/x86.h declares before it includes
 * generic.h: x86 has byte and short atomics. */
#ifndef _URCU_UATOMIC_H
#define _URCU_UATOMIC_H

#include <urcu/arch.h>

#define UATOMIC_HAS_ATOMIC_BYTE
#define UATOMIC_HAS_ATOMIC_SHORT
#include <urcu/uatomic/generic.h>

#endif
