"""``python -m lstm_utils.assignments [--format student|nbgrader|otter] SRC OUT``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lstm_utils.assignments import student, to_nbgrader, to_otter

FORMATS = {
    "student": lambda path, nb: {Path(path.name): student.student_notebook(nb, path.name)},
    "nbgrader": to_nbgrader.convert,
    "otter": to_otter.convert,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_utils.assignments",
                                     description="Turn the chapter notebooks into assignments.")
    parser.add_argument("--format", choices=sorted(FORMATS), default="student",
                        help="student versions (default), an nbgrader source/ tree, or otter-grader notebooks")
    parser.add_argument("source", type=Path, help="folder of teacher notebooks (e.g. notebooks/)")
    parser.add_argument("out", type=Path, help="output folder (outside the source folder)")
    args = parser.parse_args(argv)
    try:
        written = student.export(args.source, args.out, FORMATS[args.format])
        if args.format == "nbgrader":
            config = args.out / "nbgrader_config.py"
            if not config.exists():
                config.write_text(to_nbgrader.COURSE_CONFIG)
                written.append(config)
    except (OSError, ValueError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
