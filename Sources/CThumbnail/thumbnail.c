/*
 * CThumbnail: header checks and JPEG thumbnails for uploaded photos.
 *
 * Pipeline: decode (JPEG via libjpeg with DCT pre-scaling, PNG via libpng's
 * row API) -> area-average downscale, fed row by row -> EXIF orientation on
 * the small image -> baseline JPEG into a growing buffer.
 *
 * Memory: an upload never gets a full-size pixel buffer. What is allocated
 * grows with the thumbnail (the accumulator, max_side^2 floats per channel)
 * and with the image's WIDTH (one decoded row, and the decoders' own row
 * buffers), never with width x height: a 7700 x 7700 PNG needs about as much
 * as a 7700 x 100 one. The one exception is a JPEG in several scans
 * (progressive), whose coefficients libjpeg must keep for the whole image;
 * those are refused above a budget, see ZX_MULTISCAN_JPEG_BUDGET.
 *
 * Errors: libjpeg reports fatal errors through error_exit, whose default
 * calls exit(); ours longjmps back to the function that called setjmp, and
 * every resource is released by its non-setjmp caller. To stay within the C
 * rules for setjmp, everything that changes after setjmp lives in a struct
 * owned by that caller, not in locals of the setjmp function.
 */
#include "thumbnail.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h uses FILE without including stdio.h */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h> /* after jpeglib.h: its message list depends on jconfig.h */
#include <png.h>

typedef struct {
    int width, height, channels; /* channels: 1 (grey) or 3 (RGB) */
    unsigned char *pixels;       /* rows packed without padding */
} pixmap;

/* Target size with the longer side at most max_side and the aspect ratio kept. */
static void fit_within(int w, int h, int max_side, int *tw, int *th)
{
    int longer = w > h ? w : h;
    if (longer <= max_side) {
        *tw = w;
        *th = h;
        return;
    }
    *tw = (int)(((long long)w * max_side + longer / 2) / longer);
    *th = (int)(((long long)h * max_side + longer / 2) / longer);
    /* A very thin strip would otherwise round to zero pixels. */
    if (*tw < 1) *tw = 1;
    if (*th < 1) *th = 1;
}

/* ---------------------------------------------------------------------------
 * Area-average (box) downscaler. Each target pixel is the mean of the source
 * area it covers, partially covered source pixels weighted by their overlap.
 * Rows are pushed one at a time, so no decoder needs a full-size buffer; a
 * row may also be sparse (the pixels of one Adam7 pass), because every source
 * pixel is simply added, with its weights, into the target pixels it overlaps:
 * the order in which pixels arrive does not matter, only that each arrives
 * once. An image that needs no scaling is copied as is: exact, and no float
 * buffer four times its size (it is at most max_side x max_side anyway).
 */
typedef struct {
    int sw, sh, tw, th, ch;
    double sx, sy; /* source pixels per target pixel, >= 1 on both axes */
    int y;         /* index of the next source row, for resampler_push */
    float *row;    /* the current source row, already reduced to tw pixels */
    float *acc;    /* weighted sums for the whole target image */
    unsigned char *copy; /* instead of row/acc when the size stays the same */
} resampler;

static zx_image_status resampler_init(resampler *r, int sw, int sh, int tw, int th, int ch)
{
    r->sw = sw;
    r->sh = sh;
    r->tw = tw;
    r->th = th;
    r->ch = ch;
    r->sx = (double)sw / tw;
    r->sy = (double)sh / th;
    r->y = 0;
    if (tw == sw && th == sh) {
        r->copy = malloc((size_t)sw * sh * ch);
        return r->copy ? ZX_IMAGE_OK : ZX_IMAGE_NO_MEMORY;
    }
    r->row = malloc(sizeof(float) * (size_t)tw * ch);
    r->acc = calloc((size_t)tw * th * ch, sizeof(float));
    return r->row && r->acc ? ZX_IMAGE_OK : ZX_IMAGE_NO_MEMORY;
}

static void resampler_add(resampler *r, int target_row, float weight)
{
    float *dst = r->acc + (size_t)target_row * r->tw * r->ch;
    for (int i = 0; i < r->tw * r->ch; i++)
        dst[i] += weight * r->row[i];
}

/* Adds n pixels of source row y, found at columns x0, x0 + dx, x0 + 2dx...
 * (dx is 1 for a whole row). Pixels outside the image are ignored. */
