/* SPDX-License-Identifier: MIT */
/* `lathe analyze FILE... [--json]`: loudness, true peak, LRA and intake
 * checks of sound files, measured in parallel, one file per core.
 *
 * Threads: the main thread starts the workers, then prints results in the
 * order the files were named, as soon as each is ready, and draws progress
 * on a terminal. Workers take the next file under `lock`; a job's results
 * are written by its worker only and read by the main thread only after the
 * worker has set `done` under `lock`. Progress counters are atomics read
 * without the lock.
 */
#include "audio/mix_analysis.h"
#include "tui/cli.h"
#include "tui/json.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_MS 200

/* ---- text ---- */

static void print_level(FILE *out, const char *label, double v, const char *unit)
{
    if (isfinite(v))
        fprintf(out, "  %-17s%.1f %s\n", label, v, unit);
    else
        fprintf(out, "  %-17s-inf %s\n", label, unit);
}

static void print_per_channel(FILE *out, const char *label, const double *v, int channels,
                              const char *unit)
{
    fprintf(out, "  %-17s", label);
    for (int c = 0; c < channels; c++) {
        fprintf(out, "%s%s ", c ? "  " : "", loudness_channel_name(channels, c));
        if (isfinite(v[c]))
            fprintf(out, "%.1f", v[c]);
        else
            fprintf(out, "-inf");
    }
    fprintf(out, " %s\n", unit);
}

static const char *layout_name(int channels, char *buf, size_t len)
{
    switch (channels) {
    case 1: return "mono";
    case 2: return "stereo";
    case 5: return "5.0";
    case 6: return "5.1";
    default: snprintf(buf, len, "%d channels", channels); return buf;
    }
}

static void format_duration(char *buf, size_t len, int64_t frames, int rate)
{
    double s = (double)frames / rate;
    int h = (int)(s / 3600.0), m = (int)((s - 3600.0 * h) / 60.0);
    double rest = s - 3600.0 * h - 60.0 * m;
    if (h > 0)
        snprintf(buf, len, "%d:%02d:%06.3f", h, m, rest);
    else
        snprintf(buf, len, "%d:%06.3f", m, rest);
}

static void print_text(FILE *out, const struct mix_analysis *j, bool first)
{
    const struct loudness_result *l = &j->loud;
    const struct intake_report *r = &j->intake;
    char layout[32], length[32];
    format_duration(length, sizeof length, r->frames, j->info.rate);
    fprintf(out, "%s%s\n", first ? "" : "\n", j->path);
    fprintf(out, "  %-17s%s, %d Hz, %s, %s\n", "format", j->info.format, j->info.rate,
            layout_name(j->info.channels, layout, sizeof layout), length);
    print_level(out, "integrated", l->integrated, "LUFS");
    print_level(out, "loudness range", l->range, "LU");
    print_level(out, "max momentary", l->momentary_max, "LUFS");
    print_level(out, "max short-term", l->shortterm_max, "LUFS");
    print_per_channel(out, "true peak", l->true_peak, l->channels, "dBTP");
    print_per_channel(out, "sample peak", l->sample_peak, l->channels, "dBFS");
    if (isnan(l->plr))
        fprintf(out, "  %-17s-\n", "PLR");
    else
        fprintf(out, "  %-17s%.1f dB\n", "PLR", l->plr);
    fprintf(out, "  %-17shead %.2f s, end %.2f s\n", "silence", r->head_silence,
            r->tail_silence);
    print_per_channel(out, "DC offset", r->dc_offset, r->channels, "dBFS");
    if (r->channels >= 2) {
        if (isnan(r->correlation))
            fprintf(out, "  %-17s-\n", "L/R correlation");
        else
            fprintf(out, "  %-17s%.2f\n", "L/R correlation", r->correlation);
    }
    fprintf(out, "  %-17s%lld\n", "clipped runs", (long long)r->clipped_runs);
    if (r->nwarnings == 0)
        fprintf(out, "  %-17sclean\n", "intake");
    for (int i = 0; i < r->nwarnings; i++)
        fprintf(out, "  %-17s%-8s %s: %s\n", i ? "" : "intake",
                intake_severity_name(r->warnings[i].severity), r->warnings[i].code,
                r->warnings[i].message);
}

