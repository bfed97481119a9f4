// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf exec: run a command holding a buffer fd, from a broker or
 * from a fresh export.
 *
 * From a broker the command simply replaces vfio-dmabuf (the broker holds
 * the device).  A fresh export needs its device fd open for as long as the
 * buffer is in use, and the command must never see that fd; so vfio-dmabuf
 * stays as the parent, keeps the device, waits for the command and then
 * revokes the buffer (or, without the revoke feature, closes the device,
 * which ends it too), so nothing the command left behind keeps access.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/vfio.h"
#include "bufspec.h"
#include "proto.h"
#include "vfio-dmabuf.h"

struct exec_args {
	struct vd_bufspec spec;
	const char *socket;
	uint32_t id;
	int fd_number;		/* -1: wherever it lands */
	const char *prefix;
	char **cmd;
};

static const struct argp_option exec_options[] = {
	{ NULL, 0, NULL, 0, "From a broker:", 0 },
	{ "socket", OPT_SOCKET, "PATH", 0,
	  "the broker's socket (default $VFIO_DMABUF_SOCKET)", 0 },
	{ "id", OPT_ID, "ID", 0, "the broker's buffer ID", 0 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0,
	  "wait at most SECONDS for the broker at each step (default 5; 0 waits forever)", 0 },
	{ NULL, 0, NULL, 0, "For the command:", 3 },
	{ "fd-number", OPT_FD, "N", 0,
	  "give the buffer to the command as fd N (default: any free number)",
	  3 },
	{ "env-prefix", OPT_ENV_FD, "PREFIX", 0,
	  "name the variables PREFIX_FD, PREFIX_SIZE... (default VFIO_DMABUF)",
	  3 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t exec_parse(int key, char *arg, struct argp_state *state)
{
	struct exec_args *a = state->input;
	const char *p;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->spec;
		break;
	case OPT_SOCKET:
		a->socket = arg;
		break;
	case OPT_TIMEOUT:
		vd_client_timeout_ms = vd_arg_seconds("--timeout", arg);
		break;
	case OPT_ID:
		a->id = vd_arg_u32("--id", arg);
		if (a->id == 0)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--id: buffer IDs start at 1");
		break;
	case OPT_FD:
		a->fd_number = vd_arg_fd("--fd-number", arg);
		if (a->fd_number <= STDERR_FILENO)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--fd-number: %d is stdin, stdout or stderr",
				     a->fd_number);
		break;
	case OPT_ENV_FD:
		for (p = arg; *p; p++)
			if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= 'a' && *p <= 'z') ||
			      (p != arg && *p >= '0' && *p <= '9')))
				break;
		if (!*arg || *p)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--env-prefix: '%s' is not a variable name",
				     arg);
		a->prefix = arg;
		break;
	case ARGP_KEY_ARG:
		a->cmd = state->argv + state->next - 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!a->cmd)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "missing the command to run (after --)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child exec_children[] = {
	{ &vd_bufspec_argp, 0, "Or a fresh export:", 1 },
	{ NULL, 0, NULL, 0 },
};

static const struct argp exec_argp = {
	.options = exec_options,
	.parser = exec_parse,
	.args_doc = "-- COMMAND [ARG...]",
	.doc = "Run COMMAND holding a DMA-BUF fd: a broker's buffer (--socket, "
	       "--id) or a fresh export (--device, --bar, --range...).\v"
	       "COMMAND gets the fd number in VFIO_DMABUF_FD, and "
	       "VFIO_DMABUF_SIZE, VFIO_DMABUF_NAME, VFIO_DMABUF_DEVICE, "
	       "VFIO_DMABUF_BAR, VFIO_DMABUF_INODE (plus VFIO_DMABUF_ID and "
	       "VFIO_DMABUF_SOCKET from a broker).  With a fresh export "
	       "vfio-dmabuf waits for COMMAND, then revokes the buffer; the exit "
	       "status is COMMAND's (126: cannot run it, 127: not found, "
	       "128+N: killed by signal N).",
	.children = exec_children,
};

