/* SPDX-License-Identifier: MIT */
/* Sound files through libsndfile (see soundfile.h). */
#include "audio/soundfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/regfile.h"

/* The longest mix lathe believes a header about: past it, a frame count is
 * a broken or cut-off file (a cut-off Ogg reads as INT64_MAX frames), and
 * sums of such counts could overflow the timeline. */
#define SOUNDFILE_MAX_HOURS 24
/* MP3 (and formats libsndfile can only estimate): at the lowest bitrate
 * MPEG allows (8 kbit/s), 48 kHz audio takes 48 frames a byte. */
#define SOUNDFILE_MAX_FRAMES_PER_BYTE 64

struct soundfile {
    SNDFILE *sf;
    SF_INFO info;
    int channels;
    bool writing;
    bool check_finite;      /* float samples: NaN and infinity are refused */
    struct file_stamp stamp;    /* the version opened */
    int64_t position;       /* frames read so far */
    char path[4096];
    char error[4096 + 512];
};

static const char *subtype_name(int subtype, int *bits, bool *is_float, bool *lossy)
{
    *bits = 0;
    *is_float = false;
    *lossy = false;
    switch (subtype) {
    case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: *bits = 8; return "8-bit";
    case SF_FORMAT_PCM_16: *bits = 16; return "16-bit";
    case SF_FORMAT_PCM_24: *bits = 24; return "24-bit";
    case SF_FORMAT_PCM_32: *bits = 32; return "32-bit";
    case SF_FORMAT_FLOAT: *bits = 32; *is_float = true; return "32-bit float";
    case SF_FORMAT_DOUBLE: *bits = 64; *is_float = true; return "64-bit float";
    case SF_FORMAT_VORBIS: case SF_FORMAT_OPUS:
    case SF_FORMAT_MPEG_LAYER_I: case SF_FORMAT_MPEG_LAYER_II:
    case SF_FORMAT_MPEG_LAYER_III:
        *lossy = true; return "lossy";
    default: return "";
    }
}

static const char *major_name(int major)
{
    switch (major) {
    case SF_FORMAT_WAV: case SF_FORMAT_WAVEX: case SF_FORMAT_RF64: return "WAV";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "Ogg";
    case SF_FORMAT_MPEG: return "MP3";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_RAW: return "raw";
    default: return "audio";
    }
}

/* libsndfile reads what it can of a file whose header lies, and says so
 * only in its log: a data chunk longer than the file (a cut-off upload) is
 * logged as "data : 1920000 (should be 19200)", a block size that does
 * not match the channels and bits as "Block Align : 3". Such a file would
 * be mastered short or as noise; it is refused. */
static bool header_honest(SNDFILE *sf, int channels, char *why, size_t len)
{
    char log[8192];
    sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log);
    long long align = -1, width = -1, claimed, real;
    for (char *line = log; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if ((sscanf(line, "data : %lld (should be %lld)", &claimed, &real) == 2 ||
             sscanf(line, "SSND : %lld (should be %lld)", &claimed, &real) == 2) &&
            claimed > real && claimed != 0xFFFFFFFFLL) {
            snprintf(why, len, "truncated — the header promises %lld bytes of audio, the file "
                     "holds %lld", claimed, real);
            return false;
        }
        sscanf(line, "  Block Align : %lld", &align);
        sscanf(line, "  Bit Width : %lld", &width);
    }
    if (align > 0 && width > 0 && align != channels * ((width + 7) / 8)) {
        snprintf(why, len, "the header says %lld bytes a frame, but %d channels of %lld bits "
                 "take %lld", align, channels, width, channels * ((width + 7) / 8));
        return false;
    }
    return true;
}

/* Bytes a sample takes in uncompressed formats; 0 for compressed ones. */
static int pcm_bytes(int format)
{
    int major = format & SF_FORMAT_TYPEMASK;
    if (major == SF_FORMAT_FLAC || major == SF_FORMAT_OGG || major == SF_FORMAT_MPEG)
        return 0;
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: case SF_FORMAT_ULAW: case SF_FORMAT_ALAW:
        return 1;
    case SF_FORMAT_PCM_16: return 2;
    case SF_FORMAT_PCM_24: return 3;
    case SF_FORMAT_PCM_32: case SF_FORMAT_FLOAT: return 4;
    case SF_FORMAT_DOUBLE: return 8;
    default: return 0;
    }
}

