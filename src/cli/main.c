#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "quai_version.h"

const struct quai_command quai_commands[] = {
	{ "build", cmd_build, "lint and build an image with the Docker engine", cmd_build_usage },
	{ "help", cmd_help, "show help for quai or one of its commands", cmd_help_usage },
	{ "lint", cmd_lint, "check Dockerfiles for errors and bad practice", cmd_lint_usage },
	{ "test", cmd_test, "run container-structure-test specs against an image", cmd_test_usage },
	{ NULL, NULL, NULL, NULL },
};

const struct quai_command *quai_command_find(const char *name)
{
	for (const struct quai_command *c = quai_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void quai_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("quai: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int quai_cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
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
	const struct quai_command *cmd = quai_command_find(name);
	if (!cmd) {
		quai_cli_error("'%s' is not a quai command; see 'quai help'", name);
		return QUAI_EXIT_USAGE;
	}
	if (quai_cli_wants_help(argc - 1, argv + 1)) {
		fputs(cmd->usage, stdout);
		return QUAI_EXIT_OK;
	}
	return cmd->run(argc - 1, argv + 1);
}
