/* SPDX-License-Identifier: MIT */
/* Tests of audio/file_sink: a synthesized three-track album fed in blocks of
 * odd sizes through the per-track and album sinks, read back: lengths equal
 * the mark spans, integer samples equal what was fed bit for bit, the album
 * file split at the index 01 points gives the track files, names follow the
 * template, tags are there, and two renders give the same bytes. */
#include <FLAC/metadata.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio/file_sink.h"
#include "audio/fsutil.h"
#include "audio/outdir.h"
#include "audio/soundfile.h"
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tests/harness.h"

#define RATE 44100

static const char *session_text =
    "[album]\ntitle = Night Drive\nperformer = The Night Band\nrate = 44100\n"
    "[track]\nfile = a.wav\ntitle = First Light\nisrc = GBABC2600001\n"
    "[track]\nfile = b.wav\ntitle = Caf\xc3\xa9 \xe2\x80\x94 Nocturne\nperformer = Guest Singer\n"
    "gap = 0.5s\nisrc = GBABC2600002\n"
    "[track]\nfile = c.wav\ntitle = Last Exit\ngap = 0s\n";

static const int64_t mix_frames[3] = { 30011, 25000, 40003 };

struct fixture {
    struct session *s;
    struct timeline tl;
    struct output o;
};

static bool album_init(struct fixture *a, const char *text)
{
    char err[512];
    a->s = session_parse(text, strlen(text), "test.lathe", err, sizeof err);
    CHECK_MSG(a->s != NULL, "%s", err);
    if (!a->s)
        return false;
    for (int i = 0; i < a->s->ntracks; i++) {
        struct mix_info *m = &a->s->tracks[i].mix;
        m->probed = m->ok = true;
        m->rate = RATE;
        m->channels = 2;
        m->frames = mix_frames[i % 3];
    }
    CHECK(timeline_build(a->s, &a->tl));
    a->o = (struct output){ .name = "test", .format = OUT_WAV };
    return true;
}

static void album_free(struct fixture *a)
{
    timeline_free(&a->tl);
    session_free(a->s);
}

static struct sink_context context(const struct fixture *a, const char *dir, int rate, int bits)
{
    struct sink_context c = { .s = a->s, .tl = &a->tl, .o = &a->o, .dir = dir,
                              .rate = rate, .bits = bits };
    c.length = sink_mark(&c, a->tl.end);
    return c;
}

/* The value fed at album frame k, channel ch: spread over the whole range,
 * with both extremes now and then. */
static int32_t pcm_at(int64_t k, int ch, int bits)
{
    int32_t top = (int32_t)((1u << (bits - 1)) - 1);
    if (k % 997 == 5)
        return ch ? top : -top - 1;
    uint64_t x = (uint64_t)(k * 2 + ch + 1) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    return (int32_t)(x % ((uint64_t)top * 2 + 2)) - top - 1;
}

/* Lossy and float outputs get a tune rather than noise. */
static double sample_at(int64_t k, int ch)
{
    return (double)(float)(0.4 * sin(k * (ch ? 0.031 : 0.017)) + 0.1 * sin(k * 0.29));
}

static char *make_dir(const char *name)
{
    static char path[8][512];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 512, "%s/%s", harness_tmpdir(), name);
    mkdir(p, 0755);
    return p;
}

/* Set to hand integer outputs only their samples, not the pcm values. */
static bool without_pcm;

/* Block sizes, taken in turn; 0 means the whole album in one block. */
static const int odd_blocks[] = { 1000, 777, 0 };

