"""How the README tour becomes a script (tests/tour/readme.py): pure text, no stack needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tour import readme

ROOT = Path(__file__).resolve().parents[2]

SAMPLE = """# Title

```bash
./avain up
```

## A 5-minute tour

Some prose.

```bash
API=http://127.0.0.1:${AVAIN_INTAKE_PORT:-8001}
curl -s -o /dev/null -w '%{http_code}\\n' $API/clients   # expect 403
```

```text
not run
```

### A subsection

```bash
echo done
```

## Working on it

```bash
not part of the tour
```
"""


def test_only_the_tours_bash_blocks_run_in_order_with_their_readme_line_numbers() -> None:
    lines = readme.script(SAMPLE, Path("/h.sh")).splitlines()
    assert lines[0] == "source /h.sh"
    assert lines[11] == "API=http://127.0.0.1:${AVAIN_INTAKE_PORT:-8001}"
    assert lines[12].startswith("tour_expect 403; curl -s")
    assert lines[22] == "echo done"
    assert [i for i, line in enumerate(lines) if line and i > 0] == [11, 12, 22]
    text = "\n".join(lines)
    assert "./avain up" not in text and "not run" not in text and "not part of the tour" not in text


def test_a_literal_port_is_refused_so_the_tour_never_reaches_another_stack() -> None:
    with pytest.raises(readme.TourError, match="line"):
        readme.script(SAMPLE.replace("${AVAIN_INTAKE_PORT:-8001}", "8001"))


def test_a_readme_without_the_tour_or_with_an_open_block_is_refused() -> None:
    with pytest.raises(readme.TourError):
        readme.script("# Title\n")
    with pytest.raises(readme.TourError):
        readme.script(SAMPLE[:SAMPLE.index("echo done") + len("echo done\n")])


def test_the_readme_tour_builds_and_keeps_its_line_numbers() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = readme.script(text).splitlines()
    for number, line in readme.tour_lines(text):
        assert lines[number - 1].endswith(line)
