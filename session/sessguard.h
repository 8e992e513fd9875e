/* SPDX-License-Identifier: MIT */
/* What keeps two writers of one session from losing each other's edits:
 * an advisory lock for a read-modify-write, and the identity of the file a
 * session was read from, checked before a new file is renamed over it. */
#ifndef LATHE_SESSGUARD_H
#define LATHE_SESSGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file a session was read from, as it was then: whether it existed,
 * and a hash and the size of its bytes. A session made in memory expects
 * no file (exists = false), so a save never replaces one made meanwhile. */
struct session_disk {
    bool exists;
    uint64_t hash;
    int64_t size;
};

/* The hash a session_disk keeps of a file's bytes (64-bit FNV-1a: it tells
 * edits apart, it is no defence against someone forging a collision). */
uint64_t session_disk_hash(const char *data, size_t len);
/* What is at `path` now. False with a message when it cannot be read
 * (a missing file is not an error: exists = false). */
bool session_disk_read(const char *path, struct session_disk *d, char *err, size_t errlen);
bool session_disk_same(const struct session_disk *a, const struct session_disk *b);

/* The lock every writer of a session holds from reading the file to
 * renaming its new one into place: flock(2) on the session's folder, which
 * survives the rename (a lock on the file would stay with the old inode).
 * It is advisory: it orders lathe's own writers; an editor that ignores it
 * is still caught by the identity check. Waits up to `wait_ms` for another
 * writer, then fails with a message naming the session. */
struct session_lock;
struct session_lock *session_lock_take(const char *path, int wait_ms, char *err, size_t errlen);
/* Releases and frees; NULL does nothing. */
void session_lock_release(struct session_lock *l);

/* How long a writer waits for another to finish its save, in ms. */
#define SESSION_LOCK_WAIT_MS 30000

#endif