/* Feeds the whole album to every sink in blocks of the sizes given. */
static bool feed_blocks(const struct sink_context *c, struct sink **sinks, int nsinks,
                        const int *sizes, char *err, size_t errlen)
{
    int nsizes = 0, largest = 0;
    while (sizes[nsizes]) {
        largest = sizes[nsizes] > largest ? sizes[nsizes] : largest;
        nsizes++;
    }
    if (nsizes == 0)
        largest = (int)c->length;
    int32_t *pcm = malloc(sizeof *pcm * 2 * (size_t)largest);
    double *samples = malloc(sizeof *samples * 2 * (size_t)largest);
    bool integer = c->bits == 16 || c->bits == 24;
    double scale = integer ? 1.0 / (double)(1u << (c->bits - 1)) : 0;
    bool ok = pcm && samples;
    for (int64_t pos = 0, i = 0; ok && pos < c->length; i++) {
        int n = nsizes ? sizes[i % nsizes] : largest;
        if (n > c->length - pos)
            n = (int)(c->length - pos);
        for (int j = 0; j < n; j++)
            for (int ch = 0; ch < 2; ch++) {
                if (integer) {
                    pcm[2 * j + ch] = pcm_at(pos + j, ch, c->bits);
                    samples[2 * j + ch] = pcm[2 * j + ch] * scale;
                } else {
                    samples[2 * j + ch] = sample_at(pos + j, ch);
                }
            }
        struct render_block b = { .pcm = integer && !without_pcm ? pcm : NULL, .samples = samples,
                                  .frames = n, .position = pos };
        for (int s = 0; ok && s < nsinks; s++)
            ok = sinks[s]->ops->write(sinks[s]->state, &b, err, errlen);
        pos += n;
    }
    for (int s = 0; ok && s < nsinks; s++)
        ok = sinks[s]->ops->finish(sinks[s]->state, err, errlen);
    free(pcm);
    free(samples);
    return ok;
}

static bool feed(const struct sink_context *c, struct sink **sinks, int nsinks, char *err,
                 size_t errlen)
{
    return feed_blocks(c, sinks, nsinks, odd_blocks, err, errlen);
}

static void sink_free(struct sink *k)
{
    if (k) {
        k->ops->destroy(k->state);
        free(k);
    }
}

