/* SPDX-License-Identifier: MIT */
/* Tests of session/params: values with units, processor lines. */
#include "session/params.h"
#include "tests/harness.h"

static void roundtrip(enum proc_kind kind, const char *in, const char *want)
{
    struct proc p;
    char err[256] = "", out[256];
    CHECK_MSG(proc_parse(&p, kind, in, err, sizeof err), "%s: %s", in, err);
    proc_format(&p, out, sizeof out);
    CHECK_EQ_STR(out, want);
}

TEST(eq_lines_parse_and_format_canonically)
{
    roundtrip(PROC_EQ, "bell 3kHz -1.5dB q 1.2", "bell 3kHz -1.5dB q 1.2");
    roundtrip(PROC_EQ, "lowshelf 90Hz +0.8dB q 0.7", "lowshelf 90Hz +0.8dB q 0.7");
    roundtrip(PROC_EQ, "highpass 30Hz slope 24dB", "highpass 30Hz slope 24dB");
    roundtrip(PROC_EQ, "bell 3000Hz -1.5 dB", "bell 3kHz -1.5dB");
    roundtrip(PROC_EQ, "bell 2.5kHz 0dB", "bell 2.5kHz +0dB");
}

TEST(comp_limit_width_multiband_lines)
{
    roundtrip(PROC_COMP, "threshold -16dB ratio 1.5 attack 30ms release 200ms knee 6dB",
              "threshold -16dB ratio 1.5 attack 30ms release 200ms knee 6dB");
    roundtrip(PROC_COMP, "ratio 2 threshold -20dB detector rms link midside",
              "threshold -20dB ratio 2 detector rms link midside");
    roundtrip(PROC_LIMIT, "ceiling -1dBTP release 60ms", "ceiling -1dBTP release 60ms");
    roundtrip(PROC_WIDTH, "120% mono-below 100Hz", "120% mono-below 100Hz");
    roundtrip(PROC_MULTIBAND, "xover 120Hz 2kHz threshold -20dB -18dB -16dB ratio 2",
              "xover 120Hz 2kHz threshold -20dB -18dB -16dB ratio 2");
    roundtrip(PROC_FADE, "2.5s", "2.5s");
    roundtrip(PROC_FADE, "2.5s log", "2.5s log");
    roundtrip(PROC_FADE, "75s", "1:15");
}

static void bad(enum proc_kind kind, const char *in, const char *msg)
{
    struct proc p;
    char err[256] = "";
    CHECK_MSG(!proc_parse(&p, kind, in, err, sizeof err), "accepted %s", in);
    CHECK_EQ_STR(err, msg);
}

TEST(bad_processor_lines_say_what_was_expected)
{
    bad(PROC_EQ, "bell 3kHz 3 db", "eq gain: \"3 db\" — expected a level like +3dB");
    bad(PROC_EQ, "wobble 3kHz", "eq type: \"wobble\" — expected bell, lowshelf, highshelf, highpass or lowpass");
    bad(PROC_EQ, "bell 3kHz q", "eq q: missing value — expected a number like 1.5");
    bad(PROC_EQ, "bell 50kHz", "eq freq: \"50kHz\" — expected 10Hz to 30kHz");
    bad(PROC_EQ, "highpass 30Hz slope 20dB", "eq slope: \"20dB\" — expected 6, 12, 18, 24, 36 or 48dB");
    bad(PROC_COMP, "threshold -16dB ratio 2 speed 3", "comp: unknown setting \"speed\"");
    bad(PROC_COMP, "threshold -16dB ratio 2 atack 30ms",
        "comp: unknown setting \"atack\" — did you mean \"attack\"?");
    bad(PROC_COMP, "ratio 2 ratio 3", "comp: ratio given twice");
    bad(PROC_MULTIBAND, "xover 2kHz 120Hz", "multiband xover: frequencies must rise");
    bad(PROC_MULTIBAND, "xover 120Hz threshold -20dB -18dB -16dB",
        "multiband threshold: 3 values for 2 bands — give one or 2");
}

TEST(values_with_units)
{
    double v;
    CHECK(param_parse_value(UNIT_SECONDS, NULL, "1:23.4", &v));
    CHECK_NEAR(v, 83.4, 1e-9);
    CHECK(param_parse_value(UNIT_SECONDS, NULL, "500ms", &v));
    CHECK_NEAR(v, 0.5, 1e-12);
    CHECK(param_parse_value(UNIT_LUFS, NULL, "-14 LUFS", &v));
    CHECK_NEAR(v, -14, 0);
    CHECK(!param_parse_value(UNIT_DB, NULL, "0x10dB", &v));
    CHECK(!param_parse_value(UNIT_DB, NULL, "nandB", &v));
    CHECK(!param_parse_value(UNIT_SECONDS, NULL, "1:75", &v));
    char buf[32];
    param_format_value(UNIT_GAIN, NULL, -0.0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "+0dB");
    param_format_value(UNIT_SECONDS, NULL, 83.4, buf, sizeof buf);
    CHECK_EQ_STR(buf, "1:23.4");
}

TEST(multiband_bands_and_defaults)
{
    struct proc p;
    char err[128];
    CHECK(proc_parse(&p, PROC_MULTIBAND, "xover 100Hz 1kHz 6kHz ratio 1.5 2 2 3", err, sizeof err));
    CHECK_EQ_INT(proc_bands(&p), 4);
    CHECK_NEAR(proc_get_band(&p, MB_RATIO, 3), 3, 0);
    CHECK_NEAR(proc_get_band(&p, MB_THRESHOLD, 2), -18, 0);
}

TEST(a_processor_with_nothing_set_formats_as_empty)
{
    /* the buffer held the last caller's text: it must not show through */
    char buf[64] = "stale text";
    struct proc p;
    memset(&p, 0, sizeof p);
    p.kind = PROC_COMP;
    CHECK_EQ_INT(proc_format(&p, buf, sizeof buf), 0);
    CHECK_EQ_STR(buf, "");
}
