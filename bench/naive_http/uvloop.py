"""Stands in for uvloop on the naive server of bench/bench_serving.py: uvicorn, finding no
uvloop, runs on asyncio's own event loop."""

raise ModuleNotFoundError("the naive way: no uvloop")
