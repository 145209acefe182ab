/* Webhook signatures and parsing for each forge, and the post-receive
 * hook script. The HMAC vectors are RFC 4231 test case 2 and GitHub's
 * documented example ("Hello, World!" with "It's a Secret to Everybody"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forge/forge.h"

#define SHA_A "0123456789abcdef0123456789abcdef01234567"
#define SHA_B "89abcdef0123456789abcdef0123456789abcdef"

struct headers {
	const char *names[8];
	const char *values[8];
};

static const char *lookup(void *ctx, const char *name)
{
	struct headers *h = ctx;
	for (int i = 0; i < 8 && h->names[i]; i++)
		if (strcasecmp(h->names[i], name) == 0)
			return h->values[i];
	return NULL;
}

static enum quai_forge_hook_status parse(struct quai_forge_event *ev, struct headers *h, const char *body,
                                         const char *secret)
{
	struct quai_forge_request req = {lookup, h, body, strlen(body)};
	struct quai_error *err = NULL;
	enum quai_forge_hook_status st = quai_forge_parse_hook(ev, &req, secret, &err);
	if (st != QUAI_FORGE_HOOK_OK) {
		assert_non_null(err);
		if (*secret)
			assert_null(strstr(err->msg, secret));
	}
	quai_error_free(err);
	return st;
}

static void test_hmac_vectors(void **state)
{
	(void)state;
	char hex[65];
	quai_forge_hmac_sha256_hex("Jefe", "what do ya want for nothing?", 28, hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	quai_forge_hmac_sha256_hex("It's a Secret to Everybody", "Hello, World!", 13, hex);
	assert_string_equal(hex, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
	assert_true(quai_forge_signature_ok(
	    "It's a Secret to Everybody", "Hello, World!", 13,
	    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
	assert_true(
	    quai_forge_signature_ok("It's a Secret to Everybody", "Hello, World!", 13,
	                            "757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17"));
	assert_false(quai_forge_signature_ok(
	    "It's a Secret to Everybody", "Hello, World?", 13,
	    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
	assert_false(quai_forge_signature_ok("k", "x", 1, "sha256=757107"));
	assert_false(quai_forge_signature_ok("k", "x", 1, ""));
	assert_false(quai_forge_signature_ok(
	    "k", "x", 1, "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
	assert_true(quai_forge_secret_equal("abc", "abc"));
	assert_false(quai_forge_secret_equal("abc", "abcd"));
	assert_false(quai_forge_secret_equal("", "a"));
	quai_forge_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_github(void **state)
{
	(void)state;
	const char *body = "{\"ref\":\"refs/heads/main\",\"before\":\"" SHA_A "\",\"after\":\"" SHA_B "\"}";
	char sig[80] = "sha256=";
	quai_forge_hmac_sha256_hex("s3", body, strlen(body), sig + 7);
	struct headers h = {{"X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"},
	                    {"push", "d-1", sig}};
	struct quai_forge_event ev;
	assert_int_equal(parse(&ev, &h, body, "s3"), QUAI_FORGE_HOOK_OK);
	assert_int_equal(ev.forge, QUAI_FORGE_GITHUB);
	assert_true(ev.queue);
	assert_string_equal(ev.branch, "main");
	assert_string_equal(ev.sha, SHA_B);
	assert_string_equal(ev.before, SHA_A);
	assert_string_equal(ev.delivery, "d-1");
	quai_forge_event_release(&ev);
	/* wrong secret, no signature, tampered body */
	assert_int_equal(parse(&ev, &h, body, "s4"), QUAI_FORGE_HOOK_UNAUTHORIZED);
	quai_forge_event_release(&ev);
	h.values[2] = NULL;
	h.names[2] = NULL;
	assert_int_equal(parse(&ev, &h, body, "s3"), QUAI_FORGE_HOOK_UNAUTHORIZED);
	quai_forge_event_release(&ev);
	/* no secret configured: refused whatever comes */
	assert_int_equal(parse(&ev, &h, body, ""), QUAI_FORGE_HOOK_UNAUTHORIZED);
	quai_forge_event_release(&ev);
}

static void test_github_malformed(void **state)
{
	(void)state;
	static const char *const bodies[] = {
	    "[1,2]",
	    "{\"ref\":\"refs/heads/main\"}",
	    "{\"ref\":\"refs/heads/../x\",\"after\":\"" SHA_B "\"}",
	    "{\"ref\":\"refs/heads/main\",\"after\":\"xyz\"}",
	    "{\"ref\":7,\"after\":\"" SHA_B "\"}",
	    "not json",
	    "",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char sig[80] = "sha256=";
		quai_forge_hmac_sha256_hex("s3", bodies[i], strlen(bodies[i]), sig + 7);
		struct headers h = {{"X-GitHub-Event", "X-Hub-Signature-256"}, {"push", sig}};
		struct quai_forge_event ev;
		assert_int_equal(parse(&ev, &h, bodies[i], "s3"), QUAI_FORGE_HOOK_MALFORMED);
		quai_forge_event_release(&ev);
	}
}