/* Renders per-track files and an album file named "album" into `dir`. */
static bool render_blocks(struct fixture *a, const char *dir, int rate, int bits,
                          const int *sizes)
{
    char err[1024];
    struct sink_context c = context(a, dir, rate, bits);
    struct sink *sinks[2] = { tracks_sink_new(&c, err, sizeof err), NULL };
    CHECK_MSG(sinks[0] != NULL, "%s", err);
    sinks[1] = album_sink_new(&c, "album", err, sizeof err);
    CHECK_MSG(sinks[1] != NULL, "%s", err);
    bool ok = sinks[0] && sinks[1] && feed_blocks(&c, sinks, 2, sizes, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    sink_free(sinks[0]);
    sink_free(sinks[1]);
    return ok;
}

static bool render(struct fixture *a, const char *dir, int rate, int bits)
{
    return render_blocks(a, dir, rate, bits, odd_blocks);
}

static double *read_file(const char *path, int64_t *frames, struct soundfile_info *info)
{
    char err[1024];
    struct soundfile *f = soundfile_open(path, info, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    if (!f)
        return NULL;
    double *buf = malloc(sizeof(double) * 2 * (size_t)(info->frames + 1));
    int64_t got = 0, n;
    while ((n = soundfile_read(f, buf + got * 2, info->frames + 1 - got)) > 0)
        got += n;
    soundfile_close(f);
    *frames = got;
    return buf;
}

static const char *titles[3] = { "First Light", "Caf\xc3\xa9 \xe2\x80\x94 Nocturne", "Last Exit" };

static void track_path(char *out, size_t len, const char *dir, int i, const char *ext)
{
    snprintf(out, len, "%s/%02d %s.%s", dir, i + 1, titles[i], ext);
}

/* Every integer sample read back is the value fed, bit for bit. */
static void check_samples(const double *buf, int64_t frames, int64_t from, int bits,
                          const char *what)
{
    double scale = (double)(1u << (bits - 1));
    int64_t bad = 0, first = -1;
    for (int64_t j = 0; j < frames; j++)
        for (int ch = 0; ch < 2; ch++)
            if (buf[2 * j + ch] * scale != pcm_at(from + j, ch, bits)) {
                if (first < 0)
                    first = j;
                bad++;
            }
    CHECK_MSG(bad == 0, "%s: %lld samples differ, first at frame %lld", what, (long long)bad,
              (long long)first);
}

static bool same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        same = ca == cb;
        if (ca == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* Names in `dir` starting with '.': temporary files left behind. */
static int hidden_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n;
}

/* Whether the file's bytes contain `needle` (len bytes). */
static bool file_has(const char *path, const void *needle, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    static unsigned char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(buf + i, needle, len) == 0)
            return true;
    return false;
}

/* An ID3v2.3 TSRC frame holding `isrc`, as tags.c writes it. */
static bool has_tsrc(const char *path, const char *isrc)
{
    unsigned char frame[23] = { 'T', 'S', 'R', 'C', 0, 0, 0, 13, 0, 0, 0 };
    memcpy(frame + 11, isrc, 12);
    return file_has(path, frame, sizeof frame);
}

/* The RIFF or FORM size is the file's size less 8, after the ID3 chunk. */
static bool container_consistent(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[8];
    bool ok = f && fread(h, 1, 8, f) == 8 && fseek(f, 0, SEEK_END) == 0;
    long size = ok ? ftell(f) : 0;
    if (f)
        fclose(f);
    uint32_t v = memcmp(h, "FORM", 4) == 0
               ? (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7]
               : (uint32_t)h[7] << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[5] << 8 | h[4];
    return ok && v == (uint32_t)(size - 8);
}

static void check_tag(const char *path, const char *tag, const char *want)
{
    char err[1024];
    struct soundfile *f = soundfile_open(path, NULL, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    if (!f)
        return;
    const char *got = soundfile_get_tag(f, tag);
    CHECK_MSG(got && strcmp(got, want) == 0, "%s: %s = \"%s\", expected \"%s\"", path, tag,
              got ? got : "(none)", want);
    soundfile_close(f);
}

/* The integer formats: lengths, samples, split = tracks, tags, determinism. */
static void lossless_case(enum output_format fmt, const char *ext, int rate, int bits,
                          const char *name)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    a.o.format = fmt;
    char d1[512], d2[512];
    snprintf(d1, sizeof d1, "%s", make_dir(name));
    char second[64];
    snprintf(second, sizeof second, "%s-again", name);
    snprintf(d2, sizeof d2, "%s", make_dir(second));
    if (!render(&a, d1, rate, bits) || !render(&a, d2, rate, bits)) {
        album_free(&a);
        return;
    }
    struct sink_context c = context(&a, d1, rate, bits);
    char path[1024], path2[1024];
    int64_t album_frames;
    struct soundfile_info info;
    snprintf(path, sizeof path, "%s/album.%s", d1, ext);
    double *album = read_file(path, &album_frames, &info);
    CHECK_EQ_INT(album_frames, c.length);
    CHECK_EQ_INT(info.rate, rate);
    CHECK_EQ_INT(info.bits, bits);
    if (album)
        check_samples(album, album_frames, 0, bits, path);
    snprintf(path2, sizeof path2, "%s/album.%s", d2, ext);
    CHECK_MSG(same_bytes(path, path2), "%s: two renders differ", path);
    int64_t covered = sink_mark(&c, a.tl.tracks[0].index1);
    CHECK(covered > 0);
    for (int i = 0; i < 3; i++) {
        int64_t start = sink_mark(&c, a.tl.tracks[i].index1);
        int64_t end = sink_mark(&c, a.tl.tracks[i].next_index1);
        CHECK_EQ_INT(start, covered);       /* the track files tile the album after the pregap */
        covered = end;
        track_path(path, sizeof path, d1, i, ext);
        int64_t frames = 0;
        double *t = read_file(path, &frames, &info);
        CHECK_MSG(frames == end - start, "%s: %lld frames, expected %lld", path,
                  (long long)frames, (long long)(end - start));
        if (t) {
            check_samples(t, frames, start, bits, path);
            /* the album file cut at the index 01 points gives this file */
            CHECK_MSG(album && frames == end - start &&
                      memcmp(t, album + 2 * start, sizeof(double) * 2 * (size_t)frames) == 0,
                      "%s: differs from the album file's frames %lld..%lld", path,
                      (long long)start, (long long)end);
        }
        free(t);
        track_path(path2, sizeof path2, d2, i, ext);
        CHECK_MSG(same_bytes(path, path2), "%s: two renders differ", path);
        check_tag(path, "title", titles[i]);
        check_tag(path, "artist", i == 1 ? "Guest Singer" : "The Night Band");
        if (fmt != OUT_AIFF) {
            check_tag(path, "album", "Night Drive");
            char num[16];
            snprintf(num, sizeof num, "%d", i + 1);
            check_tag(path, "tracknumber", num);
        }
        if (fmt == OUT_WAV || fmt == OUT_AIFF) {
            CHECK_MSG(container_consistent(path), "%s: container size wrong", path);
            if (i < 2)
                CHECK_MSG(has_tsrc(path, i == 0 ? "GBABC2600001" : "GBABC2600002"),
                          "%s: no ID3 TSRC frame", path);
        }
        if (fmt == OUT_FLAC) {
            /* read by libFLAC, not by what wrote it */
            FLAC__StreamMetadata *tags = NULL;
            CHECK(FLAC__metadata_get_tags(path, &tags));
            int at = tags ? FLAC__metadata_object_vorbiscomment_find_entry_from(tags, 0, "ISRC") : -1;
            if (i == 2) {
                CHECK_EQ_INT(at, -1);
            } else {
                const char *want = i == 0 ? "ISRC=GBABC2600001" : "ISRC=GBABC2600002";
                CHECK_MSG(at >= 0 && strcmp((const char *)tags->data.vorbis_comment.comments[at].entry,
                                            want) == 0, "%s: no %s", path, want);
            }
            if (tags)
                FLAC__metadata_object_delete(tags);
        }
    }
    CHECK_EQ_INT(covered, c.length);
    snprintf(path, sizeof path, "%s/album.%s", d1, ext);
    check_tag(path, "title", "Night Drive");
    CHECK_EQ_INT(hidden_files(d1), 0);
    free(album);
    album_free(&a);
}

TEST(wav_16_tracks_and_album_bit_exact)
{
    lossless_case(OUT_WAV, "wav", RATE, 16, "wav16");
}

TEST(wav_24_at_another_rate_than_the_session)
{
    lossless_case(OUT_WAV, "wav", 48000, 24, "wav24");
}

TEST(aiff_24_tracks_and_album_bit_exact)
{
    lossless_case(OUT_AIFF, "aiff", RATE, 24, "aiff24");
}

TEST(flac_24_tracks_and_album_bit_exact_with_isrc)
{
    lossless_case(OUT_FLAC, "flac", 96000, 24, "flac24");
}

TEST(flac_16_bit_exact)
{
    lossless_case(OUT_FLAC, "flac", RATE, 16, "flac16");
}

TEST(float_wav_holds_the_samples_and_is_deterministic)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    const char *d1 = make_dir("float"), *d2 = make_dir("float-again");
    bool ok = render(&a, d1, RATE, 32);
    /* a second later: libsndfile's PEAK chunk would carry another time */
    usleep(1100000);
    if (ok && render(&a, d2, RATE, 32)) {
        struct sink_context c = context(&a, d1, RATE, 32);
        char path[1024], path2[1024];
        int64_t start = sink_mark(&c, a.tl.tracks[1].index1), frames = 0;
        struct soundfile_info info;
        track_path(path, sizeof path, d1, 1, "wav");
        double *t = read_file(path, &frames, &info);
        CHECK(info.is_float);
        CHECK_EQ_INT(frames, sink_mark(&c, a.tl.tracks[1].next_index1) - start);
        int64_t bad = 0;
        for (int64_t j = 0; t && j < frames; j++)
            for (int ch = 0; ch < 2; ch++)
                bad += t[2 * j + ch] != sample_at(start + j, ch);
        CHECK_EQ_INT(bad, 0);
        free(t);
        track_path(path2, sizeof path2, d2, 1, "wav");
        CHECK_MSG(same_bytes(path, path2), "%s: two renders differ", path);
    }
    album_free(&a);
}

