// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PCI hierarchy from sysfs, and the P2PDMA verdict of Linux 7.3.4's
 * drivers/pci/p2pdma.c (calc_map_type_and_dist(), host_bridge_whitelist(),
 * cpu_supports_p2pdma(), pci_bridge_has_acs_redir()) reimplemented on it.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "du/exitcodes.h"

#include "topo.h"

static char errbuf[PATH_MAX + 256];

static int fail(const char **errmsg, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(const char **errmsg, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	*errmsg = errbuf;
	return err;
}

void topo_init(struct p2p_topo *t)
{
	memset(t, 0, sizeof(*t));
	t->cpu.supports = TRI_UNKNOWN;
	snprintf(t->cpu.desc, sizeof(t->cpu.desc), "unknown");
}

void topo_free(struct p2p_topo *t)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		pa_put_dev(t->nodes[i]->pdev);
		free(t->nodes[i]);
	}
	for (size_t i = 0; i < t->n_hbs; i++)
		free(t->hbs[i]);
	free(t->nodes);
	free(t->hbs);
	memset(t, 0, sizeof(*t));
}

static struct p2p_node *find_node(struct p2p_topo *t,
				  const struct du_pci_addr *a)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (du_pci_addr_equal(&t->nodes[i]->addr, a))
			return t->nodes[i];
	return NULL;
}

static int push(void *arrp, size_t *n, void *item)
{
	void ***arr = arrp;
	void **na = reallocarray(*arr, *n + 1, sizeof(void *));

	if (!na)
		return -ENOMEM;
	na[(*n)++] = item;
	*arr = na;
	return 0;
}

/* "pci0000:00" (domain 4+ hex digits, bus 2): the sysfs name of a host
 * bridge (struct pci_host_bridge's device). */
static bool parse_hb_name(const char *s, uint32_t *domain, unsigned int *bus)
{
	char dom[16], b[4];
	size_t nd = 0, nb = 0;
	const char *p;

	if (strncmp(s, "pci", 3))
		return false;
	for (p = s + 3; isxdigit((unsigned char)*p) && nd < 8; p++)
		dom[nd++] = *p;
	if (nd < 4 || *p++ != ':')
		return false;
	for (; isxdigit((unsigned char)*p) && nb < 2; p++)
		b[nb++] = *p;
	if (nb != 2 || *p)
		return false;
	dom[nd] = b[nb] = '\0';
	*domain = (uint32_t)strtoul(dom, NULL, 16);
	*bus = (unsigned int)strtoul(b, NULL, 16);
	return true;
}

static int get_hb(struct p2p_topo *t, const char *dir, const char *name,
		  struct p2p_hb **out, const char **errmsg);
static int topo_get_dump(struct p2p_topo *t, const struct du_pci_addr *a,
			 struct p2p_node **out, const char **errmsg);

/* The sysfs files of the device, and as much of config space as we may
 * read. */
static int read_node_sysfs(struct p2p_node *n, const char **errmsg)
{
	char path[PATH_MAX], buf[64];
	struct stat st;
	ssize_t len;
	int ret;

	ret = du_pci_read_ids(&n->addr, &n->ids);
	if (ret)
		return fail(errmsg, -EINVAL, "%s: cannot read its IDs: %s",
			    n->name, du_pci_strerror(ret));
	ret = du_pci_read_bars(&n->addr, n->bars);
	if (ret)
		return fail(errmsg, -EINVAL, "%s: cannot read its BARs: %s",
			    n->name, du_pci_strerror(ret));
	n->have_bars = true;

	n->numa_node = -1;
	if (du_pci_read_attr(&n->addr, "numa_node", buf, sizeof(buf)) > 0) {
		char *end;
		long v = strtol(buf, &end, 10);

		if (*end || v < -1 || v > INT_MAX)
			return fail(errmsg, -EINVAL,
				    "%s: numa_node '%s' is not a number",
				    n->name, buf);
		n->numa_node = (int)v;
	}
	if (du_pci_driver(&n->addr, n->driver, sizeof(n->driver)))
		n->driver[0] = '\0';
	{
		unsigned int g;

		n->iommu_group = du_pci_iommu_group(&n->addr, &g) ? -1 : (int)g;
	}

	len = du_pci_read_config(&n->addr, n->cfg, 0, sizeof(n->cfg));
	if (len < 0)
		return fail(errmsg, -EINVAL, "%s: config space not readable: %s",
			    n->name, strerror((int)-len));
	if (len < 64)
		return fail(errmsg, -EINVAL,
			    "%s: config has %zd bytes, a PCI config header has 64",
			    n->name, len);
	n->cfg_len = (size_t)len;
	n->cfg_size = n->cfg_len;
	if (!du_pci_path(&n->addr, "config", path, sizeof(path)) &&
	    !stat(path, &st) && (size_t)st.st_size > n->cfg_size)
		n->cfg_size = (size_t)st.st_size;
	if (n->cfg_size > sizeof(n->cfg))
		n->cfg_size = sizeof(n->cfg);
	return 0;
}

