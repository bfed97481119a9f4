#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The README's first command: install what is missing, build the tools and
# the patched test kernel, boot it under QEMU with edu + ivshmem behind an
# emulated Intel IOMMU, and run the end-to-end scenario
# (tests/vm/suites/e2e.sh) as a narrated demo: before each step what it
# does, then its result.
#
# Usage: scripts/demo.sh [options]
#   --kernel IMAGE    boot IMAGE instead of building the test kernel
#   --out DIR         where logs and results go (default: tests/output/demo)
#   --builddir DIR    use the tools already built in DIR (no build)
#   --no-deps         do not run scripts/install-deps.sh
#   --json            print one JSON document on stdout at the end (the
#                     steps and every tool's -j output); narration on stderr
#   -h, --help        this text
#
# Every tool call's -j output is kept in DIR/vm/share/e2e/NN-NAME.json.
# Exit status: 0 when every step passed or was skipped (a skip says why:
# the running kernel lacks a feature), 1 when a step or a harness check
# (kernel log, host-side byte checks, shutdown) failed, 2 usage error.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

kernel='' out=$top/tests/output/demo builddir='' deps=1 json=0
need() {
	[ $# -ge 2 ] && [ -n "$2" ] && return 0
	echo "demo.sh: $1 needs an argument (try --help)" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) need "$@"; kernel=$2; shift ;;
	--out) need "$@"; out=$2; shift ;;
	--builddir) need "$@"; builddir=$2; shift ;;
	--no-deps) deps=0 ;;
	--json) json=1 ;;
	-h|--help) awk 'NR >= 4 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 4 { exit }' "$0"; exit 0 ;;
	*) echo "demo.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

# With --json, stdout carries only the final document.
if [ "$json" = 1 ]; then exec 4>&1 1>&2; fi

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' Y=$'\e[33m' N=$'\e[0m'
else
	B='' G='' R='' Y='' N=''
fi
banner() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
die() { printf '%sdemo.sh: %s%s\n' "$R" "$*" "$N"; exit "${2:-1}"; }
t0=$(date +%s)

mkdir -p "$out" || die "cannot create $out" 2
out=$(cd "$out" && pwd)

# run_logged WHAT LOG CMD...: run a preparation step, its output in LOG.
run_logged() {
	local what=$1 log=$2 s rc
	shift 2
	s=$(date +%s)
	printf '%s ... ' "$what"
	"$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		printf 'done (%ss)\n' "$(($(date +%s) - s))"
	else
		printf '%sfailed (exit %s)%s; last lines of %s:\n' "$R" "$rc" "$N" "$log"
		tail -n 20 "$log" | sed 's/^/    /'
	fi
	return "$rc"
}

banner "dmabuf-utils demo: a primary vends BAR memory to clients and revokes it"
cat <<EOF
The demo boots the patched kernel under QEMU (q35, emulated Intel IOMMU)
with two PCI devices bound to vfio-pci: ivshmem, whose 64 MiB BAR2 is a
file on this machine, and edu, a device with a DMA engine.  Logs and
results go to $out.
EOF

# ---- 1. dependencies, tools, kernel -----------------------------------------
banner "preparing"
if [ "$deps" = 1 ]; then
	run_logged "installing dependencies (scripts/install-deps.sh)" "$out/deps.log" \
		scripts/install-deps.sh || exit 1
fi
if [ -n "$builddir" ]; then
	builddir=$(cd "$builddir" 2>/dev/null && pwd) || die "--builddir: no such directory" 2
	for p in vfio-dmabuf iommufd-ctl p2p-probe iommufd-edu-dma vm-poweroff; do
		[ -x "$builddir/$p" ] || die "$builddir/$p is not built" 2
	done
	echo "tools: using the build in $builddir"
else
	builddir=$top
	if [ ! -f config.status ]; then
		run_logged "configuring the tools" "$out/configure.log" \
			sh -c './autogen.sh && ./configure' || exit 1
	fi
	run_logged "building the tools" "$out/build.log" make -j"$(nproc)" || exit 1
fi
if [ -z "$kernel" ]; then
	echo "patches: $(grep -cv '^\s*\(#\|$\)' kernel/patches/series 2>/dev/null) in kernel/patches/series"
	echo "building the test kernel: Linux 7.3.4 + kernel/patches/series (the first"
	echo "build downloads the tree and takes 10-20 minutes; later ones reuse ccache)"
	run_logged "kernel/scripts/build.sh" "$out/kernel.log" nice kernel/scripts/build.sh || exit 1
	kernel=$(kernel/scripts/build.sh --print-image)
fi
[ -f "$kernel" ] || die "kernel image '$kernel' not found" 2
echo "kernel: $kernel"

# ---- 2. the scenario in the VM, narrated live -------------------------------
# The suite writes its TAP, narration included, to the run's 9p share as
# it goes; follow that file while QEMU runs.
banner "running the scenario in the VM (tests/vm/suites/e2e.sh)"
vm=$out/vm
rm -rf "$vm"
tap=$vm/share/results/01-e2e.tap

narrate() {
	local l st rest
	while IFS= read -r l; do
		case "$l" in
		1..0*) printf '%sthe whole suite was skipped:%s %s\n' "$Y" "$N" "${l#*# SKIP }" ;;
		1..*) printf '(%s checks)\n' "${l#1..}" ;;
		"# Step "*) printf '\n%s%s%s\n' "$B" "${l#\# }" "$N" ;;
		"#   what: "*) printf '  %s\n' "${l#\#   what: }" | fold -s -w 76 | sed '2,$s/^/  /' ;;
		"#   result: FAILED"*) printf '  %sresult: FAILED%s\n' "$R" "$N" ;;
		"#   result: "*) printf '  %s\n' "${l#\#   }" | fold -s -w 76 | sed "2,\$s/^/  /; s/^/$G/; s/\$/$N/" ;;
		"#"|"# ") ;;
		"#   skipped: "*) ;;
		"#"*) printf '  %s\n' "${l#\# }" ;;
		"ok "*"# SKIP"*)
			rest=${l#*# SKIP }
			printf '  %s-> SKIPPED: %s%s\n' "$Y" "$rest" "$N" ;;
		"ok "*) printf '  %s-> PASSED%s\n' "$G" "$N" ;;
		"not ok "*)
			st=${l#not ok }
			printf '  %s-> FAILED (%s)%s\n' "$R" "${st#* - }" "$N" ;;
		esac
	done
}

