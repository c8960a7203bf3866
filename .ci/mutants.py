#!/usr/bin/env python3
"""Mutation check: do the notebooks' tests catch deliberate bugs?

Each mutant is a small bug put into one notebook (an exact piece of its text replaced). For each, a copy of the
repository's working tree is made in a temporary folder, the bug applied, the notebook exported, and that notebook's
tests run there with nbdev_test. A mutant whose tests fail is caught; one whose tests pass survived, and the tests
need a case that would fail. Each notebook is first tested unchanged in its own copy, so that a failure means the bug.

    python .ci/mutants.py                 # every mutant below
    python .ci/mutants.py --list          # their names
    python .ci/mutants.py blend-ascent-never-steps compare-interval-percentiles   # some, by name
    python .ci/mutants.py --notebook 10b_doctor                                     # those of one notebook

It prints a table (markdown) of mutant, notebook, result and seconds, and exits 1 when any survived or could not be
applied (its text is no longer in the notebook: update the mutant). On a shared machine run it with `nice -n 10`.
"""
from __future__ import annotations
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Mutant:
    name: str       # short and unique: what the bug does
    notebook: str   # the notebook, without folder and suffix: '07c_compare'
    old: str        # exact text of one cell of that notebook (it must occur once in the notebook)
    new: str        # what replaces it


MUTANTS = [
    Mutant("background-guard-skips-package", "background", '*(root/"fireseg").rglob("*.py"), ', ''),
    Mutant("background-links-unchecked", "background", "for a in LINK.findall(t) if a not in have]", "for a in LINK.findall(t) if False]"),
    Mutant("compare-interval-percentiles", "07c_compare", "[2.5, 97.5], axis=0", "[0.5, 99.5], axis=0"),
    Mutant("compare-bootstrap-ignores-seed", "07c_compare", "bootstrap_means(diffs, units, n_boot, seed)", "bootstrap_means(diffs, units, n_boot, 1)"),
    Mutant("compare-full-epochs-describes-run", "07c_compare", '"cache_planes", "full_epochs")', '"cache_planes")'),
    Mutant("blend-ascent-never-steps", "07d_blend", "if value(best) <= value(k) + 1e-12: return k", "return k"),
    Mutant("blend-ascent-one-direction", "07d_blend", "for i in range(r) for j in range(r) if i != j and k[j] > 0]",
           "for i in range(r) for j in range(r) if i < j and k[j] > 0]"),
    Mutant("models-skip-hook-ignores-prefix", "03_models", 'tuple(f"{prefix}{d}." for d in dropped)', 'tuple(f"{d}." for d in dropped)'),
    Mutant("models-no-skip-hook", "03_models", "if dropped: model._register_load_state_dict_pre_hook(", "if False: model._register_load_state_dict_pre_hook("),
    Mutant("doctor-input-never-raises", "10b_doctor", "if worst: raise ArithmeticError", "if False: raise ArithmeticError"),
    Mutant("doctor-training-nan-passes", "10b_doctor", "if not math.isfinite(loss): raise FloatingPointError", "if False: raise FloatingPointError"),
    Mutant("doctor-prediction-range-unchecked", "10b_doctor", "if not torch.isfinite(p).all() or p.min() < 0 or p.max() > 1:",
           "if not torch.isfinite(p).all():"),
    Mutant("doctor-free-disk-in-gib", "10b_doctor", "return round(shutil.disk_usage(p).free / 1e9, 1)", "return round(shutil.disk_usage(p).free / 2**30, 1)"),
    Mutant("train-options-checked-after-writing", "06_train",
           "    source = check_run_options(cfg, layout)          # every option checked before anything is written\n"
           "    if (run/\"config.json\").exists(): clear_failed_start(run)\n    run.mkdir(parents=True, exist_ok=True)\n",
           "    if (run/\"config.json\").exists(): clear_failed_start(run)\n    run.mkdir(parents=True, exist_ok=True)\n"
           "    source = check_run_options(cfg, layout)\n"),
    Mutant("config-ema-unchecked", "05b_config", "    check_ema(cfg.ema)\n    _between", "    _between"),
    Mutant("config-zero-epochs-accepted", "05b_config", '(("epochs", 1), ("folds", 2)', '(("epochs", 0), ("folds", 2)'),
    Mutant("devices-oom-strings-cufft-cusolver", "05c_devices", ' "cufft_alloc_failed", "cusolver_status_alloc_failed",', ""),
    Mutant("devices-oom-cudnn9-names", "05c_devices", '"cudnn_status_internal_error_host_allocation_failed", "cudnn_status_internal_error_device_allocation_failed",', ""),
    Mutant("devices-oom-no-engine", "05c_devices", '\n                  "unable to find an engine")', ")"),
    Mutant("devices-bare-cuda-selects-0", "05c_devices", 'return d.index if d.type == "cuda" else None', 'return (d.index or 0) if d.type == "cuda" else None'),
    Mutant("main-exit-status-lost", "11b_main", "raise SystemExit(main())", "main()"),
    Mutant("blend-overwrite-unchecked", "07d_blend", 'if not overwrite and (Path(out)/"blend.json").exists(): raise', 'if False: raise'),
    Mutant("pseudo-fire-strictly-above-high", "08c_pseudo", "m[probs <= low] = 0; m[probs >= high] = 1", "m[probs <= low] = 0; m[probs > high] = 1"),
    Mutant("pseudo-background-strictly-below-low", "08c_pseudo", "m[probs <= low] = 0; m[probs >= high] = 1", "m[probs < low] = 0; m[probs >= high] = 1"),
    Mutant("pseudo-ignored-written-as-background", "08c_pseudo", "m = np.full(probs.shape, IGNORE, np.uint8)", "m = np.zeros(probs.shape, np.uint8)"),
    Mutant("losses-ignored-pixels-kept", "04b_losses", "keep = target != IGNORE", "keep = target >= 0"),
    Mutant("scene-tile-margin-too-small", "08b_scene", "RULE_MARGIN = SCHROEDER_HALF + 2", "RULE_MARGIN = SCHROEDER_HALF // 4"),
    Mutant("scene-coefficients-first-matching-line", "08b_scene", 'resc = {k: v for g in where["rescaling"] for k, v in t.get(g, {}).items()}',
           'resc = {k: v for g in reversed([g for g in t if isinstance(t[g], dict)]) for k, v in t[g].items()}'),
    Mutant("scene-tar-dotdot-accepted", "08b_scene", 'or ".." in p.parts or', 'or'),
    Mutant("config-old-input-skip-read-as-true", "05b_config", 'SAVED_BEFORE = {"input_skip": False}', 'SAVED_BEFORE = {}'),
]


