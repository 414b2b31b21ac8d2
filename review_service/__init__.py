"""review-service: the legal-review workflow engine for major enforcement decisions (重大执法决定法制审核).

Domains live in their own packages (DESIGN.md §5); ``runtime.open_runtime`` wires a process
together (database, stored files, receivers), ``cli`` is the command line.
"""
