"""Where the Lambda Runtime Interface Emulator is: $AWS_LAMBDA_RIE, else the one for this machine's
architecture inside the aws-sam-cli wheel (as tests/it/support/mod.rs finds it for the Rust tests)."""

import os
import platform
from pathlib import Path


def emulator_binary() -> Path:
    if os.environ.get("AWS_LAMBDA_RIE"):
        return Path(os.environ["AWS_LAMBDA_RIE"])
    import samcli

    arch = "arm64" if platform.machine().lower() in ("aarch64", "arm64") else "x86_64"
    return Path(samcli.__file__).parent / "local" / "rapid" / f"aws-lambda-rie-{arch}"
