#!/usr/bin/python3
"""Regenerates every PyTorch fixture: runs each scripts/fixtures/*.py (or the ones named on the
command line, e.g. `make_fixtures.py ops`) with Debian's torch under /usr/bin/python3."""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    scripts = sorted(glob.glob(os.path.join(HERE, 'fixtures', '*.py')))
    wanted = set(sys.argv[1:])
    if wanted:
        scripts = [s for s in scripts if os.path.splitext(os.path.basename(s))[0] in wanted]
        missing = wanted - {os.path.splitext(os.path.basename(s))[0] for s in scripts}
        if missing:
            sys.exit(f'make_fixtures: no scripts/fixtures/<name>.py for: {", ".join(sorted(missing))}')
    failed = []
    for script in scripts:
        print(f'== {os.path.relpath(script, os.path.dirname(HERE))}', flush=True)
        if subprocess.run(['/usr/bin/python3', script], cwd=os.path.dirname(HERE)).returncode != 0:
            failed.append(script)
    if failed:
        sys.exit(f'make_fixtures: {len(failed)} script(s) failed: {", ".join(failed)}')


if __name__ == '__main__':
    main()
