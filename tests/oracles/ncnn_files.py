"""A small, independent reader of ncnn model files for the PyTorch oracles.

Written from ncnn's own loaders (src/net.cpp load_param / load_param_bin, src/paramdict.cpp,
src/modelbin.cpp ModelBinFromDataReader::load), not from toonbox's C++ importer, so the
two can check each other. Plain parsing of numbers and bytes: nothing is executed.

  net = read_param(path)          # .param text, or .param.bin (names from its .id.h)
  bin = WeightFile(bin_path)
  w = bin.load(count, type)       # type 0: tagged (fp32/fp16/int8/table), 1: raw fp32
"""
import os
import re
import struct

import numpy as np

MAGIC = 7767517

# ncnn's layer type indices (the order of ncnn_add_layer in src/CMakeLists.txt), as far
# as the oracle's models need them.
LAYER_TYPES = {
    6: "Convolution", 7: "Crop", 8: "Deconvolution", 10: "Eltwise", 15: "InnerProduct",
    16: "Input", 21: "Pooling", 23: "PReLU", 26: "ReLU", 30: "Sigmoid", 33: "Split",
    40: "BinaryOp", 43: "Padding", 50: "Interp", 53: "InstanceNorm", 69: "PixelShuffle",
}


class Layer:
    def __init__(self, type_, name, bottoms, tops, params):
        self.type = type_
        self.name = name
        self.bottoms = bottoms
        self.tops = tops
        self.params = params  # id -> int, float, list or str (binary form: raw int bits)

    def get(self, pid, default):
        v = self.params.get(pid, default)
        return v

    def get_float(self, pid, default):
        """A float parameter: the text form has it typed; the binary form stores bits."""
        v = self.params.get(pid)
        if v is None:
            return default
        if isinstance(v, int):
            return struct.unpack("<f", struct.pack("<i", v))[0]
        return float(v)

    def get_floats(self, pid):
        v = self.params.get(pid, [])
        return [struct.unpack("<f", struct.pack("<i", x))[0] if isinstance(x, int) else float(x)
                for x in v]


def _text_value(s):
    if "." in s or "e" in s or "E" in s:
        return float(s)
    return int(s)


def _parse_text(text):
    tokens = text.split()
    if not tokens or int(tokens[0]) != MAGIC:
        raise ValueError("not an ncnn text param (magic %r)" % (tokens[:1],))
    layer_count, blob_count = int(tokens[1]), int(tokens[2])
    pos = 3
    layers = []
    for _ in range(layer_count):
        type_, name = tokens[pos], tokens[pos + 1]
        nb, nt = int(tokens[pos + 2]), int(tokens[pos + 3])
        pos += 4
        bottoms = tokens[pos:pos + nb]
        tops = tokens[pos + nb:pos + nb + nt]
        pos += nb + nt
        params = {}
        while pos < len(tokens) and re.match(r"^-?\d+=", tokens[pos]):
            key, value = tokens[pos].split("=", 1)
            key = int(key)
            if key <= -23300:  # counted array: len,v0,v1,...
                parts = value.split(",")
                params[-key - 23300] = [_text_value(p) for p in parts[1:1 + int(parts[0])]]
            elif "," in value:
                params[key] = [_text_value(p) for p in value.split(",")]
            else:
                params[key] = _text_value(value)
            pos += 1
        layers.append(Layer(type_, name, bottoms, tops, params))
    return layers, blob_count


def _id_names(param_path):
    stem = param_path[:-4]  # X.param
    for cand in (stem + ".id.h", stem + ".id.h.txt", stem[:-6] + ".id.h", stem[:-6] + ".id.h.txt"):
        if os.path.exists(cand):
            names = {"LAYER": {}, "BLOB": {}}
            for m in re.finditer(r"const\s+int\s+(LAYER|BLOB)_(\w+)\s*=\s*(\d+)\s*;", open(cand).read()):
                names[m.group(1)][int(m.group(3))] = m.group(2)
            return names
    return {"LAYER": {}, "BLOB": {}}


def _parse_binary(data, param_path):
    names = _id_names(param_path)
    i32 = lambda off: struct.unpack_from("<i", data, off)[0]
    magic, layer_count, blob_count = struct.unpack_from("<3i", data, 0)
    if magic != MAGIC:
        raise ValueError("not an ncnn binary param")
    off = 12
    layers = []
    for li in range(layer_count):
        type_index, nb, nt = struct.unpack_from("<3i", data, off)
        off += 12
        idx = list(struct.unpack_from("<%di" % (nb + nt), data, off))
        off += 4 * (nb + nt)
        blob = lambda j: names["BLOB"].get(j, "blob%d" % j)
        params = {}
        while True:
            key = i32(off)
            off += 4
            if key == -233:
                break
            if key <= -23400:
                raise ValueError("string parameters are not used by the oracle's models")
            if key <= -23300:
                n = i32(off)
                params[-key - 23300] = list(struct.unpack_from("<%di" % n, data, off + 4))
                off += 4 + 4 * n
            else:
                params[key] = i32(off)
                off += 4
        if type_index not in LAYER_TYPES:
            raise ValueError("layer type index %d is not known to the oracle" % type_index)
        layers.append(Layer(LAYER_TYPES[type_index], names["LAYER"].get(li, "layer%d" % li),
                            [blob(j) for j in idx[:nb]], [blob(j) for j in idx[nb:]], params))
    return layers, blob_count


def read_param(path):
    data = open(path, "rb").read()
    if struct.unpack_from("<i", data, 0)[0] == MAGIC:
        return _parse_binary(data, path)[0]
    return _parse_text(data.decode("ascii"))[0]


class WeightFile:
    """ncnn's ModelBinFromDataReader::load over a .bin, read front to back."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        self.off = 0

    def _take(self, n):
        if self.off + n > len(self.data):
            raise ValueError("the .bin ends at %d, a read needs %d more bytes at %d" %
                             (len(self.data), n, self.off))
        b = self.data[self.off:self.off + n]
        self.off += n
        return b

    def load(self, count, type_):
        if type_ == 1:
            return np.frombuffer(self._take(4 * count), dtype="<f4").astype(np.float32)
        tag = struct.unpack("<I", self._take(4))[0]
        pad4 = lambda n: (n + 3) // 4 * 4
        if tag == 0x01306B47:  # float16, padded to 4 bytes
            return np.frombuffer(self._take(pad4(2 * count))[:2 * count], dtype="<f2").astype(np.float32)
        if tag == 0x000D4B38:  # int8: the oracle's models are float
            raise ValueError("int8 weights are not used by the oracle's models")
        if tag == 0x0002C056 or tag == 0:
            return np.frombuffer(self._take(4 * count), dtype="<f4").astype(np.float32)
        table = np.frombuffer(self._take(1024), dtype="<f4")
        index = np.frombuffer(self._take(pad4(count))[:count], dtype=np.uint8)
        return table[index].astype(np.float32)

    def at_end(self):
        return self.off == len(self.data)
