#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks a manual page against what a program says about itself
(tests/system/test_manpages.sh runs it).

    man_check.py items HELP                 what HELP (a --help output) offers
    man_check.py check HELP TEXT PROGRAM    every item of HELP is in TEXT
    man_check.py vars TEXT SOURCE...        every configuration variable of
                                            SOURCE... is in TEXT
    man_check.py text ROFF                  ROFF as plain text (no renderer)

TEXT is a rendered page (man -l, groff -Tutf8: overstrikes, Unicode
hyphens and hyphenated line ends are undone here) or, with `text`, the roff
source with its escapes undone (\\- \\fB \\& \\(aq \\e ...).

Items of a --help output, extracted leniently because the programs format
their help in three ways (getopt-style columns "-f, --config=FILE  text",
long options only "--stats-ep=EP  text", and options only in the usage line
"usage: prog [--config-ep=EP]"):
  - option lines: lines whose first non-blank character is "-"; the leading
    words that start with "-" are options ("-n," "--nodaemon[=MODE]"
    "--zmq-port-control-drivers=VALUE"), the first other word ends them, so
    a description after a single space is fine;
  - the usage line: options inside [...] and operations inside {a,b,c};
  - "[VARIABLE]" at the end of an option line: the variable the option sets;
  - the "exit:" line: its status codes.
A short option printed with a long one ("-z, --suppress-zero") must appear
in the page as that pair; a long option alone as itself; operations and
variables as words; every status code as an entry of EXIT STATUS.  The
page's NAME must start with PROGRAM.

Variables (`vars`): the names of the daemon's table (`vio_vars[]` in
src/config.c), the assignments of a configuration file (commented-out ones
too: they are documented variables), and any VIRTIOFWD_*/VIO4WD_* name a C
file mentions (tools/core_scheduler.c).

Exit 0 when nothing is missing, 1 otherwise (each missing item on a line
"man_check: MISSING <kind> <item>"), 2 on bad usage.  Standard library only.
"""
import re
import sys

OPT = re.compile(r"^(--?[A-Za-z0-9][A-Za-z0-9_-]*)")


def help_items(help_text):
    """[(kind, item)] of a --help output, in order, without duplicates."""
    items = []

    def add(kind, item):
        if (kind, item) not in items:
            items.append((kind, item))

    for line in help_text.splitlines():
        s = line.strip()
        if re.match(r"(?i)usage:", s):
            for group in re.findall(r"\{([^}]*)\}", s):
                for op in group.split(","):
                    if re.fullmatch(r"[A-Za-z][\w-]*", op.strip()):
                        add("operation", op.strip())
            for group in re.findall(r"\[([^]]*)\]", s):
                for o in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", group):
                    add("option", o)
            continue
        m = re.match(r"(?i)exit( status)?:\s*(.*)", s)
        if m:
            for code in re.findall(r"(?:^|,)\s*(\d+)\b", m.group(2)):
                add("exit", code)
            continue
        if not s.startswith("-"):
            continue
        opts = []
        for word in s.split():
            m = OPT.match(word)
            if not m:
                break
            opts.append(m.group(1))
            if not word.endswith(","):
                break  # "-f, --config=FILE": the list ends without a comma
        shorts = [o for o in opts if not o.startswith("--")]
        longs = [o for o in opts if o.startswith("--")]
        if len(shorts) == 1 and len(longs) == 1:
            add("pair", shorts[0] + ", " + longs[0])
        else:
            for o in opts:
                add("option", o)
        var = re.search(r"\[([A-Z][A-Z0-9]*_[A-Z0-9_]+)\]\s*$", s)
        if var:
            add("variable", var.group(1))
    return items


def normalize(text):
    """Rendered page text as plain ASCII-dashed text, line breaks in words
    undone."""
    text = re.sub(r".\x08", "", text)                    # overstrike (bold, underline)
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)           # SGR, if a pager kept it
    text = re.sub("[\u2010\u00ad]\n[ \t]*", "", text)     # hyphenation at a line end
    text = text.replace("\u2010", "-").replace("\u2011", "-").replace("\u2212", "-")
    text = re.sub(r"(?<=\w)-\n[ \t]*(?=\w)", "-", text)  # break after a hyphen
    return text


def roff_text(roff):
    """Roff source as text, good enough for searching words: requests
    dropped, section headings at the margin and the rest indented (as man
    renders them), escapes undone."""
    out = []
    for line in roff.splitlines():
        if line.startswith(".") or line.startswith("'"):
            m = re.match(r"[.']SH\s+(.*)", line)
            if m:  # a heading at the margin, the rest indented as rendered
                out.append(m.group(1).replace('"', ""))
            continue
        line = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", line)
        line = re.sub(r"\\\*(\[[^]]*\]|\(..|.)", "'", line)  # \*(Aq: scdoc's quote
        line = line.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
        line = line.replace("\\(aq", "'").replace("\\(dq", '"').replace("\\ ", " ")
        line = line.replace("\\\\", "\\")
        out.append("       " + line)
    return "\n".join(out) + "\n"


def word_re(item):
    return re.compile(r"(?<![\w-])" + re.escape(item) + r"(?![\w-])")


def section(text, title):
    """The lines of section TITLE (a line of its own, not indented)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == title and not line.startswith((" ", "\t")):
            body = []
            for nxt in lines[i + 1:]:
                if nxt.strip() and not nxt.startswith((" ", "\t")):
                    break
                body.append(nxt)
            return body
    return None


