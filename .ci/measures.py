"""Readability measures of the kit, read from its files.

    python .ci/measures.py            # a compact table
    python .ci/measures.py --json     # the same as one JSON object
    python .ci/measures.py --docs     # and the docs build's time (runs .ci/docs.py)

(a) imports between fireseg modules that go to a later module in notebook order, and import cycles between modules;
(b) imports of fireseg modules hidden inside functions, outside the application layer (cli, bench, demo, doctor, __main__);
(c) lines per exported cell (median, p90, max), over the `#| export` cells of nbs/*.ipynb;
(d) the share of exported cells that define two or more top-level functions or classes;
(e) notebooks with saved outputs; (f) references to the steering folder or its facts file in nbs/, fireseg/ and README.md;
(g) with --docs, the docs build's time.
A module's order is the position of its notebook (the one whose `#| default_exp` names it) in nbs/ sorted by file name.
"""
from __future__ import annotations
import argparse, ast, json, re, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB, NBS = ROOT/'fireseg', ROOT/'nbs'
APP_LAYER = {'cli', 'bench', 'demo', 'doctor', '__main__'}
EXCLUDED = {'_modidx', '__main__'}
OUTSIDE = [re.escape('..' + '/shared'), 'FAC' + 'TS']   # split so that this file does not count itself


def read_nb(p: Path) -> dict: return json.loads(p.read_text(encoding='utf-8'))
def src(cell) -> str: return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


def module_order() -> dict[str, int]:
    "module name -> position of its notebook in nbs/ sorted by file name."
    order = {}
    for i, p in enumerate(sorted(NBS.glob('*.ipynb'))):
        for c in read_nb(p)['cells']:
            m = re.search(r'^#\|\s*default_exp\s+(\S+)', src(c), re.M)
            if c['cell_type'] == 'code' and m: order.setdefault(m[1], i); break
    return order


def fireseg_imports(path: Path):
    "(imported module, line, inside a function) for each import of a fireseg module in `path`."
    tree, out = ast.parse(path.read_text(encoding='utf-8')), []
    def visit(node, in_fn):
        for ch in ast.iter_child_nodes(node):
            f = in_fn or isinstance(ch, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(ch, ast.Import):
                out.extend([(a.name.split('.')[1], ch.lineno, in_fn) for a in ch.names if a.name.startswith('fireseg.')])
            elif isinstance(ch, ast.ImportFrom):
                mod = ch.module or ''
                if ch.level: mods = [mod.split('.')[0]] if mod else [a.name for a in ch.names]
                elif mod.startswith('fireseg.'): mods = [mod.split('.')[1]]
                elif mod == 'fireseg': mods = [a.name for a in ch.names]
                else: mods = []
                out.extend((m, ch.lineno, in_fn) for m in mods)
            visit(ch, f)
    visit(tree, False)
    return out


def cycles(graph: dict[str, set]) -> list[list[str]]:
    "Strongly connected components of more than one module (Tarjan)."
    index, low, stack, on, res, n = {}, {}, [], set(), [], [0]
    def strong(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index: strong(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: res.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index: strong(v)
    return sorted(res)


def import_measures() -> dict:
    order = module_order()
    mods = {p.stem: p for p in sorted(LIB.glob('*.py')) if p.stem not in EXCLUDED and p.stem != '__init__'}
    later, hidden, top, any_ = [], [], {m: set() for m in mods}, {m: set() for m in mods}
    for m, p in mods.items():
        for dep, line, in_fn in fireseg_imports(p):
            if dep not in mods or dep == m: continue
            any_[m].add(dep)
            if not in_fn: top[m].add(dep)
            if m in order and dep in order and order[dep] > order[m]: later.append(f'{m}:{line} -> {dep}')
            if in_fn and m not in APP_LAYER: hidden.append(f'{m}:{line} -> {dep}')
    return {'modules': len(mods), 'modules_without_notebook': sorted(set(mods) - set(order)),
            'later_imports': len(later), 'later_imports_list': later,
            'cycles_top_level': cycles(top), 'cycles_any_import': cycles(any_),
            'hidden_imports': len(hidden), 'hidden_imports_list': hidden}


DEF = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _parse_cell(text: str):
    "The cell as Python, its IPython lines (magics, shell escapes) blanked."
    lines = ['' if re.match(r'^\s*[%!]', l) else l for l in text.splitlines()]
    try: return ast.parse('\n'.join(lines))
    except SyntaxError: return None


def cell_measures() -> dict:
    sizes, multi, unparsed = [], [], 0
    for p in sorted(NBS.glob('*.ipynb')):
        for i, c in enumerate(read_nb(p)['cells']):
            s = src(c)
            if c['cell_type'] != 'code' or not re.search(r'^#\|\s*export\s*$', s, re.M): continue
            body = [l for l in s.splitlines() if not re.match(r'^\s*#\|', l)]
            sizes.append(len(body))
            tree = _parse_cell('\n'.join(body))
            if tree is None: unparsed += 1; continue
            n = sum(isinstance(t, DEF) for t in tree.body)
            if n >= 2: multi.append(f'{p.name}#{i} ({n})')
    q = statistics.quantiles(sizes, n=10, method='inclusive') if len(sizes) > 1 else sizes * 9
    return {'export_cells': len(sizes), 'lines_median': statistics.median(sizes) if sizes else 0,
            'lines_p90': round(q[8], 1), 'lines_max': max(sizes, default=0),
            'multi_def_cells': len(multi), 'multi_def_share': round(len(multi) / len(sizes), 3) if sizes else 0.0,
            'multi_def_list': multi, 'unparsed_cells': unparsed}


def output_measures() -> dict:
    with_out = []
    for p in sorted(NBS.rglob('*.ipynb')):
        if any(q.startswith(('.', '_')) for q in p.relative_to(NBS).parts): continue
        if any(c['cell_type'] == 'code' and c.get('outputs') for c in read_nb(p)['cells']):
            with_out.append(str(p.relative_to(ROOT)))
    return {'notebooks_with_outputs': len(with_out), 'notebooks_with_outputs_list': with_out}


def outside_refs() -> dict:
    pat, hits = re.compile('|'.join(OUTSIDE)), []
    files = [*sorted(NBS.rglob('*.ipynb')), *sorted(NBS.rglob('*.md')), *sorted(LIB.rglob('*.py')), ROOT/'README.md']
    for f in files:
        if not f.exists() or '.ipynb_checkpoints' in f.parts: continue
        n = len(pat.findall(f.read_text(encoding='utf-8', errors='replace')))
        if n: hits.append(f'{f.relative_to(ROOT)} ({n})')
    return {'outside_refs': sum(int(h.rsplit('(', 1)[1][:-1]) for h in hits), 'outside_refs_list': hits}


def docs_measure() -> dict:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT/'.ci'/'docs.py'), '--json'], cwd=ROOT, capture_output=True, text=True)
    s = round(time.perf_counter() - t, 1)
    if r.returncode: return {'docs_ok': False, 'docs_s': s, 'docs_error': (r.stderr.strip().splitlines() or ['?'])[-1]}
    return {'docs_ok': True, 'docs_s': s, **{f'docs_{k}': v for k, v in json.loads(r.stdout.strip().splitlines()[-1]).items()}}


