/* quai: the commands that need no engine run here; the others are handed
 * to quai-engine (see cli.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "quai_version.h"

const struct quai_command quai_commands[] = {
	{ "build", NULL, "lint and build an image with the Docker engine", NULL, NULL },
	{ "compose", cmd_compose, "check a compose project and print its resolved model", cmd_compose_usage, NULL },
	{ "gc", NULL, "remove what killed quai runs left in the engine", NULL, NULL },
	{ "help", cmd_help, "show help for quai or one of its commands", cmd_help_usage, NULL },
	{ "hook", NULL, "git hooks that lint pushed or committed Dockerfiles and compose files", NULL, "quai-repo" },
	{ "lint", cmd_lint, "check Dockerfiles and compose files for errors and bad practice", cmd_lint_usage, NULL },
	{ "login", NULL, "store registry credentials as docker login does", NULL, NULL },
	{ "pipeline", cmd_pipeline, "list the jobs of .gitlab-ci.yml and why they run", cmd_pipeline_usage, NULL },
	{ "plan", NULL, "list the images a change affects, in build order", NULL, "quai-repo" },
	{ "push", NULL, "push an image to registries under one or more names", NULL, NULL },
	{ "remote", NULL, "list, trigger, cancel, retry pipelines and follow logs on a quai server", NULL, "quai-repo" },
	{ "run", NULL, "build, test and push the images a change affects", NULL, "quai-repo" },
	{ "serve", NULL, "run the CI server: webhooks in, pipelines run, every run kept", NULL, "quai-repo" },
	{ "test", NULL, "run container-structure-test specs against an image", NULL, NULL },
	{ "token", NULL, "create an API token for quai serve", NULL, "quai-repo" },
	{ "web", NULL, "users of quai serve's web UI: add a user, allow anonymous reading", NULL, "quai-repo" },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* `quai run --pipeline [--list] ARGS` is `quai pipeline run|list ARGS`:
 * one command line for the monorepo flow and .gitlab-ci.yml pipelines. */
static int run_pipeline(int argc, char **argv)
{
	/* args[0] is a spare slot: quai_cli_exec_engine writes the helper's path there */
	char **args = calloc((size_t)argc + 3, sizeof(*args));
	if (!args) {
		quai_cli_error("out of memory");
		return QUAI_EXIT_USAGE;
	}
	bool list = false;
	int n = 3;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--pipeline") == 0)
			continue;
		if (strcmp(argv[i], "--list") == 0) {
			list = true;
			continue;
		}
		args[n++] = argv[i];
	}
	args[0] = argv[0];
	args[1] = (char *)"pipeline";
	args[2] = (char *)(list ? "list" : "run");
	const struct quai_command *cmd = quai_command_find(quai_commands, "pipeline");
	int rc = list ? cmd->run(n - 1, args + 1) : quai_cli_exec_engine(cmd, args + 1);
	free(args);
	return rc;
}

static bool has_arg(int argc, char **argv, const char *arg)
{
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], arg) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cmd_help(1, argv);
		return QUAI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("quai %s\n", QUAI_VERSION);
		return QUAI_EXIT_OK;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		return cmd_help(1, argv);
	const struct quai_command *cmd = quai_command_find(quai_commands, name);
	if (!cmd) {
		quai_cli_error("'%s' is not a quai command; see 'quai help'", name);
		return QUAI_EXIT_USAGE;
	}
	if (strcmp(name, "run") == 0 && has_arg(argc, argv, "--pipeline"))
		return run_pipeline(argc, argv);
	if (!cmd->run || (strcmp(name, "pipeline") == 0 && argc > 2 && strcmp(argv[2], "run") == 0))
		return quai_cli_exec_engine(cmd, argv + 1);
	if (quai_cli_wants_help(argc - 1, argv + 1)) {
		fputs(cmd->usage, stdout);
		return QUAI_EXIT_OK;
	}
	return cmd->run(argc - 1, argv + 1);
}
