#!/usr/bin/python3
"""Contact sheet for eyeballing a batch: each input beside its output(s), labelled.

usage: tools/contact_sheet.py INPUT_DIR OUTPUT_DIR [OUTPUT_DIR ...] -o SHEET.png
                              [--cell 360] [--only STEM,STEM]

An output matches an input by file stem (wb_actress2.jpg <-> wb_actress2.png). Each row
is one input: the input, then one cell per OUTPUT_DIR (labelled with the folder's name,
e.g. "portrait" and "whole"); a missing output is drawn as an empty labelled cell.
Images are scaled to fit CELL x CELL, transparent pixels shown over a checkerboard.
Needs Pillow (Debian: python3-pil, installed by scripts/install-deps); the shebang is
the system Python because Debian's Pillow lives there, not in a pyenv/venv.
"""
import argparse
import os
import sys

try:
    from PIL import Image, ImageDraw, ImageFont, ImageOps
except ImportError:
    sys.exit("contact_sheet.py: Pillow is missing (apt-get install python3-pil, or scripts/install-deps)")

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp"}
LABEL_H = 22
PAD = 6


def images_by_stem(folder):
    found = {}
    for name in sorted(os.listdir(folder)):
        stem, ext = os.path.splitext(name)
        if ext.lower() in IMAGE_EXTS and stem not in found:
            found[stem] = os.path.join(folder, name)
    return found


def checkerboard(w, h, step=8):
    board = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(board)
    for y in range(0, h, step):
        for x in range((y // step) % 2 * step, w, 2 * step):
            draw.rectangle([x, y, x + step - 1, y + step - 1], fill=(204, 204, 204))
    return board


def fitted(path, cell):
    """The image scaled into cell x cell (RGB, alpha over a checkerboard), or None."""
    try:
        img = Image.open(path)
        img.load()
    except (OSError, ValueError):
        return None, "unreadable"
    img = ImageOps.exif_transpose(img)  # as toonbox decodes: EXIF orientation applied
    size = img.size
    img.thumbnail((cell, cell), Image.LANCZOS)
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        board = checkerboard(*img.size)
        board.paste(img, (0, 0), img)
        img = board
    else:
        img = img.convert("RGB")
    return img, "%dx%d" % size


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs")
    ap.add_argument("outputs", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--cell", type=int, default=360)
    ap.add_argument("--only", default="", help="comma-separated stems to include (default: all with an output)")
    args = ap.parse_args()
    if args.cell < 32:
        sys.exit("contact_sheet.py: --cell must be at least 32")

    inputs = images_by_stem(args.inputs)
    outputs = [(os.path.basename(os.path.normpath(d)), images_by_stem(d)) for d in args.outputs]
    stems = [s for s in inputs if any(s in o for _, o in outputs)]
    if args.only:
        wanted = args.only.split(",")
        stems = [s for s in wanted if s in inputs]
    if not stems:
        sys.exit("contact_sheet.py: no input in %s has an output in %s" % (args.inputs, ", ".join(args.outputs)))

    cols = 1 + len(outputs)
    cw, ch = args.cell + PAD, args.cell + LABEL_H + PAD
    sheet = Image.new("RGB", (cols * cw + PAD, len(stems) * ch + PAD), (40, 40, 40))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for row, stem in enumerate(stems):
        cells = [("input", inputs[stem])] + [(label, o.get(stem)) for label, o in outputs]
        for col, (label, path) in enumerate(cells):
            x, y = PAD + col * cw, PAD + row * ch
            img, info = fitted(path, args.cell) if path else (None, "missing")
            if img is not None:
                sheet.paste(img, (x + (args.cell - img.width) // 2, y + LABEL_H + (args.cell - img.height) // 2))
            text = "%s  %s  %s" % (os.path.basename(path) if path else stem, label, info)
            draw.text((x + 2, y + 5), text, fill=(235, 235, 235), font=font)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    sheet.save(args.output)
    print("wrote %s (%d rows, %d columns)" % (args.output, len(stems), cols))


if __name__ == "__main__":
    main()
