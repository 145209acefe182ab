/* Unit tests of the engine client: everything that needs no engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "engine/engine.h"
#include "engine/internal.h"

static void test_host_default(void **state)
{
	struct quai_engine_host h;
	assert_int_equal(quai_engine_host_parse(&h, NULL, NULL, NULL, "/root", NULL), 0);
	assert_string_equal(h.socket, "/var/run/docker.sock");
	assert_string_equal(h.url, "unix:///var/run/docker.sock");
	assert_string_equal(h.base, "http://localhost");
	assert_false(h.tls);
	quai_engine_host_release(&h);
	assert_int_equal(quai_engine_host_parse(&h, "", "1", NULL, "/root", NULL), 0);
	assert_string_equal(h.socket, "/var/run/docker.sock");
	assert_false(h.tls);
	quai_engine_host_release(&h);
}

static void test_host_unix(void **state)
{
	struct quai_engine_host h;
	assert_int_equal(quai_engine_host_parse(&h, "unix:///tmp/x/docker.sock", NULL, NULL, NULL, NULL), 0);
	assert_string_equal(h.socket, "/tmp/x/docker.sock");
	quai_engine_host_release(&h);
	cleanup_error struct quai_error *err = NULL;
	assert_int_equal(quai_engine_host_parse(&h, "unix://relative.sock", NULL, NULL, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "absolute"));
	quai_engine_host_release(&h);
}

static void test_host_tcp(void **state)
{
	struct quai_engine_host h;
	assert_int_equal(quai_engine_host_parse(&h, "tcp://10.0.0.1:2375", NULL, NULL, "/home/u", NULL), 0);
	assert_null(h.socket);
	assert_string_equal(h.base, "http://10.0.0.1:2375");
	assert_false(h.tls);
	assert_null(h.cert_dir);
	quai_engine_host_release(&h);

	assert_int_equal(quai_engine_host_parse(&h, "tcp://engine.example:2376", "1", NULL, "/home/u", NULL),
	                 0);
	assert_string_equal(h.base, "https://engine.example:2376");
	assert_true(h.tls);
	assert_string_equal(h.cert_dir, "/home/u/.docker");
	quai_engine_host_release(&h);

	assert_int_equal(quai_engine_host_parse(&h, "tcp://engine.example", "yes", "/certs", NULL, NULL), 0);
	assert_string_equal(h.base, "https://engine.example:2376");
	assert_string_equal(h.cert_dir, "/certs");
	quai_engine_host_release(&h);

	assert_int_equal(quai_engine_host_parse(&h, "tcp://[::1]:2375/", NULL, NULL, NULL, NULL), 0);
	assert_string_equal(h.base, "http://[::1]:2375");
	quai_engine_host_release(&h);

	assert_int_equal(quai_engine_host_parse(&h, "tcp://host", "", NULL, NULL, NULL), 0);
	assert_string_equal(h.base, "http://host:2375");
	quai_engine_host_release(&h);
}

static void test_host_errors(void **state)
{
	const char *bad[] = {"tcp://:2375",
	                     "tcp://h:0",
	                     "tcp://h:99999",
	                     "tcp://h:12x",
	                     "tcp://h:1/path",
	                     "ssh://me@host",
	                     "npipe:////./pipe/docker_engine",
	                     "/var/run/docker.sock"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct quai_engine_host h;
		cleanup_error struct quai_error *err = NULL;
		assert_int_equal(quai_engine_host_parse(&h, bad[i], NULL, NULL, NULL, &err), -1);
		assert_non_null(strstr(err->msg, "DOCKER_HOST"));
		assert_int_equal(err->status, QUAI_EXIT_USAGE);
		quai_engine_host_release(&h);
	}
}

static void test_version(void **state)
{
	assert_true(quai_engine_version_cmp("1.9", "1.24") < 0);
	assert_true(quai_engine_version_cmp("1.41", "1.41") == 0);
	assert_true(quai_engine_version_cmp("2.0", "1.43") > 0);
	assert_true(quai_engine_version_cmp("1.40", "1.4") > 0);
	assert_string_equal(quai_engine_version_pick("1.41"), "1.41");
	assert_string_equal(quai_engine_version_pick("1.25"), "1.25");
	assert_string_equal(quai_engine_version_pick("1.45"), QUAI_ENGINE_API_VERSION);
	assert_string_equal(quai_engine_version_pick("1.100"), QUAI_ENGINE_API_VERSION);
	assert_string_equal(quai_engine_version_pick("2.1"), QUAI_ENGINE_API_VERSION);
	assert_string_equal(quai_engine_version_pick(NULL), QUAI_ENGINE_API_FALLBACK);
	assert_string_equal(quai_engine_version_pick("garbage"), QUAI_ENGINE_API_FALLBACK);
	assert_string_equal(quai_engine_version_pick("1."), QUAI_ENGINE_API_FALLBACK);
}

/* Collects what a stream parser passes on. */
struct sink {
	struct quai_buf text;
	int calls;
	int fail_at; /* make the nth call fail, 0: never */
};

