/* Sign-in: users in DATA_DIR/web-users with yescrypt hashes (libxcrypt),
 * sessions in memory behind an HttpOnly SameSite=Strict cookie, and a
 * CSRF token per session. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "web/internal.h"
#include "core/banned.h"

#define MAX_SESSIONS    1024
#define SESSION_SECONDS 43200 /* 12 hours */
#define USERS_MAX_BYTES (1u << 20)

int quai_web_hash_password(char **out, const char *password, struct quai_error **err)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)))
		return quai_error_errno(err, errno, "cannot make a password salt");
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *h = crypt_r(password, salt, cd);
	if (!h || h[0] == '*') {
		free(cd);
		return quai_error_set(err, 2, "cannot hash the password (yescrypt)");
	}
	*out = xstrdup(h);
	free(cd);
	return 0;
}

static bool const_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[lb ? i % lb : 0]);
	return d == 0;
}

bool quai_web_check_password(const char *hash, const char *password)
{
	if (!hash || !password || hash[0] != '$')
		return false;
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *h = crypt_r(password, hash, cd);
	bool ok = h && h[0] != '*' && const_eq(h, hash);
	free(cd);
	return ok;
}

bool quai_web_csrf_ok(const char *expected, const char *given)
{
	if (!expected || !given || strlen(expected) < 32)
		return false;
	return const_eq(expected, given);
}

/* --- the users file --- */

struct user_line {
	char name[65], role[8], hash[256];
};

/* Calls fn for each line of the file; lines that do not parse are kept raw. */
static char *read_users(const char *data_dir)
{
	cleanup_free char *path = xasprintf("%s/web-users", data_dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct quai_buf b = QUAI_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < USERS_MAX_BYTES)
		quai_buf_add(&b, chunk, n);
	fclose(f);
	return quai_buf_detach(&b);
}

static bool parse_line(const char *line, size_t len, struct user_line *u)
{
	char tmp[400];
	if (len >= sizeof(tmp))
		return false;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	return sscanf(tmp, "%64s %7s %255s", u->name, u->role, u->hash) == 3;
}

static bool find_user(const char *data_dir, const char *name, struct user_line *out)
{
	cleanup_free char *text = read_users(data_dir);
	if (!text)
		return false;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (p[0] != '#' && parse_line(p, len, out) && strcmp(out->name, name) == 0)
			return true;
		p += len + (nl ? 1 : 0);
	}
	return false;
}

bool web_anonymous(const char *data_dir)
{
	cleanup_free char *text = read_users(data_dir);
	if (!text)
		return false;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= 14 && strncmp(p, "anonymous read", 14) == 0)
			return true;
		p += len + (nl ? 1 : 0);
	}
	return false;
}

static int write_users(const char *data_dir, const char *text, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("%s/web-users", data_dir);
	cleanup_free char *tmp = xasprintf("%s/web-users.tmp", data_dir);
	/* hashes are for the server's user only */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f && fd >= 0)
		close(fd);
	if (!f)
		return quai_error_errno(err, errno, "cannot write '%s'", tmp);
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return quai_error_errno(err, errno, "cannot write '%s'", path);
	return 0;
}

/* The file without lines whose first word is `first`. */
static void others(struct quai_buf *b, const char *data_dir, const char *first)
{
	cleanup_free char *text = read_users(data_dir);
	if (!text) {
		quai_buf_puts(
		    b, "# quai web users: NAME ROLE(admin|read) HASH; \"anonymous read\" lets anyone read\n");
		return;
	}
	size_t fl = strlen(first);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (!(len > fl && strncmp(p, first, fl) == 0 && p[fl] == ' ')) {
			quai_buf_add(b, p, len);
			quai_buf_putc(b, '\n');
		}
		p += len + (nl ? 1 : 0);
	}
}

