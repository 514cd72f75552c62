/*
 * parsers/lines.c - buffered line reader (see lines.h).
 * The buffer holds at least max_line + 1 bytes plus a read chunk, so any line
 * that fits the limit is contiguous; a longer one is skipped up to its newline
 * without growing the buffer (memory is bounded by --max-line).
 */
#include "lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINES_CHUNK (256u * 1024u)

int lines_open(struct lines *l, const char *path, size_t max_line)
{
	memset(l, 0, sizeof *l);
	l->fd = -1;
	l->max_line = max_line ? max_line : (1u << 20);
	l->cap = l->max_line + 2 + LINES_CHUNK;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	l->buf = malloc(l->cap);
	if (!l->buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	l->fd = fd;
	l->first = true;
	return 0;
}

/* Move unread bytes to the front and read more. Returns bytes read, 0 at EOF, -1 error. */
static ssize_t fill(struct lines *l)
{
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->end >= l->cap)
		return -2; /* cannot happen: callers keep a line under cap */
	ssize_t n;
	do
		n = read(l->fd, l->buf + l->end, l->cap - l->end);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		l->end += (size_t)n;
	else if (n == 0)
		l->eof = true;
	return n;
}

/* Discard the rest of an overlong line (through its newline). */
static int skip_rest(struct lines *l)
{
	for (;;) {
		char *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl) {
			size_t k = (size_t)(nl - (l->buf + l->start)) + 1;
			l->offset += k;
			l->start += k;
			return 0;
		}
		l->offset += l->end - l->start;
		l->start = l->end = 0;
		if (l->eof)
			return 0;
		if (fill(l) < 0)
			return -1;
		if (l->eof && l->start == l->end)
			return 0;
	}
}

enum lines_status lines_next(struct lines *l, const char **line, size_t *len)
{
	if (!l->buf)
		return LINES_EOF;
	size_t scanned = 0;
	for (;;) {
		char *p = l->buf + l->start;
		size_t avail = l->end - l->start;
		char *nl = avail > scanned ? memchr(p + scanned, '\n', avail - scanned) : NULL;
		size_t n;
		bool have = false;
		if (nl) {
			n = (size_t)(nl - p);
			have = true;
		} else if (avail > l->max_line) {
			l->lineno++;
			if (skip_rest(l) < 0)
				return LINES_ERROR;
			return LINES_TOO_LONG;
		} else if (l->eof) {
			if (avail == 0)
				return LINES_EOF;
			n = avail; /* last line without a newline */
			have = true;
		} else {
			scanned = avail;
			if (fill(l) < 0)
				return LINES_ERROR;
			continue;
		}
		if (have) {
			size_t consumed = n + (nl ? 1 : 0);
			l->lineno++;
			l->start += consumed;
			l->offset += consumed;
			if (n > l->max_line)
				return LINES_TOO_LONG;
			if (n && p[n - 1] == '\r')
				n--;
			if (l->first) {
				l->first = false;
				if (n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
				    (unsigned char)p[2] == 0xbf) {
					p += 3;
					n -= 3;
				}
			}
			*line = p;
			*len = n;
			return memchr(p, '\0', n) ? LINES_NUL : LINES_OK;
		}
	}
}

void lines_close(struct lines *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l->buf);
	l->buf = NULL;
	l->fd = -1;
}
