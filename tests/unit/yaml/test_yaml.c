/* Unit tests of src/yaml/: positions, aliases, merge keys, scalars, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "yaml/yaml.h"

static struct quai_yaml_doc *load(const char *text)
{
	struct quai_yaml_doc *doc = NULL;
	struct quai_error *err = NULL;
	if (quai_yaml_load(&doc, "t.yml", text, strlen(text), &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		quai_error_free(err);
		fail();
	}
	return doc;
}

static char *load_error(const char *text)
{
	struct quai_yaml_doc *doc = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_yaml_load(&doc, "t.yml", text, strlen(text), &err), -1);
	assert_null(doc);
	char *msg = strdup(err->msg);
	quai_error_free(err);
	return msg;
}

static void test_positions_and_lookup(void **state)
{
	(void)state;
	struct quai_yaml_doc *doc = load("a: 1\nb:\n  - x\n  - 'y'\nc: {d: e}\na: 2\n");
	const struct quai_yaml_node *root = doc->root;
	assert_int_equal(root->type, QUAI_YAML_MAP);
	assert_int_equal(root->n, 4);
	assert_string_equal(quai_yaml_str(quai_yaml_get(root, "a")), "2");
	const struct quai_yaml_node *b = quai_yaml_get(root, "b");
	assert_int_equal(b->type, QUAI_YAML_SEQ);
	assert_int_equal(b->n, 2);
	assert_int_equal(b->items[1]->line, 4);
	assert_int_equal(b->items[1]->col, 5);
	assert_true(quai_yaml_is_quoted(b->items[1]));
	assert_false(quai_yaml_is_quoted(b->items[0]));
	assert_int_equal(quai_yaml_get(root, "c")->style, QUAI_YAML_FLOW);
	assert_null(quai_yaml_get(root, "zz"));
	const struct quai_yaml_node *dup = quai_yaml_dup_key(root);
	assert_non_null(dup);
	assert_int_equal(dup->line, 6);
	assert_int_equal(quai_yaml_get_key(root, "b")->line, 2);
	quai_yaml_free(doc);
}

static void test_aliases_and_merge_keys(void **state)
{
	(void)state;
	struct quai_yaml_doc *doc = load("base: &b {x: 1, y: 2}\n"
					 "more: &m {y: 3, z: 4}\n"
					 "one:\n  <<: *b\n  x: 9\n"
					 "two:\n  <<: [*m, *b]\n  w: 0\n"
					 "ref: *b\n");
	const struct quai_yaml_node *root = doc->root;
	const struct quai_yaml_node *one = quai_yaml_get(root, "one");
	assert_int_equal(one->n, 2);
	assert_string_equal(quai_yaml_str(quai_yaml_get(one, "x")), "9");
	assert_string_equal(quai_yaml_str(quai_yaml_get(one, "y")), "2");
	assert_null(quai_yaml_dup_key(one));
	const struct quai_yaml_node *two = quai_yaml_get(root, "two");
	assert_int_equal(two->n, 4);
	assert_string_equal(quai_yaml_str(quai_yaml_get(two, "y")), "3");
	assert_string_equal(quai_yaml_str(quai_yaml_get(two, "x")), "1");
	assert_string_equal(quai_yaml_str(quai_yaml_get(two, "z")), "4");
	assert_true(quai_yaml_get(root, "ref") == quai_yaml_get(root, "base"));
	quai_yaml_free(doc);
}

static void test_scalars(void **state)
{
	(void)state;
	struct quai_yaml_doc *doc =
		load("a: yes\nb: True\nc: 0x1f\nd: -12\ne: 1.5e3\nf: ~\ng:\nh: '1'\ni: !reference [x, y]\nj: .inf\n");
	const struct quai_yaml_node *r = doc->root;
	bool v = false;
	assert_int_equal(quai_yaml_bool(quai_yaml_get(r, "a"), &v, QUAI_YAML_BOOL_12), -1);
	assert_int_equal(quai_yaml_bool(quai_yaml_get(r, "a"), &v, QUAI_YAML_BOOL_11), 0);
	assert_true(v);
	assert_int_equal(quai_yaml_bool(quai_yaml_get(r, "b"), &v, QUAI_YAML_BOOL_12), 0);
	long long n = 0;
	assert_int_equal(quai_yaml_int(quai_yaml_get(r, "c"), &n), 0);
	assert_int_equal(n, 31);
	assert_int_equal(quai_yaml_int(quai_yaml_get(r, "d"), &n), 0);
	assert_int_equal(n, -12);
	assert_int_equal(quai_yaml_int(quai_yaml_get(r, "h"), &n), -1);
	double d = 0;
	assert_int_equal(quai_yaml_float(quai_yaml_get(r, "e"), &d), 0);
	assert_true(d == 1500.0);
	assert_int_equal(quai_yaml_float(quai_yaml_get(r, "j"), &d), 0);
	assert_true(isinf(d));
	assert_true(quai_yaml_is_null(quai_yaml_get(r, "f")));
	assert_true(quai_yaml_is_null(quai_yaml_get(r, "g")));
	assert_false(quai_yaml_is_null(quai_yaml_get(r, "h")));
	assert_string_equal(quai_yaml_get(r, "i")->tag, "!reference");
	assert_string_equal(quai_yaml_kind_name(quai_yaml_get(r, "i")), "a list");
	assert_string_equal(quai_yaml_kind_name(quai_yaml_get(r, "d")), "a number");
	assert_string_equal(quai_yaml_kind_name(quai_yaml_get(r, "h")), "a string");
	quai_yaml_free(doc);
}

static void test_streams_and_errors(void **state)
{
	(void)state;
	struct quai_yaml_doc *doc = load("");
	assert_null(doc->root);
	assert_int_equal(doc->nroots, 0);
	quai_yaml_free(doc);
	doc = load("spec: {}\n---\njob: {script: [x]}\n");
	assert_int_equal(doc->nroots, 2);
	quai_yaml_free(doc);

	char *msg = load_error("a: b: c\n");
	assert_non_null(strstr(msg, "t.yml:1:5: invalid YAML: mapping values are not allowed"));
	free(msg);
	msg = load_error("a: &x [*x]\n");
	assert_non_null(strstr(msg, "recursive alias"));
	free(msg);
	msg = load_error("a: *nope\n");
	assert_non_null(strstr(msg, "t.yml:1:4:"));
	free(msg);
	msg = load_error("a:\n  <<: 3\n");
	assert_non_null(strstr(msg, "merge key"));
	free(msg);
	char deep[2000];
	memset(deep, '[', 600);
	deep[600] = '\0';
	msg = load_error(deep);
	free(msg);
}

static void test_alias_bomb_is_cheap(void **state)
{
	(void)state;
	struct quai_yaml_doc *doc = load("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
					 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
					 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
					 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
					 "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
					 "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n");
	assert_int_equal(quai_yaml_get(doc->root, "f")->n, 10);
	quai_yaml_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_and_lookup),
		cmocka_unit_test(test_aliases_and_merge_keys),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_streams_and_errors),
		cmocka_unit_test(test_alias_bomb_is_cheap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
