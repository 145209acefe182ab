#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"

int quai_file_read(char **out, size_t *out_len, const char *path, size_t cap, struct quai_error **err)
{
	cleanup_close int fd = -1;
	int in = STDIN_FILENO;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return quai_error_errno(err, errno, "cannot open '%s'", path);
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' is a directory", path);
		in = fd;
	}
	cleanup_buf struct quai_buf b = QUAI_BUF_INIT;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return quai_error_errno(err, errno, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > cap)
			return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' is larger than the %zu byte limit", path, cap);
		quai_buf_add(&b, chunk, (size_t)n);
	}
	if (out_len)
		*out_len = b.len;
	*out = quai_buf_detach(&b);
	return 0;
}