/* BARs from a type 0 or type 1 header: addresses and flags; a dump
 * cannot tell the sizes (sizing writes to the BARs). */
static void bars_from_config(struct p2p_node *n, const struct pcap_cfg *c)
{
	int nbars = n->hdr_type == 0 ? 6 : n->hdr_type == 1 ? 2 : 0;

	for (int i = 0; i < nbars; i++) {
		uint32_t lo = pcap_read32(c, 0x10 + 4 * (size_t)i);
		struct du_pci_bar *b = &n->bars[i];

		b->index = (unsigned int)i;
		if (lo & 1) {
			b->flags = (lo & ~3u) ? DU_BAR_IO : 0;
			b->start = lo & ~3u;
			continue;
		}
		b->start = lo & ~0xfu;
		if ((lo & 6) == 4 && i + 1 < nbars) {
			b->start |= (uint64_t)pcap_read32(c, 0x14 + 4 * (size_t)i) << 32;
			b->flags |= DU_BAR_64;
		}
		if (lo & 8)
			b->flags |= DU_BAR_PREFETCH;
		if (b->start)
			b->flags |= DU_BAR_MEM;
		else
			b->flags = 0;
		if (b->flags & DU_BAR_64)
			i++;
	}
}

/* From a dump file: the config space is all there is. */
static int read_node_dump(struct p2p_node *n, const char **errmsg)
{
	struct pcap_cfg c = { n->cfg, 0 };
	int len;

	n->from_dump = true;
	n->numa_node = -1;
	n->iommu_group = -1;
	n->driver[0] = '\0';
	/* as much as the dump has, in its 16-byte lines (lspci -x: 64,
	 * -xxx: 256, -xxxx: 4096 bytes) */
	for (len = PCAP_CFG_SPACE_EXP_SIZE; len >= 64; len -= 16)
		if (pci_read_block(n->pdev, 0, n->cfg, len))
			break;
	if (len < 64)
		return fail(errmsg, -EINVAL,
			    "%s: %s has less than the 64-byte config header",
			    n->name, pa_source());
	n->cfg_len = (size_t)len;
	/* beyond 256 bytes it is PCIe with extended config space */
	n->cfg_size = len > PCAP_CFG_SPACE_SIZE ? PCAP_CFG_SPACE_EXP_SIZE
						: (size_t)len;
	c.len = n->cfg_len;
	n->ids.vendor = pcap_read16(&c, 0x00);
	n->ids.device = pcap_read16(&c, 0x02);
	n->ids.class = pcap_read32(&c, 0x08) >> 8;
	n->hdr_type = pcap_read8(&c, 0x0e) & 0x7f;
	if (n->hdr_type == 0) {
		n->ids.subsystem_vendor = pcap_read16(&c, 0x2c);
		n->ids.subsystem_device = pcap_read16(&c, 0x2e);
	}
	bars_from_config(n, &c);
	n->have_bars = true;
	return 0;
}

/*
 * A capability's offset.  libpci walks the lists when the config space
 * could be read; what it cannot answer is left to pcicap.c: whether a
 * header-only snapshot (a non-root reader, an `lspci -x` dump) has the
 * capability (unknown), and a CardBus bridge's list, which starts at 0x14.
 */
static enum pcap_status find_cap(const struct p2p_node *n, bool ext,
				 unsigned int id, unsigned int *pos)
{
	struct pcap_cfg c = { n->cfg, n->cfg_len };
	int p;

	/* libpci knows the answer when the list it walks was read: the
	 * standard one in the first 256 bytes, the extended one beyond */
	bool walkable = ext ? n->cfg_len > PCAP_CFG_SPACE_SIZE ||
			      n->cfg_size <= PCAP_CFG_SPACE_SIZE
			    : n->cfg_access == CFG_FULL;

	if (walkable && n->hdr_type != 2 && n->pdev) {
		if (ext && n->cfg_size <= PCAP_CFG_SPACE_SIZE)
			return PCAP_ABSENT;
		p = pa_find_cap(n->pdev, id,
				ext ? PCI_CAP_EXTENDED : PCI_CAP_NORMAL);
		if (p < 0)
			return PCAP_ABSENT;
		/* the registers we read must be in the snapshot */
		if ((size_t)p + 8 > n->cfg_len)
			return PCAP_BROKEN;
		*pos = (unsigned int)p;
		return PCAP_FOUND;
	}
	return ext ? pcap_find_ext(&c, n->cfg_size, (uint16_t)id, pos)
		   : pcap_find(&c, (uint8_t)id, pos);
}

