/* Every Dockerfile of the real-world corpus builds with docker, so the parser
 * must report no diagnostic on any of them. Argument: the corpus directory
 * (searched recursively); a TAP skip when it is missing. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"

static unsigned files, failed, instrs;

static void check_file(const char *path)
{
	cleanup_free char *src = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	if (quai_file_read(&src, &len, path, 1u << 24, &err) < 0) {
		printf("not ok - %s: cannot read\n", path);
		quai_error_free(err);
		failed++;
		return;
	}
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, path, src, len);
	files++;
	instrs += (unsigned)df.ninstrs;
	if (df.ndiags) {
		failed++;
		printf("not ok %u - %s\n", files, path);
		for (size_t i = 0; i < df.ndiags; i++)
			printf("# %s:%u:%u: %s\n", path, df.diags[i].pos.line, df.diags[i].pos.col,
			       df.diags[i].message);
	} else {
		printf("ok %u - %s (%zu instructions)\n", files, path, df.ninstrs);
	}
	quai_dockerfile_release(&df);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "MANIFEST.tsv") == 0)
			continue;
		cleanup_free char *path = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path);
		else if (S_ISREG(st.st_mode))
			check_file(path);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	struct stat st;
	if (argc < 2 || stat(argv[1], &st) < 0 || !S_ISDIR(st.st_mode)) {
		printf("1..0 # SKIP corpus directory not found\n");
		return 0;
	}
	walk(argv[1]);
	printf("1..%u\n", files);
	printf("# %u files, %u instructions, %u with diagnostics\n", files, instrs, failed);
	return failed ? 1 : 0;
}
