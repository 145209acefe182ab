/* Drives the engine client from the integration tests (tests/integration/
 * test_engine*.py): one sub-command per call. Not part of quai.
 *
 *   engine_probe ping
 *   engine_probe build TAR [-t REF]... [-f FILE] [--target S] [--build-arg K=V]... [--label K=V]...
 * [--no-cache] engine_probe inspect IMAGE | tag IMAGE REF | rmi IMAGE engine_probe push REF [USER PASS
 * SERVER] engine_probe run IMAGE RUN_ID [TIMEOUT_MS] [CMD...] engine_probe exec IMAGE RUN_ID CMD...
 *   engine_probe archive IMAGE PATH OUT
 *   engine_probe port IMAGE RUN_ID PORT NETWORK CMD...  (prints PORT N, waits for a line on stdin)
 *   engine_probe network NAME RUN_ID
 *   engine_probe list containers|networks|volumes LABEL
 *   engine_probe gc LABEL
 * With QUAI_PROBE_LEAN=1 libcurl is first initialised for plain HTTP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "engine/engine.h"

static ssize_t file_read(void *arg, char *buf, size_t n, struct quai_error **err)
{
	FILE *f = arg;
	size_t got = fread(buf, 1, n, f);
	if (got == 0 && ferror(f))
		return quai_error_errno(err, errno, "read the context");
	return (ssize_t)got;
}

static int print_text(void *arg, const char *text, struct quai_error **err)
{
	fputs(text, stdout);
	fflush(stdout);
	return 0;
}

static int print_output(void *arg, int stream, const char *data, size_t len, struct quai_error **err)
{
	FILE *f = stream == 2 ? stderr : stdout;
	fwrite(data, 1, len, f);
	fflush(f);
	return 0;
}

static int write_data(void *arg, const char *data, size_t len, struct quai_error **err)
{
	if (fwrite(data, 1, len, arg) != len)
		return quai_error_errno(err, errno, "write");
	return 0;
}

static int cmd_build(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	const char *tags[16] = {0}, *args[16] = {0}, *labels[16] = {0};
	size_t nt = 0, na = 0, nl = 0;
	struct quai_engine_build b = {
	    .tags = tags, .build_args = args, .labels = labels, .on_output = print_text};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc && nt < 15)
			tags[nt++] = argv[++i];
		else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			b.dockerfile = argv[++i];
		else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc)
			b.target = argv[++i];
		else if (strcmp(argv[i], "--build-arg") == 0 && i + 1 < argc && na < 15)
			args[na++] = argv[++i];
		else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc && nl < 15)
			labels[nl++] = argv[++i];
		else if (strcmp(argv[i], "--no-cache") == 0)
			b.no_cache = true;
	}
	cleanup_file FILE *f = fopen(argv[0], "rb");
	if (!f)
		return quai_error_errno(err, errno, "open '%s'", argv[0]);
	struct quai_engine_body body = {file_read, f};
	b.context = &body;
	cleanup_free char *id = NULL;
	if (quai_engine_image_build(e, &id, &b, err) < 0)
		return -1;
	printf("ID %s\n", id);
	return 0;
}

static int cmd_push(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	struct quai_engine_auth auth = {0};
	if (argc >= 4)
		auth = (struct quai_engine_auth){argv[1], argv[2], argv[3]};
	cleanup_free char *digest = NULL;
	if (quai_engine_image_push(e, &digest, argv[0], argc >= 4 ? &auth : NULL, print_text, NULL, err) < 0)
		return -1;
	printf("DIGEST %s\n", digest);
	return 0;
}

static int cmd_run(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	long timeout = argc > 2 ? atol(argv[2]) : 0;
	struct quai_engine_container c = {
	    .image = argv[0], .run_id = argv[1], .cmd = argc > 3 ? (const char *const *)argv + 3 : NULL};
	cleanup_free char *id = NULL;
	if (quai_engine_container_create(e, &id, &c, err) < 0)
		return -1;
	int status = -1;
	int rc = quai_engine_container_start(e, id, err);
	if (rc == 0)
		rc = quai_engine_container_wait(e, &status, id, timeout, err);
	if (rc == 0)
		rc = quai_engine_container_logs(e, id, false, print_output, NULL, err);
	quai_engine_container_remove(e, id, rc < 0 ? NULL : err);
	if (rc == 0)
		printf("EXIT %d\n", status);
	return rc;
}

static int cmd_exec(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	const char *sleep_cmd[] = {"sleep", "60", NULL};
	struct quai_engine_container c = {.image = argv[0], .run_id = argv[1], .cmd = sleep_cmd};
	cleanup_free char *id = NULL;
	if (quai_engine_container_create(e, &id, &c, err) < 0)
		return -1;
	int status = -1;
	struct quai_engine_exec x = {.cmd = (const char *const *)argv + 2};
	int rc = quai_engine_container_start(e, id, err);
	if (rc == 0)
		rc = quai_engine_container_exec(e, &status, id, &x, print_output, NULL, err);
	quai_engine_container_remove(e, id, NULL);
	if (rc == 0)
		printf("EXIT %d\n", status);
	return rc;
}

static int cmd_archive(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	const char *cmd[] = {"true", NULL};
	struct quai_engine_container c = {.image = argv[0], .run_id = "probe-archive", .cmd = cmd};
	cleanup_free char *id = NULL;
	if (quai_engine_container_create(e, &id, &c, err) < 0)
		return -1;
	FILE *out = fopen(argv[2], "wb");
	json_t *stat = NULL;
	int rc = out ? quai_engine_container_archive(e, &stat, id, argv[1], write_data, out, err)
	             : quai_error_errno(err, errno, "open '%s'", argv[2]);
	if (out)
		fclose(out);
	quai_engine_container_remove(e, id, NULL);
	if (rc == 0) {
		cleanup_free char *text =
		    stat ? json_dumps(stat, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("null");
		printf("STAT %s\n", text);
	}
	json_decref(stat);
	return rc;
}

static int cmd_port(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	const char *ports[] = {argv[2], NULL};
	struct quai_engine_container c = {.image = argv[0],
	                                  .run_id = argv[1],
	                                  .ports = ports,
	                                  .network = argv[3],
	                                  .cmd = (const char *const *)argv + 4};
	cleanup_free char *id = NULL;
	if (quai_engine_container_create(e, &id, &c, err) < 0)
		return -1;
	json_t *info = NULL;
	int rc = quai_engine_container_start(e, id, err);
	if (rc == 0)
		rc = quai_engine_container_inspect(e, &info, id, err);
	if (rc == 0) {
		struct quai_engine_state st;
		quai_engine_inspect_state(&st, info);
		printf("STATE %s running=%d health=%s\n", st.status, st.running,
		       st.health ? st.health : "none");
		printf("PORT %d\n", quai_engine_inspect_host_port(info, argv[2]));
		fflush(stdout);
		char line[16];
		if (!fgets(line, sizeof(line), stdin))
			line[0] = '\0';
	}
	json_decref(info);
	if (rc == 0)
		rc = quai_engine_container_kill(e, id, NULL, err);
	quai_engine_container_remove(e, id, NULL);
	return rc;
}

static int cmd_list(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	enum quai_engine_kind kind = strcmp(argv[0], "networks") == 0  ? QUAI_ENGINE_NETWORKS
	                             : strcmp(argv[0], "volumes") == 0 ? QUAI_ENGINE_VOLUMES
	                                                               : QUAI_ENGINE_CONTAINERS;
	char **ids = NULL;
	if (quai_engine_list(e, &ids, kind, argv[1], err) < 0)
		return -1;
	for (char **p = ids; *p; p++)
		printf("%s\n", *p);
	quai_engine_strv_free(ids);
	return 0;
}

static int cmd_gc(struct quai_engine *e, int argc, char **argv, struct quai_error **err)
{
	char **ids = NULL;
	int n = 0;
	if (quai_engine_list(e, &ids, QUAI_ENGINE_CONTAINERS, argv[0], err) < 0)
		return -1;
	for (char **p = ids; *p; p++, n++)
		if (quai_engine_container_remove(e, *p, err) < 0)
			break;
	quai_engine_strv_free(ids);
	if (quai_engine_list(e, &ids, QUAI_ENGINE_NETWORKS, argv[0], err) < 0)
		return -1;
	for (char **p = ids; *p; p++, n++)
		if (quai_engine_network_remove(e, *p, err) < 0)
			break;
	quai_engine_strv_free(ids);
	printf("REMOVED %d\n", n);
	return err && *err ? -1 : 0;
}

static int dispatch(struct quai_engine *e, const char *cmd, int argc, char **argv, struct quai_error **err)
{
	if (strcmp(cmd, "ping") == 0) {
		printf("API %s\n", quai_engine_api_version(e));
		return 0;
	}
	if (strcmp(cmd, "build") == 0 && argc >= 1)
		return cmd_build(e, argc, argv, err);
	if (strcmp(cmd, "inspect") == 0 && argc == 1) {
		json_t *j = NULL;
		int rc = quai_engine_image_inspect(e, &j, argv[0], err);
		if (rc == 0) {
			cleanup_free char *text = json_dumps(j, JSON_COMPACT);
			printf("%s\n", text);
		}
		json_decref(j);
		return rc;
	}
	if (strcmp(cmd, "tag") == 0 && argc == 2)
		return quai_engine_image_tag(e, argv[0], argv[1], err);
	if (strcmp(cmd, "rmi") == 0 && argc == 1)
		return quai_engine_image_remove(e, argv[0], true, err);
	if (strcmp(cmd, "push") == 0 && argc >= 1)
		return cmd_push(e, argc, argv, err);
	if (strcmp(cmd, "run") == 0 && argc >= 2)
		return cmd_run(e, argc, argv, err);
	if (strcmp(cmd, "exec") == 0 && argc >= 3)
		return cmd_exec(e, argc, argv, err);
	if (strcmp(cmd, "archive") == 0 && argc == 3)
		return cmd_archive(e, argc, argv, err);
	if (strcmp(cmd, "port") == 0 && argc >= 5)
		return cmd_port(e, argc, argv, err);
	if (strcmp(cmd, "network") == 0 && argc == 2) {
		cleanup_free char *id = NULL;
		if (quai_engine_network_create(e, &id, argv[0], argv[1], err) < 0)
			return -1;
		printf("NETWORK %s\n", id);
		return 0;
	}
	if (strcmp(cmd, "list") == 0 && argc == 2)
		return cmd_list(e, argc, argv, err);
	if (strcmp(cmd, "gc") == 0 && argc == 1)
		return cmd_gc(e, argc, argv, err);
	return quai_error_set(err, QUAI_EXIT_USAGE, "usage: engine_probe COMMAND ARGS (see the source)");
}

int main(int argc, char **argv)
{
	cleanup_error struct quai_error *err = NULL;
	struct quai_engine *e = NULL;
	if (argc < 2) {
		fputs("usage: engine_probe COMMAND ARGS\n", stderr);
		return QUAI_EXIT_USAGE;
	}
	/* QUAI_PROBE_LEAN=1: libcurl first set up without TLS, as quai-engine
	 * does for a unix socket, before a TLS engine is opened */
	if (getenv("QUAI_PROBE_LEAN"))
		quai_engine_curl_init(false);
	int rc = quai_engine_open(&e, &err);
	if (rc == 0)
		rc = dispatch(e, argv[1], argc - 2, argv + 2, &err);
	quai_engine_free(e);
	if (rc < 0) {
		fprintf(stderr, "engine_probe: %s\n", err ? err->msg : "failed");
		return err ? err->status : QUAI_EXIT_USAGE;
	}
	return QUAI_EXIT_OK;
}
