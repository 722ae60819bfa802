#!/usr/bin/python3
# Writes the .npy reference files of npy.test.ts with NumPy itself (Debian: apt-get install python3-numpy), and
# expected.json: each file's dtype, shape and values as NumPy reads them back (int64 as strings).
# Run from this folder: /usr/bin/python3 make-fixtures.py
import json
import numpy as np

cases = {
    "f4-2x3": np.array([[1.5, -2.0, 3.0], [0.25, 1e-30, -0.0]], dtype="<f4"),
    "f8-big-endian": np.array([np.pi, -1e300, 5e-324], dtype=">f8"),
    "i8": np.array([-3, 2**40 + 1, 2**63 - 1], dtype="<i8"),
    "u8": np.array([0, 255, 7], dtype="|u1"),
    "bool-2x2": np.array([[True, False], [False, True]]),
    "u2-big-endian": np.array([1, 513, 65535], dtype=">u2"),
    "i2": np.array([-32768, 32767, -1], dtype="<i2"),
    "u4": np.array([0, 4294967295], dtype="<u4"),
    "i1": np.array([-128, 127], dtype="|i1"),
    "u8-64bit": np.array([18446744073709551615, 1], dtype="<u8"),
    "f4-scalar": np.array(42.0, dtype="<f4"),
    "f4-empty-0x3": np.zeros((0, 3), dtype="<f4"),
}
versions = {"i4-v2": ((2, 0), np.arange(6, dtype="<i4").reshape(2, 3)), "f4-v3": ((3, 0), np.array([0.5, -0.5], dtype="<f4"))}

expected = {}


def record(name, a):
    b = np.load(f"{name}.npy")
    values = b.reshape(-1).tolist()
    if b.dtype.kind in "iu" and b.dtype.itemsize == 8:
        values = [str(v) for v in values]
    if b.dtype.kind == "b":
        values = [int(v) for v in values]
    if b.dtype.kind == "f":
        values = [repr(float(v)) for v in values]  # shortest round-trip decimals: exact, incl. -0.0 and subnormals
    expected[name] = {"dtype": b.dtype.name, "shape": list(b.shape), "values": values}


for name, a in cases.items():
    np.save(f"{name}.npy", a)
    record(name, a)
for name, (version, a) in versions.items():
    with open(f"{name}.npy", "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    record(name, a)
np.save("fortran-order.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))

with open("expected.json", "w") as f:
    json.dump({"numpy": np.__version__, "files": expected}, f, indent=1)
    f.write("\n")
