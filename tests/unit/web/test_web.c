/* The web UI's pure parts: HTML escaping with hostile strings, ANSI
 * colours to HTML, GitLab section markers, CSRF token comparison,
 * password hashing (yescrypt) and the users file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "web/web.h"

static char *escaped(const char *s, size_t len)
{
	struct quai_buf b = QUAI_BUF_INIT;
	quai_web_escape_n(&b, s, len);
	return quai_buf_detach(&b);
}

static void test_escape(void **state)
{
	(void)state;
	char *s = escaped("<script>alert(\"x\")</script>&'", 30);
	assert_string_equal(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
	free(s);
	s = escaped("a\x1b[31mb\x7f\tc\r\n\0d", 14);
	assert_string_equal(s, "a[31mb\tcd");
	free(s);
	s = escaped("plain UTF-8 \xc3\xa9", 14);
	assert_string_equal(s, "plain UTF-8 \xc3\xa9");
	free(s);
	s = escaped("\" onmouseover=\"x", 16);
	assert_null(strchr(s, '"'));
	free(s);
	struct quai_buf b = QUAI_BUF_INIT;
	quai_web_escape(&b, NULL);
	quai_web_escape(&b, "&amp;");
	assert_string_equal(quai_buf_str(&b), "&amp;amp;");
	quai_buf_release(&b);
}

static char *ansi(const char *s, struct quai_web_ansi *st)
{
	struct quai_buf b = QUAI_BUF_INIT;
	quai_web_ansi_line(&b, s, strlen(s), st);
	return quai_buf_detach(&b);
}

static void test_ansi(void **state)
{
	(void)state;
	struct quai_web_ansi st;
	quai_web_ansi_init(&st);
	char *s = ansi("\x1b[1;31mred <b>\x1b[0m plain", &st);
	assert_string_equal(s, "<span class=\"f1 bo\">red &lt;b&gt;</span> plain");
	free(s);
	/* the colour carries to the next line */
	s = ansi("\x1b[32mgreen", &st);
	assert_string_equal(s, "<span class=\"f2\">green</span>");
	free(s);
	s = ansi("still\x1b[m", &st);
	assert_string_equal(s, "<span class=\"f2\">still</span>");
	free(s);
	s = ansi("\x1b[94;42;4mx\x1b[39;49;24my", &st);
	assert_string_equal(s, "<span class=\"f12 b2 ul\">x</span>y");
	free(s);
	s = ansi("\x1b[38;5;3mx\x1b[38;2;1;2;3my\x1b[0m", &st);
	assert_string_equal(s, "<span class=\"f3\">x</span><span class=\"f3\">y</span>");
	free(s);
	/* other sequences dropped, carriage returns overwrite */
	s = ansi("\x1b[2K\x1b[1Gprogress 10%\rprogress 100%\r", &st);
	assert_string_equal(s, "progress 100%");
	free(s);
	/* a truncated sequence never reads beyond the line */
	s = ansi("x\x1b[1;3", &st);
	assert_string_equal(s, "x");
	free(s);
	s = ansi("\x1b", &st);
	assert_string_equal(s, "");
	free(s);
}

static void test_sections(void **state)
{
	(void)state;
	struct quai_web_section sec;
	const char *start = "\x1b[0Ksection_start:1700000000:build_app[collapsed=true]\r\x1b[0KBuilding app";
	assert_int_equal(quai_web_section_parse(start, strlen(start), &sec), QUAI_WEB_SECTION_START);
	assert_string_equal(sec.name, "build_app");
	assert_int_equal(sec.time, 1700000000);
	assert_true(sec.collapsed);
	assert_string_equal(start + sec.header_off, "Building app");
	const char *open = "section_start:1:x\rHeader";
	assert_int_equal(quai_web_section_parse(open, strlen(open), &sec), QUAI_WEB_SECTION_START);
	assert_false(sec.collapsed);
	assert_string_equal(open + sec.header_off, "Header");
	const char *end = "\x1b[0Ksection_end:1700000009:build_app\r\x1b[0K";
	assert_int_equal(quai_web_section_parse(end, strlen(end), &sec), QUAI_WEB_SECTION_END);
	assert_string_equal(sec.name, "build_app");
	/* not markers: text before, no time, a bad name, no closing bracket */
	static const char *const not [] = {
	    "echo section_start:1:x",
	    "section_start::x",
	    "section_start:1:",
	    "section_start:1:a<b>",
	    "section_start:1:x[collapsed=true",
	    "section_start:12",
	    "plain line",
	};
	for (size_t i = 0; i < sizeof(not ) / sizeof(not [0]); i++)
		assert_int_equal(quai_web_section_parse(not [i], strlen(not [i]), &sec), QUAI_WEB_NO_SECTION);
	/* the marker may be cut anywhere */
	for (size_t n = 0; n < strlen(start); n++)
		quai_web_section_parse(start, n, &sec);
}

static void test_csrf(void **state)
{
	(void)state;
	const char *tok = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_true(quai_web_csrf_ok(tok, tok));
	assert_false(
	    quai_web_csrf_ok(tok, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee"));
	assert_false(quai_web_csrf_ok(tok, "0123456789abcdef"));
	assert_false(quai_web_csrf_ok(tok, ""));
	assert_false(quai_web_csrf_ok(tok, NULL));
	/* no session (anonymous): an empty expected token never matches */
	assert_false(quai_web_csrf_ok("", ""));
	assert_false(quai_web_csrf_ok(NULL, tok));
}

static void test_passwords(void **state)
{
	(void)state;
	char *h = NULL, *h2 = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_web_hash_password(&h, "correct horse", &err), 0);
	assert_int_equal(strncmp(h, "$y$", 3), 0);
	assert_true(quai_web_check_password(h, "correct horse"));
	assert_false(quai_web_check_password(h, "correct hors"));
	assert_false(quai_web_check_password(h, ""));
	assert_false(quai_web_check_password("", "x"));
	assert_false(quai_web_check_password("plain", "plain"));
	assert_int_equal(quai_web_hash_password(&h2, "correct horse", &err), 0);
	assert_string_not_equal(h, h2); /* salted */
	free(h);
	free(h2);
}

static void test_users_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/quai-web-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct quai_error *err = NULL;
	assert_int_equal(quai_web_user_set(dir, "alice", "admin", "pw-one-1", &err), 0);
	assert_int_equal(quai_web_user_set(dir, "bob", "read", "pw-two-2", &err), 0);
	assert_int_equal(quai_web_anonymous_set(dir, true, &err), 0);
	assert_int_equal(quai_web_user_set(dir, "alice", "read", "pw-three", &err), 0);
	assert_int_equal(quai_web_user_set(dir, "a b", "read", "pw-three", &err), -1);
	quai_error_free(err);
	err = NULL;
	assert_int_equal(quai_web_user_set(dir, "carol", "root", "pw-three", &err), -1);
	quai_error_free(err);
	char path[64];
	snprintf(path, sizeof(path), "%s/web-users", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char text[2048] = {0};
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "\nbob read $y$"));
	assert_non_null(strstr(text, "\nalice read $y$"));
	assert_null(strstr(text, "alice admin"));
	assert_non_null(strstr(text, "anonymous read\n"));
	assert_null(strstr(text, "pw-"));
	assert_int_equal(quai_web_anonymous_set(dir, false, &err), 0);
	f = fopen(path, "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_null(strstr(text, "\nanonymous read\n"));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),    cmocka_unit_test(test_ansi),
	    cmocka_unit_test(test_sections),  cmocka_unit_test(test_csrf),
	    cmocka_unit_test(test_passwords), cmocka_unit_test(test_users_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
