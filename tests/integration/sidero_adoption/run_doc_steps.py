"""Prints the ```sh blocks of docs/migrating-from-sidero.md as one bash function per step, so
the adoption test runs the page as written. Each block must start with `# step: <name>`; the
function is `doc_step_<name with - as _>`. A block without a step line is an error (the test
could not tell it apart from the others). Also prints DOC_STEPS=(<names in order>).
Usage: run_doc_steps.py DOC.md"""
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"^```sh\n(.*?)^```$", text, flags=re.M | re.S)
names = []
for body in blocks:
    first, _, rest = body.partition("\n")
    m = re.fullmatch(r"# step: ([a-z][a-z0-9-]*)", first.strip())
    if not m:
        sys.exit(f"a ```sh block does not start with '# step: <name>': {first!r}")
    name = m.group(1)
    if name in names:
        sys.exit(f"step {name} appears twice")
    names.append(name)
    print(f"doc_step_{name.replace('-', '_')}() {{\n{rest}}}")
print("DOC_STEPS=(" + " ".join(names) + ")")
