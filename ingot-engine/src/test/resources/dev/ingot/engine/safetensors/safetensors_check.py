"""An independent safetensors checker: standard library only, written from the published format
description (8-byte little-endian header length, JSON header, data area), not from our Java code.

Usage: python3 safetensors_check.py FILE
Exits 1 with a reason on stderr when FILE breaks the format; otherwise prints a JSON summary:
{"metadata": {...} | null, "tensors": {name: {"dtype", "shape", "begin", "values": [first <= 8 values]}}}
"""
import json
import struct
import sys

ELEMENT_BYTES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
    "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}
STRUCT_CODES = {"F64": "d", "F32": "f", "F16": "e", "I64": "q", "I32": "i", "I16": "h", "I8": "b",
                "U64": "Q", "U32": "I", "U16": "H", "U8": "B"}


def fail(reason):
    print(reason, file=sys.stderr)
    sys.exit(1)


def refuse_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail("duplicate key in header")
    return dict(pairs)


def decode(dtype, raw, count):
    if dtype == "BF16":
        # bfloat16 is the top half of a float32
        return [struct.unpack("<f", struct.pack("<I", h << 16))[0]
                for h in struct.unpack("<%dH" % count, raw[:2 * count])]
    code = STRUCT_CODES.get(dtype)
    if code is None:
        return []
    return list(struct.unpack("<%d%s" % (count, code), raw[:ELEMENT_BYTES[dtype] * count]))


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        fail("shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        fail("header runs past the end")
    text = data[8:8 + n].decode("utf-8")
    if not text.startswith("{"):
        fail("header does not start with '{'")
    header = json.loads(text, object_pairs_hook=refuse_duplicates)
    start = 8 + n
    if start % 8 != 0:
        fail("data area does not start 8-aligned")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail("__metadata__ must map strings to strings")
    cursor = 0
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in ELEMENT_BYTES:
            fail("%s: unknown dtype %s" % (name, dtype))
        count = 1
        for d in shape:
            if not isinstance(d, int) or d < 0:
                fail("%s: bad dimension %r" % (name, d))
            count *= d
        if begin != cursor:
            fail("%s: begins at %d, expected %d (gap or overlap)" % (name, begin, cursor))
        if end - begin != count * ELEMENT_BYTES[dtype]:
            fail("%s: %d bytes for %d elements of %s" % (name, end - begin, count, dtype))
        if (start + begin) % ELEMENT_BYTES[dtype] != 0:
            fail("%s: not aligned to its element size" % name)
        raw = data[start + begin:start + end]
        tensors[name] = {"dtype": dtype, "shape": shape, "begin": begin,
                         "values": decode(dtype, raw, min(count, 8))}
        cursor = end
    if start + cursor != len(data):
        fail("data area is %d bytes but tensors cover %d" % (len(data) - start, cursor))
    print(json.dumps({"metadata": metadata, "tensors": tensors}))


if __name__ == "__main__":
    main(sys.argv[1])
