/*
 * ugw_export.h - the symbol visibility of the public API.
 *
 * The libraries are built with hidden visibility: only declarations marked
 * UGW_API are exported from the shared objects, so `nm -D` shows `ugw_...`
 * names and nothing else. Generated bindings use the same mark, so a schema
 * library built as a shared object exports its `<prefix>_...` API too.
 * Define UGW_API yourself before including any ugw header to override it.
 */
#ifndef UGW_EXPORT_H
#define UGW_EXPORT_H

#ifndef UGW_API
#if defined(__GNUC__) || defined(__clang__)
#define UGW_API __attribute__((visibility("default")))
#else
#define UGW_API
#endif
#endif

#endif /* UGW_EXPORT_H */
