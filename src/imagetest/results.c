/* Test results and their writers: text lines for people, JUnit XML for CI
 * servers, JSON for tools. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

const char *quai_imagetest_kind_name(enum quai_imagetest_kind kind)
{
	switch (kind) {
	case QUAI_TEST_COMMAND:
		return "command";
	case QUAI_TEST_FILE_EXISTENCE:
		return "fileExistence";
	case QUAI_TEST_FILE_CONTENT:
		return "fileContent";
	case QUAI_TEST_METADATA:
		return "metadata";
	case QUAI_TEST_HTTP:
		return "http";
	case QUAI_TEST_HEALTHCHECK:
		return "healthcheck";
	}
	return "test";
}

void quai_imagetest_results_add(struct quai_imagetest_results *results, const char *name,
                                enum quai_imagetest_kind kind, bool passed, uint64_t duration_us,
                                const char *message)
{
	results->v = xgrow(results->v, &results->cap, results->n + 1, sizeof(*results->v));
	struct quai_imagetest_result *r = &results->v[results->n++];
	r->name = xstrdup(name ? name : "");
	r->kind = kind;
	r->passed = passed;
	r->duration_us = duration_us;
	r->message = message ? xstrdup(message) : NULL;
}

size_t quai_imagetest_results_failed(const struct quai_imagetest_results *results)
{
	size_t n = 0;
	for (size_t i = 0; i < results->n; i++)
		n += !results->v[i].passed;
	return n;
}

void quai_imagetest_results_release(struct quai_imagetest_results *results)
{
	for (size_t i = 0; i < results->n; i++) {
		free(results->v[i].name);
		free(results->v[i].message);
	}
	free(results->v);
	memset(results, 0, sizeof(*results));
}

static void seconds(struct quai_buf *out, uint64_t us)
{
	quai_buf_printf(out, "%llu.%03llu", (unsigned long long)(us / 1000000),
	                (unsigned long long)(us % 1000000 / 1000));
}

void quai_imagetest_write_text(struct quai_buf *out, const struct quai_imagetest_results *results)
{
	uint64_t total = 0;
	for (size_t i = 0; i < results->n; i++) {
		const struct quai_imagetest_result *r = &results->v[i];
		total += r->duration_us;
		quai_buf_printf(out, "%s %s: %s (", r->passed ? "PASS" : "FAIL",
		                quai_imagetest_kind_name(r->kind), r->name);
		seconds(out, r->duration_us);
		quai_buf_puts(out, "s)\n");
		if (r->passed || !r->message)
			continue;
		const char *line = r->message;
		while (*line) {
			const char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			quai_buf_puts(out, "    ");
			quai_buf_add(out, line, len);
			quai_buf_putc(out, '\n');
			line += len + (nl ? 1 : 0);
		}
	}
	size_t failed = quai_imagetest_results_failed(results);
	quai_buf_printf(out, "%zu passed, %zu failed (", results->n - failed, failed);
	seconds(out, total);
	quai_buf_puts(out, "s)\n");
}

/* XML 1.0 text: escapes markup, drops control characters XML cannot hold. */
static void xml_escape(struct quai_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&':
			quai_buf_puts(out, "&amp;");
			break;
		case '<':
			quai_buf_puts(out, "&lt;");
			break;
		case '>':
			quai_buf_puts(out, "&gt;");
			break;
		case '"':
			quai_buf_puts(out, "&quot;");
			break;
		case '\'':
			quai_buf_puts(out, "&apos;");
			break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				quai_buf_printf(out, "\\x%02x", c);
			else
				quai_buf_putc(out, (char)c);
		}
	}
}

void quai_imagetest_write_junit(struct quai_buf *out, const struct quai_imagetest_results *results,
                                const char *suite)
{
	uint64_t total = 0;
	for (size_t i = 0; i < results->n; i++)
		total += results->v[i].duration_us;
	quai_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
	xml_escape(out, suite ? suite : "quai test");
	quai_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"", results->n,
	                quai_imagetest_results_failed(results));
	seconds(out, total);
	quai_buf_puts(out, "\">\n");
	for (size_t i = 0; i < results->n; i++) {
		const struct quai_imagetest_result *r = &results->v[i];
		quai_buf_puts(out, "    <testcase classname=\"");
		xml_escape(out, quai_imagetest_kind_name(r->kind));
		quai_buf_puts(out, "\" name=\"");
		xml_escape(out, r->name);
		quai_buf_puts(out, "\" time=\"");
		seconds(out, r->duration_us);
		if (r->passed) {
			quai_buf_puts(out, "\"/>\n");
			continue;
		}
		quai_buf_puts(out, "\">\n      <failure message=\"");
		const char *msg = r->message ? r->message : "failed";
		const char *nl = strchr(msg, '\n');
		cleanup_free char *first = xstrndup(msg, nl ? (size_t)(nl - msg) : strlen(msg));
		xml_escape(out, first);
		quai_buf_puts(out, "\">");
		xml_escape(out, msg);
		quai_buf_puts(out, "</failure>\n    </testcase>\n");
	}
	quai_buf_puts(out, "  </testsuite>\n</testsuites>\n");
}

/* A JSON string; bytes that are not UTF-8 become '?'. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	cleanup_free char *copy = xstrdup(s);
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	return json_string(copy);
}

void quai_imagetest_write_json(struct quai_buf *out, const struct quai_imagetest_results *results)
{
	json_t *root = json_object();
	json_t *tests = json_array();
	size_t failed = quai_imagetest_results_failed(results);
	json_object_set_new(root, "passed", json_integer((json_int_t)(results->n - failed)));
	json_object_set_new(root, "failed", json_integer((json_int_t)failed));
	for (size_t i = 0; i < results->n; i++) {
		const struct quai_imagetest_result *r = &results->v[i];
		json_t *t = json_object();
		json_object_set_new(t, "name", jstr(r->name));
		json_object_set_new(t, "kind", json_string(quai_imagetest_kind_name(r->kind)));
		json_object_set_new(t, "passed", json_boolean(r->passed));
		json_object_set_new(t, "duration", json_real((double)r->duration_us / 1e6));
		json_object_set_new(t, "message", r->message ? jstr(r->message) : json_null());
		json_array_append_new(tests, t);
	}
	json_object_set_new(root, "tests", tests);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	quai_buf_puts(out, text ? text : "{}");
	quai_buf_putc(out, '\n');
	free(text);
	json_decref(root);
}
