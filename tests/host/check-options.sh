#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One source of truth for options (issue 14), in the spirit of util-linux's
# tools/checkusage.sh and tools/checkcompletion.sh: for every command and
# every subcommand, the options that --help prints, the options the man
# page documents and the options the bash completion offers are the same
# set, and --help, -h, -?, --usage, -V, --version and 'help SUB' behave the
# same everywhere.  TAP output, two cases per command and subcommand:
#
#   CMD SUB: options agree          the three sets (and what the command
#                                   rejects although its help prints it)
#   CMD SUB: help, usage, version   the help options (listed in the
#                                   words of tools/lib/cli.c) and
#                                   'help SUB'
#
# Where each set comes from:
#   --help       option lines of 'CMD SUB --help' (argp's layout: a line
#                indented at most 8 columns that starts with '-').
#   man page     man/CMD.1, roff.  Only the tag lines of .TP/.TQ entries
#                count (running text may mention any option).  In the
#                COMMANDS section a tag that starts with a subcommand
#                ("ioas map [--ioas IOAS] ...") documents that subcommand's
#                options (a .TQ tag that names no subcommand continues
#                the entry above it).  In the OPTIONS section a .SS whose title names
#                subcommands ("maps and info options", "Buffer options
#                (export, exec)"; inside the parentheses if there are any)
#                documents them for those subcommands (a parent such as
#                "access" stands for all of its verbs); entries before the
#                first .SS, or under a .SS titled "Global ...", are the
#                command's own (top-level) options; other .SS titles
#                assign nothing.  --help, --usage, --version, -h, -? and -V
#                documented at the top level count for every subcommand.
#   completion   completion/CMD sourced into 'bash --norc', once without
#                and once with /usr/share/bash-completion/bash_completion
#                (when present); the function 'complete -p CMD' names is
#                called with COMP_WORDS = (CMD SUB... -) and (CMD SUB... --),
#                and COMPREPLY is read.  Long options must be offered;
#                short ones may be left out but must exist.
#   rejected     each option --help prints is given alone
#                ('CMD SUB --opt=VALUE', in a dry run, under a 2 s timeout,
#                no device or broker): a message that names it with
#                "does not apply", "unrecognized option", "invalid option"
#                or "not an option" means the command rejects it.
#
# Subcommands come from the commands' own tables ("Commands:" in
# 'CMD --help', 'CMD help', 'CMD SUB --help'); an entry whose summary says
# "same as X" is an alias of X.
#
# Known mismatches: tests/host/check-options.todo lists the cases that
# fail today; they are reported as TODO (automake: XFAIL), and as an
# XPASS (a failure of make check) once they pass, so that the fix removes
# the line.  CHECK_OPTIONS_TODO= (empty) ignores the list.
#
# Run: make check TESTS=tests/host/check-options.sh, or directly
# (tests/host/check-options.sh from the build directory);
# CHECK_OPTIONS_COMMANDS="iommufd-ctl" limits it to some commands,
# CHECK_OPTIONS_VERBOSE=1 prints the three sets of every case.

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$PWD}"
PATH=$top_builddir:$PATH
export LC_ALL=C.UTF-8

COMMANDS=${CHECK_OPTIONS_COMMANDS:-vfio-dmabuf iommufd-ctl p2p-probe}
BASHCOMP=${CHECK_OPTIONS_BASH_COMPLETION-/usr/share/bash-completion/bash_completion}
UNIVERSAL_LONG="--help --usage --version"
UNIVERSAL_SHORT="-h -? -V"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/empty" "$work/cwd"

tap_n=0
tap_fail=0

# Cases known to fail, one description a line (see the file): reported
# as TODO, which automake counts as XFAIL while they fail and as an error
# (XPASS) once they pass, so that the line is removed with the fix.
TODO_FILE=${CHECK_OPTIONS_TODO-$top_srcdir/tests/host/check-options.todo}
declare -A TODO
if [ -n "$TODO_FILE" ] && [ -r "$TODO_FILE" ]; then
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		TODO[$line]=1
	done <"$TODO_FILE"
