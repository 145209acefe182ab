/* Fuzz target for webhook deliveries and request routing. The first byte
 * picks the forge's headers and whether the body is signed with the
 * secret (so that both the refusals and the payload parsers are reached);
 * the rest is the body. The input is also routed as "METHOD PATH". */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "forge/forge.h"
#include "fuzz/fuzz.h"
#include "server/server.h"
#include "core/banned.h"

#define SECRET "fuzz-secret"

struct hdrs {
	const char *name[3];
	const char *value[3];
};

static const char *lookup(void *ctx, const char *name)
{
	struct hdrs *h = ctx;
	for (int i = 0; i < 3; i++)
		if (h->name[i] && strcasecmp(h->name[i], name) == 0)
			return h->value[i];
	return NULL;
}

static void route(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char *space = strchr(text, ' ');
	struct quai_route r;
	if (space) {
		*space = '\0';
		quai_server_route(&r, text, space + 1);
	} else {
		quai_server_route(&r, "GET", text);
	}
	if (r.kind != QUAI_ROUTE_NONE && strlen(r.name) > 64)
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	route(data, size);
	if (size == 0)
		return 0;
	unsigned pick = data[0];
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	char hex[80] = "sha256=";
	quai_forge_hmac_sha256_hex(SECRET, body, len, hex + 7);
	const char *sig = (pick & 8) ? hex : "sha256=00";
	static const char *const events[] = {"push", "pull_request", "ping", "create"};
	const char *event = events[(pick >> 4) & 3];
	struct hdrs h = {{NULL}, {NULL}};
	switch (pick & 7) {
	case 0:
		h = (struct hdrs){{"X-GitHub-Event", "X-Hub-Signature-256", "X-GitHub-Delivery"},
		                  {event, sig, "d"}};
		break;
	case 1:
		h = (struct hdrs){{"X-Gitea-Event", "X-Gitea-Signature", NULL}, {event, hex + 7, NULL}};
		break;
	case 2:
		h = (struct hdrs){{"X-Gitlab-Event", "X-Gitlab-Token", NULL},
		                  {"Push Hook", (pick & 8) ? SECRET : "x", NULL}};
		break;
	case 3:
		h = (struct hdrs){{"X-Quai-Signature", NULL, NULL}, {sig, NULL, NULL}};
		break;
	default:
		break;
	}
	struct quai_forge_request req = {lookup, &h, body, len};
	struct quai_forge_event ev;
	struct quai_error *err = NULL;
	enum quai_forge_hook_status st = quai_forge_parse_hook(&ev, &req, SECRET, &err);
	if (st == QUAI_FORGE_HOOK_OK) {
		if (!ev.delivery || !ev.event || (ev.queue && (!ev.sha || strlen(ev.sha) != 40 || !ev.ref)))
			abort();
	} else if (!err || strstr(err->msg, SECRET)) {
		abort();
	}
	quai_error_free(err);
	quai_forge_event_release(&ev);
	return 0;
}
