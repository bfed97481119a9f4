// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockpoke - send one hand-made (usually broken) message to a vfio-dmabuf
 * broker and print what comes back, for the host tests of the protocol.
 *
 *   sockpoke SOCKET KIND
 *
 * KIND: garbage, short, badmagic, badversion, longlen, shortlen,
 * unknowntype, truncexport, manyranges, badreserved, withfd, resetv1 (a
 * version-2 RESET in a version-1 header), resetflags, hello, hellov2 (a
 * version-1 request in a version-2 header, accepted), forge (an export
 * whose device string holds a newline and a forged log line), close
 * (connect and close at once, like a client killed midway).
 *
 *   sockpoke SOCKET idle SECONDS
 *
 * connects and sends nothing: prints what the broker sends within SECONDS
 * (a reply, then "closed" or "open"), or "no reply (timeout)".
 *
 *   sockpoke SOCKET flood SECONDS
 *
 * for SECONDS, sends HELLO requests as fast as the broker takes them and
 * never reads a reply; when the broker closes the connection, connects
 * again.  Prints "N connections, M requests" at the end.
 *
 *   sockpoke SOCKET stream
 *
 * listens on SOCKET with a SOCK_STREAM socket (not a broker's kind),
 * prints "listening" and waits until killed.
 *
 *   sockpoke SOCKET hold N
 *
 * opens N connections (without blocking: a connection the broker's backlog
 * has no room for is not counted), prints "connected K of N" and holds
 * them, idle, until killed.
 *
 * Prints "reply type=0x.. err=N exit=N message=..." for a reply, then
 * "closed" if the broker closed the connection afterwards (or "open").
 * Exit status: 0 when a reply (or, for close, nothing) came, 1 otherwise.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "du/scm.h"
#include "../../../tools/vfio-dmabuf/proto.h"

static int flood(const struct sockaddr_un *sa, int seconds)
{
	struct vd_msg_hdr h;
	time_t end = time(NULL) + seconds;
	unsigned long conns = 0, reqs = 0;
	struct pollfd p = { .fd = -1, .events = POLLOUT };

	vd_proto_hdr(&h, VD_MSG_HELLO, sizeof(h), 1);
	while (time(NULL) < end) {
		if (p.fd < 0) {
			p.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK,
				      0);
			if (p.fd < 0 || connect(p.fd, (const void *)sa,
						sizeof(*sa)) < 0) {
				if (p.fd >= 0)
					close(p.fd);
				p.fd = -1;
				usleep(10000);
				continue;
			}
			conns++;
		}
		if (send(p.fd, &h, sizeof(h), MSG_NOSIGNAL) == sizeof(h)) {
			reqs++;
			continue;
		}
		if (errno == EAGAIN) {
			poll(&p, 1, 100);	/* the broker is reading */
			continue;
		}
		close(p.fd);		/* dropped: again */
		p.fd = -1;
	}
	printf("%lu connections, %lu requests\n", conns, reqs);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[VD_MSG_MAX];
	struct vd_msg_hdr *h = (void *)buf;
	const struct vd_status *st;
	struct vd_export_req *e;
	struct pollfd p;
	size_t len = sizeof(*h), nfds = 0;
	ssize_t n;
	int s, fds[1], sendfd = -1, wait_ms = -1;
	const char *kind;

	if (argc < 3) {
		fprintf(stderr, "usage: sockpoke SOCKET KIND [N]\n");
		return 2;
	}
	kind = argv[2];
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	if (!strcmp(kind, "hold") && argc == 4) {
		int i, k = 0, want = atoi(argv[3]);

		int budget = 1000;	/* 2 ms retries while the backlog is full */

		for (i = 0; i < want; i++) {
			s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
			if (s < 0)
				break;
			int r;

			while ((r = connect(s, (struct sockaddr *)&sa,
					    sizeof(sa))) < 0 &&
			       errno == EAGAIN && budget-- > 0)
				usleep(2000);
			if (r < 0) {
				close(s);
				break;
			}
			k++;
		}
		printf("connected %d of %d\n", k, want);
		fflush(stdout);
		for (;;)
			pause();
	}
	if (!strcmp(kind, "stream")) {
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(s, 4) < 0) {
			perror("stream");
			return 1;
		}
		printf("listening\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (!strcmp(kind, "flood") && argc == 4)
		return flood(&sa, atoi(argv[3]));
	if (!strcmp(kind, "idle") && argc == 4)
		wait_ms = atoi(argv[3]) * 1000;
	else if (argc != 3) {
		fprintf(stderr, "usage: sockpoke SOCKET KIND\n");
		return 2;
	}
	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		return 1;
	}
	if (!strcmp(kind, "close")) {
		close(s);
		return 0;
	}
	memset(buf, 0, sizeof(buf));
	vd_proto_hdr(h, VD_MSG_HELLO, sizeof(*h), 7);
	if (!strcmp(kind, "garbage")) {
		memcpy(buf, "GET / HTTP/1.0\r\n\r\n", 18);
		len = 18;
	} else if (!strcmp(kind, "short")) {
		len = 3;
	} else if (!strcmp(kind, "badmagic")) {
		h->magic = 0xdeadbeef;
	} else if (!strcmp(kind, "badversion")) {
		h->version = 99;
	} else if (!strcmp(kind, "longlen")) {
		h->length = 64;		/* says more than is sent */
	} else if (!strcmp(kind, "shortlen")) {
		h->length = 8;
	} else if (!strcmp(kind, "unknowntype")) {
		h->type = 77;
	} else if (!strcmp(kind, "truncexport")) {
		/* says 3 ranges, carries 1 */
		e = (void *)(h + 1);
		strcpy(e->device, "0000:00:04.0");
		e->bar = 2;
		e->nranges = 3;
		e->ranges[0].length = 4096;
		len = sizeof(*h) + sizeof(*e) + sizeof(e->ranges[0]);
		vd_proto_hdr(h, VD_MSG_EXPORT, (uint32_t)len, 7);
	} else if (!strcmp(kind, "manyranges")) {
		e = (void *)(h + 1);
		e->nranges = 100000;
		len = sizeof(*h) + sizeof(*e);
		vd_proto_hdr(h, VD_MSG_EXPORT, (uint32_t)len, 7);
	} else if (!strcmp(kind, "badreserved")) {
		len = sizeof(*h) + sizeof(struct vd_id_req);
		vd_proto_hdr(h, VD_MSG_GET, (uint32_t)len, 7);
		((struct vd_id_req *)(h + 1))->id = 1;
		((struct vd_id_req *)(h + 1))->reserved = 5;
	} else if (!strcmp(kind, "withfd")) {
		sendfd = STDIN_FILENO;
	} else if (!strcmp(kind, "resetv1") || !strcmp(kind, "resetflags")) {
		len = sizeof(*h) + sizeof(struct vd_reset_req);
		vd_proto_hdr(h, VD_MSG_RESET, (uint32_t)len, 7);
		strcpy(((struct vd_reset_req *)(h + 1))->device, "0000:00:04.0");
		if (!strcmp(kind, "resetv1"))
			h->version = 1;
		else
			((struct vd_reset_req *)(h + 1))->flags = 1;
	} else if (!strcmp(kind, "hellov2")) {
		h->version = 2;
	} else if (!strcmp(kind, "forge")) {
		e = (void *)(h + 1);
		strcpy(e->device, "0:0\nFORGED \033[2J");
		e->bar = 2;
		e->nranges = 1;
		e->ranges[0].length = 4096;
		len = sizeof(*h) + sizeof(*e) + sizeof(e->ranges[0]);
		vd_proto_hdr(h, VD_MSG_EXPORT, (uint32_t)len, 7);
	} else if (!strcmp(kind, "idle")) {
		len = 0;
	} else if (strcmp(kind, "hello")) {
		fprintf(stderr, "sockpoke: unknown kind '%s'\n", kind);
		return 2;
	}
	if (len && du_scm_send(s, buf, len, sendfd >= 0 ? &sendfd : NULL,
			       sendfd >= 0 ? 1 : 0) < 0) {
		perror("send");
		return 1;
	}
	p.fd = s;
	p.events = POLLIN;
	if (wait_ms >= 0 && poll(&p, 1, wait_ms) != 1) {
		printf("no reply (timeout)\n");
		return 1;
	}
	n = du_scm_recv(s, buf, sizeof(buf), fds, 1, &nfds);
	if (n <= 0) {
		printf("no reply (%s)\n", n ? strerror((int)-n) : "closed");
		return 1;
	}
	if ((size_t)n < sizeof(*h) + sizeof(*st)) {
		printf("short reply of %zd bytes\n", n);
		return 1;
	}
	st = (const void *)(h + 1);
	printf("reply type=0x%x seq=%u err=%d exit=%u message=%.*s\n", h->type,
	       h->seq, st->err, st->exit_code, (int)sizeof(st->message),
	       st->message);
	p.fd = s;
	p.events = POLLIN;
	if (poll(&p, 1, 2000) == 1 && recv(s, buf, sizeof(buf), 0) == 0)
		printf("closed\n");
	else
		printf("open\n");
	close(s);
	return 0;
}
