#!/usr/bin/env python3
"""Draws the app and tray icons from geometry so they stay reproducible (stdlib only).

Run `python3 icons/generate.py`; the PNGs it writes are committed. Each tray state has its
own colour *and* its own glyph, so the state never rests on colour alone.
"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write_png(path, size, pixels):
    raw = b"".join(b"\x00" + bytes(pixels[y * size * 4:(y + 1) * size * 4]) for y in range(size))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def render(size, shapes):
    """shapes: list of (sdf(x, y) -> distance in unit coords, rgba); later shapes paint over."""
    px = [0] * (size * size * 4)
    ss = 4  # supersampling per axis
    for y in range(size):
        for x in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(ss):
                for sx in range(ss):
                    u = (x + (sx + 0.5) / ss) / size
                    v = (y + (sy + 0.5) / ss) / size
                    r = g = b = a = 0.0
                    for sdf, (cr, cg, cb, ca) in shapes:
                        if sdf(u, v) <= 0:
                            r, g, b, a = cr, cg, cb, ca
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = ss * ss
            alpha = acc[3] / n
            i = (y * size + x) * 4
            if alpha > 0:
                px[i] = round(acc[0] / acc[3])
                px[i + 1] = round(acc[1] / acc[3])
                px[i + 2] = round(acc[2] / acc[3])
                px[i + 3] = round(alpha * 255)
    return px


def circle(cx, cy, r):
    return lambda u, v: math.hypot(u - cx, v - cy) - r


def stroke(points, w):
    def sdf(u, v):
        return min(seg_dist(u, v, *points[i], *points[i + 1]) for i in range(len(points) - 1)) - w / 2
    return sdf


def ring(cx, cy, r, w):
    return lambda u, v: abs(math.hypot(u - cx, v - cy) - r) - w / 2


WHITE = (255, 255, 255, 1.0)
GLYPHS = {
    # check mark
    "operational": [stroke([(0.29, 0.52), (0.44, 0.67), (0.72, 0.36)], 0.11)],
    # exclamation mark
    "degraded": [stroke([(0.5, 0.27), (0.5, 0.57)], 0.12), circle(0.5, 0.73, 0.07)],
    # cross
    "outage": [stroke([(0.33, 0.33), (0.67, 0.67)], 0.12), stroke([(0.67, 0.33), (0.33, 0.67)], 0.12)],
    # wrench: a handle and an open ring at its head
    "maintenance": [stroke([(0.34, 0.68), (0.55, 0.47)], 0.12), ring(0.6, 0.4, 0.11, 0.08)],
    # three dots: we do not know
    "unknown": [circle(0.3, 0.5, 0.065), circle(0.5, 0.5, 0.065), circle(0.7, 0.5, 0.065)],
    # a broken link: offline
    "offline": [stroke([(0.28, 0.5), (0.42, 0.5)], 0.11), stroke([(0.58, 0.5), (0.72, 0.5)], 0.11)],
    # a plus: nothing set up yet, add a provider
    "setup": [stroke([(0.5, 0.3), (0.5, 0.7)], 0.11), stroke([(0.3, 0.5), (0.7, 0.5)], 0.11)],
}
COLOURS = {
    "operational": (30, 142, 62, 1.0),
    "degraded": (224, 160, 0, 1.0),
    "outage": (204, 40, 40, 1.0),
    "maintenance": (40, 110, 210, 1.0),
    "unknown": (120, 124, 130, 1.0),
    "offline": (120, 124, 130, 1.0),
    "setup": (120, 124, 130, 1.0),
}
OUTLINES = {"light": (32, 32, 32, 1.0), "dark": (240, 240, 240, 1.0)}


def tray_icon(state, panel, size):
    # The outline contrasts with the panel so the disc reads on light and dark panels alike.
    shapes = [(circle(0.5, 0.5, 0.48), OUTLINES["light" if panel == "light" else "dark"]),
              (circle(0.5, 0.5, 0.43), COLOURS[state])]
    shapes += [(g, WHITE) for g in GLYPHS[state]]
    return render(size, shapes)


def app_icon(size):
    def rounded(u, v, r=0.2):
        qx, qy = abs(u - 0.5) - (0.5 - r - 0.02), abs(v - 0.5) - (0.5 - r - 0.02)
        return math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - r
    env = stroke([(0.22, 0.34), (0.5, 0.56), (0.78, 0.34)], 0.06)
    box = stroke([(0.22, 0.3), (0.78, 0.3), (0.78, 0.72), (0.22, 0.72), (0.22, 0.3)], 0.06)
    return render(size, [(rounded, (28, 64, 120, 1.0)), (box, WHITE), (env, WHITE),
                         (circle(0.74, 0.7, 0.15), (204, 40, 40, 1.0)),
                         (stroke([(0.74, 0.62), (0.74, 0.71)], 0.05), WHITE),
                         (circle(0.74, 0.77, 0.03), WHITE)])


def main():
    for state in COLOURS:
        for panel in ("light", "dark"):
            write_png(os.path.join(HERE, "tray", f"{state}-{panel}.png"), 32, tray_icon(state, panel, 32))
    # The hicolor sizes a Linux package installs (32 to 512 px), and the 2x variant macOS uses.
    for name, size in (("32x32.png", 32), ("48x48.png", 48), ("64x64.png", 64), ("128x128.png", 128),
                       ("128x128@2x.png", 256), ("256x256.png", 256), ("icon.png", 512)):
        write_png(os.path.join(HERE, name), size, app_icon(size))


if __name__ == "__main__":
    main()
