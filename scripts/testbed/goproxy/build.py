#!/usr/bin/env python3
"""Assemble Debian golang-*-dev packages into a static GOPROXY tree (standard library only).

Usage: build.py --modules modules.txt --debs DIR [--orig DIR] --out DIR

For every entry of the module list the .deb (already downloaded into --debs) is unpacked, its module
root found (the shallowest go.mod under usr/share/gocode/src, or the path named in the list for
pre-modules packages), its Debian version mapped to a Go semantic version or pseudo-version, its go.mod
rewritten so that every requirement names the version served here (requirements on modules not served
are dropped and listed in _meta/dropped-requires.txt), and the files written as

    <escaped module>/@v/list, <v>.info, <v>.mod, <v>.zip, <escaped module>/@latest

with zips that hold `module@version/` prefixed regular files only (no .git, no vendor, no nested
modules), sorted and with fixed timestamps so that rebuilds are byte-identical (same go.sum hashes).

List entry syntax (one per line, `#` comments):
    <debian-package> [module=<path>] [orig] [fix:<old import>=<new import>]...
  module=  module path for packages without a go.mod (the .mod is then `module <path>`)
  orig     take the upstream orig tarball of the Debian source package (found in --orig) instead of
           the -dev package's files (for packages Debian trims, e.g. golang.org/x/sys)
  fix:A=B  rewrite imports of A (and A/...) to B in .go files and require B
"""

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
RELEASE_TIME = "2023-01-01T00:00:00Z"
GOCODE = os.path.join("usr", "share", "gocode", "src")


class Entry:
    """One line of the module list."""

    def __init__(self, package, module=None, orig=False, fixes=None, line=0):
        self.package = package
        self.module = module
        self.orig = orig
        self.fixes = fixes or []
        self.line = line


def parse_list(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split()
            e = Entry(words[0], line=n)
            for w in words[1:]:
                if w.startswith("module="):
                    e.module = w[len("module="):]
                elif w == "orig":
                    e.orig = True
                elif w.startswith("fix:") and "=" in w:
                    old, new = w[4:].split("=", 1)
                    e.fixes.append((old, new))
                else:
                    sys.exit(f"{path}:{n}: unknown flag {w!r}")
            entries.append(e)
    return entries


def escape_path(p):
    """Go module case encoding: upper-case letters become '!' + lower-case."""
    return "".join("!" + c.lower() if "A" <= c <= "Z" else c for c in p)


def find_deb(debs, package):
    hits = sorted(n for n in os.listdir(debs) if n.startswith(package + "_") and n.endswith(".deb"))
    if not hits:
        sys.exit(f"no .deb for {package} in {debs}")
    return os.path.join(debs, hits[-1])


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], check=True, capture_output=True,
                          text=True).stdout.strip()


# ------------------------------------------------------------------------------------------ versions
SNAPSHOT = re.compile(r"^(?P<base>[0-9.]*)(?P<sep>[~+])(?:git|snapshot)(?P<date>\d{8})(?:[.+-]?(?:git)?[.-]?(?P<hash>[0-9a-f]{7,40}))?")


def module_major(module):
    """Major version a module path demands: (n, style) with style 'v' for /vN, 'gopkg' for gopkg.in .vN."""
    m = re.search(r"/v(\d+)$", module)
    if m and not module.startswith("gopkg.in/"):
        return int(m.group(1)), "v"
    m = re.search(r"\.v(\d+)(?:-unstable)?$", module)
    if module.startswith("gopkg.in/") and m:
        return int(m.group(1)), "gopkg"
    return None, None


