/* covered.h - see covered.c. */
#ifndef MT_FUZZ_INSTRUMENT_COVERED_H
#define MT_FUZZ_INSTRUMENT_COVERED_H
int covered_branch(int *cell, int x);
#endif
