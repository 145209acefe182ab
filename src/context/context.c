/* The build context as a tar stream produced on demand: libarchive writes
 * into a small buffer through its client callbacks, one header or one chunk
 * of a file at a time, as the engine's upload reads it. The context is
 * checked in a first walk (unreadable files, escaping symlinks, size) so
 * that those errors come before anything is sent. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context/context.h"
#include "context/internal.h"
#include "context/libarchive.h"
#include "context/walk.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "core/hash.h"
#include "core/banned.h"

#define CHUNK          ((size_t)64 * 1024)
#define DOCKERFILE_MAX ((size_t)16 * 1024 * 1024)

/* libarchive, set by quai_context_open before any other use */
static const struct quai_libarchive *la;

enum state { S_WALK, S_FILE, S_EXTRA, S_DONE, S_FAILED };

struct quai_context {
	char *dir;  /* as given, for messages */
	char *root; /* real path */
	struct quai_dockerignore *di;
	char *df_name;
	char *df_data; /* the Dockerfile when it lies outside the context */
	size_t df_len;
	time_t df_mtime;
	char *ign_data; /* .dockerignore content to send instead of the file's */
	size_t ign_len;
	bool ign_exists;
	uint64_t max_bytes, produced;
	struct quai_walk walk;
	struct archive *ar;
	struct quai_buf out;
	size_t out_off;
	enum state state;
	int fd;
	uint64_t remaining;
	char *file_rel;
	char *chunk;
};

static la_ssize_t write_cb(struct archive *a, void *data, const void *buf, size_t len)
{
	struct quai_context *ctx = data;
	quai_buf_add(&ctx->out, buf, len);
	ctx->produced += len;
	return (la_ssize_t)len;
}

static uint64_t pad512(uint64_t n)
{
	return (n + 511) / 512 * 512;
}

/* Tar bytes for one entry, on the generous side (a pax header when needed). */
static uint64_t entry_estimate(const char *name, uint64_t size, size_t linklen)
{
	uint64_t n = 512 + pad512(size);
	size_t nl = strlen(name);
	bool ascii = true;
	for (size_t i = 0; i < nl; i++)
		ascii &= (unsigned char)name[i] < 0x80;
	if (nl >= 99 || linklen >= 99 || !ascii)
		n += 1024 + pad512(2 * (nl + linklen) + 128);
	return n;
}

static int check_symlink(const struct quai_walk *w, char **target, struct quai_error **err)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(w->full, buf, sizeof(buf) - 1);
	if (n < 0)
		return quai_error_errno(err, errno, "cannot read symlink '%s' in the build context", w->rel);
	buf[n] = '\0';
	bool escapes = buf[0] == '/';
	if (!escapes) {
		cleanup_free char *dir = xstrdup(w->rel);
		char *slash = strrchr(dir, '/');
		cleanup_free char *joined =
		    slash ? (*slash = '\0', xasprintf("%s/%s", dir, buf)) : xstrdup(buf);
		quai_context_clean_path(joined);
		escapes = strcmp(joined, "..") == 0 || strncmp(joined, "../", 3) == 0;
	}
	if (escapes)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "symlink '%s' in the build context points outside it ('%s'): "
		                      "copy the target into the context or exclude the link in .dockerignore",
		                      w->rel, buf);
	if (target)
		*target = xstrdup(buf);
	return 0;
}

