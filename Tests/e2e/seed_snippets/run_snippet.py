"""Runs one seed snippet against the proxy: swaps the base URL and key, executes it, dumps its globals.

usage: run_snippet.py SNIPPET.py BASE_URL API_KEY GLOBALS_OUT.json
The snippet's own output goes to stdout unchanged; its module-level variables are written as JSON to
GLOBALS_OUT.json so the test can inspect what the snippet collected.
"""

import json
import sys

UPSTREAM_BASE = "https://api.perplexity.ai"
PLACEHOLDER_KEY = "YOUR_API_KEY"


def to_jsonable(value):
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def main() -> None:
    path, base_url, key, out_path = sys.argv[1:5]
    with open(path, encoding="utf-8") as f:
        source = f.read().replace(UPSTREAM_BASE, base_url).replace(PLACEHOLDER_KEY, key)
    namespace = {"__name__": "__main__", "__file__": path}
    exec(compile(source, path, "exec"), namespace)
    sys.stdout.flush()
    wanted = ("content", "citations", "search_results", "usage_info")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({k: to_jsonable(namespace[k]) for k in wanted if k in namespace}, f)


if __name__ == "__main__":
    main()
