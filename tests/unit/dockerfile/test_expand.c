/* Unit tests of quai_df_expand(): docker's shell-word lexer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/dockerfile.h"

/* Variables: SET=value, EMPTY= (set, empty), PATHV=/usr/local/bin:/usr/bin,
 * FILE=archive.tar.gz; anything else is unset. */
static char unset_names[256];

static const char *lookup(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "SET"))
		return "value";
	if (!strcmp(name, "EMPTY"))
		return "";
	if (!strcmp(name, "PATHV"))
		return "/usr/local/bin:/usr/bin";
	if (!strcmp(name, "FILE"))
		return "archive.tar.gz";
	if (!strcmp(name, "SP"))
		return "a b";
	return NULL;
}

static void on_unset(void *ctx, const char *name)
{
	(void)ctx;
	size_t l = strlen(unset_names);
	snprintf(unset_names + l, sizeof(unset_names) - l, "%s%s", l ? "," : "", name);
}

static const struct quai_df_vars vars = { lookup, on_unset, NULL };

static void expands_to(const char *word, const char *want)
{
	char *out = NULL, *err = NULL;
	int r = quai_df_expand(&out, &err, word, '\\', &vars);
	if (r < 0)
		fail_msg("'%s': unexpected error: %s", word, err);
	if (strcmp(out, want) != 0)
		fail_msg("'%s': got '%s', want '%s'", word, out, want);
	free(out);
}

static void fails_with(const char *word, const char *part)
{
	char *out = NULL, *err = NULL;
	int r = quai_df_expand(&out, &err, word, '\\', &vars);
	if (r == 0)
		fail_msg("'%s': expected an error, got '%s'", word, out);
	assert_null(out);
	assert_non_null(err);
	if (!strstr(err, part))
		fail_msg("'%s': error '%s' does not say '%s'", word, err, part);
	free(err);
}

static void test_plain_references(void **state)
{
	(void)state;
	expands_to("$SET", "value");
	expands_to("${SET}", "value");
	expands_to("x$SET/y", "xvalue/y");
	expands_to("${SET}x", "valuex");
	expands_to("$SETx", "");
	expands_to("$", "$");
	expands_to("a$ b", "a$ b");
	expands_to("$/x", "$/x");
	expands_to("$SP", "a b");
	expands_to("", "");
	expands_to("no vars", "no vars");
}

static void test_unset_callback(void **state)
{
	(void)state;
	unset_names[0] = '\0';
	expands_to("$NOPE-${ALSO}-${DEF:-d}-${SET}-$1-$@", "--d-value--");
	assert_string_equal(unset_names, "NOPE,ALSO");
}

static void test_default_operators(void **state)
{
	(void)state;
	expands_to("${NOPE:-def}", "def");
	expands_to("${EMPTY:-def}", "def");
	expands_to("${SET:-def}", "value");
	expands_to("${NOPE-def}", "def");
	expands_to("${EMPTY-def}", "");
	expands_to("${SET-def}", "value");
	expands_to("${NOPE:+alt}", "");
	expands_to("${EMPTY:+alt}", "");
	expands_to("${SET:+alt}", "alt");
	expands_to("${NOPE+alt}", "");
	expands_to("${EMPTY+alt}", "alt");
	expands_to("${SET:?must}", "value");
	expands_to("${EMPTY?must}", "");
	expands_to("${NOPE:-a b}", "a b");
	expands_to("${NOPE:-\"q}\"}", "q}");
	expands_to("${NOPE:-a\\}b}", "a}b");
}

static void test_nested_defaults(void **state)
{
	(void)state;
	expands_to("${NOPE:-${ALSO:-${SET}}}", "value");
	expands_to("${NOPE:-${EMPTY:-x}y}", "xy");
	expands_to("${SET:+${NOPE:-in}}", "in");
}

static void test_pattern_operators(void **state)
{
	(void)state;
	expands_to("${FILE#*.}", "tar.gz");
	expands_to("${FILE##*.}", "gz");
	expands_to("${FILE%.*}", "archive.tar");
	expands_to("${FILE%%.*}", "archive");
	expands_to("${FILE#nomatch}", "archive.tar.gz");
	expands_to("${PATHV/usr/opt}", "/opt/local/bin:/usr/bin");
	expands_to("${PATHV//usr/opt}", "/opt/local/bin:/opt/bin");
	expands_to("${PATHV//:/ }", "/usr/local/bin /usr/bin");
	expands_to("${FILE/a?c/X}", "Xhive.tar.gz");
	expands_to("${FILE#\\*}", "archive.tar.gz");
	expands_to("${NOPE%x}", "");
}

static void test_quotes_and_escapes(void **state)
{
	(void)state;
	expands_to("'$SET'", "$SET");
	expands_to("\"$SET\"", "value");
	expands_to("\\$SET", "$SET");
	expands_to("\"\\$SET\"", "$SET");
	expands_to("\"a\\\"b\"", "a\"b");
	expands_to("\"a\\nb\"", "a\\nb");
	expands_to("a\\ b", "a b");
	expands_to("'a\\'", "a\\");
	expands_to("it\"'\"s", "it's");
	expands_to("end\\", "end");

	/* with the backtick escape, a backslash is literal */
	char *out = NULL, *err = NULL;
	assert_int_equal(quai_df_expand(&out, &err, "`$SET \\$SET c:\\x `\"", '`', &vars), 0);
	assert_string_equal(out, "$SET \\value c:\\x \"");
	free(out);
}

static void test_errors(void **state)
{
	(void)state;
	fails_with("${", "missing '}'");
	fails_with("${SET", "missing '}'");
	fails_with("${SET:-x", "missing '}'");
	fails_with("${}", "bad substitution");
	fails_with("${:-x}", "bad substitution");
	fails_with("${SET:0:2}", "unsupported modifier");
	fails_with("${SET*}", "unsupported modifier");
	fails_with("${SET:#x}", "unsupported modifier");
	fails_with("\"open", "double quote");
	fails_with("'open", "single quote");
	fails_with("${NOPE?}", "NOPE: is not allowed to be unset");
	fails_with("${EMPTY:?}", "EMPTY: is not allowed to be empty");
	fails_with("${NOPE:?set it first}", "NOPE: set it first");
	fails_with("${FILE#a\\x}", "invalid pattern");
	fails_with("${SET/x", "missing '/'");
	fails_with("${SET/x/y", "missing '}'");

	/* errmsg may be NULL */
	char *out = NULL;
	assert_int_equal(quai_df_expand(&out, NULL, "${", '\\', &vars), -1);
	assert_null(out);
}

static void test_no_vars(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	assert_int_equal(quai_df_expand(&out, &err, "a${X:-d}$Y", '\\', NULL), 0);
	assert_string_equal(out, "ad");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_references),  cmocka_unit_test(test_unset_callback),
		cmocka_unit_test(test_default_operators), cmocka_unit_test(test_nested_defaults),
		cmocka_unit_test(test_pattern_operators), cmocka_unit_test(test_quotes_and_escapes),
		cmocka_unit_test(test_errors),		  cmocka_unit_test(test_no_vars),
	};
	return cmocka_run_group_tests_name("dockerfile expansion", tests, NULL, NULL);
}
