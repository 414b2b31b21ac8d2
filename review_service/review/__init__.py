"""The review body's work: assignment, intake, the ten-point opinion and its quality advice."""