static int open_file(const struct quai_walk *w, struct quai_error **err)
{
	int fd = open(w->full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return quai_error_errno(err, errno, "cannot read '%s' in the build context", w->rel);
	return fd;
}

static void size_error(struct quai_context *ctx, uint64_t size, struct quai_error **err)
{
	quai_error_set(err, QUAI_EXIT_USAGE,
	               "build context '%s' is larger than the limit of %llu bytes (%s%llu bytes): "
	               "exclude what the build does not need in '%s/.dockerignore'",
	               ctx->dir, (unsigned long long)ctx->max_bytes, size ? "about " : "over ",
	               (unsigned long long)(size ? size : ctx->produced), ctx->dir);
}

/* The first walk: every file readable, no symlink escaping, size in bounds. */
static int check_context(struct quai_context *ctx, struct quai_error **err)
{
	struct quai_walk w;
	uint64_t total = 1024;
	if (quai_walk_init(&w, ctx->root, ctx->di, err) < 0) {
		quai_walk_release(&w);
		return -1;
	}
	int rc;
	while ((rc = quai_walk_next(&w, err)) > 0) {
		uint64_t size = 0;
		size_t linklen = 0;
		if (S_ISREG(w.st.st_mode)) {
			int fd = open_file(&w, err);
			if (fd < 0) {
				rc = -1;
				break;
			}
			close(fd);
			size = (uint64_t)w.st.st_size;
			if (ctx->ign_data && strcmp(w.rel, ".dockerignore") == 0)
				size = ctx->ign_len;
		} else if (S_ISLNK(w.st.st_mode)) {
			cleanup_free char *target = NULL;
			if (check_symlink(&w, &target, err) < 0) {
				rc = -1;
				break;
			}
			linklen = target ? strlen(target) : 0;
		}
		total += entry_estimate(w.rel, size, linklen);
	}
	quai_walk_release(&w);
	if (rc < 0)
		return -1;
	if (ctx->df_data)
		total += entry_estimate(ctx->df_name, ctx->df_len, 0);
	if (ctx->ign_data && !ctx->ign_exists)
		total += entry_estimate(".dockerignore", ctx->ign_len, 0);
	if (ctx->max_bytes && total > ctx->max_bytes) {
		size_error(ctx, total, err);
		return -1;
	}
	return 0;
}

/* Finds the Dockerfile, as the docker CLI does: -f relative to the current
 * directory, else DIR/Dockerfile or DIR/dockerfile. */
static int locate_dockerfile(struct quai_context *ctx, const char *dockerfile, struct quai_error **err)
{
	cleanup_free char *given = NULL;
	if (dockerfile) {
		given = xstrdup(dockerfile);
	} else {
		given = xasprintf("%s/Dockerfile", ctx->dir);
		if (access(given, F_OK) < 0) {
			cleanup_free char *alt = xasprintf("%s/dockerfile", ctx->dir);
			if (access(alt, F_OK) == 0) {
				free(given);
				given = steal_pointer(&alt);
			}
		}
	}
	cleanup_free char *real = realpath(given, NULL);
	if (!real)
		return quai_error_errno(err, errno, "cannot find Dockerfile '%s'", given);
	struct stat st;
	if (stat(real, &st) < 0)
		return quai_error_errno(err, errno, "cannot read Dockerfile '%s'", given);
	if (!S_ISREG(st.st_mode))
		return quai_error_set(err, QUAI_EXIT_USAGE, "Dockerfile '%s' is not a regular file", given);
	size_t rl = strlen(ctx->root);
	bool inside = strncmp(real, ctx->root, rl) == 0 && (real[rl] == '/' || (rl == 1 && real[0] == '/'));
	if (inside) {
		ctx->df_name = xstrdup(real + rl + (rl == 1 ? 0 : 1));
		return 0;
	}
	if (quai_file_read(&ctx->df_data, &ctx->df_len, real, DOCKERFILE_MAX, err) < 0)
		return quai_error_wrap(err, "Dockerfile");
	char hex[41];
	quai_sha1_hex(ctx->df_data, ctx->df_len, hex);
	ctx->df_name = xasprintf(".dockerfile.%.20s", hex);
	ctx->df_mtime = st.st_mtime;
	return 0;
}

/* Reads .dockerignore, adds the CLI's exceptions for the files always sent
 * and, for a Dockerfile from outside, the line that hides it from COPY. */
static int load_ignore(struct quai_context *ctx, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("%s/.dockerignore", ctx->root);
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct stat st;
	bool exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode))
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s/.dockerignore' is not a regular file",
		                      ctx->dir);
	/* the walk sends a regular .dockerignore in its place; a symlink stays a
	 * symlink, and an edited copy then follows at the end */
	ctx->ign_exists = exists && lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (exists) {
		if (quai_file_read(&text, &len, path, QUAI_DOCKERIGNORE_MAX, err) < 0)
			return -1;
		cleanup_free char *source = xasprintf("%s/.dockerignore", ctx->dir);
		if (quai_dockerignore_parse(&ctx->di, text, len, source, err) < 0)
			return -1;
	} else {
		if (quai_dockerignore_parse(&ctx->di, "", 0, NULL, err) < 0)
			return -1;
	}
	if (quai_dockerignore_match(ctx->di, ".dockerignore") &&
	    quai_dockerignore_add(ctx->di, "!.dockerignore", err) < 0)
		return -1;
	if (!ctx->df_data && quai_dockerignore_match(ctx->di, ctx->df_name)) {
		cleanup_free char *exc = xasprintf("!%s", ctx->df_name);
		if (quai_dockerignore_add(ctx->di, exc, err) < 0)
			return -1;
	}
	if (ctx->df_data) {
		struct quai_buf b = QUAI_BUF_INIT;
		if (exists)
			quai_buf_add(&b, text, len);
		else
			quai_buf_puts(&b, ".dockerignore");
		quai_buf_printf(&b, "\n%s\n", ctx->df_name);
		ctx->ign_len = b.len;
		ctx->ign_data = quai_buf_detach(&b);
	}
	return 0;
}