static int on_message(void *arg, json_t *msg, struct quai_error **err)
{
	struct sink *s = arg;
	s->calls++;
	if (s->fail_at && s->calls == s->fail_at)
		return quai_error_set(err, 1, "stop");
	cleanup_free char *t = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
	quai_buf_printf(&s->text, "%s|", t);
	return 0;
}

static const char stream_text[] = "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\r\n"
                                  "{\"stream\":\" ---\\u003e Running\\n\"}\r\n"
                                  "{\"aux\":{\"ID\":\"sha256:abc\"}}{\"stream\":\"two on a line\"}\n"
                                  "\n"
                                  "{\"status\":\"é ünïcode\"}";
static const char stream_expect[] = "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}|"
                                    "{\"stream\":\" ---> Running\\n\"}|"
                                    "{\"aux\":{\"ID\":\"sha256:abc\"}}|{\"stream\":\"two on a line\"}|"
                                    "{\"status\":\"é ünïcode\"}|";

/* Feeds stream_text cut at every possible pair of points. */
static void test_lines_chunks(void **state)
{
	size_t n = strlen(stream_text);
	for (size_t a = 0; a <= n; a += 3) {
		for (size_t b = a; b <= n; b += 5) {
			struct sink s = {QUAI_BUF_INIT, 0, 0};
			struct engine_lines l = {QUAI_BUF_INIT, on_message, &s};
			assert_int_equal(engine_lines_feed(&l, stream_text, a, NULL), 0);
			assert_int_equal(engine_lines_feed(&l, stream_text + a, b - a, NULL), 0);
			assert_int_equal(engine_lines_feed(&l, stream_text + b, n - b, NULL), 0);
			assert_int_equal(engine_lines_finish(&l, NULL), 0);
			assert_string_equal(quai_buf_str(&s.text), stream_expect);
			engine_lines_release(&l);
			quai_buf_release(&s.text);
		}
	}
	/* one byte at a time */
	struct sink s = {QUAI_BUF_INIT, 0, 0};
	struct engine_lines l = {QUAI_BUF_INIT, on_message, &s};
	for (size_t i = 0; i < n; i++)
		assert_int_equal(engine_lines_feed(&l, stream_text + i, 1, NULL), 0);
	assert_int_equal(engine_lines_finish(&l, NULL), 0);
	assert_string_equal(quai_buf_str(&s.text), stream_expect);
	engine_lines_release(&l);
	quai_buf_release(&s.text);
}

