// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/dmabuf.h: maps lines, fdinfo text, DMA-BUF names and
 * paths, and the DMA-BUF fd check on things that are not DMA-BUFs.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/dmabuf.h"
#include "tap.h"

static void test_maps(void)
{
	char line[512];
	struct du_maps_entry e;

	snprintf(line, sizeof(line), "%s",
		 "7f1c2a000000-7f1c2a200000 rw-s 00000000 00:0f 4321"
		 "                      /dmabuf:vfio0:0000:00:03.0/2\n");
	is_int(du_maps_parse_line(line, &e), 0, "maps: DMA-BUF BAR line");
	is_u64(e.start, UINT64_C(0x7f1c2a000000), "maps start");
	is_u64(e.end, UINT64_C(0x7f1c2a200000), "maps end");
	is_str(e.perms, "rw-s", "maps perms");
	is_u64(e.offset, 0, "maps offset");
	is_int(e.dev_major, 0, "maps major");
	is_int(e.dev_minor, 0xf, "maps minor (hex)");
	is_u64(e.inode, 4321, "maps inode");
	is_str(e.path, "/dmabuf:vfio0:0000:00:03.0/2", "maps path, no newline");

	snprintf(line, sizeof(line), "%s",
		 "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
		 "                  [vsyscall]");
	is_int(du_maps_parse_line(line, &e), 0, "maps: vsyscall");
	is_u64(e.start, UINT64_C(0xffffffffff600000), "maps 64-bit address");
	is_str(e.perms, "--xp", "maps --xp");
	is_str(e.path, "[vsyscall]", "maps pseudo path");

	snprintf(line, sizeof(line), "%s",
		 "7f00000000-7f00001000 r--p 00001000 fd:01 123456 "
		 "/usr/lib/with space (deleted)\n");
	is_int(du_maps_parse_line(line, &e), 0, "maps: path with blanks");
	is_u64(e.offset, 0x1000, "maps file offset");
	is_int(e.dev_major, 0xfd, "maps major fd");
	is_str(e.path, "/usr/lib/with space (deleted)", "maps path kept whole");

	snprintf(line, sizeof(line), "%s",
		 "7f00000000-7f00001000 rw-p 00000000 00:00 0\n");
	is_int(du_maps_parse_line(line, &e), 0, "maps: anonymous");
	is_str(e.path, "", "maps anonymous has empty path");

	static const char *const bad[] = {
		"",
		"7f00000000 rw-p 00000000 00:00 0",
		"7f00000000-7f00001000 rw-q 00000000 00:00 0",
		"7f00000000-7f00001000 rw- 00000000 00:00 0",
		"7f00000000-7f00001000 rw-p 0000z000 00:00 0",
		"7f00000000-7f00001000 rw-p 00000000 0000 0",
		"7f00000000-7f00001000 rw-p 00000000 00:00 x",
		"7f00000000-7f00001000 rw-p 00000000 00:00 0x",
		"7f00001000-7f00000000 rw-p 00000000 00:00 0",
		"10000000000000000-10000000000000001 rw-p 00000000 00:00 0",
		"g000-1000 rw-p 00000000 00:00 0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		is_int(du_maps_parse_line(line, &e), -EINVAL,
		       "maps: malformed \"%s\"", bad[i]);
	}
}

static int count_self(const struct du_maps_entry *e, void *arg)
{
	int *n = arg;

	(void)e;
	++*n;
	return 0;
}

static int find_stack(const struct du_maps_entry *e, void *arg)
{
	(void)arg;
	return strcmp(e->path, "[stack]") ? 0 : 7;
}

static void test_maps_self(void)
{
	int n = 0;

	is_int(du_maps_for_each(0, count_self, &n), 0, "maps of self");
	ok(n > 3, "maps of self has lines (%d)", n);
	is_int(du_maps_for_each(getpid(), find_stack, NULL), 7,
	       "maps by pid finds [stack] and stops");
	is_int(du_maps_for_each(INT32_MAX, count_self, &n), -ENOENT,
	       "maps of no such process");
}