static void lossy_case(enum output_format fmt, const char *ext)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    a.o.format = fmt;
    char d1[512], d2[512], name[64];
    snprintf(name, sizeof name, "lossy-%s", ext);
    snprintf(d1, sizeof d1, "%s", make_dir(name));
    snprintf(name, sizeof name, "lossy-%s-again", ext);
    snprintf(d2, sizeof d2, "%s", make_dir(name));
    if (!render(&a, d1, RATE, 0) || !render(&a, d2, RATE, 0)) {
        album_free(&a);
        return;
    }
    struct sink_context c = context(&a, d1, RATE, 0);
    char path[1024], path2[1024];
    for (int i = 0; i < 3; i++) {
        int64_t want = sink_mark(&c, a.tl.tracks[i].next_index1) - sink_mark(&c, a.tl.tracks[i].index1);
        track_path(path, sizeof path, d1, i, ext);
        struct soundfile_info info;
        int64_t frames = 0;
        double *t = read_file(path, &frames, &info);
        /* Both encoders' delay and padding are undone on decoding (MP3:
         * LAME's gapless header read by mpg123; Vorbis: granule positions). */
        CHECK_MSG(frames == want, "%s: decodes to %lld frames, expected %lld", path,
                  (long long)frames, (long long)want);
        CHECK(info.lossy);
        free(t);
        check_tag(path, "title", titles[i]);
        check_tag(path, "artist", i == 1 ? "Guest Singer" : "The Night Band");
        check_tag(path, "album", "Night Drive");
        const char *isrc = i == 0 ? "GBABC2600001" : i == 1 ? "GBABC2600002" : NULL;
        if (isrc && fmt == OUT_OGG) {
            char tag[32];
            snprintf(tag, sizeof tag, "ISRC=%s", isrc);
            CHECK_MSG(file_has(path, tag, strlen(tag)), "%s: no %s comment", path, tag);
        }
        if (isrc && fmt == OUT_MP3)
            CHECK_MSG(has_tsrc(path, isrc), "%s: no TSRC frame", path);
        track_path(path2, sizeof path2, d2, i, ext);
        CHECK_MSG(same_bytes(path, path2), "%s: two renders differ", path);
    }
    snprintf(path, sizeof path, "%s/album.%s", d1, ext);
    struct soundfile_info info;
    int64_t frames = 0;
    free(read_file(path, &frames, &info));
    CHECK_MSG(frames == c.length, "%s: decodes to %lld frames, expected %lld", path,
              (long long)frames, (long long)c.length);
    snprintf(path2, sizeof path2, "%s/album.%s", d2, ext);
    CHECK_MSG(same_bytes(path, path2), "%s: two renders differ", path);
    CHECK_EQ_INT(hidden_files(d1), 0);
    album_free(&a);
}

