/* Helpers shared by the files of src/context/. */
#ifndef QUAI_CONTEXT_INTERNAL_H
#define QUAI_CONTEXT_INTERNAL_H

/* Go's filepath.Clean for '/'-separated paths, in place ("" stays ""). */
void quai_context_clean_path(char *p);

#endif