fi

# report DESCRIPTION: one TAP line from the problems collected so far.
report() {
	local todo=""
	tap_n=$((tap_n + 1))
	[ -n "${TODO[$1]:-}" ] && todo=" # TODO known mismatch, listed in tests/host/check-options.todo"
	if [ -s "$work/problems" ]; then
		[ -z "$todo" ] && tap_fail=$((tap_fail + 1))
		echo "not ok $tap_n - $1$todo"
		sed 's/^/# /' "$work/problems"
	else
		[ -n "$todo" ] && tap_fail=$((tap_fail + 1))
		echo "ok $tap_n - $1$todo"
	fi
	if [ -n "${CHECK_OPTIONS_VERBOSE:-}" ] && [ -s "$work/verbose" ]; then
		sed 's/^/#   /' "$work/verbose"
	fi
	: >"$work/problems"
	: >"$work/verbose"
}

problem() {
	printf '%s\n' "$*" >>"$work/problems"
}

verbose() {
	printf '%s\n' "$*" >>"$work/verbose"
}

# run CMD ARGS...: stdout in $work/out, stderr in $work/err, status in $rc.
run() {
	timeout -s KILL 20 "$@" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
}

# ---- option sets ---------------------------------------------------------

# The options on argp's option lines: "  -j, --json  ...",
# "      --socket=PATH  ...", "  -b, --bar=N ...".  One per line, sorted.
help_options() {
	awk '
	# (no interval expressions: mawk lacks them)
	/^ +-/ && match($0, /^ +/) && RLENGTH <= 8 {
		s = $0
		sub(/^ +/, "", s)
		while (s != "") {
			if (match(s, /^--[A-Za-z0-9][A-Za-z0-9-]*/) ||
			    match(s, /^-[^- ,=[]/)) {
				print substr(s, 1, RLENGTH)
				s = substr(s, RLENGTH + 1)
			} else
				break
			# an argument: "=ARG", "[=ARG]", " ARG" (short only)
			sub(/^(\[=[^] ]*\]|=[^ ,]*)/, "", s)
			if (s ~ /^, /) { s = substr(s, 3); continue }
			if (s ~ /^ [A-Z]/ && s !~ /^  /) {
				sub(/^ [^ ,]+/, "", s)
				if (s ~ /^, /) { s = substr(s, 3); continue }
			}
			break
		}
	}' | sort -u
}

