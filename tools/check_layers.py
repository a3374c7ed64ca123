#!/usr/bin/env python3
"""Checks every #include "layer/..." in src/ against the layer table the build uses, and
that every file opens its own layer's namespace.

The build already fails when a .cc file includes a layer its target may not use (each
layer compiles against an include root holding only the layers it may use). This also
covers headers, which a wrong include in can hide until some file of a lower layer
includes them: for every file under src/<layer>/, each quoted include whose first path
component is a folder of src/ must name a layer that <layer> may use.

Namespaces: each file under src/<layer>/ must open toonbox::<layer> (or a namespace
nested in it), core's files the root namespace toonbox itself and nothing nested in it
(core is the vocabulary every layer may use, so every layer's namespace sees it
unqualified), and no other layer's namespace. A few sub-folders kept the namespace they
had before layers had one (SUBFOLDER_NAMESPACES).

Usage: check_layers.py <src dir> <allowed.txt written by src/CMakeLists.txt>
"""
import pathlib
import re
import sys


# Sub-folders whose code has its own namespace, not nested in their layer's.
SUBFOLDER_NAMESPACES = {
    "backend/cpu": "toonbox::cpu",
    "backend/cuda": "toonbox::cuda",
    "import/onnx": "toonbox::onnx_import",
    "import/ncnn": "toonbox::ncnn",
    "import/tfjs": "toonbox::tfjs",
    "import/tfjs_layers": "toonbox::tfjs",
}
# Files that open no namespace of their own, and why.
NO_NAMESPACE = {"cli/main.cc": "main(), which must be global, and its file-local usage printer"}


def namespace_problems(f: pathlib.Path, rel: pathlib.PurePath, text: str) -> list:
    """The toonbox namespaces `f` opens must be its layer's (see the module comment)."""
    layer = rel.parts[0]
    root = layer == "core"
    expected = "toonbox" if root else f"toonbox::{layer}"
    for sub, ns in SUBFOLDER_NAMESPACES.items():
        if rel.as_posix().startswith(sub + "/"):
            expected = ns
    # Code only: a namespace named in a comment or a string does not count.
    code = re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"', "", text, flags=re.S)
    opened = re.findall(r"^\s*namespace\s+(toonbox(?:::\w+)*)\s*\{", code, re.M)
    if not opened:
        if rel.as_posix() in NO_NAMESPACE:
            return []
        return [f"{f}: opens no namespace; expected {expected}"]

    # core opens the root itself and nothing nested: a namespace nested in the root is
    # a layer's (or a sub-folder's).
    def fits(ns: str) -> bool:
        return ns == expected or (not root and ns.startswith(expected + "::"))

    wrong = sorted({ns for ns in opened if not fits(ns)})
    return [f"{f}: opens namespace {ns}, but a file of src/{rel.parent.as_posix()} belongs in "
            f"{expected}" + ("" if root else " (or a namespace nested in it)")
            for ns in wrong]


def main() -> int:
    src = pathlib.Path(sys.argv[1])
    allowed = {}
    for line in pathlib.Path(sys.argv[2]).read_text().splitlines():
        layer, _, visible = line.partition(":")
        allowed[layer.strip()] = set(visible.split())
    layers = {p.name for p in src.iterdir() if p.is_dir()}
    include = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"', re.M)
    problems = []
    namespace_count = 0
    for f in sorted(src.rglob("*")):
        if f.suffix not in (".h", ".cc", ".cu", ".cuh") or not f.is_file():
            continue
        layer = f.relative_to(src).parts[0]
        if layer not in allowed:
            problems.append(f"{f}: folder src/{layer} is not a layer in the table")
            continue
        text = f.read_text(errors="replace")
        ns_problems = namespace_problems(f, f.relative_to(src), text)
        problems += ns_problems
        namespace_count += len(ns_problems)
        for m in include.finditer(text):
            target = m.group(1)
            if target in layers and target not in allowed[layer]:
                line = f.read_text(errors="replace").count("\n", 0, m.start()) + 1
                problems.append(f"{f}:{line}: layer {layer} includes {m.group(0).strip()}, "
                                f"but may use only: {' '.join(sorted(allowed[layer]))}")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems) - namespace_count} include(s) against the layer table "
              f"(docs/architecture.md), {namespace_count} file(s) in the wrong namespace")
        return 1
    print(f"layer includes and namespaces ok ({len(allowed)} layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
