/* Fuzz target for the .dockerignore matcher: parses the input as a
 * .dockerignore, then matches fixed paths and every line of the input (as a
 * path) against it; checks that path cleaning is idempotent. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "context/context.h"
#include "context/internal.h"
#include "core/xalloc.h"
#include "core/banned.h"

static const char *const paths[] = {
    "Dockerfile",          ".dockerignore", "a",           "a/b",  "a/b/c.txt", "dir/keep",
    "node_modules/x/y.js", "caf\xc3\xa9",   ".git/config", "x\ny", "a/../b",
};

#define MAX_LINES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quai_dockerignore *di = NULL;
	struct quai_error *err = NULL;
	if (quai_dockerignore_parse(&di, (const char *)data, size, NULL, &err) < 0) {
		if (!err || !err->msg)
			abort();
		quai_error_free(err);
		di = NULL;
	}
	volatile size_t sum = quai_dockerignore_count(di);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		sum += quai_dockerignore_match(di, paths[i]);
		sum += quai_dockerignore_walk_excluded_dir(di, paths[i]);
	}
	char *text = xstrndup((const char *)data, size);
	char *line = text;
	for (int n = 0; line && n < MAX_LINES; n++) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		sum += quai_dockerignore_match(di, line);
		char *once = xstrdup(line);
		quai_context_clean_path(once);
		char *twice = xstrdup(once);
		quai_context_clean_path(twice);
		if (strcmp(once, twice) != 0)
			abort();
		free(once);
		free(twice);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	(void)sum;
	quai_dockerignore_free(di);
	return 0;
}