static void resampler_push_at(resampler *r, int y, int x0, int dx, int n, const unsigned char *src)
{
    const int ch = r->ch;
    if (y < 0 || y >= r->sh || x0 < 0 || dx < 1 || n < 1 || x0 >= r->sw)
        return;
    if (n > (r->sw - 1 - x0) / dx + 1)
        n = (r->sw - 1 - x0) / dx + 1;
    if (r->copy) {
        unsigned char *dst = r->copy + ((size_t)y * r->sw + x0) * ch;
        if (dx == 1)
            memcpy(dst, src, (size_t)n * ch);
        else
            for (int i = 0; i < n; i++)
                memcpy(dst + (size_t)i * dx * ch, src + (size_t)i * ch, (size_t)ch);
        return;
    }
    if (x0 == 0 && dx == 1 && n == r->sw) {
        /* A whole row: per target pixel, the source span it covers. */
        for (int x = 0; x < r->tw; x++) {
            double a = x * r->sx, b = a + r->sx; /* covered source span [a, b) */
            float sum[3] = {0, 0, 0};
            for (int i = (int)a; i < r->sw && i < b; i++) {
                float w = (float)((i + 1 < b ? i + 1 : b) - (i > a ? i : a));
                for (int c = 0; c < ch; c++)
                    sum[c] += w * src[(size_t)i * ch + c];
            }
            for (int c = 0; c < ch; c++)
                r->row[x * ch + c] = sum[c];
        }
    } else {
        /* Scattered pixels: source pixel [x, x+1) meets at most two target
         * columns (sx >= 1), as a source row meets two target rows below. */
        memset(r->row, 0, sizeof(float) * (size_t)r->tw * ch);
        for (int i = 0; i < n; i++) {
            const int x = x0 + i * dx;
            int t = (int)(x / r->sx);
            if (t >= r->tw)
                t = r->tw - 1;
            const double end = (t + 1) * r->sx; /* where target column t ends */
            const float w = t + 1 >= r->tw || end >= x + 1 ? 1.0f : (float)(end - x);
            for (int c = 0; c < ch; c++) {
                const float v = src[(size_t)i * ch + c];
                r->row[t * ch + c] += w * v;
                if (w < 1.0f)
                    r->row[(t + 1) * ch + c] += (1.0f - w) * v;
            }
        }
    }
    /* Source row y spans [y, y+1); as sy >= 1 it meets at most two target rows. */
    int t = (int)(y / r->sy);
    if (t >= r->th)
        t = r->th - 1;
    double end = (t + 1) * r->sy; /* where target row t ends, in source rows */
    if (t + 1 >= r->th || end >= y + 1) {
        resampler_add(r, t, 1.0f);
    } else {
        float w = (float)(end - y);
        resampler_add(r, t, w);
        resampler_add(r, t + 1, 1.0f - w);
    }
}

/* The next whole row, top to bottom. */
static void resampler_push(resampler *r, const unsigned char *src)
{
    resampler_push_at(r, r->y++, 0, 1, r->sw, src);
}

