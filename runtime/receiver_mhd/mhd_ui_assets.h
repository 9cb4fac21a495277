/*
 * mhd_ui_assets.h - the inspector page's files (runtime/receiver_mhd/ui/),
 * built into the library as C arrays at build time by
 * cmake/ugwEmbedFiles.cmake: no CDN, works offline.
 */
#ifndef UGW_MHD_UI_ASSETS_H
#define UGW_MHD_UI_ASSETS_H

#include <stddef.h>

typedef struct mhd_ui_asset {
    const char *name; /* "index.html", "app.js", ... */
    const unsigned char *data;
    size_t len;
} mhd_ui_asset;

/* The file called `name`, or NULL. */
const mhd_ui_asset *mhd_ui_asset_find(const char *name);

#endif /* UGW_MHD_UI_ASSETS_H */