def table(m: dict) -> str:
    rows = [
        ('a', 'imports of a later module (notebook order)', m['later_imports']),
        ('a', 'import cycles, top-level imports', len(m['cycles_top_level'])),
        ('a', 'import cycles, any import', len(m['cycles_any_import'])),
        ('b', 'fireseg imports inside functions, outside cli/bench/demo/doctor', m['hidden_imports']),
        ('c', f"lines per export cell: median / p90 / max (of {m['export_cells']})",
         f"{m['lines_median']} / {m['lines_p90']} / {m['lines_max']}"),
        ('d', 'export cells defining 2+ functions/classes', f"{m['multi_def_cells']} ({m['multi_def_share']:.1%})"),
        ('e', 'notebooks with saved outputs', m['notebooks_with_outputs']),
        ('f', 'references to the steering folder / facts file', m['outside_refs']),
    ]
    if 'docs_s' in m: rows.append(('g', f"docs build ({m.get('docs_renderer', 'failed')}, {m.get('docs_pages', 0)} pages)",
                                   f"{m['docs_s']} s" if m['docs_ok'] else f"FAILED: {m['docs_error']}"))
    w = max(len(r[1]) for r in rows)
    out = [f'{k}  {name:<{w}}  {v}' for k, name, v in rows]
    def lst(label, xs, cap=12):
        if xs: out.append(f'   {label}: ' + ', '.join(map(str, xs[:cap])) + (f' (+{len(xs) - cap} more)' if len(xs) > cap else ''))
    lst('later', m['later_imports_list']); lst('cycles (top-level)', m['cycles_top_level']); lst('cycles (any)', m['cycles_any_import'])
    lst('hidden', m['hidden_imports_list']); lst('2+ definitions', m['multi_def_list'], 8)
    lst('with outputs', m['notebooks_with_outputs_list']); lst('references', m['outside_refs_list'])
    return '\n'.join(out)


def measure(docs=False) -> dict:
    m = {**import_measures(), **cell_measures(), **output_measures(), **outside_refs()}
    if docs: m.update(docs_measure())
    return m


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--json', action='store_true', help='print one JSON object')
    ap.add_argument('--docs', action='store_true', help='also build the docs site and time it')
    a = ap.parse_args()
    m = measure(a.docs)
    print(json.dumps(m, indent=1) if a.json else table(m))