static zx_image_status resampler_finish(resampler *r, pixmap *out)
{
    size_t n = (size_t)r->tw * r->th * r->ch;
    if (r->copy) {
        out->pixels = r->copy; /* ownership moves to out */
        r->copy = NULL;
    } else {
        float scale = (float)(1.0 / (r->sx * r->sy)); /* total weight per target sample */
        out->pixels = malloc(n);
        if (!out->pixels)
            return ZX_IMAGE_NO_MEMORY;
        for (size_t i = 0; i < n; i++) {
            float v = r->acc[i] * scale + 0.5f;
            out->pixels[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    out->width = r->tw;
    out->height = r->th;
    out->channels = r->ch;
    return ZX_IMAGE_OK;
}

static void resampler_free(resampler *r)
{
    free(r->row);
    free(r->acc);
    free(r->copy);
    r->row = r->acc = NULL;
    r->copy = NULL;
}

/* ---------------------------------------------------------------------------
 * EXIF orientation (TIFF tag 0x0112) from an APP1 payload; 0 if there is
 * none. Every offset comes from the file, so each is bounds-checked.
 */
static unsigned read16(const unsigned char *p, int le)
{
    return le ? p[0] | p[1] << 8 : p[0] << 8 | p[1];
}

static unsigned long read32(const unsigned char *p, int le)
{
    return le ? read16(p, 1) | (unsigned long)read16(p + 2, 1) << 16
              : (unsigned long)read16(p, 0) << 16 | read16(p + 2, 0);
}

static int exif_orientation(const unsigned char *p, size_t n)
{
    if (n < 6 + 8 || memcmp(p, "Exif\0\0", 6) != 0)
        return 0;
    p += 6; /* offsets inside EXIF count from the TIFF header */
    n -= 6;
    int le;
    if (p[0] == 'I' && p[1] == 'I')
        le = 1;
    else if (p[0] == 'M' && p[1] == 'M')
        le = 0;
    else
        return 0;
    if (read16(p + 2, le) != 42)
        return 0;
    unsigned long ifd = read32(p + 4, le);
    if (ifd > n - 2)
        return 0;
    unsigned count = read16(p + ifd, le);
    for (unsigned i = 0; i < count; i++) {
        size_t entry = ifd + 2 + 12 * (size_t)i;
        if (entry + 12 > n)
            return 0;
        if (read16(p + entry, le) == 0x0112) {
            /* A SHORT stored in the first two bytes of the value field. */
            unsigned value = read16(p + entry + 8, le);
            return read16(p + entry + 2, le) == 3 && value >= 1 && value <= 8 ? (int)value : 0;
        }
    }
    return 0;
}

/* Turns the stored image into the displayed one, as EXIF defines values 1-8. */
static zx_image_status apply_orientation(pixmap *img, int orientation)
{
    if (orientation < 2 || orientation > 8)
        return ZX_IMAGE_OK;
    const int transpose = orientation >= 5;
    const int flip_x = orientation == 2 || orientation == 3 || orientation == 6 || orientation == 7;
    const int flip_y = orientation == 3 || orientation == 4 || orientation == 7 || orientation == 8;
    const int ch = img->channels, dw = transpose ? img->height : img->width;
    const int dh = transpose ? img->width : img->height;
    unsigned char *dst = malloc((size_t)dw * dh * ch);
    if (!dst)
        return ZX_IMAGE_NO_MEMORY;
    for (int dy = 0; dy < dh; dy++) {
        for (int dx = 0; dx < dw; dx++) {
            int u = flip_x ? dw - 1 - dx : dx, v = flip_y ? dh - 1 - dy : dy;
            int sx = transpose ? v : u, sy = transpose ? u : v;
            memcpy(dst + ((size_t)dy * dw + dx) * ch,
                   img->pixels + ((size_t)sy * img->width + sx) * ch, (size_t)ch);
        }
    }
    free(img->pixels);
    img->pixels = dst;
    img->width = dw;
    img->height = dh;
    return ZX_IMAGE_OK;
}

/* ---------------------------------------------------------------------------
 * libjpeg error manager: longjmp instead of exit(), nothing on stderr.
 */
typedef struct {
    struct jpeg_error_mgr pub; /* first, because libjpeg only knows this part */
    jmp_buf jump;
    zx_image_status status;
} jpeg_guard;

static void guard_fail(j_common_ptr cinfo, zx_image_status status)
{
    jpeg_guard *guard = (jpeg_guard *)cinfo->err;
    guard->status = status;
    longjmp(guard->jump, 1);
}

static void guard_error_exit(j_common_ptr cinfo)
{
    switch (cinfo->err->msg_code) {
    case JERR_OUT_OF_MEMORY:
        guard_fail(cinfo, ZX_IMAGE_NO_MEMORY);
        break;
    case JERR_IMAGE_TOO_BIG:
        guard_fail(cinfo, ZX_IMAGE_TOO_LARGE);
        break;
    case JERR_BAD_PRECISION:   /* 12-bit JPEG */
    case JERR_SOF_UNSUPPORTED: /* lossless and other rare processes */
    case JERR_ARITH_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
        guard_fail(cinfo, ZX_IMAGE_UNSUPPORTED);
        break;
    default:
        guard_fail(cinfo, ZX_IMAGE_CORRUPT);
    }
}

/*
 * libjpeg only warns about damaged scan data and fills the gap with grey, so
 * a truncated upload would pass as a half-grey photo. The warnings that mean
 * lost image data are therefore fatal; harmless ones (e.g. stray bytes before
 * a marker, an unknown JFIF version) are ignored.
 */
static void guard_emit_message(j_common_ptr cinfo, int level)
{
    if (level >= 0)
        return; /* trace output */
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
#if JPEG_LIB_VERSION >= 70 || defined(D_ARITH_CODING_SUPPORTED)
    case JWRN_ARITH_BAD_CODE:
#endif
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
        guard_fail(cinfo, ZX_IMAGE_CORRUPT);
        break;
    default:
        cinfo->err->num_warnings++;
    }
}

static void guard_output_message(j_common_ptr cinfo)
{
    (void)cinfo;
}

static struct jpeg_error_mgr *guard_init(jpeg_guard *guard)
{
    jpeg_std_error(&guard->pub);
    guard->pub.error_exit = guard_error_exit;
    guard->pub.emit_message = guard_emit_message;
    guard->pub.output_message = guard_output_message;
    guard->status = ZX_IMAGE_CORRUPT;
    return &guard->pub;
}

/* ---------------------------------------------------------------------------
 * JPEG decoding. out == NULL means header only (probe).
 */
typedef struct {
    struct jpeg_decompress_struct cinfo;
    jpeg_guard guard;
    resampler rs;
} jpeg_reader;

/* Adobe CMYK JPEGs (all Photoshop ones, and YCCK after libjpeg's conversion)
 * store inverted ink values; without a colour profile, the naive
 * ink-to-light formula is the sensible approximation. Works in place. */
static void cmyk_to_rgb(unsigned char *row, int width, int inverted)
{
    for (int x = 0; x < width; x++) {
        const unsigned char *s = row + 4 * x;
        unsigned c = s[0], m = s[1], y = s[2], k = s[3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        row[3 * x + 0] = (unsigned char)((c * k + 127) / 255);
        row[3 * x + 1] = (unsigned char)((m * k + 127) / 255);
        row[3 * x + 2] = (unsigned char)((y * k + 127) / 255);
    }
}

/*
 * A single-scan (baseline) JPEG is decoded a band of 8-16 rows at a time, in
 * buffers as wide as the image at the DCT-scaled size; with one line of
 * output here and the box filter's accumulator, that is the whole cost.
 * A JPEG in several scans (every progressive one, and the rare baseline one
 * with a scan per component) cannot be streamed like that: libjpeg keeps the
 * DCT coefficients of the whole image until the last scan, 128 bytes per 8x8
 * block of each component whatever the output scale - about 3 bytes a pixel
 * for 4:2:0 colour, 6 for 4:4:4, 2 for grey, as much as a full RGB buffer.
 * Those are refused (ZX_IMAGE_TOO_LARGE) when the coefficients would pass
 * this budget: 64 MiB takes progressive 4:2:0 photos up to about 22
 * megapixels, 4:4:4 up to 11, grey up to 33. Cameras and phones write
 * baseline JPEGs, which have no such limit beyond max_pixels.
 */
#define ZX_MULTISCAN_JPEG_BUDGET (64ULL << 20)

/* What libjpeg's coefficient controller allocates for a multi-scan image
 * (jdcoefct.c: each component's blocks, rounded up to whole MCUs). Valid
 * after jpeg_read_header, which sets the components' sizes in blocks. */
static unsigned long long multiscan_bytes(const struct jpeg_decompress_struct *cinfo)
{
    unsigned long long total = 0;
    for (int ci = 0; ci < cinfo->num_components; ci++) {
        const jpeg_component_info *c = &cinfo->comp_info[ci];
        unsigned long long wb = c->width_in_blocks, hb = c->height_in_blocks;
        const unsigned long long hs = c->h_samp_factor > 0 ? (unsigned long long)c->h_samp_factor : 1;
        const unsigned long long vs = c->v_samp_factor > 0 ? (unsigned long long)c->v_samp_factor : 1;
        total += (wb + hs - 1) / hs * hs * ((hb + vs - 1) / vs * vs) * sizeof(JBLOCK);
    }
    return total;
}

static zx_image_status jpeg_decode_run(jpeg_reader *jr, const unsigned char *data, size_t length,
                                       long long max_pixels, int max_side, zx_image_info *info,
                                       pixmap *out, int *orientation)
{
    struct jpeg_decompress_struct *cinfo = &jr->cinfo;
    cinfo->err = guard_init(&jr->guard);
    if (setjmp(jr->guard.jump))
        return jr->guard.status;

    jpeg_create_decompress(cinfo);
    jpeg_mem_src(cinfo, data, (unsigned long)length);
    jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF); /* EXIF lives in APP1 */
    jpeg_read_header(cinfo, TRUE);

    int orient = 0;
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m && !orient; m = m->next)
        orient = exif_orientation(m->data, m->data_length);
    *orientation = orient ? orient : 1;

    const int w = (int)cinfo->image_width, h = (int)cinfo->image_height;
    info->width = *orientation >= 5 ? h : w;
    info->height = *orientation >= 5 ? w : h;
    info->format = ZX_IMAGE_JPEG;
    if ((long long)w * h > max_pixels)
        return ZX_IMAGE_TOO_LARGE; /* before jpeg_start_decompress allocates */
    if (jpeg_has_multiple_scans(cinfo) && multiscan_bytes(cinfo) > ZX_MULTISCAN_JPEG_BUDGET)
        return ZX_IMAGE_TOO_LARGE; /* likewise; also for probe, so that it predicts the thumbnail */
    if (!out)
        return ZX_IMAGE_OK;

    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo->out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo->out_color_space = JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo->out_color_space = JCS_CMYK;
        break;
    default:
        return ZX_IMAGE_UNSUPPORTED;
    }

    /* Let the IDCT do most of the shrinking, about 3x faster than decoding
     * every pixel: the smallest of 1/8, 1/4, 1/2 that still leaves at least
     * the target size for the box filter to finish with. Only powers of two:
     * they have SIMD paths and stay close to an area average (1/8 is exactly
     * the 8x8 block mean); 3/8, 5/8... strayed further from it in tests. */
    int tw, th;
    fit_within(w, h, max_side, &tw, &th);
    cinfo->scale_denom = 8;
    for (cinfo->scale_num = 1; cinfo->scale_num < 8; cinfo->scale_num *= 2) {
        if ((w * (int)cinfo->scale_num + 7) / 8 >= tw && (h * (int)cinfo->scale_num + 7) / 8 >= th)
            break;
    }
    jpeg_start_decompress(cinfo);

    const int sw = (int)cinfo->output_width, sh = (int)cinfo->output_height;
    zx_image_status status = resampler_init(&jr->rs, sw, sh, tw < sw ? tw : sw, th < sh ? th : sh,
                                            cinfo->out_color_space == JCS_GRAYSCALE ? 1 : 3);
    if (status != ZX_IMAGE_OK)
        return status;
    /* Pool memory: freed by jpeg_destroy_decompress, also after a longjmp. */
    JSAMPARRAY line = (*cinfo->mem->alloc_sarray)((j_common_ptr)cinfo, JPOOL_IMAGE,
                                                  (JDIMENSION)sw * cinfo->output_components, 1);
    while (cinfo->output_scanline < cinfo->output_height) {
        if (jpeg_read_scanlines(cinfo, line, 1) != 1)
            return ZX_IMAGE_CORRUPT;
        if (cinfo->out_color_space == JCS_CMYK)
            cmyk_to_rgb(line[0], sw, cinfo->saw_Adobe_marker);
        resampler_push(&jr->rs, line[0]);
    }
    jpeg_finish_decompress(cinfo);
    return resampler_finish(&jr->rs, out);
}