int quai_context_open(struct quai_context **out, const char *dir, const char *dockerfile, uint64_t max_bytes,
                      struct quai_error **err)
{
	struct quai_context *ctx = xcalloc(1, sizeof(*ctx));
	ctx->fd = -1;
	ctx->dir = xstrdup(dir);
	ctx->max_bytes = max_bytes;
	struct stat st;
	if (stat(dir, &st) < 0) {
		quai_error_errno(err, errno, "cannot open build context '%s'", dir);
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		quai_error_set(err, QUAI_EXIT_USAGE, "build context '%s' is not a directory", dir);
		goto fail;
	}
	ctx->root = realpath(dir, NULL);
	if (!ctx->root) {
		quai_error_errno(err, errno, "cannot open build context '%s'", dir);
		goto fail;
	}
	if (locate_dockerfile(ctx, dockerfile, err) < 0 || load_ignore(ctx, err) < 0 ||
	    check_context(ctx, err) < 0)
		goto fail;
	if (quai_walk_init(&ctx->walk, ctx->root, ctx->di, err) < 0)
		goto fail;
	la = quai_libarchive(err);
	if (!la)
		goto fail;
	ctx->ar = la->archive_write_new();
	ctx->chunk = xmalloc(CHUNK);
	if (la->archive_write_set_format_pax_restricted(ctx->ar) != ARCHIVE_OK ||
	    la->archive_write_add_filter_none(ctx->ar) != ARCHIVE_OK ||
	    la->archive_write_set_bytes_per_block(ctx->ar, 0) != ARCHIVE_OK ||
	    la->archive_write_open2(ctx->ar, ctx, NULL, write_cb, NULL, NULL) != ARCHIVE_OK) {
		quai_error_set(err, QUAI_EXIT_USAGE, "cannot start the build context tar: %s",
		               la->archive_error_string(ctx->ar));
		goto fail;
	}
	*out = ctx;
	return 0;
fail:
	quai_context_free(ctx);
	return -1;
}

static struct archive_entry *new_entry(const char *name, mode_t type, mode_t perm, time_t mtime, int64_t size)
{
	struct archive_entry *e = la->archive_entry_new();
	la->archive_entry_set_pathname(e, name);
	la->archive_entry_set_filetype(e, type);
	la->archive_entry_set_perm(e, perm);
	la->archive_entry_set_mtime(e, mtime, 0);
	la->archive_entry_set_uid(e, 0);
	la->archive_entry_set_gid(e, 0);
	la->archive_entry_set_size(e, size);
	return e;
}

static int write_header(struct quai_context *ctx, struct archive_entry *e, const char *name,
                        struct quai_error **err)
{
	int rc = la->archive_write_header(ctx->ar, e);
	la->archive_entry_free(e);
	if (rc < ARCHIVE_WARN)
		return quai_error_set(err, QUAI_EXIT_USAGE, "cannot add '%s' to the build context: %s", name,
		                      la->archive_error_string(ctx->ar));
	return 0;
}

static int write_data(struct quai_context *ctx, const char *data, size_t len, const char *name,
                      struct quai_error **err)
{
	if (len && la->archive_write_data(ctx->ar, data, len) < 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "cannot add '%s' to the build context: %s", name,
		                      la->archive_error_string(ctx->ar));
	return 0;
}

static int step_walk(struct quai_context *ctx, struct quai_error **err)
{
	struct quai_walk *w = &ctx->walk;
	int rc = quai_walk_next(w, err);
	if (rc <= 0) {
		if (rc == 0)
			ctx->state = S_EXTRA;
		return rc;
	}
	mode_t perm = w->st.st_mode & 07777;
	if (S_ISDIR(w->st.st_mode))
		return write_header(ctx, new_entry(w->rel, AE_IFDIR, perm, w->st.st_mtime, 0), w->rel, err);
	if (S_ISLNK(w->st.st_mode)) {
		cleanup_free char *target = NULL;
		if (check_symlink(w, &target, err) < 0)
			return -1;
		struct archive_entry *e = new_entry(w->rel, AE_IFLNK, 0777, w->st.st_mtime, 0);
		la->archive_entry_set_symlink(e, target);
		return write_header(ctx, e, w->rel, err);
	}
	if (ctx->ign_data && strcmp(w->rel, ".dockerignore") == 0) {
		struct archive_entry *e =
		    new_entry(w->rel, AE_IFREG, perm, w->st.st_mtime, (int64_t)ctx->ign_len);
		if (write_header(ctx, e, w->rel, err) < 0)
			return -1;
		return write_data(ctx, ctx->ign_data, ctx->ign_len, w->rel, err);
	}
	int fd = open_file(w, err);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "'%s' in the build context changed while being sent", w->rel);
	}
	struct archive_entry *e = new_entry(w->rel, AE_IFREG, st.st_mode & 07777, st.st_mtime, st.st_size);
	if (write_header(ctx, e, w->rel, err) < 0) {
		close(fd);
		return -1;
	}
	ctx->fd = fd;
	ctx->remaining = (uint64_t)st.st_size;
	free(ctx->file_rel);
	ctx->file_rel = xstrdup(w->rel);
	ctx->state = S_FILE;
	return 0;
}

