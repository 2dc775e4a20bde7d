/*
 * input.h - the fuzz input format: bytes <-> program <-> text.
 *
 * One format for libFuzzer, AFL++, replay, bazel test and the explorer
 * (docs/input-format.md has the byte table).  Every byte string decodes to
 * a valid program: missing bytes read as 0, every field is reduced into
 * range, unknown values fold onto known ones.
 *
 *   header (5 bytes)   version, VCPUs, entries per page, max frames,
 *                      allocation-failure pattern
 *   records (3 bytes)  VCPU + operation, argument, run length
 *
 * A record names a VCPU.  If that VCPU is idle it starts the record's
 * operation; if it is in the middle of one, the operation fields are
 * ignored and it resumes.  Either way it then runs until the record's run
 * length says stop (a count of schedule points, a named schedule point, or
 * the end of its operation); then the next record decides.  After the last
 * record every unfinished operation is drained, lowest VCPU first.
 */
#ifndef MT_FUZZ_INPUT_H
#define MT_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MT_IN_VERSION      1u
#define MT_IN_HEADER_LEN   5u
#define MT_IN_RECORD_LEN   3u
#define MT_IN_MAX_RECORDS  4096u   /* longer inputs: the rest is ignored */
#define MT_IN_MAX_VCPUS    8u
#define MT_IN_MAX_FRAMES   16u     /* with 2-8 entries per page */
#define MT_IN_MAX_BIG_FRAMES 4u    /* with more than 8 entries per page */
#define MT_IN_MAX_PER_PAGE 256u
#define MT_IN_MAX_HANDLES  (MT_IN_MAX_BIG_FRAMES * MT_IN_MAX_PER_PAGE)  /* >= 16 * 8 */

/* Operation kinds (decoded from bits 3-7 of a record's first byte). */
enum mt_in_op {
	MT_OP_GET,        /* get; argument = steal random values */
	MT_OP_PUT_OWN,    /* put a handle this VCPU holds; argument = index */
	MT_OP_PUT_OTHER,  /* put a handle another VCPU holds; argument = index */
	MT_OP_GROW,       /* explicit grow of this VCPU's list */
	MT_OP_PUT_BAD,    /* hostile put of an invalid handle; argument = flavour + k */
	MT_OP_NOP,        /* start nothing (resume only) */
	MT_OP_COUNT
};

/* Hostile put flavours: argument bits 0-2; k = argument bits 3-7. */
enum mt_in_bad {
	MT_BAD_RANGE,     /* limit + k (out of range) */
	MT_BAD_TAIL,      /* MT_TAIL (== MT_INVALID_HANDLE) */
	MT_BAD_NEVER,     /* a free handle never handed out (k-th, cyclically) */
	MT_BAD_DOUBLE,    /* a free handle that was put before: double put (B3) */
	MT_BAD_HUGE,      /* 0xfffffffe - k */
	MT_BAD_LIMIT,     /* exactly limit (off by one) */
	MT_BAD_FREE,      /* any free handle (k-th, cyclically) */
	MT_BAD_LAST_PUT,  /* the handle put most recently, if still free */
	MT_BAD_COUNT
};

/* Run length (third byte of a record). */
enum mt_in_run_mode {
	MT_RUN_POINTS,    /* 0x00-0x7f: pass n schedule points, stop at the next */
	MT_RUN_UNTIL,     /* 0x80-0xbf: stop on reaching site n (0-63) */
	MT_RUN_ALL,       /* 0xc0-0xff: run until the operation ends (or blocks) */
};

struct mt_in_record {
	uint8_t vcpu;     /* already reduced modulo the VCPU count */
	uint8_t op;       /* enum mt_in_op */
	uint8_t arg;
	uint8_t run_mode; /* enum mt_in_run_mode */
	uint8_t run_n;    /* points or site */
};

struct mt_program {
	uint8_t version;        /* raw first byte */
	unsigned nr_vcpus;      /* 1-8 */
	unsigned per_page;      /* 2-256 */
	unsigned max_frames;    /* 1-16 */
	uint8_t alloc_fail;     /* allocation attempt i fails iff bit (i % 8) is set */
	unsigned nr_records;
	struct mt_in_record rec[MT_IN_MAX_RECORDS];
};

/* Bytes -> program.  Never fails. */
void mt_in_decode(const uint8_t *data, size_t size, struct mt_program *p);

/* Program -> canonical bytes; returns the length (<= cap, else 0). */
size_t mt_in_encode(const struct mt_program *p, uint8_t *out, size_t cap);

/* Names. */
const char *mt_in_op_name(unsigned op);       /* "get", "put-own", ... */
const char *mt_in_bad_name(unsigned flavour); /* "range", "tail", ... */
const char *mt_in_site_id(int site);          /* "POP_LOCK", or NULL if unknown */

/* The text form of one record ("v1 get rand=2/0/0 until=POP_READ_NEXT"),
 * into buf; returns buf. */
char *mt_in_record_text(const struct mt_in_record *r, char *buf, size_t cap);
/* The header lines of the text form. */
void mt_in_print_header(const struct mt_program *p, FILE *out);

/* Text -> program.  On error returns -1 and writes "line N: what" to err. */
int mt_in_parse_text(const char *text, struct mt_program *p, char *err, size_t errcap);

#endif /* MT_FUZZ_INPUT_H */
