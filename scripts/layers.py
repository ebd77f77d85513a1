#!/usr/bin/env python3
"""Folder dependency table of Sources/Ferry, checked against the allowed layering.

Each top-level folder of Sources/Ferry is a layer. A folder uses another when one of its files names a type
(or a top-level function) declared in the other. The table lists, for each pair, how many files make such uses
and one example; the check fails on a use that the allowed list below does not permit and on any pair that uses
each other both ways.

    scripts/layers.py            table and check (exit 1 on a violation)
    scripts/layers.py --table    table only
"""
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Ferry")

# What each folder may use besides itself. Stages run Intake -> Decode -> Transform -> Encode -> Deliver; each uses
# the values in Layers, the primitives in Support and the stage before it. The ledger is the store Deliver writes;
# Pipeline composes everything.
ALLOWED = {
    "Support": set(),
    "Layers": {"Support"},
    "Intake": {"Layers", "Support"},
    "Decode": {"Layers", "Support", "Intake"},
    "Transform": {"Layers", "Support", "Decode"},
    "Encode": {"Layers", "Support", "Transform"},
    "Ledger": {"Layers", "Support"},
    "Deliver": {"Layers", "Support", "Encode", "Ledger"},
    "Pipeline": {"Layers", "Support", "Intake", "Decode", "Transform", "Encode", "Deliver", "Ledger"},
    # SFTP push and pull: moves files between the workspace folders and partners' servers, recorded in the ledger.
    "Exchange": {"Layers", "Support", "Ledger"},
}

DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|package|fileprivate|private|final|indirect|nonisolated)\s+)*"
    r"(class|struct|enum|protocol|actor|typealias|func)\s+([A-Za-z_]\w*)",
    re.M,
)
IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*\b")
EXTENSION = re.compile(r"^(?:public\s+|private\s+|fileprivate\s+)?extension\s+(\w+)[^\n]*\{\n(.*?)^\}", re.M | re.S)
STATIC_MEMBER = re.compile(r"^    (?:@\w+\s+)*(?:(?:public|internal|package)\s+)?static\s+(?:func|let|var)\s+(\w+)", re.M)
ANY_DECLARATION = re.compile(r"\b(?:func|var|let|case)\s+(\w+)")
MEMBER = re.compile(r"^    (?:@\w+\s+)*(?:(?:public|internal|package|mutating|nonisolated)\s+)*(?:func|var|let)\s+(\w+)", re.M)


def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r'"""(?:.|\n)*?"""', '""', text)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


def swift_files():
    for folder in sorted(os.listdir(ROOT)):
        path = os.path.join(ROOT, folder)
        if not os.path.isdir(path):
            continue
        for directory, _, names in os.walk(path):
            for name in sorted(names):
                if name.endswith(".swift"):
                    full = os.path.join(directory, name)
                    yield folder, os.path.relpath(full, ROOT), full


def scan():
    sources = []
    declared = {}
    statics = {}  # "Type.member" declared in an extension -> (folder, file)
    members = defaultdict(set)  # member an extension adds -> {(folder, file)}
    declarations = defaultdict(int)  # how often each name is declared anywhere (members, cases, locals)
    for folder, relative, full in swift_files():
        with open(full, encoding="utf-8") as handle:
            text = strip_comments_and_strings(handle.read())
        sources.append((folder, relative, text))
        for name in ANY_DECLARATION.findall(text):
            declarations[name] += 1
        # Top-level declarations only: DECLARATION is anchored at a line start without indentation.
        for kind, name in DECLARATION.findall(text):
            declared.setdefault(name, (folder, relative, kind == "func"))
        # A static member an extension adds in another folder (`Completeness.check` in Decode) is a use of
        # that folder, not of the folder declaring the type.
        for extended, body in EXTENSION.findall(text):
            for member in STATIC_MEMBER.findall(body):
                statics.setdefault(f"{extended}.{member}", (folder, relative))
            for member in MEMBER.findall(body):
                members[member].add((folder, relative))
    uses = defaultdict(lambda: defaultdict(set))  # user folder -> used folder -> {(file, type)}
    for folder, relative, text in sources:
        for name in set(IDENTIFIER.findall(text)):
            owner = declared.get(name)
            if not owner or owner[0] == folder:
                continue
            # A free function counts where it is called, not where a method of the same name is.
            if owner[2] and not re.search(r"(?<![.\w])(?<!func )" + name + r"\s*\(", text):
                continue
            uses[folder][owner[0]].add((relative, name))
        # An instance member an extension adds (`encoding.codePage`), when no other declaration has that name.
        for member, owners in members.items():
            if len(owners) != 1 or declarations[member] != 1:
                continue
            owner = next(iter(owners))
            if owner[0] != folder and re.search(r"\.(?:" + member + r")\b", text):
                uses[folder][owner[0]].add((relative, "." + member))
        for qualified, owner in statics.items():
            if owner[0] != folder and re.search(r"(?<![.\w])" + re.escape(qualified) + r"\b", text):
                uses[folder][owner[0]].add((relative, qualified))
    return uses


def violations(uses):
    found = []
    for user, used in uses.items():
        for target, examples in used.items():
            if target not in ALLOWED.get(user, set()):
                found.append((user, target, "not allowed", examples))
            if user in uses.get(target, {}) and user < target:
                found.append((user, target, "both ways", examples | uses[target][user]))
    return sorted(found, key=lambda item: (item[0], item[1], item[2]))


def table(uses):
    lines = ["user -> used         files  e.g."]
    for user in sorted(uses):
        for target in sorted(uses[user]):
            examples = sorted(uses[user][target])
            files = {file for file, _ in examples}
            flag = "" if target in ALLOWED.get(user, set()) else "   <-- not allowed"
            sample = ", ".join(f"{os.path.basename(f)[:-6]} uses {t}" for f, t in examples[:2])
            lines.append(f"{user:9} -> {target:9} {len(files):4}  {sample}{flag}")
    return "\n".join(lines)


def main():
    uses = scan()
    print(table(uses))
    if "--table" in sys.argv:
        return 0
    problems = violations(uses)
    if not problems:
        print("\nlayers: clean")
        return 0
    print(f"\nlayers: {len(problems)} problem(s)")
    for user, target, kind, examples in problems:
        names = ", ".join(sorted(f"{os.path.basename(f)[:-6]} uses {t}" for f, t in examples))
        print(f"  {user} -> {target} ({kind}): {names}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
