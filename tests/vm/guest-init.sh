#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# PID 1 of the test guest started by run-vm.sh (init= on the kernel
# command line).  The root file system is the host's, read-only over 9p;
# /run/du is the run's writable share (job.env from the host, results back).
#
#  1. mount the pseudo file systems and tmpfs on /tmp and /run
#  2. read /run/du/job.env, resolve each profile device to its PCI address
#     and bind it to vfio-pci
#  3. run each suite with a timeout (SIGKILL to its process group, so that
#     no shunit2 trap reports the interrupted test as passed): TAP to /run/du/results/NN-NAME.tap,
#     stderr to .log, "STATUS MILLISECONDS" to .rc; /dev/kmsg markers
#     "du-vm: begin suite NN-NAME" / "du-vm: end suite NN-NAME" let the host
#     attribute kernel messages to a suite
#  4. save dmesg, write /run/du/done, power off
#
# Never exits: if PID 1 exited the kernel would panic.  Every failure is
# reported and the machine still powers off, so the host sees what happened.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8 HOME=/tmp TMPDIR=/tmp TERM=${TERM:-vt100}
umask 022

say() { echo "du-vm: $*"; }
kmsg() { echo "du-vm: $*" >/dev/kmsg; }
mounted() { # DIR: is DIR a mount point? (no fork: execs over 9p are slow)
	local _ dir rest
	[ -r /proc/self/mounts ] || return 1
	while read -r _ dir rest; do
		[ "$dir" = "$1" ] && return 0
	done </proc/self/mounts
	return 1
}
fsmount() { # TYPE SOURCE DIR [OPTIONS]
	mounted "$3" && return 0
	[ -d "$3" ] || mkdir -p "$3"
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" || say "cannot mount $1 on $3"
}

power_off() {
	sync
	[ -x "${DU_BUILDDIR:-}/vm-poweroff" ] && "$DU_BUILDDIR/vm-poweroff"
	# Fallbacks: with -no-reboot a reboot ends QEMU too.
	echo o >/proc/sysrq-trigger 2>/dev/null
	say "cannot power off; halting by exiting init"
	exit 1
}

fsmount proc proc /proc
fsmount sysfs sysfs /sys
fsmount devtmpfs devtmpfs /dev
fsmount tmpfs tmpfs /tmp mode=1777
fsmount tmpfs tmpfs /run mode=0755
fsmount devpts devpts /dev/pts gid=5,mode=620
fsmount tmpfs tmpfs /dev/shm mode=1777
fsmount debugfs debugfs /sys/kernel/debug
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
fsmount 9p du_share /run/du trans=virtio,version=9p2000.L,msize=512000
read -r uptime _ </proc/uptime
echo "$uptime" >/run/du/boot-uptime
say "init at ${uptime}s: $(uname -r)"

# shellcheck source=/dev/null
if ! . /run/du/job.env; then
	say "cannot read /run/du/job.env"
	power_off
fi
for i in "${!DU_MOUNTS[@]}"; do
	fsmount 9p "du_x$i" "${DU_MOUNTS[$i]}" trans=virtio,version=9p2000.L,msize=512000,cache=loose
done

