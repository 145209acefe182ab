/* quai plan: the images a change affects, in build order, and why. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "plan/plan.h"
#include "core/banned.h"

const char cmd_plan_usage[] = "usage: quai plan [OPTIONS] [DIR]\n"
                              "\n"
                              "Lists the images of the git repository holding DIR (default: the current\n"
                              "directory) that a change affects, in build order, one line each with why:\n"
                              "its own changed files ('changed: PATH'), a changed input ('input changed:\n"
                              "PATH'), its quai.yml entry, or 'depends on NAME' for an image built FROM\n"
                              "one that is rebuilt. Every directory with a Dockerfile or Containerfile is\n"
                              "an image; quai.yml at the root adjusts them (see README).\n"
                              "\n"
                              "A file counts for an image when it is in the image's build context and not\n"
                              "excluded by the context's .dockerignore. Past three paths of a kind, the\n"
                              "line says how many more there are; --json lists them all.\n"
                              "\n"
                              "Options:\n"
                              "  --since REV   compare HEAD with REV; default: the last commit 'quai run'\n"
                              "                built successfully on this branch, else the merge base with\n"
                              "                the default branch, else every image\n"
                              "  --dirty       uncommitted, staged and untracked changes count too\n"
                              "  --all         every image, whatever changed\n"
                              "  --json        print {\"since\", \"head\", \"images\": [{\"name\", \"dir\",\n"
                              "                \"reasons\", \"depends_on\"}]}\n"
                              "  -h, --help    show this help\n"
                              "\n"
                              "Exit status: 0 done, 2 usage, quai.yml, Dockerfile cycle or git error.\n";

enum { OPT_SINCE = 256, OPT_JSON, OPT_DIRTY, OPT_ALL };

static const struct option long_opts[] = {
    {"since", required_argument, NULL, OPT_SINCE},
    {"json", no_argument, NULL, OPT_JSON},
    {"dirty", no_argument, NULL, OPT_DIRTY},
    {"all", no_argument, NULL, OPT_ALL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Length of the "changed: " or "input changed: " prefix of r, else 0. */
static size_t path_prefix(const char *r)
{
	static const char *const prefixes[] = {"changed: ", "input changed: "};
	for (size_t i = 0; i < 2; i++)
		if (strncmp(r, prefixes[i], strlen(prefixes[i])) == 0)
			return strlen(prefixes[i]);
	return 0;
}

/* The reasons joined by "; ", a run of paths of the same kind as
 * "changed: a, b, c (+N more)". */
static void print_reasons(char **reasons)
{
	enum { SHOWN = 3 };
	if (!reasons)
		return;
	for (char **r = reasons; *r;) {
		if (r != reasons)
			fputs("; ", stdout);
		size_t pre = path_prefix(*r);
		if (!pre) {
			fputs(*r++, stdout);
			continue;
		}
		char **end = r + 1;
		while (*end && path_prefix(*end) == pre && strncmp(*end, *r, pre) == 0)
			end++;
		printf("%.*s", (int)pre, *r);
		size_t n = (size_t)(end - r);
		for (size_t k = 0; k < n && k < SHOWN; k++)
			printf("%s%s", k ? ", " : "", r[k] + pre);
		if (n > SHOWN)
			printf(" (+%zu more)", n - SHOWN);
		r = end;
	}
}

static void print_text(const struct quai_plan *plan, const struct quai_repo *repo)
{
	int width = 0;
	for (size_t i = 0; i < plan->n; i++) {
		int w = (int)strlen(repo->images[plan->entries[i].image].name);
		if (w > width)
			width = w;
	}
	for (size_t i = 0; i < plan->n; i++) {
		const struct quai_plan_entry *e = &plan->entries[i];
		printf("%-*s ", width, repo->images[e->image].name);
		print_reasons(e->reasons);
		putchar('\n');
	}
	if (plan->since)
		fprintf(stderr, "quai: plan: %zu of %zu images affected between %.12s and %.12s\n", plan->n,
		        repo->nimages, plan->since, plan->head);
	else
		fprintf(stderr, "quai: plan: all %zu images at %.12s\n", repo->nimages, plan->head);
}

int cmd_plan(int argc, char **argv)
{
	struct quai_plan_options o = {0};
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SINCE:
			o.since = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_DIRTY:
			o.dirty = true;
			break;
		case OPT_ALL:
			o.all = true;
			break;
		case 'h':
			fputs(cmd_plan_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs("see 'quai plan --help'\n", stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		quai_cli_error("plan takes at most one directory; see 'quai plan --help'");
		return QUAI_EXIT_USAGE;
	}
	if (o.all && o.since) {
		quai_cli_error("plan: --all and --since do not go together");
		return QUAI_EXIT_USAGE;
	}
	const char *dir = optind < argc ? argv[optind] : ".";
	cleanup_error struct quai_error *err = NULL;
	struct quai_repo *repo = NULL;
	struct quai_plan *plan = NULL;
	if (quai_repo_load(&repo, dir, &err) < 0 || quai_plan_compute(&plan, repo, &o, &err) < 0) {
		quai_cli_error("%s", err->msg);
		quai_repo_free(repo);
		return err->status ? err->status : QUAI_EXIT_USAGE;
	}
	if (json) {
		cleanup_free char *s = quai_plan_json(plan, repo);
		puts(s);
	} else {
		print_text(plan, repo);
	}
	fflush(stdout);
	quai_plan_free(plan);
	quai_repo_free(repo);
	return QUAI_EXIT_OK;
}