def check(help_text, text, program):
    missing = []
    items = help_items(help_text)
    for kind, item in items:
        if kind == "pair":
            short, long_ = item.split(", ")
            pat = re.compile(r"(?<![\w-])" + re.escape(short) + r",\s+" +
                             re.escape(long_) + r"(?![\w-])")
            if not pat.search(text):
                missing.append((kind, item))
        elif kind == "exit":
            body = section(text, "EXIT STATUS")
            if body is None or item not in [b.strip() for b in body]:
                missing.append(("exit status", item))
        elif not word_re(item).search(text):
            missing.append((kind, item))
    name = section(text, "NAME")
    first = next((b.strip() for b in name or [] if b.strip()), "")
    if not first.startswith(program + " - "):
        missing.append(("NAME line", program + " - ..."))
    return items, missing


def variables(sources):
    names = []
    for path in sources:
        src = open(path, encoding="utf-8").read()
        if path.endswith(".c"):
            table = re.search(r"vio_vars\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
            if table:
                found = re.findall(r'\{\s*"([A-Z][A-Z0-9_]+)"', table.group(1))
            else:
                found = re.findall(r"\b((?:VIRTIOFWD|VIO4WD)_[A-Z0-9_]+)\b", src)
        else:
            found = re.findall(r"^\s*#?\s*(?:export\s+)?([A-Z][A-Z0-9_]+)=", src, re.M)
        for n in found:
            if n not in names:
                names.append(n)
    return names


def main(argv):
    if len(argv) >= 2 and argv[0] == "items":
        for kind, item in help_items(open(argv[1], encoding="utf-8").read()):
            print("%s\t%s" % (kind, item))
        return 0
    if len(argv) == 2 and argv[0] == "text":
        sys.stdout.write(roff_text(open(argv[1], encoding="utf-8").read()))
        return 0
    if len(argv) == 4 and argv[0] == "check":
        text = normalize(open(argv[2], encoding="utf-8").read())
        items, missing = check(open(argv[1], encoding="utf-8").read(), text, argv[3])
        for kind, item in missing:
            print("man_check: MISSING %s %s" % (kind, item))
        if not missing:
            print("man_check: %s: all %d items of --help documented (%s)" % (
                argv[3], len(items),
                ", ".join("%d %s" % (sum(1 for k, _ in items if k == kind), kind)
                          for kind in ("pair", "option", "operation", "variable", "exit")
                          if any(k == kind for k, _ in items))))
        return 1 if missing else 0
    if len(argv) >= 3 and argv[0] == "vars":
        text = normalize(open(argv[1], encoding="utf-8").read())
        names = variables(argv[2:])
        missing = [n for n in names if not re.search(r"(?<!\w)" + n + r"(?!\w)", text)]
        for n in missing:
            print("man_check: MISSING variable %s" % n)
        if not missing:
            print("man_check: all %d variables documented: %s" % (len(names), " ".join(names)))
        return 1 if missing else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
