"""`fetch-model`: download a Detoxify checkpoint and its base model's config and tokenizer, once,
where a network exists, and lay them out so Detoxify loads with no network afterwards.

Steps (see shared/notes/detoxify-offline.md):
1. download the released checkpoint (`toxic_original-c1212f89.ckpt`) and check that its sha256
   starts with the hash in its name - the file is unpickled, so nothing else is loaded;
2. download the base model's `config.json` and tokenizer files into `<dest>/<base-model>/`, with
   `model_max_length: 512` in `tokenizer_config.json` (texts over 512 tokens crash otherwise);
3. rewrite `config.arch.args.model_type` in the checkpoint to that folder and save it as
   `<dest>/<name>.local.ckpt` with a `.sha256` file beside it (what `moderation` verifies at load).

`fetch_model(dest)` returns the settings to use: `MODERATION_DETOXIFY_CHECKPOINT` and
`MODERATION_DETOXIFY_MODEL_DIR`. The Flask command `flask --app wsgi moderation fetch-model` wraps it.
"""
from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from pathlib import Path
from typing import Callable

RELEASES = {
    "original": "https://github.com/unitaryai/detoxify/releases/download/v0.1-alpha/toxic_original-c1212f89.ckpt",
    "unbiased": "https://github.com/unitaryai/detoxify/releases/download/v0.3-alpha/toxic_debiased-c7548aa0.ckpt",
    "multilingual": "https://github.com/unitaryai/detoxify/releases/download/v0.4-alpha/multilingual_debiased-0b549669.ckpt",
    "original-small": "https://github.com/unitaryai/detoxify/releases/download/v0.1.2/original-albert-0e1d6498.ckpt",
    "unbiased-small": "https://github.com/unitaryai/detoxify/releases/download/v0.1.2/unbiased-albert-c8519128.ckpt",
}
BASE_FILES = ("config.json", "tokenizer_config.json", "vocab.txt", "tokenizer.json", "merges.txt",
              "vocab.json", "special_tokens_map.json", "sentencepiece.bpe.model", "spiece.model")
HUB = "https://huggingface.co/{model}/resolve/main/{file}"


class FetchError(RuntimeError):
    pass


def _download(url: str, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".part")
    with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as out:  # noqa: S310 (fixed https URLs)
        while chunk := resp.read(1 << 20):
            out.write(chunk)
    tmp.replace(dest)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_model(dest_dir: str | Path, variant: str = "original", *,
                download: Callable[[str, Path], None] = _download, log: Callable[[str], None] = print) -> dict[str, str]:
    """Download and prepare a Detoxify model under `dest_dir`; return the MODERATION_* settings."""
    import torch  # the ml extra

    if variant not in RELEASES:
        raise FetchError(f"unknown Detoxify model {variant!r}; choose from {', '.join(RELEASES)}")
    dest = Path(dest_dir).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    url = RELEASES[variant]
    name = url.rsplit("/", 1)[1]
    expected = re.search(r"-([0-9a-f]{8,})\.ckpt$", name).group(1)
    ckpt = dest / name
    if not ckpt.is_file() or not sha256_of(ckpt).startswith(expected):
        log(f"downloading {name}")
        download(url, ckpt)
    digest = sha256_of(ckpt)
    if not digest.startswith(expected):
        ckpt.unlink(missing_ok=True)
        raise FetchError(f"{name}: sha256 {digest[:16]}... does not start with {expected}; file removed")
    loaded = torch.load(ckpt, map_location="cpu", weights_only=False)
    args = loaded["config"]["arch"]["args"]
    base_id = str(args["model_type"])
    base_dir = dest / re.sub(r"[^\w.-]+", "_", Path(base_id).name if Path(base_id).is_dir() else base_id)
    base_dir.mkdir(exist_ok=True)
    if Path(base_id).is_dir():
        for f in Path(base_id).iterdir():
            if f.is_file():
                (base_dir / f.name).write_bytes(f.read_bytes())
    else:
        for fname in BASE_FILES:
            target = base_dir / fname
            if target.is_file():
                continue
            try:
                download(HUB.format(model=base_id, file=fname), target)
                log(f"downloaded {base_id}/{fname}")
            except Exception:  # not every tokenizer has every file
                target.unlink(missing_ok=True)
    if not (base_dir / "config.json").is_file():
        raise FetchError(f"could not get config.json for {base_id}")
    tc_path = base_dir / "tokenizer_config.json"
    tc = json.loads(tc_path.read_text()) if tc_path.is_file() else {}
    tc["model_max_length"] = 512
    tc_path.write_text(json.dumps(tc, indent=2))
    args["model_type"] = str(base_dir)
    local = dest / name.replace(".ckpt", ".local.ckpt")
    torch.save(loaded, local)
    (dest / (local.name + ".sha256")).write_text(sha256_of(local) + "\n")
    log(f"ready: {local}")
    return {"MODERATION_DETOXIFY_CHECKPOINT": str(local), "MODERATION_DETOXIFY_MODEL_DIR": str(base_dir),
            "MODERATION_TOXICITY_BACKEND": "detoxify"}
