#include <stdio.h>

#include "cli/cli.h"
#include "core/error.h"

const char cmd_help_usage[] = "usage: quai help [COMMAND]\n"
			      "\n"
			      "Shows the list of commands, or the full help of COMMAND.\n";

int cmd_help(int argc, char **argv)
{
	if (argc >= 2) {
		const struct quai_command *cmd = quai_command_find(quai_commands, argv[1]);
		if (!cmd) {
			quai_cli_error("'%s' is not a quai command; see 'quai help'", argv[1]);
			return QUAI_EXIT_USAGE;
		}
		if (!cmd->usage)
			return quai_cli_exec_engine(cmd, argv);
		fputs(cmd->usage, stdout);
		return QUAI_EXIT_OK;
	}
	puts("usage: quai COMMAND [OPTIONS] [ARGS]\n"
	     "       quai --version\n"
	     "\n"
	     "quai lints, builds, tests and ships container images.\n"
	     "\n"
	     "Commands:");
	for (const struct quai_command *c = quai_commands; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	puts("\nRun 'quai help COMMAND' or 'quai COMMAND --help' for a command's options.\n"
	     "Exit status: 0 ok, 1 findings or failures, 2 usage or environment error.");
	return QUAI_EXIT_OK;
}
