"""Agencies, users, roles, qualifications and staffing."""
