/*
 * input.h - the fuzz input format: bytes <-> program <-> text.
 *
 * One format for libFuzzer, AFL++, replay, bazel test and the explorer
 * (docs/input-format.md has the byte tables).  Every byte string decodes to
 * a valid program: missing bytes read as 0, every field is reduced into
 * range, unknown values fold onto known ones.
 *
 * Two versions.  A first byte of 0x02 is version 2; anything else is
 * version 1 (what every input written before v2 is):
 *   v1  header 5 bytes (version, VCPUs, entries per page, max frames,
 *       allocation-failure pattern); records of 3 bytes (VCPU + operation,
 *       argument, run length), `until` naming one of the 64 sites of the
 *       frozen v1 site list (v1_sites.c);
 *   v2  header 6 bytes (the same, then the memory model of the run);
 *       records of 4 bytes (the same three, then the low byte of a 14-bit
 *       site id: any site of the implementation's own tables), and a
 *       read-from record kind for the memory model.
 * In memory a program is always in v2 terms: decoding a v1 input maps its
 * site numbers, by name, onto the implementation's tables (struct
 * mt_in_sites).
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

#include "lib/mt_sites.h"

#define MT_IN_VERSION      2u      /* what encode writes */
#define MT_IN_V2_TAG       0x02u   /* first byte of a v2 input (no v1 input in corpus/ starts so) */
#define MT_IN_HEADER_LEN   5u      /* v1 */
#define MT_IN_RECORD_LEN   3u      /* v1 */
#define MT_IN_V2_HEADER_LEN 6u
#define MT_IN_V2_RECORD_LEN 4u
#define MT_IN_MAX_SITES    (1u << 13)  /* v2: site ids 0 .. 8191 name a site; the
                                        * upper half of the 14-bit field folds
                                        * into range (see mt_in_decode) */
#define MT_IN_V1_SITES     64u
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
	MT_OP_READ_FROM,  /* v2: which store v's next atomic load reads (arg: the
	                   * store, 0 = the newest, k = k back, modulo those the
	                   * model allows; sc allows one, so there it changes nothing) */
	MT_OP_COUNT
};

/* Memory model of a run (v2 header byte 5; every v1 input is sc). */
enum mt_in_model {
	MT_MODEL_SC,      /* sequential consistency: one access at a time */
	MT_MODEL_C11,     /* C11 release/acquire/relaxed atomics (fuzz/engine/memory.h) */
	MT_MODEL_COUNT
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
	MT_RUN_UNTIL,     /* 0x80-0xbf: stop on reaching site n (v1: 0-63; v2: 14 bits) */
	MT_RUN_ALL,       /* 0xc0-0xff: run until the operation ends (or blocks) */
};

struct mt_in_record {
	uint8_t vcpu;     /* already reduced modulo the VCPU count */
	uint8_t op;       /* enum mt_in_op */
	uint8_t arg;
	uint8_t run_mode; /* enum mt_in_run_mode */
	uint16_t run_n;   /* points, or the site id (this implementation's, see
	                   * struct mt_in_sites; one beyond its tables is never reached) */
};

struct mt_in_ids;

struct mt_program {
	uint8_t version;        /* 1 or 2: the form it was read from */
	uint8_t model;          /* enum mt_in_model */
	unsigned nr_vcpus;      /* 1-8 */
	unsigned per_page;      /* 2-256 */
	unsigned max_frames;    /* 1-16 */
	uint8_t alloc_fail;     /* allocation attempt i fails iff bit (i % 8) is set */
	unsigned nr_records;
	struct mt_in_record rec[MT_IN_MAX_RECORDS];
	const struct mt_in_ids *ids;  /* byte ids by name (NULL: by position): set by
	                               * decode and parse from the sites they used,
	                               * kept by copies, used by encode */
};

/* The sites records can name: an implementation's tables (ops->site_tables),
 * numbered by concatenation (a site's run id: what the engine, the pair
 * coverage and a program in memory use), and the map of the frozen v1
 * numbers onto them.  Fill once per implementation with mt_in_sites_init().
 *
 * The id a v2 record carries in its bytes (the byte id) is one of two:
 *   by position  the run id itself (every table of lib/: their order is
 *                fixed, tables only grow at their end);
 *   by name      when one of the tables was registered with
 *                mt_in_ids_by_name() (the instrumented code's, whose sites
 *                and their order depend on the build): a hash of the
 *                site's identifier, so that the same site keeps its byte id
 *                in every build configuration and when unrelated code is
 *                added (the rule: docs/input-format.md, "Byte ids by name").
 * Decode maps byte ids to run ids, encode back (struct mt_program.ids). */
