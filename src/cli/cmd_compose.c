/* quai compose config: loads a compose project as docker compose does and
 * prints the resolved model, or the problems found at their file:line:col. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

const char cmd_compose_usage[] =
    "usage: quai compose [OPTIONS] config [OPTIONS]\n"
    "\n"
    "Loads a compose project as docker compose does (files merged in order,\n"
    "variables interpolated, extends and include resolved), checks it against the\n"
    "Compose Specification and prints the resolved model. Problems are printed as\n"
    "file:line:col: error: QC1000 path: message.\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE              compose file, - for standard input (repeatable;\n"
    "                               default: compose.yaml,\n"
    "                               compose.yml, docker-compose.yml or\n"
    "                               docker-compose.yaml, plus its override file)\n"
    "      --env-file FILE          read variables from FILE instead of .env\n"
    "                               (repeatable)\n"
    "      --project-directory DIR  relative paths resolve against DIR (default:\n"
    "                               the directory of the first file)\n"
    "  -p, --project-name NAME      the project name\n"
    "      --profile NAME           also print the services of profile NAME\n"
    "                               (repeatable; default: COMPOSE_PROFILES; *: all)\n"
    "      --format FORMAT          yaml (default) or json\n"
    "  -q, --quiet                  only check, print nothing when all is well\n"
    "  -h, --help                   show this help\n"
    "\n"
    "Exit status: 0 valid, 1 problems found, 2 usage error or unreadable file.\n";

enum { OPT_ENV_FILE = 256, OPT_FORMAT, OPT_PROJECT_DIR, OPT_PROFILE };

static const struct option long_opts[] = {
    {"file", required_argument, NULL, 'f'},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"project-directory", required_argument, NULL, OPT_PROJECT_DIR},
    {"project-name", required_argument, NULL, 'p'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct compose_args {
	const char **files, **env_files, **profiles;
	size_t nfiles, nenv_files, nprofiles, cap_files, cap_env, cap_profiles;
	const char *project_dir, *project_name;
	bool json, quiet;
	const char *sub;
};

static int parse(struct compose_args *a, int argc, char **argv)
{
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:p:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->files = xgrow(a->files, &a->cap_files, a->nfiles + 1, sizeof(char *));
			a->files[a->nfiles++] = optarg;
			break;
		case OPT_ENV_FILE:
			a->env_files = xgrow(a->env_files, &a->cap_env, a->nenv_files + 1, sizeof(char *));
			a->env_files[a->nenv_files++] = optarg;
			break;
		case OPT_PROFILE:
			a->profiles = xgrow(a->profiles, &a->cap_profiles, a->nprofiles + 1, sizeof(char *));
			a->profiles[a->nprofiles++] = optarg;
			break;
		case OPT_PROJECT_DIR:
			a->project_dir = optarg;
			break;
		case 'p':
			a->project_name = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "yaml") != 0) {
				quai_cli_error("unknown format '%s' (use yaml or json)", optarg);
				return QUAI_EXIT_USAGE;
			}
			a->json = strcmp(optarg, "json") == 0;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'h':
			fputs(cmd_compose_usage, stdout);
			return QUAI_EXIT_OK;
		case ':':
			quai_cli_error("option '%s' needs a value", argv[optind - 1]);
			return QUAI_EXIT_USAGE;
		default:
			quai_cli_error("unknown option '%s'; see 'quai compose --help'", argv[optind - 1]);
			return QUAI_EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (a->sub) {
			quai_cli_error("unexpected argument '%s'", argv[i]);
			return QUAI_EXIT_USAGE;
		}
		a->sub = argv[i];
	}
	if (!a->sub || strcmp(a->sub, "config") != 0) {
		quai_cli_error(a->sub ? "unknown compose command '%s' (quai knows 'config')"
		                      : "usage: quai compose [-f FILE...] config%s",
		               a->sub ? a->sub : "");
		return QUAI_EXIT_USAGE;
	}
	return -1;
}

/* docker compose's warnings (unset variables), on standard error. */
static void warn(struct quai_compose *c)
{
	if (!c || !c->warnings.len)
		return;
	quai_findings_sort(&c->warnings);
	quai_lint_write(stderr, QUAI_FORMAT_GNU, &c->warnings, false, NULL, 0);
}

static int run(const struct compose_args *a)
{
	struct quai_compose_options o = {
	    .files = a->files,
	    .nfiles = a->nfiles,
	    .env_files = a->env_files,
	    .nenv_files = a->nenv_files,
	    .project_dir = a->project_dir,
	    .project_name = a->project_name,
	    .apply_profiles = true,
	    .profiles = a->profiles,
	    .nprofiles = a->nprofiles,
	};
	struct quai_findings diags = {0};
	struct quai_compose *c = NULL;
	cleanup_error struct quai_error *err = NULL;
	int rc = QUAI_EXIT_OK;
	if (quai_compose_load(&c, &diags, &o, &err) < 0) {
		quai_cli_error("%s", err->msg);
		rc = err->status ? err->status : QUAI_EXIT_USAGE;
	} else if (diags.len) {
		quai_findings_sort(&diags);
		quai_lint_write(stderr, QUAI_FORMAT_GNU, &diags, false, NULL, 0);
		rc = QUAI_EXIT_FINDINGS;
	} else {
		warn(c);
		if (!a->quiet && quai_compose_write(stdout, c, a->json, &err) < 0) {
			quai_cli_error("%s", err->msg);
			rc = QUAI_EXIT_USAGE;
		}
	}
	quai_compose_free(c);
	quai_findings_release(&diags);
	return rc;
}

int cmd_compose(int argc, char **argv)
{
	struct compose_args a = {0};
	int rc = parse(&a, argc, argv);
	if (rc < 0)
		rc = run(&a);
	free(a.files);
	free(a.env_files);
	free(a.profiles);
	return rc;
}
