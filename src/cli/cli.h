/* The command-line interface: one cmd_<name>.c per command, dispatched from
 * the table in main.c. Each command returns the process exit status
 * (QUAI_EXIT_*) and prints its own errors once. */
#ifndef QUAI_CLI_H
#define QUAI_CLI_H

#include <stdbool.h>

struct quai_command {
	const char *name;
	/* NULL for a command of quai-engine, which quai runs in its place */
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for `quai help` */
	const char *usage;   /* full text for `quai help COMMAND` and `--help`; NULL in quai for quai-engine's */
	/* In quai's table, for run == NULL: the binary that runs it,
	 * "quai-repo", or NULL for quai-engine. */
	const char *helper;
};

/* quai's table of commands (main.c), and quai-engine's (engine_main.c):
 * commands that talk to engines and registries live in a second binary,
 * quai-engine, so that quai itself does not load libcurl at start-up; those
 * that also need libgit2, SQLite or libmicrohttpd live in a third,
 * quai-repo, so that builds do not load them. Both end with a { NULL }
 * entry. */
extern const struct quai_command quai_commands[];
extern const struct quai_command quai_engine_commands[];

const struct quai_command *quai_command_find(const struct quai_command *table, const char *name);
/* Replaces the process with the helper binary of cmd (quai-engine or
 * quai-repo) running argv (argv[0] is the command name); returns only on
 * failure, with the exit status. */
int quai_cli_exec_engine(const struct quai_command *cmd, char **argv);

int cmd_build(int argc, char **argv);
int cmd_compose(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_pipeline(int argc, char **argv);
int cmd_pipeline_run(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_remote(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_web(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_token(int argc, char **argv);

extern const char cmd_build_usage[];
extern const char cmd_compose_usage[];
extern const char cmd_gc_usage[];
extern const char cmd_help_usage[];
extern const char cmd_hook_usage[];
extern const char cmd_lint_usage[];
extern const char cmd_login_usage[];
extern const char cmd_pipeline_usage[];
extern const char cmd_pipeline_run_usage[];
extern const char cmd_plan_usage[];
extern const char cmd_push_usage[];
extern const char cmd_remote_usage[];
extern const char cmd_run_usage[];
extern const char cmd_serve_usage[];
extern const char cmd_web_usage[];
extern const char cmd_test_usage[];
extern const char cmd_token_usage[];

struct quai_findings;
/* quai lint's hook for pipeline files (cmd_pipeline.c): true when path is
 * one (.gitlab-ci.yml, .quai-ci.yml, *.gitlab-ci.yml), its error as a
 * QP1000 finding in out. */
bool quai_cli_lint_pipeline(struct quai_findings *out, const char *path);

/* Prints "quai: " + message to stderr. */
void quai_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True if argv has -h or --help before any "--". */
int quai_cli_wants_help(int argc, char **argv);

#endif