struct mt_in_sites {
	const struct mt_site_table *const *tables;
	unsigned count;                       /* 1 .. MT_IN_MAX_SITES */
	uint16_t v1[MT_IN_V1_SITES];          /* v1 number -> id, or MT_IN_NO_SITE */
	int strict;                           /* text: a site of another implementation is
	                                       * an error (default: it is never reached
	                                       * here, so until=it reads as run=all) */
	const struct mt_in_ids *ids;          /* byte ids by name, or NULL (by position) */
};
#define MT_IN_NO_SITE 0xffffu
void mt_in_sites_init(struct mt_in_sites *s, const struct mt_site_table *const *tables);
/* Site id -> descriptor (NULL if out of range); id string -> id (-1 if none). */
const struct mt_site *mt_in_site(const struct mt_in_sites *s, unsigned id);
int mt_in_site_lookup(const struct mt_in_sites *s, const char *id);

/* Number the first `named` sites of t by their identifiers in bytes (every
 * set of tables that includes t numbers all its sites so); the sites after
 * them (spare slots) get no byte id.  Call before the first
 * mt_in_sites_init() on t, once; identifiers must not change after. */
void mt_in_ids_by_name(const struct mt_site_table *t, unsigned named);
/* Run id -> the id records carry in bytes: by position the run id itself;
 * by name the site's hashed id, MT_IN_NO_SITE for a site with none.  A run
 * id >= MT_IN_MAX_SITES (a byte id that names no site of these tables,
 * kept so it round trips) gives that byte id back. */
unsigned mt_in_byte_id(const struct mt_in_sites *s, unsigned run_id);
/* The byte id a site named `id` gets when it has no collision (the hash
 * alone; the tables may move it, see docs/input-format.md). */
unsigned mt_in_name_hash(const char *id);
/* The frozen v1 site list: number -> identifier (NULL if none). */
const char *mt_in_v1_site_id(unsigned n);

/* Bytes -> program.  Never fails.  An `until` naming a site the
 * implementation does not have can never be reached, so an input keeps its
 * meaning on every implementation that shares its sites: a v1 number maps
 * by name (one the implementation lacks reads as run=all); a v2 id 0-8191
 * names the site with that byte id; one no site has is kept (it never
 * matches, prints as until=@N and encodes back to N).
 * v2 ids 8192-16383 are the fuzzers' half, so half of all random `until`
 * fields name a real site: by position (id - 8192) modulo the number of
 * sites; by name the site with the first byte id at or after id - 8192,
 * wrapping around (a new site takes over only the ids just below its own). */
void mt_in_decode(const uint8_t *data, size_t size, const struct mt_in_sites *s, struct mt_program *p);

/* Program -> canonical v2 bytes; returns the length (<= cap, else 0: also
 * when a record stops at a site with no byte id).  Byte ids by p->ids. */
size_t mt_in_encode(const struct mt_program *p, uint8_t *out, size_t cap);

/* Names. */
const char *mt_in_op_name(unsigned op);       /* "get", "put-own", ... */
const char *mt_in_bad_name(unsigned flavour); /* "range", "tail", ... */
const char *mt_in_model_name(unsigned model); /* "sc", "c11" */
int mt_in_model_of(const char *name);          /* the model named name, or -1 */

/* The text form of one record ("v1 get rand=2/0/0 until=POP_READ_NEXT"),
 * into buf; returns buf.  s: names the sites (NULL: "@id"). */
char *mt_in_record_text(const struct mt_in_record *r, const struct mt_in_sites *s, char *buf, size_t cap);
/* The header lines of the text form. */
void mt_in_print_header(const struct mt_program *p, FILE *out);

/* Text -> program (sites by identifier, resolved through s; a site that
 * only another registered implementation has reads as run=all unless
 * s->strict).  On error returns -1 and writes "line N: what" to err. */
int mt_in_parse_text(const char *text, const struct mt_in_sites *s, struct mt_program *p,
                     char *err, size_t errcap);

#endif /* MT_FUZZ_INPUT_H */
