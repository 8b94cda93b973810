#include "CQRCode.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

int dvc_qr_modules(const char *text, unsigned char **modules) {
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (code == NULL) return 0;
    int width = code->width;
    unsigned char *out = malloc((size_t)width * (size_t)width);
    if (out == NULL) { QRcode_free(code); return 0; }
    // Bit 0 of each byte is the module's colour (the other bits say which kind of module it is).
    for (int i = 0; i < width * width; i++) out[i] = code->data[i] & 1;
    QRcode_free(code);
    *modules = out;
    return width;
}

void dvc_qr_free(void *pointer) { free(pointer); }
