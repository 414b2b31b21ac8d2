"""Pages anyone may read without logging in (``/public/…``): what an agency publishes (目录清单向社会公开)."""
