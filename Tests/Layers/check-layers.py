#!/usr/bin/env python3
"""Checks the layering of Sources/BgxferCore (README, "Development"): Model and Support, at the
bottom, name no type of any other folder; a file in one of the component folders names no type
defined in another component folder (they meet in Operations, which may use them all). Types are
the names a folder declares at the top level (class, struct, enum, protocol, typealias, actor); a
use is the name as a whole word outside comments and string literals. Prints each violation;
exits 1 when there is one.

    Tests/Layers/check-layers.py [Sources/BgxferCore]
"""
import os
import re
import sys

COMPONENTS = ["Store", "Engine", "Scheduler", "Notifier", "Launcher", "Systemd", "Input", "Network"]
BOTTOM = ["Model", "Support"]
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../Sources/BgxferCore")
DECLARATION = re.compile(r"^(?:public |private |fileprivate |internal |final |indirect )*"
                         r"(?:class|struct|enum|protocol|typealias|actor)\s+([A-Z][A-Za-z0-9_]*)", re.M)


def code_of(text):
    """The text without comments and string literals (roughly: enough for names)."""
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'#?"(?:\\.|[^"\\\n])*"#?', '""', text)
    text = re.sub(r"/\*[\s\S]*?\*/", "", text)
    return re.sub(r"//[^\n]*", "", text)


files = {}
for folder in sorted(os.listdir(root)):
    path = os.path.join(root, folder)
    if not os.path.isdir(path):
        continue
    for name in sorted(os.listdir(path)):
        if name.endswith(".swift"):
            with open(os.path.join(path, name), encoding="utf-8") as source:
                files[(folder, name)] = code_of(source.read())

owner = {}
for (folder, _), code in files.items():
    for type_name in DECLARATION.findall(code):
        owner.setdefault(type_name, folder)

violations = []
for (folder, name), code in files.items():
    if folder not in COMPONENTS + BOTTOM:
        continue
    words = set(re.findall(r"\b[A-Z][A-Za-z0-9_]*\b", code))
    for word in sorted(words):
        other = owner.get(word)
        if not other or other == folder or other in BOTTOM:
            continue
        if folder in BOTTOM or other in COMPONENTS:
            violations.append(f"{folder}/{name}: uses {word} from {other}")

for line in violations:
    print(line)
if violations:
    print(f"{len(violations)} use(s) across component folders: move the type to Model or Support, "
          "or have the folder that needs it own a protocol", file=sys.stderr)
    sys.exit(1)
print("layers: no component folder names another's types")