static void test_lines_errors(void **state)
{
	struct sink s = {QUAI_BUF_INIT, 0, 0};
	struct engine_lines l = {QUAI_BUF_INIT, on_message, &s};
	cleanup_error struct quai_error *err = NULL;
	assert_int_equal(engine_lines_feed(&l, "{\"a\":1}\nnot json\n", 17, &err), -1);
	assert_non_null(strstr(err->msg, "not JSON"));
	engine_lines_release(&l);
	quai_buf_release(&s.text);

	/* a callback's error stops the stream */
	struct sink s2 = {QUAI_BUF_INIT, 0, 2};
	struct engine_lines l2 = {QUAI_BUF_INIT, on_message, &s2};
	cleanup_error struct quai_error *err2 = NULL;
	assert_int_equal(engine_lines_feed(&l2, "{}\n{}\n{}\n", 9, &err2), -1);
	assert_string_equal(err2->msg, "stop");
	assert_int_equal(s2.calls, 2);
	engine_lines_release(&l2);
	quai_buf_release(&s2.text);

	/* a line without end is capped */
	struct sink s3 = {QUAI_BUF_INIT, 0, 0};
	struct engine_lines l3 = {QUAI_BUF_INIT, on_message, &s3};
	cleanup_error struct quai_error *err3 = NULL;
	char *big = malloc(1 << 20);
	memset(big, ' ', 1 << 20);
	int rc = 0;
	for (int i = 0; i < 8 && rc == 0; i++)
		rc = engine_lines_feed(&l3, big, 1 << 20, &err3);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err3->msg, "over"));
	free(big);
	engine_lines_release(&l3);
	quai_buf_release(&s3.text);
}

static int on_output(void *arg, int stream, const char *data, size_t len, struct quai_error **err)
{
	struct sink *s = arg;
	s->calls++;
	quai_buf_printf(&s->text, "%d:", stream);
	quai_buf_add(&s->text, data, len);
	quai_buf_putc(&s->text, '|');
	return 0;
}

/* Joins the pieces a demultiplexer passed on, merging neighbours of one stream. */
static void merged(struct quai_buf *out, const char *pieces)
{
	int last = 0;
	const char *p = pieces;
	while (*p) {
		int stream = p[0] - '0';
		const char *end = strchr(p + 2, '|');
		if (stream != last)
			quai_buf_printf(out, "%s%d:", last ? "|" : "", stream);
		quai_buf_add(out, p + 2, (size_t)(end - (p + 2)));
		last = stream;
		p = end + 1;
	}
}

static size_t frame(char *out, int stream, const char *payload)
{
	size_t n = strlen(payload);
	out[0] = (char)stream;
	out[1] = out[2] = out[3] = 0;
	out[4] = (char)(n >> 24);
	out[5] = (char)(n >> 16);
	out[6] = (char)(n >> 8);
	out[7] = (char)n;
	memcpy(out + 8, payload, n);
	return n + 8;
}

static void test_demux(void **state)
{
	char data[256];
	size_t n = 0;
	n += frame(data + n, 1, "hello\n");
	n += frame(data + n, 2, "oops\n");
	n += frame(data + n, 1, "");
	n += frame(data + n, 1, "bye");
	for (size_t a = 0; a <= n; a++) {
		for (size_t b = a; b <= n; b += 3) {
			struct sink s = {QUAI_BUF_INIT, 0, 0};
			struct engine_demux d = {.fn = on_output, .arg = &s};
			assert_int_equal(engine_demux_feed(&d, data, a, NULL), 0);
			assert_int_equal(engine_demux_feed(&d, data + a, b - a, NULL), 0);
			assert_int_equal(engine_demux_feed(&d, data + b, n - b, NULL), 0);
			assert_int_equal(engine_demux_finish(&d, NULL), 0);
			struct quai_buf m = QUAI_BUF_INIT;
			merged(&m, quai_buf_str(&s.text));
			assert_string_equal(quai_buf_str(&m), "1:hello\n|2:oops\n|1:bye");
			quai_buf_release(&m);
			quai_buf_release(&s.text);
		}
	}
}

