"""Stands in for httptools on the naive server of bench/bench_serving.py: uvicorn, finding no
httptools, parses HTTP with the pure-Python h11."""

raise ModuleNotFoundError("the naive way: no httptools")
