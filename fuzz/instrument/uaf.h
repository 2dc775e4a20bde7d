/* uaf.h - see uaf.c. */
#ifndef MT_FUZZ_INSTRUMENT_UAF_H
#define MT_FUZZ_INSTRUMENT_UAF_H
int uaf_read(const int *p);
void uaf_write(int *p, int v);
#endif