# man_options MANPAGE PATHS: "PATH<TAB>OPTION" lines, PATH being "" for
# the top level, "?" for an entry that documents no particular
# subcommand.  PATHS: the subcommand paths, one per line ("ioas map").
man_options() {
	awk -v paths="$2" '
	BEGIN {
		n = split(paths, p, "\n")
		for (i = 1; i <= n; i++) if (p[i] != "") known[p[i]] = 1
	}
	# roff to text: fonts, escapes, the macro and its quotes.
	function plain(s) {
		gsub(/\\f(\[[^]]*\]|\(..|.)/, "", s)
		gsub(/\\-/, "-", s)
		gsub(/\\\(em|\\\(en/, "-", s)
		gsub(/\\[&|^c]/, "", s)
		gsub(/\\ /, " ", s)
		if (s ~ /^\.[A-Za-z]+/) sub(/^\.[A-Za-z]+[ \t]*/, "", s)
		gsub(/"/, "", s)
		return s
	}
	# The subcommand paths named in text, longest first ("access read"
	# before "access"), separated by SUBSEP.
	function named(s,    w, n, i, out, two) {
		gsub(/[^A-Za-z0-9-]+/, " ", s)
		n = split(s, w, " ")
		out = ""
		for (i = 1; i <= n; i++) {
			two = w[i] " " w[i + 1]
			if (i < n && (two in known)) {
				out = out SUBSEP two; i++
			} else if (w[i] in known)
				out = out SUBSEP w[i]
		}
		return substr(out, 2)
	}
	function options(s, path,    t, m) {
		t = " " s " "
		while (match(t, /[ ,[(|]--[A-Za-z0-9][A-Za-z0-9-]*/)) {
			print path "\t" substr(t, RSTART + 1, RLENGTH - 1)
			t = substr(t, RSTART + RLENGTH)
		}
		t = " " s " "
		while (match(t, /[ ,[(|]-[A-Za-z0-9?][] ,)|=]/)) {
			print path "\t" substr(t, RSTART + 1, 2)
			t = substr(t, RSTART + RLENGTH - 1)
		}
	}
	/^\.\\"/ { next }
	/^\.SH/ { sect = plain($0); sub(/^ +/, "", sect); sub(/ +$/, "", sect); ss = ""; hasss = 0; tag = 0; next }
	/^\.SS/ { ss = plain($0); hasss = 1; tag = 0; next }
	/^\.TP/ { tag = 1; tq = 0; lastpath = ""; next }
	/^\.TQ/ { tag = 1; tq = 1; next }
	tag && /^\.(PD|IP|PP|LP|P)( |$)/ { tag = 0; next }
	tag {
		tag = 0
		s = plain($0)
		if (sect == "COMMANDS") {
			split(s, w, /[^A-Za-z0-9-]+/)
			path = ""
			if ((w[1] " " w[2]) in known) path = w[1] " " w[2]
			else if (w[1] in known) path = w[1]
			# a .TQ tag without a subcommand continues the entry
			# ("SOURCE := --memfd | --file PATH ...")
			else if (tq) path = lastpath
			if (path != "") options(s, path)
			lastpath = path
			next
		}
		if (sect != "OPTIONS") next
		if (!hasss || ss ~ /[Gg]lobal/) { options(s, ""); next }
		title = ss
		if (match(title, /\(.*\)/)) title = substr(title, RSTART, RLENGTH)
		list = named(title)
		if (list == "") { options(s, "?"); next }
		n = split(list, l, SUBSEP)
		for (i = 1; i <= n; i++) options(s, l[i])
	}' "$1"
}

# complete_options MODE CMD WORD...: what completion/CMD offers for the
# last WORD, one per line; MODE "bare" (no bash-completion) or "full".
# Status 0, or 90 + what failed (message in $work/cerr).
complete_words() {
	local mode=$1
	shift
	: >"$work/cout"
	env -i PATH="$PATH" HOME="$work/empty" TERM=dumb \
	    COUT="$work/cout" CERR="$work/cerr2" bash --norc --noprofile -c '
		mode=$1 file=$2 bc=$3
		shift 3
		if [ "$mode" = full ]; then
			. "$bc" >/dev/null 2>&1 || { echo "cannot source $bc"; exit 93; }
		fi
		. "$file" || { echo "sourcing $file failed"; exit 90; }
		spec=$(complete -p "$1" 2>/dev/null) ||
			{ echo "$file registers no completion for $1"; exit 91; }
		case $spec in
		*" -F "*) func=${spec#* -F }; func=${func%% *} ;;
		*) echo "not a -F completion: $spec"; exit 91 ;;
		esac
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMP_TYPE=9
		COMP_KEY=9
		COMPREPLY=()
		"$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$CERR"
		st=$?
		if [ -s "$CERR" ]; then
			echo "the completion function wrote to stderr: $(head -n 1 "$CERR")"
			exit 92
		fi
		[ "${#COMPREPLY[@]}" -gt 0 ] && printf "%s\n" "${COMPREPLY[@]}" >"$COUT"
		exit 0
	' check-options "$mode" "$top_srcdir/completion/$1" "$BASHCOMP" "$@" \
		>"$work/cerr" 2>&1 </dev/null
}

# completion_options MODE CMD WORD...: the options offered after "-" and
# "--", sorted, in $work/comp.MODE; problems reported.
completion_options() {
	local mode=$1 label
	shift
	label="$*"
	: >"$work/comp.$mode"
	comp_failed=
	for dash in - --; do
		complete_words "$mode" "$@" "$dash"
		local st=$?
		if [ $st -ne 0 ]; then
			problem "$label: completion ($mode_name) fails after '$label $dash': $(head -n 1 "$work/cerr")"
			comp_failed=1
			continue
		fi
		grep -E -- '^-' "$work/cout" >>"$work/comp.$mode"
	done
	sort -u -o "$work/comp.$mode" "$work/comp.$mode"
}

# The subcommands a command lists ("Commands:" block), "help" left out;
# "NAME<TAB>SUMMARY" lines.
table_commands() {
	awk '
	/^Commands:/ { on = 1; next }
	on && /^$/ { on = 0 }
	on && /^  [a-z][a-z0-9-]*  / {
		name = $1; $1 = ""; sub(/^ +/, "")
		if (name != "help") print name "\t" $0
	}'
}

only_long() { grep -E -- '^--.' || true; }
only_short() { grep -E -- '^-[^-]$' || true; }

# diff_sets A B "A says" "B says" CASE: one problem line per element
# of A missing from B: "CASE: A offers X, B does not".
diff_sets() {
	local x
	for x in $(comm -23 "$1" "$2"); do
		problem "$5: $3 $x, $4"
	done
}

# ---- per command -----------------------------------------------------------

declare -A SUBS		# command -> subcommand paths (leaves), newline-separated
declare -A PARENTS	# command -> paths that have subcommands of their own
declare -A ALIAS	# "command path" -> the path it is an alias of

discover() {
	local cmd=$1 name summary sub vname vsummary
	local leaves="" parents=""
	{ run "$cmd" --help; cat "$work/out"; run "$cmd" help; cat "$work/out"; } |
		table_commands | sort -u -t '	' -k1,1 >"$work/top.$cmd"
	while IFS='	' read -r name summary; do
		run "$cmd" "$name" --help
		if grep -q '^Commands:' "$work/out"; then
			parents+="$name"$'\n'
			table_commands <"$work/out" >"$work/verbs"
			{ run "$cmd" "$name" help; table_commands <"$work/out"; } >>"$work/verbs"
			while IFS='	' read -r vname vsummary; do
				case $leaves in *$'\n'"$name $vname"$'\n'* | "$name $vname"$'\n'*) continue ;; esac
				leaves+="$name $vname"$'\n'
				if [[ $vsummary =~ same\ as\ ([a-z][a-z0-9-]*) ]]; then
					ALIAS["$cmd $name $vname"]="$name ${BASH_REMATCH[1]}"
				fi
			done < <(sort -u -t '	' -k1,1 "$work/verbs")
		else
			leaves+="$name"$'\n'
			if [[ $summary =~ same\ as\ ([a-z][a-z0-9-]*) ]]; then
				ALIAS["$cmd $name"]=${BASH_REMATCH[1]}
			fi
		fi
	done <"$work/top.$cmd"
	SUBS[$cmd]=$leaves
	PARENTS[$cmd]=$parents
}

# man_set CMD PATH: the options man/CMD.1 documents for PATH ("" for the
# top level) into $work/man.set.
man_set() {
	local cmd=$1 path=$2 p
	: >"$work/man.set"
	[ -n "${ALIAS["$cmd $path"]:-}" ] && path=${ALIAS["$cmd $path"]}
	if [ -z "$path" ]; then
		awk -F '\t' '$1 == "" { print $2 }' "$work/man.$cmd" >>"$work/man.set"
	else
		# the path and its parents ("access read", "access")
		p=$path
		while :; do
			awk -F '\t' -v p="$p" '$1 == p { print $2 }' "$work/man.$cmd" >>"$work/man.set"
			case $p in *" "*) p=${p% *} ;; *) break ;; esac
		done
		# the help options documented once for all
		awk -F '\t' -v u=" $UNIVERSAL_LONG $UNIVERSAL_SHORT " \
			'$1 == "" && index(u, " " $2 " ") { print $2 }' "$work/man.$cmd" >>"$work/man.set"
	fi
	sort -u -o "$work/man.set" "$work/man.set"
}

# A value for the probe of "--opt=ARG".
probe_value() {
	case $1 in
	*ADDR* | *PCI* | DEV | DEVICE) echo 0000:00:00.0 ;;
	*PATH* | *FILE* | *DIR*) echo "$work/empty/none" ;;
	*SIZE* | *OFF* | *LEN* | *IOVA*) echo 0x1000 ;;
	*IOAS* | *HWPT* | *NAME*) echo A ;;
	*'|'*) echo "${1%%|*}" ;;
	*) echo 1 ;;
	esac
}

