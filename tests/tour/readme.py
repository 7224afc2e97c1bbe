"""The README tour as a script: its ```bash blocks, in order, run in one bash session against a running stack.

How a tour section is written so that this runs it (later sections follow the same rules):
- only ```bash blocks inside the tour (from its "## A 5-minute tour" heading to the next "## " heading) run;
  a block meant for reading only is fenced as ```text or ```console;
- a service's address comes from its port setting, ``http://127.0.0.1:${AVAIN_INTAKE_PORT:-8001}``, never a
  literal port: the test runs the tour on a private stack on other ports (and must never reach the lead's
  demo on the default ones);
- every curl must answer 2xx, unless its line ends with ``# expect NNN`` (a refusal the tour shows on purpose);
  a curl with -f/--fail checks its own status (wait_for polls that way);
- any command that fails stops the tour (set -euo pipefail), and every answer ends its own line.

The script keeps the README's line numbers (lines outside the tour's blocks are blank), so bash's errors,
its trace and the curl check all name README lines.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

HARNESS = Path(__file__).with_name("harness.sh")
TOUR_HEADING = "## A 5-minute tour"
EXPECT = re.compile(r"#\s*expect\s+(\d{3})\s*$")
LITERAL_PORT = re.compile(r"127\.0\.0\.1:\d|localhost:\d")


class TourError(AssertionError):
    pass


def tour_lines(readme: str) -> list[tuple[int, str]]:
    """(README line number, line) of every line inside the tour's ```bash blocks, in order."""
    lines = readme.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(TOUR_HEADING)]
    if len(starts) != 1:
        raise TourError(f"the README needs exactly one '{TOUR_HEADING}' heading")
    found: list[tuple[int, str]] = []
    fence: str | None = None
    for i in range(starts[0] + 1, len(lines)):
        line = lines[i]
        if fence is None and line.startswith("## "):
            break
        if fence is None and line.startswith("```"):
            fence = line.strip()
            continue
        if fence is not None and line.strip() == "```":
            fence = None
            continue
        if fence == "```bash":
            found.append((i + 1, line))
    if fence is not None:
        raise TourError("a code block in the tour is not closed")
    if not found:
        raise TourError("the tour has no ```bash block")
    return found


def script(readme: str, harness: Path = HARNESS, *, dump: Path | None = None) -> str:
    """The tour as one bash script whose line N is README line N (1: the harness; the end: a dump of the
    shell's variables into ``dump``, for the test's own checks afterwards)."""
    tour = tour_lines(readme)
    literal = [n for n, line in tour if LITERAL_PORT.search(line)]
    if literal:
        raise TourError(f"README line(s) {literal}: use http://127.0.0.1:${{AVAIN_<SERVICE>_PORT:-800N}}, "
                        "not a literal port, so the tour runs on a private stack")
    out = [""] * max(n for n, _ in tour)
    out[0] = f"source {harness}"
    for n, line in tour:
        if n == 1:
            raise TourError("the README's first line cannot be part of the tour")
        expect = EXPECT.search(line)
        out[n - 1] = f"tour_expect {expect[1]}; {line}" if expect else line
    if dump is not None:
        out.append(f"for v in $(compgen -v); do printf '%s=%s\\0' \"$v\" \"${{!v-}}\"; done > {dump} 2>/dev/null || true")
    return "\n".join(out) + "\n"


@dataclass
class TourRun:
    returncode: int
    stdout: str
    stderr: str
    calls: list[tuple[int, str, str, str]]  # (README line, HTTP status, expected, url) of every curl
    variables: dict[str, str]

    def report(self, tail: int = 60) -> str:
        def last(text: str) -> str:
            return "\n".join(text.splitlines()[-tail:])

        return f"exit {self.returncode}\n--- stderr (last {tail} lines)\n{last(self.stderr)}\n" \
               f"--- stdout (last {tail} lines)\n{last(self.stdout)}"


def run(readme: str, *, cwd: Path, env: dict[str, str], work: Path, timeout: float = 1800) -> TourRun:
    """Runs the tour in ``cwd`` with ``env``; ``work`` keeps the script, its output and the curl log. ``timeout``
    only catches a hang: each of the tour's waits ends by itself (wait_for: two minutes)."""
    work.mkdir(parents=True, exist_ok=True)
    dump = work / "variables"
    path = work / "tour.sh"
    path.write_text(script(readme, dump=dump), encoding="utf-8")
    done = subprocess.run(["bash", str(path)], cwd=cwd, env={**env, "TOUR_DIR": str(work)}, capture_output=True,
                          text=True, timeout=timeout, check=False)
    (work / "stdout").write_text(done.stdout, encoding="utf-8")
    (work / "stderr").write_text(done.stderr, encoding="utf-8")
    calls = []
    if (work / "calls").exists():
        for row in (work / "calls").read_text(encoding="utf-8").splitlines():
            line, status, expected, _own_check, url = row.split("\t")
            calls.append((int(line), status, expected, url))
    variables: dict[str, str] = {}
    if dump.exists():
        for item in dump.read_text(encoding="utf-8", errors="replace").split("\0"):
            name, _, value = item.partition("=")
            if name:
                variables[name] = value
    return TourRun(done.returncode, done.stdout, done.stderr, calls, variables)


def clean_environment() -> dict[str, str]:
    """The caller's environment without its AVAIN_* settings (those point at the shared broker and database)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AVAIN_")}
