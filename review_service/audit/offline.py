"""The auditor's offline check: ``python -m review_service.audit.offline PROOF.json --key KEY [--checkpoint FILE]``.

Needs only the proof file (from ``review-service audit prove``), the verifier key
(from ``GET /api/v1/audit/checkpoints`` or the operator, ideally obtained
independently) and optionally a checkpoint the auditor already holds — no
database, no network, nothing else from the product. Imports only the pure modules
(``proofs``, ``checkpoints``, ``merkle``, ``sm3``).

With ``--checkpoint``, the proofs are checked against that checkpoint instead of
the one inside the file: it must be validly signed and cover the same number of
events (ask the operator for proofs against your checkpoint:
``review-service audit prove --case ID --checkpoint FILE``).

Exit status 0 when everything verifies, 1 otherwise, with one line saying why.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from review_service.audit.checkpoints import CheckpointError, parse_checkpoint_body, split_note, verify_checkpoint
from review_service.audit.proofs import (
    BUNDLE_FORMAT,
    CONSISTENCY_FORMAT,
    Result,
    verify_case_proof_bundle,
    verify_consistency_bundle,
)


def _read_text(value: str) -> str:
    """``@FILE`` or an existing path is read; anything else is the text itself."""
    path = Path(value[1:] if value.startswith("@") else value)
    if value.startswith("@") or (len(value) < 4096 and path.is_file()):
        return path.read_text(encoding="utf-8")
    return value


def check_bundle(bundle: dict[str, Any], key: str, checkpoint_text: str | None = None) -> Result:
    """Check a proof bundle (inclusion or consistency) with the verifier key; see the module docstring."""
    key = key.strip()
    if bundle.get("format") == CONSISTENCY_FORMAT:
        return verify_consistency_bundle(bundle, key)
    if bundle.get("format") != BUNDLE_FORMAT:
        return False, "不认识的证明文件格式"
    if checkpoint_text is not None:
        try:
            held = verify_checkpoint(checkpoint_text, key)
            body, _signatures = split_note(str(bundle.get("checkpoint", "")))
            proved = parse_checkpoint_body(body)
        except CheckpointError as error:
            return False, f"检查点无效：{error}"
        if (held.origin, held.size) != (proved.origin, proved.size):
            return False, (f"证明针对 {proved.size} 条事件的检查点，所给检查点为 {held.size} 条："
                           "请用 review-service audit prove --checkpoint 针对该检查点重新生成证明")
        bundle = {**bundle, "checkpoint": checkpoint_text}
    return verify_case_proof_bundle(bundle, key)


def describe_events(bundle: dict[str, Any]) -> list[str]:
    """One line per proven event (seq, time, action, actor), read from its canonical bytes."""
    lines = []
    for entry in bundle.get("events", []):
        try:
            event = json.loads(base64.b64decode(entry["canonical"]))
            lines.append(f"  #{event.get('seq')} {event.get('at')} {event.get('action')} "
                         f"{event.get('actor_username') or '系统'}（{event.get('role')}）")
        except (KeyError, ValueError, TypeError):
            lines.append("  （无法解读的事件）")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m review_service.audit.offline",
                                     description="离线核验审计证明（包含证明或一致性证明）")
    parser.add_argument("proof", help="证明文件（review-service audit prove 的输出）；- 为标准输入")
    parser.add_argument("--key", required=True, help="验证公钥文本，或 @文件")
    parser.add_argument("--checkpoint", help="您持有的签名检查点文件（可选）")
    args = parser.parse_args(argv)
    try:
        raw = sys.stdin.read() if args.proof == "-" else Path(args.proof).read_text(encoding="utf-8")
        bundle = json.loads(raw)
        key = _read_text(args.key)
        held = Path(args.checkpoint).read_text(encoding="utf-8") if args.checkpoint else None
    except OSError as error:
        print(f"核验失败：无法读取文件 {error.filename}（{error.strerror or error}）", file=sys.stderr)
        return 1
    except json.JSONDecodeError as error:
        print(f"核验失败：证明文件不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）", file=sys.stderr)
        return 1
    except ValueError as error:  # not UTF-8
        print(f"核验失败：无法读取输入：{error}", file=sys.stderr)
        return 1
    if not isinstance(bundle, dict):
        print("核验失败：证明文件不是 JSON 对象", file=sys.stderr)
        return 1
    ok, reason = check_bundle(bundle, key, held)
    if not ok:
        print(f"核验失败：{reason}", file=sys.stderr)
        return 1
    print(f"核验通过：{reason}")
    for line in describe_events(bundle):
        print(line)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
