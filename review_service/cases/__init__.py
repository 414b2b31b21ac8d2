"""Cases: the draft and its hash-bound versions, materials, classification, submission, and the
glue between a case and its workflow instance (``flow``)."""
