/* The post-receive hook for plain bare repositories (see forge.h). */
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "core/banned.h"

void quai_forge_post_receive_script(struct quai_buf *out, const char *server_url, const char *project,
                                    const char *secret_file)
{
	size_t len = strlen(server_url);
	while (len > 0 && server_url[len - 1] == '/')
		len--;
	quai_buf_puts(out, "#!/bin/sh\n"
	                   "# post-receive hook written by quai: tells `quai serve` about every pushed ref\n"
	                   "# (the generic signed form of docs/server.md). Needs curl and openssl.\n"
	                   "server=");
	cleanup_free char *trimmed = xstrndup(server_url, len);
	quai_buf_put_sh_quoted(out, trimmed);
	quai_buf_puts(out, "\nproject=");
	quai_buf_put_sh_quoted(out, project);
	quai_buf_puts(out, "\nsecret_file=");
	quai_buf_put_sh_quoted(out, secret_file);
	quai_buf_puts(
	    out, "\n"
	         "if ! [ -r \"$secret_file\" ]; then\n"
	         "\techo \"quai: cannot read $secret_file: the server was not told about this push\" >&2\n"
	         "\texit 0\n"
	         "fi\n"
	         "while read -r old new ref; do\n"
	         "\tcase $ref in *'\"'*) continue ;; esac\n"
	         "\tid=\"post-receive-$(date +%s%N)-$new\"\n"
	         "\tbody=$(printf '{\"id\":\"%s\",\"ref\":\"%s\",\"before\":\"%s\",\"after\":\"%s\"}' "
	         "\"$id\" \"$ref\" \"$old\" \"$new\")\n"
	         "\tsig=$(printf '%s' \"$body\" | openssl dgst -sha256 -hmac \"$(cat \"$secret_file\")\" -r "
	         "| cut -d' ' -f1)\n"
	         "\tif ! curl -fsS -m 10 -o /dev/null -H 'Content-Type: application/json' \\\n"
	         "\t\t-H \"X-Quai-Signature: sha256=$sig\" -H \"X-Quai-Delivery: $id\" \\\n"
	         "\t\t--data-binary \"$body\" \"$server/hooks/$project\"; then\n"
	         "\t\techo \"quai: could not tell $server about $ref\" >&2\n"
	         "\tfi\n"
	         "done\n"
	         "exit 0\n");
}
