/* SHA-1 against the FIPS 180 test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

static void check(const char *msg, size_t len, const char *want)
{
	char hex[41];
	quai_sha1_hex(msg, len, hex);
	assert_string_equal(hex, want);
}

static void test_vectors(void **state)
{
	(void)state;
	check("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	check("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check(m, strlen(m), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	check(a, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(a);
	/* Lengths around the padding boundary. */
	char b[64];
	memset(b, 'x', sizeof(b));
	check(b, 55, "cef734ba81a024479e09eb5a75b6ddae62e6abf1");
	check(b, 56, "901305367c259952f4e7af8323f480d59f81335b");
	check(b, 64, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163");
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_vectors) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
