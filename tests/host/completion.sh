#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bash completion beyond the option sets of check-options.sh: values with
# colons (PCI addresses), "--opt=VALUE", help words, each in a
# 'bash --norc' without the bash-completion package and, when it is
# installed, with it.  The line is split into COMP_WORDS as bash does (at
# blanks and at the characters of COMP_WORDBREAKS), and the answer is
# what bash would put in place of the current word.

. "$top_srcdir/tests/lib/shunit2-tap.sh"

BASHCOMP=/usr/share/bash-completion/bash_completion

oneTimeSetUp() {
	work=$(mktemp -d)
	mkdir -p "$work/sys/bus/pci/drivers/vfio-pci/0000:00:10.0" \
		"$work/sys/bus/pci/drivers/vfio-pci/0000:00:11.0" \
		"$work/sys/bus/pci/drivers/vfio-pci/0000:02:00.0"
	printf 'ioas alloc name Alpha\ndevice bind --device 00:10.0 name Dev\n' >"$work/names.batch"
}

oneTimeTearDown() {
	rm -rf "$work"
}

# complete MODE CMD LINE: the answers, one per line, in $out (sorted);
# MODE bare or full (with bash-completion).
complete_line() {
	local mode=$1 cmd=$2 line=$3
	out=$(env -i PATH="$PATH" HOME="$work" DU_SYSFS_ROOT="$work/sys" \
		IOMMUFD_CTL_BATCH="$work/names.batch" \
		bash --norc --noprofile -c '
		mode=$1 file=$2 bc=$3 line=$4
		if [ "$mode" = full ]; then . "$bc" >/dev/null 2>&1 || exit 93; fi
		. "$file" || exit 90
		COMP_WORDS=()
		w= k=
		for ((k = 0; k < ${#line}; k++)); do
			c=${line:k:1}
			if [[ $c == [[:blank:]] ]]; then
				[[ -n $w ]] && COMP_WORDS+=("$w")
				w=
			elif [[ $COMP_WORDBREAKS == *"$c"* ]]; then
				[[ -n $w ]] && COMP_WORDS+=("$w")
				COMP_WORDS+=("$c")
				w=
			else
				w+=$c
			fi
		done
		if [[ -n $w || $line == *[[:blank:]] ]]; then COMP_WORDS+=("$w"); fi
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 91
		func=${spec#* -F }
		func=${func%% *}
		"$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$HOME/cerr"
		[ -s "$HOME/cerr" ] && { cat "$HOME/cerr" >&2; exit 92; }
		printf "%s\n" "${COMPREPLY[@]}" | sort -u
	' complete "$mode" "$top_srcdir/completion/$cmd" "$BASHCOMP" "$line" 2>&1)
	rc=$?
}

modes() {
	echo bare
	[ -r "$BASHCOMP" ] && echo full
}

# expect CMD LINE EXPECTED...: in every mode the answers are EXPECTED.
expect() {
	local cmd=$1 line=$2 mode want
	shift 2
	want=$(printf '%s\n' "$@" | sort -u)
	for mode in $(modes); do
		complete_line "$mode" "$cmd" "$line"
		assertEquals "$mode: status of '$line': $out" 0 "$rc"
		assertEquals "$mode: '$line'" "$want" "$out"
	done
}

test_iommufd_ctl_pci_address_with_colons() {
	expect iommufd-ctl "iommufd-ctl device bind --device " Dev 0000:00:10.0 0000:00:11.0 0000:02:00.0
	# bash replaces only what follows the last ':' of the word
	expect iommufd-ctl "iommufd-ctl device bind --device 0000:00:1" 10.0 11.0
	expect iommufd-ctl "iommufd-ctl device bind --device 0000:0" 00:10.0 00:11.0 02:00.0
	expect iommufd-ctl "iommufd-ctl device attach --device 0000:00:10.0 --io" --ioas
}

test_iommufd_ctl_option_equals_value() {
	expect iommufd-ctl "iommufd-ctl device bind --device=" Dev 0000:00:10.0 0000:00:11.0 0000:02:00.0
	expect iommufd-ctl "iommufd-ctl device bind --device=0000:00:1" 10.0 11.0
	expect iommufd-ctl "iommufd-ctl ioas map --access=r" r rw
	expect iommufd-ctl "iommufd-ctl ioas map --ioas=A" Alpha
	expect iommufd-ctl "iommufd-ctl --batch=$work/names.b" "$work/names.batch"
}

test_iommufd_ctl_help_words() {
	expect iommufd-ctl "iommufd-ctl help " ioas device hwpt vfio-compat show exec
	expect iommufd-ctl "iommufd-ctl help ioas ma" map
	expect iommufd-ctl "iommufd-ctl --u" --usage
	expect iommufd-ctl "iommufd-ctl ioas map --u" --usage
	expect iommufd-ctl "iommufd-ctl show --v" --version
}

tap_run_shunit2
