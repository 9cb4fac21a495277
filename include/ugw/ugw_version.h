/*
 * ugw_version.h - the version of ugw: the one place it is written.
 *
 * CMake reads the three numbers below for the project and package version,
 * the generator reads them for its banners, and the libraries report them at
 * run time through ugw_version(). Compare UGW_VERSION_HEX at compile time and
 * ugw_version() at run time to detect a header/library mismatch.
 */
#ifndef UGW_VERSION_H
#define UGW_VERSION_H

#define UGW_VERSION_MAJOR 0
#define UGW_VERSION_MINOR 2
#define UGW_VERSION_PATCH 0

#define UGW_STRINGIFY_(x) #x
#define UGW_STRINGIFY(x) UGW_STRINGIFY_(x)

/** "MAJOR.MINOR.PATCH" */
#define UGW_VERSION_STRING                                                   \
    UGW_STRINGIFY(UGW_VERSION_MAJOR) "." UGW_STRINGIFY(UGW_VERSION_MINOR) "." \
    UGW_STRINGIFY(UGW_VERSION_PATCH)

/** 0xMMmmpp: one byte each for major, minor and patch (0.2.0 is 0x000200). */
#define UGW_VERSION_HEX                                                      \
    ((UGW_VERSION_MAJOR << 16) | (UGW_VERSION_MINOR << 8) | UGW_VERSION_PATCH)

#endif /* UGW_VERSION_H */
