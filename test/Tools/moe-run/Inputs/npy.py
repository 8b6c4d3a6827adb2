"""Minimal .npy reading and writing for the moe-run tests (no numpy here).

  npy.py write OUT.npy DESCR SHAPE SEED   deterministic values in [-1, 1)
  npy.py write-raw OUT.npy DESCR SHAPE FORTRAN  zeros, fortran_order given
  npy.py expand-experts IN.npy OUT.npy E  stack one expert's weight E times
  npy.py check-identical-experts DIR [TOL] out0.npy of identical-experts*.mlir
                                          against a dense SwiGLU FFN
"""
import math
import struct
import sys

FORMATS = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q", "<f2": "e"}
BF16 = ("<u2", "<V2", "|V2")  # NumPy has no bf16: raw 2-byte patterns


def values(count, seed):
    # A fixed LCG so every run writes the same bytes.
    state = seed
    out = []
    for _ in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out.append((state >> 40) / 2**24 * 2 - 1)
    return out


def header(descr, shape, fortran="False"):
    shape_text = "(" + "".join(f"{d}, " for d in shape).rstrip(" ")
    if len(shape) != 1:
        shape_text = shape_text.rstrip(",")
    shape_text += ")"
    text = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    pad = 64 - (10 + len(text) + 1) % 64
    return text + " " * pad + "\n"


def write(path, descr, shape, data, fortran="False"):
    text = header(descr, shape, fortran).encode()
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text)
        f.write(data)


def encode(descr, vals):
    if descr in BF16:  # the top half of the f32 pattern, rounded to nearest
        out = b""
        for v in vals:
            bits = struct.unpack("<I", struct.pack("<f", v))[0]
            bits += 0x7FFF + ((bits >> 16) & 1)
            out += struct.pack("<H", bits >> 16)
        return out
    if descr in ("<i4", "<i8"):
        vals = [int(v * 100) for v in vals]
    return struct.pack("<" + FORMATS[descr] * len(vals), *vals)


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:6] == b"\x93NUMPY", path
    length = struct.unpack("<H", raw[8:10])[0]
    meta = eval(raw[10:10 + length].decode())  # test-only, trusted input
    shape, descr = meta["shape"], meta["descr"]
    count = math.prod(shape)
    body = raw[10 + length:]
    if descr in BF16:
        bits = struct.unpack("<" + "H" * count, body)
        return descr, shape, [struct.unpack("<f", struct.pack("<I", b << 16))[0] for b in bits]
    return descr, shape, list(struct.unpack("<" + FORMATS[descr] * count, body))


def check_identical_experts(directory, tolerance):
    """All experts equal and k = 2 renormalised: y = ffn_0(x)."""
    _, (T, H), x = read(f"{directory}/x.npy")
    _, (_, I), gate = read(f"{directory}/gate.npy")
    _, _, up = read(f"{directory}/up.npy")
    _, _, down = read(f"{directory}/down.npy")
    descr, shape, y = read(f"{directory}/out/out0.npy")
    print(f"out0.npy: {descr} {list(shape)}")
    assert list(shape) == [T, H], shape
    worst = 0.0
    largest = 1.0  # errors are relative to the largest output, or absolute below 1
    for t in range(T):
        act = []
        for i in range(I):
            g = sum(x[t * H + h] * gate[h * I + i] for h in range(H))
            u = sum(x[t * H + h] * up[h * I + i] for h in range(H))
            act.append(g / (1 + math.exp(-g)) * u)
        for h in range(H):
            want = sum(act[i] * down[i * H + h] for i in range(I))
            worst = max(worst, abs(want - y[t * H + h]))
            largest = max(largest, abs(want))
    print(f"max abs error {worst:.3g} (largest output {largest:.3g})")
    print("PASS" if worst < tolerance * largest else "FAIL")


def main(argv):
    if argv[1] == "write":
        shape = [int(d) for d in argv[4].split(",") if d]
        count = math.prod(shape)
        write(argv[2], argv[3], shape, encode(argv[3], values(count, int(argv[5]))))
    elif argv[1] == "write-raw":
        shape = [int(d) for d in argv[4].split(",") if d]
        write(argv[2], argv[3], shape, b"\0" * 4 * math.prod(shape), argv[5])
    elif argv[1] == "expand-experts":
        # Stack one expert's [a, b] weight E times into [E, a, b].
        descr, shape, vals = read(argv[2])
        experts = int(argv[4])
        write(argv[3], descr, [experts] + list(shape), encode(descr, vals * experts))
    elif argv[1] == "check-identical-experts":
        check_identical_experts(argv[2], float(argv[3]) if len(argv) > 3 else 1e-5)


if __name__ == "__main__":
    main(sys.argv)
