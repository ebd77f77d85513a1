#ifndef FERRY_CZLIB_SHIM_H
#define FERRY_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2/deflateInit2 are macros that Swift cannot import. */
static inline int ferry_deflateInit2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int ferry_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
