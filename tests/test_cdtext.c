/* SPDX-License-Identifier: MIT */
/* Tests of audio/cdtext: the CRC and pack vectors of standards §2.5-§2.6,
 * round trips, refusals and the decoder's tolerance. */
#include <stdlib.h>

#include "audio/cdtext.h"
#include "session/codes.h"
#include "tests/harness.h"

static const uint8_t vector_26[10][18] = {
    { 0x80, 0x00, 0x00, 0x00, 0x44, 0x69, 0x73, 0x63, 0x00, 0x54, 0x72, 0x61, 0x63, 0x6b, 0x20, 0x4f, 0x48, 0x04 },
    { 0x80, 0x01, 0x01, 0x07, 0x6e, 0x65, 0x00, 0x54, 0x72, 0x61, 0x63, 0x6b, 0x20, 0x54, 0x77, 0x6f, 0x55, 0xc9 },
    { 0x80, 0x02, 0x02, 0x09, 0x00, 0x54, 0x72, 0x61, 0x63, 0x6b, 0x20, 0x54, 0x68, 0x72, 0x65, 0x65, 0xe6, 0x6f },
    { 0x80, 0x03, 0x03, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5d, 0xf7 },
    { 0x81, 0x00, 0x04, 0x00, 0x41, 0x72, 0x74, 0x69, 0x73, 0x74, 0x00, 0x41, 0x72, 0x74, 0x69, 0x73, 0xfd, 0x22 },
    { 0x81, 0x01, 0x05, 0x05, 0x74, 0x00, 0x41, 0x72, 0x74, 0x69, 0x73, 0x74, 0x00, 0x41, 0x72, 0x74, 0x8c, 0x25 },
    { 0x81, 0x03, 0x06, 0x03, 0x69, 0x73, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x62, 0xac },
    { 0x8f, 0x00, 0x07, 0x00, 0x00, 0x01, 0x03, 0x00, 0x04, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0xfb },
    { 0x8f, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x09, 0x00, 0x00, 0x00, 0xd6, 0xa6 },
    { 0x8f, 0x02, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x4e },
};

static void set(struct cdtext_disc *d, int track, int field, const char *v)
{
    free(d->text[track][field]);
    d->text[track][field] = v ? strdup(v) : NULL;
}

static void vector_disc(struct cdtext_disc *d)
{
    memset(d, 0, sizeof *d);
    d->ntracks = 3;
    set(d, 0, CDTEXT_TITLE, "Disc");
    set(d, 1, CDTEXT_TITLE, "Track One");
    set(d, 2, CDTEXT_TITLE, "Track Two");
    set(d, 3, CDTEXT_TITLE, "Track Three");
    for (int t = 0; t <= 3; t++)
        set(d, t, CDTEXT_PERFORMER, "Artist");
}

struct seen {
    char lines[16][512];
    int n;
};

static void collect(void *ctx, const char *msg)
{
    struct seen *s = ctx;
    if (s->n < 16)
        snprintf(s->lines[s->n], sizeof s->lines[0], "%s", msg);
    s->n++;
}

static bool seen_has(const struct seen *s, const char *needle)
{
    for (int i = 0; i < s->n && i < 16; i++)
        if (strstr(s->lines[i], needle))
            return true;
    return false;
}

static bool same(const char *a, const char *b)
{
    if (!a || !*a)
        return !b || !*b;
    return b && strcmp(a, b) == 0;
}

static void check_equal(const struct cdtext_disc *a, const struct cdtext_disc *b)
{
    CHECK_EQ_INT(b->ntracks, a->ntracks);
    for (int t = 0; t <= a->ntracks; t++)
        for (int f = 0; f < CDTEXT_NFIELDS; f++)
            CHECK_MSG(same(a->text[t][f], b->text[t][f]), "track %d %s: \"%s\" read back as \"%s\"",
                      t, cdtext_field_name(f), a->text[t][f] ? a->text[t][f] : "(null)",
                      b->text[t][f] ? b->text[t][f] : "(null)");
    CHECK_EQ_INT(b->genre, a->genre);
    CHECK(same(a->genre_text, b->genre_text));
}

