// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/pci.h on a fake sysfs tree built in a temp dir:
 *
 *   devices/pci0000:00/0000:00:03.0          edu, vfio-pci, group 5, cdev
 *   devices/pci0000:00/0000:00:1c.0          bridge, pcieport
 *   devices/pci0000:00/0000:00:1c.0/0000:01:00.0  ivshmem, e1000e-ish
 *   devices/pci0000:00/0000:00:05.0          unbound, no iommu group
 *   bus/pci/devices/<bdf> -> ../../../devices/...
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#define _XOPEN_SOURCE_EXTENDED 1
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "du/pci.h"
#include "tap.h"

static char root[PATH_MAX];

static void die(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static void mkdirs(const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path);
}

static void put(const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die(path);
}

static void puts_file(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

static void link_to(const char *rel, const char *target)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path))
		die(path);
}

static char *slurp(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX * 2];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#define EDU "devices/pci0000:00/0000:00:03.0"
#define BRIDGE "devices/pci0000:00/0000:00:1c.0"
#define IVSHMEM BRIDGE "/0000:01:00.0"
#define LONE "devices/pci0000:00/0000:00:05.0"

static void build_tree(void)
{
	static const unsigned char cfg[64] = {
		0x34, 0x12, 0xe8, 0x11, 0x07, 0x01, 0x10, 0x00,
	};

	mkdirs("bus/pci/devices");
	mkdirs("bus/pci/drivers/vfio-pci");
	mkdirs("bus/pci/drivers/e1000e");
	mkdirs("bus/pci/drivers/pcieport");
	mkdirs("kernel/iommu_groups/5");
	mkdirs("kernel/iommu_groups/7");
	mkdirs("kernel/iommu_groups/8");
	puts_file("bus/pci/drivers_probe", "");
	puts_file("bus/pci/drivers/e1000e/unbind", "");

	mkdirs(EDU "/vfio-dev/vfio3");
	puts_file(EDU "/vendor", "0x1234\n");
	puts_file(EDU "/device", "0x11e8\n");
	puts_file(EDU "/class", "0x00ff00\n");
	puts_file(EDU "/subsystem_vendor", "0x1af4\n");
	puts_file(EDU "/subsystem_device", "0x1100\n");
	puts_file(EDU "/driver_override", "(null)\n");
	puts_file(EDU "/resource",
		  "0x00000000fea00000 0x00000000feafffff 0x0000000000040200\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x000000000000c000 0x000000000000c01f 0x0000000000040101\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
	put(EDU "/config", cfg, sizeof(cfg));
	link_to(EDU "/iommu_group", "../../../kernel/iommu_groups/5");
	link_to(EDU "/driver", "../../../bus/pci/drivers/vfio-pci");

	mkdirs(BRIDGE);
	puts_file(BRIDGE "/vendor", "0x8086\n");
	puts_file(BRIDGE "/device", "0x29c1\n");
	puts_file(BRIDGE "/class", "0x060400\n");
	link_to(BRIDGE "/iommu_group", "../../../kernel/iommu_groups/7");
	link_to(BRIDGE "/driver", "../../../bus/pci/drivers/pcieport");

	mkdirs(IVSHMEM);
	puts_file(IVSHMEM "/vendor", "0x1af4\n");
	puts_file(IVSHMEM "/device", "0x1110\n");
	puts_file(IVSHMEM "/class", "0x050000\n");
	puts_file(IVSHMEM "/driver_override", "(null)\n");
	puts_file(IVSHMEM "/resource",
		  "0x00000000fe800000 0x00000000fe8000ff 0x0000000000040200\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000800000000 0x0000000803ffffff 0x000000000014220c\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
	link_to(IVSHMEM "/iommu_group", "../../../../kernel/iommu_groups/8");
	link_to(IVSHMEM "/driver", "../../../../bus/pci/drivers/e1000e");

	mkdirs(LONE);
	puts_file(LONE "/vendor", "0x1b36\n");
	puts_file(LONE "/device", "0x0001\n");
	puts_file(LONE "/class", "0x060000\n");
	puts_file(LONE "/resource", "garbage\n");
	puts_file(LONE "/driver_override", "(null)\n");

	link_to("bus/pci/devices/0000:00:03.0", "../../../" EDU);
	link_to("bus/pci/devices/0000:00:1c.0", "../../../" BRIDGE);
	link_to("bus/pci/devices/0000:01:00.0", "../../../" IVSHMEM);
	link_to("bus/pci/devices/0000:00:05.0", "../../../" LONE);
	/* not a PCI address: ignored by the iterator */
	mkdirs("bus/pci/devices/README");
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static struct du_pci_addr addr(const char *s)
{
	struct du_pci_addr a;

	if (du_parse_pci_addr(s, &a))
		abort();
	return a;
}

static void test_root(void)
{
	setenv("DU_SYSFS_ROOT", "/from/env", 1);
	is_str(du_sysfs_root(), "/from/env", "root from DU_SYSFS_ROOT");
	is_int(du_sysfs_set_root(root), 0, "set root");
	is_str(du_sysfs_root(), root, "explicit root wins over the environment");
	du_sysfs_set_root(NULL);
	is_str(du_sysfs_root(), "/from/env", "back to the environment");
	unsetenv("DU_SYSFS_ROOT");
	is_str(du_sysfs_root(), "/sys", "default /sys");
	setenv("DU_SYSFS_ROOT", "", 1);
	is_str(du_sysfs_root(), "/sys", "empty DU_SYSFS_ROOT is ignored");
	unsetenv("DU_SYSFS_ROOT");
	du_sysfs_set_root(root);
}

static void test_ids(void)
{
	struct du_pci_addr edu = addr("0000:00:03.0"), ivs = addr("01:00.0");
	struct du_pci_addr none = addr("0000:09:00.0");
	struct du_pci_ids ids;
	char buf[PATH_MAX], small[4];

	ok(du_pci_exists(&edu), "edu exists");
	ok(!du_pci_exists(&none), "0000:09:00.0 does not");
	is_int(du_pci_path(&edu, "vendor", buf, sizeof(buf)), 0, "path");
	ok(strstr(buf, "/bus/pci/devices/0000:00:03.0/vendor") != NULL,
	   "path under the root: %s", buf);
	is_int(du_pci_path(&edu, "vendor", small, sizeof(small)),
	       -ENAMETOOLONG, "path too long for buffer");
	is_int(du_pci_read_ids(&edu, &ids), 0, "read ids");
	is_int(ids.vendor, 0x1234, "vendor");
	is_int(ids.device, 0x11e8, "device");
	is_int(ids.class, 0x00ff00, "class");
	is_int(ids.subsystem_vendor, 0x1af4, "subsystem vendor");
	is_int(ids.subsystem_device, 0x1100, "subsystem device");
	is_int(du_pci_read_ids(&ivs, &ids), 0, "ids without subsystem files");
	is_int(ids.subsystem_vendor, 0, "missing subsystem vendor is 0");
	is_int(du_pci_read_ids(&none, &ids), -ENOENT, "ids of no device");
	is_int(du_pci_read_attr(&edu, "vendor", buf, sizeof(buf)), 6,
	       "read attr length");
	is_str(buf, "0x1234", "read attr strips the newline");
	is_int(du_pci_read_attr(&edu, "vendor", small, sizeof(small)),
	       -EOVERFLOW, "read attr into a short buffer");
}

static void test_bars(void)
{
	struct du_pci_addr edu = addr("0000:00:03.0"), ivs = addr("01:00.0");
	struct du_pci_addr lone = addr("0000:00:05.0");
	struct du_pci_addr br = addr("0000:00:1c.0");
	struct du_pci_bar bars[DU_PCI_NUM_BARS];

	is_int(du_pci_read_bars(&edu, bars), 0, "edu bars");
	is_u64(bars[0].start, 0xfea00000, "edu BAR0 start");
	is_u64(bars[0].size, 1 << 20, "edu BAR0 size 1M");
	is_int(bars[0].flags, DU_BAR_MEM, "edu BAR0 32-bit mem");
	is_u64(bars[1].size, 0, "edu BAR1 not implemented");
	is_int(bars[1].flags, 0, "edu BAR1 no flags");
	is_int(bars[1].index, 1, "edu BAR1 index");
	is_u64(bars[2].size, 32, "edu BAR2 io size");
	is_int(bars[2].flags, DU_BAR_IO, "edu BAR2 is io");

	is_int(du_pci_read_bars(&ivs, bars), 0, "ivshmem bars");
	is_u64(bars[2].start, UINT64_C(0x800000000), "ivshmem BAR2 start");
	is_u64(bars[2].size, 64 << 20, "ivshmem BAR2 64M");
	is_int(bars[2].flags, DU_BAR_MEM | DU_BAR_64 | DU_BAR_PREFETCH,
	       "ivshmem BAR2 64-bit prefetchable mem");
	is_int(bars[5].index, 5, "ivshmem BAR5 index");

	is_int(du_pci_read_bars(&lone, bars), -EINVAL, "garbage resource file");
	ok(strstr(du_pci_strerror(-EINVAL), "/resource: malformed: line ") != NULL,
	   "du_pci_strerror names the file and line (got \"%s\")",
	   du_pci_strerror(-EINVAL));
	is_int(du_pci_read_bars(&br, bars), -ENOENT, "no resource file");
	ok(strstr(du_pci_strerror(-ENOENT), "/resource: No such file") != NULL,
	   "and the file that is missing (got \"%s\")",
	   du_pci_strerror(-ENOENT));
	is_str(du_pci_strerror(-EIO), strerror(EIO),
	       "another error: strerror()");
}

static void test_links(void)
{
	struct du_pci_addr edu = addr("0000:00:03.0"), ivs = addr("01:00.0");
	struct du_pci_addr lone = addr("0000:00:05.0"), up;
	char name[32], path[PATH_MAX];
	unsigned int group = 99;

	is_int(du_pci_iommu_group(&edu, &group), 0, "edu group");
	is_int(group, 5, "edu group 5");
	is_int(du_pci_iommu_group(&lone, &group), -ENOENT, "no group");
	is_int(du_pci_driver(&edu, name, sizeof(name)), 0, "edu driver");
	is_str(name, "vfio-pci", "edu bound to vfio-pci");
	is_int(du_pci_driver(&lone, name, sizeof(name)), -ENOENT, "unbound");
	is_int(du_pci_driver(&edu, name, 4), -ENAMETOOLONG,
	       "driver name too long for buffer");

	is_int(du_pci_vfio_cdev(&edu, name, sizeof(name), path, sizeof(path)),
	       0, "edu cdev");
	is_str(name, "vfio3", "cdev name");
	is_str(path, "/dev/vfio/devices/vfio3", "cdev path");
	is_int(du_pci_vfio_cdev(&ivs, name, sizeof(name), NULL, 0), -ENOENT,
	       "no cdev");
	is_int(du_pci_vfio_group_path(&edu, path, sizeof(path)), 0,
	       "group path");
	is_str(path, "/dev/vfio/5", "group path /dev/vfio/5");

	is_int(du_pci_upstream(&ivs, &up), 0, "ivshmem upstream");
	ok(du_pci_addr_equal(&up, &(struct du_pci_addr){ 0, 0, 0x1c, 0 }),
	   "ivshmem is behind 0000:00:1c.0");
	is_int(du_pci_upstream(&edu, &up), -ENOENT, "edu is on the root bus");
}

static int collect(const struct du_pci_addr *a, void *arg)
{
	char *list = arg, bdf[DU_PCI_ADDR_STRLEN];

	du_pci_addr_format(a, bdf, sizeof(bdf));
	strcat(list, bdf);
	strcat(list, " ");
	return 0;
}

static int stop_at_second(const struct du_pci_addr *a, void *arg)
{
	int *calls = arg;

	(void)a;
	return ++*calls == 2 ? 42 : 0;
}

static void test_iterate(void)
{
	char list[256] = "";
	int calls = 0;

	is_int(du_pci_for_each(DU_PCI_ITER_ALL, collect, list), 0, "iterate all");
	is_str(list, "0000:00:03.0 0000:00:05.0 0000:00:1c.0 0000:01:00.0 ",
	       "all devices in address order");
	list[0] = '\0';
	is_int(du_pci_for_each(DU_PCI_ITER_VFIO, collect, list), 0,
	       "iterate vfio");
	is_str(list, "0000:00:03.0 ", "only vfio-pci devices");
	is_int(du_pci_for_each(DU_PCI_ITER_ALL, stop_at_second, &calls), 42,
	       "callback stops the iteration");
	is_int(calls, 2, "after two calls");
}

static void test_config(void)
{
	struct du_pci_addr edu = addr("0000:00:03.0"), br = addr("00:1c.0");
	unsigned char buf[256];

	is_int(du_pci_read_config(&edu, buf, 0, 4), 4, "config 4 bytes");
	ok(buf[0] == 0x34 && buf[1] == 0x12 && buf[2] == 0xe8 && buf[3] == 0x11,
	   "config vendor/device bytes");
	is_int(du_pci_read_config(&edu, buf, 4, 2), 2, "config at offset");
	is_int(buf[0], 0x07, "command register low byte");
	is_int(du_pci_read_config(&edu, buf, 0, sizeof(buf)), 64,
	       "short config file gives a short read");
	is_int(du_pci_read_config(&edu, buf, 100, 4), 0, "read past the end");
	is_int(du_pci_read_config(&br, buf, 0, 4), -ENOENT, "no config file");
}

static void test_bind(void)
{
	struct du_pci_addr edu = addr("0000:00:03.0"), ivs = addr("01:00.0");
	struct du_pci_addr lone = addr("0000:00:05.0");
	struct du_pci_addr none = addr("0000:09:00.0");
	char buf[128];

	is_int(du_pci_bind_vfio(&edu), 0, "already on vfio-pci: nothing to do");
	is_str(slurp(EDU "/driver_override", buf, sizeof(buf)), "(null)\n",
	       "driver_override untouched");

	/* The fake tree does not rebind, so the end check fails. */
	is_int(du_pci_bind_vfio(&ivs), -EIO, "bind reports a failed rebind");
	is_str(slurp(IVSHMEM "/driver_override", buf, sizeof(buf)), "vfio-pci",
	       "driver_override set");
	is_str(slurp("bus/pci/drivers/e1000e/unbind", buf, sizeof(buf)),
	       "0000:01:00.0", "old driver unbound");
	is_str(slurp("bus/pci/drivers_probe", buf, sizeof(buf)),
	       "0000:01:00.0", "drivers_probe written");

	puts_file("bus/pci/drivers_probe", "");
	is_int(du_pci_bind_vfio(&lone), -EIO, "bind an unbound device");
	is_str(slurp("bus/pci/drivers_probe", buf, sizeof(buf)),
	       "0000:00:05.0", "unbound device probed");
	is_int(du_pci_bind_vfio(&none), -ENOENT, "bind a missing device");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/du-pci-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		die("mkdtemp");
	build_tree();
	test_root();
	test_ids();
	test_bars();
	test_links();
	test_iterate();
	test_config();
	test_bind();
	du_sysfs_set_root(NULL);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
