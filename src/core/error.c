#include "core/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

int quai_error_set(struct quai_error **err, int status, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	struct quai_error *e = xmalloc(sizeof(*e));
	e->msg = xvasprintf(fmt, ap);
	e->status = status;
	va_end(ap);
	quai_error_free(*err);
	*err = e;
	return -1;
}

int quai_error_errno(struct quai_error **err, int errnum, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *head = xvasprintf(fmt, ap);
	va_end(ap);
	quai_error_set(err, QUAI_EXIT_USAGE, "%s: %s", head, strerror(errnum));
	free(head);
	return -1;
}

int quai_error_wrap(struct quai_error **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void quai_error_free(struct quai_error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}