static int read_node(struct p2p_node *n, const char **errmsg)
{
	unsigned int pos;
	int ret;

	n->pdev = pa_get_dev(&n->addr);
	ret = n->from_dump || pa_dump_mode() ? read_node_dump(n, errmsg)
					     : read_node_sysfs(n, errmsg);
	if (ret)
		return ret;
	n->cfg_access = n->cfg_len < PCAP_CFG_SPACE_SIZE ? CFG_RESTRICTED
							  : CFG_FULL;
	pa_vendor_name(n->ids.vendor, n->vendor_name, sizeof(n->vendor_name));
	pa_device_name(n->ids.vendor, n->ids.device, n->device_name,
		       sizeof(n->device_name));

	{
		struct pcap_cfg c = { n->cfg, n->cfg_len };

		if (pcap_read16(&c, 0) != n->ids.vendor ||
		    pcap_read16(&c, 2) != n->ids.device)
			return fail(errmsg, -EINVAL,
				    "%s: config space says %04x:%04x but sysfs says %04x:%04x",
				    n->name, pcap_read16(&c, 0),
				    pcap_read16(&c, 2), n->ids.vendor,
				    n->ids.device);
		n->hdr_type = pcap_read8(&c, 0x0e) & 0x7f;

		switch (find_cap(n, false, PCAP_ID_EXP, &pos)) {
		case PCAP_FOUND:
			n->exp_type = (pcap_read16(&c, pos + 2) >> 4) & 0xf;
			n->exp_known = true;
			break;
		case PCAP_UNKNOWN:
			n->exp_type = -1;
			n->exp_known = false;
			break;
		case PCAP_BROKEN:
			du_warn("%s: capability list points outside the config space; ignoring it",
				n->name);
			/* fall through */
		case PCAP_ABSENT:
			n->exp_type = -1;
			n->exp_known = true;
			break;
		}

		/*
		 * sysfs gives non-root readers the header only, but its file
		 * size still tells the size of the config space; a recorded
		 * tree or a dump (lspci -x, -xxx) does not: then only a
		 * device known to be conventional PCI (no PCIe capability)
		 * has no extended config space.
		 */
		if ((n->cfg_access == CFG_RESTRICTED ||
		     (n->from_dump && n->cfg_len <= PCAP_CFG_SPACE_SIZE)) &&
		    n->cfg_size <= n->cfg_len)
			n->cfg_size = (n->exp_known && n->exp_type < 0) ?
				PCAP_CFG_SPACE_SIZE : PCAP_CFG_SPACE_EXP_SIZE;
		n->acs_state = find_cap(n, true, PCAP_EXT_ID_ACS, &pos);
		if (n->acs_state == PCAP_BROKEN) {
			du_warn("%s: extended capability list points outside the config space; ignoring it",
				n->name);
			n->acs_state = PCAP_ABSENT;
		}
		if (n->acs_state == PCAP_FOUND) {
			n->acs_pos = pos;
			n->acs_cap = pcap_read16(&c, pos + 4);
			n->acs_ctl = pcap_read16(&c, pos + 6);
		}
	}
	return 0;
}

/*
 * From a dump: the device's upstream bridge is the bridge whose secondary
 * bus is the device's bus; a bus no bridge leads to is a root bus, whose
 * host bridge is named as in sysfs (pciDDDD:BB).
 */
static int topo_get_dump(struct p2p_topo *t, const struct du_pci_addr *a,
			 struct p2p_node **out, const char **errmsg)
{
	struct du_pci_addr up;
	struct p2p_node *n;
	int ret;

	n = calloc(1, sizeof(*n));
	if (!n)
		return fail(errmsg, -ENOMEM, "out of memory");
	n->addr = *a;
	du_pci_addr_format(a, n->name, sizeof(n->name));
	if (!pa_get_dev(a)) {
		ret = fail(errmsg, -ENOENT, "%s: no such PCI device in %s",
			   n->name, pa_source());
		free(n);
		return ret;
	}
	ret = push(&t->nodes, &t->n_nodes, n);
	if (ret) {
		free(n);
		return fail(errmsg, ret, "out of memory");
	}
	ret = read_node(n, errmsg);
	if (ret)
		return ret;
	if (!pa_dump_parent(a, &up)) {
		ret = topo_get(t, &up, &n->up, errmsg);
		if (ret)
			return ret;
		n->hb = n->up->hb;
	} else {
		char hbname[32];

		snprintf(hbname, sizeof(hbname), "pci%04x:%02x", a->domain,
			 a->bus);
		ret = get_hb(t, NULL, hbname, &n->hb, errmsg);
		if (ret)
			return ret;
	}
	*out = n;
	return 0;
}

