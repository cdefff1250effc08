"""Build the app notebooks Voilà shows: ``python notebooks/src/apps/build.py [--check]``.

Each ``notebooks/src/apps/NAME.py`` (jupytext py:percent, like the lessons' sources) becomes
``notebooks/apps/NAME.ipynb``: the same cells, deterministic ids, no outputs (Voilà runs the notebook when a
page opens, so nothing stored is shown). An app is its dashboard alone: no lesson text and no links, since
Voilà serves only the notebook it was started with (a link to another notebook answers 403).
``--check`` writes nothing and exits 1 when a committed app differs from what this script would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

SOURCES = Path(__file__).resolve().parent
APPS = SOURCES.parents[1] / "apps"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def app_notebook(source: Path) -> nbformat.NotebookNode:
    """The app notebook for one source file, with nothing that differs between two builds."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
        cell.metadata = nbformat.from_dict({})
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC})
    nbformat.validate(nb)
    return nb


def app_text(source: Path) -> str:
    return nbformat.writes(app_notebook(source)) + "\n"


def sources() -> list[Path]:
    return sorted(path for path in SOURCES.glob("*.py") if path.name != Path(__file__).name)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for source in sources():
        target, text = APPS / f"{source.stem}.ipynb", app_text(source)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        else:
            APPS.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(APPS.parent.parent)}")
    if stale:
        print(f"stale: {', '.join(stale)}: run python notebooks/src/apps/build.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
