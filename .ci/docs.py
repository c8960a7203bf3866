"""Build the docs site into settings.ini's doc_path (_docs/) from the notebooks in nbs/, without running their tests.

    python .ci/docs.py            # nbs/ -> _proc/ (nbdev's doc processors) -> _docs/ (Quarto if installed, else nbconvert)

The notebooks go through nbdev's own doc pipeline, the steps `nbdev_docs` takes before it calls Quarto: nbs/_quarto.yml
and nbs/nbdev.yml from settings.ini, the sidebar, and every notebook processed into _proc/ (front matter from the title
cell, `show_doc` for each exported name, hidden cells dropped). One change: nbdev also runs any cell that mixes an
import with other code (its FAQ: "Found cells containing imports and other code"), and in this kit those are tests
(training models, process pools), so only exported cells, `show_doc` cells and import-only cells are run here: the
site shows the outputs saved in the notebooks, and the tests stay nbdev_test's job.

Rendering: `quarto render` when a `quarto` command is on PATH, as `nbdev_docs` does. PyPI's quarto-cli is a source
package whose build downloads Quarto's binaries from GitHub, which a machine that reaches only the package registries
cannot do, so without Quarto each processed notebook is rendered to one HTML page by nbconvert (the same Markdown,
the saved outputs, figures written as PNG files beside the page as Quarto writes them, the sidebar from sidebar.yml).
"""
from __future__ import annotations
import argparse, html, json, re, shutil, subprocess, sys, time
from pathlib import Path

SKIP_FOLDERS = r'(?:^[_.]|^www$|^fixtures$)'   # nbs/fixtures holds test data, not pages


def _eval_for_docs(cell):
    "nbdev's `_do_eval` without running cells that mix imports with other code (tests, here)."
    import ast
    from nbdev import processors as P
    if P.cell_lang(cell) != 'python' or not cell.source or cell.cell_type != 'code': return
    if 'nbdev_export' + '()' in cell.source: return
    trees = cell.parsed_()
    if not trees: return
    if cell.directives_.get('eval:', [''])[0].lower() == 'false': return
    if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: return True
    if all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in trees): return True
    if P._show_docs(trees) and all(isinstance(t, (ast.Import, ast.ImportFrom, ast.Expr)) for t in trees): return True


def _signature(sym, eval_str=False, **kw):
    "inspect.signature, with the annotations left as text where they cannot be evaluated."
    import inspect
    try: return inspect.signature(sym, eval_str=eval_str, **kw)
    except NameError: return inspect.signature(sym, **kw)


def process(force=True) -> Path:
    "nbs/ -> _proc/ with nbdev's processors; returns _proc."
    from fastcore.parallel import parallel
    import nbdev.doclinks, nbdev.serve, nbdev.processors
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    nbdev.processors._do_eval = _eval_for_docs
    # show_doc evaluates string annotations, and a class inheriting torch's DataLoader has some that name types torch
    # imports only for type checkers (NameError: 'Iterable'); fastcore falls back for ValueError/TypeError only
    import fastcore.docments; fastcore.docments.signature = _signature
    # nbdev runs its workers with 'spawn', which would not see the line above; 'fork' does
    nbdev.serve.parallel = lambda *a, method=None, **k: parallel(*a, method='fork', **k)
    cfg = get_config()
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path, skip_folder_re=SKIP_FOLDERS)
    return nbdev.serve.proc_nbs(cfg.nbs_path, n_workers=2, force=force, skip_folder_re=SKIP_FOLDERS)


def front_matter(nb) -> dict:
    "The YAML front matter nbdev put in the first raw cell (title, description), removed from the notebook."
    import yaml
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'raw' and c.source.startswith('---'):
            del nb.cells[i]
            return yaml.safe_load(c.source.strip().strip('-')) or {}
    return {}


def _quarto_options(cell):
    "The cell's `#| key: value` lines as a dict, and the source without them."
    opts, keep = {}, []
    for line in cell.source.splitlines():
        m = re.match(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*)$', line)
        if m: opts[m[1]] = m[2].strip().lower()
        elif not re.match(r'^\s*#\|', line): keep.append(line)
    return opts, '\n'.join(keep).strip('\n')


def apply_cell_options(nb):
    "What Quarto does with include/echo/output: drop the cell, its input or its outputs."
    cells = []
    for c in nb.cells:
        if c.cell_type == 'code':
            opts, c.source = _quarto_options(c)
            if opts.get('include') == 'false': continue
            if opts.get('output') == 'false': c.outputs = []
            if opts.get('echo') == 'false': c.metadata['transient'] = {'remove_source': True}
            if not c.source and not c.outputs: continue
        cells.append(c)
    nb.cells = cells


def sidebar_html(nbs_path: Path, here: Path, titles: dict) -> str:
    "The sidebar from nbs/sidebar.yml, its links relative to the page at `here` (a path relative to the site)."
    import yaml, os
    contents = yaml.safe_load((nbs_path/'sidebar.yml').read_text())['website']['sidebar']['contents']
    def link(p):
        page = str(Path(p).with_suffix('.html'))
        href = os.path.relpath(page, here.parent.as_posix() or '.')
        cls = ' class="active"' if page == here.as_posix() else ''
        return f'<li><a href="{html.escape(href)}"{cls}>{html.escape(titles.get(page, Path(p).stem))}</a></li>'
    def items(cs):
        out = []
        for c in cs:
            if isinstance(c, str): out.append(link(c))
            else: out.append(f'<li><span class="section">{html.escape(c["section"])}</span><ul>{items(c.get("contents", []))}</ul></li>')
        return ''.join(out)
    return f'<ul>{items(contents)}</ul>'


