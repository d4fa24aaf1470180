#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Mechanical dependency check: every command the project's shell scripts run
and every python module its python code imports must come from a package
that scripts/install-deps.sh lists (or one that Debian always installs:
Essential: yes or Priority: required).

    deps_check.py [--verbose] [--root DIR]

Scripts read: tests/run, tests/system/*.sh, tests/tools/*.sh, bench/run,
scripts/*.sh, .ci/run.  Each line (with its continuations) is tokenized with
shlex in punctuation mode, comments dropped and every $(...) and `...` read
apart as commands of their own; the words in command position (first word
of a line, after | ; & && || ( and after ! then do else elif if while until
exec time {, case items after their pattern) are taken, past the prefixes
timeout [-k N] N, ip netns exec NS, stdbuf, env, setpriv, nice, prlimit,
taskset, xargs and command (each also a command itself).  Ignored: shell
keywords and builtins, assignments and array bodies, words with $ or globs,
options, functions defined in any of the scripts, the project's own
programs (meson executables) and scripts (relative paths).  Python modules:
imports of tests/tools/*.py and bench/*.py, of `python3 -` heredocs,
`python3 -c` strings and `python3 -m` modules in the scripts.

A command resolves with shutil.which in Debian's root PATH, then
`dpkg-query -S` (the path, its realpath, and their /bin <-> /usr/bin
variants: Debian 12 merged /usr); a module with importlib.util.find_spec
under /usr/bin/python3, then its file the same way.  Fails,
naming script and line, for a command or module not on this machine, not
owned by a package, or owned by a package that is neither listed nor
essential/required.  Exit 0 when everything passes, 1 otherwise.
Standard library only.
"""
import argparse
import ast
import glob
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys

# ---- explicit exceptions, each with its reason --------------------------------
# Words the heuristic takes for commands although they are not run as host
# commands from a package.  name -> reason.
ALLOW = {
    # tests/tools/guest-init.sh (the guest's /init, see BUSYBOX_SCRIPTS) runs
    # it inside the guest; mkguest.sh builds it from tests/tools/setchannels.c.
    "setchannels": "built by tests/tools/mkguest.sh from tests/tools/setchannels.c, runs in the guest",
}

# Commands a script runs only when they are there (`if command -v NAME`),
# and whose absence it handles: not required, shown as "optional".
OPTIONAL = {
    # test_install.sh verifies the systemd units with it when present.
    "systemd-analyze": "tests/system/test_install.sh: `if command -v systemd-analyze`",
    # install-deps.sh disables the system OVS units it brought, under systemd only.
    "systemctl": "scripts/install-deps.sh: `if ... [ -d /run/systemd/system ]`",
    # bench/profile adds a perf profile to its figures when perf is there.
    "perf": "bench/profile: `if command -v perf`",
}

# Listed metapackages and what they are made of: a command or module whose
# owning package is on the right counts as coming from the listed package on
# the left.  Kept to what the check meets; strictness otherwise.
PART_OF = {
    # The interpreter and its standard library: /usr/bin/python3 belongs to
    # python3-minimal, the stdlib to libpython3.X-minimal/-stdlib.
    "python3": {
        "python3-minimal",
        "python3.%d" % sys.version_info[1],
        "python3.%d-minimal" % sys.version_info[1],
        "libpython3.%d-minimal" % sys.version_info[1],
        "libpython3.%d-stdlib" % sys.version_info[1],
    },
    # Debian policy's build toolchain: `cc` is gcc-12 through the
    # alternatives system (/usr/bin/cc belongs to no package).
    "build-essential": {"gcc", "gcc-12", "cpp", "cpp-12", "g++", "g++-12", "make", "libc6-dev"},
    # The DPDK build of Open vSwitch brings the switch and its common tools.
    "openvswitch-switch-dpdk": {"openvswitch-switch", "openvswitch-common"},
}

# Scripts that run in the test guest under busybox, not on the host: their
# commands must be applets of the busybox that install-deps.sh installs.
BUSYBOX_SCRIPTS = {"tests/tools/guest-init.sh"}

SCRIPT_GLOBS = ["tests/run", "tests/system/*.sh", "tests/tools/*.sh", "bench/run", "bench/*.sh",
                "bench/profile",
                "bench/restarts", "bench/soak",
                "scripts/*.sh", ".ci/run"]
PY_GLOBS = ["tests/tools/*.py", "bench/*.py"]

KEYWORDS_CMD = {"then", "do", "else", "elif", "if", "while", "until", "!", "time", "{"}
KEYWORDS_END = {"fi", "done", "}", "esac", "in", "]]"}
BUILTINS = set("""
. : [ alias bg bind break builtin caller cd command compgen complete compopt continue
declare dirs disown echo enable eval exec exit export false fc fg getopts hash help
history jobs kill let local logout mapfile popd printf pushd pwd read readarray
readonly return set shift shopt source suspend test times trap true type typeset
ulimit umask unalias unset wait
""".split())
# bash operators, longest first (shlex returns runs of ();<>|& as one token)
OPS = [";;&", "&>>", "<<<", "<<-", ";;", ";&", "&&", "||", "|&", "<<", ">>", ">&", "<&",
       "&>", "<>", ">|", "((", "))", "<(", ">(", "(", ")", ";", "&", "|", "<", ">"]
REDIR = {">", ">>", "<", "<>", ">|", "&>", "&>>", ">&", "<&", "<<<"}
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
FUNC_DEF = re.compile(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_:.-]*)\s*\(\s*\)")
PUNCT = set("();<>|&")


def split_ops(tok):
    out = []
    while tok:
        for op in OPS:
            if tok.startswith(op):
                out.append(op)
                tok = tok[len(op):]
                break
        else:  # cannot happen: tok is made of PUNCT
            out.append(tok[0])
            tok = tok[1:]
    return out


def skip_sub(text, i):
    """text[i:] follows a "$(": the index just past its matching ")".  Quotes,
    nested substitutions and parentheses inside are respected."""
    depth, n = 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = text.find("'", i + 1)
            if j < 0:
                raise ValueError("unclosed quote")
            i = j + 1
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text.startswith("$(", i):
                    i = skip_sub(text, i + 2) - 1
                i += 1
            if i >= n:
                raise ValueError("unclosed quote")
        elif c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise ValueError("unclosed backtick")
            i = j
        elif text.startswith("$(", i):
            i = skip_sub(text, i + 2)
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unclosed $(")


def flatten(text):
    """(text', subs): unquoted # comments dropped, unquoted newlines made
    ' ; ', every $(...) and `...`, quoted or not, replaced by "$_" with its
    text appended to subs (to be read as commands of their own: inside one,
    bash starts quoting afresh, which shlex cannot follow), every $((...))
    by "$_" (the $(...) in it to subs).  ValueError when a quote or a
    substitution is not closed (the caller joins the next line)."""
    out, subs, i, n, q = [], [], 0, len(text), None
    while i < n:
        c = text[i]
        if q == "'":
            out.append(c)
            if c == "'":
                q = None
            i += 1
            continue
        if c == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        if text.startswith("$(", i):
            end = skip_sub(text, i + 2)
            inner = text[i + 2:end - 1]
            if inner.startswith("(") and inner.endswith(")"):  # $(( arithmetic ))
                subs += flatten(inner[1:-1])[1]
            else:
                subs.append(inner)
            out.append("$_")
            i = end
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise ValueError("unclosed backtick")
            subs.append(text[i + 1:j])
            out.append("$_")
            i = j + 1
            continue
        if q == '"':
            out.append(c)
            if c == '"':
                q = None
        elif c in "'\"":
            q = c
            out.append(c)
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n;|&()"):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif c == "\n":
            out.append(" ; ")
        else:
            out.append(c)
        i += 1
    if q:
        raise ValueError("unclosed quote")
    return "".join(out), subs


def tokenize(text):
    lex = shlex.shlex(text, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = ""
    toks = []
    for t in lex:
        if t and all(ch in PUNCT for ch in t):
            toks.extend(("op", o) for o in split_ops(t))
        else:
            toks.append(("w", t))
    return toks


def lex(text):
    """Tokens of a shell text and the texts of its command substitutions."""
    flat, subs = flatten(text)
    return tokenize(flat), subs


def py_imports(src):
    mods = set()
    try:
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Import):
                mods.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mods.add(node.module)
    except SyntaxError:  # shell text inside (python3 -c "... $x ...")
        for m in re.finditer(r"(?:^|[;\n])\s*import\s+([\w.]+(?:\s*,\s*[\w.]+)*)", src):
            mods.update(x.strip() for x in m.group(1).split(","))
        mods.update(re.findall(r"(?:^|[;\n])\s*from\s+([\w.]+)\s+import\b", src))
    return mods


class Scanner:
    """Walks one script; calls found(kind, name, line) for commands/modules."""

    def __init__(self, path, functions, found):
        self.path, self.functions, self.found = path, functions, found

    def run(self, text):
        lines = text.split("\n")
        self.case = []      # stack of 'word' | 'pattern' | 'body'
        self.array = 0      # depth inside name=( ... )
        self._py_stdin = False  # the current command is `python3 -` (a heredoc is its program)
        i = 0
        while i < len(lines):
            lineno, buf = i + 1, lines[i]
            i += 1
            while buf.endswith("\\") and not buf.endswith("\\\\") and i < len(lines):
                buf = buf[:-1] + " " + lines[i]
                i += 1
            toks = None
            for _ in range(60):  # a quoted string over several lines
                try:
                    toks, subs = lex(buf)
                    break
                except ValueError:
                    if i >= len(lines):
                        break
                    buf += "\n" + lines[i]
                    i += 1
            if toks is None:
                continue
            self.heredocs = []
            self.words(toks, lineno)
            self.substitutions(subs, lineno)
            for delim, strip_tabs, is_py in self.heredocs:
                body = []
                while i < len(lines):
                    ln = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if ln == delim:
                        break
                    body.append(lines[i - 1])
                if is_py:
                    for m in py_imports("\n".join(body)):
                        self.found("module", m, lineno)

    def substitutions(self, subs, lineno):
        """The commands of $(...) and `...`: read apart, with their own state."""
        saved = self.case, self.array, self._py_stdin, self.heredocs
        for sub in subs:
            self.case, self.array, self.heredocs = [], 0, []
            try:
                toks, inner = lex(sub)
            except ValueError:
                continue
            self.words(toks, lineno)
            self.substitutions(inner, lineno)
        self.case, self.array, self._py_stdin, self.heredocs = saved

    def words(self, toks, lineno):
        cmd = True          # next word is in command position
        skip_next = False   # next word is a redirection target
        sq = False          # inside [[ ]] or (( ))
        k = 0
        while k < len(toks):
            kind, t = toks[k]
            k += 1
            if skip_next:
                skip_next = False
                continue
            if kind == "op":
                if self.array:
                    self.array += {"(": 1, ")": -1}.get(t, 0)
                    continue
                if t in ("<<", "<<-"):
                    if k < len(toks) and toks[k][0] == "w":
                        self.heredocs.append((toks[k][1], t == "<<-", self._py_stdin))
                        k += 1
                    continue
                if t in REDIR:
                    skip_next = True
                    continue
                if t == "((":
                    sq = True
                    continue
                if t == "))":
                    sq = False
                    continue
                if self.case and self.case[-1] == "pattern":
                    if t == ")":
                        self.case[-1] = "body"
                        cmd = True
                    continue
                if t in (";;", ";&", ";;&") and self.case:
                    self.case[-1] = "pattern"
                    continue
                if t in ("|", ";", "&", "&&", "||", "|&", "(", "<(", ">("):
                    cmd, sq = True, False
                    if t != "|":
                        self._py_stdin = False
                elif t == ")":
                    cmd = False
                continue
            # a word
            if self.array:
                continue
            if t.endswith("=") and ASSIGN.match(t) and k < len(toks) and toks[k] == ("op", "("):
                self.array = 1  # name=( ... ): an array, also after local/declare
                k += 1
                continue
            if self.case and self.case[-1] == "word":
                if t == "in":
                    self.case[-1] = "pattern"
                continue
            if self.case and self.case[-1] == "pattern":
                if t == "esac":
                    self.case.pop()
                continue
            if sq:
                if t == "]]":
                    sq = False
                continue
            if not cmd:
                continue
            nxt = toks[k] if k < len(toks) else ("", "")
            if t in KEYWORDS_CMD:
                continue
            if t == "esac" and self.case:
                self.case.pop()
                cmd = False
                continue
            if t in KEYWORDS_END:
                cmd = False
                continue
            if t == "case":
                self.case.append("word")
                cmd = False
                continue
            if t in ("for", "select"):
                cmd = False
                continue
            if t == "[[":
                sq = True
                cmd = False
                continue
            if ASSIGN.match(t):
                continue
            if t.isdigit() and nxt[0] == "op" and nxt[1] in REDIR | {"<<", "<<-"}:
                continue  # an fd number: 2>/dev/null, exec 3>FILE
            cmd = False
            if nxt == ("op", "(") and k + 1 < len(toks) and toks[k + 1] == ("op", ")"):
                k += 2  # name() {: a function definition
                cmd = True
                continue
            if "$" in t or "`" in t or (t != "[" and any(ch in t for ch in "*?[")):
                continue  # run through a variable, or a glob pattern
            if t.startswith("-") or t in BUILTINS - {"exec", "command", "time"}:
                continue
            if t == "exec":
                while k < len(toks) and toks[k][0] == "w" and toks[k][1] in ("-c", "-l", "-a"):
                    k += 2 if toks[k][1] == "-a" else 1
                cmd = True
                continue
            if t == "command":
                if k < len(toks) and toks[k][1] in ("-v", "-V"):
                    k += 1
                    if k < len(toks) and toks[k][0] == "w":
                        self.command(toks[k][1], lineno)
                    k += 1
                    continue
                while k < len(toks) and toks[k][1] == "-p":
                    k += 1
                cmd = True
                continue
            if t in self.functions:
                continue
            k = self.command(t, lineno, toks, k)
            if k < 0:
                k = -k
                cmd = True

    def command(self, t, lineno, toks=None, k=0):
        """Records the command t; handles prefixes.  Returns the token index
        to go on from, negative (-index) when a command word follows."""
        if "/" in t and not t.startswith("/"):
            return k  # the project's own script or program
        self.found("command", t, lineno)
        if toks is None:
            return k
        base = os.path.basename(t)

        def words_from(i):
            while i < len(toks) and toks[i][0] == "w":
                yield i, toks[i][1]
                i += 1

        if base.startswith("python3"):
            args = [w for _, w in words_from(k)]
            self._py_stdin = False
            if args[:1] == ["-"]:
                self._py_stdin = True
            elif "-c" in args and args.index("-c") + 1 < len(args):
                for mod in py_imports(args[args.index("-c") + 1]):
                    self.found("module", mod, lineno)
            elif "-m" in args and args.index("-m") + 1 < len(args):
                self.found("module", args[args.index("-m") + 1], lineno)
            return k
        if base == "timeout":
            takes = {"-k", "-s", "--kill-after", "--signal"}
            i = k
            while i < len(toks) and toks[i][0] == "w" and toks[i][1].startswith("-"):
                i += 2 if toks[i][1] in takes else 1
            return -(i + 1)  # past the duration
        if base == "ip":
            if [w for _, w in list(words_from(k))[:2]] == ["netns", "exec"]:
                return -(k + 3)
            return k
        opt_args = {
            "stdbuf": {"-i", "-o", "-e"},
            "env": {"-u", "-C", "-S"},
            "setpriv": {"--reuid", "--regid", "--ruid", "--euid", "--rgid", "--egid", "--groups",
                        "--inh-caps", "--ambient-caps", "--bounding-set", "--securebits",
                        "--pdeathsig", "--selinux-label", "--apparmor-profile"},
            "nice": {"-n", "--adjustment"},
            "prlimit": {"-p", "--pid"},
            "xargs": {"-n", "-I", "-P", "-d", "-L", "-s", "-a", "-E", "--max-args",
                      "--max-procs", "--delimiter", "--arg-file"},
            "taskset": {"-c", "--cpu-list"},
        }
        if base in opt_args:
            i, seen_list = k, False
            while i < len(toks) and toks[i][0] == "w":
                w = toks[i][1]
                if base == "env" and ASSIGN.match(w):
                    i += 1
                elif w.startswith("-"):
                    seen_list |= w in ("-c", "--cpu-list") or w.startswith("--cpu-list=")
                    i += 2 if w in opt_args[base] else 1
                else:
                    break
            if base == "taskset" and not seen_list:
                i += 1  # the CPU mask
            return -i
        return k


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p.stdout


def variants(path):
    out = []
    for p in (path, os.path.realpath(path)):
        for q in (p, re.sub(r"^/usr/(s?bin)/", r"/\1/", p), re.sub(r"^/(s?bin)/", r"/usr/\1/", p)):
            if q not in out:
                out.append(q)
    return out


def owners(paths):
    """path -> set of packages, for those dpkg knows (one dpkg-query call)."""
    own = {}
    if not paths:
        return own
    for line in run(["dpkg-query", "-S"] + sorted(set(paths))).splitlines():
        if line.startswith("diversion by") or ": " not in line:
            continue
        pk, path = line.split(": ", 1)
        own.setdefault(path.strip(), set()).update(p.strip().split(":")[0] for p in pk.split(","))
    return own


def listed_packages(root):
    pkgs, inside = [], False
    for line in open(os.path.join(root, "scripts/install-deps.sh")):
        s = flatten(line)[0].replace(" ; ", " ").strip()
        if not inside and re.match(r"^pkgs=\(", s):
            inside, s = True, s[len("pkgs=("):]
        if inside:
            done = s.endswith(")")
            pkgs += s.rstrip(")").split()
            if done:
                break
    return pkgs


# Commands are looked up in Debian's PATH for root, not in the caller's: a
# tool that only a user's PATH (pyenv, cargo, /opt) provides is not there on
# a fresh machine.
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEBIAN_PYTHON = "/usr/bin/python3"


def main():
    # Modules are looked up by Debian's interpreter, the one install-deps.sh
    # installs (the caller's python3 may be another one).
    if (os.path.exists(DEBIAN_PYTHON) and not os.environ.get("DEPS_CHECK_REEXEC") and
            os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)):
        os.environ["DEPS_CHECK_REEXEC"] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--verbose", action="store_true", help="print what was checked")
    ap.add_argument("--root", default=os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
    a = ap.parse_args()
    root = a.root

    scripts = sorted({p for g in SCRIPT_GLOBS for p in glob.glob(os.path.join(root, g))})
    pyfiles = sorted({p for g in PY_GLOBS for p in glob.glob(os.path.join(root, g))})
    texts = {p: open(p, errors="replace").read() for p in scripts}

    functions = {m.group(1) for t in texts.values() for line in t.split("\n")
                 for m in [FUNC_DEF.match(line)] if m}
    built = set()
    for mb in glob.glob(os.path.join(root, "**/meson.build"), recursive=True):
        first = os.path.relpath(mb, root).split(os.sep)[0]
        if first.startswith("build") or first.startswith("."):
            continue  # build trees, .git
        src = open(mb).read()
        built.update(re.findall(r"executable\(\s*'([^']+)'", src))
        built.update(re.findall(r"\[\s*'([\w.-]+)'\s*,\s*'[\w./-]+\.c'\s*\]", src))

    uses = {}  # (kind, name) -> [where]
    busybox_uses = {}

    for p in scripts:
        rel = os.path.relpath(p, root)
        target = busybox_uses if rel in BUSYBOX_SCRIPTS else uses

        def found(kind, name, line, rel=rel, target=target):
            target.setdefault((kind, name), []).append("%s:%d" % (rel, line))

        first = texts[p].split("\n", 1)[0]
        if first.startswith("#!"):  # the interpreter is a command too
            iw = first[2:].split()
            if iw:
                found("command", iw[0], 1)
                if os.path.basename(iw[0]) == "env" and len(iw) > 1:
                    found("command", iw[1], 1)
                if rel in BUSYBOX_SCRIPTS:  # checked as a host command
                    uses.setdefault(("command", iw[0]), []).append("%s:1" % rel)
        Scanner(rel, functions, found).run(texts[p])
    for p in pyfiles:
        rel = os.path.relpath(p, root)
        src = open(p).read()
        tree = ast.parse(src)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [x.name for x in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for n in names:
                uses.setdefault(("module", n), []).append("%s:%d" % (rel, node.lineno))

    listed = listed_packages(root)
    accepted_via = {}
    for pk in listed:
        accepted_via[pk] = pk
        for part in PART_OF.get(pk, ()):
            accepted_via.setdefault(part, pk)

    problems, rows = [], []
    search_path = DEBIAN_PATH

    # resolve every name to a path, then all paths to packages in one call
    resolved = {}
    for (kind, name), where in sorted(uses.items()):
        if kind == "command":
            if name in built or os.path.basename(name) in built:
                continue
            if name in ALLOW:
                rows.append((kind, name, "-", "allow-list", where[0]))
                continue
            if name in OPTIONAL:
                rows.append((kind, name, "-", "optional", where[0]))
                continue
            path = name if name.startswith("/") and os.path.exists(name) else \
                (None if name.startswith("/") else shutil.which(name, path=search_path))
            resolved[(kind, name)] = path
        else:
            top = name.split(".")[0]
            if any(os.path.exists(os.path.join(os.path.dirname(os.path.join(root, w.split(":")[0])), top + ext))
                   for w in where for ext in (".py", "")):
                continue  # a module of the project, beside its importer
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
            if spec is None:
                resolved[(kind, name)] = None
            elif spec.origin in ("built-in", "frozen"):
                resolved[(kind, name)] = sys.executable
            else:
                resolved[(kind, name)] = spec.origin or (list(spec.submodule_search_locations or []) or [None])[0]
    own = owners([v for p in resolved.values() if p for v in variants(p)])
    pkgs_seen = {pk for s in own.values() for pk in s}
    prio = {}
    if pkgs_seen:
        for line in run(["dpkg-query", "-W", "-f=${Package}\t${Essential}\t${Priority}\n"] +
                        sorted(pkgs_seen)).splitlines():
            f = line.split("\t")
            if len(f) == 3:
                prio[f[0]] = (f[1] == "yes", f[2])

    for (kind, name), path in sorted(resolved.items()):
        where = uses[(kind, name)]
        at = where[0] + (" (+%d more)" % (len(where) - 1) if len(where) > 1 else "")
        if path is None:
            problems.append("%s: %s %s: not found on this machine" % (where[0], kind, name))
            rows.append((kind, name, "-", "NOT FOUND", at))
            continue
        pk_set = next((own[v] for v in variants(path) if v in own), set())
        if not pk_set:
            if root and os.path.realpath(path).startswith(os.path.realpath(root) + "/"):
                continue
            problems.append("%s: %s %s (%s): no Debian package owns it" % (where[0], kind, name, path))
            rows.append((kind, name, "-", "NO PACKAGE", at))
            continue
        verdict = None
        for pk in sorted(pk_set):
            if pk in accepted_via:
                verdict = pk, "listed" if accepted_via[pk] == pk else "listed (%s)" % accepted_via[pk]
            elif prio.get(pk, (False, ""))[0]:
                verdict = verdict or (pk, "essential")
            elif prio.get(pk, (False, ""))[1] == "required":
                verdict = verdict or (pk, "required")
            if verdict and verdict[1].startswith("listed"):
                break
        if verdict is None:
            pk = ",".join(sorted(pk_set))
            problems.append("%s: %s %s: package %s is not in scripts/install-deps.sh (priority %s)" %
                            (where[0], kind, name, pk, prio.get(sorted(pk_set)[0], (0, "?"))[1]))
            rows.append((kind, name, pk, "NOT LISTED", at))
        else:
            rows.append((kind, name, verdict[0], verdict[1], at))

    # the guest's /init: busybox applets
    bb = shutil.which("busybox", path=search_path) or "/bin/busybox"
    applets = set(run([bb, "--list"]).split()) if os.path.exists(bb) else set()
    for (kind, name), where in sorted(busybox_uses.items()):
        if name.startswith("/"):
            continue
        if name in ALLOW:
            rows.append((kind, name, "-", "allow-list", where[0]))
        elif name in applets:
            rows.append((kind, name, "busybox-static", "applet", where[0]))
        else:
            problems.append("%s: %s is not an applet of %s (the guest's shell)" % (where[0], name, bb))
            rows.append((kind, name, "busybox-static", "NOT AN APPLET", where[0]))

    if a.verbose:
        w = [max(len(r[i]) for r in rows + [("kind", "name", "package", "verdict", "")]) for i in range(4)]
        print("%-*s  %-*s  %-*s  %-*s  %s" % (w[0], "kind", w[1], "name", w[2], "package", w[3], "verdict",
                                          "first use"))
        for r in rows:
            print("%-*s  %-*s  %-*s  %-*s  %s" % (w[0], r[0], w[1], r[1], w[2], r[2], w[3], r[3], r[4]))
        print("listed in scripts/install-deps.sh: %s" % " ".join(listed))
    for p in problems:
        print("deps_check: FAIL %s" % p)
    ncmd = sum(1 for r in rows if r[0] == "command")
    print("deps_check: %d commands, %d modules checked, %d problems" %
          (ncmd, len(rows) - ncmd, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
