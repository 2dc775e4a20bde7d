/*
 * afl_leak_probe.c - a stand-in target for fuzz/drivers/afl_main.c's per-input
 * leak check (tools/lib/afl_leak_test.sh): an input whose first byte is
 * >= 0x80 leaks one malloc'd block; every other input frees what it takes.
 * The maptrack harness cannot show this path on its own: its oracle counts
 * pages and reports a leaked page (m-destroy-leak) before LeakSanitizer
 * would see it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint8_t *mt_fuzz_pairs;   /* the driver's interleaving-pair counters: unused */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *volatile sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 16);

	if (!p)
		return 0;
	memcpy(p, data, size);
	sink = p;
	sink = NULL;                 /* no pointer to the block survives */
	if (size && data[0] >= 0x80)
		return 0;                /* BUG on purpose: p is never freed */
	free(p);
	return 0;
}
