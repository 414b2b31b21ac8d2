"""The case's documents (文书) on the pages: download and print with the page's session (issue 17, point 1)."""
