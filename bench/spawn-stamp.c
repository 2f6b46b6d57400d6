/*
 * The Emperor bench's wrapper shim: notes when uWSGI's Emperor spawned a
 * vassal, then execs the real wrapper (vassalrun) with the same arguments.
 * Compiled by bench/emperor.sh; costs one exec of a small static binary,
 * which the containerized and the host vassal both pay.
 *
 *   SPAWN_TARGET=/path/to/vassalrun SPAWN_STAMPS=FILE spawn-stamp --ini x.ini
 *
 * Appends "x.ini NANOSECONDS" (CLOCK_REALTIME) to FILE.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    const char *target = getenv("SPAWN_TARGET");
    const char *stamps = getenv("SPAWN_STAMPS");
    const char *name = "?";
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--ini") == 0)
            name = argv[i + 1];
    if (stamps) {
        int fd = open(stamps, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char line[4200];
            int n = snprintf(line, sizeof line, "%s %lld\n", name,
                             (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
            if (n > 0 && n < (int)sizeof line && write(fd, line, n) != n)
                perror("spawn-stamp: write");
            close(fd);
        }
    }
    if (!target) {
        fprintf(stderr, "spawn-stamp: SPAWN_TARGET not set\n");
        return 127;
    }
    argv[0] = (char *)target;
    execv(target, argv);
    perror("spawn-stamp: exec");
    return 127;
}