TEST(mp3_files_decode_to_their_length_with_tags)
{
    lossy_case(OUT_MP3, "mp3");
}

TEST(ogg_files_decode_to_their_length_with_tags_and_the_same_bytes)
{
    lossy_case(OUT_OGG, "ogg");
}

TEST(the_same_files_whatever_the_block_size)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    a.o.format = OUT_FLAC;
    static const int one[] = { 1, 0 }, whole[] = { 0 }, mixed[] = { 3, 60000, 1, 0 };
    const int *patterns[] = { odd_blocks, one, whole, mixed };
    const char *dirs[] = { make_dir("blocks-odd"), make_dir("blocks-1"), make_dir("blocks-all"),
                           make_dir("blocks-mixed") };
    for (int p = 0; p < 4; p++)
        render_blocks(&a, dirs[p], RATE, 16, patterns[p]);
    for (int p = 1; p < 4; p++)
        for (int i = 0; i < 4; i++) {
            char x[1024], y[1024];
            if (i < 3) {
                track_path(x, sizeof x, dirs[0], i, "flac");
                track_path(y, sizeof y, dirs[p], i, "flac");
            } else {
                snprintf(x, sizeof x, "%s/album.flac", dirs[0]);
                snprintf(y, sizeof y, "%s/album.flac", dirs[p]);
            }
            CHECK_MSG(same_bytes(x, y), "%s differs from %s", y, x);
        }
    album_free(&a);
}

