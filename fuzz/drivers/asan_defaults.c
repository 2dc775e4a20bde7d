/*
 * asan_defaults.c - AddressSanitizer's defaults for every harness binary
 * (linked into :harness and //fuzz/instrument:byo; ASAN_OPTIONS still
 * overrides each of them).
 *
 * quarantine_size_mb=16 (ASan's default is 256): a run allocates a table,
 * its pages and the VCPU array, a few KB, and frees them at its end.  With
 * 256 MB of quarantine every run's allocations come from memory not
 * touched for a long time, and about a quarter of a campaign's time went to
 * page faults and to clearing fresh memory (perf: kernel page faults,
 * memset under asan_calloc/asan_aligned_alloc in mt_pv_create).  16 MB
 * still keeps a freed block poisoned for thousands of runs, far longer than
 * the one run in which a use after free could happen.  Measured with the
 * command in docs/figures.md ("Speed").
 */
const char *__asan_default_options(void);

__attribute__((used, visibility("default"))) const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}
