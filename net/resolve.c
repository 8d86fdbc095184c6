/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "xprt.h"

int net_nid_resolve(const struct proto_nid *nid, uint16_t port, struct sockaddr_storage *sa,
		    socklen_t *salen)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res;
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};

	if (nid->lnd != PROTO_LND_TCP && nid->lnd != PROTO_LND_O2IB)
		return -EINVAL;
	/* Dotted quads never touch the resolver. */
	if (inet_pton(AF_INET, nid->addr, &in.sin_addr) == 1) {
		memset(sa, 0, sizeof(*sa));
		memcpy(sa, &in, sizeof(in));
		*salen = sizeof(in);
		return 0;
	}
	if (getaddrinfo(nid->addr, NULL, &hints, &res) != 0 || !res)
		return -EHOSTUNREACH;
	memset(sa, 0, sizeof(*sa));
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	((struct sockaddr_in *)sa)->sin_port = htons(port);
	*salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int net_sockaddr_host(const struct sockaddr_storage *ss, char *host, size_t len)
{
	snprintf(host, len, "?");
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)len);
		return ntohs(in->sin_port);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)len);
		return ntohs(in6->sin6_port);
	}
	return 0;
}