def go_version(debian_version, module, has_gomod):
    """Maps a Debian version to a Go module version that fits the module path."""
    v = debian_version.split(":", 1)[-1]
    if "-" in v:
        v = v.rsplit("-", 1)[0]
    if "+really" in v:
        v = v.split("+really", 1)[1]
    v = re.sub(r"[+~](dfsg|ds|repack)[0-9.]*$", "", v)
    v = re.sub(r"[+~](dfsg|ds|repack)[0-9.]*(?=[~+])", "", v)
    want, style = module_major(module)
    snap = SNAPSHOT.match(v)
    if snap:
        parts = [int(x) for x in snap.group("base").split(".") if x != ""]
        date = snap.group("date") + "000000"
        h = (snap.group("hash") or "")[:12].ljust(12, "0")
        while len(parts) < 3:
            parts.append(0)
        major = parts[0]
        if want is not None and major != want:
            if major == 0 and not any(parts[1:]):
                major = want
            else:
                sys.exit(f"{module}: Debian version {debian_version} does not match major v{want}")
        if not any(parts) or (major == want and parts[1:] == [0, 0]):
            ver = f"v{major}.0.0-{date}-{h}"
        elif snap.group("sep") == "~":  # snapshot before the release BASE: a pre-release of BASE
            ver = f"v{major}.{parts[1]}.{parts[2]}-0.{date}-{h}"
        else:  # snapshot after the release BASE
            ver = f"v{major}.{parts[1]}.{parts[2] + 1}-0.{date}-{h}"
    else:
        m = re.match(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:~(.+))?$", v)
        if not m:
            sys.exit(f"{module}: cannot map Debian version {debian_version!r} to semver")
        major, minor, patch = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
        pre = m.group(4)
        ver = f"v{major}.{minor}.{patch}" + (f"-{re.sub(r'[^0-9A-Za-z.-]', '.', pre)}" if pre else "")
        if want is not None and major != want:
            sys.exit(f"{module}: Debian version {debian_version} does not match major v{want}")
    major = int(ver[1:].split(".", 1)[0])
    if want is None and major >= 2:
        if has_gomod:
            sys.exit(f"{module}: v{major} with a go.mod but no /v{major} suffix")
        ver += "+incompatible"
    return ver


def is_pseudo(ver):
    return bool(re.search(r"\d{14}-[0-9a-f]{12}(\+incompatible)?$", ver))


