# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Fixtures of the bad-input suite, built at run time in $W (nothing with
# symbolic links or odd bytes is shipped):
#
#   $F $E $D $L     a regular file, an empty file, a directory, a symlink loop
#   $LONGNAME      a 5000-byte path component; $LONGPATH a path > PATH_MAX
#   $SYS_GOOD      tests/host/vfio-dmabuf's fake sysfs tree (00:04.0 on
#                  vfio-pci, 00:05.0 on e1000e, 00:06.0 unbound)
#   $SYS_*         broken variants of it (see below)
#   $P2P/NAME      p2p-probe's recorded trees (flat, malformed, ...)
#   $PROC_GOOD     tests/host/vfio-dmabuf's recorded /proc; $PROC_* variants
#   $BATCH/NAME    iommufd-ctl batch files (nul, crlf, longline, 100k-maps, ...)
#   $BROKER        the socket of a broker without devices (vfio-dmabuf serve;
#                  shared by every case: never stop it)
#   $STOPPED       the socket of a broker stopped with SIGSTOP
#
# badinput_fixtures_setup builds them (once per run) and writes $W/env.sh;
# badinput_fixtures_env (in every case's shell) reads it and defines the
# tool functions; badinput_fixtures_teardown stops the brokers.

badinput_fixtures_env() {
	# shellcheck source=/dev/null
	. "$W/env.sh"
	unset VFIO_DMABUF_SOCKET DU_SYSFS_ROOT
	vfio-dmabuf() { $BADINPUT_VG "$BADINPUT_BIN/vfio-dmabuf" "$@"; }
	iommufd-ctl() { $BADINPUT_VG "$BADINPUT_BIN/iommufd-ctl" "$@"; }
	p2p-probe() { $BADINPUT_VG "$BADINPUT_BIN/p2p-probe" "$@"; }
	# hang_guard SECONDS TOOL ARGS...: a tool that must not hang (status
	# 124 when it had to be killed)
	hang_guard() {
		local s=$1 t=$2
		shift 2
		# shellcheck disable=SC2086
		timeout -k 2 "$s" $BADINPUT_VG "$BADINPUT_BIN/$t" "$@"
	}
	# withfd N=KIND ... -- TOOL ARGS...
	withfd() {
		local specs=() tool
		while [ $# -gt 0 ] && [ "$1" != -- ]; do specs+=("$1"); shift; done
		shift
		tool=$1
		shift
		# shellcheck disable=SC2086
		"$BADINPUT_WITHFD" "${specs[@]}" -- $BADINPUT_VG "$BADINPUT_BIN/$tool" "$@"
	}
}

# copy_sys NAME: a copy of the good sysfs tree as $W/sys-NAME
copy_sys() {
	cp -a "$W/sys" "$W/sys-$1"
	echo "$W/sys-$1"
}

badinput_fixtures_setup() {
	local s d p i
	set -e
	mkdir -p "$W/cwd" "$W/dir"
	printf 'hello\n' >"$W/file"
	: >"$W/empty"
	ln -s loop "$W/loop"
	ln -sf "$W/loop" "$W/loop"
	s=$(printf 'n%.0s' $(seq 5000))
	{
		echo "W=$W"
		echo "F=$W/file"
		echo "E=$W/empty"
		echo "D=$W/dir"
		echo "L=$W/loop"
		echo "LONGNAME=$W/$s"
		echo "LONGPATH=$W$(printf '/%.0s0123456789abcdef0123456789abcdef' $(seq 140))"
	} >"$W/env.sh"

	# ---- sysfs trees -----------------------------------------------
	top_srcdir=$srcdir
	# shellcheck source=tests/host/vfio-dmabuf/lib.sh
	. "$srcdir/tests/host/vfio-dmabuf/lib.sh"
	# shellcheck source=tests/host/p2p-probe/lib.sh
	. "$srcdir/tests/host/p2p-probe/lib.sh"
	make_sysfs "$W/sys"
	mkdir -p "$W/sys-empty" "$W/sys-nopci/bus"
	d=bus/pci/devices/0000:00:04.0
	# resource: garbage, 3 lines, no newline at the end, 7 columns
	s=$(copy_sys badres); echo 'not a resource file' >"$s/$d/resource"
	s=$(copy_sys shortres); head -n 3 "$W/sys/$d/resource" >"$s/$d/resource"
	s=$(copy_sys nonlres); printf '%s' "$(cat "$W/sys/$d/resource")" >"$s/$d/resource"
	s=$(copy_sys wideres); sed 's/$/ 0x0/' "$W/sys/$d/resource" >"$s/$d/resource"
	s=$(copy_sys emptyres); : >"$s/$d/resource"
	s=$(copy_sys nores); rm "$s/$d/resource"
	s=$(copy_sys dirres); rm "$s/$d/resource"; mkdir "$s/$d/resource"
	s=$(copy_sys nulres); printf '0x00000000fe000000\0 0x00000000fe000fff 0x0000000000040200\n' >"$s/$d/resource"
	# ids
	s=$(copy_sys badvendor); echo zz >"$s/$d/vendor"
	s=$(copy_sys bigvendor); echo 0x10000 >"$s/$d/vendor"
	s=$(copy_sys novendor); rm "$s/$d/vendor"
	s=$(copy_sys decvendor); echo 6900 >"$s/$d/vendor"
	# links
	s=$(copy_sys badgroup); rm "$s/$d/iommu_group"; ln -s ../../../kernel/iommu_groups/abc "$s/$d/iommu_group"
	s=$(copy_sys loopgroup); rm "$s/$d/iommu_group"; ln -s iommu_group "$s/$d/iommu_group"
	s=$(copy_sys nogroup); rm "$s/$d/iommu_group"
	s=$(copy_sys loopdriver); rm "$s/$d/driver"; ln -s driver "$s/$d/driver"
	s=$(copy_sys filedriver); rm "$s/$d/driver"; echo vfio-pci >"$s/$d/driver"
	# the device entry itself
	s=$(copy_sys devfile); rm -r "$s/$d"; echo x >"$s/$d"
	s=$(copy_sys devloop); rm -r "$s/$d"; ln -s 0000:00:04.0 "$s/$d"
	s=$(copy_sys junkentry); mkdir "$s/bus/pci/devices/not-an-address" "$s/bus/pci/devices/0000:00:04.0x"
	s=$(copy_sys novfiodev); rm -r "$s/$d/vfio-dev"
	{
		for v in badres shortres nonlres wideres emptyres nores dirres nulres \
			badvendor bigvendor novendor decvendor badgroup loopgroup \
			nogroup loopdriver filedriver devfile devloop junkentry novfiodev; do
			echo "SYS_${v^^}=$W/sys-$v"
		done
		echo "SYS_GOOD=$W/sys"
		echo "SYS_EMPTY=$W/sys-empty"
		echo "SYS_NOPCI=$W/sys-nopci"
	} >>"$W/env.sh"
	p2p_unpack_fixtures "$W/p2p"
	echo "P2P=$W/p2p" >>"$W/env.sh"
	# p2p-probe variants of the flat recording
	for v in noconfig shortconfig emptyconfig badclass; do
		cp -a "$W/p2p/flat" "$W/p2p/flat-$v"
	done
	p=$(readlink -f "$W/p2p/flat-noconfig/bus/pci/devices/0000:00:10.0"); rm -f "$p/config"
	p=$(readlink -f "$W/p2p/flat-shortconfig/bus/pci/devices/0000:00:10.0"); head -c 10 "$W/p2p/flat/bus/pci/devices/0000:00:10.0/config" >"$p/config"
	p=$(readlink -f "$W/p2p/flat-emptyconfig/bus/pci/devices/0000:00:10.0"); : >"$p/config"
	p=$(readlink -f "$W/p2p/flat-badclass/bus/pci/devices/0000:00:10.0"); echo junk >"$p/class"

	# ---- /proc trees ------------------------------------------------
	make_proc "$W/proc"
	echo "PROC_GOOD=$W/proc" >>"$W/env.sh"
	# one malformed line in the middle of a process's maps (item 6)
	cp -a "$W/proc" "$W/proc-badline"
	sed -i '2a this is not a maps line' "$W/proc-badline/200/maps"
	# control and escape bytes, invalid UTF-8 in comm and buffer names
	cp -a "$W/proc" "$W/proc-ctrl"
	printf 'evil\033[31m\a\n' >"$W/proc-ctrl/200/comm"
	cp -a "$W/proc" "$W/proc-utf8"
	printf 'bad\377\376utf8\n' >"$W/proc-utf8/200/comm"
	cp -a "$W/proc" "$W/proc-utf8name"
	sed -i 's|/dmabuf:client-a|/dmabuf:cl\xffent|' "$W/proc-utf8name/200/maps"
	# fdinfo: malformed size, missing, a directory
	cp -a "$W/proc" "$W/proc-badfdinfo"
	sed -i 's/^size:.*/size:\tbig/' "$W/proc-badfdinfo/100/fdinfo/5"
	cp -a "$W/proc" "$W/proc-nofdinfo"
	rm "$W/proc-nofdinfo/100/fdinfo/5"
	# maps: empty process dir, a directory as maps, NUL bytes, huge line
	mkdir -p "$W/proc-nomaps/1" "$W/proc-dirmaps/1/maps" "$W/proc-nulmaps/1" "$W/proc-longmaps/1"
	printf '7f0000000000-7f0000200000 rw-s 00000000 00:0f 1234 /dmabuf:a\0b\n' >"$W/proc-nulmaps/1/maps"
	{ printf '7f0000000000-7f0000200000 rw-s 00000000 00:0f 1234 /dmabuf:'; head -c 1000000 /dev/zero | tr '\0' x; echo; } >"$W/proc-longmaps/1/maps"
	# 64-bit numbers above 2^53 (a buffer offset and an inode)
	mkdir -p "$W/proc-bignum/1"
	echo big >"$W/proc-bignum/1/comm"
	echo '7f0000000000-7f0000200000 rw-s 20000000001000 00:0f 1152921504606846977 /dmabuf:big' >"$W/proc-bignum/1/maps"
	# many processes
	mkdir -p "$W/proc-many"
	for i in $(seq 1 300); do
		mkdir -p "$W/proc-many/$i"
		echo "p$i" >"$W/proc-many/$i/comm"
		echo '7f0000000000-7f0000200000 rw-s 00000000 00:0f 1234 /dmabuf:x' >"$W/proc-many/$i/maps"
	done
	for v in badline ctrl utf8 utf8name badfdinfo nofdinfo nomaps dirmaps nulmaps longmaps bignum many; do
		echo "PROC_${v^^}=$W/proc-$v"
	done >>"$W/env.sh"

	# ---- batch files --------------------------------------------------
	b=$W/batch
	mkdir -p "$b"
	printf 'ioas alloc name A\nioas map --ioas A --length 4K\n' >"$b/ok"
	printf 'ioas alloc name A\nioas\0 map --ioas A --length 4K\n' >"$b/nul"
	printf 'ioas alloc name A\r\nioas map --ioas A --length 4K\r\n' >"$b/crlf"
	printf 'ioas alloc name A\r\nioas map --ioas A --length 4K\r\nioas frob\r\n' >"$b/crlf-bad"
	{ printf 'ioas alloc name A\nioas map --ioas A --length '; head -c 1048576 /dev/zero | tr '\0' 9; echo; } >"$b/longline"
	{ printf 'ioas alloc name A\n# '; head -c 1048576 /dev/zero | tr '\0' c; printf '\nioas map --ioas A --length 4K\n'; } >"$b/longcomment"
	{ printf 'ioas alloc name '; head -c 100 /dev/zero | tr '\0' n; echo; } >"$b/longname"
	{ yes '# a comment' | head -n 99999; echo 'ioas frob'; } >"$b/100k-comments"
	{ echo 'ioas alloc name A'; yes 'ioas map --ioas A --length 4K' | head -n 99999; } >"$b/100k-maps"
	{ yes 'ioas alloc' | head -n 100000; } >"$b/100k-allocs"
	printf 'ioas alloc name A\nhelp\n' >"$b/help"
	printf 'ioas alloc name A\nioas --help\n' >"$b/dashhelp"
	printf 'ioas alloc name A\nioas map --usage\n' >"$b/usage"
	printf 'ioas alloc name A\n-V\n' >"$b/version"
	printf 'ioas alloc name A\nioas map --length 4K\nioas unmap --all\n' >"$b/unmap-all"
	cat >"$b/p2p" <<-'EOF2'
	device bind --device 0000:00:10.0 name edu
	ioas alloc name A
	device attach --device edu --ioas A
	ioas map --ioas A --dmabuf-fd $VFIO_DMABUF_FD --iova 0x1000000
	EOF2
	printf 'ioas alloc name A\nioas alloc name A\n' >"$b/dupname"
	printf 'ioas alloc name A\nioas map --ioas A --length 4K --iova 0x100000\nioas map --ioas A --length 4K --iova 0x100000\n' >"$b/overlap"
	printf "ioas alloc name 'A\n" >"$b/quote"
	printf 'ioas alloc name "A\n' >"$b/dquote"
	printf 'ioas alloc name A \\\n' >"$b/backslash"
	printf 'ioas map --length $NOSUCHVAR\n' >"$b/unsetvar"
	printf 'ioas map --length ${4K}\n' >"$b/badsubst"
	printf 'ioas alloc name \xff\xfe\n' >"$b/utf8name"
	printf 'ioas alloc name A\x1b[31m\n' >"$b/escname"
	printf '\xef\xbb\xbfioas alloc name A\n' >"$b/bom"
	printf 'ioas alloc name A' >"$b/noeol"
	printf 'ioas alloc name A\nioas map --ioas A --length 4K --iova 0xfffffffffffff000\nioas map --ioas A --length 8K --iova 0xffffffffffffe000\n' >"$b/wrap"
	printf 'ioas alloc name A\nioas destroy --ioas A\nioas map --ioas A --length 4K\n' >"$b/destroyed"
	printf 'ioas alloc name A\nexec -- true\nioas frob\n' >"$b/exec-then-bad"
	printf 'ioas alloc name A\nioas map --ioas A --length 4K\nioas frob\nioas map --ioas A --length 4K\n' >"$b/force"
	: >"$b/empty"
	printf '\n\n   \n\t\n# only comments\n' >"$b/blank"
	echo "BATCH=$b" >>"$W/env.sh"

	# ---- brokers ------------------------------------------------------
	"$BADINPUT_BIN/vfio-dmabuf" -j serve --socket "$W/broker.sock" --background \
		--quiet >"$W/broker.json"
	"$BADINPUT_BIN/vfio-dmabuf" -j serve --socket "$W/stopped.sock" --background \
		--quiet >"$W/stopped.json"
	kill -STOP "$(jq -r '.brokers[0].pid' "$W/stopped.json")"
	{
		echo "BROKER=$W/broker.sock"
		echo "STOPPED=$W/stopped.sock"
	} >>"$W/env.sh"
	set +e
}

badinput_fixtures_teardown() {
	local f pid
	for f in "$W/broker.json" "$W/stopped.json"; do
		[ -s "$f" ] || continue
		pid=$(jq -r '.brokers[0].pid' "$f")
		[ -n "$pid" ] || continue
		kill -CONT "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
}
