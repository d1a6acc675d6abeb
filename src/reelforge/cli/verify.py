"""`reelforge verify CLIP`: read a clip's C2PA Content Credentials and say whether to trust them.

Exit status: 0 trusted or valid, 1 invalid (changed after signing), 4 unsigned (no
manifest), 2 for a missing or unreadable file or a bad option.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from reelforge.cli.errors import user_errors

EXIT = {"trusted": 0, "valid": 0, "invalid": 1, "unsigned": 4}
MEANING = {
    "trusted": "intact, signed by a trusted signer",
    "valid": "intact, but the signer is not among the trusted roots",
    "invalid": "changed after signing, or the manifest is damaged",
    "unsigned": "no C2PA manifest",
}
IDENTITY_HELP = (
    "The signing identity folder whose root-ca.pem to trust "
    "(default: ~/.local/share/reelforge/identity)."
)


def verify_command(
    path: Path = typer.Argument(..., help="The clip (an MP4, or another format c2pa reads)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the state, reasons and whole manifest store as JSON."
    ),
    identity: Path | None = typer.Option(
        None, "--identity", envvar="REELFORGE_IDENTITY", help=IDENTITY_HELP
    ),
    trust_anchors: list[Path] | None = typer.Option(
        None, "--trust-anchors", help="A PEM file of root certificates to trust (repeatable)."
    ),
) -> None:
    """Show who made a clip and how (its C2PA manifest), and whether it is intact.

    States: trusted (intact, the signer chains to a trusted root), valid (intact, the
    signer is not trusted here), invalid (changed after signing), unsigned (no manifest).

    Exit status: 0 trusted or valid, 1 invalid, 4 unsigned, 2 error.

    Example: reelforge verify clip.mp4 --json
    """
    from reelforge.provenance.c2pa_sign import verify
    from reelforge.provenance.identity import default_identity_folder, local_trust_anchors

    with user_errors():
        anchors = [
            *local_trust_anchors(identity or default_identity_folder()),
            *(trust_anchors or []),
        ]
        result = verify(path, anchors)
    if as_json:
        typer.echo(json.dumps(_as_json(path, result, anchors), indent=2))
    else:
        typer.echo("\n".join(_report(path, result, anchors)))
    raise typer.Exit(EXIT[result.state])


def _as_json(path: Path, result, anchors: list[Path]) -> dict:
    return {
        "file": str(path),
        "state": result.state,
        "reasons": [vars(r) for r in result.reasons],
        "trust_anchors": [str(a) for a in anchors],
        "manifest_store": result.store,
    }


def _report(path: Path, result, anchors: list[Path]) -> list[str]:
    from reelforge.provenance.manifest import describe

    lines = [f"{path.name}: {result.state} ({MEANING[result.state]})"]
    if result.manifest is not None:
        lines += _summary(describe(result.manifest))
    if result.reasons:
        lines.append("why:")
        lines += [f"  {r.code}: {r.explanation}" for r in result.reasons]
    if result.state == "valid":
        roots = ", ".join(str(a) for a in anchors) or "none"
        lines.append(f"trusted roots: {roots} (add the signer's with --trust-anchors)")
    return lines


def _summary(info: dict) -> list[str]:
    signer = f"{info['signer']} (issued by {info['issuer']}, {info['alg']})"
    time = info["time"] or (f"{info['when']} (stated by the signer)" if info["when"] else "-")
    lines = [
        f"  title:      {info['title']}",
        f"  generator:  {info['claim_generator']}",
        f"  signer:     {signer}",
        f"  time:       {time}",
        "  actions:",
    ]
    for a in info["actions"]:
        details = [a["source_type"], a["software_agent"], a["description"]]
        details += [f"{k} {v}" for k, v in a["parameters"].items()]
        details += [f"source {t}" for t in a["ingredients"]]
        lines.append(f"    {a['action']}: " + "; ".join(d for d in details if d))
    for i in info["ingredients"]:
        signed = "with its own credentials" if i["signed"] else "no credentials"
        lines.append(f"  ingredient: {i['title']} ({i['relationship']}, {signed})")
    if info["prompt"] is not None:
        lines.append(f"  prompt:     {info['prompt']}")
    return lines
