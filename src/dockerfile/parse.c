#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"

static const char *const kind_names[QUAI_DF_KIND_COUNT] = {
	[QUAI_DF_UNKNOWN] = "",
	[QUAI_DF_ADD] = "ADD",
	[QUAI_DF_ARG] = "ARG",
	[QUAI_DF_CMD] = "CMD",
	[QUAI_DF_COPY] = "COPY",
	[QUAI_DF_ENTRYPOINT] = "ENTRYPOINT",
	[QUAI_DF_ENV] = "ENV",
	[QUAI_DF_EXPOSE] = "EXPOSE",
	[QUAI_DF_FROM] = "FROM",
	[QUAI_DF_HEALTHCHECK] = "HEALTHCHECK",
	[QUAI_DF_LABEL] = "LABEL",
	[QUAI_DF_MAINTAINER] = "MAINTAINER",
	[QUAI_DF_ONBUILD] = "ONBUILD",
	[QUAI_DF_RUN] = "RUN",
	[QUAI_DF_SHELL] = "SHELL",
	[QUAI_DF_STOPSIGNAL] = "STOPSIGNAL",
	[QUAI_DF_USER] = "USER",
	[QUAI_DF_VOLUME] = "VOLUME",
	[QUAI_DF_WORKDIR] = "WORKDIR",
};

const char *quai_df_kind_name(enum quai_df_kind kind)
{
	if ((unsigned)kind >= QUAI_DF_KIND_COUNT)
		return "";
	return kind_names[kind];
}

enum quai_df_kind quai_df_kind_from_name(const char *name, size_t len)
{
	for (int k = 1; k < QUAI_DF_KIND_COUNT; k++)
		if (strlen(kind_names[k]) == len && strncasecmp(kind_names[k], name, len) == 0)
			return (enum quai_df_kind)k;
	return QUAI_DF_UNKNOWN;
}

void quai_dockerfile_parse(struct quai_dockerfile *out, const char *name, const char *src, size_t len)
{
	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	out->src = xstrndup(src, len);
	out->src_len = len;
	out->escape = '\\';
}

void quai_dockerfile_release(struct quai_dockerfile *df)
{
	free(df->name);
	free(df->src);
	memset(df, 0, sizeof(*df));
}