CSS = """body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#212529}
header{background:#2780e3;color:#fff;padding:.6em 1.2em}header a{color:#fff;text-decoration:none;font-weight:600}
.layout{display:flex}nav{width:16em;flex:none;padding:1em;border-right:1px solid #ddd;font-size:.9em}
nav ul{list-style:none;padding-left:.8em;margin:.2em 0}nav .section{font-weight:600}nav a.active{font-weight:700}
main{flex:1;min-width:0;max-width:60em;padding:1em 2em}.description{font-size:1.15em;color:#555}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto}img{max-width:100%}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2em .5em}.anchor-link{visibility:hidden;text-decoration:none}
:hover>.anchor-link{visibility:visible}.jp-InputArea-prompt,.jp-OutputPrompt,.jp-InputPrompt{display:none}
"""


def page(title, description, body, sidebar, site_title, css_href, home_href) -> str:
    desc = f'<p class="description">{html.escape(description)}</p>' if description else ''
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – {html.escape(site_title)}</title><link rel="stylesheet" href="{css_href}"></head>
<body><header><a href="{home_href}">{html.escape(site_title)}</a></header>
<div class="layout"><nav id="sidebar">{sidebar}</nav>
<main id="quarto-document-content"><h1 class="title">{html.escape(title)}</h1>{desc}
{body}
</main></div></body></html>
"""


def fix_links(body: str) -> str:
    "Links between notebooks point at their pages, as Quarto makes them (and README's nbs/ prefix is dropped)."
    # Pandoc's link attributes, `[source](url){target="_blank" ...}` in show_doc's Markdown, become the link's own
    body = re.sub(r'(<a [^>]*)>([^<]*)</a>\{((?:\s*[\w-]+=(?:"|&quot;)[^"&]*(?:"|&quot;))+)\s*\}',
                  lambda m: f'{m[1]} {html.unescape(m[3]).strip()}>{m[2]}</a>', body)
    def sub(m):
        href = m[2]
        if re.match(r'^[a-z]+:', href) or '.ipynb' not in href: return m[0]
        return m[1] + re.sub(r'^(?:\./)?nbs/', '', href.replace('.ipynb', '.html')) + m[3]
    return re.sub(r'(href=")([^"]*)(")', sub, body)


def render_nbconvert(proc: Path, out: Path, nbs_path: Path, site_title: str) -> list[Path]:
    "Every processed notebook in _proc/ as an HTML page in `out`, its figures as PNG files beside it."
    import os, nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import ExtractOutputPreprocessor
    from pygments.formatters import HtmlFormatter
    shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    (out/'styles.css').write_text(CSS + HtmlFormatter().get_style_defs('.highlight'))
    nbs = sorted(p for p in proc.rglob('*.ipynb') if not any(q.startswith(('.', '_')) for q in p.relative_to(proc).parts))
    loaded = {}
    for p in nbs:
        nb = nbformat.read(p, as_version=4)
        fm = front_matter(nb)
        rel = p.relative_to(proc).with_suffix('.html')
        loaded[rel] = (nb, fm)
    titles = {rel.as_posix(): str(fm.get('title', rel.stem)).replace('`', '') for rel, (nb, fm) in loaded.items()}
    pages = []
    for rel, (nb, fm) in loaded.items():
        apply_cell_options(nb)
        exporter = HTMLExporter(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True,
                                sanitize_html=False)   # the kit's own notebooks; bleach would take half the time
        exporter.register_preprocessor(ExtractOutputPreprocessor(), enabled=True)
        files_dir = f'{rel.stem}_files'
        body, res = exporter.from_notebook_node(nb, resources={'output_files_dir': files_dir, 'unique_key': rel.stem})
        dest = out/rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        for name, data in res.get('outputs', {}).items():
            (dest.parent/name).parent.mkdir(parents=True, exist_ok=True)
            (dest.parent/name).write_bytes(data)
        up = os.path.relpath('.', rel.parent.as_posix() or '.')
        dest.write_text(page(fm.get('title', rel.stem), fm.get('description', ''), fix_links(body),
                             sidebar_html(nbs_path, rel, titles), site_title, f'{up}/styles.css', f'{up}/index.html'),
                        encoding='utf-8')
        pages.append(dest)
    return pages


def render_quarto(proc: Path, out: Path):
    "As nbdev_docs: quarto renders _proc/ and its output folder becomes `out`."
    subprocess.run(['quarto', 'render', '--no-cache'], cwd=proc, check=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.move(str(proc/out.name), str(out))


def build() -> dict:
    from nbdev.config import get_config
    cfg = get_config()
    t0 = time.perf_counter()
    proc = process()
    t1 = time.perf_counter()
    out = cfg.config_path/cfg.doc_path.name
    if shutil.which('quarto'): renderer = 'quarto'; render_quarto(proc, out)
    else: renderer = 'nbconvert'; render_nbconvert(proc, out, cfg.nbs_path, cfg.title)
    t2 = time.perf_counter()
    pages = sorted(str(p.relative_to(out)) for p in out.rglob('*.html'))
    return {'renderer': renderer, 'out': str(out), 'pages': len(pages), 'images': len(list(out.rglob('*.png'))),
            'process_s': round(t1 - t0, 1), 'render_s': round(t2 - t1, 1), 'total_s': round(t2 - t0, 1)}


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--json', action='store_true', help='print the summary as JSON')
    a = ap.parse_args()
    try: r = build()
    except Exception as e:
        import traceback; traceback.print_exc()
        print(f'docs build failed: {type(e).__name__}: {e}', file=sys.stderr); sys.exit(1)
    print(json.dumps(r) if a.json else
          f"docs: {r['pages']} pages, {r['images']} images in {r['out']} ({r['renderer']}) in {r['total_s']} s "
          f"(notebooks processed {r['process_s']} s, rendered {r['render_s']} s)")
