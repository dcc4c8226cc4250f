"""Stdlib-only PNG reader and QR-code decoder for the e2e suite.

Used by test_mfa_manage.py to check that the `qrCode` data URL of
POST /auth/mfa/setup-totp really encodes the `otpAuthUrl`. It reads clean,
machine-rendered symbols only (no error correction is applied, no
perspective): error correction level M, versions 1-15, numeric /
alphanumeric / byte / ECI segments. Validated against node-qrcode output.
"""

import struct
import zlib

PNG_SIG = b"\x89PNG\r\n\x1a\n"


def png_decode(data):
    """Minimal PNG reader -> (width, height, rows of luminance 0..255)."""
    assert data[:8] == PNG_SIG, data[:16]
    pos = 8
    chunks = []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        typ = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(typ + body) & 0xffffffff == crc, f"bad CRC in {typ!r} chunk"
        chunks.append((typ, body))
        pos += 12 + n
        if typ == b"IEND":
            break
    assert pos == len(data), "bytes after IEND"
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [c[0] for c in chunks]
    w, h, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB", chunks[0][1])
    assert comp == 0 and filt == 0 and inter == 0, chunks[0][1]
    palette = None
    for typ, body in chunks:
        if typ == b"PLTE":
            palette = [tuple(body[i:i + 3]) for i in range(0, len(body), 3)]
    raw = zlib.decompress(b"".join(b for t, b in chunks if t == b"IDAT"))
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bpp_bits = channels * depth
    stride = (w * bpp_bits + 7) // 8
    bpp = max(1, bpp_bits // 8)
    assert len(raw) == h * (stride + 1), (len(raw), h, stride)
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
            else:
                assert ft == 0, f"filter type {ft}"
        prev = line
        lum = []
        for x in range(w):
            if depth < 8:
                bitpos = x * bpp_bits
                v = (line[bitpos // 8] >> (8 - depth - bitpos % 8)) & ((1 << depth) - 1)
                s = [v]
            else:
                s = list(line[x * bpp:(x + 1) * bpp])
            if ctype == 3:
                r, g, b_ = palette[s[0]]
                lum.append((r + g + b_) // 3)
            elif ctype in (0, 4):
                lum.append(s[0] * 255 // ((1 << depth) - 1))
            else:
                lum.append((s[0] + s[1] + s[2]) // 3)
        rows.append(lum)
    return w, h, rows


# Error correction level M: version -> (EC codewords per block, [(blocks, data codewords)...])
EC_M = {1: (10, [(1, 16)]), 2: (16, [(1, 28)]), 3: (26, [(1, 44)]), 4: (18, [(2, 32)]),
        5: (24, [(2, 43)]), 6: (16, [(4, 27)]), 7: (18, [(4, 31)]),
        8: (22, [(2, 38), (2, 39)]), 9: (22, [(3, 36), (2, 37)]),
        10: (26, [(4, 43), (1, 44)]), 11: (30, [(1, 50), (4, 51)]),
        12: (22, [(6, 36), (2, 37)]), 13: (22, [(8, 37), (1, 38)]),
        14: (24, [(4, 40), (5, 41)]), 15: (24, [(5, 41), (5, 42)])}
ALIGN = {1: [], 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34], 7: [6, 22, 38],
         8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50], 11: [6, 30, 54], 12: [6, 32, 58],
         13: [6, 34, 62], 14: [6, 26, 46, 66], 15: [6, 26, 48, 70]}
MASKS = [lambda x, y: (x + y) % 2 == 0, lambda x, y: y % 2 == 0, lambda x, y: x % 3 == 0,
         lambda x, y: (x + y) % 3 == 0, lambda x, y: (x // 3 + y // 2) % 2 == 0,
         lambda x, y: x * y % 2 + x * y % 3 == 0,
         lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
         lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0]
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _format_bits(ecl_bits, mask):
    data = ecl_bits << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def _format_positions(size):
    """(x, y) of the 15 format bits, first copy, bit i at index i."""
    pos = [(8, i) for i in range(6)] + [(8, 7), (8, 8), (7, 8)]
    pos += [(14 - i, 8) for i in range(9, 15)]
    return pos


def qr_grid(png_bytes):
    """PNG -> (scale, margin, matrix[y][x] True=dark). Checks a white quiet zone."""
    w, h, rows = png_decode(png_bytes)
    assert w == h, (w, h)
    dark = [[v < 128 for v in r] for r in rows]
    # the first dark pixel row/column is where the top-left finder starts
    y0 = next(y for y in range(h) if any(dark[y]))
    x0 = dark[y0].index(True)
    run = 0
    while dark[y0][x0 + run]:
        run += 1
    assert run % 7 == 0, run
    scale = run // 7
    assert x0 == y0 and x0 % scale == 0, (x0, y0, scale)
    n = (w - 2 * x0) // scale
    assert n * scale + 2 * x0 == w and (n - 17) % 4 == 0, (w, x0, scale)
    margin = x0 // scale
    for y in range(h):
        for x in range(w):
            inside = x0 <= x < w - x0 and x0 <= y < h - x0
            if not inside:
                assert not dark[y][x], f"dark pixel in the quiet zone at {x},{y}"
    m = [[dark[x0 + r * scale + scale // 2][x0 + c * scale + scale // 2] for c in range(n)]
         for r in range(n)]
    # every module is a uniform scale x scale square
    for r in range(n):
        for c in range(n):
            for dy in range(scale):
                row = dark[x0 + r * scale + dy]
                assert all(row[x0 + c * scale + dx] == m[r][c] for dx in range(scale)), (r, c)
    return scale, margin, m


def qr_decode(m):
    """Decodes a clean (error-free) QR symbol at level M; returns the text bytes."""
    size = len(m)
    ver = (size - 17) // 4
    assert ver in EC_M, f"version {ver} not supported by this decoder"
    # finder patterns
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-3, 4):
            for dx in range(-3, 4):
                d = max(abs(dx), abs(dy))
                assert m[cy + dy][cx + dx] == (d != 2), f"finder pattern at {cx},{cy}"
    for i in range(8, size - 8):
        assert m[6][i] == (i % 2 == 0) and m[i][6] == (i % 2 == 0), "timing pattern"
    fmt = 0
    for i, (x, y) in enumerate(_format_positions(size)):
        fmt |= int(m[y][x]) << i
    match = [(e, k) for e in range(4) for k in range(8) if _format_bits(e, k) == fmt]
    assert match, f"format bits {fmt:015b} invalid"
    ecl_bits, mask = match[0]
    assert ecl_bits == 0, f"error correction level is not M (format ECL bits {ecl_bits})"
    func = [[False] * size for _ in range(size)]
    for i in range(size):
        func[6][i] = func[i][6] = True
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                if 0 <= cx + dx < size and 0 <= cy + dy < size:
                    func[cy + dy][cx + dx] = True
    al = ALIGN[ver]
    for i, ay in enumerate(al):
        for j, ax in enumerate(al):
            if (i == 0 and j == 0) or (i == 0 and j == len(al) - 1) or (i == len(al) - 1 and j == 0):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    func[ay + dy][ax + dx] = True
    for x, y in _format_positions(size):
        func[y][x] = True
    for i in range(8):
        func[8][size - 1 - i] = True
    for i in range(7):
        func[size - 7 + i][8] = True
    func[size - 8][8] = True
    if ver >= 7:
        for i in range(18):
            a, b = size - 11 + i % 3, i // 3
            func[b][a] = func[a][b] = True
    bits = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                upward = ((right + 1) & 2) == 0
                y = size - 1 - vert if upward else vert
                if not func[y][x]:
                    bits.append(m[y][x] ^ MASKS[mask](x, y))
        right -= 2
    codewords = [int("".join("1" if b else "0" for b in bits[i:i + 8]), 2)
                 for i in range(0, len(bits) - 7, 8)]
    ecc, groups = EC_M[ver]
    lens = [d for cnt, d in groups for _ in range(cnt)]
    total = sum(lens) + ecc * len(lens)
    assert len(codewords) >= total, (len(codewords), total)
    blocks = [[] for _ in lens]
    k = 0
    for i in range(max(lens)):
        for b, n in enumerate(lens):
            if i < n:
                blocks[b].append(codewords[k])
                k += 1
    data = [c for blk in blocks for c in blk]
    stream = "".join(f"{c:08b}" for c in data)
    p = 0
    out = bytearray()

    def take(n):
        nonlocal p
        v = int(stream[p:p + n], 2)
        p += n
        return v

    while p + 4 <= len(stream):
        mode = take(4)
        if mode == 0:
            break
        if mode == 4:
            n = take(8 if ver <= 9 else 16)
            for _ in range(n):
                out.append(take(8))
        elif mode == 2:
            n = take(9 if ver <= 9 else 11)
            for _ in range(n // 2):
                v = take(11)
                out += (ALNUM[v // 45] + ALNUM[v % 45]).encode()
            if n % 2:
                out += ALNUM[take(6)].encode()
        elif mode == 1:
            n = take(10 if ver <= 9 else 12)
            while n >= 3:
                out += f"{take(10):03d}".encode()
                n -= 3
            if n == 2:
                out += f"{take(7):02d}".encode()
            elif n == 1:
                out += f"{take(4):01d}".encode()
        elif mode == 7:
            take(8)
        else:
            raise AssertionError(f"unsupported QR mode {mode}")
    return bytes(out), ver
