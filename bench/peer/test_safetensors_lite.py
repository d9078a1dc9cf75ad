"""Round trip of the tiny safetensors reader (standard library only; torch part skipped if absent).

Run: python3 -m unittest discover -s bench/peer -p 'test_*.py'
"""
import struct
import unittest

import safetensors_lite as st


class SafetensorsLiteTest(unittest.TestCase):
    def test_roundTrip_keepsNamesShapesAndValues(self):
        blob = st.encode(
            {"a.weight": ("F32", [2, 3], [0.5, -1.0, 2.25, 3.0, 4.0, -0.125]), "ids": ("I64", [3], [7, -2, 9])},
            {"version": 3},
        )
        meta, tensors = st.parse(blob)
        self.assertEqual(meta, {"version": "3"})
        self.assertEqual(tensors["a.weight"][0:2], ("F32", [2, 3]))
        self.assertEqual(st.values(tensors["a.weight"]), [0.5, -1.0, 2.25, 3.0, 4.0, -0.125])
        self.assertEqual(st.values(tensors["ids"]), [7, -2, 9])

    def test_parse_rejectsWrongByteCount(self):
        header = b'{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}'
        blob = struct.pack("<Q", len(header)) + header + b"\0\0\0\0"
        with self.assertRaises(ValueError):
            st.parse(blob)

    def test_toTorch_matchesValues(self):
        try:
            import torch  # noqa: F401
        except ImportError:
            self.skipTest("python3-torch not installed")
        _, tensors = st.parse(st.encode({"w": ("F32", [2, 2], [1.0, 2.0, 3.0, 4.0])}))
        t = st.to_torch(tensors["w"])
        self.assertEqual(list(t.shape), [2, 2])
        self.assertEqual(t[1, 0].item(), 3.0)


if __name__ == "__main__":
    unittest.main()
