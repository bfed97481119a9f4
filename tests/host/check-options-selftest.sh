#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/host/check-options.sh checked against a made-up command "fake"
# (a shell script with subcommands get and set, its man page and its
# completion, in a temporary top_srcdir): consistent, it passes; with one
# defect of each kind the checker names it, and the TODO list turns a
# listed failure into TODO and a listed pass into a failure (XPASS).

. "$top_srcdir/tests/lib/shunit2-tap.sh"

CHECKER=$top_srcdir/tests/host/check-options.sh

oneTimeSetUp() {
	fix=$(mktemp -d)
	mkdir -p "$fix/bin" "$fix/man" "$fix/completion"
	echo 9.9 >"$fix/VERSION"

	# The command: FAKE_BAD (words) switches defects on.
	cat >"$fix/bin/fake" <<'EOF'
#!/bin/bash
bad() { [[ " ${FAKE_BAD-} " == *" $1 "* ]]; }
helplines() {
	bad no-h || echo "  -h, -?, --help             Give this help list"
	bad no-h && echo "  -?, --help                 Give this help list"
	echo "      --usage                Give a short usage message"
	echo "  -V, --version              Print program version"
}
top_help() {
	echo "Usage: fake [OPTION...] COMMAND [ARG...]"
	echo "A fake command."
	echo
	echo "Commands:"
	echo "  get        get it"
	echo "  set        set it"
	echo "  help       this help"
	echo
	echo "  -j, --json                 JSON output"
	helplines
}
get_help() {
	echo "Usage: fake get [OPTION...]"
	echo "Get it."
	echo
	echo "      --all                  all of them"
	echo "      --name=NAME            the one named NAME"
	helplines
}
set_help() {
	echo "Usage: fake set [OPTION...]"
	echo "Set it."
	echo
	echo "      --force                even if it is set"
	bad extra-help && echo "      --hidden               not documented anywhere"
	echo "      --value=V              the value, with --force or"
	echo "                             --not-an-option in the text"
	helplines
}
version() { if bad version; then echo "fake 9.9"; else echo "fake (dmabuf-utils) 9.9"; fi; }
usage() { echo "Usage: fake$1 [-h?V] [--help] [--usage] [--version]"; }
sub=
case ${1-} in get | set) sub=$1; shift ;; esac
if [ -z "$sub" ] && [ "${1-}" = help ]; then
	case ${2-} in
	get) get_help ;;
	set) if bad help-sub; then get_help; else set_help; fi ;;
	*) top_help ;;
	esac
	exit 0
fi
for a in "$@"; do
	case $a in
	--help | -\?) ${sub:-top}_help; exit 0 ;;
	-h) bad no-h && { echo "fake: invalid option -- 'h'" >&2; exit 2; }
	    ${sub:-top}_help; exit 0 ;;
	--usage) usage "${sub:+ $sub}"; exit 0 ;;
	-V | --version) version; exit 0 ;;
	--force) bad reject && [ "$sub" = set ] &&
		{ echo "fake set: --force does not apply to set" >&2; exit 2; } ;;
	esac
done
[ -n "$sub" ] || { echo "fake: missing command" >&2; exit 2; }
exit 0
EOF
	chmod +x "$fix/bin/fake"

	cat >"$fix/man/fake.1.good" <<'EOF'
.TH FAKE 1
.SH NAME
fake \- a made-up command
.SH COMMANDS
.TP
.B get \fR[\fB\-\-name \fINAME\fR] [\fB\-\-all\fR]
Get it (not to be confused with
.BR \-\-value ).
.TP
.B set \-\-value \fIV
.TQ
\fR[\fB\-\-force\fR]
Set it.
.SH OPTIONS
Running text mentions \-\-anything.
.TP
.BR \-j ", " \-\-json
JSON.
.TP
.BR \-h ", " \-? ", " \-\-help
Help.
.TP
.B \-\-usage
Usage.
.TP
.BR \-V ", " \-\-version
Version.
EOF

	cat >"$fix/completion/fake.good" <<'EOF'
