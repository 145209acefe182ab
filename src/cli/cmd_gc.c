/* quai gc: removes the containers, networks and volumes that a killed quai
 * run left behind, found by the io.quai.run label quai puts on all of them.
 * Only that label counts: images may carry other io.quai.* labels, which
 * their containers inherit, and those containers are not quai's. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "engine/engine.h"
#include "core/banned.h"

const char cmd_gc_usage[] = "usage: quai gc [OPTIONS]\n"
                            "\n"
                            "Removes every container (running or not, with its anonymous volumes),\n"
                            "network and volume of the Docker engine that carries the io.quai.run label\n"
                            "(which quai puts on everything it creates): what a quai run that was\n"
                            "killed left behind. Prints one line per object.\n"
                            "\n"
                            "Options:\n"
                            "  -n, --dry-run   print what would be removed, remove nothing\n"
                            "  -h, --help      show this help\n"
                            "\n"
                            "Exit status: 0 done, 2 usage or engine error.\n";

static const struct option long_opts[] = {
    {"dry-run", no_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *short_id(const char *id, char *buf, size_t n)
{
	snprintf(buf, n, "%.12s", id);
	return buf;
}

/* Lists one kind and removes (or, dry, prints) the labelled ones; counts
 * failures in *failed. */
static int sweep(struct quai_engine *e, enum quai_engine_kind kind, bool dry, int *failed)
{
	static const char *const names[] = {"container", "network", "volume"};
	char **list = NULL;
	cleanup_error struct quai_error *err = NULL;
	if (quai_engine_list(e, &list, kind, QUAI_ENGINE_LABEL_RUN, &err) < 0) {
		quai_cli_error("gc: list %ss: %s", names[kind], err->msg);
		return -1;
	}
	for (char **p = list; *p; p++) {
		const char *id = *p;
		char sbuf[16];
		const char *shown = kind == QUAI_ENGINE_VOLUMES ? id : short_id(id, sbuf, sizeof(sbuf));
		if (dry) {
			printf("would remove %s %s\n", names[kind], shown);
			continue;
		}
		struct quai_error *rerr = NULL;
		int r;
		if (kind == QUAI_ENGINE_CONTAINERS)
			r = quai_engine_container_remove(e, id, &rerr);
		else if (kind == QUAI_ENGINE_NETWORKS)
			r = quai_engine_network_remove(e, id, &rerr);
		else
			r = quai_engine_volume_remove(e, id, &rerr);
		if (r < 0) {
			quai_cli_error("gc: remove %s %s: %s", names[kind], shown, rerr->msg);
			quai_error_free(rerr);
			(*failed)++;
			continue;
		}
		printf("removed %s %s\n", names[kind], shown);
	}
	quai_engine_strv_free(list);
	return 0;
}

int cmd_gc(int argc, char **argv)
{
	bool dry = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "nh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry = true;
			break;
		case 'h':
			fputs(cmd_gc_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs("see 'quai gc --help'\n", stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		quai_cli_error("gc takes no arguments; see 'quai gc --help'");
		return QUAI_EXIT_USAGE;
	}
	struct quai_engine *e = NULL;
	cleanup_error struct quai_error *err = NULL;
	if (quai_engine_open(&e, &err) < 0) {
		quai_cli_error("%s", err->msg);
		return QUAI_EXIT_USAGE;
	}
	int failed = 0, status = QUAI_EXIT_OK;
	/* containers first: networks and volumes in use cannot be removed */
	for (int k = QUAI_ENGINE_CONTAINERS; k <= QUAI_ENGINE_VOLUMES; k++) {
		if (sweep(e, (enum quai_engine_kind)k, dry, &failed) < 0) {
			status = QUAI_EXIT_USAGE;
			break;
		}
	}
	if (failed)
		status = QUAI_EXIT_USAGE;
	fflush(stdout);
	quai_engine_free(e);
	return status;
}
