/* Fuzz target for what quai pipeline run parses and filters: dotenv
 * reports, and the streaming masker, which must give the same output
 * whatever chunks the stream comes in. The input: a byte for the chunk
 * size, a line of masked values separated by '|', then the stream (also
 * parsed as a dotenv report). */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "executor/executor.h"
#include "fuzz/fuzz.h"
#include "pipeline_run/pipeline_run.h"
#include "core/banned.h"

static char *mask(const char *const *values, const char *text, size_t n, size_t chunk)
{
	struct quai_executor_masker m;
	quai_executor_masker_init(&m, values);
	struct quai_buf out = QUAI_BUF_INIT;
	for (size_t i = 0; i < n; i += chunk)
		quai_executor_masker_feed(&m, text + i, i + chunk > n ? n - i : chunk, &out);
	quai_executor_masker_flush(&m, &out);
	quai_executor_masker_release(&m);
	return quai_buf_detach(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)(data[0] % 16) + 1;
	const char *rest = (const char *)data + 1;
	size_t len = size - 1;
	const char *nl = memchr(rest, '\n', len);
	size_t vlen = nl ? (size_t)(nl - rest) : 0;
	char *vline = xstrndup(rest, vlen);
	const char *text = nl ? nl + 1 : rest;
	size_t tlen = len - (size_t)(text - rest);

	const char *values[9] = {NULL};
	size_t nv = 0;
	for (char *v = vline; v && nv < 8;) {
		char *bar = strchr(v, '|');
		if (bar)
			*bar = '\0';
		values[nv++] = v;
		v = bar ? bar + 1 : NULL;
	}
	char *whole = mask(values, text, tlen, tlen ? tlen : 1);
	char *chunked = mask(values, text, tlen, chunk);
	if (strcmp(whole, chunked) != 0)
		abort();
	free(whole);
	free(chunked);

	struct quai_pipeline_vars vars = {0};
	quai_pipeline_run_dotenv_parse(&vars, text, tlen);
	quai_pipeline_vars_release(&vars);
	free(vline);
	return 0;
}
