#!/usr/bin/env python3
"""Checks every #include "layer/..." in src/ against the layer table the build uses.

The build already fails when a .cc file includes a layer its target may not use (each
layer compiles against an include root holding only the layers it may use). This also
covers headers, which a wrong include in can hide until some file of a lower layer
includes them: for every file under src/<layer>/, each quoted include whose first path
component is a folder of src/ must name a layer that <layer> may use.

Usage: check_layers.py <src dir> <allowed.txt written by src/CMakeLists.txt>
"""
import pathlib
import re
import sys


def main() -> int:
    src = pathlib.Path(sys.argv[1])
    allowed = {}
    for line in pathlib.Path(sys.argv[2]).read_text().splitlines():
        layer, _, visible = line.partition(":")
        allowed[layer.strip()] = set(visible.split())
    layers = {p.name for p in src.iterdir() if p.is_dir()}
    include = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"', re.M)
    problems = []
    for f in sorted(src.rglob("*")):
        if f.suffix not in (".h", ".cc", ".cu", ".cuh") or not f.is_file():
            continue
        layer = f.relative_to(src).parts[0]
        if layer not in allowed:
            problems.append(f"{f}: folder src/{layer} is not a layer in the table")
            continue
        for m in include.finditer(f.read_text(errors="replace")):
            target = m.group(1)
            if target in layers and target not in allowed[layer]:
                line = f.read_text(errors="replace").count("\n", 0, m.start()) + 1
                problems.append(f"{f}:{line}: layer {layer} includes {m.group(0).strip()}, "
                                f"but may use only: {' '.join(sorted(allowed[layer]))}")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) against the layer table (docs/architecture.md)")
        return 1
    print(f"layer includes ok ({len(allowed)} layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
