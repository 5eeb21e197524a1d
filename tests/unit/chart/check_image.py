#!/usr/bin/python3
"""Builds a daemon's image with scripts/images and checks it without Docker.

Usage: check_image.py --src DIR --build DIR DAEMON...

Checks the OCI image layout: oci-layout and index.json present; every descriptor's blob exists
with the digest and size it claims; the config's diff_id is the sha256 of the uncompressed
layer; the image is named <repository>/ferrum-<daemon>:<chart appVersion> as values.yaml
expects; the entrypoint is in the layer; the user is the chart's runAsUser. Then it unpacks the
layer and runs the entrypoint with `--version` through the image's own dynamic loader and
only the image's library directories, so a shared library missing from the image fails here.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile


def check(src, build, daemon, out_dir):
    errors = []
    p = subprocess.run([os.path.join(src, "scripts", "images"), "--out", out_dir, daemon],
                       capture_output=True, text=True, env={**os.environ, "FERRUM_BUILD_DIR": build})
    if p.returncode != 0:
        return [f"scripts/images {daemon} failed: {p.stderr.strip()}"]
    with open(os.path.join(src, "charts", "ferrum", "Chart.yaml")) as f:
        app_version = next(l.split(":", 1)[1].strip().strip('"') for l in f
                           if l.startswith("appVersion:"))
    with tarfile.open(os.path.join(out_dir, f"ferrum-{daemon}.oci.tar")) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    if json.loads(files.get("oci-layout", b"{}")).get("imageLayoutVersion") != "1.0.0":
        errors.append("oci-layout missing or not 1.0.0")

    def blob(desc):
        algo, hexd = desc["digest"].split(":")
        data = files.get(f"blobs/{algo}/{hexd}")
        if data is None:
            errors.append(f"blob {desc['digest']} missing")
            return b""
        if hashlib.sha256(data).hexdigest() != hexd or len(data) != desc["size"]:
            errors.append(f"blob {desc['digest']}: digest or size does not match")
        return data

    index = json.loads(files["index.json"])
    (mdesc,) = index["manifests"]
    name = mdesc.get("annotations", {}).get("io.containerd.image.name")
    if name != f"ferrum/ferrum-{daemon}:{app_version}":
        errors.append(f"image name {name}, expected ferrum/ferrum-{daemon}:{app_version}")
    manifest = json.loads(blob(mdesc))
    config = json.loads(blob(manifest["config"]))
    (ldesc,) = manifest["layers"]
    layer = gzip.decompress(blob(ldesc))
    if config["rootfs"]["diff_ids"] != [f"sha256:{hashlib.sha256(layer).hexdigest()}"]:
        errors.append("config diff_id is not the sha256 of the uncompressed layer")
    entry = config["config"]["Entrypoint"]
    if entry != [f"/usr/bin/ferrum-{daemon}"]:
        errors.append(f"entrypoint {entry}")
    if config["config"].get("User") != "65532:65532":
        errors.append(f"user {config['config'].get('User')}, the chart runs 65532")

    with tempfile.TemporaryDirectory() as rootfs:
        with tarfile.open(fileobj=io.BytesIO(layer)) as tar:
            names = set(tar.getnames())
            tar.extractall(rootfs)
        for need in (entry[0].lstrip("/"), "etc/ssl/certs/ca-certificates.crt", "etc/passwd"):
            if need not in names:
                errors.append(f"{need} not in the layer")
        loader = next((n for n in names if os.path.basename(n).startswith("ld-linux")), None)
        if loader is None:
            return errors + ["no dynamic loader in the layer"]
        libdirs = sorted({os.path.join(rootfs, os.path.dirname(n)) for n in names
                          if ".so" in os.path.basename(n)})
        run = subprocess.run([os.path.join(rootfs, loader), "--inhibit-cache", "--library-path",
                              ":".join(libdirs), os.path.join(rootfs, entry[0].lstrip("/")), "--version"],
                             capture_output=True, text=True, timeout=30)
        if run.returncode != 0 or f"ferrum-{daemon}" not in run.stdout:
            errors.append(f"the image's entrypoint does not run on its own libraries: "
                          f"rc={run.returncode} {run.stderr.strip()[:300]}")
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("daemons", nargs="+")
    a = ap.parse_args()
    out_dir = os.path.join(a.build, "chart", "images-test")
    errors = []
    for d in a.daemons:
        errors += [f"{d}: {e}" for e in check(a.src, a.build, d, out_dir)]
    for e in errors:
        print(e)
    print(f"images: {len(errors)} problems in {len(a.daemons)} images")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
