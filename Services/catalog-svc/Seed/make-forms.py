#!/usr/bin/env python3
"""Writes the seed catalog's form templates: one A4 PDF per form declared in
Services/catalog-svc/CatalogService/Seed/catalog.json, at the path its "file" names
(relative to the folder of catalog.json, e.g. "forms/to-khai-dang-ky-khai-sinh.pdf").

    python3 Services/catalog-svc/Seed/make-forms.py            # (re)write every form
    python3 Services/catalog-svc/Seed/make-forms.py --check    # exit 1 if any file differs
    python3 Services/catalog-svc/Seed/make-forms.py --html DIR # also keep each form's HTML in DIR

Each form is first written as an HTML page in Vietnamese, laid out like the official forms the
docs cite (docs/seed-catalog.md "Form templates"): the national heading "CỘNG HÒA XÃ HỘI CHỦ
NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc", the form's title, "Kính gửi", one labelled line
(or boxes, or tick boxes) per field catalog.json declares, the applicant's pledge and the place
for the signature. WeasyPrint (Debian's `weasyprint`) renders the page to PDF and embeds the
subset of the font it uses: DejaVu Serif (Debian's fonts-dejavu-core), which covers every
Vietnamese letter with its tone marks (ư, ơ, đ, ạ, ế, ỗ ...), as the 14 standard PDF fonts do not.

The output is byte-for-byte deterministic, so `--check` compares the files themselves and a
form's SHA-256 (which catalog-svc publishes) changes only when its content does:
- no creation or modification date is written (WeasyPrint writes one only when the HTML names
  it in <meta name="dcterms.created"/"dcterms.modified">; the pages name none), and
- WeasyPrint's PDF identifier and the names of its font subsets are hashes of the content, not
  random; SOURCE_DATE_EPOCH is fixed anyway for the tools underneath that read it.
The same WeasyPrint and font versions give the same bytes; another version (a new Debian
release) may lay the text out differently: then run the script once and commit the new files.
"""

import html
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_DIR = os.path.normpath(os.path.join(HERE, "..", "CatalogService", "Seed"))
CATALOG = os.path.join(SEED_DIR, "catalog.json")

# The layout, in CSS. Times-like serif at 13 pt is what the official forms are printed in
# (Nghị định 30/2020/NĐ-CP, Phụ lục I: Times New Roman 13-14); DejaVu Serif stands in for it.
STYLE = """
@page { size: A4; margin: 15mm 18mm 14mm 25mm; }
body { font-family: "DejaVu Serif"; font-size: 10.5pt; line-height: 1.35; color: #000; }
.national { text-align: center; margin-bottom: 6mm; }
.national .republic { font-weight: bold; font-size: 11.5pt; }
.national .motto { font-weight: bold; font-size: 12pt; }
.national .rule { width: 55mm; margin: 1mm auto 0; border-top: 0.6pt solid #000; }
h1 { text-align: center; font-size: 14pt; margin: 4mm 0 1mm; }
.source { text-align: center; font-style: italic; font-size: 9.5pt; margin: 0 0 4mm; }
.to { margin: 2mm 0 3mm 18mm; }
.procedure { font-size: 9.5pt; margin: 0 0 3mm; }
.field { margin: 0 0 1.6mm; }
/* A line to write on: the label, then dots to the right margin (cut there), as printed forms do. */
.line { white-space: nowrap; overflow: hidden; }
.boxes { display: inline-block; margin-left: 2mm; }
.box { display: inline-block; width: 4.6mm; height: 5.4mm; border: 0.6pt solid #000; margin-right: -0.6pt; vertical-align: middle; }
.choices { margin-left: 6mm; }
.choice { margin-right: 5mm; white-space: nowrap; }
.note { font-size: 9pt; font-style: italic; margin-top: 3mm; }
.pledge { margin-top: 4mm; text-align: justify; }
.signature { margin-top: 3mm; margin-left: 45%; text-align: center; page-break-inside: avoid; }
.signature .place { font-style: italic; }
.signature .who { font-weight: bold; margin-top: 1mm; }
.signature .how { font-style: italic; font-size: 9.5pt; }
"""


DOTS = "." * 200  # more than a line holds; .line cuts them at the margin


def e(text: str) -> str:
    return html.escape(text, quote=True)


