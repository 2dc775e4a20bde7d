/*
 * script.h - scripted interleavings for single-threaded tests (in the
 * style of concurrencykit's ck_stack serial.c): the test arms a trigger on
 * a schedule point, and when the library reaches that point (before the
 * access) the trigger runs another VCPU's operation inline.  The stalled
 * operation then resumes and the test checks the outcome.
 *
 * Link with //lib:maptrack_hooked (or the zoo); this file defines the hook.
 */
#ifndef MT_TESTING_SCRIPT_H
#define MT_TESTING_SCRIPT_H

#include <stdio.h>
#include <stdlib.h>

#include "lib/maptrack.h"
#include "lib/mt_sites.h"

/* Checks that never compile out (NDEBUG-proof). */
#define MT_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)
#define MT_CHECK_RC(expr, want) do { int rc_ = (expr); if (rc_ != (want)) { \
	fprintf(stderr, "%s:%d: %s returned %d (%s), want %d (%s)\n", __FILE__, __LINE__, \
	        #expr, rc_, mt_strerror(rc_), (want), mt_strerror(want)); abort(); } } while (0)

/* Forget every trigger and count. */
void mt_script_reset(void);
/* When the `nth` (1-based) point at `site` is reached, call fn(arg) once. */
void mt_script_at(const struct mt_site *site, unsigned nth, void (*fn)(void *arg), void *arg);
/* How many triggers have fired since the last reset. */
unsigned mt_script_fired(void);
/* How many times `site` was reached since the last reset. */
unsigned mt_script_count(const struct mt_site *site);

#endif /* MT_TESTING_SCRIPT_H */