TEST(crc_matches_the_published_size_pack)
{
    static const uint8_t p[16] = { 0x8f, 0x00, 0x2a, 0x00, 0x01, 0x01, 0x03, 0x00,
                                   0x06, 0x05, 0x04, 0x05, 0x07, 0x06, 0x01, 0x02 };
    CHECK_EQ_INT(cdtext_crc(p, 16), 0x4865);
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(cdtext_crc(vector_26[i], 16), vector_26[i][16] << 8 | vector_26[i][17]);
}

TEST(encoder_reproduces_the_cue2ddp_vector_byte_for_byte)
{
    struct cdtext_disc d;
    vector_disc(&d);
    uint8_t *out;
    size_t len;
    char err[512] = "";
    CHECK_MSG(cdtext_encode(&d, &out, &len, err, sizeof err), "%s", err);
    CHECK_EQ_INT(len, sizeof vector_26);
    if (len == sizeof vector_26)
        for (int i = 0; i < 10; i++)
            for (int k = 0; k < 18; k++)
                CHECK_MSG(out[i * 18 + k] == vector_26[i][k], "pack %d byte %d: %02x, expected %02x",
                          i, k, out[i * 18 + k], vector_26[i][k]);
    free(out);
    cdtext_disc_free(&d);
}

TEST(decoder_reads_the_vector_without_problems)
{
    struct cdtext_disc want, got;
    vector_disc(&want);
    struct seen s = { .n = 0 };
    CHECK(cdtext_decode(&vector_26[0][0], sizeof vector_26, &got, collect, &s));
    CHECK_EQ_INT(s.n, 0);
    check_equal(&want, &got);
    cdtext_disc_free(&want);
    cdtext_disc_free(&got);
}

TEST(round_trip_of_every_field_latin1_and_genre)
{
    struct cdtext_disc d = { .ntracks = 5 };
    set(&d, 0, CDTEXT_TITLE, "Nuits d'été à Zürich, Ærø og Øresund «live»");
    set(&d, 0, CDTEXT_PERFORMER, "Orchestre Symphonique de Montréal");
    set(&d, 0, CDTEXT_COMPOSER, "Hector Berlioz");
    set(&d, 0, CDTEXT_MESSAGE, "Recorded 2024 ©");
    set(&d, 1, CDTEXT_TITLE, "Villanelle");
    set(&d, 2, CDTEXT_TITLE, "Le Spectre de la rose, a title long enough to span several packs");
    set(&d, 3, CDTEXT_TITLE, "Sur les lagunes");
    set(&d, 5, CDTEXT_TITLE, "L'île inconnue");
    set(&d, 2, CDTEXT_SONGWRITER, "Théophile Gautier");
    set(&d, 4, CDTEXT_ARRANGER, "X");
    for (int t = 1; t <= 5; t++)
        set(&d, t, CDTEXT_PERFORMER, t == 3 ? "Soloist ½" : "Orchestre Symphonique de Montréal");
    d.genre = genre_code("Classical");
    d.genre_text = strdup("Classical");
    uint8_t *out;
    size_t len;
    char err[512] = "";
    CHECK_MSG(cdtext_encode(&d, &out, &len, err, sizeof err), "%s", err);
    CHECK_EQ_INT(len % 18, 0);
    struct cdtext_disc back;
    struct seen s = { .n = 0 };
    CHECK(cdtext_decode(out, len, &back, collect, &s));
    CHECK_MSG(s.n == 0, "problems: %s", s.lines[0]);
    check_equal(&d, &back);
    /* the size record counts what is there; its last sequence is the last pack's */
    const uint8_t *size0 = out + len - 3 * 18;
    CHECK_EQ_INT(size0[0], 0x8f);
    CHECK_EQ_INT(size0[4 + 2], 5);                      /* last track */
    CHECK_EQ_INT(out[len - 2 * 18 + 4 + 8], len / 18 - 1); /* byte 20 of the record */
    /* a trailing stray byte (seen in a Sonoris file) is ignored */
    uint8_t *more = malloc(len + 1);
    memcpy(more, out, len);
    more[len] = 0;
    struct cdtext_disc again;
    s.n = 0;
    CHECK(cdtext_decode(more, len + 1, &again, collect, &s));
    CHECK_EQ_INT(s.n, 0);
    check_equal(&d, &again);
    cdtext_disc_free(&again);
    free(more);
    free(out);
    cdtext_disc_free(&back);
    cdtext_disc_free(&d);
}

