#!/usr/bin/env python3
"""Wheels from Debian's Python packages, so an artifact can `pip install --no-index` offline.

Usage: debwheels.py SITE_DIR OUT_DIR
  SITE_DIR  a dist-packages directory (an extracted .deb tree's usr/lib/python3/dist-packages)
  OUT_DIR   where the .whl files go

Every distribution found in SITE_DIR (a .dist-info or an .egg-info) becomes one wheel holding
its top-level modules and a .dist-info (METADATA, WHEEL, entry_points.txt, RECORD). Optional C
speedups with a pure-Python fallback (markupsafe, wrapt, ...) are dropped so the wheel is
py3-none-any; any other compiled module makes the wheel cpXY-cpXY-linux_<arch> from its file
name. Prints one line per wheel: name version tag.
"""
import base64
import hashlib
import os
import re
import sys
import zipfile

# Compiled modules that have a pure-Python fallback: left out, so the wheel runs on any Python 3.
OPTIONAL_EXT = {"markupsafe", "wrapt", "yaml", "charset_normalizer", "simplejson", "msgpack"}
SO_RE = re.compile(r"\.cpython-(\d)(\d+)-([a-z0-9_]+)-linux-gnu\.so$")


def norm(name):
    return re.sub(r"[-_.]+", "_", name)


def parse_headers(text):
    name = version = None
    for line in text.splitlines():
        if line.startswith("Name:") and name is None:
            name = line.split(":", 1)[1].strip()
        elif line.startswith("Version:") and version is None:
            version = line.split(":", 1)[1].strip()
        elif not line.strip():
            break
    return name, version


def requires_from_egg(path):
    """requires.txt sections -> Requires-Dist lines (extras are left out)."""
    out = []
    if not os.path.exists(path):
        return out
    marker = ""
    skip = False
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line[1:-1]
            extra, _, mark = section.partition(":")
            skip = bool(extra)
            marker = mark
            continue
        if skip:
            continue
        out.append("%s; %s" % (line, marker) if marker else line)
    return out


def files_of(site, info_dir, top_level):
    record = os.path.join(site, info_dir, "RECORD")
    paths = set()
    if os.path.exists(record):
        for line in open(record, encoding="utf-8"):
            p = line.rsplit(",", 2)[0]
            if p and not p.startswith("..") and not p.startswith("/") and ".dist-info/" not in p and "__pycache__" not in p:
                if os.path.lexists(os.path.join(site, p)):
                    paths.add(p)
    for top in top_level:
        top = top.strip().replace(".", "/")
        if not top:
            continue
        d = os.path.join(site, top)
        if os.path.isdir(d):
            for root, dirs, files in os.walk(d):
                dirs[:] = [x for x in dirs if x != "__pycache__"]
                for f in files:
                    paths.add(os.path.relpath(os.path.join(root, f), site))
        for f in os.listdir(site):
            if f == top + ".py" or (f.startswith(top + ".") and f.endswith(".so")):
                paths.add(f)
    return sorted(paths)


def read_file(site, rel):
    """The file's bytes; an absolute symlink (Debian links to /usr/share/javascript...) is followed
    inside the extracted tree; one that leads nowhere is left out."""
    p = os.path.join(site, rel)
    tree = os.environ.get("DEBWHEELS_TREE")
    for _ in range(10):
        if not os.path.islink(p):
            break
        target = os.readlink(p)
        if os.path.isabs(target):
            if not tree:
                break
            p = os.path.join(tree, target.lstrip("/"))
        else:
            p = os.path.join(os.path.dirname(p), target)
    if not os.path.isfile(p):
        return None
    return open(p, "rb").read()


def build(site, info_dir, out_dir):
    info = os.path.join(site, info_dir)
    egg = info_dir.endswith(".egg-info")
    meta = open(os.path.join(info, "PKG-INFO" if egg else "METADATA"), encoding="utf-8").read()
    name, version = parse_headers(meta)
    if not name or not version:
        return None
    top_file = os.path.join(info, "top_level.txt")
    top = open(top_file).read().split() if os.path.exists(top_file) else [norm(name).lower()]
    files = files_of(site, info_dir, top)
    if not files:
        return None
    tag = "py3-none-any"
    kept = []
    for f in files:
        m = SO_RE.search(f)
        if m:
            if f.split("/")[0] in OPTIONAL_EXT:
                continue
            py = "cp%s%s" % (m.group(1), m.group(2))
            tag = "%s-%s-linux_%s" % (py, py, m.group(3))
        if f.endswith((".pyc", ".pyo")):
            continue
        kept.append(f)
    if egg:
        header, _, body = meta.partition("\n\n")
        header = "\n".join(l for l in header.splitlines() if not l.startswith("Requires-Dist:"))
        reqs = "".join("Requires-Dist: %s\n" % r for r in requires_from_egg(os.path.join(info, "requires.txt")))
        meta = header.rstrip("\n") + "\n" + reqs + "\n" + body
    dist = "%s-%s.dist-info" % (norm(name), version)
    wheel_name = "%s-%s-%s.whl" % (norm(name), version, tag)
    records = []

    def add(z, arc, data):
        z.writestr(zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0)), data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        records.append("%s,sha256=%s,%d" % (arc, digest, len(data)))

    with zipfile.ZipFile(os.path.join(out_dir, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        for f in kept:
            data = read_file(site, f)
            if data is not None:
                add(z, f, data)
        add(z, dist + "/METADATA", meta.encode())
        purelib = "true" if tag == "py3-none-any" else "false"
        add(z, dist + "/WHEEL", ("Wheel-Version: 1.0\nGenerator: webapp-platform-debwheels\nRoot-Is-Purelib: %s\nTag: %s\n" % (purelib, tag)).encode())
        ep = os.path.join(info, "entry_points.txt")
        if os.path.exists(ep):
            add(z, dist + "/entry_points.txt", open(ep, "rb").read())
        add(z, dist + "/top_level.txt", ("\n".join(top) + "\n").encode())
        records.append(dist + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(dist + "/RECORD", date_time=(2020, 1, 1, 0, 0, 0)), "\n".join(records) + "\n")
    return name, version, tag


def main():
    site, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for entry in sorted(os.listdir(site)):
        if entry.endswith((".dist-info", ".egg-info")) and os.path.isdir(os.path.join(site, entry)):
            r = build(site, entry, out_dir)
            if r:
                print("%s %s %s" % r)


main()