echo "booting (about 10-20 s under TCG), then the steps follow as they run:"
tests/vm/run-vm.sh --kernel "$kernel" --builddir "$builddir" --profile e2e \
	--suite e2e --out "$vm" >"$out/vm.tap" 2>"$out/vm.log" &
vmpid=$!
# tail -F follows the file once the guest creates it, and stops after
# run-vm.sh has exited.
tail -n +1 -F --pid="$vmpid" "$tap" 2>/dev/null | narrate &
narrator=$!
wait "$vmpid"
vm_rc=$?
wait "$narrator" 2>/dev/null

# ---- 3. verdict --------------------------------------------------------------
banner "verdict"
read -r np nf ns < <(awk -f scripts/tap-count.awk "$out/vm.tap" 2>/dev/null || echo "0 0 0")
if [ ! -s "$out/vm.tap" ]; then
	echo "${R}the VM run produced no result:${N}"
	tail -n 20 "$out/vm.log" | sed 's/^/    /'
	[ "$vm_rc" -ne 0 ] || vm_rc=1
fi
# Checks the host makes after the guest is gone: kernel log per phase,
# the bytes in ivshmem's backing file as seen from here, clean shutdown.
grep -E '^(not )?ok .*(vm:|kernel log|host:|suite completed)' "$out/vm.tap" |
	sed -e "s/^ok [0-9]* - /  ${G}ok${N}     /" -e "s/^not ok [0-9]* - /  ${R}FAILED${N} /"
if grep -q '^not ok' "$out/vm.tap"; then
	echo
	echo "${R}what failed:${N}"
	awk '/^not ok/ { on = 1; print "  " $0; next } on && /^#   / { print "  " $0; next } { on = 0 }' "$out/vm.tap"
fi
echo
echo "$np passed, $nf failed, $ns skipped ($(($(date +%s) - t0)) s)"
echo "results: $out/vm.tap; console: $vm/console.log; tool JSON: $vm/share/e2e/"

if [ "$json" = 1 ]; then
	{
		for f in "$vm"/share/e2e/*.json; do
			[ -f "$f" ] || continue
			n=${f##*/}
			jq -c --arg n "${n%.json}" '{($n): .}' "$f" 2>/dev/null ||
				jq -cn --arg n "${n%.json}" --rawfile t "$f" '{($n): $t}'
		done
	} | jq -s --rawfile tap "$out/vm.tap" --argjson rc "$vm_rc" '{
		exit_status: (if $rc == 0 then 0 else 1 end),
		steps: [$tap | split("\n")[] | select(test("^(not )?ok ")) |
			capture("^(?<not>not )?ok [0-9]+ - (?<name>[^#]*[^# ])( # SKIP (?<reason>.*))?$") |
			{name, status: (if .not then "failed" elif .reason then "skipped" else "passed" end),
			 reason}],
		records: add}' >&4 2>/dev/null || echo "demo.sh: could not build the JSON summary" >&2
fi
[ "$vm_rc" -eq 0 ] && [ "$nf" -eq 0 ]
