/* uaf.c - instrumented code for uaf_test: plain accesses, no ASan of its own. */
#include "fuzz/instrument/uaf.h"

int uaf_read(const int *p)
{
	return *p;
}

void uaf_write(int *p, int v)
{
	*p = v;
}
