/* The streaming masker: masked values never reach the log, also when the
 * engine or a pipe splits one across chunks. */
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

/* Replaces every complete occurrence in m->pending (longest values first
 * at each position). */
static void replace_all(struct quai_executor_masker *m)
{
	if (!m->pending.len || !m->values[0])
		return;
	struct quai_buf out = QUAI_BUF_INIT;
	const char *s = m->pending.data;
	size_t n = m->pending.len, i = 0;
	while (i < n) {
		size_t best = 0;
		for (size_t k = 0; m->values[k]; k++) {
			size_t len = strlen(m->values[k]);
			if (len > best && len <= n - i && memcmp(s + i, m->values[k], len) == 0)
				best = len;
		}
		if (best) {
			quai_buf_puts(&out, masked_text);
			i += best;
		} else {
			quai_buf_putc(&out, s[i]);
			i++;
		}
	}
	quai_buf_release(&m->pending);
	m->pending = out;
}

/* The number of bytes at the end of pending that could start a value. */
static size_t partial_tail(const struct quai_executor_masker *m)
{
	size_t n = m->pending.len;
	size_t hold = 0;
	for (size_t k = 0; m->values[k]; k++) {
		size_t len = strlen(m->values[k]);
		for (size_t t = len - 1; t > hold; t--) {
			if (t <= n && memcmp(m->pending.data + n - t, m->values[k], t) == 0) {
				hold = t;
				break;
			}
		}
	}
	return hold;
}

void quai_executor_masker_feed(struct quai_executor_masker *m, const char *data, size_t len,
                               struct quai_buf *out)
{
	if (!m->values || !m->values[0]) {
		quai_buf_add(out, data, len);
		return;
	}
	quai_buf_add(&m->pending, data, len);
	replace_all(m);
	size_t hold = partial_tail(m);
	size_t emit = m->pending.len - hold;
	quai_buf_add(out, m->pending.data, emit);
	memmove(m->pending.data, m->pending.data + emit, hold);
	quai_buf_truncate(&m->pending, hold);
}

void quai_executor_masker_flush(struct quai_executor_masker *m, struct quai_buf *out)
{
	if (m->pending.len)
		quai_buf_add(out, m->pending.data, m->pending.len);
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