/*
 * Where the device sits: the real path of <root>/bus/pci/devices/<bdf>
 * must end in .../pciDDDD:BB[/<bridge bdf>...]/<bdf>.  The last pciDDDD:BB
 * component is its host bridge (a VMD domain nests inside another), the
 * components after it the bridges above the device.
 */
int topo_get(struct p2p_topo *t, const struct du_pci_addr *a,
	     struct p2p_node **out, const char **errmsg)
{
	char path[PATH_MAX], real[PATH_MAX], *comp, *hbc = NULL, *last;
	char *slash, name[DU_PCI_ADDR_STRLEN];
	struct p2p_node *n;
	int ret;

	n = find_node(t, a);
	if (n) {
		*out = n;
		return 0;
	}
	if (pa_dump_mode())
		return topo_get_dump(t, a, out, errmsg);
	n = calloc(1, sizeof(*n));
	if (!n)
		return fail(errmsg, -ENOMEM, "out of memory");
	n->addr = *a;
	du_pci_addr_format(a, n->name, sizeof(n->name));
	/* messages after free(n) use the copy */
	snprintf(name, sizeof(name), "%s", n->name);
	if (!du_pci_exists(a)) {
		free(n);
		return fail(errmsg, -ENOENT, "%s: no such PCI device", name);
	}
	ret = du_pci_path(a, NULL, path, sizeof(path));
	if (ret || !realpath(path, real)) {
		free(n);
		return fail(errmsg, -EINVAL, "%s: cannot resolve %s", name,
			    path);
	}
	/* find the last host bridge component */
	for (comp = real; (slash = strchr(comp, '/')); comp = slash + 1) {
		uint32_t d;
		unsigned int b;

		*slash = '\0';
		if (parse_hb_name(comp, &d, &b))
			hbc = comp;
		*slash = '/';
	}
	last = comp;
	if (!hbc) {
		free(n);
		return fail(errmsg, -EINVAL,
			    "%s: malformed sysfs tree: %s is not below a host bridge directory (pciDDDD:BB)",
			    name, real);
	}
	{
		struct du_pci_addr self;
		char buf[DU_PCI_ADDR_STRLEN];

		if (du_parse_pci_addr(last, &self) ||
		    !du_pci_addr_equal(&self, a) ||
		    strcmp(du_pci_addr_format(&self, buf, sizeof(buf)), last)) {
			free(n);
			return fail(errmsg, -EINVAL,
				    "%s: malformed sysfs tree: %s does not end in the device's address",
				    name, real);
		}
	}
	/* the node goes into the cache before we recurse upwards */
	ret = push(&t->nodes, &t->n_nodes, n);
	if (ret) {
		free(n);
		return fail(errmsg, ret, "out of memory");
	}
	ret = read_node(n, errmsg);
	if (ret)
		return ret;

	/* parent: the component before last, a bridge or the host bridge */
	last[-1] = '\0';
	slash = strrchr(real, '/');
	if (!slash)
		return fail(errmsg, -EINVAL, "%s: malformed sysfs path", n->name);
	comp = slash + 1;
	if (comp == hbc) {
		n->up = NULL;
		/* real is now the host bridge's directory */
		ret = get_hb(t, real, comp, &n->hb, errmsg);
		if (ret)
			return ret;
	} else {
		struct du_pci_addr up;

		if (du_parse_pci_addr(comp, &up))
			return fail(errmsg, -EINVAL,
				    "%s: malformed sysfs tree: parent directory %s is neither a PCI device nor a host bridge",
				    n->name, comp);
		ret = topo_get(t, &up, &n->up, errmsg);
		if (ret)
			return ret;
		n->hb = n->up->hb;
	}
	*out = n;
	return 0;
}

/* The devices directly on the host bridge's root bus, to find the first. */
static int get_hb(struct p2p_topo *t, const char *dir, const char *name,
		  struct p2p_hb **out, const char **errmsg)
{
	struct p2p_hb *hb = NULL;
	struct du_pci_addr first = { 0 };
	bool have_first = false;
	struct dirent *de;
	DIR *d;
	int ret;

	for (size_t i = 0; i < t->n_hbs; i++)
		if (!strcmp(t->hbs[i]->name, name)) {
			*out = t->hbs[i];
			return 0;
		}
	hb = calloc(1, sizeof(*hb));
	if (!hb)
		return fail(errmsg, -ENOMEM, "out of memory");
	snprintf(hb->name, sizeof(hb->name), "%s", name);
	parse_hb_name(name, &hb->domain, &hb->bus);
	ret = push(&t->hbs, &t->n_hbs, hb);
	if (ret) {
		free(hb);
		return fail(errmsg, ret, "out of memory");
	}
	*out = hb;

