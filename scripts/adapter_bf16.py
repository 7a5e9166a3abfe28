#!/usr/bin/env python3
"""Rewrites a PEFT adapter's f32 safetensors as bf16 (half the size; what ships in `models/`).

Usage: scripts/adapter_bf16.py IN.safetensors OUT.safetensors

Standard library only: the safetensors layout is an 8-byte little-endian header length, a JSON
header (dtype, shape, data_offsets per tensor) and the raw data. Rounding is to nearest, ties to
even, as torch's `.to(torch.bfloat16)`. Non-f32 tensors are copied unchanged.
"""
import array
import json
import struct
import sys


def to_bf16(raw: bytes) -> bytes:
    words = array.array("I")
    words.frombytes(raw)
    if sys.byteorder != "little":
        words.byteswap()
    out = array.array("H")
    for w in words:
        if (w & 0x7F800000) == 0x7F800000 and (w & 0x007FFFFF):  # NaN stays NaN
            out.append((w >> 16) | 0x40)
            continue
        out.append(((w + 0x7FFF + ((w >> 16) & 1)) >> 16) & 0xFFFF)
    if sys.byteorder != "little":
        out.byteswap()
    return out.tobytes()


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    meta = header.pop("__metadata__", None)
    new_header, chunks, offset = {}, [], 0
    for name in sorted(header, key=lambda k: header[k]["data_offsets"][0]):
        info = header[name]
        start, end = info["data_offsets"]
        raw = body[start:end]
        dtype = info["dtype"]
        if dtype == "F32":
            raw, dtype = to_bf16(raw), "BF16"
        new_header[name] = {"dtype": dtype, "shape": info["shape"], "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if meta is not None:
        new_header["__metadata__"] = meta
    text = json.dumps(new_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


if __name__ == "__main__":
    main()
