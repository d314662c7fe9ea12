#define _GNU_SOURCE
#include "csidecar_system.h"

#ifdef __linux__
#include <sys/prctl.h>
#include <sys/socket.h>

int csidecar_set_non_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -1; }

int csidecar_is_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

int csidecar_peer_uid(int fd, uid_t *uid) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *uid = credentials.uid;
    return 0;
}
#else
int csidecar_set_non_dumpable(void) { return -1; }
int csidecar_is_dumpable(void) { return -1; }
int csidecar_peer_uid(int fd, uid_t *uid) { (void)fd; (void)uid; return -1; }
#endif
