/* A main() for the fuzz targets without libFuzzer: feeds every file named on
 * the command line, and every regular file of every directory named, to
 * LLVMFuzzerTestOneInput, so that the checked-in corpora replay as
 * regression tests under gcc and AddressSanitizer in `meson test`.
 *
 * Each input is copied into a buffer of exactly its size, so that a read one
 * byte past the end is caught as it would be under libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "fuzz/fuzz.h"
#include "core/banned.h"

#define INPUT_CAP (16u << 20)

static int run_file(const char *path)
{
	char *src = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	if (quai_file_read(&src, &len, path, INPUT_CAP, &err) < 0) {
		fprintf(stderr, "standalone: %s\n", err->msg);
		quai_error_free(err);
		return -1;
	}
	/* exactly len bytes, no terminating NUL: malloc(0) is fine too */
	uint8_t *data = xmalloc(len ? len : 1);
	memcpy(data, src, len);
	free(src);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int skip_name(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int run_dir(const char *dir, size_t *count)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, skip_name, alphasort);
	if (n < 0) {
		fprintf(stderr, "standalone: cannot read '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	int status = 0;
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				status = -1;
			else
				(*count)++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return status;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int status = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "standalone: cannot open '%s': %s\n", argv[i], strerror(errno));
			status = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) < 0)
				status = 1;
		} else if (run_file(argv[i]) < 0) {
			status = 1;
		} else {
			count++;
		}
	}
	printf("%zu inputs replayed\n", count);
	return status;
}
