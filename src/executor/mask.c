/* The streaming masker: masked values never reach the log, also when the
 * engine or a pipe splits one across chunks. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "executor/executor.h"
#include "core/banned.h"

static const char masked_text[] = "[MASKED]";

void quai_executor_masker_init(struct quai_executor_masker *m, const char *const *values)
{
	size_t n = 0;
	for (size_t i = 0; values && values[i]; i++)
		n++;
	m->values = xcalloc(n + 1, sizeof(*m->values));
	m->maxlen = 0;
	size_t k = 0;
	for (size_t i = 0; values && values[i]; i++) {
		size_t len = strlen(values[i]);
		if (!len)
			continue;
		m->values[k++] = xstrdup(values[i]);
		if (len > m->maxlen)
			m->maxlen = len;
	}
	m->pending = (struct quai_buf)QUAI_BUF_INIT;
}

/* Moves what can be shown from m->pending to out, every complete value
 * replaced (the longest one at each position). Unless final, it stops at the
 * first position where a value might start but runs past the data, and
 * keeps the rest for more data. */
static void drain(struct quai_executor_masker *m, struct quai_buf *out, bool final)
{
	const char *s = m->pending.data;
	size_t n = m->pending.len, i = 0;
	while (i < n) {
		size_t best = 0;
		bool partial = false;
		for (size_t k = 0; m->values[k]; k++) {
			size_t len = strlen(m->values[k]);
			if (len <= n - i) {
				if (len > best && memcmp(s + i, m->values[k], len) == 0)
					best = len;
			} else if (!final && memcmp(s + i, m->values[k], n - i) == 0) {
				partial = true;
			}
		}
		if (partial)
			break;
		if (best) {
			quai_buf_puts(out, masked_text);
			i += best;
		} else {
			quai_buf_putc(out, s[i]);
			i++;
		}
	}
	memmove(m->pending.data, m->pending.data + i, n - i);
	quai_buf_truncate(&m->pending, n - i);
}

void quai_executor_masker_feed(struct quai_executor_masker *m, const char *data, size_t len, struct quai_buf *out)
{
	if (!m->values || !m->values[0]) {
		quai_buf_add(out, data, len);
		return;
	}
	quai_buf_add(&m->pending, data, len);
	drain(m, out, false);
}

void quai_executor_masker_flush(struct quai_executor_masker *m, struct quai_buf *out)
{
	if (m->pending.len)
		drain(m, out, true);
	quai_buf_truncate(&m->pending, 0);
}

void quai_executor_masker_release(struct quai_executor_masker *m)
{
	for (size_t i = 0; m->values && m->values[i]; i++)
		free(m->values[i]);
	free(m->values);
	m->values = NULL;
	quai_buf_release(&m->pending);
}
