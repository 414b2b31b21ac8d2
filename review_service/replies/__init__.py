"""The handling unit's written reply to an opinion, resubmission and abandonment."""
