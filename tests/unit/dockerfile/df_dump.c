/* Prints the parse tree of Dockerfiles: a debugging aid, not a test.
 * Usage: df_dump FILE... */
#include <stdio.h>
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/file.h"
#include "dockerfile/dockerfile.h"

static void dump_instr(const struct quai_df_instr *in, const char *indent)
{
	printf("%s%u:%u-%u %s [%s] stage=%d", indent, in->pos.line, in->pos.col, in->end_line, in->keyword,
	       quai_df_kind_name(in->kind), in->stage);
	printf(" args@%u:%u=<%s>%s\n", in->args_pos.line, in->args_pos.col, in->args_text ? in->args_text : "(null)",
	       in->json ? " json" : "");
	for (size_t i = 0; i < in->nflags; i++)
		printf("%s  flag %u:%u %s=%s\n", indent, in->flags[i].pos.line, in->flags[i].pos.col,
		       in->flags[i].name, in->flags[i].value ? in->flags[i].value : "(none)");
	for (size_t i = 0; i < in->njson_args; i++)
		printf("%s  json[%zu] <%s>\n", indent, i, in->json_args[i]);
	for (size_t i = 0; i < in->nwords; i++)
		printf("%s  word %u:%u <%s> raw <%s>\n", indent, in->words[i].pos.line, in->words[i].pos.col,
		       in->words[i].text, in->words[i].raw);
	for (size_t i = 0; i < in->nkvs; i++)
		printf("%s  kv %u:%u <%s>%s<%s>\n", indent, in->kvs[i].pos.line, in->kvs[i].pos.col, in->kvs[i].key,
		       in->kvs[i].has_eq ? "=" : " ", in->kvs[i].value ? in->kvs[i].value : "(null)");
	for (size_t i = 0; i < in->nheredocs; i++)
		printf("%s  heredoc %u:%u <%s> strip=%d expand=%d body %u-%u <<%s>>\n", indent,
		       in->heredocs[i].pos.line, in->heredocs[i].pos.col, in->heredocs[i].delim,
		       in->heredocs[i].strip_tabs, in->heredocs[i].expand, in->heredocs[i].body_line,
		       in->heredocs[i].end_line, in->heredocs[i].body);
	if (in->from_image)
		printf("%s  image <%s> alias <%s>\n", indent, in->from_image, in->from_alias ? in->from_alias : "");
	if (in->healthcheck_none)
		printf("%s  healthcheck NONE\n", indent);
	if (in->healthcheck_cmd)
		dump_instr(in->healthcheck_cmd, "    ");
	if (in->onbuild)
		dump_instr(in->onbuild, "    ");
}

int main(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		cleanup_free char *src = NULL;
		size_t len = 0;
		struct quai_error *err = NULL;
		if (quai_file_read(&src, &len, argv[a], 1u << 26, &err) < 0) {
			fprintf(stderr, "%s\n", err->msg);
			quai_error_free(err);
			return 2;
		}
		struct quai_dockerfile df;
		quai_dockerfile_parse(&df, argv[a], src, len);
		printf("== %s escape=%c\n", argv[a], df.escape);
		for (size_t i = 0; i < df.ndirectives; i++)
			printf("directive %u:%u %s=%s\n", df.directives[i].pos.line, df.directives[i].pos.col,
			       df.directives[i].name, df.directives[i].value);
		for (size_t i = 0; i < df.ncomments; i++)
			printf("comment %u:%u next=%zu <%s>\n", df.comments[i].pos.line, df.comments[i].pos.col,
			       df.comments[i].next_instr, df.comments[i].text);
		for (size_t i = 0; i < df.nstages; i++)
			printf("stage %zu <%s> image <%s> [%zu,%zu)\n", i, df.stages[i].name ? df.stages[i].name : "",
			       df.stages[i].image, df.stages[i].from_index, df.stages[i].end_index);
		for (size_t i = 0; i < df.ninstrs; i++)
			dump_instr(&df.instrs[i], "");
		for (size_t i = 0; i < df.ndiags; i++)
			printf("diag %u:%u %s\n", df.diags[i].pos.line, df.diags[i].pos.col, df.diags[i].message);
		quai_dockerfile_release(&df);
	}
	return 0;
}
