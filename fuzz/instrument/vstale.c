/* vstale.c - see vstale.h. */
#include "fuzz/instrument/vstale.h"

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

void vstale_write(struct vstale_vals *s, const struct vstale_vals *v)
{
	WRITE_ONCE(s->x1, v->x1);
	WRITE_ONCE(s->x2, v->x2);
	WRITE_ONCE(s->x4, v->x4);
	WRITE_ONCE(s->x8, v->x8);
}

/* Not inlined: its stores to *out cannot move in between the loads, so
 * the loads are the reader's first four schedule points in every build. */
__attribute__((noinline)) static void keep(struct vstale_vals *out, uint8_t a1, uint16_t a2, uint32_t a4,
                                           uint64_t a8)
{
	out->x1 = a1;
	out->x2 = a2;
	out->x4 = a4;
	out->x8 = a8;
}

void vstale_read(struct vstale_vals *s, struct vstale_vals *out)
{
	uint8_t a1 = READ_ONCE(s->x1);
	uint16_t a2 = READ_ONCE(s->x2);
	uint32_t a4 = READ_ONCE(s->x4);
	uint64_t a8 = READ_ONCE(s->x8);

	keep(out, a1, a2, a4, a8);
}

void vstale_plain(struct vstale_vals *s, struct vstale_vals *out)
{
	out->x1 = s->x1;
	out->x2 = s->x2;
	out->x4 = s->x4;
	out->x8 = s->x8;
}
