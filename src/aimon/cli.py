"""Command line: ``aimon demo`` runs the main job on a bundled inference log; ``aimon report LOG``
on yours; ``aimon gate`` and ``aimon check`` run the release gate (:mod:`aimon.gating.cli`)."""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="aimon", description="pandas-aimon: monitor deployed AI models.")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="monitor a bundled inference log and write an HTML report")
    demo.add_argument("--dataset", default="credit_scoring", choices=["credit_scoring", "chatbot"])
    demo.add_argument("--out", default="aimon-demo", help="output folder (default: aimon-demo)")
    from .gating.cli import add_commands  # aimon gate, aimon check
    from .report.userlog import add_arguments

    add_commands(sub)
    add_arguments(sub.add_parser("report", help="write the HTML report of your own log (csv, jsonl, parquet)"))
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is not None:
        return args.run(args)
    if args.command == "report":
        import matplotlib

        matplotlib.use("Agg")
        from .report.userlog import main as report_main

        return report_main(args)
    if args.command != "demo":
        parser.print_help()
        return 2
    import matplotlib

    matplotlib.use("Agg")
    from .errors import AimonError
    from .report import run

    try:
        run(out_dir=args.out, dataset=args.dataset)
    except AimonError as exc:
        print(f"aimon: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
