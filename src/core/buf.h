/* A growable byte buffer, always NUL-terminated, like git's strbuf. */
#ifndef QUAI_CORE_BUF_H
#define QUAI_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct quai_buf {
	char *data; /* NULL until something is added; then NUL-terminated */
	size_t len;
	size_t cap;
};

#define QUAI_BUF_INIT { NULL, 0, 0 }

void quai_buf_add(struct quai_buf *b, const void *data, size_t len);
void quai_buf_puts(struct quai_buf *b, const char *s);
/* Appends s as one single-quoted sh word ('\'' for each quote): data,
 * never interpreted by the shell that reads it. */
void quai_buf_put_sh_quoted(struct quai_buf *b, const char *s);
void quai_buf_putc(struct quai_buf *b, char c);
void quai_buf_printf(struct quai_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void quai_buf_vprintf(struct quai_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void quai_buf_truncate(struct quai_buf *b, size_t len);
/* Returns the contents ("" if empty) as a malloc'd string the caller owns; the buffer is reset. */
char *quai_buf_detach(struct quai_buf *b);
/* Returns the contents, "" when empty; owned by the buffer. */
const char *quai_buf_str(const struct quai_buf *b);
void quai_buf_release(struct quai_buf *b);

static inline void cleanup_bufp(struct quai_buf *b)
{
	quai_buf_release(b);
}
#define cleanup_buf __attribute__((cleanup(cleanup_bufp)))

#endif
