#!/usr/bin/env python3
"""Draws Pracownia's icon (an isometric cube on a rounded square) with the standard library only
and writes the PNG, ICO and ICNS files Tauri's bundler needs. Run: python3 make_icons.py"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
BG = (38, 70, 120)
FACES = [(250, 160, 60), (220, 120, 40), (255, 205, 120)]  # left, right, top


def inside(poly, x, y):
    n, c = len(poly), False
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c


def shape():
    cx, cy, r = 0.5, 0.53, 0.30
    dx, dy = r * math.cos(math.pi / 6), r * math.sin(math.pi / 6)
    top = (cx, cy - r)
    center = (cx, cy)
    left_top, right_top = (cx - dx, cy - dy), (cx + dx, cy - dy)
    left_bot, right_bot = (cx - dx, cy + dy), (cx + dx, cy + dy)
    bottom = (cx, cy + r)
    return [
        ([left_top, center, bottom, left_bot], FACES[0]),
        ([center, right_top, right_bot, bottom], FACES[1]),
        ([top, right_top, center, left_top], FACES[2]),
    ]


def pixel(u, v):
    # Rounded square background with a 0.18 corner radius; transparent outside.
    rad = 0.18
    qx, qy = min(max(u, rad), 1 - rad), min(max(v, rad), 1 - rad)
    if (u - qx) ** 2 + (v - qy) ** 2 > rad * rad or not (0 <= u <= 1 and 0 <= v <= 1):
        return (0, 0, 0, 0)
    for poly, col in shape():
        if inside(poly, u, v):
            return col + (255,)
    return BG + (255,)


def render(size, ss=3):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    p = pixel((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size)
                    a = p[3]
                    acc[0] += p[0] * a
                    acc[1] += p[1] * a
                    acc[2] += p[2] * a
                    acc[3] += a
            a = acc[3]
            row += bytes([acc[0] // a, acc[1] // a, acc[2] // a, a // (ss * ss)] if a else [0, 0, 0, 0])
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    cache = {}

    def png(n):
        if n not in cache:
            cache[n] = render(n, 3 if n <= 256 else 2)
        return cache[n]

    for name, n in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(png(n))
    # ICO with embedded PNGs (Windows Vista and later read these).
    sizes = [16, 32, 48, 64, 128, 256]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for n in sizes:
        data = png(n)
        entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data), offset + len(blobs))
        blobs += data
    with open(os.path.join(HERE, "icon.ico"), "wb") as f:
        f.write(header + entries + blobs)
    # ICNS with PNG payloads (ic07 128, ic08 256, ic09 512).
    body = b""
    for tag, n in [(b"ic07", 128), (b"ic08", 256), (b"ic09", 512)]:
        data = png(n)
        body += tag + struct.pack(">I", 8 + len(data)) + data
    with open(os.path.join(HERE, "icon.icns"), "wb") as f:
        f.write(b"icns" + struct.pack(">I", 8 + len(body)) + body)


if __name__ == "__main__":
    main()