static zx_image_status decode_jpeg(const unsigned char *data, size_t length, long long max_pixels,
                                   int max_side, zx_image_info *info, pixmap *out, int *orientation)
{
    jpeg_reader jr;
    memset(&jr, 0, sizeof jr);
    zx_image_status status =
        jpeg_decode_run(&jr, data, length, max_pixels, max_side, info, out, orientation);
    jpeg_destroy_decompress(&jr.cinfo); /* safe in any state, even never created */
    resampler_free(&jr.rs);
    return status;
}

/* ---------------------------------------------------------------------------
 * PNG decoding with libpng's row API, one row in memory at a time. The
 * transforms are those libpng's simplified API (png_image_finish_read) used
 * to apply here, so thumbnails look the same: palette and low bit depths
 * expanded, tRNS made an alpha channel, 16-bit scaled to 8 with rounding,
 * colour kept as colour and grey as grey, and a gAMA other than sRGB's
 * corrected to sRGB (an untagged 16-bit file is taken as sRGB, as browsers
 * do). libpng reports errors by png_error, which calls our error function,
 * which longjmps back to png_decode_run's setjmp.
 *
 * Alpha over white in sRGB values, not libpng's linear-light compositing:
 * that is how browsers show a transparent PNG on a white page, so the
 * thumbnail looks like the original. Packs ch+1 samples into ch, in place.
 */