	if (!dir) {
		/* a dump: the root bus's devices are those of the dump */
		have_first = !pa_dump_first_on_bus(hb->domain, hb->bus, &first);
		goto found;
	}
	d = opendir(dir);
	if (!d)
		return fail(errmsg, -EINVAL, "%s: cannot list %s: %s", name,
			    dir, strerror(errno));
	while ((de = readdir(d))) {
		struct du_pci_addr a;

		if (du_parse_pci_addr(de->d_name, &a) ||
		    a.domain != hb->domain || a.bus != hb->bus)
			continue;
		/* the root bus lists its devices in devfn order */
		if (!have_first || a.dev < first.dev ||
		    (a.dev == first.dev && a.fn < first.fn))
			first = a;
		have_first = true;
	}
	closedir(d);
found:
	hb->root_known = TRI_YES;
	if (!have_first)
		return 0;
	ret = topo_get(t, &first, &hb->first, errmsg);
	if (ret)
		return ret;
	/* pci_host_bridge_dev() */
	if (first.dev == 0 && first.fn == 0) {
		hb->root = hb->first;
	} else if (!hb->first->exp_known) {
		hb->root_known = TRI_UNKNOWN;
	} else if (hb->first->exp_type == PCAP_EXP_TYPE_ROOT_PORT) {
		hb->root = hb->first;
	}
	return 0;
}

/* /sys/devices/system/cpu/modalias: "cpu:type:x86,venVVVVfamFFFFmodMMMM:..." */
void topo_read_cpu(struct p2p_topo *t)
{
	char path[PATH_MAX], buf[256];
	unsigned int ven, fam, mod;
	FILE *f;

	t->cpu.supports = TRI_UNKNOWN;
	snprintf(t->cpu.desc, sizeof(t->cpu.desc), "unknown");
	if (pa_dump_mode())
		return;		/* a dump says nothing about the CPU */
	if (snprintf(path, sizeof(path), "%s/devices/system/cpu/modalias",
		     du_sysfs_root()) >= (int)sizeof(path))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return;
	}
	fclose(f);
	if (sscanf(buf, "cpu:type:x86,ven%4xfam%4xmod%4x:", &ven, &fam,
		   &mod) == 3) {
		static const char *const names[] = {
			[0] = "Intel", [1] = "Cyrix", [2] = "AMD", [3] = "UMC",
			[5] = "Centaur", [7] = "Transmeta", [8] = "NSC",
			[9] = "Hygon", [10] = "Zhaoxin", [11] = "Vortex",
		};
		const char *vn = ven < sizeof(names) / sizeof(names[0]) ?
				 names[ven] : NULL;

		if (vn)
			snprintf(t->cpu.desc, sizeof(t->cpu.desc),
				 "%s family 0x%x", vn, fam);
		else
			snprintf(t->cpu.desc, sizeof(t->cpu.desc),
				 "x86 vendor %u family 0x%x", ven, fam);
		t->cpu.supports = (ven == 2 && fam >= 0x17) ? TRI_YES : TRI_NO;
	} else if (!strncmp(buf, "cpu:type:", 9)) {
		size_t l = strcspn(buf + 9, ":,\n");

		snprintf(t->cpu.desc, sizeof(t->cpu.desc), "%.*s", (int)l,
			 buf + 9);
		/* the kernel's CPU rule exists for x86 only */
		t->cpu.supports = TRI_NO;
	}
}

bool node_mem_bar(const struct p2p_node *n, int i)
{
	const struct du_pci_bar *b = &n->bars[i];

	return (b->size || n->from_dump) && (b->flags & DU_BAR_MEM);
}

bool node_has_mem_bar(const struct p2p_node *n)
{
	for (int i = 0; i < DU_PCI_NUM_BARS; i++)
		if (node_mem_bar(n, i))
			return true;
	return false;
}

bool node_is_bridge(const struct p2p_node *n)
{
	return n->hdr_type == 1 || n->hdr_type == 2;
}

enum tri node_acs_redir(const struct p2p_node *n)
{
	switch (n->acs_state) {
	case PCAP_FOUND:
		return (n->acs_ctl & (PCAP_ACS_RR | PCAP_ACS_CR | PCAP_ACS_EC)) ?
		       TRI_YES : TRI_NO;
	case PCAP_UNKNOWN:
		return TRI_UNKNOWN;
	default:
		return TRI_NO;
	}
}

const char *node_type_key(const struct p2p_node *n)
{
	if (!n->exp_known)
		return NULL;
	if (n->exp_type >= 0)
		return pcap_exp_type_key(n->exp_type);
	return node_is_bridge(n) ? "pci_bridge" : "pci_device";
}

