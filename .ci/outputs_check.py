"""Check that the notebooks a reader reads with their results keep them, and that those results are current.

    python .ci/outputs_check.py        # exit 1, with a line per problem, when a saved output is missing or stale

The notebooks are `.ci/exec_nbs.py`'s SHOWN (every code cell runs) and SHOWN_QUICK (as the tests run them: `#| slow` and
`#| eval: false` cells are left out). `exec_nbs.py` stamps each cell it runs with the hash of its source (cell metadata
`ran`, which `nbdev_clean` keeps: settings.ini's allowed_cell_metadata_keys). A cell is stale when its source changed
since it ran, or it never ran (a new cell); an output that is an error is a failure too. The fix for any of them:
`python .ci/exec_nbs.py NOTEBOOK`, then commit.
"""
import sys
from pathlib import Path
import nbformat

sys.path.insert(0, str(Path(__file__).parent))
from exec_nbs import SHOWN, SHOWN_QUICK, RAN, source_hash, skipped


def problems(path: Path, quick: bool) -> list[str]:
    "What is wrong with the saved outputs of one notebook: a line per cell, naming the notebook and the cell."
    nb = nbformat.read(path, as_version=4)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    out = []
    if not any(c.get("outputs") for _, c in code): out.append(f"{path}: no saved outputs")
    for i, c in code:
        where = f"{path} cell {i} ({c.get('id', '?')})"
        if quick and skipped(c):
            if c.get("outputs"): out.append(f"{where}: a cell the tests leave out holds outputs")
            continue
        ran = c.metadata.get(RAN)
        if ran is None: out.append(f"{where}: never ran (no '{RAN}' stamp)")
        elif ran != source_hash(c.source): out.append(f"{where}: its source changed since its outputs were saved")
        out += [f"{where}: saved output is an error ({o.get('ename')}: {o.get('evalue', '')[:80]})" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return out


if __name__ == "__main__":
    found = [p for nb in SHOWN + SHOWN_QUICK for p in problems(Path(nb), nb in SHOWN_QUICK)]
    for p in found: print(p)
    n = len(SHOWN) + len(SHOWN_QUICK)
    if found: print(f"saved outputs: {len(found)} problems in {len({p.split(' cell ')[0].split(':')[0] for p in found})} of {n} notebooks; run python .ci/exec_nbs.py on them and commit"); sys.exit(1)
    print(f"saved outputs: {n} notebooks current")
