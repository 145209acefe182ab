/* Regular expressions with Go's RE2 semantics on PCRE2: what matches, and
 * what RE2 rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "imagetest/imagetest.h"

static int m(const char *pattern, const char *subject)
{
	struct quai_error *err = NULL;
	int rc = quai_regex_match(pattern, subject, strlen(subject), &err);
	if (rc < 0)
		fail_msg("'%s': %s", pattern, err->msg);
	return rc;
}

static void rejected(const char *pattern, const char *what)
{
	struct quai_error *err = NULL;
	struct quai_regex *re = NULL;
	if (quai_regex_compile(&re, pattern, &err) == 0) {
		quai_regex_free(re);
		fail_msg("'%s' compiled, expected an error", pattern);
	}
	if (!strstr(err->msg, what))
		fail_msg("'%s': '%s' does not say '%s'", pattern, err->msg, what);
	quai_error_free(err);
}

static void test_search_anywhere(void **state)
{
	(void)state;
	assert_int_equal(m("hello", "say hello world"), 1);
	assert_int_equal(m("^hello", "say hello"), 0);
	assert_int_equal(m("", ""), 1);
	assert_int_equal(m("x", ""), 0);
	assert_int_equal(m(".*Inst.*Security.* | .*Security.*Inst.*", "nothing"), 0);
}

static void test_anchors(void **state)
{
	(void)state;
	/* Go: $ is the very end of the text unless (?m) */
	assert_int_equal(m("^12\\.\\d+$", "12.5\n"), 0);
	assert_int_equal(m("^12\\.\\d+\\n$", "12.5\n"), 1);
	assert_int_equal(m("(?m)^12\\.\\d+$", "12.5\n"), 1);
	assert_int_equal(m("(?m)^b$", "a\nb\nc"), 1);
	assert_int_equal(m("^b$", "a\nb\nc"), 0);
	assert_int_equal(m("\\Aa", "a\n"), 1);
	assert_int_equal(m("a\\z", "a\n"), 0);
	assert_int_equal(m("\\bword\\b", "a word."), 1);
	assert_int_equal(m("\\Bor", "word"), 1);
}

static void test_classes_and_flags(void **state)
{
	(void)state;
	assert_int_equal(m("^\\d{4}-\\d{2}$", "2024-05"), 1);
	assert_int_equal(m("\\w+@\\w+", "me@host"), 1);
	assert_int_equal(m("[[:alpha:]]+[[:digit:]]", "abc1"), 1);
	assert_int_equal(m("[^a-z]", "abc"), 0);
	assert_int_equal(m("[]a]", "]"), 1);
	assert_int_equal(m("(?i)HELLO", "hello"), 1);
	assert_int_equal(m("HELLO", "hello"), 0);
	assert_int_equal(m("(?i:H)ello", "hello"), 1);
	assert_int_equal(m("a.b", "a\nb"), 0);
	assert_int_equal(m("(?s)a.b", "a\nb"), 1);
	assert_int_equal(m("(?U)a+", "aaa"), 1);
	assert_int_equal(m("(?P<year>\\d+)-(?<mon>\\d+)", "1999-12"), 1);
	assert_int_equal(m("\\Qa.b\\E", "a.b"), 1);
	assert_int_equal(m("\\Qa.b\\E", "axb"), 0);
	assert_int_equal(m("a{2,3}", "caab"), 1);
	assert_int_equal(m("\\x41\\x{42}", "AB"), 1);
	/* Go's \s has no vertical tab; \v is the vertical tab itself */
	assert_int_equal(m("a\\sb", "a\vb"), 0);
	assert_int_equal(m("a\\sb", "a\tb"), 1);
	assert_int_equal(m("a[\\s]b", "a b"), 1);
	assert_int_equal(m("a\\Sb", "a\vb"), 1);
	assert_int_equal(m("a\\vb", "a\vb"), 1);
	assert_int_equal(m("a\\vb", "a\nb"), 0);
}

static void test_unicode(void **state)
{
	(void)state;
	assert_int_equal(m("^.$", "é"), 1);
	assert_int_equal(m("\\p{Greek}+", "abc αβγ"), 1);
	assert_int_equal(m("\\pL", "1é"), 1);
	assert_int_equal(m("\\p{L}+$", "12"), 0);
	assert_int_equal(m("(?i)ÉTÉ", "été"), 1);
	/* ASCII-only \d and \w, as in Go */
	assert_int_equal(m("\\d", "٣"), 0);
	assert_int_equal(m("^\\w$", "é"), 0);
	/* invalid UTF-8 in the subject is not an error */
	assert_int_equal(m("b", "a\xff"
	                        "b"),
	                 1);
}

static void test_rejected(void **state)
{
	(void)state;
	rejected("(a)\\1", "a backreference");
	rejected("(?<n>a)\\k<n>", "a backreference");
	rejected("a(?=b)", "a lookahead");
	rejected("a(?!b)", "a lookahead");
	rejected("(?<=a)b", "a lookbehind");
	rejected("(?<!a)b", "a lookbehind");
	rejected("(?>a+)b", "an atomic group");
	rejected("a++", "a possessive quantifier");
	rejected("a{2}+", "a possessive quantifier");
	rejected("(a|(?R))", "recursion");
	rejected("(?(1)a|b)", "a conditional");
	rejected("(*UTF)a", "a PCRE verb");
	rejected("\\h", "this escape sequence");
	rejected("\\Z", "this escape sequence");
	rejected("a\\", "a trailing backslash");
	rejected("(?x)a b", "this group or flag");
	rejected("(?#c)a", "a comment group");
	rejected("(abc", "missing closing parenthesis");
	rejected("[a", "missing terminating ]");
}

static void test_match_limit(void **state)
{
	(void)state;
	struct quai_regex *re = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_regex_compile(&re, "(a+)+$", &err), 0);
	char subject[64];
	memset(subject, 'a', sizeof(subject) - 1);
	subject[sizeof(subject) - 2] = '!';
	subject[sizeof(subject) - 1] = '\0';
	int rc = quai_regex_search(re, subject, strlen(subject), &err);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err->msg, "matching failed"));
	quai_error_free(err);
	quai_regex_free(re);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_search_anywhere),   cmocka_unit_test(test_anchors),
	    cmocka_unit_test(test_classes_and_flags), cmocka_unit_test(test_unicode),
	    cmocka_unit_test(test_rejected),          cmocka_unit_test(test_match_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
