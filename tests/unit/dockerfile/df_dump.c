/* Prints the parse tree of Dockerfiles: a debugging aid, not a test.
 * Usage: df_dump FILE... */
#include <stdio.h>
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/file.h"
#include "dockerfile/dockerfile.h"
#include "dump.h"

int main(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		cleanup_free char *src = NULL;
		size_t len = 0;
		struct quai_error *err = NULL;
		if (quai_file_read(&src, &len, argv[a], 1u << 26, &err) < 0) {
			fprintf(stderr, "%s\n", err->msg);
			quai_error_free(err);
			return 2;
		}
		struct quai_dockerfile df;
		quai_dockerfile_parse(&df, argv[a], src, len);
		if (argc > 2)
			printf("== %s\n", argv[a]);
		df_test_dump(stdout, &df);
		quai_dockerfile_release(&df);
	}
	return 0;
}
