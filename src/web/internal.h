/* What the web UI's files share (not part of its interface). */
#ifndef QUAI_WEB_INTERNAL_H
#define QUAI_WEB_INTERNAL_H

#include "web/web.h"

/* A signed-in (or anonymous) visitor. */
struct web_user {
	char name[65];
	bool signed_in;
	bool admin;
	bool can_read;
	char csrf[65]; /* the session's CSRF token, "" when anonymous */
};

/* The visitor of a request, from its session cookie and DATA_DIR/web-users. */
void web_user_of(struct web_user *out, const char *data_dir, struct MHD_Connection *c);
/* Checks name/password against DATA_DIR/web-users; on success a new
 * session id in sid (65 bytes). */
bool web_sign_in(const char *data_dir, const char *name, const char *password, char *sid);
void web_sign_out(struct MHD_Connection *c);
/* Whether DATA_DIR/web-users allows anonymous reading. */
bool web_anonymous(const char *data_dir);

/* Embedded assets (assets.c, generated at build time). */
struct web_asset {
	const char *name;
	const unsigned char *data;
	size_t len;
	const char *type;
};
const struct web_asset *web_asset_find(const char *name);

#endif
