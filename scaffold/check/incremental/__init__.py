"""What makes the check fast without changing its answer: it wraps scaffold.check.pipeline.

codec (records as marshal-able builtins), store (the on-disk cache), reuse and runs (what
the last run found that still holds), pool (parsing processes, a forked simulation) and
run (the cached and uncached checks; the public `run_check`). Nothing outside this
package imports it but the commands on top: it sits above every stage it wraps.
"""
