"""Command line: ``python -m sharedservices ...`` over the same library as the app.

Commands
--------
geodata build --vintage V [--source ons|DIR|FILE] [--rebuild]
    Build (or reuse from the cache) a boundary vintage's web layers. A label sources.toml does not
    list (e.g. 2022) is built from --source, a boundary file or a folder of them, and is then
    offered by the app and every command like a built-in vintage.
geodata info --vintage V [--json]
    Counts, quality and size of a vintage's layers.
data validate [FILE] [--vintage V] [--json]
    Check an arrangements table; exit status 1 when anything is wrong.
links --vintage V [--json]
    Counts of the links the arrangements draw.
reorganisation --vintage 2027|2028 [--file F] [--json]
export --format csv|xlsx|geojson|html|png|svg --out FILE [--vintage V] [--region R] [--county C]
       [--service S] [--status S] [--council GSS] [--cross county|region|nation] [--arrangements FILE]
    A planned vintage's new councils (predecessors, decision status) and what happens to the
    arrangements: counts per outcome, overall and per area. Exit status 1 if the table is wrong.

``geodata build`` and ``geodata info`` also take the planned vintages 2027 and 2028 (built from the
cached 2023 vintage and data/reorganisation.csv). ``-v`` logs downloads, builds, cache hits and
assumptions with sizes and seconds; ``-vv`` more. Exit status 1 with one line for anything the
user can put right (a ``SharedServicesError``); anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys

from sharedservices import settings
from sharedservices.domain import PLANNED_VINTAGES, default_vintage
from sharedservices.errors import SharedServicesError, UnknownCouncilError, UnknownVintageError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and getattr(args, "run", None) is not _serve:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if unknown:  # streamlit run's own options, e.g. --server.port 8502
        args.streamlit_options = unknown
    logging.basicConfig(
        level={0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.captureWarnings(True)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except SharedServicesError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sharedservices", description="Shared Services Map tools.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log what happens (-vv: more)")
    commands = parser.add_subparsers()

    geodata = commands.add_parser("geodata", help="boundary vintages").add_subparsers()
    build = geodata.add_parser("build", help="build a vintage's web layers (cached)")
    build.add_argument(
        "--vintage", action="append", help="vintage label (repeatable; default: every listed, built and planned one)"
    )
    build.add_argument("--source", help="'ons' to download from the ONS, or a boundary file or folder of them")
    build.add_argument("--rebuild", action="store_true", help="build even when the cache is current")
    build.set_defaults(run=_geodata_build)
    info = geodata.add_parser("info", help="counts, quality and size of a vintage")
    info.add_argument("--vintage", required=True)
    info.add_argument("--source", help="as for build")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(run=_geodata_info)

    data = commands.add_parser("data", help="arrangements data").add_subparsers()
    validate = data.add_parser("validate", help="check an arrangements table")
    validate.add_argument("file", nargs="?", default=str(settings.ARRANGEMENTS_CSV))
    validate.add_argument("--vintage", help="boundary vintage (default: sources.toml's)")
    validate.add_argument("--json", action="store_true")
    validate.set_defaults(run=_data_validate)

    links = commands.add_parser("links", help="counts of links drawn between councils")
    links.add_argument("--vintage", help="boundary vintage (default: sources.toml's)")
    links.add_argument("--file", default=str(settings.ARRANGEMENTS_CSV))
    links.add_argument("--json", action="store_true")
    links.set_defaults(run=_links)

    export = commands.add_parser("export", help="the view the filters select, as a file")
    export.add_argument("--format", choices=("csv", "xlsx", "geojson", "html", "png", "svg"), required=True)
    export.add_argument("--out", required=True, help="file to write (written whole, or not at all)")
    export.add_argument("--vintage", help="boundary vintage (default: sources.toml's)")
    export.add_argument("--region", action="append", default=[], help="region or nation (repeatable)")
    export.add_argument("--county", action="append", default=[], help="county GSS code (repeatable)")
    export.add_argument("--service", action="append", default=[], help="service id (repeatable)")
    export.add_argument("--status", action="append", default=[], help="status (repeatable)")
    export.add_argument("--council", default="", help="only this council's arrangements (GSS code)")
    export.add_argument("--cross", choices=("county", "region", "nation"), default="")
    export.add_argument("--arrangements", default=str(settings.ARRANGEMENTS_CSV), help="arrangements table")
    export.set_defaults(run=_export)

    reorg = commands.add_parser("reorganisation", help="planned councils and what happens to arrangements")
    reorg.add_argument("--vintage", choices=tuple(PLANNED_VINTAGES), default="2028")
    reorg.add_argument("--file", default=str(settings.ARRANGEMENTS_CSV), help="arrangements table")
    reorg.add_argument("--json", action="store_true", help="print one JSON object")
    reorg.set_defaults(run=_reorganisation)

    serve = commands.add_parser(
        "serve",
        help="run the app (streamlit run app.py), preparing what every session shares as the server starts",
        description="Further options go to streamlit run, e.g. --server.port 8502.",
    )
    serve.set_defaults(run=_serve, streamlit_options=[])  # any further options go to streamlit run

    bench = commands.add_parser("bench", help="every benchmark in one run, one table (bench/all.py; a checkout only)")
    bench.add_argument("--only", nargs="*", help="run only the benchmarks whose names contain these words")
    bench.set_defaults(run=_bench)
    return parser


def _bench(args) -> int:
    """Run bench/all.py of this checkout; the benchmarks are not part of an installed package."""
    script = settings.PROJECT_ROOT / "bench" / "all.py"
    if not script.exists():
        raise SharedServicesError(f"{script} is not here: the benchmarks run from a checkout of the repository.")
    return subprocess.run([sys.executable, str(script), *(["--only", *args.only] if args.only else [])]).returncode


def _serve(args) -> int:
    """``streamlit run app.py`` in this process, with the shared caches built meanwhile in a
    second thread (``ui.loaders.warm``), so the first visitor does not wait for them."""
    import threading

    from streamlit.web import cli as streamlit_cli

    from sharedservices.ui import loaders

    def warm() -> None:
        try:
            loaders.warm()
        except Exception:  # the first visit then builds them itself, and says what went wrong
            logging.getLogger(__name__).exception("Preparing the shared caches failed")

    threading.Thread(target=warm, name="warm-up", daemon=True).start()
    app = str(settings.PROJECT_ROOT / "app.py")
    return streamlit_cli.main(["run", app, *args.streamlit_options], standalone_mode=False) or 0


def _load(vintage: str, source: str | None, rebuild: bool = False):
    from sharedservices.reorganisation import load_boundaries

    return load_boundaries(vintage, source, rebuild=rebuild)


def _vintage(args) -> str:
    """The vintage a command works on: the one asked for, if it can be loaded, else the default."""
    from sharedservices.vintages import available_vintages

    vintage = args.vintage or default_vintage()
    if vintage not in available_vintages():
        raise UnknownVintageError(f"No boundary vintage {vintage!r} is built; known: {', '.join(available_vintages())}.")
    return vintage


def _geodata_build(args) -> int:
    from sharedservices.vintages import available_vintages

    for vintage in args.vintage or (*available_vintages(), *PLANNED_VINTAGES):
        built = _load(vintage, args.source, args.rebuild)
        info = built.info
        planned = " (planned)" if info.get("planned") else ""
        print(
            f"{vintage}{planned}: {info['councils']} councils, {info['counties']} counties, "
            f"layer {info['layer_bytes'] / 1000:.0f} kB, built in {info['build_seconds']} s"
        )
        for note in info.get("notes", []):
            print(f"  note: {note}")
    return 0


def _print_figures(figures: dict, as_json: bool) -> None:
    """One JSON object, or one ``key: value`` line per figure."""
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")


def _geodata_info(args) -> int:
    _print_figures(_load(args.vintage, args.source).info, args.json)
    return 0


def _data_validate(args) -> int:
    from sharedservices.arrangements import validate_file
    from sharedservices.vintages import available_vintages, load_vintage

    args.vintage = _vintage(args)
    report = validate_file(
        args.file, vintage=args.vintage, councils_by_vintage={v: load_vintage(v).councils for v in available_vintages()}
    )
    summary = report.to_dict()
    if report.ok:
        from sharedservices.coverage import coverage
        from sharedservices.workspace import load_workspace

        summary["coverage"] = coverage(load_workspace(args.vintage, args.file))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(
            f"{summary['source']} ({args.vintage} councils): {summary['rows_read']} rows read, "
            f"{summary['arrangements_loaded']} arrangements valid, {summary['councils']} councils, "
            f"{summary['errors']} errors, {summary['warnings']} warnings"
        )
        if "coverage" in summary:
            figures = summary["coverage"]
            print(
                f"  start year given: {figures['start_year_share']:.0%}; last confirmed given: "
                f"{figures['status_as_of_share']:.0%}; started or ended since 2020: "
                f"{figures['started_or_ended_since_2020']}"
            )
            bands = ", ".join(f"{label}: {n}" for label, n in figures["operational_by_last_confirmed"].items())
            print(f"  operational rows by when a source last confirmed them: {bands}")
        for problem in summary["problems"]:
            where = f"row {problem['row']}" if problem["row"] else "file"
            column = f", {problem['column']}" if problem["column"] else ""
            print(f"  {problem['severity']} ({where}{column}): {problem['message']}")
    return 0 if report.ok else 1


def _links(args) -> int:
    from sharedservices.links import link_counts
    from sharedservices.workspace import load_workspace

    _print_figures(link_counts(load_workspace(_vintage(args), args.file).pair_links), args.json)
    return 0


def _export(args) -> int:
    from sharedservices import exports
    from sharedservices.reorganisation import attribution
    from sharedservices.viewstate import Filters
    from sharedservices.workspace import load_workspace

    args.vintage = _vintage(args)
    workspace = load_workspace(args.vintage, args.arrangements)
    councils = set(workspace.boundaries.councils["code"])
    if args.council and args.council not in councils:
        raise UnknownCouncilError(f"No council has the code {args.council!r} on the {args.vintage} boundaries.")
    chosen = Filters(
        vintage=args.vintage,
        regions=tuple(args.region),
        counties=tuple(args.county),
        services=tuple(args.service),
        statuses=tuple(args.status),
        crossing=args.cross,
    )
    data = exports.export_view(args.format, workspace, chosen, attribution(args.vintage), args.council)
    exports.write_atomically(args.out, data)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    return 0


def _reorganisation(args) -> int:
    from sharedservices.reorganisation import BASE_VINTAGE, summary
    from sharedservices.workspace import load_workspace

    workspace = load_workspace(BASE_VINTAGE, args.file)
    figures = summary(args.vintage, workspace.long)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    print(f"{figures['vintage']} (planned, councils decided for {figures['as_of']}, built on {figures['base_vintage']})")
    for council in figures["new_councils"]:
        names = ", ".join(p["name"] for p in council["predecessors"])
        print(f"  {council['code']} {council['name']} [{council['status']}, from {council['vesting_date']}]: {names}")
    for area, statuses in figures["not_built"].items():
        print(f"  not built, {area}: " + ", ".join(f"{n} {status}" for status, n in statuses.items()))
    counts = figures["outcomes"]
    print(f"arrangements: {counts['arrangements']}; " + ", ".join(f"{o}: {n}" for o, n in counts["overall"].items()))
    for area, by in counts["by_area"].items():
        print(f"  {area}: " + ", ".join(f"{o}: {n}" for o, n in by.items()))
    return 0