def split_title(name: str) -> tuple:
    """'Tờ khai đăng ký khai sinh (mẫu ban hành kèm theo ...)' -> ('TỜ KHAI ĐĂNG KÝ KHAI SINH', '(mẫu ...)')."""
    title, source = name, ""
    if name.endswith(")") and " (" in name:
        at = name.index(" (")
        title, source = name[:at], name[at + 1:]
    return title.upper(), source


def field_html(index: int, field: dict) -> str:
    label = f"{index}. {e(field['label'])}{' (*)' if field.get('required') else ''}:"
    kind = field.get("type")
    if kind == "citizen_id":
        # Twelve boxes, one digit each, as the official forms print "Số định danh cá nhân".
        boxes = "".join('<span class="box"></span>' for _ in range(12))
        return f'<div class="field">{label}<span class="boxes">{boxes}</span></div>'
    if kind == "date":
        return (f'<div class="field line">{label} ngày ........ tháng ........ năm ..............</div>')
    if kind == "select" and field.get("options"):
        choices = "".join(f'<span class="choice">\u2610 {e(option)}</span> ' for option in field["options"])
        return (f'<div class="field">{label}'
                f' <span class="choices">{choices}</span></div>')
    return f'<div class="field line">{label} {DOTS}</div>'


def page_html(form: dict, procedure: dict) -> str:
    title, source = split_title(form["name"])
    fields = "\n".join(field_html(index, field) for index, field in enumerate(form.get("fields", []), start=1))
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{e(form["name"])}</title>
<meta name="generator" content="make-forms.py">
<style>{STYLE}</style>
</head>
<body>
<div class="national">
  <div class="republic">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
  <div class="motto">Độc lập - Tự do - Hạnh phúc</div>
  <div class="rule"></div>
</div>
<h1>{e(title)}</h1>
<p class="source">{e(source)}</p>
<div class="to line">Kính gửi: {DOTS}</div>
<p class="procedure">Thủ tục hành chính: {e(procedure["name"])} (mã {e(procedure["code"])})</p>
{fields}
<p class="note">Ghi chú: mục có dấu (*) là bắt buộc; với mục có ô \u2610, đánh dấu X vào ô phù hợp.</p>
<p class="pledge">Tôi cam đoan nội dung đề nghị trên đây là đúng sự thật và chịu hoàn toàn trách nhiệm
trước pháp luật về nội dung cam đoan của mình.</p>
<div class="signature">
  <div class="place">Làm tại: ............, ngày ..... tháng ..... năm ........</div>
  <div class="who">NGƯỜI YÊU CẦU</div>
  <div class="how">(Ký, ghi rõ họ, chữ đệm, tên)</div>
</div>
</body>
</html>
"""


def render(page: str) -> bytes:
    """The page as PDF, through the `weasyprint` command (Debian's weasyprint runs under Debian's
    own python3, which need not be the python3 running this script)."""
    command = shutil.which("weasyprint")
    if command is None:
        print("make-forms: the weasyprint command is missing: install Debian's weasyprint (scripts/install-deps.sh)",
              file=sys.stderr)
        sys.exit(3)
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    result = subprocess.run([command, "--encoding", "utf-8", "-", "-"], input=page.encode("utf-8"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF-"):
        print("make-forms: weasyprint failed: " + result.stderr.decode("utf-8", "replace")[-2000:], file=sys.stderr)
        sys.exit(3)
    return result.stdout


def main() -> int:
    args = sys.argv[1:]
    check = "--check" in args
    html_dir = args[args.index("--html") + 1] if "--html" in args and args.index("--html") + 1 < len(args) else None
    with open(CATALOG, encoding="utf-8") as handle:
        catalog = json.load(handle)
    written, differing = 0, []
    for procedure in catalog["procedures"]:
        for form in procedure.get("forms", []):
            path = os.path.normpath(os.path.join(SEED_DIR, form["file"]))
            if not path.startswith(os.path.join(SEED_DIR, "forms") + os.sep):
                print(f"{form['id']}: file {form['file']!r} is not under forms/", file=sys.stderr)
                return 2
            page = page_html(form, procedure)
            if html_dir:
                os.makedirs(html_dir, exist_ok=True)
                with open(os.path.join(html_dir, form["id"] + ".html"), "w", encoding="utf-8") as handle:
                    handle.write(page)
            data = render(page)
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
