/* The build context: the tar stream `quai build` sends to the engine, and the
 * .dockerignore matcher that decides what goes into it, with the docker CLI's
 * semantics (moby's patternmatcher as the CLI's tar writer uses it). */
#ifndef QUAI_CONTEXT_CONTEXT_H
#define QUAI_CONTEXT_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

/* Largest .dockerignore read (bytes). */
#define QUAI_DOCKERIGNORE_MAX ((size_t)1024 * 1024)

struct quai_dockerignore;

/* Reads a .dockerignore file; a missing file (or path NULL) gives an empty
 * matcher that excludes nothing. The caller frees *out. */
int quai_dockerignore_load(struct quai_dockerignore **out, const char *path, struct quai_error **err);
/* Parses .dockerignore text: one pattern a line, `#` comments (at the very
 * start of a line), blank lines skipped, whitespace trimmed, `!` exceptions,
 * patterns cleaned and made relative to the context. A bad pattern is an
 * error naming its line (`source` is used in messages, may be NULL). */
int quai_dockerignore_parse(struct quai_dockerignore **out, const char *text, size_t len, const char *source,
                            struct quai_error **err);
/* Appends one pattern as the CLI does for files always sent ("!Dockerfile"). */
int quai_dockerignore_add(struct quai_dockerignore *di, const char *pattern, struct quai_error **err);
/* Whether `relpath` (slash-separated, relative to the context root) is
 * excluded, considering the patterns matched by each of its parent
 * directories as docker's walk does. */
bool quai_dockerignore_match(const struct quai_dockerignore *di, const char *relpath);
/* Whether the matcher has `!` exceptions. */
bool quai_dockerignore_has_exceptions(const struct quai_dockerignore *di);
/* Whether an excluded directory `reldir` must still be walked because an
 * exception pattern lies literally inside it (docker's rule). */
bool quai_dockerignore_walk_excluded_dir(const struct quai_dockerignore *di, const char *reldir);
/* Number of patterns kept. */
size_t quai_dockerignore_count(const struct quai_dockerignore *di);
void quai_dockerignore_free(struct quai_dockerignore *di);

/* One step of the walk's matching: `parent` holds the per-pattern results of
 * the parent directory (NULL at the top level), `out` (quai_dockerignore_count
 * entries) receives this path's. Returns whether `relpath` is excluded. */
bool quai_dockerignore_match_step(const struct quai_dockerignore *di, const char *relpath, const bool *parent,
                                  bool *out);

struct quai_context;

/* Opens a streaming tar of directory `dir`, honouring dir/.dockerignore.
 * `dockerfile` is the Dockerfile's path as given by -f (relative to the
 * current directory or absolute; NULL = DIR/Dockerfile); when it lies outside
 * the context it is added to the tar under a generated name, as the docker CLI
 * does. The whole context is checked first (unreadable files, symlinks that
 * escape it, size): fails if the tar would exceed max_bytes (0 = no limit).
 * The caller frees *out with quai_context_free. */
int quai_context_open(struct quai_context **out, const char *dir, const char *dockerfile, uint64_t max_bytes,
                      struct quai_error **err);
/* Fills buf with up to n bytes of the tar stream; returns the count, 0 at the
 * end, -1 with *err. */
ssize_t quai_context_read(struct quai_context *ctx, char *buf, size_t n, struct quai_error **err);
/* The Dockerfile's path inside the tar, for the engine's `dockerfile`
 * parameter; owned by ctx. */
const char *quai_context_dockerfile_name(const struct quai_context *ctx);
/* Tar bytes produced so far. */
uint64_t quai_context_bytes(const struct quai_context *ctx);
void quai_context_free(struct quai_context *ctx);

#endif