_fake()
{
	local cur=${COMP_WORDS[COMP_CWORD]} o=
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --help --usage --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "get set help" -- "$cur"))
		fi
		return
	fi
	case ${COMP_WORDS[1]} in
	get) o="--name --all" ;;
	set) o="--value --force" ;;
	esac
	COMPREPLY=($(compgen -W "$o --help --usage --version" -- "$cur"))
}
complete -F _fake fake
EOF
}

oneTimeTearDown() {
	rm -rf "$fix"
}

# check [FAKE_BAD words]: run the checker on fake; output in $out, status $rc.
check() {
	out=$(FAKE_BAD="$*" top_srcdir=$fix top_builddir=$fix/bin \
		CHECK_OPTIONS_COMMANDS=fake CHECK_OPTIONS_TODO=${todo-} \
		bash "$CHECKER" 2>&1)
	rc=$?
}

suite_setUp() {
	cp "$fix/man/fake.1.good" "$fix/man/fake.1"
	cp "$fix/completion/fake.good" "$fix/completion/fake"
	todo=
}

test_consistent_command_passes() {
	check
	assertEquals "status: $out" 0 "$rc"
	assertContains "$out" "ok 1 - fake: options agree"
	assertContains "$out" "ok 3 - fake get: options agree"
	assertContains "$out" "ok 6 - fake set: help, usage, version"
	assertContains "$out" "1..6"
	assertNotContains "$out" "not ok"
}

test_option_missing_from_the_man_page() {
	sed -i 's/ \[\\fB\\-\\-all\\fR\]//' "$fix/man/fake.1"
	check
	assertEquals 1 "$rc"
	assertContains "$out" "not ok 3 - fake get: options agree"
	assertContains "$out" "# fake get: --help prints --all, the man page does not document it"
}

test_option_only_in_the_man_page() {
	printf '.TP\n.B \\-\\-gone\nNo more.\n' >>"$fix/man/fake.1"
	check
	assertContains "$out" "# fake: the man page documents --gone, --help does not print it"
}

test_option_help_prints_and_nobody_else_knows() {
	check extra-help
	assertContains "$out" "# fake set: --help prints --hidden, the man page does not document it"
	assertContains "$out" "# fake set: --help prints --hidden, completion does not offer it"
}

test_completion_offers_more_or_less() {
	sed -i 's/o="--value --force"/o="--value --bogus"/' "$fix/completion/fake"
	check
	assertContains "$out" "# fake set: completion offers --bogus, --help does not print it"
	assertContains "$out" "# fake set: --help prints --force, completion does not offer it"
}

test_completion_that_needs_bash_completion() {
	sed -i 's/^\tlocal cur=/\t_init_completion || return\n\tlocal cur=/' "$fix/completion/fake"
	check
	assertContains "$out" "# fake: completion (without bash-completion) fails after 'fake -': the completion function wrote to stderr"
}

test_command_lists_of_help_and_completion() {
	sed -i 's/"get set help"/"get set del help"/' "$fix/completion/fake"
	check
	assertContains "$out" "# fake: completion offers the command del, 'fake help' does not list it"
}

test_option_the_command_rejects() {
	check reject
	assertContains "$out" "# fake set: --help prints --force, the command rejects it (fake set: --force does not apply to set)"
}

test_help_options_and_version() {
	check no-h version
	assertContains "$out" "# fake get: 'fake get -h' exits 2 fake: invalid option -- 'h'"
	assertContains "$out" "# fake get: 'fake get --help' lacks the line '  -h, -?, --help             Give this help list' (du/cli.h)"
	assertContains "$out" "# fake: 'fake -V' prints 'fake 9.9', not 'fake (dmabuf-utils) 9.9'"
}

test_help_sub_prints_another_text() {
	check help-sub
	assertContains "$out" "# fake set: 'fake help set' does not print what 'fake set --help' prints"
}

test_todo_list() {
	todo=$fix/todo
	printf '# comment\nfake get: options agree\n' >"$todo"
	check
	assertEquals "a listed case that passes fails the run (XPASS)" 1 "$rc"
	assertContains "$out" "ok 3 - fake get: options agree # TODO"
	sed -i 's/ \[\\fB\\-\\-all\\fR\]//' "$fix/man/fake.1"
	check
	assertEquals "a listed case that fails is a TODO: $out" 0 "$rc"
	assertContains "$out" "not ok 3 - fake get: options agree # TODO"
}

tap_run_shunit2