# The global options that keep a probe harmless: no device, no kernel.
probe_globals() {
	case $1 in
	vfio-dmabuf) echo "--sysfs-root=$work/empty --proc-root=$work/empty" ;;
	iommufd-ctl) echo "-n" ;;
	p2p-probe) echo "" ;;
	esac
}

# check_rejected CMD PATH HELPTEXT: options --help prints that the command
# refuses as not applicable.
check_rejected() {
	local cmd=$1 path=$2 line opt arg val label="$1${2:+ $2}" g
	g=$(probe_globals "$cmd")
	while IFS= read -r line; do
		[[ $line =~ ^\ {1,8}(-[^-],\ )?(--[A-Za-z0-9][A-Za-z0-9-]*)(\[?=([^] ]+))? ]] || continue
		opt=${BASH_REMATCH[2]} arg=${BASH_REMATCH[4]:-}
		case " $UNIVERSAL_LONG " in *" $opt "*) continue ;; esac
		if [ -n "$arg" ] && [[ ${BASH_REMATCH[3]} != \[* ]]; then
			val=$(probe_value "$arg")
			# shellcheck disable=SC2086
			(cd "$work/cwd" && env -u VFIO_DMABUF_SOCKET -u DU_SYSFS_ROOT \
				timeout -s KILL 2 "$cmd" $g $path "$opt=$val" \
				>/dev/null 2>"$work/perr" </dev/null) 2>/dev/null
		else
			# shellcheck disable=SC2086
			(cd "$work/cwd" && env -u VFIO_DMABUF_SOCKET -u DU_SYSFS_ROOT \
				timeout -s KILL 2 "$cmd" $g $path "$opt" \
				>/dev/null 2>"$work/perr" </dev/null) 2>/dev/null
		fi
		if grep -E -q -- "(${opt}[^a-z-].*(does not apply|do not apply|not an option|not valid for)|(unrecognized|invalid) option '?${opt}'?([^a-z-]|$))" "$work/perr"; then
			problem "$label: --help prints $opt, the command rejects it ($(head -n 1 "$work/perr"))"
		fi
	done <"$work/help.txt"
}