static void test_demux_raw_and_truncated(void **state)
{
	struct sink s = {QUAI_BUF_INIT, 0, 0};
	struct engine_demux d = {.fn = on_output, .arg = &s};
	assert_int_equal(engine_demux_feed(&d, "plain tty output\n", 17, NULL), 0);
	assert_int_equal(engine_demux_finish(&d, NULL), 0);
	assert_string_equal(quai_buf_str(&s.text), "1:plain tty output\n|");
	quai_buf_release(&s.text);

	char data[64];
	size_t n = frame(data, 1, "cut short");
	struct sink s2 = {QUAI_BUF_INIT, 0, 0};
	struct engine_demux d2 = {.fn = on_output, .arg = &s2};
	cleanup_error struct quai_error *err = NULL;
	assert_int_equal(engine_demux_feed(&d2, data, n - 3, NULL), 0);
	assert_int_equal(engine_demux_finish(&d2, &err), -1);
	assert_non_null(strstr(err->msg, "inside a frame"));
	quai_buf_release(&s2.text);

	/* a bad header after a good frame */
	struct sink s3 = {QUAI_BUF_INIT, 0, 0};
	struct engine_demux d3 = {.fn = on_output, .arg = &s3};
	cleanup_error struct quai_error *err3 = NULL;
	n = frame(data, 2, "ok");
	static const unsigned char bad[9] = {7, 1, 0, 0, 0, 0, 0, 1, 'x'};
	memcpy(data + n, bad, sizeof(bad));
	assert_int_equal(engine_demux_feed(&d3, data, n + 9, &err3), -1);
	assert_non_null(strstr(err3->msg, "frame header"));
	quai_buf_release(&s3.text);
}

static void test_base64(void **state)
{
	cleanup_free char *a = quai_base64_encode("", 0, false);
	cleanup_free char *b = quai_base64_encode("f", 1, false);
	cleanup_free char *c = quai_base64_encode("fo", 2, false);
	cleanup_free char *d = quai_base64_encode("foo", 3, false);
	cleanup_free char *e = quai_base64_encode("\xfb\xff\xfe", 3, false);
	cleanup_free char *f = quai_base64_encode("\xfb\xff\xfe", 3, true);
	assert_string_equal(a, "");
	assert_string_equal(b, "Zg==");
	assert_string_equal(c, "Zm8=");
	assert_string_equal(d, "Zm9v");
	assert_string_equal(e, "+//+");
	assert_string_equal(f, "-__-");
	size_t n;
	cleanup_free char *g = quai_base64_decode("Zm8=", &n);
	assert_int_equal(n, 2);
	assert_string_equal(g, "fo");
	cleanup_free char *h = quai_base64_decode("-__-", &n);
	assert_memory_equal(h, "\xfb\xff\xfe", 3);
	cleanup_free char *i = quai_base64_decode("eyJuYW1lIjoiZXRjIn0", &n);
	assert_string_equal(i, "{\"name\":\"etc\"}");
	assert_null(quai_base64_decode("a", &n));
	assert_null(quai_base64_decode("ab$d", &n));
}

static void test_auth_header(void **state)
{
	struct quai_engine_auth auth = {"me", "s3cr3t?>", "127.0.0.1:5000"};
	cleanup_free char *h = quai_engine_auth_header(&auth);
	assert_null(strpbrk(h, "+/"));
	size_t n;
	cleanup_free char *text = quai_base64_decode(h, &n);
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "username")), "me");
	assert_string_equal(json_string_value(json_object_get(j, "password")), "s3cr3t?>");
	assert_string_equal(json_string_value(json_object_get(j, "serveraddress")), "127.0.0.1:5000");
	json_decref(j);
}