static int step_file(struct quai_context *ctx, struct quai_error **err)
{
	if (ctx->remaining == 0) {
		close(ctx->fd);
		ctx->fd = -1;
		ctx->state = S_WALK;
		return 0;
	}
	size_t want = ctx->remaining < CHUNK ? (size_t)ctx->remaining : CHUNK;
	ssize_t n;
	do
		n = read(ctx->fd, ctx->chunk, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return quai_error_errno(err, errno, "cannot read '%s' in the build context", ctx->file_rel);
	if (n == 0)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "'%s' in the build context shrank while being sent", ctx->file_rel);
	ctx->remaining -= (uint64_t)n;
	return write_data(ctx, ctx->chunk, (size_t)n, ctx->file_rel, err);
}

static int step_extra(struct quai_context *ctx, struct quai_error **err)
{
	if (ctx->df_data) {
		struct archive_entry *e =
		    new_entry(ctx->df_name, AE_IFREG, 0600, ctx->df_mtime, (int64_t)ctx->df_len);
		if (write_header(ctx, e, ctx->df_name, err) < 0 ||
		    write_data(ctx, ctx->df_data, ctx->df_len, ctx->df_name, err) < 0)
			return -1;
		if (!ctx->ign_exists) {
			e = new_entry(".dockerignore", AE_IFREG, 0600, ctx->df_mtime, (int64_t)ctx->ign_len);
			if (write_header(ctx, e, ".dockerignore", err) < 0 ||
			    write_data(ctx, ctx->ign_data, ctx->ign_len, ".dockerignore", err) < 0)
				return -1;
		}
	}
	if (la->archive_write_close(ctx->ar) != ARCHIVE_OK)
		return quai_error_set(err, QUAI_EXIT_USAGE, "cannot finish the build context tar: %s",
		                      la->archive_error_string(ctx->ar));
	ctx->state = S_DONE;
	return 0;
}

static int produce(struct quai_context *ctx, struct quai_error **err)
{
	int rc = 0;
	switch (ctx->state) {
	case S_WALK:
		rc = step_walk(ctx, err);
		break;
	case S_FILE:
		rc = step_file(ctx, err);
		break;
	case S_EXTRA:
		rc = step_extra(ctx, err);
		break;
	case S_DONE:
		return 0;
	case S_FAILED:
		return quai_error_set(err, QUAI_EXIT_USAGE, "the build context stream failed earlier");
	}
	if (rc == 0 && ctx->max_bytes && ctx->produced > ctx->max_bytes) {
		size_error(ctx, 0, err);
		rc = -1;
	}
	if (rc < 0)
		ctx->state = S_FAILED;
	return rc;
}

ssize_t quai_context_read(struct quai_context *ctx, char *buf, size_t n, struct quai_error **err)
{
	if (n == 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "reading the build context into an empty buffer");
	while (ctx->out_off >= ctx->out.len && ctx->state != S_DONE) {
		quai_buf_truncate(&ctx->out, 0);
		ctx->out_off = 0;
		if (produce(ctx, err) < 0)
			return -1;
	}
	size_t avail = ctx->out.len - ctx->out_off;
	if (n > avail)
		n = avail;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	if (n)
		memcpy(buf, ctx->out.data + ctx->out_off, n);
	ctx->out_off += n;
	return (ssize_t)n;
}

const char *quai_context_dockerfile_name(const struct quai_context *ctx)
{
	return ctx->df_name;
}

uint64_t quai_context_bytes(const struct quai_context *ctx)
{
	return ctx->produced;
}

void quai_context_free(struct quai_context *ctx)
{
	if (!ctx)
		return;
	if (ctx->ar && la)
		la->archive_write_free(ctx->ar);
	if (ctx->fd >= 0)
		close(ctx->fd);
	quai_walk_release(&ctx->walk);
	quai_dockerignore_free(ctx->di);
	quai_buf_release(&ctx->out);
	free(ctx->dir);
	free(ctx->root);
	free(ctx->df_name);
	free(ctx->df_data);
	free(ctx->ign_data);
	free(ctx->file_rel);
	free(ctx->chunk);
	free(ctx);
}
