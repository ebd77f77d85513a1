#ifndef FERRY_CSSH2_SHIM_H
#define FERRY_CSSH2_SHIM_H
#include <string.h>
#include <libssh2.h>
#include <libssh2_sftp.h>

/* libssh2's short names are macros over the _ex functions, which Swift cannot import. */
static inline LIBSSH2_SESSION *ferry_ssh2_session_init(void) {
    return libssh2_session_init();
}

static inline int ferry_ssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *user,
                                                         const char *publicKey, const char *privateKey,
                                                         const char *passphrase) {
    return libssh2_userauth_publickey_fromfile(session, user, publicKey, privateKey, passphrase);
}

static inline int ferry_ssh2_userauth_password(LIBSSH2_SESSION *session, const char *user, const char *password) {
    return libssh2_userauth_password(session, user, password);
}

static inline LIBSSH2_SFTP_HANDLE *ferry_sftp_open(LIBSSH2_SFTP *sftp, const char *path, unsigned long flags, long mode) {
    return libssh2_sftp_open(sftp, path, flags, mode);
}

static inline LIBSSH2_SFTP_HANDLE *ferry_sftp_opendir(LIBSSH2_SFTP *sftp, const char *path) {
    return libssh2_sftp_opendir(sftp, path);
}

static inline int ferry_sftp_stat(LIBSSH2_SFTP *sftp, const char *path, LIBSSH2_SFTP_ATTRIBUTES *attributes) {
    return libssh2_sftp_stat(sftp, path, attributes);
}

/* Plain SFTP v3 rename: OpenSSH refuses it when the target exists, which is what a delivery wants. */
static inline int ferry_sftp_rename(LIBSSH2_SFTP *sftp, const char *source, const char *destination) {
    return libssh2_sftp_rename_ex(sftp, source, (unsigned int)strlen(source), destination, (unsigned int)strlen(destination),
                                  LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE);
}

static inline int ferry_sftp_unlink(LIBSSH2_SFTP *sftp, const char *path) {
    return libssh2_sftp_unlink(sftp, path);
}

static inline int ferry_sftp_mkdir(LIBSSH2_SFTP *sftp, const char *path, long mode) {
    return libssh2_sftp_mkdir(sftp, path, mode);
}

static inline int ferry_sftp_readdir(LIBSSH2_SFTP_HANDLE *handle, char *buffer, size_t length, LIBSSH2_SFTP_ATTRIBUTES *attributes) {
    return libssh2_sftp_readdir(handle, buffer, length, attributes);
}
#endif
