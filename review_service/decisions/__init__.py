"""Approval and the decision: the gate of 行政处罚法 art. 58, in the operation and in the schema."""
