"""Make nnlib/datasets/digits.npz from scikit-learn's bundled copy of the UCI digits (run once, by hand).

The file this writes is committed; nnlib never needs scikit-learn. To re-create it:

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python tools/make_digits.py          # or: python tools/make_digits.py PATH/digits.csv.gz

Input: sklearn/datasets/data/digits.csv.gz, 1797 lines of 65 integers (64 pixel counts 0..16, then the
label 0..9). Output: a compressed .npz with "images" (1797, 8, 8) uint8 and "labels" (1797,) uint8.
"""

import gzip
import sys
from pathlib import Path

import numpy as np

OUTPUT = Path(__file__).resolve().parent.parent / "nnlib" / "datasets" / "digits.npz"


def bundled_csv() -> Path:
    """Where the installed scikit-learn keeps its copy of the digits."""
    import sklearn  # only this script needs it

    return Path(sklearn.__file__).parent / "datasets" / "data" / "digits.csv.gz"


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_csv()
    with gzip.open(source, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)     # (1797, 65)
    assert table.shape == (1797, 65), table.shape
    pixels, labels = table[:, :64], table[:, 64]
    assert pixels.min() >= 0 and pixels.max() <= 16 and set(labels) == set(range(10))
    np.savez_compressed(OUTPUT, images=pixels.reshape(-1, 8, 8).astype(np.uint8),
                        labels=labels.astype(np.uint8))
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes) from {source}")


if __name__ == "__main__":
    main()
