#ifndef FERRY_CLINUX_SHIM_H
#define FERRY_CLINUX_SHIM_H
/* Linux calls Glibc's Swift overlay does not expose (they need _GNU_SOURCE or <sys/vfs.h>). */
#ifdef __linux__
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <stdio.h>
#include <sys/vfs.h>
#include <unistd.h>

/* A read lease fails with EAGAIN while another process has the file open for writing. */
static inline int ferry_try_read_lease(int fd) { return fcntl(fd, F_SETLEASE, F_RDLCK); }
static inline int ferry_release_lease(int fd) { return fcntl(fd, F_SETLEASE, F_UNLCK); }

/* The file system type magic of the file system holding `path`, or 0. */
static inline long ferry_filesystem_type(const char *path) {
    struct statfs info;
    return statfs(path, &info) == 0 ? (long)info.f_type : 0;
}

/* rename(2) that fails with EEXIST instead of replacing: one atomic step, so a move is either done or not.
   EINVAL where the file system does not support it. */
static inline int ferry_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

/* Writes every file of the file system holding `fd` to the disk (one journal commit for many new files). */
static inline int ferry_syncfs(int fd) { return syncfs(fd); }
#endif
#endif
