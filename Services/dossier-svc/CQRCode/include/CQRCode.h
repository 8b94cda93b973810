#ifndef DVC_CQRCODE_H
#define DVC_CQRCODE_H

#include <stddef.h>

/// QR codes through libqrencode (Debian libqrencode-dev). Encodes `text` (8-bit mode, error
/// correction level M) and writes its modules, row by row, one byte each (1 dark, 0 light),
/// into a malloc'd buffer of width * width bytes. Returns the width, or 0 on failure.
int dvc_qr_modules(const char *text, unsigned char **modules);

void dvc_qr_free(void *pointer);

#endif
