// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-edu-dma: drive QEMU's edu DMA engine through an inherited VFIO
 * device fd that is already bound to an iommufd and attached to an IOAS
 * (as `iommufd-ctl exec` provides), to prove that IOVA mappings are real.
 *
 *   iommufd-edu-dma [--fd N] copy SRC_IOVA DST_IOVA LENGTH
 *	RAM -> edu buffer -> RAM, 4 KiB at a time.
 *   iommufd-edu-dma [--fd N] [--scratch-iova IOVA] write IOVA LENGTH BYTE
 *	fill LENGTH bytes at IOVA with BYTE (through a scratch page that
 *	this helper maps into the IOAS for the duration).
 *   iommufd-edu-dma [--fd N] [--scratch-iova IOVA] read IOVA LENGTH [BYTE]
 *	read LENGTH bytes at IOVA; print the first 16 in hex; with BYTE,
 *	exit 1 unless every byte equals it.
 *
 * The device fd comes from --fd or IOMMUFD_CTL_DEVICE_FD; write and read
 * also need IOMMUFD_CTL_FD and IOMMUFD_CTL_IOAS_ID.  Exit: 0 ok, 1 failure
 * or mismatch, 2 usage.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "du/edu.h"
#include "du/exitcodes.h"
#include "du/iommufd.h"
#include "du/parse.h"

#define TIMEOUT_MS 5000

static int env_num(const char *name, const char *opt, int *out)
{
	const char *s = getenv(name);

	if (!s || du_parse_fd(s, out)) {
		du_err("%s is not set or not a number: run me from 'iommufd-ctl %s'",
		       name, opt);
		return -1;
	}
	return 0;
}

static int num(const char *what, const char *s, uint64_t *out)
{
	if (du_parse_size(s, out)) {
		du_err("invalid %s '%s'", what, s);
		return -1;
	}
	return 0;
}

