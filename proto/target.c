/* SPDX-License-Identifier: Apache-2.0 */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crc.h"
#include "cursor.h"

/* magic, version, length */
#define REC_HDR_LEN	12
#define REC_TRAILER_LEN 4

bool proto_fsname_valid(const char *fsname)
{
	size_t n = 0;

	for (; fsname[n]; n++) {
		char ch = fsname[n];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (n >= PROTO_FSNAME_MAX)
			return false;
		if (!alnum && (n == 0 || (ch != '_' && ch != '-')))
			return false;
	}
	return n > 0;
}

const char *proto_target_type_name(uint32_t type)
{
	switch (type) {
	case PROTO_TARGET_MDT:
		return "MDT";
	case PROTO_TARGET_OST:
		return "OST";
	default:
		return NULL;
	}
}

int proto_target_name(const char *fsname, uint32_t type, uint32_t index, char *buf, size_t len)
{
	const char *tname = proto_target_type_name(type);
	int n;

	if (!tname || index > PROTO_TARGET_INDEX_MAX || !proto_fsname_valid(fsname))
		return -EINVAL;
	n = snprintf(buf, len, "%s-%s%04x", fsname, tname, (unsigned int)index);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int proto_target_name_parse(const char *name, char fsname[PROTO_FSNAME_MAX + 1], uint32_t *type,
			    uint32_t *index)
{
	const char *dash = strrchr(name, '-');
	char fs[PROTO_FSNAME_MAX + 1];
	size_t fslen;
	uint32_t t, idx = 0;

	if (!dash)
		return -EINVAL;
	fslen = (size_t)(dash - name);
	if (fslen == 0 || fslen > PROTO_FSNAME_MAX)
		return -EINVAL;
	memcpy(fs, name, fslen);
	fs[fslen] = '\0';
	if (!proto_fsname_valid(fs))
		return -EINVAL;
	/* "-" + type (3) + 4 hex digits, and nothing after */
	if (strlen(dash + 1) != 7)
		return -EINVAL;
	if (memcmp(dash + 1, "MDT", 3) == 0)
		t = PROTO_TARGET_MDT;
	else if (memcmp(dash + 1, "OST", 3) == 0)
		t = PROTO_TARGET_OST;
	else
		return -EINVAL;
	for (int i = 4; i < 8; i++) {
		int v = hexval(dash[i]);

		if (v < 0)
			return -EINVAL;
		idx = idx << 4 | (uint32_t)v;
	}
	memcpy(fsname, fs, fslen + 1);
	*type = t;
	*index = idx;
	return 0;
}

int proto_target_id_init(struct proto_target_id *id, uint32_t type, uint32_t index,
			 const char *fsname)
{
	char name[PROTO_TARGET_NAME_MAX + 1];
	int rc = proto_target_name(fsname, type, index, name, sizeof(name));

	if (rc)
		return rc;
	memset(id, 0, sizeof(*id));
	id->version = PROTO_TARGET_FORMAT_VERSION;
	id->type = type;
	id->index = index;
	strcpy(id->fsname, fsname);
	strcpy(id->name, name);
	return 0;
}

int proto_target_id_check(const struct proto_target_id *id)
{
	static const uint8_t zero_uuid[PROTO_UUID_LEN];
	char name[PROTO_TARGET_NAME_MAX + 1];

	if (id->version != PROTO_TARGET_FORMAT_VERSION || (id->flags & ~PROTO_TARGET_F_ALL))
		return -EINVAL;
	if ((id->flags & PROTO_TARGET_F_ODIRECT) && id->type != PROTO_TARGET_OST)
		return -EINVAL;
	/* fsname and name must be terminated inside their arrays before use. */
	if (!memchr(id->fsname, '\0', sizeof(id->fsname)) ||
	    !memchr(id->name, '\0', sizeof(id->name)))
		return -EINVAL;
	if (proto_target_name(id->fsname, id->type, id->index, name, sizeof(name)) ||
	    strcmp(name, id->name) != 0)
		return -EINVAL;
	if (memcmp(id->uuid, zero_uuid, PROTO_UUID_LEN) == 0)
		return -EINVAL;
	if (id->nmgs > PROTO_NID_LIST_MAX)
		return -EINVAL;
	if (id->type == PROTO_TARGET_OST && (id->nmgs == 0 || id->mgs_port == 0))
		return -EINVAL;
	for (uint16_t i = 0; i < id->nmgs; i++)
		if (!proto_lnd_name(id->mgs[i].lnd) ||
		    !memchr(id->mgs[i].addr, '\0', sizeof(id->mgs[i].addr)) ||
		    !proto_nid_addr_valid(id->mgs[i].addr))
			return -EINVAL;
	return 0;
}

int proto_target_id_enc(const struct proto_target_id *id, void *buf, size_t len)
{
	struct proto_cur c, lc;
	size_t body_end;
	int rc = proto_target_id_check(id);

	if (rc)
		return rc;
	proto_cur_init(&c, buf, len);
	proto_put_u32(&c, PROTO_TARGET_MAGIC);
	proto_put_u32(&c, id->version);
	proto_put_u32(&c, 0); /* length, patched below */
	proto_put_u32(&c, id->type);
	proto_put_u32(&c, id->index);
	proto_put_u32(&c, id->flags);
	proto_put_str(&c, id->fsname, strlen(id->fsname), PROTO_FSNAME_MAX);
	proto_put_str(&c, id->name, strlen(id->name), PROTO_TARGET_NAME_MAX);
	proto_put_bytes(&c, id->uuid, PROTO_UUID_LEN);
	proto_put_u64(&c, id->ctime);
	proto_put_u16(&c, id->mgs_port);
	proto_put_u16(&c, id->nmgs);
	for (uint16_t i = 0; i < id->nmgs; i++)
		proto_nid_enc(&c, &id->mgs[i]);
	/* Reserve the trailer now so a short buffer fails before the patching. */
	proto_cur_wspace(&c, REC_TRAILER_LEN);
	rc = proto_cur_err(&c);
	if (rc)
		return rc;
	body_end = c.pos - REC_TRAILER_LEN;
	proto_cur_init(&lc, (uint8_t *)buf + 8, 4);
	proto_put_u32(&lc, (uint32_t)c.pos);
	proto_cur_init(&lc, (uint8_t *)buf + body_end, REC_TRAILER_LEN);
	proto_put_u32(&lc, proto_crc32c(0, buf, body_end));
	return (int)c.pos;
}

int proto_target_id_dec(const void *buf, size_t len, struct proto_target_id *out)
{
	struct proto_target_id id;
	struct proto_cur c;
	struct proto_str fs, name;
	uint32_t magic, reclen, crc;
	int rc;

	if (len < REC_HDR_LEN + REC_TRAILER_LEN || len > PROTO_TARGET_REC_MAX)
		return -EPROTO;
	memset(&id, 0, sizeof(id));
	proto_cur_init_ro(&c, buf, len);
	magic = proto_get_u32(&c);
	id.version = proto_get_u32(&c);
	reclen = proto_get_u32(&c);
	if (magic != PROTO_TARGET_MAGIC)
		return -EINVAL;
	if (reclen != len)
		return -EPROTO;
	proto_cur_init_ro(&c, (const uint8_t *)buf + len - REC_TRAILER_LEN, REC_TRAILER_LEN);
	crc = proto_get_u32(&c);
	if (crc != proto_crc32c(0, buf, len - REC_TRAILER_LEN))
		return -EUCLEAN;
	if (id.version != PROTO_TARGET_FORMAT_VERSION)
		return -EOPNOTSUPP;

	proto_cur_init_ro(&c, (const uint8_t *)buf + REC_HDR_LEN,
			  len - REC_HDR_LEN - REC_TRAILER_LEN);
	id.type = proto_get_u32(&c);
	id.index = proto_get_u32(&c);
	id.flags = proto_get_u32(&c);
	proto_get_str(&c, &fs, PROTO_FSNAME_MAX);
	memcpy(id.fsname, fs.s, fs.len);
	proto_get_str(&c, &name, PROTO_TARGET_NAME_MAX);
	memcpy(id.name, name.s, name.len);
	proto_get_bytes(&c, id.uuid, PROTO_UUID_LEN);
	id.ctime = proto_get_u64(&c);
	id.mgs_port = proto_get_u16(&c);
	id.nmgs = proto_get_u16(&c);
	if (id.nmgs > PROTO_NID_LIST_MAX)
		return -EPROTO;
	for (uint16_t i = 0; i < id.nmgs; i++)
		proto_nid_dec(&c, &id.mgs[i]);
	rc = proto_cur_finish(&c);
	if (rc)
		return -EPROTO;
	/* An embedded NUL would hide bytes from the consistency check. */
	if (memchr(fs.s, '\0', fs.len) || memchr(name.s, '\0', name.len) ||
	    proto_target_id_check(&id))
		return -EPROTO;
	*out = id;
	return 0;
}

/* Writes all of @buf to @fd, retrying short writes and EINTR. */
static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

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

int proto_target_id_store(const char *dirpath, const struct proto_target_id *id)
{
	uint8_t rec[PROTO_TARGET_REC_MAX];
	char tmp[64];
	int dfd, fd, len, rc;

	len = proto_target_id_enc(id, rec, sizeof(rec));
	if (len < 0)
		return len;
	/* Per-process temporary name: two concurrent formatters never share one. */
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", PROTO_TARGET_FILE, (long)getpid());

	dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		goto out_dir;
	}
	rc = write_all(fd, rec, (size_t)len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc)
		goto out_unlink;
	if (renameat(dfd, tmp, dfd, PROTO_TARGET_FILE) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	/* The rename is durable only once the directory is. */
	if (fsync(dfd) < 0)
		rc = -errno;
	goto out_dir;

out_unlink:
	unlinkat(dfd, tmp, 0);
out_dir:
	close(dfd);
	return rc;
}

int proto_target_id_load(const char *dirpath, struct proto_target_id *id)
{
	/* One byte more than any record, to tell an over-long file from a full one. */
	uint8_t rec[PROTO_TARGET_REC_MAX + 1];
	size_t len = 0;
	int dfd, fd, rc = 0;

	dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = openat(dfd, PROTO_TARGET_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out_dir;
	}
	while (len < sizeof(rec)) {
		ssize_t n = read(fd, rec + len, sizeof(rec) - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out_file;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = proto_target_id_dec(rec, len, id);

out_file:
	close(fd);
out_dir:
	close(dfd);
	return rc;
}
