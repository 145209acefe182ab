/* quai-engine: the commands that talk to Docker engines and registries.
 * quai runs it in its own place as "quai-engine COMMAND ARGS"; it is not
 * meant to be run by hand. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"

const struct quai_command quai_engine_commands[] = {
	{ "build", cmd_build, "lint and build an image with the Docker engine", cmd_build_usage },
	{ "gc", cmd_gc, "remove what killed quai runs left in the engine", cmd_gc_usage },
	{ "login", cmd_login, "store registry credentials as docker login does", cmd_login_usage },
	{ "push", cmd_push, "push an image to registries under one or more names", cmd_push_usage },
	{ "remote", cmd_remote, "list, trigger, cancel, retry pipelines and follow logs on a quai server", cmd_remote_usage },
	{ "serve", cmd_serve, "run the CI server: webhooks in, pipelines run, every run kept", cmd_serve_usage },
	{ "test", cmd_test, "run container-structure-test specs against an image", cmd_test_usage },
	{ "token", cmd_token, "create an API token for quai serve", cmd_token_usage },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
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
	return cmd->run(argc - 1, argv + 1);
}