const char *node_type_text(const struct p2p_node *n)
{
	if (!n->exp_known)
		return node_is_bridge(n) ? "bridge (type unknown)"
					 : "device (type unknown)";
	if (n->exp_type >= 0)
		return pcap_exp_type_text(n->exp_type);
	return node_is_bridge(n) ? "PCI bridge" : "PCI device";
}

/* ---- verdict ---------------------------------------------------------- */

#define PCI_ANY_ID (-1)
#define REQ_SAME_HOST_BRIDGE 1

/* pci_p2pdma_whitelist[] of Linux 7.3.4 */
static const struct {
	uint16_t vendor;
	int device;
	unsigned int flags;
} allowlist[] = {
	/* Intel Xeon E5/Core i7 */
	{ 0x8086, 0x3c00, REQ_SAME_HOST_BRIDGE },
	{ 0x8086, 0x3c01, REQ_SAME_HOST_BRIDGE },
	/* Intel Xeon E7 v3/Xeon E5 v3/Core i7 */
	{ 0x8086, 0x2f00, REQ_SAME_HOST_BRIDGE },
	{ 0x8086, 0x2f01, REQ_SAME_HOST_BRIDGE },
	/* Intel Skylake-E */
	{ 0x8086, 0x2030, 0 },
	{ 0x8086, 0x2031, 0 },
	{ 0x8086, 0x2032, 0 },
	{ 0x8086, 0x2033, 0 },
	{ 0x8086, 0x2020, 0 },
	{ 0x8086, 0x09a2, 0 },
	{ 0x8086, 0x0b25, 0 },	/* DSA_SPR0 */
	{ 0x8086, 0x0cfe, 0 },	/* IAX_SPR0 */
	{ 0x8086, 0x11fb, 0 },	/* DSA_GNRD */
	{ 0x8086, 0x1212, 0 },	/* DSA_DMR */
	{ 0x8086, 0x1216, 0 },	/* IAA_DMR */
	{ 0x8086, 0x4940, 0 },	/* QAT_4XXX */
	{ 0x8086, 0x4942, 0 },	/* QAT_401XX */
	{ 0x8086, 0x4944, 0 },	/* QAT_402XX */
	{ 0x8086, 0x4946, 0 },	/* QAT_420XX */
	{ 0x8086, 0x4948, 0 },	/* QAT_6XXX */
	/* Google SoCs */
	{ 0x1ae0, PCI_ANY_ID, 0 },
	/* Nvidia CPUs */
	{ 0x10de, 0x2f95, 0 },
	{ 0x10de, 0x2f96, 0 },
	{ 0x10de, 0x2f97, 0 },
	{ 0x10de, 0x2f98, 0 },
};

/* Index of the first matching entry, or -1. */
static int allowlist_match(const struct p2p_node *root)
{
	for (size_t i = 0; i < sizeof(allowlist) / sizeof(allowlist[0]); i++) {
		if (root->ids.vendor != allowlist[i].vendor)
			continue;
		if (allowlist[i].device != PCI_ANY_ID &&
		    root->ids.device != allowlist[i].device)
			continue;
		return (int)i;
	}
	return -1;
}

/* __host_bridge_whitelist() */
static enum tri hb_allowlisted(const struct p2p_hb *hb, bool same,
			       bool *same_required)
{
	bool dummy;

	if (!same_required)
		same_required = &dummy;
	const struct p2p_node *root = hb->root;
	int i;

	if (hb->root_known == TRI_UNKNOWN) {
		/* it is the first device or nothing: if that one is not on
		 * the list the answer is no either way */
		if (!hb->first || allowlist_match(hb->first) < 0)
			return TRI_NO;
		root = hb->first;
		i = allowlist_match(root);
		if ((allowlist[i].flags & REQ_SAME_HOST_BRIDGE) && !same)
			return TRI_NO;
		return TRI_UNKNOWN;
	}
	if (!root)
		return TRI_NO;
	i = allowlist_match(root);
	if (i < 0)
		return TRI_NO;
	if ((allowlist[i].flags & REQ_SAME_HOST_BRIDGE) && !same) {
		*same_required = true;
		return TRI_NO;
	}
	return TRI_YES;
}

enum tri topo_hb_allowlisted(const struct p2p_hb *hb, bool same,
			     bool *same_required)
{
	return hb_allowlisted(hb, same, same_required);
}

static enum tri tri_and(enum tri a, enum tri b)
{
	if (a == TRI_NO || b == TRI_NO)
		return TRI_NO;
	if (a == TRI_YES && b == TRI_YES)
		return TRI_YES;
	return TRI_UNKNOWN;
}

