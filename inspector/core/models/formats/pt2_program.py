"""The serialized graph of a ``.pt2`` program (``models/model.json``), checked before torch builds it.

torch's deserializer hands every symbolic-shape expression string to
``sympy.sympify``, which evaluates Python, and resolves each node's target by
name (anything reachable from ``torch``, ``operator`` or ``math``), then calls
it when the model runs. :func:`check_program` walks the JSON and refuses:

- an expression that is not plain arithmetic, comparison or a shape function
  (``FloorDiv``, ``Max`` ...) over symbol names and bounded integers;
- a node target outside ATen and prims operators, ``_operator``, ``math`` and
  torch's symbolic-integer functions, a file- or process-touching operator
  (``aten.from_file``, ``aten.save`` ...), and any higher-order operator but the
  bounded ``cond`` and grad/autocast wrappers (``while_loop`` runs unbounded);
- range-constraint symbols whose index would make torch count for ever.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from inspector.core.util.errors import ModelError

#: The longest expression string accepted.
MAX_EXPRESSION = 1_000
#: The largest integer literal in an expression (and power exponent below).
MAX_LITERAL = 2**62
MAX_EXPONENT = 64

_SYMBOL = re.compile(r"[a-z]{1,8}\d{1,6}")
#: The functions an expression may call: sympy's constructors as ``srepr`` writes them, and torch's shape functions.
_SHAPE_FUNCTIONS = {
    "Symbol",
    "Integer",
    "Rational",
    "Float",
    "Add",
    "Mul",
    "Pow",
    "Max",
    "Min",
    "Abs",
    "Eq",
    "Ne",
    "Ge",
    "Gt",
    "Le",
    "Lt",
    "StrictLessThan",
    "LessThan",
    "StrictGreaterThan",
    "GreaterThan",
    "Equality",
    "Unequality",
    "And",
    "Or",
    "Not",
    "floor",
    "ceiling",
    "sqrt",
    "FloorDiv",
    "ModularIndexing",
    "Where",
    "PythonMod",
    "Mod",
    "CleanDiv",
    "CeilToInt",
    "FloorToInt",
    "CeilDiv",
    "PowByNatural",
    "FloatPow",
    "FloatTrueDiv",
    "IntTrueDiv",
    "IsNonOverlappingAndDenseIndicator",
    "TruncToFloat",
    "TruncToInt",
    "RoundToInt",
    "RoundDecimal",
    "ToFloat",
    "Identity",
}
_POWERS = {"Pow", "PowByNatural", "FloatPow"}
#: Keyword arguments ``srepr`` writes: a symbol's assumptions (True or False), a float's precision.
_KEYWORDS = {
    "positive",
    "negative",
    "integer",
    "real",
    "nonnegative",
    "nonpositive",
    "finite",
    "infinite",
    "zero",
    "nonzero",
    "even",
    "odd",
    "rational",
    "commutative",
    "precision",
}
_CONSTANTS = {"True", "False", "true", "false", "oo", "int_oo", "nan", "zoo", "pi", "E", "S"}
_EXPRESSION_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.BitAnd,
    ast.BitOr,
    ast.keyword,
)

#: ATen operators that read or write files, print, or warn: never run from a model file.
FORBIDDEN_ATEN = {"from_file", "save", "_print", "warn", "_test_warn_in_autograd"}
_OP_NAMESPACES = {"aten", "prims"}
#: Higher-order operators that run a bounded number of times.
_HIGHER_ORDER = {"cond", "wrap_with_set_grad_enabled", "wrap_with_autocast"}
_OPERATOR = {
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "neg",
    "pos",
    "abs",
    "getitem",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and_",
    "or_",
    "xor",
    "not_",
    "invert",
    "lshift",
    "rshift",
    "is_",
    "is_not",
    "index",
    "truth",
}
_MATH = {
    "ceil",
    "floor",
    "trunc",
    "sqrt",
    "exp",
    "log",
    "log2",
    "log10",
    "sin",
    "cos",
    "tan",
    "fabs",
    "isnan",
    "isinf",
    "isfinite",
    "pow",
    "fmod",
}
_TORCH = {
    "sym_float",
    "sym_int",
    "sym_max",
    "sym_min",
    "sym_not",
    "sym_ite",
    "sym_sqrt",
    "sym_sum",
    "_sym_sqrt",
    "sym_fresh_size",
    "_check",
    "_check_is_size",
}


def check_program(program: dict, shown: str) -> None:
    """Refuse what torch would evaluate or call from ``program``, the parsed ``models/model.json``.

    Raises:
        ModelError: an expression that is not plain arithmetic, a node target that is not an
            allowed operator, or a range symbol out of bounds (one line naming it).
    """
    where = f"{shown}: models/model.json"
    ranges = program.get("range_constraints", {})
    if isinstance(ranges, dict):
        for name in ranges:
            if not _SYMBOL.fullmatch(name):
                raise ModelError(f"{where}: range constraint symbol {name[:60]!r} is not a plain symbol name; refused")
    stack: list[Any] = [program]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "expr_str" in item:
                check_expression(item["expr_str"], where)
            if "target" in item and ("inputs" in item or "outputs" in item):
                check_target(item["target"], where)
            stack.extend(item.values())


def check_expression(text: Any, where: str) -> None:
    """Refuse a symbolic-shape expression string that is not plain arithmetic over symbols and integers.

    Raises:
        ModelError: anything else (sympy would evaluate it as Python).
    """
    if not isinstance(text, str) or len(text) > MAX_EXPRESSION:
        raise _bad_expression(str(text), where)
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _bad_expression(text, where) from None
    for node in ast.walk(tree):
        if not isinstance(node, _EXPRESSION_NODES):
            raise _bad_expression(text, where)
        if isinstance(node, ast.Name) and not (
            _SYMBOL.fullmatch(node.id) or node.id in _CONSTANTS or node.id in _SHAPE_FUNCTIONS
        ):
            raise _bad_expression(text, where)
        if isinstance(node, ast.Constant) and not _plain_constant(node.value):
            raise _bad_expression(text, where)
        if isinstance(node, ast.Call) and not _plain_call(node):
            raise _bad_expression(text, where)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and not _small_exponent(node.right):
            raise _bad_expression(text, where)


def _plain_constant(value: Any) -> bool:
    """A bounded number, or a string that names a symbol or writes a decimal number (``Symbol('s0')``, ``Float('0.5')``)."""
    if type(value) in (int, float, bool):
        return abs(value) <= MAX_LITERAL
    return isinstance(value, str) and (
        _SYMBOL.fullmatch(value) is not None or re.fullmatch(r"-?\d{1,30}(\.\d{0,30})?(e-?\d{1,3})?", value) is not None
    )


def _plain_call(node: ast.Call) -> bool:
    """A call of an allowed function by name, with plain keyword arguments, a power with a small exponent."""
    if not isinstance(node.func, ast.Name) or node.func.id not in _SHAPE_FUNCTIONS:
        return False
    for keyword in node.keywords:
        if keyword.arg not in _KEYWORDS or not isinstance(keyword.value, ast.Constant):
            return False
    if any(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args) and (
        node.func.id not in ("Symbol", "Float") or len(node.args) != 1
    ):
        return False
    if node.func.id in _POWERS:
        return len(node.args) == 2 and _small_exponent(node.args[1])
    return True


def _small_exponent(node: ast.AST | None) -> bool:
    """An integer exponent of at most MAX_EXPONENT, written ``3``, ``-1``, ``Integer(3)`` or ``Rational(1, 2)``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Integer", "Rational"):
        return all(_small_exponent(arg) for arg in node.args) and len(node.args) in (1, 2)
    return isinstance(node, ast.Constant) and type(node.value) is int and abs(node.value) <= MAX_EXPONENT


