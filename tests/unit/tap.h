/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/unit/tap.h - a few lines of TAP for the C unit tests.
 *
 *	ok(cond, "what %d", x);		one test point
 *	is_int(got, want, "what");	with got/want shown on failure
 *	is_str(got, want, "what");
 *	return tap_done();		prints the plan "1..N", exit status
 *
 * The plan comes last (TAP allows it), so tests need not count.
 */
#ifndef DU_TEST_TAP_H
#define DU_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failures;

static inline bool __attribute__((format(printf, 4, 5)))
tap_ok(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failures++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do {					\
	long long got_ = (long long)(got), want_ = (long long)(want);	\
	if (!ok(got_ == want_, __VA_ARGS__))				\
		printf("#   got %lld, want %lld\n", got_, want_);	\
} while (0)

#define is_u64(got, want, ...) do {					\
	unsigned long long got_ = (got), want_ = (want);		\
	if (!ok(got_ == want_, __VA_ARGS__))				\
		printf("#   got %llu (0x%llx), want %llu (0x%llx)\n",	\
		       got_, got_, want_, want_);			\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *got_ = (got), *want_ = (want);			\
	bool same_ = got_ && want_ ? !strcmp(got_, want_) : got_ == want_; \
	if (!ok(same_, __VA_ARGS__))					\
		printf("#   got  \"%s\"\n#   want \"%s\"\n",		\
		       got_ ? got_ : "(null)", want_ ? want_ : "(null)"); \
} while (0)

static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failures ? 1 : 0;
}

#endif /* DU_TEST_TAP_H */
