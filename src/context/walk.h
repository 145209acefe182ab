/* The lazy, sorted, .dockerignore-aware walk of a build context (internal). */
#ifndef QUAI_CONTEXT_WALK_H
#define QUAI_CONTEXT_WALK_H

#include <stdbool.h>
#include <sys/stat.h>

#include "context/context.h"

struct quai_walk {
	char *root;
	const struct quai_dockerignore *di;
	struct frame *stack;
	size_t depth, cap;
	/* the current entry, valid after quai_walk_next returned 1 */
	char *rel;  /* relative to the root, '/'-separated */
	char *full; /* root/rel */
	struct stat st;
};

int quai_walk_init(struct quai_walk *w, const char *root, const struct quai_dockerignore *di,
                   struct quai_error **err);
/* Advances to the next entry to send (directory, regular file or symlink):
 * 1 with w->rel, w->full, w->st set; 0 at the end; -1 with *err. */
int quai_walk_next(struct quai_walk *w, struct quai_error **err);
void quai_walk_release(struct quai_walk *w);

#endif
