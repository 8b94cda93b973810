#!/usr/bin/env python3
"""Writes the seed catalog's form templates: one small PDF per form declared in
Services/catalog-svc/CatalogService/Seed/catalog.json, at the path its "file" names
(relative to the folder of catalog.json, e.g. "forms/to-khai-dang-ky-khai-sinh.pdf").

    python3 Services/catalog-svc/Seed/make-forms.py          # (re)write every form
    python3 Services/catalog-svc/Seed/make-forms.py --check  # exit 1 if any file differs

Each PDF is PDF 1.4, one A4 page, in Helvetica: the form's title, its legal source, and one
labelled blank line per declared field. The 14 standard PDF fonts (Helvetica among them) carry
no Vietnamese glyphs (their WinAnsi encoding has no ư, ơ, đ, ạ, ế ...), and embedding a font
would make the files large, so every text is folded to ASCII here ("Tờ khai đăng ký khai sinh"
becomes "To khai dang ky khai sinh"). The Vietnamese labels themselves live in catalog.json,
which is what the platform shows and validates against; the PDF is the printable template.

Output is deterministic (no dates, no random ids), so a form's SHA-256 changes only when its
content does. Standard library only.
"""

import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_DIR = os.path.normpath(os.path.join(HERE, "..", "CatalogService", "Seed"))
CATALOG = os.path.join(SEED_DIR, "catalog.json")

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56


def fold(text: str) -> str:
    """Vietnamese to printable ASCII: strip diacritics, đ/Đ to d/D, drop anything else."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)  # NFKD also turns ² into 2
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    replacements = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
    out = []
    for ch in stripped:
        ch = replacements.get(ch, ch)
        if 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def pdf_string(text: str) -> str:
    """A PDF literal string: parentheses and backslashes escaped."""
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def wrap(text: str, width: int) -> list:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = word if not line else line + " " + word
    if line:
        lines.append(line)
    return lines or [""]


def page_content(form: dict, procedure: dict) -> bytes:
    ops = []

    def text(x, y, size, value, bold=False):
        font = "/F2" if bold else "/F1"
        ops.append(f"BT {font} {size} Tf {x} {y} Td {pdf_string(value)} Tj ET")

    y = PAGE_HEIGHT - MARGIN
    text(MARGIN, y, 9, "CONG HOA XA HOI CHU NGHIA VIET NAM", bold=True)
    y -= 12
    text(MARGIN, y, 9, "Doc lap - Tu do - Hanh phuc")
    y -= 28
    for line in wrap(fold(form["name"]).upper(), 60):
        text(MARGIN, y, 13, line, bold=True)
        y -= 17
    y -= 4
    for line in wrap("Thu tuc: " + fold(procedure["name"]) + " (" + procedure["code"] + ")", 95):
        text(MARGIN, y, 8, line)
        y -= 11
    y -= 14
    for index, field in enumerate(form.get("fields", []), start=1):
        label = f"{index}. " + fold(field["label"]) + (" (*)" if field.get("required") else "") + ":"
        text(MARGIN, y, 10, label)
        # a dotted line to write on, from the end of the label to the right margin
        start = min(MARGIN + 6 * len(label) + 6, PAGE_WIDTH - MARGIN - 60)
        ops.append(f"[1 2] 0 d 0.5 w {start} {y - 2} m {PAGE_WIDTH - MARGIN} {y - 2} l S [] 0 d")
        if field.get("type") == "select" and field.get("options"):
            y -= 12
            text(MARGIN + 16, y, 8, "Chon mot: " + " / ".join(fold(o) for o in field["options"]))
        y -= 20
        if y < MARGIN + 60:
            break
    y = max(y - 10, MARGIN + 40)
    text(MARGIN, y, 8, "(*) bat buoc. Ban in: chu khong dau vi phong Helvetica chuan cua PDF khong co dau tieng Viet.")
    text(PAGE_WIDTH - MARGIN - 170, MARGIN + 10, 9, "Nguoi yeu cau (ky, ghi ro ho ten)")
    return "\n".join(ops).encode("ascii")


def build_pdf(content: bytes) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
         f"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>").encode("ascii"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode("ascii") + b" >>\nstream\n" + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode("ascii")
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode("ascii")
    return bytes(out)


def main() -> int:
    check = "--check" in sys.argv[1:]
    with open(CATALOG, encoding="utf-8") as handle:
        catalog = json.load(handle)
    written, differing = 0, []
    for procedure in catalog["procedures"]:
        for form in procedure.get("forms", []):
            path = os.path.normpath(os.path.join(SEED_DIR, form["file"]))
            if not path.startswith(os.path.join(SEED_DIR, "forms") + os.sep):
                print(f"{form['id']}: file {form['file']!r} is not under forms/", file=sys.stderr)
                return 2
            data = build_pdf(page_content(form, procedure))
            current = open(path, "rb").read() if os.path.exists(path) else None
            if current == data:
                continue
            if check:
                differing.append(form["file"])
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
            written += 1
    if check:
        if differing:
            print("out of date: " + ", ".join(differing), file=sys.stderr)
            return 1
        print("forms up to date")
        return 0
    print(f"wrote {written} form(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