static void test_github_ping_and_pull_request(void **state)
{
	(void)state;
	const char *body = "{\"zen\":\"x\"}";
	char sig[80] = "sha256=";
	quai_forge_hmac_sha256_hex("s3", body, strlen(body), sig + 7);
	struct headers h = {{"X-GitHub-Event", "X-Hub-Signature-256"}, {"ping", sig}};
	struct quai_forge_event ev;
	assert_int_equal(parse(&ev, &h, body, "s3"), QUAI_FORGE_HOOK_OK);
	assert_false(ev.queue);
	assert_string_equal(ev.event, "ping");
	/* no delivery header: the body's digest stands in */
	assert_int_equal(strncmp(ev.delivery, "sha256:", 7), 0);
	quai_forge_event_release(&ev);
	const char *pr =
	    "{\"action\":\"closed\",\"pull_request\":{\"number\":3,\"head\":{\"ref\":\"f\",\"sha\":\"" SHA_A
	    "\"}}}";
	quai_forge_hmac_sha256_hex("s3", pr, strlen(pr), sig + 7);
	h.values[0] = "pull_request";
	assert_int_equal(parse(&ev, &h, pr, "s3"), QUAI_FORGE_HOOK_OK);
	assert_false(ev.queue);
	assert_string_equal(ev.ref, "refs/pull/3/head");
	quai_forge_event_release(&ev);
}

static void test_gitlab(void **state)
{
	(void)state;
	const char *body = "{\"object_kind\":\"tag_push\",\"ref\":\"refs/tags/v1\",\"before\":\"" SHA_A
	                   "\",\"after\":\"" SHA_B "\"}";
	struct headers h = {{"X-Gitlab-Event", "X-Gitlab-Token", "X-Gitlab-Event-UUID"},
	                    {"Tag Push Hook", "tok", "u-1"}};
	struct quai_forge_event ev;
	assert_int_equal(parse(&ev, &h, body, "tok"), QUAI_FORGE_HOOK_OK);
	assert_int_equal(ev.forge, QUAI_FORGE_GITLAB);
	assert_string_equal(ev.event, "tag");
	assert_null(ev.branch);
	assert_string_equal(ev.ref, "refs/tags/v1");
	assert_string_equal(ev.delivery, "u-1");
	quai_forge_event_release(&ev);
	assert_int_equal(parse(&ev, &h, body, "tok2"), QUAI_FORGE_HOOK_UNAUTHORIZED);
	quai_forge_event_release(&ev);
	const char *mr =
	    "{\"object_kind\":\"merge_request\",\"object_attributes\":{\"iid\":5,\"action\":\"close\","
	    "\"source_branch\":\"f\",\"last_commit\":{\"id\":\"" SHA_A "\"}}}";
	assert_int_equal(parse(&ev, &h, mr, "tok"), QUAI_FORGE_HOOK_OK);
	assert_false(ev.queue);
	quai_forge_event_release(&ev);
}

static void test_gitea_and_generic(void **state)
{
	(void)state;
	const char *body = "{\"ref\":\"refs/heads/dev\",\"after\":\"" SHA_B "\",\"id\":\"gen-1\"}";
	char hex[65];
	quai_forge_hmac_sha256_hex("s3", body, strlen(body), hex);
	struct headers h = {{"X-Gitea-Event", "X-Gitea-Signature", "X-Gitea-Delivery"}, {"push", hex, "g-1"}};
	struct quai_forge_event ev;
	assert_int_equal(parse(&ev, &h, body, "s3"), QUAI_FORGE_HOOK_OK);
	assert_int_equal(ev.forge, QUAI_FORGE_GITEA);
	assert_string_equal(ev.delivery, "g-1");
	quai_forge_event_release(&ev);
	char sig[80] = "sha256=";
	memcpy(sig + 7, hex, 65);
	struct headers g = {{"X-Quai-Signature"}, {sig}};
	assert_int_equal(parse(&ev, &g, body, "s3"), QUAI_FORGE_HOOK_OK);
	assert_int_equal(ev.forge, QUAI_FORGE_GENERIC);
	assert_string_equal(ev.delivery, "gen-1");
	assert_string_equal(ev.branch, "dev");
	quai_forge_event_release(&ev);
	struct headers none = {{NULL}, {NULL}};
	assert_int_equal(parse(&ev, &none, body, "s3"), QUAI_FORGE_HOOK_UNAUTHORIZED);
	quai_forge_event_release(&ev);
}

static void test_post_receive_script(void **state)
{
	(void)state;
	struct quai_buf b = QUAI_BUF_INIT;
	quai_forge_post_receive_script(&b, "http://127.0.0.1:8080//", "app", "/etc/quai/it's secret");
	const char *s = quai_buf_str(&b);
	assert_int_equal(strncmp(s, "#!/bin/sh\n", 10), 0);
	assert_non_null(strstr(s, "server='http://127.0.0.1:8080'\n"));
	assert_non_null(strstr(s, "project='app'\n"));
	assert_non_null(strstr(s, "secret_file='/etc/quai/it'\\''s secret'\n"));
	assert_non_null(strstr(s, "X-Quai-Signature: sha256=$sig"));
	quai_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hmac_vectors),
	    cmocka_unit_test(test_github),
	    cmocka_unit_test(test_github_malformed),
	    cmocka_unit_test(test_github_ping_and_pull_request),
	    cmocka_unit_test(test_gitlab),
	    cmocka_unit_test(test_gitea_and_generic),
	    cmocka_unit_test(test_post_receive_script),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
