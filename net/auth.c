/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"

#define KEY_MIN 16
#define KEY_MAX 4096

struct net_key {
	size_t len;
	uint8_t secret[];
};

int net_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int net_key_from_bytes(const void *secret, size_t len, struct net_key **out)
{
	struct net_key *k;

	if (len < KEY_MIN || len > KEY_MAX)
		return -EINVAL;
	k = malloc(sizeof(*k) + len);
	if (!k)
		return -ENOMEM;
	k->len = len;
	memcpy(k->secret, secret, len);
	*out = k;
	return 0;
}

int net_key_load(const char *path, struct net_key **out)
{
	uint8_t buf[KEY_MAX + 1];
	struct stat st;
	size_t start = 0, end;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && (st.st_mode & 077))
		NET_WARN("key file %s is readable by group or others (mode %o); it should be 0600",
			 path, st.st_mode & 0777);
	n = read(fd, buf, sizeof(buf));
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if ((size_t)n > KEY_MAX)
		return -EINVAL;
	end = (size_t)n;
	while (start < end && isspace(buf[start]))
		start++;
	while (end > start && isspace(buf[end - 1]))
		end--;
	err = net_key_from_bytes(buf + start, end - start, out);
	OPENSSL_cleanse(buf, sizeof(buf));
	return err;
}

void net_key_free(struct net_key *key)
{
	if (!key)
		return;
	OPENSSL_cleanse(key->secret, key->len);
	free(key);
}

static void mac(const struct net_key *key, const char *label, const uint8_t *a, const uint8_t *b,
		const uint8_t *uuid, uint8_t out[PROTO_MAC_LEN])
{
	uint8_t msg[16 + 2 * PROTO_NONCE_LEN + PROTO_UUID_LEN];
	size_t ll = strlen(label), off = 0;
	unsigned int outlen = PROTO_MAC_LEN;

	memcpy(msg + off, label, ll);
	off += ll;
	memcpy(msg + off, a, PROTO_NONCE_LEN);
	off += PROTO_NONCE_LEN;
	memcpy(msg + off, b, PROTO_NONCE_LEN);
	off += PROTO_NONCE_LEN;
	memcpy(msg + off, uuid, PROTO_UUID_LEN);
	off += PROTO_UUID_LEN;
	if (!HMAC(EVP_sha256(), key->secret, (int)key->len, msg, off, out, &outlen))
		memset(out, 0, PROTO_MAC_LEN); /* never equal to a real proof by chance */
}

void net_auth_client_proof(const struct net_key *key, const uint8_t snonce[PROTO_NONCE_LEN],
			   const uint8_t cnonce[PROTO_NONCE_LEN],
			   const uint8_t uuid[PROTO_UUID_LEN], uint8_t out[PROTO_MAC_LEN])
{
	mac(key, "stria-client", snonce, cnonce, uuid, out);
}

void net_auth_server_proof(const struct net_key *key, const uint8_t cnonce[PROTO_NONCE_LEN],
			   const uint8_t snonce[PROTO_NONCE_LEN],
			   const uint8_t uuid[PROTO_UUID_LEN], uint8_t out[PROTO_MAC_LEN])
{
	mac(key, "stria-server", cnonce, snonce, uuid, out);
}

bool net_auth_mac_is_empty(const uint8_t mac[PROTO_MAC_LEN])
{
	static const uint8_t zero[PROTO_MAC_LEN];

	return CRYPTO_memcmp(mac, zero, PROTO_MAC_LEN) == 0;
}

bool net_auth_mac_eq(const uint8_t a[PROTO_MAC_LEN], const uint8_t b[PROTO_MAC_LEN])
{
	if (net_auth_mac_is_empty(a))
		return false;
	return CRYPTO_memcmp(a, b, PROTO_MAC_LEN) == 0;
}

char *net_uuid_str(const uint8_t uuid[PROTO_UUID_LEN], char buf[33])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < PROTO_UUID_LEN; i++) {
		buf[2 * i] = hex[uuid[i] >> 4];
		buf[2 * i + 1] = hex[uuid[i] & 15];
	}
	buf[32] = '\0';
	return buf;
}

int net_uuid_generate(uint8_t uuid[PROTO_UUID_LEN])
{
	int err = net_random(uuid, PROTO_UUID_LEN);

	if (err)
		return err;
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	return 0;
}
