"""Where a code cell checks exercises, read as Python runs it: the grader and the nbval plugin share this.

A learner may edit a check cell: ``checks.sigmoid()  # done``, ``checks.sigmoid ()``, ``checks.sigmoid();
x = 1``, the answer and its check merged into one cell, the check inside ``try:``. nbval checks the answer
at the moment Python executes the call, so the grader must pause there too (``classroom.runner``), and the
nbval plugin must know which cells check what (``classroom.nbval_report``). ``check_plan`` splits a cell
into steps: the code to run, then the exercises checked at that point.

- A statement that *is* a check call (``checks.<id>()``, however spaced or continued) is a point of its own:
  the code before it runs first, the code after it after the check.
- A statement holding a check call deeper (``try:``, ``if``, ``for``, ``with``) is checked *before* it runs:
  the answer as it stands when the statement starts, so that code around the call (an ``except`` that falls
  back to another function, a ``finally`` that breaks it) cannot change the grade. Calls inside a function
  or a lambda are not checks: they run only if that code is called.
- The cell is read as IPython runs it: IPython's input transformations first (``%time``, ``!ls``, pasted
  ``In [1]:`` prompts), then Python's parser. A check inside a cell magic's body is found by its line, after
  the cell. A cell that is not Python at all keeps its check lines too: it raises when it runs, so its checks
  are not reached.
"""

from __future__ import annotations

import ast
import re
import unicodedata

# A line that calls a check, in a cell that cannot be parsed (``checks.sigmoid()  # ok``, indented, a ``;``).
CHECK_LINE = re.compile(r"^[ \t\f]*checks\.([a-z0-9_]+)\([ \t\f]*\)[ \t\f]*;?[ \t\f]*(#.*)?$")
LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")   # lines as Python's tokenizer counts them
NOT_RUN_WHERE_WRITTEN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)   # (a class body runs)

Step = tuple[str, list[str]]   # (code to run, exercises checked once it has run)


def check_plan(source: str) -> list[Step]:
    """The steps of a code cell: [(code, exercises checked after it)], in order; [(source, [])] for a cell
    that checks nothing. Joining the codes gives the cell's statements (comments between them dropped)."""
    if "checks" not in unicodedata.normalize("NFKC", source):   # Python reads ｃhecks as checks
        return [(source, [])]
    tree, text = _parse(source)
    if tree is None:
        return [(source, _check_lines(source))]
    steps: list[Step] = []
    code: list[ast.stmt] = []
    for statement in tree.body:
        exercise = _check_call(statement)
        checked = [exercise] if exercise else _checks_inside(statement)
        if checked:   # checked here: after the code before the statement, before the statement itself
            steps.append((_segment(text, code), checked))
            code = []
        if exercise is None:
            code.append(statement)
    if code or not steps:
        steps.append((_segment(text, code), []))
    if not any(checked for _, checked in steps):   # runs as written; a %%capture cell's body is text
        return [(source, _check_lines(source) if source.lstrip().startswith("%%") else [])]
    return steps


def _check_lines(source: str) -> list[str]:
    """The exercises of the lines that call a check (``CHECK_LINE``): for cells Python cannot parse."""
    return [match.group(1) for line in source.splitlines() if (match := CHECK_LINE.match(line))]


def checks_in(source: str) -> tuple[list[str], bool]:
    """The exercises a cell checks, in order, and whether it holds any other code."""
    steps = check_plan(source)
    return [name for _, checked in steps for name in checked], any(code.strip() for code, _ in steps)


def _parse(source: str) -> tuple[ast.Module | None, str]:
    """The cell's syntax tree and the Python text it was parsed from: IPython's transformation of the cell
    (as the kernel compiles it), or the cell itself where IPython is missing. (None, source) when it is not
    Python (a SyntaxError, a NUL character, an expression nested too deep for the parser)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        text = TransformerManager().transform_cell(source)
    except ImportError:
        text = source
    except Exception:  # noqa: BLE001 -- IPython cannot read it either: the kernel will say so
        return None, source
    try:
        return ast.parse(text), text
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, source


def _check_call(node: ast.AST) -> str | None:
    """The exercise id when ``node`` is a call ``checks.<id>()``, or a statement that is just one."""
    if isinstance(node, ast.Expr):
        node = node.value
    if (isinstance(node, ast.Call) and not node.args and not node.keywords
            and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "checks"):
        return node.func.attr
    return None


def _checks_inside(statement: ast.stmt) -> list[str]:
    """Check calls nested in a statement that runs where it is written, in source order."""
    found, todo = [], [] if isinstance(statement, NOT_RUN_WHERE_WRITTEN) else [statement]
    while todo:
        node = todo.pop()
        exercise = _check_call(node) if isinstance(node, ast.Call) else None
        if exercise is not None:
            found.append((node.lineno, node.col_offset, exercise))
        todo.extend(child for child in ast.iter_child_nodes(node)
                    if not isinstance(child, NOT_RUN_WHERE_WRITTEN))
    return [exercise for *_, exercise in sorted(found)]


def _segment(text: str, statements: list[ast.stmt]) -> str:
    """The source text from the first statement's start (its decorators included) to the last one's end."""
    if not statements:
        return ""
    first, last = statements[0], statements[-1]
    decorators = getattr(first, "decorator_list", [])   # "@" starts the decorator's line
    lines = LINES.findall(text)
    start = _offset(lines, decorators[0].lineno, 0) if decorators else _offset(lines, first.lineno,
                                                                                    first.col_offset)
    return text[start:_offset(lines, last.end_lineno, last.end_col_offset)]


def _offset(lines: list[str], lineno: int, col_offset: int) -> int:
    """The index in the text of line ``lineno`` (from 1), column ``col_offset`` (UTF-8 bytes: ast's unit)."""
    return sum(map(len, lines[:lineno - 1])) + len(lines[lineno - 1].encode()[:col_offset].decode())
