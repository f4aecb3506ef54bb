"""The add-on's module structure, read with `ast` (no Blender, nothing imported): no import cycles
among its modules (a lazy import inside a function counts too: ops used to import addon, which
imports ops), relative imports only (an extension's package has another name), the protocol
loadable without pyzmq, and one default port."""

import ast
import os
import subprocess
import sys

from tests.e2e.e2e_support import ROOT

PACKAGE = os.path.join(ROOT, "blender_addon", "pracownia_student")


def modules(folder):
    """{dotted name relative to the package ("" for its __init__): path}."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        rel = os.path.relpath(dirpath, folder)
        parts = [] if rel == "." else rel.split(os.sep)
        for name in filenames:
            if name.endswith(".py"):
                stem = name[:-3]
                found[".".join(parts if stem == "__init__" else parts + [stem])] = \
                    os.path.join(dirpath, name)
    return found


def import_graph(folder):
    """{module: set of package modules it imports anywhere in its code}, and the absolute imports
    of the package by its own name."""
    mods = modules(folder)
    own_name = os.path.basename(folder)
    graph, absolute = {}, []
    for name, path in mods.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        is_init = os.path.basename(path) == "__init__.py"
        package = name.split(".") if is_init else name.split(".")[:-1]
        package = [p for p in package if p]
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                absolute += [(name, a.name) for a in node.names
                             if a.name.split(".")[0] == own_name]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                if (node.module or "").split(".")[0] == own_name:
                    absolute.append((name, node.module))
            elif isinstance(node, ast.ImportFrom):
                base = package[:len(package) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
                submodules = [".".join(target + [a.name]) for a in node.names]
                hits = [m for m in submodules if m in mods]
                edges.update(hits)
                if len(hits) < len(submodules) and ".".join(target) in mods:
                    edges.add(".".join(target))  # names defined in that module itself
        edges.discard(name)
        graph[name] = edges
    return graph, absolute


def find_cycle(graph):
    """One import cycle as a list of modules (first == last), or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_checker_sees_a_lazy_import_cycle(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("from .sub import c\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("def f():\n    from ..a import x\n")
    graph, absolute = import_graph(str(pkg))
    assert graph["a"] == {"b"} and graph["b"] == {"sub.c"} and graph["sub.c"] == {"a"}
    assert find_cycle(graph) == ["a", "b", "sub.c", "a"]
    (pkg / "sub" / "c.py").write_text("import pkg.a\n")
    graph, absolute = import_graph(str(pkg))
    assert find_cycle(graph) is None and absolute == [("sub.c", "pkg.a")]


def test_the_addon_modules_import_each_other_without_cycles():
    graph, absolute = import_graph(PACKAGE)
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))
    assert absolute == []  # inside an extension the package is bl_ext.<repo>.pracownia_student
    # the edges the old cycle was made of: operators reach the timer, never the registration
    assert "timers" in graph["ops"] and "addon" not in graph["ops"]
    assert not any("addon" in edges for name, edges in graph.items() if name)


def test_the_protocol_and_the_bpy_free_modules_load_without_pyzmq():
    code = "\n".join([
        "import sys",
        "sys.modules['zmq'] = None  # `import zmq` raises ImportError",
        "from pracownia_student.transport import protocol, DEFAULT_PORT, validate_login",
        "from pracownia_student import controller, courier_protocol, joinstring",
        "assert protocol.DEFAULT_PORT == DEFAULT_PORT == joinstring.DEFAULT_PORT",
        "assert controller.parse_address('h')[1] == DEFAULT_PORT",
        "try:",
        "    from pracownia_student.transport import Sender",
        "except ImportError:",
        "    print('LAZY-OK')",
    ])
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "blender_addon"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["LAZY-OK"]  # the Sender still needs pyzmq, and says so


def test_the_default_port_is_written_once_in_the_addon_and_the_test_helpers():
    from pracownia_student.transport.protocol import DEFAULT_PORT
    places = []
    for folder in (PACKAGE, os.path.join(ROOT, "tests")):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                if not name.endswith(".py") or name.startswith("test_"):  # helpers, not cases
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    tree = ast.parse(f.read(), path)
                places += [os.path.relpath(path, ROOT) for n in ast.walk(tree)
                           if isinstance(n, ast.Constant) and type(n.value) is int
                           and n.value == DEFAULT_PORT]
    assert places == ["blender_addon/pracownia_student/transport/protocol.py"]