static void test_fdinfo(void)
{
	struct du_dmabuf_fdinfo fi;
	const char *named =
		"pos:\t0\n"
		"flags:\t02000002\n"
		"mnt_id:\t15\n"
		"ino:\t4321\n"
		"size:\t2097152\n"
		"count:\t3\n"
		"exp_name:\tvfio_pci_core\n"
		"name:\tclient a buffer\n";
	char longname[256];

	is_int(du_dmabuf_fdinfo_parse(named, &fi), 0, "fdinfo named");
	is_u64(fi.size, 2097152, "fdinfo size");
	is_int(fi.count, 3, "fdinfo count");
	is_int(fi.flags, 02000002, "fdinfo flags are octal");
	is_int(fi.mnt_id, 15, "fdinfo mnt_id");
	is_u64(fi.ino, 4321, "fdinfo ino");
	is_str(fi.exp_name, "vfio_pci_core", "fdinfo exp_name");
	is_str(fi.name, "client a buffer", "fdinfo name with blanks");

	is_int(du_dmabuf_fdinfo_parse("size:\t4096\ncount:\t1\n"
				      "exp_name:\tudmabuf", &fi), 0,
	       "fdinfo unnamed, no trailing newline");
	is_str(fi.name, "", "fdinfo unnamed has empty name");
	is_u64(fi.ino, 0, "fdinfo without ino");
	is_str(fi.exp_name, "udmabuf", "fdinfo exp_name at the end");

	is_int(du_dmabuf_fdinfo_parse("pos:\t0\nflags:\t02\nmnt_id:\t9\n"
				      "ino:\t1\n", &fi), -ENOENT,
	       "fdinfo of a regular file is not a DMA-BUF");
	is_int(du_dmabuf_fdinfo_parse("", &fi), -ENOENT, "fdinfo empty");
	is_int(du_dmabuf_fdinfo_parse("size:\tbig\nexp_name:\tx\n", &fi),
	       -EINVAL, "fdinfo bad size");
	is_int(du_dmabuf_fdinfo_parse("size:\t1\ncount:\t-1\nexp_name:\tx\n",
				      &fi), -EINVAL, "fdinfo bad count");
	is_int(du_dmabuf_fdinfo_parse("flags:\t08\nsize:\t1\nexp_name:\tx\n",
				      &fi), -EINVAL, "fdinfo flags not octal");
	is_int(du_dmabuf_fdinfo_parse("size:\t1\nexp_name:\tx\n"
				      "name:\t0123456789012345678901234567890123\n",
				      &fi), -EINVAL, "fdinfo name too long");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, "exp_name:\t", 10);
	is_int(du_dmabuf_fdinfo_parse(longname, &fi), -EINVAL,
	       "fdinfo exp_name too long");
	is_int(du_dmabuf_fdinfo_parse("size:\t99999999999999999999\n"
				      "exp_name:\tx\n", &fi), -EINVAL,
	       "fdinfo size overflow");
	is_int(du_dmabuf_fdinfo_parse("eventfd-count: 0\nsize:\t1\n"
				      "exp_name:\tx\nsome junk line\n", &fi), 0,
	       "fdinfo unknown lines ignored");
	is_int(du_dmabuf_fdinfo_read(0, 0, &fi), -ENOENT,
	       "fdinfo of stdin (not a DMA-BUF)");
	is_int(du_dmabuf_fdinfo_read(0, 9999, &fi), -ENOENT,
	       "fdinfo of a closed fd");
}

static void test_names(void)
{
	struct du_dmabuf_name n;
	char bdf[DU_PCI_ADDR_STRLEN];

	is_int(du_dmabuf_decode_name("vfio0:0000:00:03.0/2", &n), 0,
	       "name: BAR form");
	is_int(n.kind, DU_DMABUF_VFIO_BAR, "name: kind VFIO BAR");
	is_str(n.cdev, "vfio0", "name: cdev");
	is_str(du_pci_addr_format(&n.addr, bdf, sizeof(bdf)), "0000:00:03.0",
	       "name: PCI address");
	is_int(n.bar, 2, "name: BAR index");
	is_str(n.name, "vfio0:0000:00:03.0/2", "name kept");

	is_int(du_dmabuf_decode_name("vfio12:0001:ff:1f.7/5", &n), 0,
	       "name: BAR form, larger numbers");
	is_int(n.kind, DU_DMABUF_VFIO_BAR, "name: kind VFIO BAR (2)");
	is_str(n.cdev, "vfio12", "name: cdev vfio12");
	is_int(n.addr.domain, 1, "name: domain 1");
	is_int(n.bar, 5, "name: BAR 5");

	static const char *const named[] = {
		"client-a", "vfio0", "vfio0:", "vfio0:0000:00:03.0",
		"vfio0:0000:00:03.0/", "vfio0:0000:00:03.0/6",
		"vfio0:0000:00:03.0/12", "vfio0:0000:00:03.0/2x",
		"vfiox:0000:00:03.0/2", "vfio0:0000:00:20.0/2",
		"vfio0:junk/2", "vfio:0000:00:03.0/2", "VFIO0:0000:00:03.0/2",
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		int ret = du_dmabuf_decode_name(named[i], &n);

		ok(!ret && n.kind == DU_DMABUF_NAMED && !n.cdev[0] &&
		   !strcmp(n.name, named[i]),
		   "name \"%s\" is a plain name", named[i]);
	}
	is_int(du_dmabuf_decode_name("", &n), 0, "empty name");
	is_int(n.kind, DU_DMABUF_UNNAMED, "empty name is unnamed");
	is_int(du_dmabuf_decode_name("0123456789012345678901234567890", &n), 0,
	       "31-character name fits");
	is_int(du_dmabuf_decode_name("01234567890123456789012345678901", &n),
	       -ENAMETOOLONG, "32-character name does not");
}