static void composite_on_white(unsigned char *row, int width, int ch)
{
    for (int x = 0; x < width; x++) {
        const unsigned char *s = row + (size_t)x * (ch + 1);
        unsigned a = s[ch];
        for (int c = 0; c < ch; c++)
            row[(size_t)x * ch + c] = (unsigned char)((s[c] * a + 255 * (255 - a) + 127) / 255);
    }
}

typedef struct {
    png_structp png;
    png_infop info;
    const unsigned char *data;
    size_t length, offset;
    unsigned char *row; /* one transformed row, full width */
    resampler rs;
} png_reader;

static void png_read_from_memory(png_structp png, png_bytep out, size_t count)
{
    png_reader *pr = png_get_io_ptr(png);
    if (count > pr->length - pr->offset)
        png_error(png, "truncated"); /* does not return */
    memcpy(out, pr->data + pr->offset, count);
    pr->offset += count;
}

/* Nothing on stderr: the status says what went wrong. */
static void png_fail(png_structp png, png_const_charp message)
{
    (void)message;
    png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

/* Only the chunks that can change the pixels are read, as the simplified
 * API does; text, time, EXIF, unknown and other chunks are skipped unparsed
 * (no zTXt/iTXt inflating for nothing). */
static void png_skip_unused_chunks(png_structp png)
{
#ifdef PNG_HANDLE_AS_UNKNOWN_SUPPORTED
    static const png_byte used[] = {
        'b', 'K', 'G', 'D', '\0', 'c', 'H', 'R', 'M', '\0', 'g', 'A', 'M', 'A', '\0',
#ifdef PNG_READ_iCCP_SUPPORTED
        'i', 'C', 'C', 'P', '\0',
#endif
        's', 'B', 'I', 'T', '\0', 's', 'R', 'G', 'B', '\0',
    };
    /* All chunks but IHDR, PLTE, tRNS, IDAT and IEND ignored, then these back. */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_AS_DEFAULT, used, (int)(sizeof used / 5));
#else
    (void)png;
#endif
}

