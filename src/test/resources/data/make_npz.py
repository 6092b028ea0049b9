"""Writes the small .npz files NpzReaderTest reads, with NumPy's own writers.

Run from this folder: python3 make_npz.py (any NumPy >= 1.x). The values are simple formulas so the test
can check every element without a copy of this script's output:

numpy_compressed.npz  np.savez_compressed (deflated entries)
  x uint8 [4, 3, 2, 1]   element i (C order) = (i * 10) % 256
  y int64 [4]            class indices 0, 2, 1, 2
numpy_stored.npz      np.savez (stored entries), written from a Fortran-ordered array
  x float32 [3, 2, 2]    element i (C order) = i / 4, stored with fortran_order True
  y float64 [3, 1]       -1.5, 0, 2.25
  meta int32 [2]         ignored by the reader
"""
import numpy as np

x = ((np.arange(24) * 10) % 256).astype(np.uint8).reshape(4, 3, 2, 1)
y = np.array([0, 2, 1, 2], dtype=np.int64)
np.savez_compressed("numpy_compressed.npz", x=x, y=y)

xf = np.asfortranarray((np.arange(12, dtype=np.float32) / 4).reshape(3, 2, 2))
assert xf.flags.f_contiguous and not xf.flags.c_contiguous
yf = np.array([[-1.5], [0.0], [2.25]], dtype=np.float64)
np.savez("numpy_stored.npz", x=xf, y=yf, meta=np.array([7, 8], dtype=np.int32))
