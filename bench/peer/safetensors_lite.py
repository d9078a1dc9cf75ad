"""A tiny reader/writer of the safetensors format (header length u64 LE, JSON header, raw data).

Debian's python3-torch ships without the `safetensors` module, so the peer reads model-core's
`model.safetensors` itself. The parsing half needs only the standard library (it returns raw bytes
per tensor) so it can be checked without torch; `to_torch` turns an entry into a tensor.
"""
import json
import struct

# dtype name -> (struct format char, bytes per element)
DTYPES = {
    "F64": ("d", 8),
    "F32": ("f", 4),
    "F16": ("e", 2),
    "I64": ("q", 8),
    "I32": ("i", 4),
    "I16": ("h", 2),
    "I8": ("b", 1),
    "U8": ("B", 1),
    "BOOL": ("?", 1),
}


def parse(data):
    """Returns (metadata dict, {name: (dtype, shape list, raw bytes)}) of a safetensors blob."""
    if len(data) < 8:
        raise ValueError("safetensors blob shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError("safetensors header length %d exceeds the blob" % n)
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, entry in header.items():
        dtype = entry["dtype"]
        shape = list(entry["shape"])
        begin, end = entry["data_offsets"]
        if dtype not in DTYPES and dtype != "BF16":
            raise ValueError("tensor %s has unsupported dtype %s" % (name, dtype))
        size = DTYPES.get(dtype, ("", 2))[1]
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * size:
            raise ValueError("tensor %s: %d bytes for shape %s %s" % (name, end - begin, shape, dtype))
        tensors[name] = (dtype, shape, bytes(data[base + begin : base + end]))
    return meta, tensors


def read(path):
    with open(path, "rb") as f:
        return parse(f.read())


def values(entry):
    """Plain Python list of the (flattened) values of one parsed entry (no torch needed)."""
    dtype, shape, raw = entry
    fmt, size = DTYPES[dtype]
    return list(struct.unpack("<%d%s" % (len(raw) // size, fmt), raw))


def encode(tensors, metadata=None):
    """{name: (dtype, shape, flat list of values)} -> safetensors bytes (sorted names, packed)."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        dtype, shape, vals = tensors[name]
        fmt, _ = DTYPES[dtype]
        raw = struct.pack("<%d%s" % (len(vals), fmt), *vals)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)  # data starts 8-byte aligned, as the reference writer does
    return struct.pack("<Q", len(h)) + h + b"".join(chunks)


def to_torch(entry):
    """One parsed entry as a torch tensor (F32/F16/I64...; BF16 widened to F32 by hand)."""
    import torch

    dtype, shape, raw = entry
    if dtype == "BF16":
        u16 = torch.frombuffer(bytearray(raw), dtype=torch.int16).to(torch.int32)
        f32 = (u16 << 16).view(torch.float32)
        return f32.reshape(shape)
    torch_dtype = {
        "F64": torch.float64,
        "F32": torch.float32,
        "F16": torch.float16,
        "I64": torch.int64,
        "I32": torch.int32,
        "I16": torch.int16,
        "I8": torch.int8,
        "U8": torch.uint8,
        "BOOL": torch.bool,
    }[dtype]
    if not raw:
        return torch.empty(shape, dtype=torch_dtype)
    return torch.frombuffer(bytearray(raw), dtype=torch_dtype).reshape(shape).clone()