# ---- devices ----------------------------------------------------------------
# resolve PATH: "00:1c.0/00.0/01.0" = slot.function per hop from bus 0.
resolve() {
	local hop dir=/sys/bus/pci/devices/0000:${1%%/*} rest=${1#*/} m
	[ -e "$dir" ] || return 1
	dir=$(realpath "$dir")
	[ "$rest" = "$1" ] && { echo "${dir##*/}"; return 0; }
	for hop in ${rest//\// }; do
		m=("$dir"/0000:??:"$hop")
		[ ${#m[@]} -eq 1 ] && [ -e "${m[0]}" ] || return 1
		dir=${m[0]}
	done
	echo "${dir##*/}"
}

bind_vfio() { # BDF -> prints the VFIO cdev
	local bdf=$1 sys=/sys/bus/pci/devices/$1 drv _
	drv=$(basename "$(readlink "$sys/driver" 2>/dev/null)" 2>/dev/null)
	if [ -n "$drv" ] && [ "$drv" != vfio-pci ]; then
		echo "$bdf" >"$sys/driver/unbind" || return 1
	fi
	if [ "$drv" != vfio-pci ]; then
		echo vfio-pci >"$sys/driver_override" || return 1
		echo "$bdf" >/sys/bus/pci/drivers_probe || return 1
	fi
	for _ in $(seq 50); do
		for c in "$sys"/vfio-dev/vfio*; do
			[ -c "/dev/vfio/devices/${c##*/}" ] && { echo "/dev/vfio/devices/${c##*/}"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

: >/run/du/bind.log
: >/run/du/guest.env
for name in $DU_DEVICES; do
	v=DU_${name^^}
	path_var=${v}_PATH
	if ! bdf=$(resolve "${!path_var}"); then
		say "device $name: nothing at ${!path_var}" | tee -a /run/du/bind.log
		continue
	fi
	export "${v}_BDF=$bdf"
	echo "${v}_BDF=$bdf" >>/run/du/guest.env
	if cdev=$(bind_vfio "$bdf"); then
		export "${v}_VFIO=$cdev"
		echo "${v}_VFIO=$cdev" >>/run/du/guest.env
		say "device $name: $bdf bound to vfio-pci ($cdev)" | tee -a /run/du/bind.log
	else
		say "device $name: $bdf could not be bound to vfio-pci" | tee -a /run/du/bind.log
	fi
done
for v in $(compgen -A variable DU_); do export "${v?}"; done
export DU_SHARE=/run/du top_srcdir=$DU_SRCDIR top_builddir=$DU_BUILDDIR SHUNIT2
export PATH=$DU_BUILDDIR:$PATH

# ---- suites -----------------------------------------------------------------
# stuck_tasks: every task in uninterruptible sleep, with its command line,
# wait channel and kernel stack (CONFIG_STACKTRACE), and the kernel's own
# list of blocked tasks when sysrq is built in; to the console as well.
stuck_tasks() {
	local d st comm
	say "suite timed out; tasks in D state:"
	for d in /proc/[0-9]*; do
		st=$(awk '/^State:/ {print $2; exit}' "$d/status" 2>/dev/null) || continue
		[ "$st" = D ] || continue
		comm=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)
		say "  pid ${d#/proc/} ($comm) wchan $(cat "$d/wchan" 2>/dev/null)"
		sed 's/^/du-vm:     /' "$d/stack" 2>/dev/null
	done | tee /dev/console
	[ -w /proc/sysrq-trigger ] && echo w >/proc/sysrq-trigger
}

kmemleak_scan() {
	# Under TCG with KASAN a scan takes about half a minute: a run that
	# ends with suites/debug-klog.sh (one scan of everything) skips these.
	[ "${DU_KMEMLEAK_EACH:-1}" = 1 ] || return 0
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	# Objects younger than 5 s are never reported; two scans settle it.
	sleep 5
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >>"/run/du/results/$1.kmemleak"
}

for i in "${!DU_SUITE_NAMES[@]}"; do
	n=${DU_SUITE_NAMES[$i]} s=${DU_SUITE_PATHS[$i]}
	r=/run/du/results/$n
	taint0=$(cat /proc/sys/kernel/tainted)
	say "suite $n: $s"
	kmsg "begin suite $n"
	t0=$(date +%s%N)
	# timeout(1) leads a new process group: its pid is the group id.
	(cd /tmp && DU_SUITE=$n exec timeout -s KILL "$DU_SUITE_TIMEOUT" bash "$s") \
		>"$r.tap" 2>"$r.log" </dev/null &
	pid=$!
	wait "$pid"
	rc=$?
	# A suite killed by its timeout: name what it was waiting for, while
	# it still waits (a task in D state survives the SIGKILL below).
	[ "$rc" -eq 137 ] && stuck_tasks >>"$r.log" 2>&1
	# Nothing a suite started may outlive it (and hold a device open).
	kill -KILL -- "-$pid" 2>/dev/null
	t1=$(date +%s%N)
	kmemleak_scan "$n"
	taint1=$(cat /proc/sys/kernel/tainted)
	[ "$taint0" = "$taint1" ] || kmsg "TAINT changed from $taint0 to $taint1 during $n"
	kmsg "end suite $n"
	echo "$rc $(((t1 - t0) / 1000000))" >"$r.rc"
	say "suite $n: exit $rc, $(((t1 - t0) / 1000000)) ms"
done

dmesg >/run/du/dmesg.txt 2>&1
if [ "${DU_SHELL:-0}" = 1 ]; then
	say "interactive shell; exit it to power off (environment in /run/du/guest.env)"
	setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
fi
echo ok >/run/du/done
power_off
