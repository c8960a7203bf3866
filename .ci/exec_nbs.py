"""Run the notebooks that the docs site shows with their figures, and save their outputs in them.

    python .ci/exec_nbs.py                       # the notebooks in SHOWN (every cell) and SHOWN_QUICK (no slow cells)
    python .ci/exec_nbs.py nbs/01e_plots.ipynb   # or the ones named

Each notebook runs top to bottom in its own folder (nbconvert's ExecutePreprocessor, as `jupyter nbconvert --execute`),
on whatever data it finds: without the competition data the competition notebook runs its sample mode (seconds to
minutes on two CPU cores). Progress-bar widgets are dropped from the saved outputs and the notebook's metadata: a static
page cannot draw them, and their state is most of the file. `nbdev_clean` keeps the outputs (settings.ini: clear_all = False).
"""
import re, sys, time
from pathlib import Path
import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

SHOWN = ["nbs/01e_plots.ipynb", "nbs/tutorials/competition.ipynb", "nbs/tutorials/activefire.ipynb"]   # nbs/index.ipynb has no code cells, so no figures
SHOWN_QUICK = ["nbs/02_firetests.ipynb", "nbs/07_threshold.ipynb", "nbs/07b_report.ipynb", "nbs/07c_compare.ipynb", "nbs/07d_blend.ipynb"]   # run as the tests run them: `#| slow` cells left out
WIDGET = "application/vnd.jupyter.widget-view+json"


def drop_widgets(nb):
    "Remove widget outputs and the saved widget state; returns how many outputs went."
    n = 0
    for c in nb.cells:
        if c.cell_type != "code": continue
        keep = [o for o in c.outputs if WIDGET not in o.get("data", {})]
        n += len(c.outputs) - len(keep); c.outputs = keep
    nb.metadata.pop("widgets", None)
    return n


class SkipSlow(ExecutePreprocessor):
    "Execute every code cell but those flagged `#| slow` or `#| eval: false`, which are left without outputs, as nbdev_test leaves them out."
    def preprocess_cell(self, cell, resources, index):
        flags = [l for l in cell.source.splitlines() if l.startswith("#|")] if cell.cell_type == "code" else []
        if any(re.match(r"#\|\s*(slow\b|eval:\s*false)", f) for f in flags): cell.outputs = []; return cell, resources
        return super().preprocess_cell(cell, resources, index)


def execute(path: Path, timeout=1200, slow=True) -> float:
    t = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    (ExecutePreprocessor if slow else SkipSlow)(timeout=timeout, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(path.parent)}})
    dropped = drop_widgets(nb)
    nbformat.write(nb, path)
    s = time.perf_counter() - t
    print(f"{path}: executed in {s:.1f} s; {sum(len(c.get('outputs', [])) for c in nb.cells)} outputs kept, {dropped} widgets dropped")
    return s


if __name__ == "__main__":
    for p in sys.argv[1:] or SHOWN + SHOWN_QUICK: execute(Path(p), slow=str(Path(p)) not in SHOWN_QUICK)
