"""The type stubs say what the module has: every public name, and each
function's parameters as the runtime signature gives them."""

import ast
import inspect
from pathlib import Path

import pytest

import whosaid
from whosaid import _native

STUB = Path(__file__).resolve().parents[1] / "python" / "whosaid" / "_native.pyi"


def stub_tree():
    return ast.parse(STUB.read_text())


def stub_functions():
    return {node.name: node for node in stub_tree().body if isinstance(node, ast.FunctionDef)}


def stub_names():
    names = set()
    for node in stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_public_name_is_in_the_stubs():
    missing = set(whosaid.__all__) - stub_names()
    assert not missing, f"not declared in {STUB.name}: {sorted(missing)}"
    assert not {n for n in whosaid.__all__ if not hasattr(whosaid, n)}


@pytest.mark.parametrize("name", sorted(stub_functions()))
def test_a_stub_function_has_the_runtime_parameters(name):
    node = stub_functions()[name]
    runtime = inspect.signature(getattr(_native, name))
    args = node.args
    stubbed = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults):
        stubbed.append((arg.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, default))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        stubbed.append((arg.arg, inspect.Parameter.KEYWORD_ONLY, default))
    actual = list(runtime.parameters.values())
    assert [s[0] for s in stubbed] == [p.name for p in actual]
    for (arg, kind, default), param in zip(stubbed, actual):
        # pyo3 marks positional parameters positional-or-keyword.
        assert kind == param.kind or param.kind == inspect.Parameter.POSITIONAL_ONLY, arg
        assert (default is None) == (param.default is inspect.Parameter.empty), arg
        if default is not None and not (isinstance(default, ast.Constant) and default.value is Ellipsis):
            assert ast.literal_eval(default) == param.default, arg


def test_the_elided_defaults_are_the_default_limits():
    for name in ("extract", "extract_batch"):
        params = inspect.signature(getattr(whosaid, name)).parameters
        limits = {n for n, p in params.items() if n.startswith("max_")}
        assert limits == set(whosaid.DEFAULT_LIMITS), name