TEST(integer_files_from_samples_alone_are_the_same)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    a.o.format = OUT_WAV;
    const char *d1 = make_dir("pcm"), *d2 = make_dir("no-pcm");
    render(&a, d1, RATE, 24);
    without_pcm = true;
    render(&a, d2, RATE, 24);
    without_pcm = false;
    for (int i = 0; i < 3; i++) {
        char x[1024], y[1024];
        track_path(x, sizeof x, d1, i, "wav");
        track_path(y, sizeof y, d2, i, "wav");
        CHECK_MSG(same_bytes(x, y), "%s differs from %s", y, x);
    }
    album_free(&a);
}

TEST(cue_outputs_get_a_plain_album_wav_and_bad_formats_are_refused)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    a.o.format = OUT_CUE;
    const char *dir = make_dir("cue");
    char err[1024], path[1024];
    struct sink_context c = context(&a, dir, RATE, 16);
    struct sink *k = album_sink_new(&c, "album", err, sizeof err);
    CHECK_MSG(k != NULL, "%s", err);
    CHECK_MSG(k && feed(&c, &k, 1, err, sizeof err), "%s", err);
    sink_free(k);
    snprintf(path, sizeof path, "%s/album.wav", dir);
    int64_t frames = 0;
    struct soundfile_info info;
    double *buf = read_file(path, &frames, &info);
    CHECK_EQ_INT(frames, c.length);
    CHECK_EQ_INT(info.bits, 16);
    if (buf)
        check_samples(buf, frames, 0, 16, path);
    free(buf);
    CHECK_MSG(!file_has(path, "id3 ", 4), "%s: an ID3 chunk", path);
    a.o.format = OUT_DDP;
    k = album_sink_new(&c, "x", err, sizeof err);
    CHECK(k == NULL);
    sink_free(k);
    a.o.format = OUT_MP3;
    c.rate = 96000;
    k = album_sink_new(&c, "x", err, sizeof err);
    CHECK(k == NULL);
    CHECK_MSG(strstr(err, "96000 Hz") != NULL, "message: %s", err);
    sink_free(k);
    album_free(&a);
}

TEST(names_follow_the_template_and_duplicates_get_a_number)
{
    struct fixture a;
    if (!album_init(&a, "[album]\ntitle = A/B\nrate = 44100\n"
                        "[track]\nfile = a.wav\ntitle = Same\n"
                        "[track]\nfile = b.wav\ntitle = same\n"
                        "[track]\nfile = c.wav\ntitle = Same\n"))
        return;
    a.o.name_template = (char *)"{title}: {album}";
    const char *dir = make_dir("names");
    if (render(&a, dir, RATE, 16)) {
        const char *want[] = { "Same_ A_B.wav", "same_ A_B (2).wav", "Same_ A_B (3).wav",
                               "album.wav" };
        for (int i = 0; i < 4; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, want[i]);
            CHECK_MSG(access(path, F_OK) == 0, "no %s", path);
        }
    }
    a.o.name_template = NULL;
    album_free(&a);
}

TEST(long_names_are_cut_on_whole_characters)
{
    char text[1024], title[400] = "";
    for (int i = 0; i < 150; i++)
        strcat(title, "\xc3\xa9");
    snprintf(text, sizeof text, "[album]\nrate = 44100\n[track]\nfile = a.wav\ntitle = %s\n", title);
    struct fixture a;
    if (!album_init(&a, text))
        return;
    const char *dir = make_dir("long");
    if (render(&a, dir, RATE, 16)) {
        /* 200 bytes at most before the extension: "01 " and 98 two-byte characters */
        char want[1024];
        snprintf(want, sizeof want, "%s/01 %.*s.wav", dir, 98 * 2, title);
        CHECK_MSG(access(want, F_OK) == 0, "no %s", want);
    }
    album_free(&a);
}

