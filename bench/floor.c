/*
 * The native floor for labdrop's two hot paths, measured in the same run as labdrop:
 *   floor write  N DIR   durable atomic write: write a 600-byte file to a temp name, fsync,
 *                        rename over the target, fsync the folder (what placing a request costs
 *                        the kernel, without any store or XML work)
 *   floor notify N DIR   rename a file into DIR and wait for inotify to report it (the kernel's
 *                        share of noticing a state_file)
 * Prints one latency per line in microseconds.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: floor write|notify N DIR\n");
        return 2;
    }
    int n = atoi(argv[2]);
    const char *dir = argv[3];
    char body[600];
    memset(body, 'x', sizeof body);
    char tmp[4096], target[4096];
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    int in = -1;
    if (strcmp(argv[1], "notify") == 0) {
        in = inotify_init1(0);
        inotify_add_watch(in, dir, IN_MOVED_TO | IN_CLOSE_WRITE);
    }
    for (int i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "%s/.tmp-%d", dir, i);
        snprintf(target, sizeof target, "%s/%s", dir, in >= 0 ? "state_file" : "r.xml");
        long long start = now_us();
        int fd = open(tmp, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (write(fd, body, sizeof body) != sizeof body) return 1;
        if (in < 0) fsync(fd);
        close(fd);
        if (in >= 0) {
            char buf[4096];
            read(in, buf, sizeof buf); /* the temp file's close */
            start = now_us();
        }
        rename(tmp, target);
        if (in < 0) {
            fsync(dirfd);
        } else {
            char buf[4096];
            read(in, buf, sizeof buf);
        }
        printf("%lld\n", now_us() - start);
    }
    return 0;
}
