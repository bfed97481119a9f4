# SPDX-License-Identifier: GPL-2.0-or-later
# Count TAP results: prints "PASS FAIL SKIP". A "not ok ... # TODO" counts
# as a failure too (the project has no expected failures), and so does a
# plan that does not match the number of results seen.
/^[ \t]*ok[ \t]/ {
	if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) skip++; else pass++
	n++
	next
}
/^[ \t]*not ok[ \t]/ { fail++; n++; next }
/^1\.\.[0-9]+/ { split($0, a, /\.\./); plan += a[2] + 0; plans++ }
END {
	if (plans && plan > n) fail += plan - n
	printf "%d %d %d\n", pass, fail, skip
}
