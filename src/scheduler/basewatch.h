/* Base-image watch: which external images a project's Dockerfiles build
 * FROM, and which of the project's images (with their dependents) are
 * built on each, read from the mirror at a branch's head. The scheduler
 * polls each base's manifest digest and, when it changes, runs the
 * pipeline for exactly those images (`quai run --only`). */
#ifndef QUAI_SCHEDULER_BASEWATCH_H
#define QUAI_SCHEDULER_BASEWATCH_H

#include <stddef.h>

#include "core/error.h"

struct quai_base_use {
	char *ref; /* the FROM reference as written, e.g. "alpine:3.19", "reg:5000/ns/img:1" */
	char **
	    images; /* the images built on it, then their dependents: directory base names, NULL-terminated */
};

/* Scans every Dockerfile and Containerfile of refs/heads/branch in the bare
 * repository mirror_dir. An image is named after its directory (the root's
 * after root_name); a FROM whose last path component (tag removed) names
 * another image of the repository is an in-repository parent, others are
 * bases, except stage names, scratch, digests (@sha256: never moves) and
 * references with variables. *out (caller frees with
 * quai_base_uses_free) holds *n bases sorted by ref. */
int quai_basewatch_scan(struct quai_base_use **out, size_t *n, const char *mirror_dir, const char *branch,
                        const char *root_name, struct quai_error **err);
void quai_base_uses_free(struct quai_base_use *uses, size_t n);

#endif
