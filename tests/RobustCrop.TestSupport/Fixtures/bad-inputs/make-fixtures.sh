#!/usr/bin/env bash
# Regenerates the decoder fixtures. Needs ImageMagick 6 (`apt-get install imagemagick`) and python3 (stdlib only).
# The committed files are the test inputs; CI never runs this. PHOTOS points at a folder of the sample photos.
set -euo pipefail
cd "$(dirname "$0")"
PHOTOS=${PHOTOS:-../../../../samples/photos}

# Good images: real content, downsized (chelsea.png and coffee.png are CC0).
convert "$PHOTOS/chelsea.png" -resize 96x64! -strip -quality 85 good-rgb.jpg
convert "$PHOTOS/coffee.png" -resize 96x64! -strip PNG24:good-rgb.png

# Usable oddities.
convert -size 48x64 gradient:black-white -colorspace Gray -depth 16 -strip -define png:color-type=0 -define png:bit-depth=16 grey16.png
convert "$PHOTOS/chelsea.png" -resize 64x48! -strip -colorspace CMYK -quality 90 cmyk.jpg
convert -size 32x24 xc:red -size 32x24 xc:blue -loop 0 -set delay 10 animated.gif
# EXIF orientation 6 (RightTop): stored 40x24 with a red left half, displayed upright as 24x40 with red on top.
convert -size 20x24 xc:red -size 20x24 xc:blue +append -strip -quality 95 tmp.jpg
python3 - <<'PY'
import struct
# A minimal big-endian EXIF APP1 with one IFD0 entry: Orientation (0x0112, SHORT) = 6, inserted right after SOI.
tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + struct.pack(">I", 0)
app1 = b"Exif\x00\x00" + tiff
jpg = open("tmp.jpg", "rb").read()
open("oriented-6.jpg", "wb").write(jpg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpg[2:])
PY
rm -f tmp.jpg
# orient-1..8.jpg: stored 40x24 quadrants red|green over blue|white, each with EXIF Orientation = N.
convert \( -size 20x12 xc:red xc:lime +append \) \( -size 20x12 xc:blue xc:white +append \) -append -strip -quality 95 tmp.jpg
python3 - <<'PY'
import struct
jpg = open("tmp.jpg", "rb").read()
for n in range(1, 9):
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1, n, 0) + struct.pack(">I", 0)
    app1 = b"Exif\x00\x00" + tiff
    open(f"orient-{n}.jpg", "wb").write(jpg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpg[2:])
PY
rm -f tmp.jpg

# Bad inputs.
: > empty.jpg
printf 'This is a text file pretending to be a JPEG.\n' > text.jpg
convert -size 4x4 xc:gray50 -strip tiny-4x4.png
python3 - <<'PY'
import struct, zlib
# corrupt.jpg: a real JPEG's whole header (SOI .. the start-of-scan segment) followed by deterministic garbage
# entropy-coded data of the original's length and no EOI.
good = open("good-rgb.jpg", "rb").read()
sos = good.find(b"\xff\xda")
head = good[: sos + 2 + struct.unpack(">H", good[sos + 2 : sos + 4])[0]]
body = bytes((i * 131 + 7) % 251 for i in range(len(good) - len(head)))  # < 0xFF, so no markers at all
open("corrupt.jpg", "wb").write(head + body)
# truncated.png: a real PNG cut in the middle of its IDAT.
png = open("good-rgb.png", "rb").read()
open("truncated.png", "wb").write(png[: len(png) // 2])
# huge-dims.png: a valid IHDR that claims 100000x100000 RGB, a tiny IDAT, and IEND.
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
idat = zlib.compress(b"\x00" + b"\x00" * 300)
open("huge-dims.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY
