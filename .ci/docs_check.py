"""Open the built docs site in headless Chromium and check that its pages render with their figures.

    python .ci/docs_check.py [--site _docs] [--screenshots DIR]

For each page below, Chromium loads it from disk and prints the DOM it built (--dump-dom); the check needs a non-empty
<title>, one <h1> whose text is the notebook's title (its first `# ` heading), and, for pages that show figures, at
least one <img> whose src is a file in the site that exists and starts like a PNG, JPEG, GIF, WebP or SVG. Exits 1 naming
each page and what is wrong, 0 when all pass. --screenshots also saves a PNG of each page, to look at.
"""
from __future__ import annotations
import argparse, json, shutil, subprocess, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
PAGES = [  # (page in the site, its notebook, whether it must show a figure)
    ('index.html', 'nbs/index.ipynb', False),
    ('tutorials/competition.html', 'nbs/tutorials/competition.ipynb', True),
    ('01e_plots.html', 'nbs/01e_plots.ipynb', True),
]
MAGIC = (b'\x89PNG', b'\xff\xd8\xff', b'GIF8', b'RIFF', b'<svg', b'<?xml')


def browser() -> str:
    for name in ('chromium', 'chromium-browser', 'google-chrome', 'chrome'):
        if shutil.which(name): return shutil.which(name)
    sys.exit('docs check: no Chromium here (apt-get install -y chromium)')


def chromium(url: str, *args: str) -> str:
    cmd = [browser(), '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', *args, url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode: raise RuntimeError(f'chromium exited {r.returncode}: {r.stderr.strip()[-300:]}')
    return r.stdout


class Page(HTMLParser):
    "The title, the h1 texts and the img srcs of a DOM."
    def __init__(self):
        super().__init__(); self.title, self.h1, self.imgs, self._in = '', [], [], None
    def handle_starttag(self, tag, attrs):
        if tag in ('title', 'h1'): self._in = tag; self.h1 += [''] if tag == 'h1' else []
        if tag == 'img': self.imgs.append(dict(attrs).get('src', ''))
    def handle_endtag(self, tag):
        if tag == self._in: self._in = None
    def handle_data(self, data):
        if self._in == 'title': self.title += data
        elif self._in == 'h1': self.h1[-1] += data


def notebook_title(nb: Path) -> str:
    for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
        if c['cell_type'] == 'markdown':
            for line in ''.join(c['source']).splitlines():
                if line.startswith('# '): return line[2:].strip()
    return ''


def image_file(src: str, page: Path, site: Path) -> Path | None:
    "The site file an <img src> names, when it is one that exists, is not empty and starts like an image."
    u = urlparse(src)
    if u.scheme == 'file': p = Path(unquote(u.path))
    elif u.scheme or not u.path: return None          # data: URIs and remote images are not files of the site
    else: p = (page.parent/unquote(u.path)).resolve()
    try: p.relative_to(site.resolve())
    except ValueError: return None
    return p if p.is_file() and p.stat().st_size > 0 and p.read_bytes()[:5].startswith(MAGIC) else None


def check_page(site: Path, rel: str, nb: str, needs_figure: bool, shots: Path | None) -> list[str]:
    page = site/rel
    if not page.is_file(): return [f'{rel}: missing from {site}']
    dom = Page(); dom.feed(chromium(page.resolve().as_uri(), '--dump-dom'))
    problems, want = [], notebook_title(ROOT/nb)
    if not dom.title.strip(): problems.append(f'{rel}: no <title>')
    if not any(h.strip() for h in dom.h1): problems.append(f'{rel}: no <h1> heading')
    elif want and want not in [h.strip().rstrip('¶').strip() for h in dom.h1]: problems.append(f'{rel}: no <h1> reading {want!r} (found {dom.h1[:3]})')
    good = [s for s in dom.imgs if image_file(s, page.resolve(), site)]
    if needs_figure and not good:
        problems.append(f'{rel}: no figure: none of its {len(dom.imgs)} <img> names an image file in the site')
    if shots:
        out = shots/(rel.replace('/', '_').replace('.html', '.png')); out.parent.mkdir(parents=True, exist_ok=True)
        chromium(page.resolve().as_uri(), f'--screenshot={out}', '--window-size=1280,2000')
    print(f"{rel}: title {dom.title.strip()!r}, h1 {[h.strip() for h in dom.h1][:1]}, {len(good)}/{len(dom.imgs)} <img> are image files"
          + ('' if not problems else ' -- FAILED'))
    return problems


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--site', default=str(ROOT/'_docs'), help='the built site')
    ap.add_argument('--screenshots', default=None, help='a folder for a screenshot of each page')
    a = ap.parse_args()
    site, shots = Path(a.site), Path(a.screenshots) if a.screenshots else None
    problems = []
    for rel, nb, fig in PAGES:
        try: problems += check_page(site, rel, nb, fig, shots)
        except (RuntimeError, subprocess.TimeoutExpired) as e: problems.append(f'{rel}: {e}')
    for p in problems: print(f'docs check: {p}')
    print(f'docs check: {len(PAGES) - len({p.split(":")[0] for p in problems})} of {len(PAGES)} pages render with their title, heading and figures')
    sys.exit(1 if problems else 0)