TEST(an_existing_file_is_not_written_over)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    const char *dir = make_dir("exists");
    char path[1024], err[1024];
    snprintf(path, sizeof path, "%s/02 %s.wav", dir, titles[1]);
    FILE *f = fopen(path, "w");
    fputs("keep", f);
    fclose(f);
    struct sink_context c = context(&a, dir, RATE, 16);
    struct sink *k = tracks_sink_new(&c, err, sizeof err);
    CHECK(k == NULL);
    CHECK_MSG(strstr(err, path) != NULL, "message: %s", err);
    sink_free(k);
    album_free(&a);
}

TEST(blocks_out_of_order_and_short_renders_are_refused)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    const char *dir = make_dir("order");
    char err[1024];
    struct sink_context c = context(&a, dir, RATE, 16);
    struct sink *k = album_sink_new(&c, "album", err, sizeof err);
    int32_t pcm[200] = { 0 };
    double samples[200] = { 0 };
    struct render_block b = { pcm, samples, 100, 0 };
    CHECK(k->ops->write(k->state, &b, err, sizeof err));
    b.position = 50;
    CHECK(!k->ops->write(k->state, &b, err, sizeof err));
    CHECK_MSG(strstr(err, "expected frame 100") != NULL, "message: %s", err);
    b.position = 100;
    CHECK(k->ops->write(k->state, &b, err, sizeof err));
    CHECK(!k->ops->finish(k->state, err, sizeof err));
    CHECK_MSG(strstr(err, "album.wav") && strstr(err, "ended at frame 200"), "message: %s", err);
    sink_free(k);
    CHECK_EQ_INT(hidden_files(dir), 0);
    album_free(&a);
}

/* A full disk, as a file size limit: the message names the file and the
 * system's reason, and no temporary file is left. */