/*
 * Interlaced (Adam7) files are streamed too, without the full image libpng's
 * own deinterlacing needs: we do not turn that on, so png_read_row hands over
 * each pass's rows as they are stored (the pixels of a sparse grid, e.g.
 * every 8th column of every 8th row in pass 1), and the box filter adds each
 * pixel at its place in the image. Same memory as a plain file, and the same
 * thumbnail up to float rounding; no separate pixel limit is needed for them.
 */
static zx_image_status png_decode_run(png_reader *pr, long long max_pixels, int max_side,
                                      zx_image_info *info, pixmap *out)
{
    png_structp png = pr->png;
    png_infop pinfo = pr->info;
    if (setjmp(png_jmpbuf(png)))
        return ZX_IMAGE_CORRUPT; /* any libpng error: bad or truncated data */

#ifdef PNG_BENIGN_ERRORS_SUPPORTED
    png_set_benign_errors(png, 1); /* minor damage only warns, as in the simplified API */
#endif
    png_skip_unused_chunks(png);
    png_set_read_fn(png, pr, png_read_from_memory);
    png_read_info(png, pinfo);

    /* libpng refuses sizes above its user limits (1,000,000 by default) */
    const int w = (int)png_get_image_width(png, pinfo), h = (int)png_get_image_height(png, pinfo);
    info->width = w;
    info->height = h;
    info->format = ZX_IMAGE_PNG;
    if ((long long)w * h > max_pixels)
        return ZX_IMAGE_TOO_LARGE;
    if (!out)
        return ZX_IMAGE_OK;

    const int color_type = png_get_color_type(png, pinfo);
    const int interlace = png_get_interlace_type(png, pinfo);
    /* Keep grey as grey (a third of the work); palette images are colour. */
    const int ch = color_type & PNG_COLOR_MASK_COLOR ? 3 : 1;
    png_set_expand(png); /* palette -> RGB, 1/2/4-bit grey -> 8, tRNS -> alpha */
    if (png_get_bit_depth(png, pinfo) == 16)
#ifdef PNG_READ_SCALE_16_TO_8_SUPPORTED
        png_set_scale_16(png);
#else
        png_set_strip_16(png);
#endif
    /* Output sRGB; a file without gAMA is taken as already sRGB. */
    png_set_alpha_mode_fixed(png, PNG_ALPHA_PNG, PNG_DEFAULT_sRGB);
    png_read_update_info(png, pinfo);

    const int channels = png_get_channels(png, pinfo);
    if (png_get_bit_depth(png, pinfo) != 8 || (channels != ch && channels != ch + 1))
        return ZX_IMAGE_UNSUPPORTED; /* a transform this libpng lacks */
    const int alpha = channels - ch;

    int tw, th;
    fit_within(w, h, max_side, &tw, &th);
    zx_image_status status = resampler_init(&pr->rs, w, h, tw, th, ch);
    if (status != ZX_IMAGE_OK)
        return status;
    pr->row = malloc(png_get_rowbytes(png, pinfo));
    if (!pr->row)
        return ZX_IMAGE_NO_MEMORY;

    if (interlace == PNG_INTERLACE_NONE) {
        for (int y = 0; y < h; y++) {
            png_read_row(png, pr->row, NULL);
            if (alpha)
                composite_on_white(pr->row, w, ch);
            resampler_push_at(&pr->rs, y, 0, 1, w, pr->row);
        }
    } else {
        for (int pass = 0; pass < 7; pass++) {
            const int cols = (int)PNG_PASS_COLS((png_uint_32)w, pass);
            const int rows = (int)PNG_PASS_ROWS((png_uint_32)h, pass);
            if (cols == 0 || rows == 0)
                continue; /* libpng skips empty passes too */
            for (int j = 0; j < rows; j++) {
                if (png_get_current_pass_number(png) != pass)
                    return ZX_IMAGE_CORRUPT; /* cannot happen; never misplace pixels */
                png_read_row(png, pr->row, NULL);
                if (alpha)
                    composite_on_white(pr->row, cols, ch);
                resampler_push_at(&pr->rs, (int)PNG_ROW_FROM_PASS_ROW((png_uint_32)j, pass),
                                  PNG_PASS_START_COL(pass), PNG_PASS_COL_OFFSET(pass), cols, pr->row);
            }
        }
    }
    /* Like the simplified API, no png_read_end: what follows the image data
     * does not change the thumbnail. */
    return resampler_finish(&pr->rs, out);
}

