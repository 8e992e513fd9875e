/* SPDX-License-Identifier: MIT */
/* Tests of session/sessfile and keys: canonical text, layout kept, atomic save. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/sessfile.h"
#include "tests/harness.h"

static char *reformat(const char *in)
{
    char err[512];
    struct session *s = session_parse(in, strlen(in), "t", err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (!s)
        return strdup("");
    char *out = session_format(s);
    session_free(s);
    return out;
}

TEST(a_new_session_writes_canonically_and_rereads_identically)
{
    struct session *s = session_new();
    s->has_album = true;
    str_set(&s->album.text.title, "He said \"hi\" # not a comment");
    struct track *t = session_insert_track(s, 0);
    str_set(&t->file, "a b.wav");
    t->gap.in_samples = true;
    t->gap.samples = 88200;
    t->has_gap = true;
    t->gain = -1.25;
    struct output *o = session_add_output(s, "cd");
    o->has_format = true;
    char *first = session_format(s);
    CHECK(strstr(first, "title = \"He said \\\"hi\\\" # not a comment\"\n") != NULL);
    CHECK(strstr(first, "gap = 88200smp\n") != NULL);
    CHECK(strstr(first, "gain = -1.25dB\n") != NULL);
    char *second = reformat(first);
    CHECK_EQ_STR(second, first);
    char *third = reformat(second);
    CHECK_EQ_STR(third, second);
    free(first);
    free(second);
    free(third);
    session_free(s);
}

TEST(unchanged_hand_written_lines_are_kept_verbatim)
{
    const char *in = "[track]\nfile=a.wav\ngain =   +0.50dB   # by ear\neq = bell 3000Hz -1.5 dB\n# end\n";
    char *out = reformat(in);
    CHECK_EQ_STR(out, in);
    free(out);
}

TEST(save_is_atomic_and_keeps_the_previous_version)
{
    char path[512], bak[520];
    snprintf(path, sizeof path, "%s/s.lathe", harness_tmpdir());
    snprintf(bak, sizeof bak, "%s~", path);
    char err[512];
    CHECK(file_write_atomic(path, "one\n", 4, true, err, sizeof err));
    CHECK(file_write_atomic(path, "two\n", 4, true, err, sizeof err));
    FILE *f = fopen(bak, "r");
    char buf[16] = "";
    CHECK(f && fgets(buf, sizeof buf, f));
    CHECK_EQ_STR(buf, "one\n");
    if (f)
        fclose(f);
    /* a folder that cannot be written: an error, and the file stays */
    char ro[512];
    snprintf(ro, sizeof ro, "%s/ro", harness_tmpdir());
    mkdir(ro, 0555);
    char inside[600];
    snprintf(inside, sizeof inside, "%s/x.lathe", ro);
    if (geteuid() != 0) {
        CHECK(!file_write_atomic(inside, "x", 1, true, err, sizeof err));
        CHECK(strstr(err, "cannot write in its folder") != NULL);
    }
}

TEST(a_copy_writes_the_same_text_and_keeps_what_the_probe_found)
{
    static const char in[] = "# hand-written\n[album]\ntitle = Copy  # kept\n"
                             "[track]\nfile = a.wav\ngain = -1.5dB\n"
                             "[reference]\nfile = ref.wav\n";
    char err[512];
    struct session *s = session_parse(in, sizeof in - 1, "c.lathe", err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (!s)
        return;
    s->tracks[0].mix = (struct mix_info){ .probed = true, .ok = true, .rate = 44100, .channels = 2 };
    s->refs[0].mix = (struct mix_info){ .probed = true, .ok = false, .error = "gone" };
    struct session *c = session_copy(s, err, sizeof err);
    CHECK_MSG(c != NULL, "%s", err);
    if (c) {
        char *a = session_format(s), *b = session_format(c);
        CHECK_EQ_STR(a, b);
        free(a);
        free(b);
        CHECK(c->tracks[0].mix.ok && c->tracks[0].mix.rate == 44100);
        CHECK_EQ_STR(c->refs[0].mix.error, "gone");
        CHECK(c->tracks != s->tracks);
        session_free(c);
    }
    session_free(s);
}

TEST(a_reference_is_found_by_number_name_or_file)
{
    static const char in[] = "[reference]\nfile = a.wav\nname = Alpha\n[reference]\nfile = b.wav\n";
    char err[256];
    struct session *s = session_parse(in, sizeof in - 1, "r.lathe", err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (!s)
        return;
    CHECK_EQ_INT(session_find_reference(s, "2"), 1);
    CHECK_EQ_INT(session_find_reference(s, "Alpha"), 0);
    CHECK_EQ_INT(session_find_reference(s, "b.wav"), 1);
    CHECK_EQ_INT(session_find_reference(s, "3"), -1);
    CHECK_EQ_INT(session_find_reference(s, "Beta"), -1);
    session_free(s);
}

/* Runs of comment and blank lines are kept as one item each: they must
 * still come back byte for byte wherever they stand, and a copy and an
 * edit between them must not merge or lose them. */
TEST(runs_of_comments_and_blank_lines_survive_verbatim)
{
    const char *in = "# lead 1\n\n#lead 3\n[album]\ntitle = X\n\n# inside 1\n#inside 2\n\n"
                     "[track]\nfile = a.wav\n# between\n\n[output a]\nformat = wav\n\n# tail 1\n\n#tail 3\n";
    char *out = reformat(in);
    CHECK_EQ_STR(out, in);
    free(out);
    char err[512];
    struct session *s = session_parse(in, strlen(in), "t", err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (!s)
        return;
    struct session *c = session_copy(s, err, sizeof err);
    CHECK_MSG(c != NULL, "%s", err);
    char *a = session_format(s), *b = c ? session_format(c) : strdup("");
    CHECK_EQ_STR(b, a);
    free(a);
    free(b);
    session_free(c);
    session_free(s);
}

/* The duplicate check of [output] names goes through a hash set: it must
 * still find a repeat among many, and only a repeat. */
TEST(an_output_given_twice_is_refused_among_many)
{
    size_t cap = 64 * 5000 + 64, len = 0;
    char *in = malloc(cap);
    CHECK(in != NULL);
    if (!in)
        return;
    len += (size_t)snprintf(in + len, cap - len, "[track]\nfile = a.wav\n");
    for (int i = 0; i < 5000; i++)
        len += (size_t)snprintf(in + len, cap - len, "[output o%d]\nformat = wav\n", i);
    char err[512];
    struct session *s = session_parse(in, len, "t", err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    CHECK(s && s->noutputs == 5000);
    session_free(s);
    len += (size_t)snprintf(in + len, cap - len, "[output o1234]\nformat = flac\n");
    s = session_parse(in, len, "t", err, sizeof err);
    CHECK(s == NULL);
    CHECK_EQ_STR(err, "t:10003: [output o1234] given twice");
    session_free(s);
    free(in);
}