int quai_web_user_set(const char *data_dir, const char *user, const char *role, const char *password,
                      struct quai_error **err)
{
	if (!*user || strlen(user) > 64 || strcmp(user, "anonymous") == 0 || strpbrk(user, " \t\n#"))
		return quai_error_set(err, 2, "bad user name '%s': 1 to 64 characters, no spaces", user);
	if (strcmp(role, "admin") != 0 && strcmp(role, "read") != 0)
		return quai_error_set(err, 2, "bad role '%s': admin or read", role);
	cleanup_free char *hash = NULL;
	if (quai_web_hash_password(&hash, password, err) < 0)
		return -1;
	struct quai_buf b = QUAI_BUF_INIT;
	others(&b, data_dir, user);
	quai_buf_printf(&b, "%s %s %s\n", user, role, hash);
	int rc = write_users(data_dir, quai_buf_str(&b), err);
	quai_buf_release(&b);
	return rc;
}

int quai_web_anonymous_set(const char *data_dir, bool on, struct quai_error **err)
{
	struct quai_buf b = QUAI_BUF_INIT;
	others(&b, data_dir, "anonymous");
	if (on)
		quai_buf_puts(&b, "anonymous read\n");
	int rc = write_users(data_dir, quai_buf_str(&b), err);
	quai_buf_release(&b);
	return rc;
}

/* --- sessions --- */

struct session {
	char id[65];
	char csrf[65];
	char name[65];
	bool admin;
	time_t expires;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct session sessions[MAX_SESSIONS];

static void random_hex(char *out65)
{
	unsigned char raw[32];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno != EINTR)
			abort();
		if (n > 0)
			got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < 32; i++) {
		out65[2 * i] = hex[raw[i] >> 4];
		out65[2 * i + 1] = hex[raw[i] & 15];
	}
	out65[64] = '\0';
}

/* A hash of nothing anyone knows: checked against when the user does not
 * exist, so that the answer takes as long either way. */
static char *dummy_hash;
static void make_dummy(void)
{
	char pw[65];
	random_hex(pw);
	struct quai_error *err = NULL;
	if (quai_web_hash_password(&dummy_hash, pw, &err) < 0) {
		quai_error_free(err);
		dummy_hash = xstrdup("$y$");
	}
}

bool web_sign_in(const char *data_dir, const char *name, const char *password, char *sid)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_dummy);
	struct user_line u;
	bool found = find_user(data_dir, name, &u);
	bool ok = quai_web_check_password(found ? u.hash : dummy_hash, password) && found;
	if (!ok)
		return false;
	pthread_mutex_lock(&lock);
	time_t now = time(NULL);
	struct session *slot = &sessions[0];
	for (size_t i = 0; i < MAX_SESSIONS; i++) {
		if (sessions[i].expires < now) {
			slot = &sessions[i];
			break;
		}
		if (sessions[i].expires < slot->expires)
			slot = &sessions[i];
	}
	random_hex(slot->id);
	random_hex(slot->csrf);
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	slot->admin = strcmp(u.role, "admin") == 0;
	slot->expires = now + SESSION_SECONDS;
	memcpy(sid, slot->id, 65);
	pthread_mutex_unlock(&lock);
	return true;
}

static struct session *lookup(const char *sid)
{
	if (!sid || strlen(sid) != 64)
		return NULL;
	time_t now = time(NULL);
	for (size_t i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].expires >= now && const_eq(sessions[i].id, sid))
			return &sessions[i];
	return NULL;
}

void web_user_of(struct web_user *out, const char *data_dir, struct MHD_Connection *c)
{
	memset(out, 0, sizeof(*out));
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "quai_session");
	pthread_mutex_lock(&lock);
	struct session *s = lookup(sid);
	if (s) {
		out->signed_in = true;
		out->can_read = true;
		out->admin = s->admin;
		memcpy(out->name, s->name, sizeof(out->name));
		memcpy(out->csrf, s->csrf, sizeof(out->csrf));
	}
	pthread_mutex_unlock(&lock);
	if (!s)
		out->can_read = web_anonymous(data_dir);
}

void web_sign_out(struct MHD_Connection *c)
{
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "quai_session");
	pthread_mutex_lock(&lock);
	struct session *s = lookup(sid);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&lock);
}