TEST(text_outside_latin1_is_refused_naming_field_and_track)
{
    struct cdtext_disc d = { .ntracks = 3 };
    set(&d, 0, CDTEXT_TITLE, "Fine");
    set(&d, 3, CDTEXT_COMPOSER, "坂本龍一");
    uint8_t *out = (uint8_t *)"x";
    size_t len = 7;
    char err[512] = "";
    CHECK(!cdtext_encode(&d, &out, &len, err, sizeof err));
    CHECK(out == NULL && len == 0);
    CHECK_MSG(strstr(err, "composer of track 3") && strstr(err, "\"坂\"") && strstr(err, "Latin-1"),
              "message: %s", err);
    set(&d, 3, CDTEXT_COMPOSER, NULL);
    set(&d, 0, CDTEXT_MESSAGE, "a\ttab");
    CHECK(!cdtext_encode(&d, &out, &len, err, sizeof err));
    CHECK_MSG(strstr(err, "message of the album") && strstr(err, "control character"), "message: %s", err);
    set(&d, 0, CDTEXT_MESSAGE, "bad \xff utf-8");
    CHECK(!cdtext_encode(&d, &out, &len, err, sizeof err));
    CHECK_MSG(strstr(err, "not valid UTF-8"), "message: %s", err);
    set(&d, 0, CDTEXT_MESSAGE, "Ça va — non");   /* U+2014 */
    CHECK(!cdtext_encode(&d, &out, &len, err, sizeof err));
    CHECK_MSG(strstr(err, "\"—\""), "message: %s", err);
    cdtext_disc_free(&d);
}

TEST(at_most_253_text_packs)
{
    struct cdtext_disc d = { .ntracks = 1 };
    char *title = malloc(4000);
    memset(title, 'a', 3034);           /* 3034 + NUL + track 1's NUL = 253 x 12 bytes */
    title[3034] = 0;
    set(&d, 0, CDTEXT_TITLE, title);
    uint8_t *out;
    size_t len;
    char err[512] = "";
    CHECK_MSG(cdtext_encode(&d, &out, &len, err, sizeof err), "%s", err);
    CHECK_EQ_INT(len, 256 * 18);
    if (len == 256 * 18)
        CHECK_EQ_INT(out[255 * 18 + 2], 255);           /* the last sequence number */
    free(out);
    title[3034] = 'a';
    title[3035] = 0;
    set(&d, 0, CDTEXT_TITLE, title);
    CHECK(!cdtext_encode(&d, &out, &len, err, sizeof err));
    CHECK_MSG(strstr(err, "254 packs") && strstr(err, "253"), "message: %s", err);
    free(title);
    cdtext_disc_free(&d);
}

TEST(decoder_reports_crc_sequence_and_size_problems)
{
    uint8_t buf[sizeof vector_26];
    memcpy(buf, vector_26, sizeof buf);
    buf[4 * 18 + 5] ^= 0x20;            /* "Artist" -> "ARtist", CRC left alone */
    struct cdtext_disc d;
    struct seen s = { .n = 0 };
    CHECK(cdtext_decode(buf, sizeof buf, &d, collect, &s));
    CHECK_EQ_INT(s.n, 1);
    CHECK_MSG(seen_has(&s, "pack 5 (performer): CRC fd22 does not match"), "%s", s.lines[0]);
    cdtext_disc_free(&d);
    /* a pack dropped: the sequence and the size record no longer agree */
    memcpy(buf, vector_26, sizeof buf);
    memmove(buf + 5 * 18, buf + 6 * 18, 4 * 18);
    s.n = 0;
    CHECK(cdtext_decode(buf, sizeof buf - 18, &d, collect, &s));
    CHECK(seen_has(&s, "pack 6 (performer): sequence number 6, expected 5"));
    CHECK(seen_has(&s, "size information counts 3 performer packs; the file has 2"));
    cdtext_disc_free(&d);
    /* nothing usable */
    CHECK(!cdtext_decode(buf, 17, &d, collect, &s));
    cdtext_disc_free(&d);
}

