/* quai test: runs a container-structure-test spec (plus quai's httpTests and
 * healthcheck) against an image through the Docker engine. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

const char cmd_test_usage[] = "usage: quai test [OPTIONS] IMAGE\n"
                              "\n"
                              "Runs the tests of a container-structure-test spec (schemaVersion 2.0.0,\n"
                              "plus httpTests and healthcheck) against IMAGE (a name or an ID) with the\n"
                              "Docker engine (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH).\n"
                              "\n"
                              "Options:\n"
                              "      --dir DIR            where the spec is (default: .)\n"
                              "      --spec FILE          the spec (default: DIR/tests.yml, else\n"
                              "                           DIR/container-structure-test.yaml)\n"
                              "      --junit FILE         also write the results as JUnit XML to FILE\n"
                              "      --format FORMAT      text (default) or json\n"
                              "  -h, --help               show this help\n"
                              "\n"
                              "Every container and network made carries the label io.quai.run=ID and\n"
                              "is removed when the command ends, also on Ctrl-C or SIGTERM.\n"
                              "\n"
                              "Exit status: 0 all tests passed, 1 a test failed, 2 usage, spec or\n"
                              "engine error, 130/143 interrupted by SIGINT/SIGTERM.\n";

enum { OPT_DIR = 256, OPT_SPEC, OPT_JUNIT, OPT_FORMAT };

static const struct option long_opts[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"spec", required_argument, NULL, OPT_SPEC},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* A random run ID: 16 hex digits. */
static char *run_id(void)
{
	unsigned char b[8] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long v = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 32) ^
		                       (unsigned long long)ts.tv_sec;
		memcpy(b, &v, sizeof(b));
	}
	struct quai_buf s = QUAI_BUF_INIT;
	for (size_t i = 0; i < sizeof(b); i++)
		quai_buf_printf(&s, "%02x", b[i]);
	return quai_buf_detach(&s);
}

/* Removes whatever still carries io.quai.run=id. */
static void sweep(struct quai_engine *e, const char *id)
{
	cleanup_free char *label = xasprintf("%s=%s", QUAI_ENGINE_LABEL_RUN, id);
	char **v = NULL;
	if (quai_engine_list(e, &v, QUAI_ENGINE_CONTAINERS, label, NULL) == 0) {
		for (char **p = v; *p; p++)
			quai_engine_container_remove(e, *p, NULL);
		quai_engine_strv_free(v);
	}
	v = NULL;
	if (quai_engine_list(e, &v, QUAI_ENGINE_NETWORKS, label, NULL) == 0) {
		for (char **p = v; *p; p++)
			quai_engine_network_remove(e, *p, NULL);
		quai_engine_strv_free(v);
	}
}

static int write_file(const char *path, const struct quai_buf *b)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		quai_cli_error("open '%s': %s", path, strerror(errno));
		return -1;
	}
	size_t n = fwrite(quai_buf_str(b), 1, b->len, f);
	if (fclose(f) != 0 || n != b->len) {
		quai_cli_error("write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_test(int argc, char **argv)
{
	const char *dir = ".", *spec_path = NULL, *junit = NULL, *format = "text";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_SPEC:
			spec_path = optarg;
			break;
		case OPT_JUNIT:
			junit = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case 'h':
			fputs(cmd_test_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs(cmd_test_usage, stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		quai_cli_error("unknown format '%s' (text or json)", format);
		return QUAI_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		quai_cli_error("test takes one IMAGE; see 'quai test --help'");
		return QUAI_EXIT_USAGE;
	}
	const char *image = argv[optind];
	cleanup_free char *found = NULL;
	if (!spec_path) {
		found = xasprintf("%s/tests.yml", dir);
		if (access(found, F_OK) != 0) {
			free(found);
			found = xasprintf("%s/container-structure-test.yaml", dir);
			if (access(found, F_OK) != 0) {
				quai_cli_error("no spec in '%s': neither tests.yml nor "
				               "container-structure-test.yaml (use --spec FILE)",
				               dir);
				return QUAI_EXIT_USAGE;
			}
		}
		spec_path = found;
	}
	struct quai_imagetest_spec spec;
	quai_imagetest_spec_init(&spec);
	cleanup_error struct quai_error *err = NULL;
	if (quai_imagetest_spec_load(&spec, spec_path, &err) < 0) {
		fprintf(stderr, "%s\n", err ? err->msg : "cannot load the spec");
		return QUAI_EXIT_USAGE;
	}
	struct quai_engine *e = NULL;
	if (quai_engine_open(&e, &err) < 0) {
		quai_cli_error("%s", err->msg);
		quai_imagetest_spec_release(&spec);
		return QUAI_EXIT_USAGE;
	}
	cleanup_free char *id = run_id();
	install_handlers();
	struct quai_imagetest_results results = QUAI_IMAGETEST_RESULTS_INIT;
	int status = QUAI_EXIT_OK;
	if (quai_imagetest_run(e, &spec, image, id, &got_signal, &results, &err) < 0) {
		quai_cli_error("test '%s': %s", image, err->msg);
		status = QUAI_EXIT_USAGE;
	}
	sweep(e, id);
	if (got_signal) {
		status = 128 + got_signal;
	} else if (status == QUAI_EXIT_OK) {
		cleanup_buf struct quai_buf out = QUAI_BUF_INIT;
		if (strcmp(format, "json") == 0)
			quai_imagetest_write_json(&out, &results);
		else
			quai_imagetest_write_text(&out, &results);
		fwrite(quai_buf_str(&out), 1, out.len, stdout);
		fflush(stdout);
		if (junit) {
			cleanup_buf struct quai_buf x = QUAI_BUF_INIT;
			quai_imagetest_write_junit(&x, &results, image);
			if (write_file(junit, &x) < 0)
				status = QUAI_EXIT_USAGE;
		}
		if (status == QUAI_EXIT_OK && quai_imagetest_results_failed(&results))
			status = QUAI_EXIT_FINDINGS;
	}
	quai_imagetest_results_release(&results);
	quai_imagetest_spec_release(&spec);
	quai_engine_free(e);
	return status;
}
