/* Unit tests of src/registry: keys, refs, auth decoding, config.json lookup, the helper protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

static void test_placeholder(void **state)
{
	(void)state;
	char *k = quai_registry_key("docker.io");
	assert_string_equal(k, QUAI_REGISTRY_DOCKER_HUB);
	free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placeholder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