static zx_image_status decode_png(const unsigned char *data, size_t length, long long max_pixels,
                                  int max_side, zx_image_info *info, pixmap *out)
{
    png_reader pr;
    memset(&pr, 0, sizeof pr);
    pr.data = data;
    pr.length = length;
    zx_image_status status = ZX_IMAGE_NO_MEMORY;
    pr.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_ignore_warning);
    if (pr.png)
        pr.info = png_create_info_struct(pr.png);
    if (pr.info)
        status = png_decode_run(&pr, max_pixels, max_side, info, out);
    png_destroy_read_struct(&pr.png, &pr.info, NULL); /* NULLs allowed */
    free(pr.row);
    resampler_free(&pr.rs);
    return status;
}

/* Dispatch on magic bytes; file names and MIME types are not trusted. */
static zx_image_status decode(const unsigned char *data, size_t length, long long max_pixels,
                              int max_side, zx_image_info *info, pixmap *out, int *orientation)
{
    static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    *orientation = 1;
    if (data && length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return decode_jpeg(data, length, max_pixels, max_side, info, out, orientation);
    if (data && length >= 8 && memcmp(data, png_magic, 8) == 0)
        return decode_png(data, length, max_pixels, max_side, info, out);
    return ZX_IMAGE_UNSUPPORTED;
}

/* ---------------------------------------------------------------------------
 * JPEG encoding into a realloc'ed buffer. Not jpeg_mem_dest: when its buffer
 * grows it only reports the new address at jpeg_finish_compress, so after an
 * error midway the caller cannot free it (and would free a stale pointer).
 */
typedef struct {
    struct jpeg_destination_mgr pub; /* first, libjpeg casts to it */
    unsigned char *buffer;
    size_t capacity, used;
} grow_dest;

typedef struct {
    struct jpeg_compress_struct cinfo;
    jpeg_guard guard;
    grow_dest dest;
} jpeg_writer;

static void dest_init(j_compress_ptr cinfo)
{
    grow_dest *d = (grow_dest *)cinfo->dest;
    d->capacity = 16384;
    d->buffer = malloc(d->capacity);
    if (!d->buffer)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    d->pub.next_output_byte = d->buffer;
    d->pub.free_in_buffer = d->capacity;
}

static boolean dest_grow(j_compress_ptr cinfo)
{
    grow_dest *d = (grow_dest *)cinfo->dest; /* called only when the buffer is full */
    unsigned char *bigger = realloc(d->buffer, d->capacity * 2);
    if (!bigger)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    d->buffer = bigger;
    d->pub.next_output_byte = bigger + d->capacity;
    d->pub.free_in_buffer = d->capacity;
    d->capacity *= 2;
    return TRUE;
}

static void dest_term(j_compress_ptr cinfo)
{
    grow_dest *d = (grow_dest *)cinfo->dest;
    d->used = d->capacity - d->pub.free_in_buffer;
}

static zx_image_status jpeg_encode_run(jpeg_writer *jw, const pixmap *img, int quality)
{
    struct jpeg_compress_struct *cinfo = &jw->cinfo;
    cinfo->err = guard_init(&jw->guard);
    if (setjmp(jw->guard.jump))
        return jw->guard.status;

    jpeg_create_compress(cinfo);
    jw->dest.pub.init_destination = dest_init;
    jw->dest.pub.empty_output_buffer = dest_grow;
    jw->dest.pub.term_destination = dest_term;
    cinfo->dest = &jw->dest.pub;
    cinfo->image_width = (JDIMENSION)img->width;
    cinfo->image_height = (JDIMENSION)img->height;
    cinfo->input_components = img->channels;
    cinfo->in_color_space = img->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality, TRUE);
    cinfo->optimize_coding = TRUE; /* still baseline; smaller files for a cheap second pass */
    jpeg_start_compress(cinfo, TRUE);
    const size_t stride = (size_t)img->width * img->channels;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW row = img->pixels + cinfo->next_scanline * stride;
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_compress(cinfo);
    return ZX_IMAGE_OK;
}