static void test_split_ref(void **state)
{
	static const char *const cases[][3] = {
	    {"busybox", "busybox", "latest"},
	    {"busybox:1.36", "busybox", "1.36"},
	    {"127.0.0.1:5000/me/app", "127.0.0.1:5000/me/app", "latest"},
	    {"127.0.0.1:5000/me/app:v2", "127.0.0.1:5000/me/app", "v2"},
	    {"app@sha256:abcd", "app", "sha256:abcd"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		cleanup_free char *repo = NULL;
		const char *tag;
		engine_split_ref(&repo, &tag, cases[i][0]);
		assert_string_equal(repo, cases[i][1]);
		assert_string_equal(tag, cases[i][2]);
	}
}

static void test_query(void **state)
{
	struct quai_buf q = QUAI_BUF_INIT;
	quai_engine_query_add(&q, "t", "reg:5000/a b:c");
	quai_engine_query_add(&q, "buildargs", "{\"K\":\"v&w\"}");
	assert_string_equal(quai_buf_str(&q),
	                    "t=reg%3A5000%2Fa%20b%3Ac&buildargs=%7B%22K%22%3A%22v%26w%22%7D");
	quai_buf_release(&q);
}

static void test_connect_errors(void **state)
{
	struct quai_engine_host h;
	assert_int_equal(quai_engine_host_parse(&h, "unix:///run/x.sock", NULL, NULL, NULL, NULL), 0);
	struct quai_error *err = NULL;
	engine_connect_error(&err, &h, CURLE_COULDNT_CONNECT, ENOENT, "x");
	assert_string_equal(
	    err->msg, "no Docker engine at unix:///run/x.sock: start one with `dockerd` or set DOCKER_HOST");
	engine_connect_error(&err, &h, CURLE_COULDNT_CONNECT, EACCES, "x");
	assert_non_null(strstr(err->msg, "permission denied on the Docker engine socket '/run/x.sock'"));
	engine_connect_error(&err, &h, CURLE_PARTIAL_FILE, 0, "x");
	assert_non_null(strstr(err->msg, "dropped"));
	engine_connect_error(&err, &h, CURLE_OPERATION_TIMEDOUT, 0, "x");
	assert_non_null(strstr(err->msg, "in time"));
	quai_error_free(err);
	quai_engine_host_release(&h);
}

/* A socket nobody listens on: the real connection path. */
static void test_no_engine(void **state)
{
	struct quai_engine_host h;
	assert_int_equal(
	    quai_engine_host_parse(&h, "unix:///nonexistent/quai-test.sock", NULL, NULL, NULL, NULL), 0);
	struct quai_engine *e = NULL;
	cleanup_error struct quai_error *err = NULL;
	assert_int_equal(quai_engine_open_host(&e, &h, &err), -1);
	assert_null(e);
	assert_string_equal(err->msg, "no Docker engine at unix:///nonexistent/quai-test.sock: start one "
	                              "with `dockerd` or set DOCKER_HOST");
	quai_engine_host_release(&h);
}

static void test_inspect_readers(void **state)
{
	json_t *j =
	    json_loads("{\"State\":{\"Status\":\"running\",\"Running\":true,\"ExitCode\":0,"
	               "\"Health\":{\"Status\":\"healthy\"}},\"NetworkSettings\":{\"Ports\":{\"80/tcp\":"
	               "[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"49153\"}],\"81/tcp\":null}}}",
	               0, NULL);
	assert_non_null(j);
	struct quai_engine_state st;
	quai_engine_inspect_state(&st, j);
	assert_string_equal(st.status, "running");
	assert_true(st.running);
	assert_string_equal(st.health, "healthy");
	assert_int_equal(quai_engine_inspect_host_port(j, "80/tcp"), 49153);
	assert_int_equal(quai_engine_inspect_host_port(j, "81/tcp"), 0);
	assert_int_equal(quai_engine_inspect_host_port(j, "82/tcp"), 0);
	json_decref(j);
	j = json_loads("{\"State\":{\"Status\":\"exited\",\"Running\":false,\"ExitCode\":3}}", 0, NULL);
	quai_engine_inspect_state(&st, j);
	assert_false(st.running);
	assert_int_equal(st.exit_code, 3);
	assert_null(st.health);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_default),
	    cmocka_unit_test(test_host_unix),
	    cmocka_unit_test(test_host_tcp),
	    cmocka_unit_test(test_host_errors),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_lines_chunks),
	    cmocka_unit_test(test_lines_errors),
	    cmocka_unit_test(test_demux),
	    cmocka_unit_test(test_demux_raw_and_truncated),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_auth_header),
	    cmocka_unit_test(test_split_ref),
	    cmocka_unit_test(test_query),
	    cmocka_unit_test(test_connect_errors),
	    cmocka_unit_test(test_no_engine),
	    cmocka_unit_test(test_inspect_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
