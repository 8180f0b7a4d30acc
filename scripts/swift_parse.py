"""Parses Swift files with tree-sitter-swift and reports every syntax error (a syntax check
only: no types, no imports). Prints one line per file and exits 1 if any file has errors."""

import re
import sys

import tree_sitter_swift
from tree_sitter import Language, Parser

# The grammar does not know this attribute, which UniFFI's generated Swift uses.
UNKNOWN_ATTRIBUTES = re.compile(rb"@_documentation\(visibility:\s*private\)")


def errors(node, found):
    if node.is_error or node.is_missing:
        found.append(node)
    for child in node.children:
        errors(child, found)
    return found


def main(paths):
    parser = Parser(Language(tree_sitter_swift.language()))
    failed = 0
    for path in paths:
        with open(path, "rb") as f:
            source = UNKNOWN_ATTRIBUTES.sub(lambda m: b" " * len(m.group(0)), f.read())
        found = errors(parser.parse(source).root_node, [])
        if found:
            failed += 1
            first = found[0]
            print(f"FAIL {path}: {len(found)} syntax error(s), first at line {first.start_point[0] + 1}")
        else:
            print(f"ok   {path}")
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1:]) else 0)
