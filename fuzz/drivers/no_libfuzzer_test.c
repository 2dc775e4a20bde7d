/*
 * no_libfuzzer_test.c - libfuzzer_main.c links and runs without libFuzzer,
 * as it does in AFL++ binaries (afl_main.c's main calls its entry points;
 * tools/afl, .clusterfuzzlite/build.sh with LIB_FUZZING_ENGINE empty).  A
 * strong reference to a libFuzzer-only symbol (LLVMFuzzerMutate, once)
 * breaks the link here, in every build, instead of in tools/afl; a
 * libFuzzer flag added to argv (-len_control=100, once) fails a check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	exit(1); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

int main(int argc, char **argv)
{
	setenv("MT_IMPL", "production", 1);
	/* argv stays as it came: AFL++'s driver runs every argument as an
	 * input file (libFuzzer's -len_control=100 was added once). */
	int argc0 = argc;
	char **argv0 = argv;
	CHECK(LLVMFuzzerInitialize(&argc, &argv) == 0);
	CHECK(argc == argc0 && argv == argv0);
	uint8_t empty[1] = { 0 };
	CHECK(LLVMFuzzerTestOneInput(empty, sizeof(empty)) == 0);
	/* Nobody calls the custom mutator without libFuzzer; if called, it
	 * leaves the input alone. */
	uint8_t in[4] = { 1, 2, 3, 4 }, copy[4];
	memcpy(copy, in, sizeof(in));
	CHECK(LLVMFuzzerCustomMutator(in, sizeof(in), sizeof(in), 1) == sizeof(in));
	CHECK(!memcmp(in, copy, sizeof(in)));
	printf("no_libfuzzer_test: libfuzzer_main.c runs without libFuzzer\n");
	return 0;
}