static void set_var(const char *prefix, const char *name, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
static void set_var(const char *prefix, const char *name, const char *fmt,
		    ...)
{
	char key[128], val[128];
	va_list ap;

	snprintf(key, sizeof(key), "%s_%s", prefix, name);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (setenv(key, val, 1) < 0)
		du_die(DU_EXIT_FAILURE, "setenv %s: %s", key, strerror(errno));
}

/* In the process that becomes COMMAND: place the fd, set the variables,
 * exec.  Never returns. */
static void __attribute__((noreturn))
run_command(struct exec_args *a, int fd, const struct vd_wire_buffer *w)
{
	const char *p = a->prefix ? a->prefix : "VFIO_DMABUF";
	int flags;

	if (a->fd_number >= 0 && fd != a->fd_number) {
		if (dup2(fd, a->fd_number) < 0)
			du_die(126, "dup2 to fd %d: %s", a->fd_number,
			       strerror(errno));
		close(fd);
		fd = a->fd_number;
	}
	flags = fcntl(fd, F_GETFD);
	if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
		du_die(126, "fd %d: %s", fd, strerror(errno));
	set_var(p, "FD", "%d", fd);
	set_var(p, "SIZE", "%" PRIu64, w->size);
	set_var(p, "NAME", "%s", w->name);
	set_var(p, "DEVICE", "%s", w->device);
	set_var(p, "BAR", "%u", w->bar);
	set_var(p, "INODE", "%" PRIu64, w->inode);
	if (w->id) {
		set_var(p, "ID", "%u", w->id);
		set_var(p, "SOCKET", "%s", a->socket);
	}
	fflush(NULL);
	execvp(a->cmd[0], a->cmd);
	du_die(errno == ENOENT ? 127 : 126, "cannot run '%s': %s", a->cmd[0],
	       strerror(errno));
}

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static int exec_from_broker(struct exec_args *a)
{
	struct vd_client c;
	struct vd_wire_buffer *w;
	int fd = -1, status;

	if (vd_bufspec_given(&a->spec))
		vd_usage("--id takes the buffer from a broker: --device, --bar, --range, --name, --memattr do not apply");
	a->socket = vd_socket_default(a->socket);
	status = vd_client_connect(&c, a->socket);
	if (status)
		return status;
	w = malloc(vd_wire_buffer_size(VD_MAX_RANGES));
	if (!w)
		du_die(DU_EXIT_FAILURE, "out of memory");
	status = vd_client_get(&c, a->id, &fd, w);
	vd_client_close(&c);
	if (status) {
		free(w);
		return status;
	}
	run_command(a, fd, w);
}

int cmd_exec(int argc, char **argv)
{
	struct exec_args a = { .fd_number = -1 };
	struct du_vfio_device vfio;
	struct vd_features f;
	struct vd_wire_buffer *w;
	struct sigaction sa = { .sa_handler = forward }, ign = {
		.sa_handler = SIG_IGN }, old_int, old_quit;
	int fd, wstatus, status, err;
	pid_t pid;

	vd_parse_to_arg(&exec_argp, "exec", argc, argv, &a);
	if (a.id)
		return exec_from_broker(&a);
	if (a.socket)
		vd_usage("--socket needs --id");
	if (!vd_bufspec_given(&a.spec))
		vd_usage("which buffer? give --id (with --socket) or --device, --bar and --range");
	status = vd_bufspec_validate(&a.spec);
	if (status)
		goto out_spec;
	fd = vd_bufspec_export_local(&a.spec, &vfio, &f);
	if (fd < 0) {
		status = -fd;
		goto out_spec;
	}
	w = vd_bufspec_describe(&a.spec, fd, vfio.fd, &f);

	sigaction(SIGINT, &ign, &old_int);	/* the command gets them */
	sigaction(SIGQUIT, &ign, &old_quit);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		du_err("fork: %s", strerror(errno));
		status = DU_EXIT_FAILURE;
		goto out;
	}
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		run_command(&a, fd, w);
	}
	child_pid = pid;
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			du_err("waitpid: %s", strerror(errno));
			wstatus = 1 << 8;
			break;
		}
	}
	if (WIFEXITED(wstatus))
		status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		status = 128 + WTERMSIG(wstatus);
	else
		status = DU_EXIT_FAILURE;
out:
	if (f.revoke) {
		err = du_vfio_dmabuf_revoke(vfio.fd, fd);
		if (err < 0 && err != -EBADFD)
			du_warn("revoking the buffer: %s (closing the device ends it)",
				du_vfio_strerror(DU_VFIO_OP_REVOKE, err));
	}
	close(fd);
	du_vfio_close(&vfio);
	free(w);
out_spec:
	vd_bufspec_free(&a.spec);
	return status;
}
