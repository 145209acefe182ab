#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static void reserve(struct quai_buf *b, size_t extra)
{
	b->data = xgrow(b->data, &b->cap, b->len + extra + 1, 1);
}

void quai_buf_add(struct quai_buf *b, const void *data, size_t len)
{
	reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void quai_buf_puts(struct quai_buf *b, const char *s)
{
	quai_buf_add(b, s, strlen(s));
}

void quai_buf_putc(struct quai_buf *b, char c)
{
	quai_buf_add(b, &c, 1);
}

void quai_buf_vprintf(struct quai_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void quai_buf_printf(struct quai_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	quai_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void quai_buf_truncate(struct quai_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

char *quai_buf_detach(struct quai_buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *quai_buf_str(const struct quai_buf *b)
{
	return b->data ? b->data : "";
}

void quai_buf_release(struct quai_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void quai_buf_put_sh_quoted(struct quai_buf *b, const char *s)
{
	quai_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			quai_buf_puts(b, "'\\''");
		else
			quai_buf_putc(b, *s);
	}
	quai_buf_putc(b, '\'');
}