/* ---- JSON ---- */

static void json_key_number(FILE *out, const char *key, double v)
{
    fprintf(out, ",\n      \"%s\": ", key);
    json_number(out, v);
}

static void json_array(FILE *out, const char *key, const double *v, int n)
{
    fprintf(out, ",\n      \"%s\": [", key);
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        json_number(out, v[i]);
    }
    fputc(']', out);
}

static void print_json_file(FILE *out, const struct mix_analysis *j)
{
    fputs("    {\n      \"path\": ", out);
    json_string(out, j->path);
    if (!j->ok) {
        fputs(",\n      \"error\": ", out);
        json_string(out, j->error);
        fputs("\n    }", out);
        return;
    }
    const struct loudness_result *l = &j->loud;
    const struct intake_report *r = &j->intake;
    fputs(",\n      \"format\": ", out);
    json_string(out, j->info.format);
    fprintf(out, ",\n      \"rate\": %d,\n      \"channels\": %d,\n      \"bits\": %d",
            j->info.rate, j->info.channels, j->info.bits);
    fprintf(out, ",\n      \"float\": %s,\n      \"lossy\": %s", j->info.is_float ? "true" : "false",
            j->info.lossy ? "true" : "false");
    fprintf(out, ",\n      \"frames\": %lld", (long long)r->frames);
    json_key_number(out, "duration", (double)r->frames / j->info.rate);
    json_key_number(out, "integrated", l->integrated);
    json_key_number(out, "lra", l->range);
    json_key_number(out, "momentary_max", l->momentary_max);
    json_key_number(out, "shortterm_max", l->shortterm_max);
    json_key_number(out, "true_peak_max", l->true_peak_max);
    json_key_number(out, "sample_peak_max", l->sample_peak_max);
    json_key_number(out, "plr", l->plr);
    fputs(",\n      \"channel_names\": [", out);
    for (int c = 0; c < l->channels; c++)
        fprintf(out, "%s\"%s\"", c ? ", " : "", loudness_channel_name(l->channels, c));
    fputc(']', out);
    json_array(out, "true_peak", l->true_peak, l->channels);
    json_array(out, "sample_peak", l->sample_peak, l->channels);
    json_array(out, "dc_offset", r->dc_offset, r->channels);
    json_key_number(out, "head_silence", r->head_silence);
    json_key_number(out, "tail_silence", r->tail_silence);
    json_key_number(out, "correlation", r->correlation);
    fprintf(out, ",\n      \"clipped_runs\": %lld,\n      \"overs\": %lld",
            (long long)r->clipped_runs, (long long)r->overs);
    fputs(",\n      \"warnings\": [", out);
    for (int i = 0; i < r->nwarnings; i++) {
        fprintf(out, "%s\n        {\"code\": ", i ? "," : "");
        json_string(out, r->warnings[i].code);
        fputs(", \"severity\": ", out);
        json_string(out, intake_severity_name(r->warnings[i].severity));
        fputs(", \"message\": ", out);
        json_string(out, r->warnings[i].message);
        fputc('}', out);
    }
    fputs(r->nwarnings ? "\n      ]\n    }" : "]\n    }", out);
}

/* ---- progress ---- */

static void draw_progress(struct mix_pool *p, int printed)
{
    double sum = 0.0;
    for (int i = 0; i < p->njobs; i++) {
        int64_t total = atomic_load(&p->jobs[i].frames_total);
        if (i < printed)
            sum += 1.0;
        else if (total > 0)
            sum += (double)atomic_load(&p->jobs[i].frames_done) / (double)total;
    }
    fprintf(stderr, "\r\033[Klathe analyze: %d of %d files, %.0f%%", printed, p->njobs,
            100.0 * sum / p->njobs);
    fflush(stderr);
}

