/* zoo_ix_prelude.h - put before a lib/variants/ file by the zoo_ix_srcs
 * genrule (see zoo_ix.c): no schedule hook, production's and the
 * variants' external names renamed, the registration made again as -ix. */
#undef MT_SCHED_HOOK
#include "fuzz/instrument/ix_renames.h"
#include "fuzz/instrument/zoo_renames.h"
#define mt_ops_register mt_ix_zoo_register
