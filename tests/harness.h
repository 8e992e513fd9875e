/* SPDX-License-Identifier: MIT */
/* A tiny test harness: each tests/test_*.c is a program of TEST()s.
 * Each test prints "ok" or "FAIL" lines; the binary's last line is
 * "N passed, N failed", which tests/run.sh adds up. */
#ifndef LATHE_HARNESS_H
#define LATHE_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void harness_register(const char *name, test_fn fn);
/* Records a failed check; the current test keeps going. */
void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A scratch directory unique to this test binary, created on first use. */
const char *harness_tmpdir(void);

#define TEST(name)                                                        \
    static void name(void);                                               \
    __attribute__((constructor)) static void name##_register(void)        \
    { harness_register(#name, name); }                                    \
    static void name(void)

#define CHECK(cond)                                                       \
    do { if (!(cond)) harness_fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define CHECK_MSG(cond, ...)                                              \
    do { if (!(cond)) harness_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define CHECK_EQ_INT(a, b)                                                \
    do { long long a_ = (long long)(a), b_ = (long long)(b);              \
         if (a_ != b_) harness_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, a_, b_); } while (0)
#define CHECK_EQ_STR(a, b)                                                \
    do { const char *a_ = (a), *b_ = (b);                                 \
         if (!a_ || !b_ || strcmp(a_, b_) != 0)                           \
             harness_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define CHECK_NEAR(a, b, tol)                                             \
    do { double a_ = (a), b_ = (b), t_ = (tol);                           \
         if (!(fabs(a_ - b_) <= t_))                                      \
             harness_fail(__FILE__, __LINE__, "%s == %.6g, expected %.6g +- %.3g", #a, a_, b_, t_); } while (0)

#endif
