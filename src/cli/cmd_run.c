/* quai run: build, test and push what a change affects (src/run/). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "run/run.h"
#include "core/banned.h"

#define JOBS_MAX 256

const char cmd_run_usage[] = "usage: quai run [OPTIONS] [DIR]\n"
                             "\n"
                             "Builds, tests and pushes the images of the git repository holding DIR\n"
                             "(default: .) that changed, and every image built FROM them (see 'quai plan').\n"
                             "Every affected Dockerfile is linted first: an error stops the run before\n"
                             "anything is built. Then each image is built (FROM the parent just built),\n"
                             "tested with its tests.yml, and pushed once its own and its parents' tests\n"
                             "passed; a failure stops the images built FROM it, the others go on.\n"
                             "\n"
                             "Options:\n"
                             "      --since REV      compare with REV (default: the last commit quai run\n"
                             "                       built successfully on this branch, else the merge base\n"
                             "                       with the default branch, else build everything)\n"
                             "      --all            every image, whatever changed\n"
                             "      --only NAME      only this image of the plan (repeatable, or NAME,NAME)\n"
                             "  -j, --jobs N         steps at once (default: the number of cores)\n"
                             "      --no-push        build and test only\n"
                             "      --report FILE    also write the run's record to FILE (JSON)\n"
                             "  -h, --help           show this help\n"
                             "\n"
                             "Versions: DIR/VERSION, else the org.opencontainers.image.version label, else\n"
                             "the patch after the latest git tag NAME/vX.Y.Z (first 0.1.0). On a branch\n"
                             "that pushes (the default branch, or quai.yml `branches`) an image is pushed\n"
                             "as REPO:X.Y.Z, :X.Y, :X, :latest and :SHA, then the annotated git tag\n"
                             "NAME/vX.Y.Z is created and pushed to origin; elsewhere as REPO:BRANCH and\n"
                             ":SHA. Version tags are never moved.\n"
                             "\n"
                             "Each run is recorded in .quai/runs/ID/ (run.json, a log per image); a run\n"
                             "of the same commit after an interrupted one redoes only what did not finish.\n"
                             "\n"
                             "Exit status: 0 all passed, 1 a lint error or a failed step, 2 usage or\n"
                             "environment error, 130/143 interrupted.\n";

enum { OPT_SINCE = 256, OPT_ALL, OPT_ONLY, OPT_NO_PUSH, OPT_REPORT };

static const struct option long_opts[] = {
    {"since", required_argument, NULL, OPT_SINCE},
    {"all", no_argument, NULL, OPT_ALL},
    {"only", required_argument, NULL, OPT_ONLY},
    {"jobs", required_argument, NULL, 'j'},
    {"no-push", no_argument, NULL, OPT_NO_PUSH},
    {"report", required_argument, NULL, OPT_REPORT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct names {
	char **v;
	size_t n, cap;
};

/* Adds each name of a comma-separated list. */
static int add_names(struct names *l, const char *arg)
{
	for (const char *p = arg;;) {
		size_t len = strcspn(p, ",");
		if (len == 0) {
			quai_cli_error("--only '%s': empty image name", arg);
			return -1;
		}
		l->v = xgrow(l->v, &l->cap, l->n + 2, sizeof(*l->v));
		l->v[l->n++] = xstrndup(p, len);
		l->v[l->n] = NULL;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int parse_jobs(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > JOBS_MAX) {
		quai_cli_error("--jobs '%s': expected a number from 1 to %d", s, JOBS_MAX);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int parse(struct quai_run_options *o, struct names *only, int argc, char **argv)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_ONLY:
			if (add_names(only, optarg) < 0)
				return QUAI_EXIT_USAGE;
			break;
		case 'j':
			if (parse_jobs(optarg, &o->jobs) < 0)
				return QUAI_EXIT_USAGE;
			break;
		case OPT_NO_PUSH:
			o->no_push = true;
			break;
		case OPT_REPORT:
			o->report = optarg;
			break;
		case 'h':
			fputs(cmd_run_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs("see 'quai run --help'\n", stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		quai_cli_error("run takes at most one directory; see 'quai run --help'");
		return QUAI_EXIT_USAGE;
	}
	o->dir = optind < argc ? argv[optind] : NULL;
	o->only = (const char **)only->v;
	return -1;
}

int cmd_run(int argc, char **argv)
{
	struct quai_run_options o = {0};
	struct names only = {0};
	int status = parse(&o, &only, argc, argv);
	if (status < 0) {
		const char *term = getenv("TERM");
		o.tty = isatty(STDERR_FILENO) && term && strcmp(term, "dumb") != 0;
		cleanup_error struct quai_error *err = NULL;
		status = quai_run(&o, &err);
		if (err)
			quai_cli_error("run: %s", err->msg);
	}
	for (size_t i = 0; i < only.n; i++)
		free(only.v[i]);
	free(only.v);
	return status;
}
