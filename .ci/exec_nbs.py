"""Run the notebooks that the docs site shows with their figures, and save their outputs in them.

    python .ci/exec_nbs.py                       # the notebooks in SHOWN (every cell) and SHOWN_QUICK (no slow cells)
    python .ci/exec_nbs.py nbs/01e_plots.ipynb   # or the ones named

Each notebook runs top to bottom in its own folder (nbconvert's ExecutePreprocessor, as `jupyter nbconvert --execute`),
on whatever data it finds: without the competition data the competition notebook runs its sample mode (seconds to
minutes on two CPU cores). Progress-bar widgets are dropped from the saved outputs and the notebook's metadata: a static
page cannot draw them, and their state is most of the file. `nbdev_clean` keeps the outputs (settings.ini: clear_all = False).
"""
import hashlib, re, sys, time
from pathlib import Path
import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

SHOWN = ["nbs/01e_plots.ipynb", "nbs/tutorials/competition.ipynb", "nbs/tutorials/activefire.ipynb"]   # nbs/index.ipynb has no code cells, so no figures
SHOWN_QUICK = ["nbs/02_firetests.ipynb", "nbs/02b_sample.ipynb", "nbs/05_folds.ipynb", "nbs/06_runs.ipynb", "nbs/07_threshold.ipynb",
               "nbs/07b_report.ipynb", "nbs/07c_compare.ipynb", "nbs/07d_blend.ipynb", "nbs/08b_scene.ipynb", "nbs/08d_evaluate.ipynb",
               "nbs/tutorials/recipes.ipynb"]   # run as the tests run them: `#| slow` and `#| eval: false` cells left out
RAN = "ran"   # a code cell's metadata key: the hash of the source its saved outputs came from (settings.ini keeps it through nbdev_clean)
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


def source_hash(source: str) -> str:
    "What a cell's `ran` stamp holds: the first 12 hex digits of its source's sha1."
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def skipped(cell) -> bool:
    "A cell the tests leave out, and SkipSlow too: flagged `#| slow` or `#| eval: false`."
    flags = [l for l in cell.source.splitlines() if l.startswith("#|")] if cell.cell_type == "code" else []
    return any(re.match(r"#\|\s*(slow\b|eval:\s*false)", f) for f in flags)


class Stamped(ExecutePreprocessor):
    "Execute every code cell and stamp it with the hash of the source it ran (`.ci/outputs_check.py` compares it with the source)."
    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code": cell.metadata[RAN] = source_hash(cell.source)
        return cell, resources


class SkipSlow(Stamped):
    "Execute every code cell but those flagged `#| slow` or `#| eval: false`, which are left without outputs, as nbdev_test leaves them out."
    def preprocess_cell(self, cell, resources, index):
        if skipped(cell): cell.outputs = []; cell.metadata.pop(RAN, None); return cell, resources
        return super().preprocess_cell(cell, resources, index)


def execute(path: Path, timeout=3600, slow=True) -> float:
    t = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    (Stamped if slow else SkipSlow)(timeout=timeout, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(path.parent)}})
    dropped = drop_widgets(nb)
    nbformat.write(nb, path)
    s = time.perf_counter() - t
    print(f"{path}: executed in {s:.1f} s; {sum(len(c.get('outputs', [])) for c in nb.cells)} outputs kept, {dropped} widgets dropped")
    return s


if __name__ == "__main__":
    for p in sys.argv[1:] or SHOWN + SHOWN_QUICK: execute(Path(p), slow=str(Path(p)) not in SHOWN_QUICK)
