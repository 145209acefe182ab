/* quai run: the monorepo pipeline. Lints every affected Dockerfile, then
 * builds, tests and pushes the affected images in dependency order, several
 * at once, pins versions with git tags and records every step under
 * ROOT/.quai/runs/ so that a run killed half-way is finished by the next. */
#ifndef QUAI_RUN_RUN_H
#define QUAI_RUN_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct quai_run_options {
	const char *dir;    /* a path inside the repository; NULL: "." */
	const char *since;  /* a revision, NULL: the plan's default */
	const char **only;  /* image names, NULL-terminated; NULL: every affected image */
	unsigned jobs;      /* processes at once; 0: the number of cores */
	bool all;           /* every image, whatever changed */
	bool no_push;       /* build and test only */
	const char *report; /* write the run record there too, or NULL */
	bool tty;           /* live progress lines instead of timestamped ones */
};

/* Runs the pipeline. Returns the exit status: 0 everything passed, 1 a lint
 * error, a failed step or tag, 2 a usage or environment error (with *err
 * set, and nothing built). Progress goes to stderr, the summary to stdout. */
int quai_run(const struct quai_run_options *o, struct quai_error **err);

#endif
