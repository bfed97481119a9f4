#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boot the test kernel under QEMU (TCG, q35 + intel-iommu) with a device
# profile, run shunit2 suites in the guest and report the results as TAP.
#
# Usage: tests/vm/run-vm.sh [options] [--suite FILE]...
#   --kernel IMAGE      bzImage to boot (default: kernel/scripts/build.sh --print-image)
#   --profile A[,B]     device profiles, repeatable (default: p2p); see --list-profiles
#   --suite FILE        shunit2 suite to run in the guest, repeatable; a bare
#                       name means tests/vm/suites/NAME.sh
#   --timeout SEC       hard limit for the whole VM run (default: 120 s plus
#                       the suite timeout for each suite)
#   --suite-timeout SEC limit for each suite inside the guest (default: 300)
#   --out DIR           output directory (default: a new /tmp/du-vm.XXXXXX)
#   --append ARGS       extra kernel command line arguments
#   --builddir DIR      where the project was built (default: $top_builddir,
#                       else the source tree)
#   --shell             interactive: console on stdio, a root shell in the
#                       guest after the suites (Ctrl-A X quits QEMU)
#   --no-kmemleak-each  no kmemleak scan after each suite (when kmemleak is
#                       built in); for runs ending with suites/debug-klog.sh
#   --memory SIZE       guest RAM, as QEMU's -m takes it (default 2G; the
#                       hugebar profile's 2 GiB BAR is a device, not RAM)
#   --boot-stall SEC    a guest whose console stays silent this long before
#                       its init starts is stopped and booted once more
#                       (default 60; the debug kernel's longest silence
#                       before init is some 16 s); DU_VM_FAULT_BOOT_STALL=1
#                       starts the first boot with its CPUs stopped (a test)
#   -v, --verbose       copy the guest console to stderr while it runs
#   --list-profiles     list the device profiles and exit
#   --evaluate DIR      do not boot: report again on the run kept in DIR
#   -h, --help          this text
#
# Output: TAP on stdout, one test point per guest test ("SUITE: test"),
# plus per suite "completed" and "kernel log clean", and "vm: boot" and
# "vm: clean shutdown".  Progress and the output directory go to stderr.
# Exit status: 0 all passed (or skipped), 1 a test or check failed (panic,
# oops, WARN, lockdep/KASAN/kmemleak report, hang, missing results),
# 2 usage error or missing prerequisite.
set -euo pipefail

prog=${0##*/}
vmdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$vmdir/../.." && pwd)

die() { printf '%s: %s\n' "$prog" "$*" >&2; exit "${DIE_STATUS:-2}"; }
note() { printf '%s: %s\n' "$prog" "$*" >&2; }
usage() { sed -n '4,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
# What in a kernel log fails a run (klog_scan): shared with the guest.
# shellcheck source=lib/klog-scan.sh
. "$vmdir/lib/klog-scan.sh"

# ---- options ---------------------------------------------------------------
kernel='' out='' append='' evaluate='' shell=0 verbose=0 timeout='' suite_timeout=300
kmemleak_each=1 memory=2G boot_stall=60 boot_hung=0 boot_retried=0
builddir=${top_builddir:-}
profiles=() suites=()
need() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		die "option '$1' needs an argument (try --help)"
	fi
}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) need "$@"; kernel=$2; shift ;;
	--profile) need "$@"; IFS=, read -r -a p <<<"$2"; profiles+=("${p[@]}"); shift ;;
	--suite) need "$@"; suites+=("$2"); shift ;;
	--timeout) need "$@"; timeout=$2; shift ;;
	--suite-timeout) need "$@"; suite_timeout=$2; shift ;;
	--out) need "$@"; out=$2; shift ;;
	--append) need "$@"; append=$2; shift ;;
	--builddir) need "$@"; builddir=$2; shift ;;
	--evaluate) need "$@"; evaluate=$2; shift ;;
	--shell) shell=1 ;;
	--no-kmemleak-each) kmemleak_each=0 ;;
	--memory)
		need "$@"
		[[ "$2" =~ ^[1-9][0-9]*[MG]$ ]] || die "--memory: '$2' is not a size like 1G or 768M"
		memory=$2; shift ;;
	--boot-stall)
		need "$@"
		[[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--boot-stall: '$2' is not a number of seconds"
		boot_stall=$2; shift ;;
	-v|--verbose) verbose=1 ;;
	--list-profiles)
		for f in "$vmdir"/profiles/*.profile; do
			n=${f##*/}
			printf '%-10s %s\n' "${n%.profile}" "$(sed -n 's/^# Profile: //p' "$f")"
		done
		exit 0 ;;
	-h|--help) usage ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
	shift