# check_options CMD PATH
check_options() {
	local cmd=$1 path=$2 label="$1${2:+ $2}" mode
	# shellcheck disable=SC2086
	run "$cmd" $path --help
	cp "$work/out" "$work/help.txt"
	if [ $rc -ne 0 ] || [ ! -s "$work/out" ]; then
		problem "$label: '$label --help' exits $rc with $(wc -l <"$work/out") lines of output"
	fi
	help_options <"$work/help.txt" >"$work/help.set"
	man_set "$cmd" "$path"
	verbose "help: $(tr '\n' ' ' <"$work/help.set")"
	verbose "man:  $(tr '\n' ' ' <"$work/man.set")"

	# --help and the man page: long and short options, both ways.
	diff_sets "$work/help.set" "$work/man.set" "--help prints" \
		"the man page does not document it" "$label"
	diff_sets "$work/man.set" "$work/help.set" "the man page documents" \
		"--help does not print it" "$label"

	# completion, without and with bash-completion
	local modes=bare
	[ -r "$BASHCOMP" ] && modes="bare full"
	for mode in $modes; do
		mode_name=$([ $mode = bare ] && echo "without bash-completion" || echo "with bash-completion")
		# shellcheck disable=SC2086
		completion_options "$mode" "$cmd" $path
		verbose "completion $mode_name: $(tr '\n' ' ' <"$work/comp.$mode")"
		[ -n "$comp_failed" ] && continue
		only_long <"$work/comp.$mode" >"$work/cl"
		only_short <"$work/comp.$mode" >"$work/cs"
		only_long <"$work/help.set" >"$work/hl"
		only_short <"$work/help.set" >"$work/hs"
		local suffix=""
		[ "$mode" = full ] && suffix=" (with bash-completion)"
		# Say each difference once: with bash-completion only what
		# differs from the bare run.
		if [ "$mode" = full ] && cmp -s "$work/comp.bare" "$work/comp.full"; then
			continue
		fi
		diff_sets "$work/hl" "$work/cl" "--help prints" \
			"completion does not offer it$suffix" "$label"
		diff_sets "$work/cl" "$work/hl" "completion offers" \
			"--help does not print it$suffix" "$label"
		diff_sets "$work/cs" "$work/hs" "completion offers" \
			"--help does not print it$suffix" "$label"
	done

	check_rejected "$cmd" "$path"
}

