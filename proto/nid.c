/* SPDX-License-Identifier: Apache-2.0 */
#include "nid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "target.h"

/* Locale-independent character classes: NIDs are ASCII. */
static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alnum(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

const char *proto_lnd_name(uint32_t lnd)
{
	switch (lnd) {
	case PROTO_LND_TCP:
		return "tcp";
	case PROTO_LND_O2IB:
		return "o2ib";
	default:
		return NULL;
	}
}

/* Four decimal numbers 0..255 joined by '.', without leading zeros. */
static bool dotted_quad(const char *a)
{
	for (int part = 0; part < 4; part++) {
		unsigned int v = 0;
		int digits = 0;

		while (is_digit(*a) && digits < 4) {
			v = v * 10 + (unsigned int)(*a - '0');
			digits++;
			a++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return false;
		if (digits > 1 && a[-digits] == '0')
			return false;
		if (part < 3 && *a++ != '.')
			return false;
	}
	return *a == '\0';
}

/* Dot-separated labels of [A-Za-z0-9-], none empty, none starting or ending in '-'. */
static bool host_name(const char *a)
{
	size_t label = 0;
	char prev = '.';

	for (; *a; prev = *a, a++) {
		if (*a == '.') {
			if (label == 0 || prev == '-')
				return false;
			label = 0;
		} else if (is_alnum(*a) || *a == '-') {
			if (*a == '-' && label == 0)
				return false;
			label++;
		} else {
			return false;
		}
	}
	return label > 0 && prev != '-';
}

bool proto_nid_addr_valid(const char *addr)
{
	size_t n = strnlen(addr, PROTO_NID_ADDR_MAX + 1);

	if (n == 0 || n > PROTO_NID_ADDR_MAX)
		return false;
	/*
	 * Something of digits and dots only is meant as an address: "1.2.3"
	 * or "1.2.3.256" is a typo, not a host name.
	 */
	if (strspn(addr, "0123456789.") == n)
		return dotted_quad(addr);
	return host_name(addr);
}

/* Network names and the lnd each means ("tcp0" is "tcp", as Lustre). */
static const struct {
	const char *name;
	uint32_t lnd;
} nets[] = {
    {"tcp", PROTO_LND_TCP},
    {"tcp0", PROTO_LND_TCP},
    {"o2ib", PROTO_LND_O2IB},
    {"o2ib0", PROTO_LND_O2IB},
};

/* Parses the NID in s[0..len) (no NUL inside). */
static int nid_parse_n(const char *s, size_t len, struct proto_nid *out)
{
	const char *at = memchr(s, '@', len);
	size_t alen = at ? (size_t)(at - s) : len;
	uint32_t lnd = PROTO_LND_TCP;
	char addr[PROTO_NID_ADDR_MAX + 1];

	if (alen == 0 || alen > PROTO_NID_ADDR_MAX)
		return -EINVAL;
	if (at) {
		const char *net = at + 1;
		size_t nlen = len - alen - 1;
		size_t i;

		for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
			if (strlen(nets[i].name) == nlen && memcmp(nets[i].name, net, nlen) == 0)
				break;
		if (i == sizeof(nets) / sizeof(nets[0]))
			return -EINVAL;
		lnd = nets[i].lnd;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (!proto_nid_addr_valid(addr))
		return -EINVAL;
	out->lnd = lnd;
	memcpy(out->addr, addr, alen + 1);
	return 0;
}

int proto_nid_parse(const char *s, struct proto_nid *out)
{
	return nid_parse_n(s, strlen(s), out);
}

char *proto_nid_str(const struct proto_nid *n, char *buf, size_t len)
{
	const char *net = proto_lnd_name(n->lnd);

	snprintf(buf, len, "%.*s@%s", (int)strnlen(n->addr, sizeof(n->addr)), n->addr,
		 net ? net : "?");
	return buf;
}

char *proto_nid_port_str(const struct proto_nid *n, uint16_t port, char *buf, size_t len)
{
	char nid[PROTO_NID_STRLEN];

	snprintf(buf, len, "%s port %u", proto_nid_str(n, nid, sizeof(nid)), (unsigned int)port);
	return buf;
}

bool proto_nid_eq(const struct proto_nid *a, const struct proto_nid *b)
{
	return a->lnd == b->lnd && strncasecmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* The list in s[0..len): NIDs separated by single ':'. */
static int nid_list_parse_n(const char *s, size_t len, struct proto_nid *out, size_t cap)
{
	struct proto_nid tmp[PROTO_NID_LIST_MAX];
	size_t max = cap < PROTO_NID_LIST_MAX ? cap : PROTO_NID_LIST_MAX;
	size_t n = 0, pos = 0;
	int rc;

	if (len == 0)
		return -EINVAL;
	for (;;) {
		const char *sep = memchr(s + pos, ':', len - pos);
		size_t end = sep ? (size_t)(sep - s) : len;

		if (n == max)
			return -E2BIG;
		rc = nid_parse_n(s + pos, end - pos, &tmp[n]);
		if (rc)
			return rc;
		n++;
		if (!sep)
			break;
		pos = end + 1;
	}
	memcpy(out, tmp, n * sizeof(tmp[0]));
	return (int)n;
}

int proto_nid_list_parse(const char *s, struct proto_nid *out, size_t cap)
{
	return nid_list_parse_n(s, strlen(s), out, cap);
}

int proto_nid_list_str(const struct proto_nid *nids, size_t n, char *buf, size_t len)
{
	size_t pos = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char one[PROTO_NID_STRLEN];
		int w = snprintf(buf + pos, len - pos, "%s%s", i ? ":" : "",
				 proto_nid_str(&nids[i], one, sizeof(one)));

		if (w < 0 || (size_t)w >= len - pos) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		pos += (size_t)w;
	}
	return (int)pos;
}

int proto_mount_source_parse(const char *s, struct proto_mount_source *out)
{
	struct proto_nid nids[PROTO_NID_LIST_MAX];
	const char *sep = strstr(s, ":/");
	const char *fs;
	int n;

	if (!sep)
		return -EINVAL;
	fs = sep + 2;
	if (strlen(fs) > PROTO_FSNAME_MAX || !proto_fsname_valid(fs))
		return -EINVAL;
	n = nid_list_parse_n(s, (size_t)(sep - s), nids, PROTO_NID_LIST_MAX);
	if (n < 0)
		return n;
	out->nnids = (uint32_t)n;
	memcpy(out->nids, nids, (size_t)n * sizeof(nids[0]));
	strcpy(out->fsname, fs);
	return 0;
}

void proto_nid_enc(struct proto_cur *c, const struct proto_nid *n)
{
	proto_put_u32(c, n->lnd);
	proto_put_str(c, n->addr, strnlen(n->addr, sizeof(n->addr)), PROTO_NID_ADDR_MAX);
}

void proto_nid_dec(struct proto_cur *c, struct proto_nid *n)
{
	struct proto_str a;

	n->lnd = proto_get_u32(c);
	proto_get_str(c, &a, PROTO_NID_ADDR_MAX);
	memcpy(n->addr, a.s, a.len);
	n->addr[a.len] = '\0';
	if (proto_cur_err(c))
		return;
	if (!proto_lnd_name(n->lnd) || memchr(a.s, '\0', a.len) || !proto_nid_addr_valid(n->addr))
		proto_cur_fail(c, -EPROTO);
}
