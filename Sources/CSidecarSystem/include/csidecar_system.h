#ifndef CSIDECAR_SYSTEM_H
#define CSIDECAR_SYSTEM_H

#include <sys/types.h>

/// Marks the process non-dumpable (prctl PR_SET_DUMPABLE 0). Returns 0 on success, -1 elsewhere.
int csidecar_set_non_dumpable(void);

/// Whether the process is dumpable (1), not (0), or unknown (-1).
int csidecar_is_dumpable(void);

/// The peer's uid of a connected Unix socket (SO_PEERCRED). Returns 0 on success, -1 on failure.
int csidecar_peer_uid(int fd, uid_t *uid);

#endif