static void clear_progress(void)
{
    fputs("\r\033[K", stderr);
    fflush(stderr);
}

static void print_help(void)
{
    printf("usage: lathe analyze FILE... [--json]\n"
           "       lathe analyze --tonal SESSION [-t N] [-r REFERENCE] [--json]\n\n"
           "Measures each FILE (BS.1770-4, EBU R 128): integrated loudness, loudness range,\n"
           "maximum momentary and short-term loudness, true and sample peak per channel,\n"
           "PLR, and the intake checks: clipping, DC offset, silence at head and tail,\n"
           "L/R correlation and polarity, an already-limited mix, headroom, sample rate,\n"
           "bit depth and a lossy source. Files are measured in parallel, one per core;\n"
           "progress shows on a terminal only.\n\n"
           "  --json   one JSON document for all files on stdout (-inf as null)\n\n"
           "A file that cannot be read (missing, a folder, empty, not audio) is named on\n"
           "stderr as 'lathe analyze: PATH: problem' and the other files are still\n"
           "reported. Exit status: 0 when every file was measured (intake warnings do\n"
           "not change it); 2 on bad usage or when any file could not be read.\n\n"
           "With --tonal: the average 1/3-octave spectrum of each track of SESSION as the\n"
           "album plays it (or of track N only) beside the session's reference (the first\n"
           "[reference], or the one named by -r: name, file or number), each relative to\n"
           "its own total power, with the difference per band. lathe do SESSION 'match N'\n"
           "writes a gentle corrective EQ towards it into track N's chain.\n");
}

static int usage(const char *problem, const char *arg)
{
    fprintf(stderr, "lathe analyze: %s%s\nusage: lathe analyze FILE... [--json]\n", problem,
            arg ? arg : "");
    return EXIT_USAGE;
}

/* Waits for the jobs in order, printing each as it completes. */
static int report(struct mix_pool *p, bool json, bool progress)
{
    int status = EXIT_OK;
    if (json)
        fputs("{\n  \"files\": [\n", stdout);
    pthread_mutex_lock(&p->lock);
    for (int printed = 0; printed < p->njobs;) {
        if (!p->jobs[printed].done) {
            if (!progress) {
                pthread_cond_wait(&p->changed, &p->lock);
                continue;
            }
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += PROGRESS_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&p->changed, &p->lock, &until);
            pthread_mutex_unlock(&p->lock);
            draw_progress(p, printed);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        const struct mix_analysis *j = &p->jobs[printed];
        if (progress)
            clear_progress();
        if (!j->ok) {
            fprintf(stderr, "lathe analyze: %s\n", j->error);
            status = EXIT_USAGE;
        }
        if (json) {
            print_json_file(stdout, j);
            fputs(printed + 1 < p->njobs ? ",\n" : "\n", stdout);
        } else if (j->ok) {
            print_text(stdout, j, printed == 0);
        }
        fflush(stdout);
        printed++;
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    if (progress)
        clear_progress();
    if (json)
        fputs("  ]\n}\n", stdout);
    fflush(stdout);
    return status;
}

int cli_analyze(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--tonal") == 0)
            return cli_analyze_tonal(argc, argv);
    bool json = false, options = true;
    struct mix_pool p = { 0 };
    p.jobs = calloc((size_t)argc, sizeof *p.jobs);
    if (!p.jobs) {
        fprintf(stderr, "lathe analyze: out of memory\n");
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
        } else if (options && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            free(p.jobs);
            print_help();
            return EXIT_OK;
        } else if (options && strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
            free(p.jobs);
            return usage("unknown option ", argv[i]);
        } else {
            p.jobs[p.njobs++].path = argv[i];
        }
    }
    if (p.njobs == 0) {
        free(p.jobs);
        return usage("no FILE given", NULL);
    }
    struct mix_analysis *jobs = p.jobs;
    mix_pool_start(&p, jobs, p.njobs, 0);
    int status = report(&p, json, isatty(STDERR_FILENO) == 1);
    mix_pool_join(&p);
    free(p.jobs);
    return status;
}