def copy_tree(dest:Path)->Path:
    "The working tree as git sees it (tracked files and untracked ones not ignored), copied to `dest`."
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = ROOT/f
        if not src.is_file(): continue   # deleted in the working tree
        (dest/f).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(src, dest/f)
    return dest


def apply(root:Path, m:Mutant)->str|None:
    "Put the mutant's bug into its notebook under `root`; why it could not be, or None."
    path = root/"nbs"/f"{m.notebook}.ipynb"
    if not path.exists(): return f"no notebook {path.name}"
    nb = json.loads(path.read_text(encoding="utf-8"))
    hits = [c for c in nb["cells"] if m.old in "".join(c["source"])]
    count = sum("".join(c["source"]).count(m.old) for c in hits)
    if count != 1: return f"its text occurs {count} times in {path.name}"
    c = hits[0]; c["source"] = "".join(c["source"]).replace(m.old, m.new).splitlines(keepends=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return None


def test_notebook(root:Path, notebook:str, timeout:int)->tuple[bool, str]:
    "Export the notebook under `root` and run its tests there: (passed, the end of the output)."
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_WAIT_POLICY": "PASSIVE"}
    nb = f"nbs/{notebook}.ipynb"
    try:
        subprocess.run(["nbdev_export", "--path", nb], cwd=root, env=env, capture_output=True, check=True, timeout=300)
        p = subprocess.run(["nbdev_test", "--path", nb], cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired: return False, "timed out"
    except subprocess.CalledProcessError as e: return False, "export failed: " + e.stderr.decode()[-500:]
    return p.returncode == 0, (p.stdout + p.stderr)[-2000:]


def run_one(m:Mutant|None, notebook:str, timeout:int)->tuple[str, float, str]:
    "Test `notebook` in a fresh copy, with the mutant applied when there is one: (result, seconds, output tail)."
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fireseg-mutant-") as d:
        root = copy_tree(Path(d))
        if m is not None and (why := apply(root, m)): return f"not applied: {why}", 0.0, ""
        passed, tail = test_notebook(root, notebook, timeout)
    seconds = time.perf_counter() - t0
    if m is None: return ("passes" if passed else "FAILS unchanged"), seconds, tail
    return ("survived" if passed else "caught"), seconds, tail


def main(argv=None)->int:
    ap = argparse.ArgumentParser(description="Apply deliberate bugs to copies of the repository and report which the notebooks' tests catch.")
    ap.add_argument("names", nargs="*", help="mutants to run, by name; all when none")
    ap.add_argument("--notebook", action="append", default=[], help="only the mutants of this notebook (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--no-baseline", action="store_true", help="skip testing each notebook unchanged first")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds one notebook's tests may take")
    a = ap.parse_args(argv)
    if a.list:
        for m in MUTANTS: print(f"{m.name:40} {m.notebook}")
        return 0
    unknown = set(a.names) - {m.name for m in MUTANTS}
    if unknown: ap.error(f"unknown mutant(s): {', '.join(sorted(unknown))} (see --list)")
    chosen = [m for m in MUTANTS if (not a.names or m.name in a.names) and (not a.notebook or m.notebook in a.notebook)]
    rows, bad = [], False
    for notebook in dict.fromkeys(m.notebook for m in chosen):
        if not a.no_baseline:
            result, s, tail = run_one(None, notebook, a.timeout)
            rows.append(("(unchanged)", notebook, result, s)); print(f"{notebook} unchanged: {result} ({s:.0f} s)", file=sys.stderr, flush=True)
            if result != "passes":
                print(tail, file=sys.stderr); bad = True; continue
        for m in (m for m in chosen if m.notebook == notebook):
            result, s, _ = run_one(m, notebook, a.timeout)
            rows.append((m.name, notebook, result, s)); bad |= result != "caught"
            print(f"{m.name}: {result} ({s:.0f} s)", file=sys.stderr, flush=True)
    print("| mutant | notebook | result | seconds |\n|---|---|---|---|")
    for name, nb, result, s in rows: print(f"| {name} | {nb} | {result} | {s:.0f} |")
    n = sum(r[0] != "(unchanged)" for r in rows); caught = sum(r[2] == "caught" for r in rows)
    print(f"\n{caught} of {n} mutants caught")
    return 1 if bad else 0


if __name__ == "__main__": sys.exit(main())