static zx_image_status encode_jpeg(const pixmap *img, int quality, unsigned char **output,
                                   size_t *output_length)
{
    jpeg_writer jw;
    memset(&jw, 0, sizeof jw);
    zx_image_status status = jpeg_encode_run(&jw, img, quality);
    jpeg_destroy_compress(&jw.cinfo);
    if (status != ZX_IMAGE_OK) {
        free(jw.dest.buffer);
        return status;
    }
    /* Give back the unused tail of the last doubling; keep it if that fails. */
    unsigned char *fitted = realloc(jw.dest.buffer, jw.dest.used);
    *output = fitted ? fitted : jw.dest.buffer;
    *output_length = jw.dest.used;
    return ZX_IMAGE_OK;
}

/* ---------------------------------------------------------------------------
 * Public API
 */
zx_image_status zx_image_probe(const unsigned char *data, size_t length, long long max_pixels,
                               zx_image_info *info)
{
    zx_image_info scratch;
    int orientation;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    return decode(data, length, max_pixels, 0, info, NULL, &orientation);
}

zx_image_status zx_image_thumbnail(const unsigned char *data, size_t length, long long max_pixels,
                                   int max_side, int quality, unsigned char **output,
                                   size_t *output_length, zx_image_info *info)
{
    zx_image_info scratch;
    pixmap small = {0, 0, 0, NULL};
    int orientation;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    if (!output || !output_length)
        return ZX_IMAGE_UNSUPPORTED;
    *output = NULL;
    *output_length = 0;
    if (max_side < 1)
        max_side = 1;
    quality = quality < 1 ? 1 : quality > 100 ? 100 : quality;

    zx_image_status status = decode(data, length, max_pixels, max_side, info, &small, &orientation);
    if (status == ZX_IMAGE_OK)
        status = apply_orientation(&small, orientation);
    if (status == ZX_IMAGE_OK)
        status = encode_jpeg(&small, quality, output, output_length);
    free(small.pixels);
    return status;
}

void zx_image_free(unsigned char *pointer)
{
    free(pointer);
}
