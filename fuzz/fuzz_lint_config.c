/* Fuzz target for the lint configuration reader: the input is a
 * .hadolint.yaml, parsed from memory (quai_lint_config_load_string), then
 * read again from a file as .hadolint.yaml and as quai.yml (a memfd opened
 * once and rewritten for each run). A configuration that loads is then used
 * to lint a small Dockerfile, so that what it set (overrides, label schema,
 * trusted registries) is exercised. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dockerfile/dockerfile.h"
#include "fuzz/fuzz.h"
#include "lint/lint.h"
#include "core/xalloc.h"
#include "core/banned.h"

static const char dockerfile[] = "FROM registry.example.com/debian:12 AS build\n"
                                 "LABEL org.opencontainers.image.title=quai version=1.0 url=http://x\n"
                                 "RUN apt-get update && apt-get install -y curl\n"
                                 "FROM alpine\n"
                                 "COPY --from=build /a /b\n"
                                 "USER root\n";

static const char *input_path(void)
{
	static char path[64];
	static int fd = -1;
	if (fd < 0) {
		fd = memfd_create("quai-fuzz-config", 0);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	return path;
}

static int write_input(const uint8_t *data, size_t size)
{
	const char *path = input_path();
	int fd = atoi(path + strlen("/proc/self/fd/"));
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

static void use(const struct quai_lint_config *cfg, const struct quai_dockerfile *df)
{
	static const char *const codes[] = {"DL3008", "DL3006", "DL3026", "DL3048", "QU0001", "SC2086", ""};
	volatile size_t sum = 0;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		sum += quai_lint_config_level(cfg, codes[i], QUAI_LEVEL_WARNING);
	(void)sum;
	struct quai_findings findings = {0};
	quai_lint_dockerfile(&findings, df, cfg);
	(void)quai_lint_failed(&findings, cfg);
	quai_findings_release(&findings);
}

enum how { FROM_STRING, FROM_FILE, FROM_QUAI_YML, HOW_COUNT };

static int load(enum how how, struct quai_lint_config *cfg, const char *text, struct quai_error **err)
{
	switch (how) {
	case FROM_STRING:
		return quai_lint_config_load_string(cfg, ".hadolint.yaml", text, err);
	case FROM_FILE:
		return quai_lint_config_load(cfg, input_path(), err);
	default:
		return quai_lint_config_load_quai_yml(cfg, input_path(), err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (write_input(data, size) < 0)
		return 0;
	/* the string loader reads a C string: up to the first NUL */
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, "Dockerfile", dockerfile, sizeof(dockerfile) - 1);

	for (int how = 0; how < HOW_COUNT; how++) {
		struct quai_lint_config cfg;
		quai_lint_config_init(&cfg);
		struct quai_error *err = NULL;
		if (load((enum how)how, &cfg, text, &err) == 0) {
			use(&cfg, &df);
		} else if (!err || !err->msg || !err->msg[0]) {
			/* a failed load must say why */
			abort();
		}
		quai_error_free(err);
		quai_lint_config_release(&cfg);
	}
	quai_dockerfile_release(&df);
	free(text);
	return 0;
}
