/* quai-engine: the commands that talk to Docker engines and registries;
 * built a second time with QUAI_REPO as quai-repo, which adds the commands
 * that read git history, keep a store or serve HTTP (see cli.h). quai runs
 * them in its own place as "quai-engine COMMAND ARGS"; they are not meant
 * to be run by hand. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"

const struct quai_command quai_engine_commands[] = {
	{ "build", cmd_build, "lint and build an image with the Docker engine", cmd_build_usage, NULL },
	{ "gc", cmd_gc, "remove what killed quai runs left in the engine", cmd_gc_usage, NULL },
#ifdef QUAI_REPO
	{ "hook", cmd_hook, "git hooks that lint pushed or committed Dockerfiles and compose files", cmd_hook_usage, NULL },
#endif
	{ "login", cmd_login, "store registry credentials as docker login does", cmd_login_usage, NULL },
	{ "pipeline", cmd_pipeline_run, "run the jobs of .gitlab-ci.yml", cmd_pipeline_run_usage, NULL },
#ifdef QUAI_REPO
	{ "plan", cmd_plan, "list the images a change affects, in build order", cmd_plan_usage, NULL },
#endif
	{ "push", cmd_push, "push an image to registries under one or more names", cmd_push_usage, NULL },
#ifdef QUAI_REPO
	{ "remote", cmd_remote, "list, trigger, cancel, retry pipelines and follow logs on a quai server", cmd_remote_usage, NULL },
	{ "run", cmd_run, "build, test and push the images a change affects", cmd_run_usage, NULL },
	{ "serve", cmd_serve, "run the CI server: webhooks in, pipelines run, every run kept", cmd_serve_usage, NULL },
#endif
	{ "test", cmd_test, "run container-structure-test specs against an image", cmd_test_usage, NULL },
#ifdef QUAI_REPO
	{ "token", cmd_token, "create an API token for quai serve", cmd_token_usage, NULL },
	{ "web", cmd_web, "users of quai serve's web UI: add a user, allow anonymous reading", cmd_web_usage, NULL },
#endif
	{ NULL, NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	/* set by quai for GnuTLS's constructor only (common.c) */
	if (getenv("QUAI_ENGINE_UNSET_GNUTLS")) {
		unsetenv("GNUTLS_NO_IMPLICIT_INIT");
		unsetenv("QUAI_ENGINE_UNSET_GNUTLS");
	}
	if (argc < 2) {
		quai_cli_error("quai-engine is run by quai: use 'quai COMMAND'");
		return QUAI_EXIT_USAGE;
	}
	/* "help COMMAND" from quai's help */
	bool help = strcmp(argv[1], "help") == 0 && argc > 2;
	const char *name = help ? argv[2] : argv[1];
	const struct quai_command *cmd = quai_command_find(quai_engine_commands, name);
	if (!cmd) {
		quai_cli_error("'%s' is not a quai command; see 'quai help'", name);
		return QUAI_EXIT_USAGE;
	}
	if (help || quai_cli_wants_help(argc - 1, argv + 1)) {
		fputs(cmd->usage, stdout);
		return QUAI_EXIT_OK;
	}
	int rc = cmd->run(argc - 1, argv + 1);
#if defined(__SANITIZE_ADDRESS__)
	return rc; /* the sanitizers' leak check runs at exit */
#else
	/* Skip the libraries' exit handlers and destructors: OpenSSL's clean-up
	 * and the finalisers of the fifty libraries libcurl loads touch about
	 * 0.5 MB of pages that nothing needs at exit (peak RSS, bench/). */
	fflush(NULL);
	_exit(rc);
#endif
}