# Subcommands (and a parent's verbs) that completion offers and the
# command's table lacks, and the other way round.
check_command_lists() {
	local cmd=$1 words=$2 listed=$3 label="$1${2:+ $2}" mode
	local modes=bare
	[ -r "$BASHCOMP" ] && modes="bare full"
	printf '%s\n' $listed | sort -u >"$work/listed"
	for mode in $modes; do
		# shellcheck disable=SC2086
		complete_words "$mode" "$cmd" $words ""
		if [ $? -ne 0 ]; then
			problem "$label: completion ($mode) fails after '$label ': $(head -n 1 "$work/cerr")"
			continue
		fi
		grep -v -E -- '^-|^help$' "$work/cout" | sort -u >"$work/offered"
		local suffix=""
		[ "$mode" = full ] && suffix=" (with bash-completion)"
		diff_sets "$work/offered" "$work/listed" "completion offers the command" \
			"'$label help' does not list it$suffix" "$label"
		diff_sets "$work/listed" "$work/offered" "'$label help' lists the command" \
			"completion does not offer it$suffix" "$label"
	done
}

# check_help CMD PATH: the help options and 'help PATH'.
check_help() {
	local cmd=$1 path=$2 label="$1${2:+ $2}" o vref
	# shellcheck disable=SC2086
	run "$cmd" $path --help
	if [ $rc -ne 0 ] || [ ! -s "$work/out" ] || [ -s "$work/err" ]; then
		problem "$label: '$label --help' exits $rc, $(wc -l <"$work/out") lines on stdout, $(wc -l <"$work/err") on stderr"
	fi
	cp "$work/out" "$work/ref"
	# the help options, listed as tools/lib/cli.c lists them everywhere
	local l
	for l in "  -h, -?, --help             Give this help list" \
		 "      --usage                Give a short usage message" \
		 "  -V, --version              Print program version"; do
		grep -q -x -F -- "$l" "$work/ref" ||
			grep -q '^Commands:' "$work/ref" ||
			problem "$label: '$label --help' lacks the line '$l' (du/cli.h)"
	done
	for o in -h '-?'; do
		# shellcheck disable=SC2086
		run "$cmd" $path "$o"
		if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
			problem "$label: '$label $o' exits $rc${rc:+ }$(head -n 1 "$work/err")"
		elif ! cmp -s "$work/out" "$work/ref"; then
			problem "$label: '$label $o' does not print what '$label --help' prints"
		fi
	done
	# shellcheck disable=SC2086
	run "$cmd" $path --usage
	if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
		problem "$label: '$label --usage' exits $rc $(head -n 1 "$work/err")"
	elif ! head -n 1 "$work/out" | grep -q "^Usage: $label"; then
		problem "$label: '$label --usage' does not start with 'Usage: $label'"
	elif cmp -s "$work/out" "$work/ref"; then
		problem "$label: '$label --usage' prints the whole help, not a short usage message"
	fi
	vref="$cmd (dmabuf-utils) $(cat "$top_srcdir/VERSION" 2>/dev/null)"
	for o in -V --version; do
		# shellcheck disable=SC2086
		run "$cmd" $path "$o"
		if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
			problem "$label: '$label $o' exits $rc $(head -n 1 "$work/err")"
		elif [ "$(cat "$work/out")" != "$vref" ]; then
			problem "$label: '$label $o' prints '$(head -n 1 "$work/out")', not '$vref'"
		fi
	done
	# 'CMD help PATH' (for the top level 'CMD help') = 'CMD PATH --help'
	# shellcheck disable=SC2086
	run "$cmd" help $path
	if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
		problem "$label: '$cmd help${path:+ $path}' exits $rc $(head -n 1 "$work/err")"
	elif ! cmp -s "$work/out" "$work/ref"; then
		problem "$label: '$cmd help${path:+ $path}' does not print what '$label --help' prints"
	fi
	# a parent: 'CMD PARENT help' too
	case $'\n'"${PARENTS[$cmd]}" in
	*$'\n'"$path"$'\n'*)
		[ -n "$path" ] || return 0
		# shellcheck disable=SC2086
		run "$cmd" $path help
		if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
			problem "$label: '$label help' exits $rc $(head -n 1 "$work/err")"
		elif ! cmp -s "$work/out" "$work/ref"; then
			problem "$label: '$label help' does not print what '$label --help' prints"
		fi ;;
	esac
}