TEST(decoder_honours_the_tab_shortcut)
{
    static const char text[] = "Disc\0Same\0\t\0Other";     /* 18 bytes + final NUL */
    uint8_t packs[5 * 18] = { 0 };
    for (int p = 0; p < 2; p++) {
        uint8_t *k = packs + p * 18;
        k[0] = 0x80;
        k[1] = p == 0 ? 0 : 3;
        k[2] = (uint8_t)p;
        memcpy(k + 4, text + p * 12, p == 0 ? 12 : sizeof text - 12);
    }
    static const uint8_t size[36] = { 0, 1, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,
                                      4, 0, 0, 0, 0, 0, 0, 0, 9 };
    for (int p = 0; p < 3; p++) {
        uint8_t *k = packs + (2 + p) * 18;
        k[0] = 0x8f;
        k[1] = (uint8_t)p;
        k[2] = (uint8_t)(2 + p);
        memcpy(k + 4, size + p * 12, 12);
    }
    for (int p = 0; p < 5; p++) {
        uint16_t crc = cdtext_crc(packs + p * 18, 16);
        packs[p * 18 + 16] = (uint8_t)(crc >> 8);
        packs[p * 18 + 17] = (uint8_t)crc;
    }
    struct cdtext_disc d;
    struct seen s = { .n = 0 };
    CHECK(cdtext_decode(packs, sizeof packs, &d, collect, &s));
    CHECK_MSG(s.n == 0, "%s", s.lines[0]);
    CHECK_EQ_INT(d.ntracks, 3);
    CHECK_EQ_STR(d.text[1][CDTEXT_TITLE], "Same");
    CHECK_EQ_STR(d.text[2][CDTEXT_TITLE], "Same");
    CHECK_EQ_STR(d.text[3][CDTEXT_TITLE], "Other");
    cdtext_disc_free(&d);
}

TEST(genre_names_map_to_the_standard_codes)
{
    CHECK_EQ_INT(genre_code("Hip Hop"), 13);
    CHECK_EQ_INT(genre_code("hip-hop"), 13);
    CHECK_EQ_INT(genre_code("HIPHOP"), 13);
    CHECK_EQ_INT(genre_code("R&B"), 24);
    CHECK_EQ_INT(genre_code("rhythm and blues"), 24);
    CHECK_EQ_INT(genre_code("  Rock "), 23);
    CHECK_EQ_INT(genre_code("Children's"), 4);
    CHECK_EQ_INT(genre_code("world music"), 27);
    CHECK_EQ_INT(genre_code("Adult_Contemporary"), 2);
    CHECK_EQ_INT(genre_code("Shoegaze"), 1);
    CHECK_EQ_INT(genre_code(""), 0);
    CHECK_EQ_INT(genre_code(NULL), 0);
    CHECK_EQ_STR(genre_name(20), "pop");
    CHECK(genre_name(28) == NULL);
}

TEST(session_text_with_performer_falling_back_to_the_album)
{
    struct session *s = session_new();
    str_set(&s->album.text.title, "Night Drive");
    str_set(&s->album.text.performer, "The Night Band");
    str_set(&s->album.genre, "Synthwave");
    session_insert_track(s, 0);
    session_insert_track(s, 1);
    str_set(&s->tracks[0].text.title, "Intro");
    str_set(&s->tracks[1].text.performer, "Guest");
    struct cdtext_disc d;
    char err[256];
    CHECK(cdtext_from_session(s, &d, err, sizeof err));
    CHECK_EQ_INT(d.ntracks, 2);
    CHECK_EQ_STR(d.text[1][CDTEXT_PERFORMER], "The Night Band");
    CHECK_EQ_STR(d.text[2][CDTEXT_PERFORMER], "Guest");
    CHECK(d.text[2][CDTEXT_TITLE] == NULL);
    CHECK_EQ_INT(d.genre, 1);
    CHECK_EQ_STR(d.genre_text, "Synthwave");
    cdtext_disc_free(&d);
    session_free(s);
}