def version_time(ver):
    m = re.search(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-[0-9a-f]{12}", ver)
    if m and is_pseudo(ver):
        return "{}-{}-{}T{}:{}:{}Z".format(*m.groups())
    return RELEASE_TIME


# ---------------------------------------------------------------------------------------- sources
def unpack_deb(deb, dest):
    subprocess.run(["dpkg-deb", "-x", deb, dest], check=True)


def unpack_orig(origdir, source_pkg, dest):
    hits = sorted(n for n in os.listdir(origdir) if n.startswith(source_pkg + "_") and ".orig.tar" in n)
    if not hits:
        sys.exit(f"no orig tarball for source package {source_pkg} in {origdir}")
    with tarfile.open(os.path.join(origdir, hits[-1])) as t:
        try:
            t.extractall(dest, filter="data")
        except TypeError:  # Python without extraction filters (< 3.11.4)
            t.extractall(dest)
    return dest


def gomod_dirs(top):
    """Directories under top that contain a go.mod, shallowest first."""
    found = []
    for d, dirs, files in os.walk(top):
        dirs[:] = sorted(x for x in dirs if x not in (".git", "vendor", "testdata"))
        if "go.mod" in files:
            found.append(d)
    found.sort(key=lambda p: (p.count(os.sep), p))
    return found


def module_line(gomod_text):
    for line in gomod_text.splitlines():
        m = re.match(r'^\s*module\s+"?([^"\s]+)"?', line)
        if m:
            return m.group(1)
    return None


def locate_root(entry, tree):
    """(root dir, module path, original go.mod text or None)."""
    if entry.module:
        base = os.path.join(tree, GOCODE) if not entry.orig else tree
        cand = os.path.join(base, entry.module) if not entry.orig else tree
        if entry.orig:
            dirs = gomod_dirs(tree)
            cand = dirs[0] if dirs else tree
        if os.path.isfile(os.path.join(cand, "go.mod")):
            with open(os.path.join(cand, "go.mod"), encoding="utf-8") as f:
                return cand, entry.module, f.read()
        if not os.path.isdir(cand):
            sys.exit(f"{entry.package}: {cand} missing")
        return cand, entry.module, None
    top = tree if entry.orig else os.path.join(tree, GOCODE)
    dirs = gomod_dirs(top)
    if not dirs:
        sys.exit(f"{entry.package}: no go.mod (give module=PATH in the list)")
    with open(os.path.join(dirs[0], "go.mod"), encoding="utf-8") as f:
        text = f.read()
    mod = module_line(text)
    if not mod:
        sys.exit(f"{entry.package}: go.mod without a module line")
    return dirs[0], mod, text


# ------------------------------------------------------------------------------------------ go.mod
def parse_requires(text):
    """List of (path, version, indirect) from require lines and blocks."""
    reqs = []
    block = None
    for line in text.splitlines():
        s = line.split("//", 1)
        code, comment = s[0].strip(), (s[1] if len(s) > 1 else "")
        indirect = "indirect" in comment
        if block:
            if code == ")":
                block = None
                continue
            if block == "require" and code:
                w = code.split()
                if len(w) >= 2:
                    reqs.append((w[0].strip('"'), w[1], indirect))
            continue
        m = re.match(r"^(require|replace|exclude|retract|godebug)\s*\($", code)
        if m:
            block = m.group(1)
            continue
        m = re.match(r"^require\s+(\S+)\s+(\S+)$", code)
        if m:
            reqs.append((m.group(1).strip('"'), m.group(2), indirect))
    return reqs


def rewrite_gomod(module, text, served, extra, dropped):
    """go.mod with the module line, go/retract lines and requirements rewritten to served versions."""
    go_line = None
    retract = []
    if text:
        block = None
        for line in text.splitlines():
            code = line.split("//", 1)[0].strip()
            if block:
                if code == ")":
                    block = None
                elif block == "retract":
                    retract.append(line.rstrip())
                continue
            m = re.match(r"^(require|replace|exclude|retract|godebug)\s*\($", code)
            if m:
                block = m.group(1)
                if block == "retract":
                    retract.append("retract (")
                continue
            if re.match(r"^go\s+\d", code):
                go_line = code
            elif code.startswith("retract "):
                retract.append(line.rstrip())
        if retract and retract[0] == "retract (":
            retract.append(")")
    reqs = {}
    for path, ver, indirect in (parse_requires(text) if text else []) + extra:
        if path == module:
            continue
        if path in served:
            reqs[path] = (served[path], indirect and reqs.get(path, (None, True))[1])
        else:
            dropped.append(f"{module}\t{path}\t{ver}")
    out = [f"module {module}", ""]
    if go_line:
        out += [go_line, ""]
    direct = sorted((p, v) for p, (v, ind) in reqs.items() if not ind)
    indirect = sorted((p, v) for p, (v, ind) in reqs.items() if ind)
    for group, suffix in ((direct, ""), (indirect, " // indirect")):
        if group:
            out.append("require (")
            out += [f"\t{p} {v}{suffix}" for p, v in group]
            out += [")", ""]
    if retract:
        out += retract + [""]
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------- zip
NAME_OK = set("!#$%&()+,-.=@[]^_{}~ ")


def name_ok(rel):
    for el in rel.split("/"):
        if el in ("", ".", ".."):
            return False
        if any(not (c.isalnum() or c in NAME_OK) for c in el):
            return False
    return True


def module_files(root):
    """Sorted relative paths of the regular files that belong to the module rooted at root."""
    files = []
    for d, dirs, names in os.walk(root):
        rel_d = os.path.relpath(d, root)
        keep = []
        for x in sorted(dirs):
            p = os.path.join(d, x)
            if x in (".git", ".hg", ".svn", "vendor") or os.path.islink(p):
                continue
            if os.path.isfile(os.path.join(p, "go.mod")):
                continue  # nested module
            keep.append(x)
        dirs[:] = keep
        for n in names:
            p = os.path.join(d, n)
            rel = n if rel_d == "." else f"{rel_d}/{n}".replace(os.sep, "/")
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            if rel == "go.mod":
                continue  # written from the rewritten text
            if not name_ok(rel):
                print(f"  skipping file with a name Go rejects: {rel}", file=sys.stderr)
                continue
            files.append(rel)
    return sorted(files)


def apply_fixes(root, files, fixes):
    for rel in files:
        if not rel.endswith(".go"):
            continue
        p = os.path.join(root, rel)
        with open(p, encoding="utf-8", errors="surrogateescape") as f:
            src = f.read()
        new = src
        for old, repl in fixes:
            new = re.sub(r'"' + re.escape(old) + r'(/[^"]*)?"', lambda m, r=repl: f'"{r}{m.group(1) or ""}"', new)
        if new != src:
            with open(p, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(new)


def write_zip(path, prefix, root, files, gomod):
    entries = [(rel, os.path.join(root, rel)) for rel in files] + [("go.mod", None)]
    entries.sort(key=lambda e: e[0])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for rel, src in entries:
            info = zipfile.ZipInfo(f"{prefix}/{rel}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if src is None:
                if gomod is None:
                    continue
                data = gomod.encode()
            else:
                with open(src, "rb") as f:
                    data = f.read()
            z.writestr(info, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


# -------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modules", required=True)
    ap.add_argument("--debs", required=True)
    ap.add_argument("--orig", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    entries = parse_list(a.modules)
    work = tempfile.mkdtemp(prefix="gofront-goproxy-")
    try:
        # Pass 1: unpack, locate, version every module (versions are needed to rewrite requirements).
        mods = []
        for e in entries:
            deb = find_deb(a.debs, e.package)
            tree = os.path.join(work, e.package)
            if e.orig:
                src = deb_field(deb, "Source").split()[0] or e.package
                unpack_orig(a.orig, src, tree)
            else:
                unpack_deb(deb, tree)
            root, module, gomod = locate_root(e, tree)
            debver = deb_field(deb, "Version")
            ver = go_version(debver, module, gomod is not None)
            mods.append(dict(entry=e, root=root, module=module, gomod=gomod, ver=ver, deb=deb, debver=debver))
        served = {}
        for m in mods:
            if m["module"] in served:
                sys.exit(f"module {m['module']} listed twice")
            served[m["module"]] = m["ver"]

        tmp_out = a.out.rstrip("/") + ".tmp"
        shutil.rmtree(tmp_out, ignore_errors=True)
        os.makedirs(os.path.join(tmp_out, "_meta"))
        dropped, manifest = [], []
        for m in sorted(mods, key=lambda m: m["module"]):
            e, module, ver = m["entry"], m["module"], m["ver"]
            files = module_files(m["root"])
            apply_fixes(m["root"], files, e.fixes)
            extra = [(new, "v0.0.0", False) for _, new in e.fixes]
            if m["gomod"] is None and not extra:
                gomod = f"module {module}\n"
                in_zip = None  # pre-modules code: no go.mod in the zip, as on proxy.golang.org
            else:
                gomod = rewrite_gomod(module, m["gomod"], served, extra, dropped)
                in_zip = gomod
            vdir = os.path.join(tmp_out, escape_path(module), "@v")
            os.makedirs(vdir, exist_ok=True)
            ever = escape_path(ver)
            info = json.dumps({"Version": ver, "Time": version_time(ver)}) + "\n"
            with open(os.path.join(vdir, ever + ".info"), "w", encoding="utf-8") as f:
                f.write(info)
            with open(os.path.join(vdir, ever + ".mod"), "w", encoding="utf-8") as f:
                f.write(gomod)
            write_zip(os.path.join(vdir, ever + ".zip"), f"{module}@{ver}", m["root"], files, in_zip)
            with open(os.path.join(vdir, "list"), "w", encoding="utf-8") as f:
                f.write("" if is_pseudo(ver) else ver + "\n")
            with open(os.path.join(tmp_out, escape_path(module), "@latest"), "w", encoding="utf-8") as f:
                f.write(info)
            size = os.path.getsize(os.path.join(vdir, ever + ".zip"))
            manifest.append(f"{module}\t{ver}\t{e.package}\t{m['debver']}\t{len(files)}\t{size}")
        with open(os.path.join(tmp_out, "_meta", "MANIFEST.tsv"), "w", encoding="utf-8") as f:
            f.write("module\tversion\tdebian_package\tdebian_version\tfiles\tzip_bytes\n")
            f.write("\n".join(manifest) + "\n")
        with open(os.path.join(tmp_out, "_meta", "dropped-requires.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(sorted(set(dropped))) + ("\n" if dropped else ""))
        shutil.rmtree(a.out, ignore_errors=True)
        os.replace(tmp_out, a.out)
        print(f"{len(manifest)} modules, {len(set(dropped))} requirements dropped -> {a.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
