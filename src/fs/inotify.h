/* inotify's side of change notification (inotify.c), which fsnotify.c
 * feeds, and its limits, which /proc/sys/fs/inotify shows. */
#pragma once
#include "vfs.h"

/* Linux's defaults (max_user_watches depends on memory there; this is
 * its floor's order). */
#define INOTIFY_MAX_QUEUED_EVENTS 16384
#define INOTIFY_MAX_USER_INSTANCES 128
#define INOTIFY_MAX_USER_WATCHES 65536

/* Whether any watch exists (else nothing needs to be looked at). */
bool inotify_watching(void);
/* An event (IN_*) on the object `obj`, known to its directory `dir` as
 * `name` (either side may be NULL); `unlinked`: the name is gone, which
 * IN_EXCL_UNLINK watches of the directory don't hear of. */
void inotify_event(const struct kstat *obj, const struct kstat *dir, const char *name, uint32_t mask,
		   uint32_t cookie, bool unlinked);
/* The object's last link went: IN_DELETE_SELF and IN_IGNORED now, or
 * when its last open file closes. */
void inotify_gone(const struct kstat *obj, bool still_open);
/* Whether a watch on `obj` waits for the object's last close. */
bool inotify_dying(const struct kstat *obj);