static enum tri tri_or(enum tri a, enum tri b)
{
	if (a == TRI_YES || b == TRI_YES)
		return TRI_YES;
	if (a == TRI_NO && b == TRI_NO)
		return TRI_NO;
	return TRI_UNKNOWN;
}

const char *map_type_key(enum map_type m)
{
	switch (m) {
	case MAP_BUS_ADDR:		return "bus_addr";
	case MAP_THRU_HOST_BRIDGE:	return "thru_host_bridge";
	case MAP_NOT_SUPPORTED:		return "not_supported";
	default:			return "unknown";
	}
}

const char *map_type_text(enum map_type m)
{
	switch (m) {
	case MAP_BUS_ADDR:
		return "bus address (PCI_P2PDMA_MAP_BUS_ADDR)";
	case MAP_THRU_HOST_BRIDGE:
		return "through the host bridge (PCI_P2PDMA_MAP_THRU_HOST_BRIDGE)";
	case MAP_NOT_SUPPORTED:
		return "not supported (PCI_P2PDMA_MAP_NOT_SUPPORTED)";
	default:
		return "unknown";
	}
}

const char *topo_class_name(enum topo_class c)
{
	static const char *const names[] = {
		[TOPO_X] = "X", [TOPO_PIX] = "PIX", [TOPO_PXB] = "PXB",
		[TOPO_PHB] = "PHB", [TOPO_NODE] = "NODE", [TOPO_SYS] = "SYS",
	};
	return names[c];
}

/* Append ", name" lists to a reason. */
static void list_names(char *buf, size_t len, struct p2p_node *const *v,
		       size_t n, const char *sep)
{
	size_t l = strlen(buf);

	for (size_t i = 0; i < n && l < len; i++) {
		snprintf(buf + l, len - l, "%s%s", i ? sep : "", v[i]->name);
		l = strlen(buf);
	}
}

static void appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + l, len - l, fmt, ap);
	va_end(ap);
}

static void note_acs(struct p2p_verdict *v, struct p2p_node *n)
{
	switch (node_acs_redir(n)) {
	case TRI_YES:
		v->redir[v->n_redir++] = n;
		break;
	case TRI_UNKNOWN:
		v->unknown[v->n_unknown++] = n;
		break;
	default:
		break;
	}
}

int topo_verdict(struct p2p_topo *t, struct p2p_node *provider,
		 struct p2p_node *client, struct p2p_verdict *v)
{
	struct p2p_node *chain_p[P2P_MAX_PATH], *chain_c[P2P_MAX_PATH];
	size_t np = 0, nc = 0, ia, ib = 0;
	bool found = false;
	enum tri hb_ok;

	memset(v, 0, sizeof(*v));
	v->provider = provider;
	v->client = client;
	for (struct p2p_node *a = provider; a; a = a->up) {
		if (np == P2P_MAX_PATH)
			return -ELOOP;
		chain_p[np++] = a;
	}
	for (struct p2p_node *b = client; b; b = b->up) {
		if (nc == P2P_MAX_PATH)
			return -ELOOP;
		chain_c[nc++] = b;
	}

	/* calc_map_type_and_dist(): walk up from the provider; for each of
	 * its bridges look for it above the client */
	for (ia = 0; ia < np && !found; ia++) {
		note_acs(v, chain_p[ia]);
		for (ib = 0; ib < nc; ib++)
			if (chain_p[ia] == chain_c[ib]) {
				found = true;
				break;
			}
	}
	if (found) {
		ia--;
		v->common = chain_p[ia];
		v->n_pside = ia + 1;
		v->n_cside = ib;
		v->distance = (int)(ia + ib);
		for (size_t i = 0; i < ib; i++)
			note_acs(v, chain_c[i]);
	} else {
		/* no common upstream bridge: the kernel's dist_a and dist_b
		 * end as the lengths of both chains; ACS does not matter */
		v->n_pside = np;
		v->n_cside = nc;
		v->distance = (int)(np + nc);
		v->n_redir = v->n_unknown = 0;
	}
	memcpy(v->pside, chain_p, v->n_pside * sizeof(chain_p[0]));
	memcpy(v->cside, chain_c, v->n_cside * sizeof(chain_c[0]));

	/* the class of the path, nvidia-smi topo -m style */
	if (provider == client)
		v->topo = TOPO_X;
	else if (found)
		v->topo = (ia <= 2 && ib <= 2) ? TOPO_PIX : TOPO_PXB;
	else if (provider->hb == client->hb)
		v->topo = TOPO_PHB;
	else if (provider->numa_node == client->numa_node)
		v->topo = TOPO_NODE;
	else
		v->topo = TOPO_SYS;