/* src -> edu buffer -> dst, in chunks of the edu buffer's size. */
static int copy(struct du_edu *e, uint64_t src, uint64_t dst, uint64_t len)
{
	for (uint64_t done = 0; done < len; done += DU_EDU_BUF_SIZE) {
		uint32_t n = len - done < DU_EDU_BUF_SIZE ? (uint32_t)(len - done)
							   : DU_EDU_BUF_SIZE;
		int rc = du_edu_dma(e, src + done, n, DU_EDU_TO_DEVICE, 0,
				    TIMEOUT_MS);

		if (!rc)
			rc = du_edu_dma(e, dst + done, n, DU_EDU_FROM_DEVICE, 0,
					TIMEOUT_MS);
		if (rc) {
			du_err("edu DMA 0x%" PRIx64 " -> 0x%" PRIx64 ": %s",
			       src + done, dst + done, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'd' },
		{ "scratch-iova", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t scratch_iova = 0xff00000, a, b, len, byte = 0;
	int devfd = -1, iommufd = -1, ioas = -1, opt, rc = DU_EXIT_FAILURE;
	bool have_byte = false, mapped = false;
	unsigned char *scratch = MAP_FAILED;
	struct du_edu e;
	const char *cmd;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (du_parse_fd(optarg, &devfd))
				du_die(DU_EXIT_USAGE, "invalid --fd '%s'", optarg);
			break;
		case 's':
			if (du_parse_iova(optarg, 4096, &scratch_iova))
				du_die(DU_EXIT_USAGE, "invalid --scratch-iova '%s'", optarg);
			break;
		case 'h':
			printf("usage: iommufd-edu-dma [--fd N] copy SRC_IOVA DST_IOVA LENGTH\n"
			       "       iommufd-edu-dma [--fd N] [--scratch-iova IOVA] write IOVA LENGTH BYTE\n"
			       "       iommufd-edu-dma [--fd N] [--scratch-iova IOVA] read IOVA LENGTH [BYTE]\n");
			return 0;
		default:
			return DU_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		du_die(DU_EXIT_USAGE, "missing command (copy, write or read)");
	cmd = argv[optind++];
	if (!strcmp(cmd, "copy")) {
		if (argc - optind != 3 || num("source IOVA", argv[optind], &a) ||
		    num("destination IOVA", argv[optind + 1], &b) ||
		    num("length", argv[optind + 2], &len))
			du_die(DU_EXIT_USAGE, "usage: copy SRC_IOVA DST_IOVA LENGTH");
	} else if (!strcmp(cmd, "write") || !strcmp(cmd, "read")) {
		bool w = cmd[0] == 'w';

		if (argc - optind < 2 + w || argc - optind > 3 ||
		    num("IOVA", argv[optind], &a) ||
		    num("length", argv[optind + 1], &len) ||
		    (argc - optind == 3 && num("byte", argv[optind + 2], &byte)))
			du_die(DU_EXIT_USAGE, "usage: %s IOVA LENGTH %s", cmd,
			       w ? "BYTE" : "[BYTE]");
		have_byte = argc - optind == 3;
		if (byte > 0xff)
			du_die(DU_EXIT_USAGE, "BYTE must be 0..0xff");
		b = 0;
	} else {
		du_die(DU_EXIT_USAGE, "unknown command '%s' (copy, write or read)", cmd);
	}
	if (!len || len > 1024 * 1024)
		du_die(DU_EXIT_USAGE, "length must be 1..1M");

	if (devfd < 0 && env_num("IOMMUFD_CTL_DEVICE_FD", "exec --device DEV' or give '--fd", &devfd))
		return DU_EXIT_USAGE;
	rc = du_edu_open(devfd, &e);
	if (rc) {
		du_err("fd %d: not a usable edu device: %s", devfd, strerror(-rc));
		return DU_EXIT_FAILURE;
	}
	rc = DU_EXIT_FAILURE;
	if (!strcmp(cmd, "copy")) {
		if (!copy(&e, a, b, len)) {
			printf("copied %" PRIu64 " bytes from iova 0x%" PRIx64 " to iova 0x%" PRIx64 "\n",
			       len, a, b);
			rc = 0;
		}
		goto out;
	}

	/* read / write: a scratch buffer in the same IOAS. */
	if (env_num("IOMMUFD_CTL_FD", "exec", &iommufd) ||
	    env_num("IOMMUFD_CTL_IOAS_ID", "exec --ioas IOAS", &ioas))
		goto out;
	scratch = mmap(NULL, (len + 4095) & ~4095ull, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED) {
		du_err("mmap: %s", strerror(errno));
		goto out;
	}
	memset(scratch, cmd[0] == 'w' ? (int)byte : 0x3c, len);
	rc = du_ioas_map(iommufd, (uint32_t)ioas, scratch, (len + 4095) & ~4095ull,
			 &scratch_iova, DU_IOMMU_FIXED | DU_IOMMU_READ | DU_IOMMU_WRITE);
	if (rc) {
		du_err("mapping the scratch buffer at iova 0x%" PRIx64 ": %s",
		       scratch_iova, strerror(-rc));
		rc = DU_EXIT_FAILURE;
		goto out;
	}
	mapped = true;
	rc = DU_EXIT_FAILURE;
	if (cmd[0] == 'w') {
		if (!copy(&e, scratch_iova, a, len)) {
			printf("wrote %" PRIu64 " bytes of 0x%02" PRIx64 " at iova 0x%" PRIx64 "\n",
			       len, byte, a);
			rc = 0;
		}
		goto out;
	}
	if (copy(&e, a, scratch_iova, len))
		goto out;
	printf("read %" PRIu64 " bytes at iova 0x%" PRIx64 ":", len, a);
	for (uint64_t i = 0; i < len && i < 16; i++)
		printf(" %02x", scratch[i]);
	printf("\n");
	rc = 0;
	if (have_byte) {
		for (uint64_t i = 0; i < len; i++) {
			if (scratch[i] != byte) {
				du_err("byte %" PRIu64 " is 0x%02x, expected 0x%02" PRIx64,
				       i, scratch[i], byte);
				rc = DU_EXIT_FAILURE;
				break;
			}
		}
	}
out:
	if (mapped)
		du_ioas_unmap(iommufd, (uint32_t)ioas, scratch_iova,
			      (len + 4095) & ~4095ull, NULL);
	if (scratch != MAP_FAILED)
		munmap(scratch, (len + 4095) & ~4095ull);
	du_edu_close(&e);
	return rc;
}
