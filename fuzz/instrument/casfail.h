/* casfail.h - instrumented code for the failure-order test (BUILD,
 * casfail_*): message passing where the reader learns of the message
 * from a compare-and-swap that FAILS.  A failed CAS is a load with its
 * failure order: relaxed, it synchronizes with nothing, and the reader's
 * plain read of the data races with the writer's plain write; acquire
 * (reading the writer's release store), it is ordered. */
#ifndef MT_FUZZ_INSTRUMENT_CASFAIL_H
#define MT_FUZZ_INSTRUMENT_CASFAIL_H

#include <stdatomic.h>
#include <stdint.h>

struct casfail {
	uint32_t data;               /* plain: published by flag */
	_Atomic uint32_t flag;       /* 0, then 1 (published) */
};

/* data = 1, then flag = 1 (release). */
void casfail_publish(struct casfail *m);
/* CAS flag 0 -> 2 (acquire on success; on failure relaxed or acquire);
 * when it fails (flag published), reads data.  Returns what it read, or
 * 0 when the CAS succeeded. */
uint32_t casfail_claim_relaxed(struct casfail *m);
uint32_t casfail_claim_acquire(struct casfail *m);

#endif
