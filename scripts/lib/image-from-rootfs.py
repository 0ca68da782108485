"""Writes a `docker load` archive of one layer (a folder's contents) to standard output, with the
architecture given, so that a local arm64 image is marked arm64 whatever the daemon's version
(`docker import --platform` does not set it on older daemons, and then Docker tries to pull).

usage: image-from-rootfs.py ROOTFS NAME:TAG ARCH CONFIG_JSON   (CONFIG_JSON: Env, Entrypoint, Cmd, WorkingDir)"""

import hashlib
import io
import json
import sys
import tarfile


def main(rootfs, name, arch, config):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(rootfs, arcname=".")
    layer = layer.getvalue()
    digest = hashlib.sha256(layer).hexdigest()
    image = {
        "architecture": arch,
        "os": "linux",
        "config": json.loads(config),
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{digest}"]},
        "history": [{"created_by": "scripts/lib/image-from-rootfs.py"}],
    }
    image_json = json.dumps(image).encode()
    config_name = hashlib.sha256(image_json).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [name], "Layers": [f"{digest}/layer.tar"]}]).encode()
    with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as out:
        for path, data in [(f"{digest}/layer.tar", layer), (config_name, image_json), ("manifest.json", manifest)]:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
