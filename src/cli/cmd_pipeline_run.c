/* quai pipeline run: runs the jobs .gitlab-ci.yml (or .quai-ci.yml)
 * creates for this commit and branch, on the docker and shell executors.
 * `quai pipeline run` is dispatched here, in quai-engine, by main.c. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "executor/executor.h"
#include "core/xalloc.h"
#include "pipeline/pipeline.h"
#include "pipeline_run/pipeline_run.h"
#include "core/banned.h"

const char cmd_pipeline_run_usage[] =
    "usage: quai pipeline run [OPTIONS] [DIR]\n"
    "\n"
    "Runs the pipeline of .quai-ci.yml, else .gitlab-ci.yml, in DIR (default: .)\n"
    "for its checked-out commit and branch: stage order and needs, when:,\n"
    "allow_failure, retry, timeout, artifacts, dotenv reports and cache (under\n"
    "DIR/.quai/cache). A job with an image runs on the docker executor, one\n"
    "without on the shell executor, unless `executors:` in quai.yml match its tags.\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE            the pipeline file\n"
    "      --job NAME             run only this job (repeatable)\n"
    "      --manual NAME          run this manual job too (repeatable)\n"
    "  -j, --jobs N               run up to N jobs at once (default 1)\n"
    "      --variable K=V         a variable (repeatable; wins over the file's)\n"
    "      --variables-file FILE  variables from FILE (NAME: value, or NAME:\n"
    "                             {value, masked, raw, file})\n"
    "      --masked NAME          never show NAME's value in the logs (repeatable)\n"
    "      --ref BRANCH           the branch (default: the checked-out one)\n"
    "      --tag TAG              a tag pipeline\n"
    "      --source SOURCE        CI_PIPELINE_SOURCE (default push)\n"
    "      --report FILE.json     write {status, jobs: [{name, stage, status,\n"
    "                             allow_failure, exit_code, duration_s}]}\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Exit status: 0 the pipeline passed, 1 it failed, 2 the file or the options\n"
    "are wrong.\n";

struct opts {
	struct quai_pipeline_context ctx;
	struct quai_pipeline_vars vars;
	const char **only, **manual, **masked;
	size_t nonly, ncap, nmanual, mcap, nmasked, kcap;
	int jobs;
	const char *report;
};

static void push(const char ***v, size_t *n, size_t *cap, const char *s)
{
	*v = xgrow(*v, cap, *n + 2, sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static int parse(struct opts *o, int argc, char **argv)
{
	enum { O_JOB = 256, O_MANUAL, O_VAR, O_VARFILE, O_MASKED, O_REF, O_TAG, O_SOURCE, O_REPORT };
	static const struct option longs[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"job", required_argument, NULL, O_JOB},
	    {"manual", required_argument, NULL, O_MANUAL},
	    {"jobs", required_argument, NULL, 'j'},
	    {"variable", required_argument, NULL, O_VAR},
	    {"variables-file", required_argument, NULL, O_VARFILE},
	    {"masked", required_argument, NULL, O_MASKED},
	    {"ref", required_argument, NULL, O_REF},
	    {"tag", required_argument, NULL, O_TAG},
	    {"source", required_argument, NULL, O_SOURCE},
	    {"report", required_argument, NULL, O_REPORT},
	    {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	cleanup_error struct quai_error *err = NULL;
	while ((c = getopt_long(argc, argv, "+f:j:", longs, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->ctx.file = optarg;
			break;
		case O_JOB:
			push(&o->only, &o->nonly, &o->ncap, optarg);
			break;
		case O_MANUAL:
			push(&o->manual, &o->nmanual, &o->mcap, optarg);
			break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256) {
				quai_cli_error("--jobs: '%s' is not a number from 1 to 256", optarg);
				return -1;
			}
			o->jobs = (int)n;
			break;
		}
		case O_VAR:
			if (quai_pipeline_vars_parse(&o->vars, optarg, &err) < 0)
				goto bad;
			break;
		case O_VARFILE:
			if (quai_pipeline_vars_load(&o->vars, optarg, &err) < 0)
				goto bad;
			break;
		case O_MASKED:
			push(&o->masked, &o->nmasked, &o->kcap, optarg);
			break;
		case O_REF:
			o->ctx.branch = optarg;
			break;
		case O_TAG:
			o->ctx.tag = optarg;
			break;
		case O_SOURCE:
			o->ctx.source = optarg;
			break;
		case O_REPORT:
			o->report = optarg;
			break;
		default:
			quai_cli_error(
			    "pipeline run: unknown or incomplete option '%s'; see 'quai help pipeline'",
			    argv[optind - 1]);
			return -1;
		}
	}
	for (size_t i = 0; i < o->vars.n; i++)
		for (size_t k = 0; k < o->nmasked; k++)
			if (strcmp(o->vars.v[i].key, o->masked[k]) == 0)
				o->vars.v[i].masked = true;
	return 0;
bad:
	quai_cli_error("%s", err->msg);
	return -1;
}

/* The output of `git -C dir ARGS...`, or NULL. */
static char *git_output(const char *dir, const char *a1, const char *a2, const char *a3)
{
	char tmpl[] = "/tmp/quai-git-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return NULL;
	unlink(tmpl);
	const char *argv[] = {"git", "-C", dir, a1, a2, a3, NULL};
	int rc = quai_executor_spawn(argv, NULL, -1, fd, -1);
	struct quai_buf b = QUAI_BUF_INIT;
	char buf[4096];
	ssize_t n;
	lseek(fd, 0, SEEK_SET);
	while (rc == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		quai_buf_add(&b, buf, (size_t)n);
	close(fd);
	if (rc != 0) {
		quai_buf_release(&b);
		return NULL;
	}
	while (b.len && b.data[b.len - 1] == '\n')
		quai_buf_truncate(&b, b.len - 1);
	return quai_buf_detach(&b);
}

int cmd_pipeline_run(int argc, char **argv)
{
	/* argv: "run" [options] [DIR] (after "pipeline") */
	struct opts o = {.jobs = 1};
	int status = QUAI_EXIT_USAGE;
	struct quai_pipeline *p = NULL;
	struct quai_pipeline_run_executor *ex = NULL;
	size_t nex = 0;
	cleanup_error struct quai_error *err = NULL;
	cleanup_free char *branch = NULL, *head = NULL;
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		quai_cli_error("quai-engine pipeline: only 'run' is here; see 'quai help pipeline'");
		return QUAI_EXIT_USAGE;
	}
	argc--;
	argv++;
	if (parse(&o, argc, argv) < 0)
		goto out;
	if (optind + 1 < argc) {
		quai_cli_error("pipeline run: unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	const char *dir = optind < argc ? argv[optind] : ".";
	o.ctx.project_dir = dir;
	/* the commit, the branch HEAD points to and the message, in one call */
	head = git_output(dir, "log", "-1", "--format=%H%n%D%n%B");
	if (head && strlen(head) >= 40 && head[40] == '\n') {
		head[40] = '\0';
		o.ctx.sha = head;
		char *deco = head + 41;
		char *nl = strchr(deco, '\n');
		if (nl) {
			*nl = '\0';
			o.ctx.commit_message = nl + 1;
		}
		const char *arrow = strstr(deco, "HEAD -> ");
		if (arrow) {
			arrow += 8;
			branch = xstrndup(arrow, strcspn(arrow, ","));
		}
	}
	if (!o.ctx.branch && !o.ctx.tag)
		o.ctx.branch = branch ? branch : "main";
	o.ctx.changes.all = true;
	o.ctx.variables = &o.vars;
	if (quai_pipeline_load(&p, &o.ctx, &err) < 0) {
		quai_cli_error("%s", err->msg);
		goto out;
	}
	if (quai_pipeline_run_executors_load(&ex, &nex, dir, &err) < 0) {
		quai_cli_error("%s", err->msg);
		goto out;
	}
	struct quai_pipeline_run_options ro = {
	    .only = o.only,
	    .manual = o.manual,
	    .jobs = o.jobs,
	    .executors = ex,
	    .nexecutors = nex,
	    .report = o.report,
	};
	int rc = quai_pipeline_run(p, &ro, &err);
	if (rc < 0) {
		quai_cli_error("%s", err->msg);
		status = err->status ? err->status : QUAI_EXIT_USAGE;
		goto out;
	}
	status = rc ? QUAI_EXIT_FINDINGS : QUAI_EXIT_OK;
out:
	quai_pipeline_run_executors_free(ex, nex);
	quai_pipeline_free(p);
	quai_pipeline_vars_release(&o.vars);
	free(o.only);
	free(o.manual);
	free(o.masked);
	return status;
}
