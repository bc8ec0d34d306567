/* SPDX-License-Identifier: MIT */
/* util.c: attributes, numbers kept as written, output files, settings, statuses. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm-private.h"

int
attrs_set(json_t **attrs, const char *key, const char *value)
{
	size_t kn, vn = 0;

	if (utf8_check(key, strlen(key)) >= 0 || (value && utf8_check(value, strlen(value)) >= 0))
		return CRM_BADINPUT;
	key = white_trim(key, &kn);
	if (value && (value = white_trim(value, &vn), !vn))
		return CRM_OK;          /* white space alone, or nothing: no value */
	char *k = strndup(key, kn);
	json_t *j = value ? json_stringn(value, vn) : json_null();
	int rc = k && j ? CRM_OK : CRM_NOMEM;
	if (!rc && !*attrs && !(*attrs = json_object()))
		rc = CRM_NOMEM;
	if (!rc) {
		rc = json_object_set_new(*attrs, k, j) ? CRM_NOMEM : CRM_OK;
		j = NULL;
	}
	json_decref(j);
	free(k);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Numbers kept as written (see crm-private.h). */

/*
 * s with each number outside strings made the string "\u0000LITERAL";
 * *nums counts them; -1 when out of memory or when a string of s holds
 * \u0000 itself (then s is not to be read so).
 */
static int
mark_numbers(const char *s, size_t n, struct buf *out, int *nums)
{
	*nums = 0;
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '"') {
			size_t j = i + 1;
			while (j < n && s[j] != '"') {
				if (s[j] == '\\') {
					if (j + 5 < n && !strncmp(s + j + 1, "u0000", 5))
						return -1;
					j++;
				}
				j++;
			}
			j = j < n ? j + 1 : n;
			if (buf_add(out, s + i, j - i))
				return -1;
			i = j;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t j = i;
			while (j < n && strchr("+-.0123456789eE", s[j]) && s[j])
				j++;
			if (buf_adds(out, "\"\\u0000") || buf_add(out, s + i, j - i) || buf_addc(out, '"'))
				return -1;
			(*nums)++;
			i = j;
		} else {
			if (buf_addc(out, c))
				return -1;
			i++;
		}
	}
	return out->err ? -1 : 0;
}

json_t *
crm_json_load(const char *s, size_t n, size_t flags, json_error_t *je)
{
	json_t *o = json_loadb(s, n, flags, je);
	struct buf b = {0};
	int nums;

	/* Invalid JSON is said as Jansson says it; an integer too big for it is read. */
	if (!o && !strstr(je->text, "too big"))
		return NULL;
	if (mark_numbers(s, n, &b, &nums) || !nums) {
		buf_free(&b);
		return o;
	}
	json_error_t je2;
	json_t *x = json_loadb(b.p, b.len, flags | JSON_ALLOW_NUL, &je2);
	buf_free(&b);
	if (!x)
		return o;
	json_decref(o);
	return x;
}

const char *
crm_json_number(const json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) < 2 || json_string_value(v)[0])
		return NULL;
	return json_string_value(v) + 1;
}

char *
crm_json_dumps(const json_t *v, size_t flags)
{
	char *t = json_dumps(v, flags);
	if (!t)
		return NULL;
	/* "\u0000LITERAL" back to LITERAL, in place: a quote that opens a string. */
	char *w = t;
	for (const char *r = t; *r;) {
		if (*r != '"') {
			*w++ = *r++;
			continue;
		}
		if (!strncmp(r, "\"\\u0000", 7)) {
			r += 7;
			while (*r && *r != '"')
				*w++ = *r++;
			if (*r)
				r++;
			continue;
		}
		*w++ = *r++;
		while (*r && *r != '"') {
			if (*r == '\\' && r[1])
				*w++ = *r++;
			*w++ = *r++;
		}
		if (*r)
			*w++ = *r++;
	}
	*w = '\0';
	return t;
}

json_t *
crm_json_plain(json_t *v)
{
	const char *lit = crm_json_number(v);
	const char *k;
	json_t *x, *c;
	size_t i;

	if (lit) {
		json_error_t je;
		c = json_loads(lit, JSON_DECODE_ANY, &je);
		return c ? c : json_string(lit);
	}
	if (json_is_object(v)) {
		if (!(c = json_object()))
			return NULL;
		json_object_foreach(v, k, x) {
			json_t *y = crm_json_plain(x);
			if (!y || json_object_set_new(c, k, y)) {
				json_decref(c);
				return NULL;
			}
		}
		return c;
	}
	if (json_is_array(v)) {
		if (!(c = json_array()))
			return NULL;
		json_array_foreach(v, i, x) {
			json_t *y = crm_json_plain(x);
			if (!y || json_array_append_new(c, y)) {
				json_decref(c);
				return NULL;
			}
		}
		return c;
	}
	return json_incref(v);
}