done
[[ $suite_timeout =~ ^[1-9][0-9]*$ ]] || die "--suite-timeout: '$suite_timeout' is not a number of seconds"
# By default every suite can use its whole timeout before QEMU is killed.
[ -n "$timeout" ] || timeout=$((120 + ${#suites[@]} * suite_timeout))
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout: '$timeout' is not a number of seconds"
[ ${#profiles[@]} -gt 0 ] || profiles=(p2p)
[ ${#suites[@]} -gt 0 ] || [ "$shell" = 1 ] || [ -n "$evaluate" ] ||
	die "nothing to do: give --suite FILE or --shell (try --help)"

# ---- verdict ----------------------------------------------------------------
point() { # ok|not-ok "description" [diagnostic lines...]
	local st=$1 desc=$2
	shift 2
	ntap=$((ntap + 1))
	if [ "$st" = ok ]; then
		tap+=("ok $ntap - $desc")
	else
		tap+=("not ok $ntap - $desc")
		nfail=$((nfail + 1))
	fi
	local l x
	for l in "$@"; do
		while IFS= read -r x; do tap+=("#   $x"); done <<<"$l"
	done
}

secs() { printf '%d.%03d' "$(($1 / 1000))" "$(($1 % 1000))"; }

check_log() { # SEGMENT DESCRIPTION
	local f=$seg_dir/$1 hits
	if [ ! -f "$f" ] && [ "$1" != boot ]; then
		point ok "$2 # SKIP it did not run"
		return
	fi
	hits=$(klog_scan "$f" 2>/dev/null || true)
	if [ -z "$hits" ]; then
		point ok "$2"
	else
		mapfile -t h <<<"$hits"
		point not-ok "$2" "kernel reported (console $1, first hits):" "${h[@]}"
	fi
}

# Byte comparisons a suite asked the host to make (vm_host_expect in
# tests/vm/lib/vm-suite.sh): "EXPECTED<TAB>FILE<TAB>OFFSET<TAB>DESC" with
# paths relative to the share.
host_checks() { # NN-SUITE NAME
	local dir=$share/host-checks/$1 exp file off desc size
	[ -f "$dir/checks" ] || return 0
	while IFS=$'\t' read -r exp file off desc; do
		size=$(stat -c %s "$dir/$exp")
		if [[ $file == *..* ]] || [ ! -f "$share/$file" ]; then
			point not-ok "$2: host: $desc" "no such file on the share: $file"
		elif cmp -n "$size" -i "0:$off" "$dir/$exp" "$share/$file" >/dev/null 2>&1; then
			point ok "$2: host: $desc"
		else
			point not-ok "$2: host: $desc" \
				"$share/$file at offset $off differs from the expected $size bytes:" \
				"$(cmp -n "$size" -i "0:$off" "$dir/$exp" "$share/$file" 2>&1 | head -n 3)"
		fi
	done <"$dir/checks"
}

# why_failed LOG TEST: shunit2's messages for a failed test (its block in
# the suite's stderr starts with the line "test_TEST").
why_failed() {
	local block
	block=$(awk -v t="test_${2%% *}" '$0 == t { on = 1; next }
		on && /^test_[A-Za-z0-9_]+$/ { exit } on' "$1" 2>/dev/null)
	if grep -q '^ASSERT:' <<<"$block"; then
		grep '^ASSERT:' <<<"$block" | head -n 6
	else
		tail -n 6 <<<"$block"
	fi
}

# report: print the TAP for the run in $out; returns 1 if anything failed.
report() {
	tap=() ntap=0 nfail=0

	# Split the console into segments: "boot" until the first suite begins,
	# one per suite between its begin and end markers, "shutdown" otherwise.
	seg_dir=$out/console
	rm -rf "$seg_dir"
	mkdir -p "$seg_dir"
	tr -d '\r' <"$out/console.log" | awk -v dir="$seg_dir" '
		BEGIN { seg = "boot" }
		/du-vm: begin suite / { seg = $NF }
		{ print > (dir "/" seg) }
		/du-vm: end suite / { seg = "shutdown" }'

	boot_up=$(cat "$share/boot-uptime" 2>/dev/null || true)
	if [ -n "$boot_up" ]; then
		point ok "vm: boot reached guest init ($boot_up s)"
	elif [ "$boot_hung" = 1 ]; then
		point not-ok "vm: boot reached guest init" \
			"the boot stopped twice: no console output for $boot_stall s before init (the first: console.boot-hang.log); last console lines:" \
			"$(tail -n 15 "$out/console.log" | tr -d '\r')"
	else
		point not-ok "vm: boot reached guest init" \
			"the guest init did not start; last console lines:" \
			"$(tail -n 15 "$out/console.log" | tr -d '\r')"
	fi
	if [ "$boot_retried" = 1 ]; then
		tap+=("# boot: the first boot stopped before init (no console output for $boot_stall s; kept as console.boot-hang.log); this is the second")
	fi
	check_log boot "vm: boot: kernel log clean"
	if [ -s "$share/bind.log" ]; then
		while IFS= read -r l; do tap+=("# bind: $l"); done <"$share/bind.log"
	fi

	timings=()
	for i in "${!suite_names[@]}"; do
		n=${suite_names[$i]}
		name=${n#[0-9][0-9]-}
		tf=$share/results/$n.tap rf=$share/results/$n.rc
		planned=0 seen=0 skip_all=
		if [ -f "$tf" ]; then
			while IFS= read -r l; do
				case "$l" in
				"1..0"*) skip_all=${l#*# SKIP}; skip_all=${skip_all# } ;;
				1..*) planned=${l#1..}; planned=${planned%% *} ;;
				"ok "*|"not ok "*)
					seen=$((seen + 1))
					[[ $l =~ ^(not\ )?ok\ +[0-9]*\ *(-\ *)?(.*)$ ]]
					st=ok
					[ -z "${BASH_REMATCH[1]}" ] || st=not-ok
					d=${BASH_REMATCH[3]}
					if [ "$st" = ok ]; then
						point ok "$name: $d"
					else
						point not-ok "$name: $d" "$(why_failed "$share/results/$n.log" "$d")"
					fi ;;
				"#"*) tap+=("$l") ;;
				esac
			done <"$tf"
		fi
		rc='' ms=''
		[ -f "$rf" ] && read -r rc ms <"$rf"
		if [ -n "$skip_all" ]; then
			point ok "$name # SKIP ${skip_all:-no reason given}"
		fi
		why=()
		if [ ! -f "$tf" ] || [ -z "$rc" ]; then
			why+=("no result: the guest did not finish this suite (crash or hang)")
		else
			if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
				why+=("timed out after ${suite_timeout} s (killed)")
			elif [ "$rc" != 0 ] && ! grep -q '^not ok' "$tf"; then
				why+=("exited with status $rc without a failed test")
			fi
			if [ -z "$skip_all" ] && [ "$seen" -ne "$planned" ]; then
				why+=("planned $planned tests, reported $seen")
			fi
		fi
		if [ ${#why[@]} -eq 0 ]; then
			point ok "$name: suite completed ($(secs "$ms") s)"
		else
			log=$share/results/$n.log
			if grep -q '^du-vm: suite timed out; tasks in D state:' "$log" 2>/dev/null; then
				# what guest-init.sh found stuck when the timeout struck
				point not-ok "$name: suite completed" "${why[@]}" \
					"$(sed -n '/^du-vm: suite timed out; tasks in D state:/,$p' "$log" | head -n 40)"
			else
				point not-ok "$name: suite completed" "${why[@]}" \
					"last lines of $log:" "$(tail -n 10 "$log" 2>/dev/null || true)"
			fi
		fi
		[ -z "$ms" ] || timings+=("$name $(secs "$ms") s")
		check_log "$n" "$name: kernel log clean"
		host_checks "$n" "$name"
	done

	why=()
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		why+=("hang: QEMU killed after the ${timeout} s timeout")
	elif [ "$qemu_rc" != 0 ]; then
		why+=("QEMU exited with status $qemu_rc:" "$(tail -n 5 "$out/qemu.log")")
	fi
	[ -f "$share/done" ] || why+=("the guest did not finish (no completion marker)")
	if [ ${#why[@]} -eq 0 ]; then
		check_log shutdown "vm: clean shutdown"
	else
		point not-ok "vm: clean shutdown" "${why[@]}" "last console lines:" \
			"$(tail -n 15 "$out/console.log" | tr -d '\r')"
	fi

	{
		echo "TAP version 13"
		echo "1..$ntap"
		printf '%s\n' "${tap[@]}"
		echo "# timing: boot ${boot_up:-?} s to init; ${timings[*]/%/;} wall $(secs "$wall_ms") s"
		echo "# output: $out (console.log, share/results/, share/dmesg.txt)"
		for v in "${host_files[@]}"; do echo "# host file: $v"; done
	} | tee "$out/results.tap"

	[ "$nfail" -eq 0 ]
}

if [ -n "$evaluate" ]; then
	out=$(realpath "$evaluate")
	[ -f "$out/run.env" ] || die "--evaluate $evaluate: no run.env there (not a finished run)"
	# shellcheck source=/dev/null
	. "$out/run.env"
	share=$out/share
	report
	exit
fi

# ---- prerequisites -----------------------------------------------------------
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null ||
	die "$QEMU not found: run scripts/install-deps.sh (QEMU 10 from bookworm-backports)"
if [ -z "$kernel" ]; then
	kernel=$("$srcdir/kernel/scripts/build.sh" --print-image)
fi
[ -f "$kernel" ] || die "kernel image '$kernel' not found: build it with kernel/scripts/build.sh or pass --kernel"
kernel=$(realpath "$kernel")

builddir=$(realpath "${builddir:-$srcdir}")
poweroff_bin=$builddir/vm-poweroff
[ -x "$poweroff_bin" ] ||
	die "$poweroff_bin not found: build the project first (./autogen.sh && ./configure && make), or pass --builddir"
SHUNIT2=${SHUNIT2:-$(command -v shunit2 || echo /usr/share/shunit2/shunit2)}
[ -f "$SHUNIT2" ] || die "shunit2 not found: install the Debian package shunit2"

for s in "${suites[@]}"; do
	[ -f "$s" ] && continue
	[[ $s == */* ]] && die "suite '$s' not found"
	[ -f "$vmdir/suites/${s%.sh}.sh" ] ||
		die "suite '$s' not found (no file $s, no tests/vm/suites/${s%.sh}.sh)"
done

# ---- output directory ------------------------------------------------------
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/du-vm.XXXXXX")
else
	# Reuse only an empty directory or one of our own runs.
	if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/.run-vm" ]; then
		die "--out $out: not empty and not a run-vm.sh output directory"
	fi
	mkdir -p "$out"
fi
: >"$out/.run-vm"
out=$(realpath "$out")
share=$out/share	# the guest's /run/du, writable
rm -rf "$share" "$out/console.log" "$out/results.tap"
mkdir -p "$share/results" "$share/suites"
note "output in $out"

# The guest mounts its own tmpfs and pseudo file systems over these, so
# host files below them are invisible there unless shared separately.
hidden_in_guest() {
	case "$1/" in /tmp/*|/run/*|/dev/*|/proc/*|/sys/*) return 0 ;; esac
	return 1
}

# ---- device profiles -------------------------------------------------------
# A profile (tests/vm/profiles/NAME.profile) is a bash fragment calling the
# vm_* functions below.  Each device gets a name; the guest finds it by its
# path from the root bus (slot.function per hop, resolved in sysfs because
# bus numbers depend on enumeration) and exports DU_<NAME>_BDF.
qemu_dev=() devices=() job_dev=()
declare -A bus_path=([pcie.0]='') dev_seen=() profile_seen=()

_norm_addr() { # "1c" or "1c.0" -> "1c.0"
	local a=${1#0x}
	[[ $a =~ ^[0-9a-fA-F]{1,2}(\.[0-7])?$ ]] || die "profile: bad PCI address '$1'"
	[[ $a == *.* ]] || a=$a.0
	printf '%02x.%s' "$((16#${a%.*}))" "${a#*.}"
}
_path_of() { # BUS ADDR -> path of a function on BUS
	local bus=$1 addr
	addr=$(_norm_addr "$2")
	[ -n "${bus_path[$bus]+x}" ] || die "profile: unknown bus '$bus'"
	if [ "$bus" = pcie.0 ]; then echo "00:$addr"; else echo "${bus_path[$bus]}/$addr"; fi
}
_var() { local v=${1^^}; echo "DU_${v//[^A-Z0-9]/_}"; }

# vm_bridge QEMU-TYPE ID BUS ADDR [PROP=VAL...]: a port or switch port; ID
# becomes a bus for later devices.
vm_bridge() {
	local type=$1 id=$2 bus=$3 addr=$4
	shift 4
	[ -z "${bus_path[$id]+x}" ] || die "profile: bus '$id' defined twice"
	bus_path[$id]=$(_path_of "$bus" "$addr")
	qemu_dev+=(-device "$(IFS=,; echo "$type,id=$id,bus=$bus,addr=$(_norm_addr "$addr")${*:+,$*}")")
}

# vm_device NAME QEMU-TYPE BUS ADDR [PROP=VAL...]: an endpoint that the guest
# binds to vfio-pci.
vm_device() {
	local name=$1 type=$2 bus=$3 addr=$4 path
	shift 4
	[[ $name =~ ^[a-z][a-z0-9_]*$ ]] || die "profile: bad device name '$name'"
	[ -z "${dev_seen[$name]+x}" ] || die "profile: device '$name' defined twice"
	dev_seen[$name]=1
	path=$(_path_of "$bus" "$addr")
	devices+=("$name")
	job_dev+=("$(_var "$name")_PATH=$path")
	qemu_dev+=(-device "$(IFS=,; echo "$type,id=du_$name,bus=$bus,addr=$(_norm_addr "$addr")${*:+,$*}")")
}

# vm_ivshmem NAME BUS ADDR SIZE [HOST-DIR]: ivshmem-plain whose BAR2 is
# backed by the host file $out/share/NAME.shm (the guest sees it as
# /run/du/NAME.shm).  With HOST-DIR (e.g. /dev/shm, for BARs of GiBs) the
# file is HOST-DIR/du-vm.PID.NAME.shm instead, which the guest cannot see
# and which is removed when run-vm.sh exits.
vm_ivshmem() {
	local name=$1 bus=$2 addr=$3 size=$4 dir=${5:-} file
	if [ -n "$dir" ]; then
		[ -d "$dir" ] && [ -w "$dir" ] || die "profile: vm_ivshmem $name: cannot write to $dir"
		file=$dir/du-vm.$$.$name.shm
		tmp_files+=("$file")
	else
		file=$share/$name.shm
		job_dev+=("$(_var "$name")_FILE=/run/du/$name.shm")
	fi
	: >"$file"
	qemu_dev+=(-object "memory-backend-file,id=du_mem_$name,size=$size,mem-path=$file,share=on")
	vm_device "$name" ivshmem-plain "$bus" "$addr" "memdev=du_mem_$name"
	host_files+=("$(_var "$name")_FILE=$file")
}

# vm_qemu ARG...: extra QEMU arguments (e.g. -global for a larger 64-bit
# PCI window).
vm_qemu() {
	qemu_dev+=("$@")
}

# vm_smp N: boot the guest with N vCPUs (default 2; the lowest any profile
# of the run asks for wins). QEMU 10.0's TCG aborts in iotlb_to_section()
# when one vCPU touches a BAR while another one's secondary bus reset
# remaps it, which the reset-race tests do on purpose: they run with one
# vCPU, where the guest's threads still interleave but QEMU's do not.
vm_smp() {
	[ "$1" -ge 1 ] 2>/dev/null || die "vm_smp: '$1' is not a vCPU count"
	[ "$1" -lt "$smp" ] && smp=$1
	return 0
}

# vm_profile NAME: include another profile (once).
vm_profile() {
	local f=$vmdir/profiles/$1.profile
	[ -f "$f" ] || die "unknown profile '$1' (see --list-profiles)"
	[ -z "${profile_seen[$1]+x}" ] || return 0
	profile_seen[$1]=1
	# shellcheck source=/dev/null
	. "$f"
}

host_files=() tmp_files=()
smp=2
trap 'rm -f "${tmp_files[@]}"' EXIT
for p in "${profiles[@]}"; do vm_profile "$p"; done

# ---- the job for the guest -------------------------------------------------
# Suites run in place when the guest can see them, else from a copy.
suite_names=() suite_paths=()
for s in "${suites[@]}"; do
	if [ ! -f "$s" ] && [[ $s != */* ]]; then
		s=$vmdir/suites/${s%.sh}.sh
	fi
	[ -f "$s" ] || die "suite '$s' not found"
	s=$(realpath "$s")
	n=$(printf '%02d-%s' "$((${#suite_names[@]} + 1))" "$(basename "${s%.sh}")")
	if hidden_in_guest "$s"; then
		cp "$s" "$share/suites/$n.sh"
		s=/run/du/suites/$n.sh
	fi
	suite_names+=("$n")
	suite_paths+=("$s")
done

extra_fs=()
mounts=()
for d in "$srcdir" "$builddir"; do
	hidden_in_guest "$d" || continue
	[[ " ${mounts[*]} " != *" $d "* ]] || continue
	i=${#mounts[@]}
	mounts+=("$d")
	extra_fs+=(-fsdev "local,id=du_x$i,path=$d,security_model=none,readonly=on,multidevs=remap"
		   -device "virtio-9p-pci,fsdev=du_x$i,mount_tag=du_x$i,bus=pcie.0,addr=$(printf '%02x.0' $((6 + i)))")
done

qarray() { [ $# -eq 0 ] || printf '%q ' "$@"; }
{
	echo "# Written by run-vm.sh for guest-init.sh; sourced by the guest."
	printf 'DU_SRCDIR=%q\nDU_BUILDDIR=%q\nSHUNIT2=%q\n' "$srcdir" "$builddir" "$SHUNIT2"
	printf 'DU_SUITE_TIMEOUT=%q\nDU_SHELL=%q\n' "$suite_timeout" "$shell"
	printf 'DU_KMEMLEAK_EACH=%q\n' "$kmemleak_each"
	# where kernel/scripts/build.sh put the kselftests the suites run
	printf 'export DMABUF_UTILS_CACHE=%q\n' \
		"${DMABUF_UTILS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabuf-utils}"
	printf 'DU_PROFILES=%q\n' "$(IFS=,; echo "${profiles[*]}")"
	printf 'DU_DEVICES=%q\n' "${devices[*]}"
	printf 'DU_SUITE_NAMES=(%s)\n' "$(qarray "${suite_names[@]}")"
	printf 'DU_SUITE_PATHS=(%s)\n' "$(qarray "${suite_paths[@]}")"
	printf 'DU_MOUNTS=(%s)\n' "$(qarray "${mounts[@]}")"
	for v in "${job_dev[@]}"; do printf '%s=%q\n' "${v%%=*}" "${v#*=}"; done
} >"$share/job.env"

# ---- QEMU -------------------------------------------------------------------
# panic=-1 oops=panic: an oops panics and a panic ends QEMU at once, with
# the report on the console.  A 60 s RCU stall timeout (21 s by default)
# keeps a busy host from starving TCG's vCPUs into false stall reports.
cmdline="console=ttyS0 intel_iommu=on panic=-1 oops=panic rcupdate.rcu_cpu_stall_timeout=60 no_timer_check"
cmdline+=" root=du_root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro"
cmdline+=" init=$vmdir/guest-init.sh"
[ -z "$append" ] || cmdline+=" $append"

if [ "$shell" = 1 ]; then
	serial=(-serial mon:stdio)
else
	serial=(-chardev "file,id=du_con,path=$out/console.log" -serial chardev:du_con)
fi
qemu=("$QEMU" -nodefaults -no-user-config -display none -no-reboot
	-accel tcg -M 'q35,kernel-irqchip=split' -cpu 'max,la57=off' -smp "$smp" -m "$memory"
	-device 'intel-iommu,intremap=on,caching-mode=on'
	-kernel "$kernel" -append "$cmdline"
	-fsdev 'local,id=du_root,path=/,security_model=none,readonly=on,multidevs=remap'
	-device 'virtio-9p-pci,fsdev=du_root,mount_tag=du_root,bus=pcie.0,addr=02.0'
	-fsdev "local,id=du_share,path=$share,security_model=none,multidevs=remap"
	-device 'virtio-9p-pci,fsdev=du_share,mount_tag=du_share,bus=pcie.0,addr=03.0'
	"${extra_fs[@]}" "${serial[@]}" -monitor none "${qemu_dev[@]}")
printf '%q ' "${qemu[@]}" >"$out/qemu.cmd"
echo >>"$out/qemu.cmd"

if [ "$shell" = 1 ]; then
	note "interactive guest; Ctrl-A X quits QEMU"
	exec "${qemu[@]}"
fi

note "booting $kernel (profiles: ${profiles[*]}; suites: ${suite_names[*]})"
t_start=$(date +%s%N)
: >"$out/console.log"
tailpid=
if [ "$verbose" = 1 ]; then
	tail -n +1 -F "$out/console.log" >&2 2>/dev/null &
	tailpid=$!
fi

# Run QEMU; while the guest's init has not started ($share/boot-uptime),
# a console silent for $boot_stall s is a boot that stopped: QEMU is
# stopped (boot_hung=1).  Under TCG a boot has been seen to stop early
# and spin (once in 16 CI runs, the hugebar guest at 1 s, in ACPI's PCI
# set-up): not a test's failure, but it would hold the run for the whole
# timeout.  Sets qemu_rc.
boot_watch() {
	local qpid size last=-1 still=0

	boot_hung=0
	timeout -k 10 "$timeout" "${qemu[@]}" "$@" >"$out/qemu.log" 2>&1 </dev/null &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null && [ ! -e "$share/boot-uptime" ]; do
		sleep 1
		size=$(stat -c %s "$out/console.log" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size
			still=0
		elif [ $((still += 1)) -ge "$boot_stall" ]; then
			boot_hung=1
			kill -TERM "$qpid" 2>/dev/null
			break
		fi
	done
	wait "$qpid"
	qemu_rc=$?
}
set +e
# DU_VM_FAULT_BOOT_STALL=1 starts the first boot with its CPUs stopped
# (QEMU -S), a boot that never gets anywhere: to test what follows.
if [ "${DU_VM_FAULT_BOOT_STALL:-}" = 1 ]; then
	boot_watch -S
else
	boot_watch
fi
if [ "$boot_hung" = 1 ]; then
	# Nothing of the guest's is in $share before its init starts.
	mv "$out/console.log" "$out/console.boot-hang.log"
	: >"$out/console.log"
	note "the boot stopped (no console output for $boot_stall s before init; see console.boot-hang.log): booting once more"
	boot_retried=1
	boot_watch
fi
set -e
t_end=$(date +%s%N)
[ -z "$tailpid" ] || { sleep 0.2; kill "$tailpid" 2>/dev/null || true; wait "$tailpid" 2>/dev/null || true; }
wall_ms=$(((t_end - t_start) / 1000000))
{
	printf 'qemu_rc=%q\nwall_ms=%q\ntimeout=%q\nsuite_timeout=%q\n' \
		"$qemu_rc" "$wall_ms" "$timeout" "$suite_timeout"
	printf 'boot_stall=%q\nboot_hung=%q\nboot_retried=%q\n' \
		"$boot_stall" "$boot_hung" "$boot_retried"
	printf 'suite_names=(%s)\n' "$(qarray "${suite_names[@]}")"
	printf 'host_files=(%s)\n' "$(qarray "${host_files[@]}")"
} >"$out/run.env"

report
