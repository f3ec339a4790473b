// The safetensors format in Python (struct + json + torch), for tests: Debian's python3 has no `safetensors`
// module. read_safetensors(path) -> (tensors, metadata, header_len); write_safetensors(path, tensors, metadata)
// writes an unpadded, odd-sized header on purpose, so readers meet unaligned data.
export const PYTHON_SAFETENSORS = `
import struct
DT = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'I64': torch.int64,
      'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8, 'BOOL': torch.bool}
NAME = {v: k for k, v in DT.items()}

def read_safetensors(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop('__metadata__', {})
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        dtype = DT[info['dtype']]
        chunk = bytearray(data[begin:end])
        flat = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        out[name] = flat.reshape(info['shape'])
    return out, metadata, n

def write_safetensors(path, tensors, metadata):
    # Tensors in insertion order; the header is NOT padded to 8 (and made odd-sized on purpose), so the reader
    # meets unaligned data.
    header, chunks, offset = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {'dtype': NAME[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    text = json.dumps(header).encode()
    if (8 + len(text)) % 2 == 0:
        text += b' '
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))
    return len(text)
`;