def check_target(target: Any, where: str) -> None:
    """Refuse a node target that is not an allowed operator (see the module's docstring).

    Raises:
        ModelError: naming the target.
    """
    if not isinstance(target, str):
        raise ModelError(f"{where}: a node target is {type(target).__name__}, not an operator name; refused")
    parts = target.split(".")
    shown = target[:100]
    if parts[:2] == ["torch", "ops"] and len(parts) in (4, 5):
        namespace, op = parts[2], parts[3]
        if namespace == "higher_order":
            if op in _HIGHER_ORDER and len(parts) == 4:
                return
            raise ModelError(
                f"{where}: the higher-order operator {shown} is refused (only "
                f"{', '.join(sorted(_HIGHER_ORDER))} are allowed: loops may run without end)"
            )
        if namespace in _OP_NAMESPACES:
            if op in FORBIDDEN_ATEN or not op.isidentifier():
                raise ModelError(
                    f"{where}: the graph calls {shown}, an operator that touches files or the outside world; refused"
                )
            if len(parts) == 4 or parts[4].isidentifier():
                return
    elif len(parts) == 2 and (
        parts[0] == "_operator"
        and parts[1] in _OPERATOR
        or parts[0] == "math"
        and parts[1] in _MATH
        or parts[0] == "torch"
        and parts[1] in _TORCH
    ):
        return
    raise ModelError(
        f"{where}: the graph calls {shown}, which is not an ATen or prims operator or a "
        "symbolic-shape function; refused"
    )


def _bad_expression(text: str, where: str) -> ModelError:
    return ModelError(
        f"{where}: the shape expression {text[:80]!r} is not plain arithmetic over symbols "
        "and integers; refused (torch would evaluate it as Python)"
    )