static void duration_text(int64_t frames, int rate, char *out, size_t len)
{
    int64_t s = frames / rate;
    if (s >= 3600)
        snprintf(out, len, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
                 (long long)(s % 60));
    else
        snprintf(out, len, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* A header's frame count is what the timeline, check's lengths and the
 * render's end are built on, so it must be one the file can keep: no more
 * than a day; uncompressed, no more frames than the file has bytes for;
 * FLAC and Ogg, whose headers state an exact count, must have the last
 * frame they promise (a seek there reads the stream, not the header);
 * anything else no more than the lowest bitrate allows. */
static bool length_plausible(struct soundfile *f, int64_t size, char *why, size_t len)
{
    const SF_INFO *si = &f->info;
    int major = si->format & SF_FORMAT_TYPEMASK;
    char promised[32];
    duration_text(si->frames, si->samplerate, promised, sizeof promised);
    if (si->frames / si->samplerate > SOUNDFILE_MAX_HOURS * 3600) {
        snprintf(why, len, "the header claims %s of audio (over %d hours) — a broken or cut-off "
                 "file", promised, SOUNDFILE_MAX_HOURS);
        return false;
    }
    int bytes = pcm_bytes(si->format);
    if (bytes > 0) {
        int64_t room = size / ((int64_t)bytes * si->channels);
        if (si->frames > room) {
            snprintf(why, len, "the header promises %lld frames (%s), but %lld bytes hold at "
                     "most %lld — a cut-off file", (long long)si->frames, promised,
                     (long long)size, (long long)room);
            return false;
        }
        return true;
    }
    if (major == SF_FORMAT_FLAC || major == SF_FORMAT_OGG) {
        double last[32];
        bool there = sf_seek(f->sf, si->frames - 1, SEEK_SET) == si->frames - 1 &&
                     sf_readf_double(f->sf, last, 1) == 1;
        if (!there || sf_seek(f->sf, 0, SEEK_SET) != 0) {
            snprintf(why, len, "the header promises %s of audio, but the audio ends before — "
                     "a broken or cut-off file", promised);
            return false;
        }
        return true;
    }
    if (si->frames / SOUNDFILE_MAX_FRAMES_PER_BYTE > size) {
        snprintf(why, len, "the header claims %s of audio, more than %lld bytes can hold — a "
                 "broken file", promised, (long long)size);
        return false;
    }
    return true;
}

struct soundfile *soundfile_open(const char *path, struct soundfile_info *info,
                                 char *err, size_t errlen)
{
    /* a FIFO or a device would block libsndfile or never end */
    struct stat st;
    int fd = regfile_open(path, 0, &st, err, errlen);
    if (fd < 0) {
        if (errno == EISDIR)
            snprintf(err, errlen, "%s: is a folder, not a sound file", path);
        return NULL;
    }
    if (st.st_size == 0) {
        close(fd);
        snprintf(err, errlen, "%s: empty file", path);
        return NULL;
    }
    struct soundfile *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    f->sf = sf_open_fd(fd, SFM_READ, &f->info, 1);
    if (!f->sf) {
        snprintf(err, errlen, "%s: not a sound file lathe can read (%s)", path,
                 sf_strerror(NULL));
        free(f);
        return NULL;
    }
    const SF_INFO *si = &f->info;
    if (si->channels < 1 || si->channels > 32) {
        snprintf(err, errlen, "%s: %d channels — lathe reads 1 to 32", path, si->channels);
        goto fail;
    }
    if (si->samplerate < 8000 || si->samplerate > 768000) {
        snprintf(err, errlen, "%s: sample rate %d Hz — lathe reads 8 kHz to 768 kHz", path,
                 si->samplerate);
        goto fail;
    }
    if (si->frames <= 0) {
        snprintf(err, errlen, "%s: no audio in the file", path);
        goto fail;
    }
    char why[256];
    if (!header_honest(f->sf, si->channels, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        goto fail;
    }
    if (!length_plausible(f, (int64_t)st.st_size, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        goto fail;
    }
    f->stamp = regfile_stamp(&st);
    f->channels = si->channels;
    int subtype = si->format & SF_FORMAT_SUBMASK;
    f->check_finite = subtype == SF_FORMAT_FLOAT || subtype == SF_FORMAT_DOUBLE;
    snprintf(f->path, sizeof f->path, "%s", path);
    /* Float files are read as they are: no normalisation, no clipping. */
    sf_command(f->sf, SFC_SET_NORM_DOUBLE, NULL, SF_TRUE);
    if (info) {
        memset(info, 0, sizeof *info);
        info->rate = si->samplerate;
        info->channels = si->channels;
        info->frames = si->frames;
        info->stamp = f->stamp;
        const char *sub = subtype_name(si->format & SF_FORMAT_SUBMASK, &info->bits,
                                       &info->is_float, &info->lossy);
        if (info->lossy)
            snprintf(info->format, sizeof info->format, "%s", major_name(si->format & SF_FORMAT_TYPEMASK));
        else
            snprintf(info->format, sizeof info->format, "%s %s",
                     major_name(si->format & SF_FORMAT_TYPEMASK), sub);
    }
    return f;
fail:
    sf_close(f->sf);
    free(f);
    return NULL;
}

bool soundfile_probe(const char *path, struct soundfile_info *info, char *err, size_t errlen)
{
    struct soundfile *f = soundfile_open(path, info, err, errlen);
    if (!f)
        return false;
    soundfile_close(f);
    return true;
}

int64_t soundfile_read(struct soundfile *f, double *buf, int64_t frames)
{
    sf_count_t n = sf_readf_double(f->sf, buf, frames);
    if (n < 0 || (n < frames && sf_error(f->sf) != SF_ERR_NO_ERROR)) {
        snprintf(f->error, sizeof f->error, "%s: read error (%s)", f->path, sf_strerror(f->sf));
        return -1;
    }
    /* NaN or infinity would poison every meter and filter downstream */
    for (int64_t i = 0; f->check_finite && i < n * f->channels; i++)
        if (!isfinite(buf[i])) {
            snprintf(f->error, sizeof f->error, "%s: frame %lld holds %s — not audio lathe can "
                     "master", f->path, (long long)(f->position + i / f->channels),
                     isnan(buf[i]) ? "NaN" : "an infinite sample");
            return -1;
        }
    f->position += n;
    return n;
}

bool soundfile_seek(struct soundfile *f, int64_t frame)
{
    if (sf_seek(f->sf, frame, SEEK_SET) < 0) {
        snprintf(f->error, sizeof f->error, "%s: cannot seek to frame %lld", f->path,
                 (long long)frame);
        return false;
    }
    f->position = frame;
    return true;
}

const struct file_stamp *soundfile_stamp(const struct soundfile *f)
{
    return &f->stamp;
}

const char *soundfile_error(const struct soundfile *f)
{
    return f->error;
}

/* The libsndfile format of a file soundfile_create would write; false if
 * libsndfile cannot write it at all. */
static bool sf_info_for(enum soundfile_kind kind, int rate, int channels, int bits, SF_INFO *si)
{
    *si = (SF_INFO){ .samplerate = rate, .channels = channels };
    int sub = bits == 16 ? SF_FORMAT_PCM_16 : bits == 24 ? SF_FORMAT_PCM_24
            : bits == 8 ? SF_FORMAT_PCM_U8 : SF_FORMAT_FLOAT;
    switch (kind) {
    case SF_KIND_WAV: si->format = SF_FORMAT_WAV | sub; break;
    case SF_KIND_AIFF: si->format = SF_FORMAT_AIFF | (sub == SF_FORMAT_PCM_U8 ? SF_FORMAT_PCM_S8 : sub); break;
    case SF_KIND_FLAC: si->format = SF_FORMAT_FLAC | (bits == 16 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24); break;
    case SF_KIND_OGG: si->format = SF_FORMAT_OGG | SF_FORMAT_VORBIS; break;
    case SF_KIND_MP3: si->format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III; break;
    case SF_KIND_RAW: si->format = SF_FORMAT_RAW | sub | SF_ENDIAN_LITTLE; break;
    }
    return sf_format_check(si) != 0;
}

struct soundfile *soundfile_create(const char *path, enum soundfile_kind kind,
                                   int rate, int channels, int bits,
                                   char *err, size_t errlen)
{
    SF_INFO si;
    if (!sf_info_for(kind, rate, channels, bits, &si)) {
        snprintf(err, errlen, "%s: libsndfile cannot write this format (%d Hz, %d channels, %d-bit)",
                 path, rate, channels, bits);
        return NULL;
    }
    struct soundfile *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    f->sf = sf_open(path, SFM_WRITE, &si);
    if (!f->sf) {
        snprintf(err, errlen, "%s: cannot create (%s)", path, sf_strerror(NULL));
        free(f);
        return NULL;
    }
    f->info = si;
    f->channels = channels;
    f->writing = true;
    snprintf(f->path, sizeof f->path, "%s", path);
    /* Clip rather than wrap if a sample ever reaches full scale. */
    sf_command(f->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    /* The PEAK chunk of float WAV/AIFF carries the time of writing: without
     * it, the same samples give the same bytes. */
    sf_command(f->sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    return f;
}

/* A sink that keeps nothing: what soundfile_can_write gives libsndfile to
 * write into. It only tracks a position and a length, as a file would. */
struct null_file {
    sf_count_t pos, len;
};

static sf_count_t null_length(void *u)
{
    return ((struct null_file *)u)->len;
}

static sf_count_t null_seek(sf_count_t off, int whence, void *u)
{
    struct null_file *n = u;
    sf_count_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? n->pos + off : n->len + off;
    if (to < 0)
        return -1;
    return n->pos = to;
}

static sf_count_t null_read(void *ptr, sf_count_t count, void *u)
{
    (void)ptr;
    (void)count;
    (void)u;
    return 0;
}

static sf_count_t null_write(const void *ptr, sf_count_t count, void *u)
{
    struct null_file *n = u;
    (void)ptr;
    n->pos += count;
    if (n->pos > n->len)
        n->len = n->pos;
    return count;
}

static sf_count_t null_tell(void *u)
{
    return ((struct null_file *)u)->pos;
}

bool soundfile_can_write(enum soundfile_kind kind, int rate, int channels, int bits,
                         char *why, size_t len)
{
    SF_INFO si;
    if (!sf_info_for(kind, rate, channels, bits, &si)) {
        snprintf(why, len, "libsndfile cannot write this format (%d Hz, %d channels, %d-bit)",
                 rate, channels, bits);
        return false;
    }
    /* Some encoders refuse a rate only when the file is created (FLAC) or
     * at the first write (Vorbis): so create one and write a little. */
    SF_VIRTUAL_IO io = { null_length, null_seek, null_read, null_write, null_tell };
    struct null_file nf = { 0, 0 };
    SNDFILE *sf = sf_open_virtual(&io, SFM_WRITE, &si, &nf);
    if (!sf) {
        snprintf(why, len, "%s", sf_strerror(NULL));
        return false;
    }
    double silence[64 * 8] = { 0 };
    int frames = channels > 0 && channels <= 8 ? 64 : 0;
    sf_count_t n = frames ? sf_writef_double(sf, silence, frames) : 0;
    bool ok = n == frames && sf_error(sf) == SF_ERR_NO_ERROR;
    if (!ok)
        snprintf(why, len, "%s", sf_strerror(sf));
    sf_close(sf);
    return ok;
}

/* Some encoders (MP3) only log a short write: the file's error state tells.
 * The Ogg writer reports a failed write as error -1, which libsndfile has
 * no text for: then the system's reason is the message. */
static bool check_write(struct soundfile *f, sf_count_t n, int64_t frames, int sys)
{
    int e = sf_error(f->sf);
    if (n == frames && e == SF_ERR_NO_ERROR)
        return true;
    snprintf(f->error, sizeof f->error, "%s: write error (%s)", f->path,
             e < 0 && sys ? strerror(sys) : sf_strerror(f->sf));
    return false;
}

bool soundfile_write(struct soundfile *f, const double *buf, int64_t frames)
{
    errno = 0;
    sf_count_t n = sf_writef_double(f->sf, buf, frames);
    return check_write(f, n, frames, errno);
}

bool soundfile_write_int(struct soundfile *f, const int32_t *buf, int64_t frames)
{
    errno = 0;
    sf_count_t n = sf_writef_int(f->sf, buf, frames);
    return check_write(f, n, frames, errno);
}

bool soundfile_set_compression(struct soundfile *f, double level, bool constant_bitrate)
{
    double v = level;
    if (!sf_command(f->sf, SFC_SET_COMPRESSION_LEVEL, &v, sizeof v))
        return false;
    int mode = constant_bitrate ? SF_BITRATE_MODE_CONSTANT : SF_BITRATE_MODE_VARIABLE;
    return !constant_bitrate || sf_command(f->sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
}

static const struct { const char *name; int id; } tags[] = {
    { "title", SF_STR_TITLE }, { "artist", SF_STR_ARTIST }, { "album", SF_STR_ALBUM },
    { "tracknumber", SF_STR_TRACKNUMBER }, { "comment", SF_STR_COMMENT },
    { "date", SF_STR_DATE }, { "genre", SF_STR_GENRE }, { "copyright", SF_STR_COPYRIGHT },
};

void soundfile_set_tag(struct soundfile *f, const char *tag, const char *value)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcmp(tags[i].name, tag) == 0)
            sf_set_string(f->sf, tags[i].id, value);
}

const char *soundfile_get_tag(struct soundfile *f, const char *tag)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcmp(tags[i].name, tag) == 0)
            return sf_get_string(f->sf, tags[i].id);
    return NULL;
}

bool soundfile_close(struct soundfile *f)
{
    if (!f)
        return true;
    bool ok = true;
    if (f->writing) {
        sf_write_sync(f->sf);
        if (sf_error(f->sf) != SF_ERR_NO_ERROR)
            ok = false;
    }
    if (sf_close(f->sf) != 0)
        ok = false;
    free(f);
    return ok;
}
