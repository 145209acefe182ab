/* Reading whole files with a size cap. */
#ifndef QUAI_CORE_FILE_H
#define QUAI_CORE_FILE_H

#include <stddef.h>

#include "core/error.h"

/* Reads `path` ("-" for standard input) into a new NUL-terminated buffer the
 * caller frees. Fails if the file is larger than `cap` bytes, is a directory
 * or cannot be read. */
int quai_file_read(char **out, size_t *out_len, const char *path, size_t cap, struct quai_error **err);

#endif
