"""``sh:pattern`` regexes: from the XPath/XML Schema dialect to the one Oxigraph's REGEX runs.

SHACL's ``sh:pattern`` means SPARQL's ``REGEX``, i.e. XPath ``fn:matches``; Oxigraph runs Rust's
regex dialect. :func:`translate` rewrites what differs (``\\s``, ``\\w``, ``.``, character-class
subtraction ``[a-z-[aeiou]]``, the ``x`` and ``q`` flags) and refuses what Rust cannot run or what
is not a valid XPath regex (back-references, ``\\i``/``\\c`` name characters, Unicode block
escapes, look-around, unknown escapes and flags): a pattern the engine cannot evaluate exactly
never lets a value pass.
"""

from __future__ import annotations

import re

from ptce_kg.validate._shapes import UnsupportedShapeError

_SINGLE_ESCAPES = set("nrt\\|.?*+(){}-[]^$")
_XSD_SPACE = " \\t\\n\\r"
_XSD_W_NOT = "\\p{P}\\p{Z}\\p{C}"  # XSD \w: every character but punctuation, separators, others
_FLAGS = set("smixq")
_META = set(".\\?*+{}()|[]^$-&~#")


def translate(pattern: str, flags: str, *, where: str) -> tuple[str, str]:
    """Return ``(pattern, flags)`` for Oxigraph's REGEX, meaning what XPath ``fn:matches`` means.

    Raises:
        UnsupportedShapeError: if the pattern or flags cannot be evaluated exactly.
    """
    unknown = set(flags) - _FLAGS
    if unknown:
        raise UnsupportedShapeError(f"{where}: unknown sh:flags {''.join(sorted(unknown))!r}")
    if "q" in flags:  # the whole pattern is a literal string
        escaped = "".join("\\" + c if c in _META else c for c in pattern)
        return escaped, "".join(f for f in flags if f in "i")
    out: list[str] = []
    depth = 0  # character-class nesting
    i, n = 0, len(pattern)

    def refuse(why: str) -> UnsupportedShapeError:
        return UnsupportedShapeError(f"{where}: sh:pattern {pattern!r}: {why}")

    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise refuse("ends with a lone backslash")
            e = pattern[i + 1]
            i += 2
            if e in _SINGLE_ESCAPES:
                out.append("\\" + e)
            elif e in "pP":
                m = re.match(r"\{([A-Za-z0-9-]+)\}", pattern[i:])
                if m is None:
                    raise refuse(f"malformed \\{e}{{…}}")
                if m.group(1).startswith("Is"):
                    raise refuse(f"Unicode block escape \\{e}{{{m.group(1)}}} is not supported")
                out.append(f"\\{e}{{{m.group(1)}}}")
                i += m.end()
            elif e in "dD":
                out.append("\\" + e)
            elif e == "s":
                out.append(_XSD_SPACE if depth else f"[{_XSD_SPACE}]")
            elif e == "S":
                out.append(f"[^{_XSD_SPACE}]")
            elif e == "w":
                out.append(f"[^{_XSD_W_NOT}]")
            elif e == "W":
                out.append(f"[{_XSD_W_NOT}]")
            elif e in "iIcC":
                raise refuse(f"XML name-character escape \\{e} is not supported")
            elif e.isdigit():
                raise refuse(f"back-reference \\{e} is not supported")
            else:
                raise refuse(f"\\{e} is not an XPath regex escape")
            continue
        if depth:
            if c == "-" and pattern[i + 1 : i + 2] == "[":  # subtraction: [a-z-[aeiou]]
                out.append("--[")
                depth += 1
                i += 2
                if pattern[i : i + 1] == "^":
                    out.append("^")
                    i += 1
                continue
            if c == "[":
                raise refuse("'[' inside a character class")
            if c == "]":
                depth -= 1
            elif c in "&~":
                out.append("\\" + c)
                i += 1
                continue
            out.append(c)
            i += 1
            continue
        if c == "[":
            depth = 1
            out.append("[")
            i += 1
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            continue
        if c == "(" and pattern[i + 1 : i + 2] == "?" and pattern[i + 2 : i + 3] != ":":
            raise refuse("only (?: …) groups exist in XPath regexes (no look-around)")
        if c == "." and "s" not in flags:
            out.append("[^\\n\\r]")
        elif c.isspace() and "x" in flags:
            pass
        else:
            out.append(c)
        i += 1
    if depth:
        raise refuse("unclosed character class")
    return "".join(out), "".join(f for f in flags if f in "smi")
