/* A readable dump of a parse tree (tests and debugging only). */
#ifndef QUAI_TEST_DF_DUMP_H
#define QUAI_TEST_DF_DUMP_H

#include <stdio.h>

#include "dockerfile/dockerfile.h"

void df_test_dump(FILE *out, const struct quai_dockerfile *df);

#endif
