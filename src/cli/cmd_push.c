/* quai push: tags one image ID under each REF and pushes it, refusing to
 * replace an existing tag's different image unless --force. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "registry/registry.h"
#include "core/banned.h"

const char cmd_push_usage[] =
    "usage: quai push [OPTIONS] IMAGE REF...\n"
    "\n"
    "Resolves IMAGE to its image ID, tags that ID as each REF\n"
    "(HOST[:PORT]/NAME[:TAG]) and pushes it with the Docker engine, printing\n"
    "REF@sha256:... for each.\n"
    "\n"
    "Options:\n"
    "      --force      replace a tag that holds another image\n"
    "      --digest-file FILE  write \"REF DIGEST\" to FILE for each REF pushed\n"
    "  -h, --help       show this help\n"
    "\n"
    "Credentials are found as the docker CLI finds them: QUAI_REGISTRY_USER and\n"
    "QUAI_REGISTRY_PASSWORD, else $DOCKER_CONFIG/config.json (credHelpers,\n"
    "credsStore, auths). Before pushing, quai asks the registry for the tag: if it\n"
    "exists with another digest (or, for tags other than latest, with a digest\n"
    "the local image is not known by), the push is refused unless --force.\n"
    "Registries on 127.0.0.1 and localhost are spoken to over http, others https.\n"
    "\n"
    "Exit status: 0 pushed, 1 refused (credentials, existing tag, image not\n"
    "found), 2 usage or environment error.\n";

enum { OPT_FORCE = 256, OPT_DIGEST_FILE };

static const struct option long_opts[] = {
    {"force", no_argument, NULL, OPT_FORCE},
    {"digest-file", required_argument, NULL, OPT_DIGEST_FILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int on_output(void *arg, const char *text, struct quai_error **err)
{
	(void)err;
	if (*(const bool *)arg)
		fprintf(stderr, "%s\n", text);
	return 0;
}

/* The local image's digest in the repository `name` (HOST/REPO), from RepoDigests. */
static const char *local_digest(const json_t *info, const char *name)
{
	size_t i, n = strlen(name);
	json_t *v;
	json_array_foreach(json_object_get(info, "RepoDigests"), i, v)
	{
		const char *s = json_string_value(v);
		if (s && strncmp(s, name, n) == 0 && s[n] == '@')
			return s + n + 1;
	}
	return NULL;
}

/* The name of ref without its tag, as it appears in RepoDigests. */
static char *repo_name(const char *ref)
{
	const char *colon = strrchr(ref, ':');
	if (colon && !strchr(colon, '/'))
		return xstrndup(ref, (size_t)(colon - ref));
	return xstrdup(ref);
}

static int push_one(struct quai_engine *e, const json_t *info, const char *id, const char *ref, bool force,
                    bool verbose, FILE *digests, struct quai_error **err)
{
	struct quai_registry_ref r;
	if (quai_registry_ref_parse(&r, ref, err) < 0)
		return -1;
	struct quai_registry_creds c = {0};
	cleanup_free char *key = quai_registry_key(r.host);
	cleanup_free char *remote = NULL, *digest = NULL;
	cleanup_free char *name = repo_name(ref);
	int rc = quai_registry_creds_find(&c, r.host, err);
	if (rc >= 0)
		rc = quai_registry_manifest_digest(
		    &remote, strcmp(key, QUAI_REGISTRY_DOCKER_HUB) == 0 ? "registry-1.docker.io" : r.host,
		    r.repo, r.tag, &c, err);
	if (rc >= 0 && remote) {
		const char *mine = local_digest(info, name);
		if (mine && strcmp(mine, remote) == 0) {
			/* the same image: pushing again changes nothing */
		} else if (!force && (mine || strcmp(r.tag, "latest") != 0)) {
			rc = quai_error_set(err, QUAI_EXIT_FINDINGS,
			                    "tag '%s' exists with digest %s, the local image is %s; "
			                    "use --force to replace it",
			                    ref, remote, mine ? mine : id);
		}
	}
	if (rc >= 0)
		rc = quai_engine_image_tag(e, id, ref, err);
	if (rc < 0)
		quai_error_wrap(err, "push '%s'", ref);
	if (rc >= 0) {
		/* the engine's errors already name the ref */
		struct quai_engine_auth a = {c.username, c.password, key};
		rc =
		    quai_engine_image_push(e, &digest, ref, c.username ? &a : NULL, on_output, &verbose, err);
	}
	if (rc >= 0)
		printf("%s@%s\n", ref, digest); /* REPO:TAG@sha256:..., a valid reference */
	if (rc >= 0 && digests) {
		fprintf(digests, "%s %s\n", ref, digest);
		fflush(digests);
	}
	quai_registry_creds_release(&c);
	quai_registry_ref_release(&r);
	return rc < 0 ? -1 : 0;
}

int cmd_push(int argc, char **argv)
{
	bool force = false;
	const char *digest_file = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORCE:
			force = true;
			break;
		case OPT_DIGEST_FILE:
			digest_file = optarg;
			break;
		case 'h':
			fputs(cmd_push_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs("see 'quai push --help'\n", stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		quai_cli_error("push: expected IMAGE and at least one REF");
		fputs("see 'quai push --help'\n", stderr);
		return QUAI_EXIT_USAGE;
	}
	const char *image = argv[optind];
	cleanup_error struct quai_error *err = NULL;
	for (int i = optind + 1; i < argc; i++) {
		struct quai_registry_ref r;
		if (quai_registry_ref_parse(&r, argv[i], &err) < 0) {
			quai_cli_error("push: %s", err->msg);
			return QUAI_EXIT_USAGE;
		}
		quai_registry_ref_release(&r);
	}
	cleanup_file FILE *digests = digest_file ? fopen(digest_file, "a") : NULL;
	if (digest_file && !digests) {
		quai_cli_error("push: open '%s': %s", digest_file, strerror(errno));
		return QUAI_EXIT_USAGE;
	}
	struct quai_engine *e = NULL;
	json_t *info = NULL;
	int status = QUAI_EXIT_OK;
	if (quai_engine_open(&e, &err) < 0) {
		quai_cli_error("push: %s", err->msg);
		return err->status ? err->status : QUAI_EXIT_USAGE;
	}
	int rc = quai_engine_image_inspect(e, &info, image, &err);
	const char *id = json_string_value(json_object_get(info, "Id"));
	if (rc == QUAI_ENGINE_ENOTFOUND) {
		quai_cli_error("push: image '%s' not found", image);
		status = QUAI_EXIT_FINDINGS;
	} else if (rc < 0 || !id) {
		quai_cli_error("push: image '%s': %s", image, err ? err->msg : "no image ID");
		status = err && err->status ? err->status : QUAI_EXIT_USAGE;
	}
	bool verbose = isatty(STDERR_FILENO);
	for (int i = optind + 1; status == QUAI_EXIT_OK && i < argc; i++) {
		if (push_one(e, info, id, argv[i], force, verbose, digests, &err) < 0) {
			quai_cli_error("%s", err ? err->msg : "push failed");
			status = err && err->status ? err->status : QUAI_EXIT_USAGE;
		}
	}
	json_decref(info);
	quai_engine_free(e);
	return status;
}