	/* cpu_supports_p2pdma() || host_bridge_whitelist() */
	v->cpu_ok = t->cpu.supports;
	if (provider->hb == client->hb)
		v->allowlisted = hb_allowlisted(provider->hb, true,
						&v->same_hb_required);
	else
		v->allowlisted = tri_and(
			hb_allowlisted(provider->hb, false, &v->same_hb_required),
			hb_allowlisted(client->hb, false, &v->same_hb_required));
	hb_ok = tri_or(v->cpu_ok, v->allowlisted);
	v->rc_p2p_known_good = hb_ok;

	v->reason[0] = '\0';
	if (found && !v->n_redir && !v->n_unknown) {
		v->map = MAP_BUS_ADDR;
		appendf(v->reason, sizeof(v->reason),
			"%s is the common upstream %s and no device on the path redirects P2P requests (ACS RR, CR, EC clear)",
			v->common->name,
			v->common == provider || v->common == client ?
			"device" : "bridge");
	} else if (found && !v->n_redir) {
		v->map = MAP_UNKNOWN;
		appendf(v->reason, sizeof(v->reason),
			"%s is the common upstream bridge, but the ACS control of ",
			v->common->name);
		list_names(v->reason, sizeof(v->reason), v->unknown,
			   v->n_unknown, ", ");
		appendf(v->reason, sizeof(v->reason),
			" is not readable (extended config space needs root): bus address if none redirects, else through the host bridge");
	} else {
		v->via_host_bridge = true;
		if (found) {
			appendf(v->reason, sizeof(v->reason),
				"ACS redirect is set on ");
			list_names(v->reason, sizeof(v->reason), v->redir,
				   v->n_redir, ", ");
			appendf(v->reason, sizeof(v->reason),
				", so the TLPs go up through the host bridge");
		} else if (provider->hb == client->hb) {
			appendf(v->reason, sizeof(v->reason),
				"no common upstream bridge: the path goes through host bridge %s",
				provider->hb->name);
		} else {
			appendf(v->reason, sizeof(v->reason),
				"no common upstream bridge: the path crosses host bridges %s and %s",
				provider->hb->name, client->hb->name);
		}
		switch (hb_ok) {
		case TRI_YES:
			v->map = MAP_THRU_HOST_BRIDGE;
			if (v->cpu_ok == TRI_YES)
				appendf(v->reason, sizeof(v->reason),
					"; the CPU (%s) supports P2P DMA",
					t->cpu.desc);
			else
				appendf(v->reason, sizeof(v->reason),
					"; the host bridge is on the P2PDMA allowlist");
			break;
		case TRI_NO:
			v->map = MAP_NOT_SUPPORTED;
			if (v->same_hb_required)
				appendf(v->reason, sizeof(v->reason),
					"; the allowlist accepts this host bridge only when both devices sit below the same one");
			else
				appendf(v->reason, sizeof(v->reason),
					"; the host bridge is not on the P2PDMA allowlist");
			appendf(v->reason, sizeof(v->reason),
				" and the CPU (%s) does not qualify (AMD family 0x17 or later)",
				t->cpu.desc);
			break;
		default:
			v->map = MAP_UNKNOWN;
			appendf(v->reason, sizeof(v->reason),
				"; whether the host bridge (%s) qualifies is unknown",
				v->cpu_ok == TRI_UNKNOWN ?
				"CPU model not recorded" :
				"its root port's config space is not readable");
			break;
		}
	}

	/* iommufd: no distance or allowlist check, only an IOMMU group */
	v->iommufd_maps = client->iommu_group >= 0;
	if (!v->iommufd_maps && client->from_dump)
		snprintf(v->iommufd_reason, sizeof(v->iommufd_reason),
			 "unknown: a dump file does not say whether %s has an IOMMU group (it needs one to be attached to an IOAS)",
			 client->name);
	else if (!v->iommufd_maps)
		snprintf(v->iommufd_reason, sizeof(v->iommufd_reason),
			 "%s has no IOMMU group: it cannot be attached to an IOAS",
			 client->name);
	/*
	 * A switch routes requests by address: a request that enters it on
	 * the client's downstream port without ACS P2P Request Redirect and
	 * whose (untranslated) IOVA falls in a sibling port's window goes
	 * there directly instead of up to the IOMMU.
	 */
	if (found && ia > 0 && ib > 0 && node_is_bridge(chain_c[ib - 1])) {
		const struct p2p_node *in = chain_c[ib - 1];

		v->switch_shortcut = !(in->acs_state == PCAP_FOUND &&
				       (in->acs_ctl & PCAP_ACS_RR));
		v->ingress = chain_c[ib - 1];
	}
	return 0;
}
