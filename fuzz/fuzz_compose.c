/* Fuzz target for the compose loader: the input is a compose file (YAML,
 * interpolation, the schema's types, short syntaxes, checks), loaded from a
 * memfd with a fixed environment and written back as YAML and JSON; the
 * input is also interpolated as one string. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compose/compose.h"
#include "compose/internal.h"
#include "core/xalloc.h"
#include "fuzz/fuzz.h"
#include "core/banned.h"

static const char *const fuzz_environ[] = {"HOME=/root", "TAG=1.25", "EMPTY=", "PORT=8080", "YES=yes", NULL};

static int input_fd(void)
{
	static int fd = -1;
	if (fd < 0) {
		fd = memfd_create("compose.yaml", 0);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	return fd;
}

static int write_input(const uint8_t *data, size_t size)
{
	int fd = input_fd();
	if (ftruncate(fd, 0) < 0)
		return -1;
	size_t done = 0;
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static void interpolate(const uint8_t *data, size_t size)
{
	struct compose_env env = {0};
	for (const char *const *e = fuzz_environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		char *k = xstrndup(*e, (size_t)(eq - *e));
		compose_env_set(&env, k, eq + 1, true);
		free(k);
	}
	struct quai_buf out = QUAI_BUF_INIT;
	char *msg = NULL;
	if (compose_interpolate(&out, (const char *)data, size, &env, &msg) < 0 && (!msg || !*msg))
		abort(); /* a failure must say why */
	free(msg);
	quai_buf_release(&out);
	compose_env_release(&env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	interpolate(data, size);
	if (write_input(data, size) < 0)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", input_fd());
	const char *files[] = {path};
	struct quai_compose_options o = {
	    .files = files,
	    .nfiles = 1,
	    .project_dir = "/nonexistent-quai-fuzz",
	    .environ = fuzz_environ,
	};
	struct quai_findings diags = {0};
	struct quai_compose *c = NULL;
	struct quai_error *err = NULL;
	if (quai_compose_load(&c, &diags, &o, &err) < 0) {
		if (!err || !err->msg || !err->msg[0])
			abort();
	} else if (c) {
		FILE *null = fopen("/dev/null", "w");
		if (null) {
			(void)quai_compose_write(null, c, false, NULL);
			(void)quai_compose_write(null, c, true, NULL);
			fclose(null);
		}
	}
	for (size_t i = 0; i < diags.len; i++)
		if (!diags.items[i].message[0])
			abort();
	quai_compose_free(c);
	quai_findings_release(&diags);
	quai_error_free(err);
	return 0;
}