/* Output files, written whole or not at all. */

int
crm_file_create(const char *path, int replace, char *tmp, size_t len, FILE **fp)
{
	struct stat st;
	int fd, e;

	*fp = NULL;
	if (len)
		*tmp = '\0';
	/* lstat: a symbolic link is a file there, never followed. */
	if (!replace && !lstat(path, &st)) {
		errno = EEXIST;
		return CRM_USAGE;
	}
	if (snprintf(tmp, len, "%s.XXXXXX", path) >= (int)len) {
		if (len)
			*tmp = '\0';
		errno = ENAMETOOLONG;
		return CRM_USAGE;
	}
	/* mkstemp() creates with O_EXCL: never through a link, never an old file. */
	if ((fd = mkstemp(tmp)) < 0) {
		e = errno;
		*tmp = '\0';
		errno = e;
		return CRM_IO;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) || fchmod(fd, 0600) || !(*fp = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		unlink(tmp);
		*tmp = '\0';
		errno = e;
		return CRM_IO;
	}
	return CRM_OK;
}

int
crm_file_commit(FILE *fp, const char *tmp, const char *path, int replace)
{
	int e;

	errno = 0;
	if (fflush(fp) || ferror(fp) || fsync(fileno(fp))) {
		e = errno ? errno : EIO;
		fclose(fp);
		goto fail;
	}
	if (fclose(fp)) {
		e = errno;
		goto fail;
	}
	/* link() never replaces: a file made meanwhile at path stays as it is. */
	if (replace ? rename(tmp, path) : link(tmp, path)) {
		e = errno;
		goto fail;
	}
	if (!replace)
		unlink(tmp);
	return CRM_OK;
fail:
	unlink(tmp);
	errno = e;
	return e == EEXIST ? CRM_USAGE : CRM_IO;
}

void
crm_file_discard(FILE *fp, const char *tmp)
{
	int e = errno;

	if (fp)
		fclose(fp);
	if (tmp && *tmp)
		unlink(tmp);
	errno = e;
}

/* ------------------------------------------------------------------ */

const char *
json_why(const json_error_t *je, char *buf, size_t len)
{
	/* "\u0000 is not allowed without JSON_ALLOW_NUL near ...": no flag names. */
	static const char nul[] = "\\u0000 is not allowed";
	const char *t = je->text, *w = strstr(t, " without JSON_"), *after = t + strlen(t);

	if (w)
		for (after = w + 14; *after == '_' || isupper((unsigned char)*after); after++)
			;
	if (!strncmp(t, nul, sizeof nul - 1))
		snprintf(buf, len, "\\u0000 (a NUL character) is not allowed%s",
		         w ? after : t + sizeof nul - 1);
	else if (w)
		snprintf(buf, len, "%.*s%s", (int)(w - t), t, after);
	else
		snprintf(buf, len, "%s", t);
	if (strstr(buf, "JSON_"))
		snprintf(buf, len, "not valid JSON");
	return buf;
}

int
crm_is_dash_term(const char *a)
{
	if (a[0] != '-' || !isalpha((unsigned char)a[1]))
		return 0;
	return strpbrk(a + 1, ":=<>~") != NULL;
}

static struct crm_settings settings = { NULL, NULL, NULL, -1 };

void
crm_settings_set(const struct crm_settings *set)
{
	settings = *set;
}

const struct crm_settings *
crm_settings(void)
{
	return &settings;
}

int
sync_parent_dir(const char *path)
{
	char dir[4200];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash == path ? 1 : slash - path) : 1,
	         slash ? path : ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;               /* nothing to sync with */
	if (fsync(fd) && errno != EINVAL)
		rc = -1;
	close(fd);
	return rc;
}

int
crm_status_exit(int status)
{
	switch (status) {
	case CRM_OK: case CRM_EOF:
		return CRM_EXIT_OK;
	case CRM_NOMATCH: case CRM_NOTFOUND:
		return CRM_EXIT_NOMATCH;
	case CRM_USAGE:
		return CRM_EXIT_USAGE;
	case CRM_BADINPUT: case CRM_CONFLICT:
		return CRM_EXIT_BADINPUT;
	case CRM_BUSY:
		return CRM_EXIT_BUSY;
	default:
		return CRM_EXIT_STORE;
	}
}

const char *
crm_status_str(int status)
{
	switch (status) {
	case CRM_OK: return "success";
	case CRM_NOMATCH: return "nothing matched";
	case CRM_USAGE: return "usage error";
	case CRM_BADINPUT: return "bad input";
	case CRM_EOF: return "end of input";
	case CRM_NOTFOUND: return "not found";
	case CRM_CONFLICT: return "record exists";
	case CRM_NOMEM: return "out of memory";
	case CRM_IO: return "input/output error";
	case CRM_STORE: return "store error";
	case CRM_BUSY: return "store busy, try again";
	}
	return "unknown status";
}
