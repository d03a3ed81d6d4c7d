"""The layering rules of docs/architecture.md, checked on the source.

- ``knowledge/`` and ``embeddings/`` are libraries: importing them loads nothing from ``bot``;
- no import cycles between modules of ``bot``, ``knowledge`` and ``embeddings``, counting imports
  inside functions too (a function-level import is still a dependency; only imports under
  ``if TYPE_CHECKING:`` are exempt, as they never run);
- the command line does not load the web stack or the search stack just to start.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "knowledge", "embeddings")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(name: str, tree: ast.AST, modules: dict[str, Path], is_package: bool) -> set[str]:
    """Our modules that ``name`` imports anywhere in its body, except under ``if TYPE_CHECKING:``."""
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                targets.add(child if child in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {t for t in targets if t in modules and t != name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: _imported(name, ast.parse(path.read_text("utf-8")), modules, path.name == "__init__.py")
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def _loaded_after(statement: str) -> set[str]:
    """Top-level package names in ``sys.modules`` after running ``statement`` in a fresh interpreter."""
    code = f"{statement}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    assert "bot.core.evidence.assignments" in graph["bot.core.outbox.broadcasts"]
    assert graph["knowledge.text"] == set()


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_knowledge_and_embeddings_do_not_load_bot():
    libraries = [name for name in _modules() if name.split(".")[0] in ("knowledge", "embeddings")]
    loaded = _loaded_after("\n".join(f"import {name}" for name in libraries))
    assert "bot" not in loaded


def test_the_command_line_starts_without_the_web_or_search_stack():
    loaded = _loaded_after("import bot.cli")
    assert not loaded & {"aiohttp", "jinja2", "faiss", "torch", "sentence_transformers"}
