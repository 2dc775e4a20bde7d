/* vstale.h - instrumented code for vstale_test (built with volatile =
 * "relaxed"): volatile stores and loads of each size the memory model
 * tracks, kernel style (READ_ONCE / WRITE_ONCE). */
#ifndef MT_FUZZ_INSTRUMENT_VSTALE_H
#define MT_FUZZ_INSTRUMENT_VSTALE_H
#include <stdint.h>

struct vstale_vals {
	uint8_t x1;
	uint16_t x2;
	uint32_t x4;
	uint64_t x8;
};

/* WRITE_ONCE of each field of *v into *s. */
void vstale_write(struct vstale_vals *s, const struct vstale_vals *v);
/* READ_ONCE of each field of *s (x1 first, x8 last: four schedule points
 * and nothing else), then *out = what they read. */
void vstale_read(struct vstale_vals *s, struct vstale_vals *out);
/* Plain reads of each field of *s into *out. */
void vstale_plain(struct vstale_vals *s, struct vstale_vals *out);
#endif