static void test_paths(void)
{
	struct du_dmabuf_name n;

	is_int(du_dmabuf_decode_path("/dmabuf:vfio0:0000:00:03.0/2", &n), 1,
	       "path: BAR mapping");
	is_int(n.kind, DU_DMABUF_VFIO_BAR, "path: kind VFIO BAR");
	is_int(du_dmabuf_decode_path("/dmabuf:", &n), 1, "path: unnamed");
	is_int(n.kind, DU_DMABUF_UNNAMED, "path: kind unnamed");
	is_int(du_dmabuf_decode_path("/dmabuf:client-a", &n), 1, "path: named");
	is_str(n.name, "client-a", "path: the name");
	is_int(du_dmabuf_decode_path("/dmabuf:client-a (deleted)", &n), 1,
	       "path: deleted suffix");
	is_str(n.name, "client-a", "path: suffix dropped");
	is_int(du_dmabuf_decode_path("anon_inode:dmabuf", &n), 1,
	       "path: old anon inode link");
	is_int(n.kind, DU_DMABUF_UNNAMED, "path: anon inode is unnamed");
	is_int(du_dmabuf_decode_path("/dev/zero", &n), 0, "path: not a DMA-BUF");
	is_int(du_dmabuf_decode_path("", &n), 0, "path: empty");
	is_int(du_dmabuf_decode_path("/dmabuf", &n), 0, "path: no colon");
	is_int(du_dmabuf_decode_path("anon_inode:[eventfd]", &n), 0,
	       "path: other anon inode");
	is_int(du_dmabuf_decode_path("/dmabuf:0123456789012345678901234567890123",
				     &n), -ENAMETOOLONG, "path: name too long");
}

static void test_check_fd(void)
{
	char tmpl[] = "/tmp/du-dmabuf-XXXXXX";
	int p[2], fd;

	fd = mkstemp(tmpl);
	if (fd < 0 || pipe(p)) {
		printf("Bail out! mkstemp/pipe: %s\n", strerror(errno));
		exit(1);
	}
	unlink(tmpl);
	is_int(du_dmabuf_check_fd(fd), 0, "regular file is not a DMA-BUF");
	is_int(du_dmabuf_check_fd(p[0]), 0, "pipe is not a DMA-BUF");
	is_int(du_dmabuf_set_name(fd, "x"), -ENOTTY,
	       "set name on a regular file: ENOTTY");
	is_int(du_dmabuf_set_name(fd, "0123456789012345678901234567890123"),
	       -ENAMETOOLONG, "set name too long (checked first)");
	close(fd);
	close(p[0]);
	close(p[1]);
	is_int(du_dmabuf_check_fd(fd), -EBADF, "closed fd");
	is_int(du_dmabuf_check_fd(-1), -EBADF, "negative fd");
}

static void test_file_type_name(void)
{
	is_str(du_file_type_name(S_IFREG | 0644), "a regular file", "type: file");
	is_str(du_file_type_name(S_IFDIR | 0755), "a directory", "type: directory");
	is_str(du_file_type_name(S_IFIFO | 0600), "a pipe", "type: pipe");
	is_str(du_file_type_name(S_IFSOCK | 0777), "a socket", "type: socket");
	is_str(du_file_type_name(S_IFCHR | 0666), "a character device",
	       "type: character device");
	is_str(du_file_type_name(S_IFBLK | 0660), "a block device",
	       "type: block device");
	ok(du_file_type_name(S_IFLNK | 0777) == NULL, "type: other is NULL");
}

int main(void)
{
	test_maps();
	test_maps_self();
	test_fdinfo();
	test_names();
	test_paths();
	test_check_fd();
	test_file_type_name();
	return tap_done();
}