static void write_error_case(enum output_format fmt, const char *name, rlim_t limit)
{
    struct fixture a;
    if (!album_init(&a, session_text))
        return;
    a.o.format = fmt;
    const char *dir = make_dir(name);
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = { limit, limit };
        setrlimit(RLIMIT_FSIZE, &rl);
        char err[1024] = "";
        bool lossy = fmt == OUT_MP3 || fmt == OUT_OGG;
        struct sink_context c = context(&a, dir, RATE, lossy ? 0 : 24);
        struct sink *k = tracks_sink_new(&c, err, sizeof err);
        bool ok = k && feed(&c, &k, 1, err, sizeof err);
        sink_free(k);
        if (write(fds[1], err, strlen(err) + 1) < 0 || ok)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    char msg[1024] = "";
    ssize_t n = read(fds[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = 0;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the write did not fail: %s", msg);
    char want[600];
    snprintf(want, sizeof want, "%s/01 First Light.", dir);
    CHECK_MSG(strstr(msg, want) != NULL, "message: %s", msg);
    CHECK_MSG(strstr(msg, "too large") != NULL, "message: %s", msg);
    printf("    %s\n", msg);
    CHECK_EQ_INT(hidden_files(dir), 0);
    album_free(&a);
}

TEST(a_write_error_names_the_file_wav)
{
    write_error_case(OUT_WAV, "full-wav", 60000);
}

TEST(a_write_error_names_the_file_flac)
{
    write_error_case(OUT_FLAC, "full-flac", 60000);
}

TEST(a_write_error_names_the_file_mp3)
{
    write_error_case(OUT_MP3, "full-mp3", 20000);
}

TEST(a_write_error_names_the_file_ogg)
{
    write_error_case(OUT_OGG, "full-ogg", 3000);
}

/* ---- which output folders a render may replace (audio/outdir) ---- */

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(only_a_stamped_folder_without_the_sessions_files_may_be_replaced)
{
    const char *dir = make_dir("owned");
    char sess[600], p[700], err[1024];
    snprintf(sess, sizeof sess, "%s/s.lathe", dir);
    const char *text = "[track]\nfile = mixes/a.wav\n[reference]\nfile = ref/r.wav\n";
    struct session *s = session_parse(text, strlen(text), sess, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    free(s->path);
    s->path = strdup(sess);     /* as session_load sets it */
    snprintf(p, sizeof p, "%s/none", dir);
    CHECK(outdir_may_replace(s, p, err, sizeof err));          /* nothing there */
    snprintf(p, sizeof p, "%s/file", dir);
    put(p, "mine");
    CHECK(!outdir_may_replace(s, p, err, sizeof err));
    CHECK_MSG(strstr(err, p) && strstr(err, "is a file"), "message: %s", err);
    snprintf(p, sizeof p, "%s/plain", dir);
    mkdir(p, 0777);
    CHECK(!outdir_may_replace(s, p, err, sizeof err));
    CHECK_MSG(strstr(err, "not made by lathe render") && strstr(err, "delete it by hand"),
              "message: %s", err);
    CHECK(outdir_stamp(p, "plain", err, sizeof err));
    CHECK_MSG(outdir_may_replace(s, p, err, sizeof err), "stamped: %s", err);
    CHECK(!outdir_stamp(p, "plain", err, sizeof err));         /* never over a file */
    /* a stamp by name alone is not enough */
    snprintf(p, sizeof p, "%s/fake", dir);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/fake/" OUTDIR_STAMP, dir);
    put(p, "something else\n");
    snprintf(p, sizeof p, "%s/fake", dir);
    CHECK(!outdir_may_replace(s, p, err, sizeof err));
    /* a stamped folder that the session's files have moved into */
    snprintf(p, sizeof p, "%s/ref", dir);
    mkdir(p, 0777);
    CHECK(outdir_stamp(p, "ref", err, sizeof err));
    CHECK(!outdir_may_replace(s, p, err, sizeof err));         /* r.wav would be made there */
    CHECK_MSG(strstr(err, "ref/r.wav") && strstr(err, "which the session uses"), "message: %s", err);
    CHECK(!outdir_may_replace(s, dir, err, sizeof err));       /* holds s.lathe */
    snprintf(p, sizeof p, "%s/link", dir);
    CHECK(symlink("plain", p) == 0);
    CHECK(!outdir_may_replace(s, p, err, sizeof err));
    CHECK_MSG(strstr(err, "symbolic link"), "message: %s", err);
    session_free(s);
}

TEST(stale_cleanup_removes_only_its_own_temporaries)
{
    const char *dir = make_dir("stale");
    char p[700];
    const char *keep[] = { ".lathe-render-keep", ".lathe-render-", ".lathe-render-12x" };
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, keep[i]);
        mkdir(p, 0777);
    }
    snprintf(p, sizeof p, "%s/.lathe-render-999999999.txt", dir);
    put(p, "mine");
    snprintf(p, sizeof p, "%s/.lathe-render-999999998", dir);
    CHECK(symlink(".lathe-render-keep", p) == 0);
    snprintf(p, sizeof p, "%s/.lathe-render-999999997-AbCdEf", dir);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/.lathe-render-999999997-AbCdEf/x", dir);
    put(p, "garbage");
    snprintf(p, sizeof p, "%s/.lathe-render-%d", dir, (int)getppid());     /* alive */
    mkdir(p, 0777);
    fs_clean_stale(dir, ".lathe-render-");
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, keep[i]);
        CHECK_MSG(access(p, F_OK) == 0, "%s was removed", keep[i]);
    }
    struct stat st;
    snprintf(p, sizeof p, "%s/.lathe-render-999999999.txt", dir);
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/.lathe-render-999999998", dir);
    CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
    snprintf(p, sizeof p, "%s/.lathe-render-999999997-AbCdEf", dir);
    CHECK_MSG(access(p, F_OK) != 0, "a dead process's folder was kept");
    snprintf(p, sizeof p, "%s/.lathe-render-%d", dir, (int)getppid());
    CHECK_MSG(access(p, F_OK) == 0, "a live process's folder was removed");
}