for cmd in $COMMANDS; do
	if ! command -v "$cmd" >/dev/null; then
		tap_n=$((tap_n + 1))
		echo "not ok $tap_n - $cmd: not built (no $cmd in $top_builddir)"
		tap_fail=$((tap_fail + 1))
		continue
	fi
	: >"$work/problems"
	: >"$work/verbose"
	discover "$cmd"
	man_options "$top_srcdir/man/$cmd.1" "${SUBS[$cmd]}${PARENTS[$cmd]}" >"$work/man.$cmd"

	# The top level: its options and its command list.
	check_options "$cmd" ""
	tops=$(cut -f1 "$work/top.$cmd")
	[ -n "$tops" ] && check_command_lists "$cmd" "" "$tops"
	report "$cmd: options agree"
	check_help "$cmd" ""
	report "$cmd: help, usage, version"

	while IFS= read -r parent; do
		[ -n "$parent" ] || continue
		verbs=$(printf '%s' "${SUBS[$cmd]}" | awk -v p="$parent" '$1 == p { print $2 }')
		# shellcheck disable=SC2086
		check_command_lists "$cmd" "$parent" "$verbs"
		report "$cmd $parent: commands agree"
		check_help "$cmd" "$parent"
		report "$cmd $parent: help, usage, version"
	done <<<"${PARENTS[$cmd]}"

	while IFS= read -r sub; do
		[ -n "$sub" ] || continue
		check_options "$cmd" "$sub"
		report "$cmd $sub: options agree"
		check_help "$cmd" "$sub"
		report "$cmd $sub: help, usage, version"
	done <<<"${SUBS[$cmd]}"
done

echo "1..$tap_n"
[ $tap_fail -eq 0 ]
