#!/usr/bin/python3
"""Substitutes a cluster template's variables as `clusterctl generate cluster --from` does.

Usage: clusterctl_subst.py TEMPLATE            (variables from the environment; YAML on stdout)
       clusterctl_subst.py --self-test

clusterctl is not packaged in Debian, so the test substitutes with this. The rules are
Cluster API's cmd/clusterctl/client/yamlprocessor/simple_processor.go over
github.com/drone/envsubst (parse/parse.go, parse/scan.go, template.go, funcs.go):

- "${ VAR }", "${ VAR}", "${VAR }" are first rewritten to "${VAR}" (convertLegacyVars).
- "${NAME}" is replaced by the variable's value; NAME is letters, digits, "_" and "-".
- "${NAME:=word}", "${NAME=word}", "${NAME:-word}", "${NAME:?word}", "${NAME:+word}" all
  give word when the value is empty or unset (drone's lookupFunc maps each to toDefault);
  word may hold nested "${...}".
- "$$" is a literal "$" outside an expression; a lone "$" is text (no "$NAME" form).
- Before substituting, every variable outside a default that has no value and no (non-empty)
  default is missing, and clusterctl fails naming all of them, sorted (Process,
  errMissingVariables). A variable set to "" is not missing.
- Anything else after "${" (substrings, case or pattern operators, "${#NAME}") is refused
  here: drone supports them, this template does not use them, and a test must not pass by
  quietly doing something else.

Exit codes: 0 substituted; 1 missing variables (clusterctl's message on stderr); 2 bad template.
"""

import os
import re
import sys

LEGACY = re.compile(r"(\$\{(\s+([A-Za-z0-9_$]+)\s+)\})|(\$\{(\s+([A-Za-z0-9_$]+))\})"
                    r"|(\$\{(([A-Za-z0-9_$]+)\s+)\})")
DEFAULT_OPS = (":=", ":-", ":?", ":+", "=")


class BadSubstitution(Exception):
    pass


class Missing(Exception):
    def __init__(self, names):
        super().__init__(
            f"value for variables [{', '.join(sorted(names))}] is not set. Please set the value "
            "using os environment variables or the clusterctl config file")
        self.names = sorted(names)


def is_ident(ch):
    return ch.isalnum() or ch in "_-"


def parse(text, pos=0, in_default=False):
    """Returns (nodes, pos). A node is a str (text) or a tuple (name, default_nodes or None).
    In a default, parsing stops before the closing "}"."""
    nodes, buf = [], []
    while pos < len(text):
        ch = text[pos]
        if in_default and ch == "}":
            break
        if ch == "$" and text.startswith("${", pos):
            if buf:
                nodes.append("".join(buf))
                buf = []
            node, pos = parse_expr(text, pos + 2)
            nodes.append(node)
            continue
        if ch == "$" and not in_default and text.startswith("$$", pos):
            buf.append("$")
            pos += 2
            continue
        buf.append(ch)
        pos += 1
    if buf:
        nodes.append("".join(buf))
    return nodes, pos


def parse_expr(text, pos):
    start = pos
    while pos < len(text) and is_ident(text[pos]):
        pos += 1
    name = text[start:pos]
    if not name:
        raise BadSubstitution(f"bad substitution at offset {start - 2}")
    if text.startswith("}", pos):
        return (name, None), pos + 1
    op = next((o for o in DEFAULT_OPS if text.startswith(o, pos)), None)
    if op is None:
        raise BadSubstitution(f"${{{name}...}} at offset {start - 2}: only defaults are supported")
    default, pos = parse(text, pos + len(op), in_default=True)
    if not text.startswith("}", pos):
        raise BadSubstitution(f"${{{name}{op}... at offset {start - 2} is not closed")
    return (name, default), pos + 1


def default_text(nodes):
    """clusterctl's view of a default (traverse): text, nested variables as ${NAME}."""
    return "".join(n if isinstance(n, str) else "${" + n[0] + "}" for n in nodes)


def evaluate(nodes, env):
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        name, default = node
        value = env.get(name, "")
        if value == "" and default is not None:
            value = evaluate(default, env)
        out.append(value)
    return "".join(out)


def substitute(template, env):
    text = LEGACY.sub(lambda m: re.sub(r"\s", "", m.group(0)), template)
    nodes, _ = parse(text)
    # Only top-level expressions count, with the first occurrence's default (traverse).
    seen = {}
    for node in nodes:
        if isinstance(node, tuple) and node[0] not in seen:
            seen[node[0]] = default_text(node[1]) if node[1] is not None else ""
    missing = [name for name, default in seen.items() if name not in env and default == ""]
    if missing:
        raise Missing(missing)
    return evaluate(nodes, env)


def self_test():
    cases = [
        ("a: ${X}", {"X": "1"}, "a: 1"),
        ("a: ${ X }/${X }/${ X}", {"X": "1"}, "a: 1/1/1"),
        ("a: ${P:=6443}", {}, "a: 6443"),
        ("a: ${P:=6443}", {"P": ""}, "a: 6443"),
        ("a: ${P:=6443}", {"P": "7443"}, "a: 7443"),
        ("a: ${P=1}${Q:-2}", {}, "a: 12"),
        ("a: ${P:=${Q}-x}", {"Q": "q"}, "a: q-x"),
        ("a: ${X}", {"X": ""}, "a: "),
        ("cost: $$5 and $HOME", {}, "cost: $5 and $HOME"),
        ("a: ${A-B}", {"A-B": "dash"}, "a: dash"),
        ("a: ${X}\nb: ${Y}\nc: ${Z:=z}", {}, Missing(["X", "Y"])),
        ("a: ${X:=}", {}, Missing(["X"])),
        ("a: ${X^^}", {"X": "x"}, BadSubstitution),
        ("a: ${X", {"X": "x"}, BadSubstitution),
        ("a: ${}", {}, BadSubstitution),
    ]
    failures = 0
    for template, env, want in cases:
        try:
            got = substitute(template, env)
        except Missing as e:
            got = e
        except BadSubstitution:
            got = BadSubstitution
        if isinstance(want, Missing):
            ok = isinstance(got, Missing) and got.names == want.names
        else:
            ok = got == want
        if not ok:
            failures += 1
            print(f"clusterctl_subst self-test: {template!r} with {env}: got {got!r}, want "
                  f"{want!r}", file=sys.stderr)
    print(f"clusterctl_subst self-test: {len(cases)} cases, {failures} failed")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        template = f.read()
    try:
        sys.stdout.write(substitute(template, dict(os.environ)))
    except Missing as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    except BadSubstitution as e:
        print(f"Error: {argv[1]}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
