/* SPDX-License-Identifier: MIT */
/* Tests of tests/make_demo: the demo album gives the meters and dynamics
 * something to do, is the same on every run, and keeps the user's session. */
#include "audio/soundfile.h"
#include "tests/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NMIXES 4

static const char *const mixes[NMIXES] = {
    "01 First Light.wav", "02 Night Drive.wav", "03 Glass City.wav", "04 Last Train.wav",
};

/* Runs the built tool with `dir` as its argument (none if NULL); its
 * progress lines are dropped, its errors kept. Returns its exit status. */
static int run_tool(const char *dir)
{
    char tool[4096];
    const char *build = getenv("LATHE_BUILD");
    snprintf(tool, sizeof tool, "%s/tests/make_demo", build ? build : "build");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        if (dir)
            execl(tool, tool, dir, (char *)NULL);
        else
            execl(tool, tool, (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The album made once in the scratch folder, shared by the tests that only read it. */
static const char *album(void)
{
    static char dir[512];
    static int status = -1;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/a", harness_tmpdir());
        status = run_tool(dir);
        CHECK_MSG(status == 0, "make_demo %s exited %d", dir, status);
    }
    return status == 0 ? dir : NULL;
}

static double *read_mix(const char *dir, int i, struct soundfile_info *info)
{
    char path[1024], err[1500];
    snprintf(path, sizeof path, "%s/mixes/%s", dir, mixes[i]);
    struct soundfile *f = soundfile_open(path, info, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    if (!f)
        return NULL;
    double *buf = malloc((size_t)info->frames * (size_t)info->channels * sizeof *buf);
    int64_t got = buf ? soundfile_read(f, buf, info->frames) : -1;
    CHECK_MSG(got == info->frames, "%s: read %lld of %lld frames", path, (long long)got,
              (long long)info->frames);
    soundfile_close(f);
    if (got != info->frames) {
        free(buf);
        return NULL;
    }
    return buf;
}

static char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (buf) {
            rewind(f);
            *len = fread(buf, 1, (size_t)n, f);
            buf[*len] = '\0';
        }
    }
    fclose(f);
    return buf;
}

static bool same_bytes(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = read_bytes(a, &la), *y = read_bytes(b, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

/* Mean square of both channels over [from, to) frames, in dB. */
static double rms_db(const double *buf, int64_t from, int64_t to)
{
    double sum = 0.0;
    for (int64_t i = 2 * from; i < 2 * to; i++)
        sum += buf[i] * buf[i];
    return 10.0 * log10(sum / (2.0 * (double)(to - from)) + 1e-30);
}

static double correlation(const double *buf, int64_t from, int64_t to)
{
    double ll = 0.0, rr = 0.0, lr = 0.0;
    for (int64_t i = from; i < to; i++) {
        ll += buf[2 * i] * buf[2 * i];
        rr += buf[2 * i + 1] * buf[2 * i + 1];
        lr += buf[2 * i] * buf[2 * i + 1];
    }
    return lr / sqrt(ll * rr + 1e-30);
}

TEST(demo_mixes_are_24_bit_48k_stereo_of_30_to_60_seconds)
{
    const char *dir = album();
    for (int i = 0; dir && i < NMIXES; i++) {
        char path[1024], err[1500];
        struct soundfile_info info;
        snprintf(path, sizeof path, "%s/mixes/%s", dir, mixes[i]);
        CHECK_MSG(soundfile_probe(path, &info, err, sizeof err), "%s", err);
        CHECK_EQ_STR(info.format, "WAV 24-bit");
        CHECK_EQ_INT(info.rate, 48000);
        CHECK_EQ_INT(info.channels, 2);
        double seconds = (double)info.frames / info.rate;
        CHECK_MSG(seconds >= 30.0 && seconds <= 60.0, "%s: %.2f s", mixes[i], seconds);
    }
}

TEST(demo_mixes_peak_below_full_scale_with_a_quiet_intro)
{
    const char *dir = album();
    for (int i = 0; dir && i < NMIXES; i++) {
        struct soundfile_info info;
        double *buf = read_mix(dir, i, &info);
        if (!buf)
            continue;
        double peak = 0.0;
        for (int64_t k = 0; k < 2 * info.frames; k++)
            peak = fmax(peak, fabs(buf[k]));
        double peak_db = 20.0 * log10(peak + 1e-30);
        CHECK_MSG(peak_db >= -6.0 && peak_db <= -0.5, "%s: peak %.2f dBFS", mixes[i], peak_db);
        /* One-second windows every quarter second: the loudest is the chorus. */
        int64_t sec = info.rate, loudest_at = 0;
        double loudest = -300.0;
        for (int64_t at = 0; at + sec <= info.frames; at += sec / 4) {
            double db = rms_db(buf, at, at + sec);
            if (db > loudest) {
                loudest = db;
                loudest_at = at;
            }
        }
        double intro = rms_db(buf, sec / 2, sec * 7 / 2);
        CHECK_MSG(loudest - intro >= 12.0, "%s: intro %.1f dB, chorus %.1f dB at %.2f s",
                  mixes[i], intro, loudest, (double)loudest_at / sec);
        CHECK_MSG(intro > -60.0, "%s: intro %.1f dB is near silence", mixes[i], intro);
        free(buf);
    }
}

TEST(demo_mixes_are_stereo_and_their_correlation_moves)
{
    const char *dir = album();
    for (int i = 0; dir && i < NMIXES; i++) {
        struct soundfile_info info;
        double *buf = read_mix(dir, i, &info);
        if (!buf)
            continue;
        int64_t differ = 0;
        for (int64_t k = 0; k < info.frames; k++)
            differ += buf[2 * k] != buf[2 * k + 1];
        CHECK_MSG(differ > info.frames / 2, "%s: L == R in %lld of %lld frames", mixes[i],
                  (long long)(info.frames - differ), (long long)info.frames);
        double whole = correlation(buf, 0, info.frames);
        CHECK_MSG(whole > 0.0 && whole < 0.99, "%s: correlation %.3f", mixes[i], whole);
        double lo = 1.0, hi = -1.0;
        for (int64_t at = 0; at + info.rate <= info.frames; at += info.rate) {
            double c = correlation(buf, at, at + info.rate);
            lo = fmin(lo, c);
            hi = fmax(hi, c);
        }
        CHECK_MSG(hi - lo > 0.1, "%s: correlation only from %.3f to %.3f", mixes[i], lo, hi);
        free(buf);
    }
}

TEST(demo_session_is_the_demo_album)
{
    const char *dir = album();
    if (!dir)
        return;
    char path[1024];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/demo.lathe", dir);
    char *text = read_bytes(path, &len);
    CHECK_MSG(text != NULL, "no %s", path);
    if (!text)
        return;
    CHECK(strncmp(text, "[lathe]\n", 8) == 0);
    for (int i = 0; i < NMIXES; i++) {
        char line[128];
        snprintf(line, sizeof line, "\nfile = mixes/%s\n", mixes[i]);
        CHECK_MSG(strstr(text, line) != NULL, "no line \"%s\"", line + 1);
    }
    CHECK(strstr(text, "\n[output cd]\nformat = ddp\n") != NULL);
    CHECK(text[len - 1] == '\n');
    free(text);
}

TEST(demo_runs_give_the_same_bytes)
{
    const char *a = album();
    char b[512];
    snprintf(b, sizeof b, "%s/b", harness_tmpdir());
    int status = run_tool(b);
    CHECK_MSG(status == 0, "make_demo %s exited %d", b, status);
    for (int i = 0; a && status == 0 && i <= NMIXES; i++) {
        char pa[1024], pb[1024], name[128];
        snprintf(name, sizeof name, "%s%s", i < NMIXES ? "mixes/" : "",
                 i < NMIXES ? mixes[i] : "demo.lathe");
        snprintf(pa, sizeof pa, "%s/%s", a, name);
        snprintf(pb, sizeof pb, "%s/%s", b, name);
        CHECK_MSG(same_bytes(pa, pb), "%s and %s differ", pa, pb);
    }
}

/* A second run keeps an edited session and the mixes that are there, makes
 * the missing one again, and leaves no temporary files behind. */
TEST(demo_rerun_keeps_edits_and_remakes_what_is_missing)
{
    const char *a = album();
    char dir[512], session[1024], kept[1024], lost[1024], ref[1024];
    snprintf(dir, sizeof dir, "%s/c", harness_tmpdir());
    int status = run_tool(dir);
    CHECK_MSG(status == 0, "make_demo %s exited %d", dir, status);
    if (!a || status != 0)
        return;
    static const char edited[] = "[lathe]\nversion = 1\n# edited by hand\n";
    snprintf(session, sizeof session, "%s/demo.lathe", dir);
    FILE *f = fopen(session, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(edited, f);
    fclose(f);
    snprintf(kept, sizeof kept, "%s/mixes/%s", dir, mixes[0]);
    snprintf(lost, sizeof lost, "%s/mixes/%s", dir, mixes[2]);
    snprintf(ref, sizeof ref, "%s/mixes/%s", a, mixes[2]);
    struct stat before, after;
    CHECK(stat(kept, &before) == 0);
    CHECK(unlink(lost) == 0);

    status = run_tool(dir);
    CHECK_MSG(status == 0, "second make_demo %s exited %d", dir, status);
    size_t len = 0;
    char *text = read_bytes(session, &len);
    CHECK_EQ_STR(text, edited);
    free(text);
    CHECK(stat(kept, &after) == 0 && after.st_ino == before.st_ino);
    CHECK_MSG(same_bytes(lost, ref), "remade %s differs from %s", lost, ref);

    char mixdir[1024];
    snprintf(mixdir, sizeof mixdir, "%s/mixes", dir);
    DIR *d = opendir(mixdir);
    CHECK(d != NULL);
    int entries = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            entries++;
    if (d)
        closedir(d);
    CHECK_EQ_INT(entries, NMIXES);
}

TEST(demo_without_a_folder_is_a_usage_error)
{
    CHECK(run_tool(NULL) != 0);
}
