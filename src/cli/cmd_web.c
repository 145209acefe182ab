/* quai web: the users of quai serve's web UI (docs/web.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "server/config.h"
#include "web/web.h"
#include "core/banned.h"

const char cmd_web_usage[] =
    "usage: quai web user [--config FILE] [--role admin|read] NAME\n"
    "       quai web anonymous [--config FILE] on|off\n"
    "\n"
    "Manages who may use quai serve's web UI (DATA_DIR/web-users, see docs/web.md).\n"
    "\n"
    "  user       add a user or change its password and role; the password is read\n"
    "             from standard input (one line) and stored as a yescrypt hash\n"
    "  anonymous  on: anyone may read the pages without signing in; off: sign-in needed\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE  the server configuration (default /etc/quai/server.yml)\n"
    "      --role ROLE    admin (may trigger, cancel, retry) or read (default)\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 done, 2 usage or configuration error.\n";

static const struct option long_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"role", required_argument, NULL, 'r'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int read_password(char **out)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fputs("password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		return -1;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	*out = line;
	return 0;
}

int cmd_web(int argc, char **argv)
{
	const char *config = "/etc/quai/server.yml", *role = "read";
	int c;
	while ((c = getopt_long(argc, argv, "+c:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 'h':
			fputs(cmd_web_usage, stdout);
			return 0;
		default:
			fputs(cmd_web_usage, stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	/* options may also follow the subcommand */
	if (argc >= 1) {
		optind = 1;
		while ((c = getopt_long(argc, argv, "c:h", long_opts, NULL)) != -1) {
			switch (c) {
			case 'c':
				config = optarg;
				break;
			case 'r':
				role = optarg;
				break;
			case 'h':
				fputs(cmd_web_usage, stdout);
				return 0;
			default:
				fputs(cmd_web_usage, stderr);
				return 2;
			}
		}
	}
	bool user = argc >= 1 && strcmp(argv[0], "user") == 0;
	bool anon = argc >= 1 && strcmp(argv[0], "anonymous") == 0;
	if ((!user && !anon) || optind != argc - 1) {
		fputs(cmd_web_usage, stderr);
		return 2;
	}
	const char *arg = argv[optind];
	if (anon && strcmp(arg, "on") != 0 && strcmp(arg, "off") != 0) {
		fprintf(stderr, "quai web: anonymous takes on or off, not '%s'\n", arg);
		return 2;
	}
	struct quai_server_config *cfg = NULL;
	struct quai_error *err = NULL;
	int rc = quai_server_config_load(&cfg, config, &err);
	if (rc == 0 && anon)
		rc = quai_web_anonymous_set(cfg->data_dir, strcmp(arg, "on") == 0, &err);
	if (rc == 0 && user) {
		cleanup_free char *password = NULL;
		if (read_password(&password) < 0 || strlen(password) < 8)
			rc = quai_error_set(&err, 2,
			                    "the password (standard input) must have 8 characters or more");
		else
			rc = quai_web_user_set(cfg->data_dir, arg, role, password, &err);
	}
	quai_server_config_free(cfg);
	if (rc < 0) {
		fprintf(stderr, "quai web: %s\n", err->msg);
		quai_error_free(err);
		return 2;
	}
	return 0;
}
