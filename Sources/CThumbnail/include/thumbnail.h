/*
 * CThumbnail: validates uploaded photos (JPEG or PNG) and makes small JPEG
 * thumbnails for the visit pages. Plain C so that Swift can import it as is.
 *
 * All functions are reentrant and may be called from several threads at once:
 * the library keeps no global state.
 */
#ifndef CTHUMBNAIL_THUMBNAIL_H
#define CTHUMBNAIL_THUMBNAIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ZX_IMAGE_OK = 0,
    ZX_IMAGE_UNSUPPORTED = 1, /* not JPEG/PNG (or empty), or a JPEG variant we do not decode (12-bit, lossless) */
    ZX_IMAGE_CORRUPT = 2,     /* damaged or truncated data (a JPEG without its end marker counts as truncated) */
    ZX_IMAGE_TOO_LARGE = 3,   /* width * height > max_pixels, or a progressive (multi-scan) JPEG
                                 whose whole-image coefficients pass 64 MiB (about 22 megapixels
                                 in 4:2:0 colour; see ZX_MULTISCAN_JPEG_BUDGET in thumbnail.c) */
    ZX_IMAGE_NO_MEMORY = 4
} zx_image_status;

typedef enum { ZX_IMAGE_JPEG = 1, ZX_IMAGE_PNG = 2 } zx_image_format;

/* width/height as displayed, i.e. after EXIF orientation; format is a
 * zx_image_format value, or 0 while the format is unknown. */
typedef struct {
    int width;
    int height;
    int format;
} zx_image_info;

/*
 * Reads only the header: format (by magic bytes, not by name) and displayed
 * size. ZX_IMAGE_UNSUPPORTED for anything that is not JPEG/PNG (including an
 * empty buffer), ZX_IMAGE_CORRUPT for a truncated or bad header,
 * ZX_IMAGE_TOO_LARGE if width * height > max_pixels (or for a progressive JPEG
 * over the budget zx_image_thumbnail would refuse). Damage after the header
 * is only found by zx_image_thumbnail.
 * info may be NULL; otherwise it is zeroed first and filled in as soon as the
 * header is known (so it is also valid with ZX_IMAGE_TOO_LARGE).
 */
zx_image_status zx_image_probe(const unsigned char *data, size_t length, long long max_pixels,
                               zx_image_info *info);

/*
 * Decodes the whole image, applies the JPEG's EXIF orientation, shrinks it so
 * that the longer side is at most max_side (never enlarges; area-average
 * filter) and encodes a baseline JPEG at quality 1-100. Alpha is composited
 * over white; grey images give a grey JPEG.
 * max_side below 1 is treated as 1, quality is clamped to 1..100.
 * output and output_length must not be NULL (ZX_IMAGE_UNSUPPORTED if they are).
 * On ZX_IMAGE_OK, *output is a malloc'ed buffer of *output_length bytes, to be
 * released with zx_image_free; on any error *output is NULL and
 * *output_length 0. info (may be NULL) receives the ORIGINAL image's displayed
 * size and format, as with zx_image_probe.
 */
zx_image_status zx_image_thumbnail(const unsigned char *data, size_t length, long long max_pixels,
                                   int max_side, int quality, unsigned char **output,
                                   size_t *output_length, zx_image_info *info);

/* Releases a buffer returned by zx_image_thumbnail; NULL is allowed. */
void zx_image_free(unsigned char *pointer);

#ifdef __cplusplus
}
#endif

#endif /* CTHUMBNAIL_THUMBNAIL_H */
